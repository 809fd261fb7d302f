//! Process and thread system calls.

use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{status, Api, ApiResult, ApiTable};

use super::MODULE;

fn nt(t: &mut ApiTable, name: &'static str, number: u32, handler: crate::system::Handler) {
    t.add(Api { module: MODULE, name, handler, first: None, rva: None, nt_number: Some(number), internal: false });
}

pub fn register(t: &mut ApiTable) {
    // Windows 10 22H2 system-call numbers.
    nt(t, "NtTerminateProcess", 0x2c, nt_terminate_process);
    nt(t, "NtQueryInformationThread", 0x25, nt_query_information_thread);
    nt(t, "NtQueryPerformanceCounter", 0x31, nt_query_performance_counter);
    t.simple(MODULE, "RtlRaiseStatus", rtl_raise_status);
    t.simple(MODULE, "RtlGetLastWin32Error", rtl_get_last_win32_error);
    t.simple(MODULE, "RtlSetLastWin32Error", rtl_set_last_win32_error);
    t.simple(MODULE, "RtlNtStatusToDosError", rtl_nt_status_to_dos_error);
}

const CURRENT_PROCESS: u64 = u64::MAX;

/// NtTerminateProcess(ProcessHandle, ExitStatus): only the current process can be ended.
fn nt_terminate_process(p: &mut Process) -> ApiResult {
    let (handle, code) = (p.arg(0), p.arg(1) as u32);
    if handle == CURRENT_PROCESS || handle == 0 {
        ApiResult::Terminate(code)
    } else {
        ApiResult::Return(u64::from(status::INVALID_HANDLE))
    }
}

/// NtQueryInformationThread: only ThreadHideFromDebugger (0x11), which the initial
/// breakpoint asks about; the thread does not hide.
fn nt_query_information_thread(p: &mut Process) -> ApiResult {
    let (class, buf, len) = (p.arg(1), p.arg(2), p.arg(3));
    if class == 0x11 && len >= 1 {
        if p.cpu.write_u8(buf, 0).is_err() {
            return ApiResult::Return(u64::from(status::ACCESS_VIOLATION));
        }
        let ret_len = p.arg(4);
        if ret_len != 0 {
            let _ = p.cpu.write_u32(ret_len, 1);
        }
        return ApiResult::Return(0);
    }
    ApiResult::Return(0xC000_0003) // STATUS_INVALID_INFO_CLASS
}

fn nt_query_performance_counter(p: &mut Process) -> ApiResult {
    let (counter, freq) = (p.arg(0), p.arg(1));
    let v = p.clock.performance_counter();
    if p.cpu.write_u64(counter, v).is_err() {
        return ApiResult::Return(u64::from(status::ACCESS_VIOLATION));
    }
    if freq != 0 && p.cpu.write_u64(freq, crate::process::clock::QPC_FREQUENCY).is_err() {
        return ApiResult::Return(u64::from(status::ACCESS_VIOLATION));
    }
    ApiResult::Return(0)
}

/// RtlRaiseStatus(Status): raises Status as a non-continuable exception.
fn rtl_raise_status(p: &mut Process) -> ApiResult {
    let event = crate::process::ExceptionEvent::new(p.arg(0) as u32, p.cpu.rip(), vec![]);
    ApiResult::RaiseEvent(Box::new(crate::process::ExceptionEvent { flags: crate::system::seh::flags::NONCONTINUABLE, ..event }))
}

fn rtl_get_last_win32_error(p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(p.last_error()))
}

fn rtl_set_last_win32_error(p: &mut Process) -> ApiResult {
    let e = p.arg(0) as u32;
    p.set_last_error(e);
    ApiResult::Return(0)
}

/// The few NTSTATUS → Win32 mappings the emulated APIs produce.
pub fn status_to_dos_error(s: u32) -> u32 {
    match s {
        0 => status::ERROR_SUCCESS,
        status::INVALID_HANDLE => status::ERROR_INVALID_HANDLE,
        status::INVALID_PARAMETER => status::ERROR_INVALID_PARAMETER,
        status::NO_MEMORY => status::ERROR_NOT_ENOUGH_MEMORY,
        status::NOT_IMPLEMENTED => status::ERROR_CALL_NOT_IMPLEMENTED,
        _ => 317, // ERROR_MR_MID_NOT_FOUND
    }
}

fn rtl_nt_status_to_dos_error(p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(status_to_dos_error(p.arg(0) as u32)))
}
