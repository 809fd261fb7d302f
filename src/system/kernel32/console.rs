//! Console and debug output: the guest's stdout/stderr go to the debugger's transcript;
//! stdin is whatever the front end supplied (empty by default).

use crate::process::console::{STDERR_HANDLE, STDIN_HANDLE, STDOUT_HANDLE};
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{status, ApiResult, ApiTable};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetStdHandle", get_std_handle);
    t.simple(MODULE, "WriteFile", write_file);
    t.simple(MODULE, "WriteConsoleA", write_console_a);
    t.simple(MODULE, "WriteConsoleW", write_console_w);
    t.simple(MODULE, "ReadFile", read_file);
    t.simple(MODULE, "GetFileType", get_file_type);
    t.simple(MODULE, "GetConsoleMode", get_console_mode);
    t.simple(MODULE, "GetConsoleCP", get_console_cp);
    t.simple(MODULE, "GetConsoleOutputCP", get_console_cp);
    t.simple(MODULE, "FlushFileBuffers", ok_true);
    t.simple(MODULE, "CloseHandle", ok_true);
    t.simple(MODULE, "OutputDebugStringA", output_debug_string_a);
    t.simple(MODULE, "OutputDebugStringW", output_debug_string_w);
}

fn is_console(h: u64) -> bool {
    matches!(h, STDIN_HANDLE | STDOUT_HANDLE | STDERR_HANDLE)
}

/// GetStdHandle(nStdHandle): STD_INPUT_HANDLE (-10), STD_OUTPUT_HANDLE (-11), STD_ERROR_HANDLE (-12),
/// from the process parameters (the console's handles unless SetStdHandle changed them).
fn get_std_handle(p: &mut Process) -> ApiResult {
    let which = p.arg(0) as u32;
    match super::file::std_handle_slot(p, which) {
        Some(slot) => ApiResult::Return(p.cpu.read_u64(slot).unwrap_or(u64::MAX)),
        None => {
            p.set_last_error(status::ERROR_INVALID_HANDLE);
            ApiResult::Return(u64::MAX)
        }
    }
}

/// Copies `len` guest bytes; None (and ERROR_INVALID_PARAMETER... as Windows: NOACCESS) if unreadable.
fn guest_bytes(p: &mut Process, addr: u64, len: u64) -> Option<Vec<u8>> {
    if len > 16 << 20 {
        return None;
    }
    p.cpu.read_vec(addr, len as usize).ok()
}

fn write_to(p: &mut Process, handle: u64, data: &[u8], written_ptr: u64) -> ApiResult {
    if !p.console.write(handle, data) {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        return ApiResult::Return(0);
    }
    if written_ptr != 0 {
        let _ = p.cpu.write_u32(written_ptr, data.len() as u32);
    }
    ApiResult::Return(1)
}

/// WriteFile(hFile, lpBuffer, nNumberOfBytesToWrite, lpNumberOfBytesWritten, lpOverlapped)
fn write_file(p: &mut Process) -> ApiResult {
    let (h, buf, n, written) = (p.arg(0), p.arg(1), p.arg(2) as u32, p.arg(3));
    match guest_bytes(p, buf, u64::from(n)) {
        Some(data) => write_to(p, h, &data, written),
        None => {
            p.set_last_error(998); // ERROR_NOACCESS
            ApiResult::Return(0)
        }
    }
}

fn write_console_a(p: &mut Process) -> ApiResult {
    write_file(p)
}

/// WriteConsoleW: UTF-16 characters, converted to UTF-8 for the transcript.
fn write_console_w(p: &mut Process) -> ApiResult {
    let (h, buf, n, written) = (p.arg(0), p.arg(1), p.arg(2) as u32, p.arg(3));
    let Some(raw) = guest_bytes(p, buf, u64::from(n) * 2) else {
        p.set_last_error(998);
        return ApiResult::Return(0);
    };
    let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let text = String::from_utf16_lossy(&units);
    if !p.console.write(h, text.as_bytes()) {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        return ApiResult::Return(0);
    }
    if written != 0 {
        let _ = p.cpu.write_u32(written, n);
    }
    ApiResult::Return(1)
}

/// ReadFile on stdin: the supplied bytes, then end of file.
fn read_file(p: &mut Process) -> ApiResult {
    let (h, buf, n, read) = (p.arg(0), p.arg(1), p.arg(2) as u32, p.arg(3));
    if h != STDIN_HANDLE {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        return ApiResult::Return(0);
    }
    let data = p.console.read_stdin(n as usize);
    if p.cpu.write(buf, &data).is_err() {
        p.set_last_error(998);
        return ApiResult::Return(0);
    }
    if read != 0 {
        let _ = p.cpu.write_u32(read, data.len() as u32);
    }
    ApiResult::Return(1)
}

/// FILE_TYPE_CHAR for the console handles.
fn get_file_type(p: &mut Process) -> ApiResult {
    if is_console(p.arg(0)) {
        ApiResult::Return(2)
    } else {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        ApiResult::Return(0)
    }
}

fn get_console_mode(p: &mut Process) -> ApiResult {
    let (h, mode) = (p.arg(0), p.arg(1));
    if !is_console(h) {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        return ApiResult::Return(0);
    }
    let m = if h == STDIN_HANDLE { 0x1f7 } else { 0x3 };
    ApiResult::Return(u64::from(p.cpu.write_u32(mode, m).is_ok()))
}

fn get_console_cp(_p: &mut Process) -> ApiResult {
    ApiResult::Return(437)
}

fn ok_true(_p: &mut Process) -> ApiResult {
    ApiResult::Return(1)
}

fn output_debug_string_a(p: &mut Process) -> ApiResult {
    let s = p.read_cstr(p.arg(0), 0x10000).unwrap_or_default();
    p.console.debug_string(s);
    ApiResult::Return(0)
}

fn output_debug_string_w(p: &mut Process) -> ApiResult {
    let s = p.read_wstr(p.arg(0), 0x10000).unwrap_or_default();
    p.console.debug_string(s);
    ApiResult::Return(0)
}
