//! Process, thread, module and environment queries.

use crate::layout::{PID, TID};
use crate::process::environment::{PEB_PROCESS_PARAMETERS, ENVIRONMENT};
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{status, ApiResult, ApiTable};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetCurrentProcess", get_current_process);
    t.simple(MODULE, "GetCurrentThread", get_current_thread);
    t.simple(MODULE, "GetCurrentProcessId", get_current_process_id);
    t.simple(MODULE, "GetCurrentThreadId", get_current_thread_id);
    t.simple(MODULE, "GetCommandLineA", get_command_line_a);
    t.simple(MODULE, "GetCommandLineW", get_command_line_w);
    t.simple(MODULE, "GetModuleHandleA", get_module_handle_a);
    t.simple(MODULE, "GetModuleHandleW", get_module_handle_w);
    t.simple(MODULE, "GetModuleFileNameA", get_module_file_name_a);
    t.simple(MODULE, "GetModuleFileNameW", get_module_file_name_w);
    t.simple(MODULE, "GetProcAddress", get_proc_address);
    t.simple(MODULE, "GetLastError", get_last_error);
    t.simple(MODULE, "SetLastError", set_last_error);
    t.simple(MODULE, "IsDebuggerPresent", is_debugger_present);
    t.simple(MODULE, "TerminateProcess", terminate_process);
    t.simple(MODULE, "GetStartupInfoW", get_startup_info_w);
    t.simple(MODULE, "IsProcessorFeaturePresent", is_processor_feature_present);
    t.simple(MODULE, "SetUnhandledExceptionFilter", set_unhandled_exception_filter);
    t.simple(MODULE, "GetEnvironmentStringsW", get_environment_strings_w);
    t.simple(MODULE, "FreeEnvironmentStringsW", free_environment_strings_w);
    t.simple(MODULE, "GetEnvironmentVariableA", get_environment_variable_a);
}

fn get_current_process(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::MAX)
}

fn get_current_thread(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::MAX - 1)
}

fn get_current_process_id(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(PID))
}

fn get_current_thread_id(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(TID))
}

fn get_command_line_a(p: &mut Process) -> ApiResult {
    ApiResult::Return(p.command_line_a)
}

/// The UNICODE_STRING buffer in RTL_USER_PROCESS_PARAMETERS.CommandLine (+0x70).
fn get_command_line_w(p: &mut Process) -> ApiResult {
    let params = p.cpu.read_u64(crate::layout::PEB + PEB_PROCESS_PARAMETERS).unwrap_or(0);
    ApiResult::Return(p.cpu.read_u64(params + 0x78).unwrap_or(0))
}

fn module_handle(p: &mut Process, name: Option<String>) -> ApiResult {
    let Some(name) = name else { return ApiResult::Return(p.main_module().base) };
    match super::library::module_by_name(p, &name) {
        Some(base) => ApiResult::Return(base),
        None => {
            p.set_last_error(status::ERROR_MOD_NOT_FOUND);
            ApiResult::Return(0)
        }
    }
}

fn get_module_handle_a(p: &mut Process) -> ApiResult {
    let a = p.arg(0);
    let name = if a == 0 { None } else { Some(p.read_cstr(a, 260).unwrap_or_default()) };
    module_handle(p, name)
}

fn get_module_handle_w(p: &mut Process) -> ApiResult {
    let a = p.arg(0);
    let name = if a == 0 { None } else { Some(p.read_wstr(a, 260).unwrap_or_default()) };
    module_handle(p, name)
}

/// GetModuleFileName{A,W}(hModule, lpFilename, nSize): truncates like Windows, with
/// ERROR_INSUFFICIENT_BUFFER.
fn module_file_name(p: &mut Process, wide: bool) -> ApiResult {
    let (h, buf, size) = (p.arg(0), p.arg(1), p.arg(2) as u32 as u64);
    let path = if h == 0 {
        Some(p.main_module().guest_path.clone())
    } else {
        p.modules.iter().find(|m| m.base == h).map(|m| m.guest_path.clone())
    };
    let Some(path) = path else {
        p.set_last_error(status::ERROR_MOD_NOT_FOUND);
        return ApiResult::Return(0);
    };
    if size == 0 {
        p.set_last_error(122);
        return ApiResult::Return(0);
    }
    let units: Vec<u16> = path.encode_utf16().collect();
    let n = (units.len() as u64).min(size - 1);
    let truncated = (units.len() as u64) >= size;
    let res = if wide {
        let mut bytes: Vec<u8> = units[..n as usize].iter().flat_map(|u| u.to_le_bytes()).collect();
        bytes.extend_from_slice(&[0, 0]);
        p.cpu.write(buf, &bytes)
    } else {
        let mut bytes = path.as_bytes()[..n as usize].to_vec();
        bytes.push(0);
        p.cpu.write(buf, &bytes)
    };
    if res.is_err() {
        p.set_last_error(998);
        return ApiResult::Return(0);
    }
    if truncated {
        p.set_last_error(122); // ERROR_INSUFFICIENT_BUFFER
        return ApiResult::Return(size);
    }
    ApiResult::Return(n)
}

fn get_module_file_name_a(p: &mut Process) -> ApiResult {
    module_file_name(p, false)
}

fn get_module_file_name_w(p: &mut Process) -> ApiResult {
    module_file_name(p, true)
}

/// GetProcAddress(hModule, lpProcName): by name, or by ordinal when the high bits are 0.
fn get_proc_address(p: &mut Process) -> ApiResult {
    let (h, name_ptr) = (p.arg(0), p.arg(1));
    let Some(idx) = p.modules.iter().position(|m| m.base == h) else {
        p.set_last_error(status::ERROR_MOD_NOT_FOUND);
        return ApiResult::Return(0);
    };
    let key = if name_ptr >> 16 == 0 {
        crate::process::loader::image::ImportName::Ordinal(name_ptr as u16)
    } else {
        crate::process::loader::image::ImportName::Name(p.read_cstr(name_ptr, 512).unwrap_or_default())
    };
    match crate::process::loader::bind::resolve_export(&p.modules, idx, &key, 0) {
        Some(a) => ApiResult::Return(a),
        None => {
            p.set_last_error(status::ERROR_PROC_NOT_FOUND);
            ApiResult::Return(0)
        }
    }
}

fn get_last_error(p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(p.last_error()))
}

fn set_last_error(p: &mut Process) -> ApiResult {
    let e = p.arg(0) as u32;
    p.set_last_error(e);
    ApiResult::Return(0)
}

/// The process is always being debugged by crtlab's debugger.
fn is_debugger_present(_p: &mut Process) -> ApiResult {
    ApiResult::Return(1)
}

fn terminate_process(p: &mut Process) -> ApiResult {
    let (h, code) = (p.arg(0), p.arg(1) as u32);
    if h == u64::MAX {
        return ApiResult::Terminate(code);
    }
    p.set_last_error(status::ERROR_INVALID_HANDLE);
    ApiResult::Return(0)
}

/// STARTUPINFOW: cb = 0x68, everything else zero.
fn get_startup_info_w(p: &mut Process) -> ApiResult {
    let si = p.arg(0);
    let mut b = [0u8; 0x68];
    b[0..4].copy_from_slice(&0x68u32.to_le_bytes());
    let _ = p.cpu.write(si, &b);
    ApiResult::Return(0)
}

/// The emulated CPU has SSE2 and friends; report the common features as present.
fn is_processor_feature_present(p: &mut Process) -> ApiResult {
    let f = p.arg(0);
    // PF_XMMI_INSTRUCTIONS_AVAILABLE 6, PF_XMMI64 10, PF_NX 12, PF_SSE3 13, PF_FASTFAIL 23.
    ApiResult::Return(u64::from(matches!(f, 6 | 10 | 12 | 13 | 23)))
}

/// SetUnhandledExceptionFilter(lpTopLevelExceptionFilter): installs the top-level filter
/// and returns the previous one. Under a debugger (always, in crtlab) the filter never
/// runs: UnhandledExceptionFilter leaves the exception to the debugger.
fn set_unhandled_exception_filter(p: &mut Process) -> ApiResult {
    let filter = p.arg(0);
    ApiResult::Return(std::mem::replace(&mut p.kernel32.unhandled_exception_filter, filter))
}

/// A fresh copy of the (fixed) environment block.
fn get_environment_strings_w(p: &mut Process) -> ApiResult {
    let params = p.cpu.read_u64(crate::layout::PEB + PEB_PROCESS_PARAMETERS).unwrap_or(0);
    ApiResult::Return(p.cpu.read_u64(params + 0x80).unwrap_or(0))
}

fn free_environment_strings_w(_p: &mut Process) -> ApiResult {
    ApiResult::Return(1)
}

/// A variable of the fixed guest environment; names compare without case, as on Windows.
fn environment_variable(name: &str) -> Option<&'static str> {
    ENVIRONMENT.iter().find_map(|v| {
        let (k, val) = v.split_once('=')?;
        (!k.is_empty() && k.eq_ignore_ascii_case(name)).then_some(val)
    })
}

/// GetEnvironmentVariableA(lpName, lpBuffer, nSize)
fn get_environment_variable_a(p: &mut Process) -> ApiResult {
    let (name_ptr, buf, size) = (p.arg(0), p.arg(1), p.arg(2) as u32 as u64);
    let name = p.read_cstr(name_ptr, 256).unwrap_or_default();
    let value = environment_variable(&name);
    let Some(value) = value else {
        p.set_last_error(203); // ERROR_ENVVAR_NOT_FOUND
        return ApiResult::Return(0);
    };
    let need = value.len() as u64 + 1;
    if size < need {
        return ApiResult::Return(need);
    }
    let mut b = value.as_bytes().to_vec();
    b.push(0);
    let _ = p.cpu.write(buf, &b);
    ApiResult::Return(need - 1)
}

pub fn register_environment_and_pointers(t: &mut ApiTable) {
    t.simple(MODULE, "GetEnvironmentVariableW", get_environment_variable_w);
    t.simple(MODULE, "EncodePointer", encode_pointer);
    t.simple(MODULE, "DecodePointer", decode_pointer);
}

/// GetEnvironmentVariableW(lpName, lpBuffer, nSize): the value of a variable of the fixed
/// environment (names compare without case); returns its length, or, if nSize is too
/// small, the size needed with the terminator. ERROR_ENVVAR_NOT_FOUND if there is none.
fn get_environment_variable_w(p: &mut Process) -> ApiResult {
    let (name_ptr, buf, size) = (p.arg(0), p.arg(1), p.arg(2) as u32 as u64);
    let name = p.read_wstr(name_ptr, 32767).unwrap_or_default();
    let value = environment_variable(&name);
    let Some(value) = value else {
        p.set_last_error(203); // ERROR_ENVVAR_NOT_FOUND
        return ApiResult::Return(0);
    };
    let units: Vec<u16> = value.encode_utf16().collect();
    let need = units.len() as u64 + 1;
    if size < need {
        return ApiResult::Return(need);
    }
    let bytes: Vec<u8> = units.iter().chain(std::iter::once(&0)).flat_map(|u| u.to_le_bytes()).collect();
    let _ = p.cpu.write(buf, &bytes);
    ApiResult::Return(need - 1)
}

/// The process's pointer-encoding cookie (ProcessCookie): fixed, so encoded pointers are
/// the same on every run.
pub const PROCESS_COOKIE: u64 = 0x5e3d_92a7;

/// EncodePointer(Ptr): RtlEncodePointer's x64 encoding: the pointer XOR the process
/// cookie, rotated right by the cookie's low 6 bits.
pub fn encode(ptr: u64) -> u64 {
    (ptr ^ PROCESS_COOKIE).rotate_right((PROCESS_COOKIE & 0x3f) as u32)
}

/// DecodePointer(Ptr): the inverse of [`encode`].
pub fn decode(ptr: u64) -> u64 {
    ptr.rotate_left((PROCESS_COOKIE & 0x3f) as u32) ^ PROCESS_COOKIE
}

/// EncodePointer(Ptr): see [`encode`].
fn encode_pointer(p: &mut Process) -> ApiResult {
    ApiResult::Return(encode(p.arg(0)))
}

/// DecodePointer(Ptr): see [`decode`].
fn decode_pointer(p: &mut Process) -> ApiResult {
    ApiResult::Return(decode(p.arg(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_encoding_round_trips_and_hides_the_pointer() {
        for ptr in [0u64, 1, 0x7ff6_7762_1000, u64::MAX] {
            assert_eq!(decode(encode(ptr)), ptr);
        }
        assert_ne!(encode(0x7ff6_7762_1000), 0x7ff6_7762_1000);
        // As on Windows, NULL does not encode to NULL.
        assert_ne!(encode(0), 0);
    }
}
