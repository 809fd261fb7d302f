//! Files. The guest is untrusted and has no file system: the only "files" it can open are
//! the console devices (CONIN$, CONOUT$), which are its standard handles. Every other
//! CreateFile fails with ERROR_ACCESS_DENIED, so no handle to anything else ever exists;
//! ReadFile, WriteFile and GetFileType (console.rs) then fail on any other handle with
//! ERROR_INVALID_HANDLE, as Windows does for a handle that is not open.

use crate::layout::PEB;
use crate::process::Process;
use crate::process::console::{STDERR_HANDLE, STDIN_HANDLE, STDOUT_HANDLE};
use crate::process::environment::PEB_PROCESS_PARAMETERS;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "CreateFileW", create_file_w);
    t.simple(MODULE, "CreateFileA", create_file_a);
    t.simple(MODULE, "SetFilePointerEx", set_file_pointer_ex);
    t.simple(MODULE, "GetFileSizeEx", get_file_size_ex);
    t.simple(MODULE, "SetStdHandle", set_std_handle);
    t.simple(MODULE, "AreFileApisANSI", are_file_apis_ansi);
}

pub const ERROR_ACCESS_DENIED: u32 = 5;
const ERROR_INVALID_FUNCTION: u32 = 1;
const INVALID_HANDLE_VALUE: u64 = u64::MAX;

fn is_console(h: u64) -> bool {
    matches!(h, STDIN_HANDLE | STDOUT_HANDLE | STDERR_HANDLE)
}

/// The console device a file name opens, if it names one.
fn console_device(name: &str) -> Option<u64> {
    if name.eq_ignore_ascii_case("CONOUT$") {
        Some(STDOUT_HANDLE)
    } else if name.eq_ignore_ascii_case("CONIN$") {
        Some(STDIN_HANDLE)
    } else {
        None
    }
}

fn create_file(p: &mut Process, name: Option<String>) -> ApiResult {
    match name.as_deref().and_then(console_device) {
        Some(h) => ApiResult::Return(h),
        None => {
            p.set_last_error(ERROR_ACCESS_DENIED);
            ApiResult::Return(INVALID_HANDLE_VALUE)
        }
    }
}

/// CreateFileW(lpFileName, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
/// dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile): "CONOUT$" and "CONIN$"
/// give the console's output and input handles; any other name fails with
/// INVALID_HANDLE_VALUE and ERROR_ACCESS_DENIED: the guest may not touch host files.
fn create_file_w(p: &mut Process) -> ApiResult {
    let a = p.arg(0);
    let name = if a == 0 { None } else { p.read_wstr(a, 32768).ok() };
    create_file(p, name)
}

/// CreateFileA: as CreateFileW, with an ANSI file name.
fn create_file_a(p: &mut Process) -> ApiResult {
    let a = p.arg(0);
    let name = if a == 0 { None } else { p.read_cstr(a, 32768).ok() };
    create_file(p, name)
}

/// SetFilePointerEx(hFile, liDistanceToMove, lpNewFilePointer, dwMoveMethod): the console
/// is not a seeking device (ERROR_INVALID_FUNCTION); other handles are not open
/// (ERROR_INVALID_HANDLE).
fn set_file_pointer_ex(p: &mut Process) -> ApiResult {
    let h = p.arg(0);
    p.set_last_error(if is_console(h) { ERROR_INVALID_FUNCTION } else { status::ERROR_INVALID_HANDLE });
    ApiResult::Return(0)
}

/// GetFileSizeEx(hFile, lpFileSize): the console has no size (ERROR_INVALID_FUNCTION);
/// other handles are not open (ERROR_INVALID_HANDLE).
fn get_file_size_ex(p: &mut Process) -> ApiResult {
    set_file_pointer_ex(p)
}

/// The slot of a standard handle in RTL_USER_PROCESS_PARAMETERS (StandardInput +0x20,
/// StandardOutput +0x28, StandardError +0x30), where GetStdHandle reads it.
pub fn std_handle_slot(p: &Process, which: u32) -> Option<u64> {
    let offset = match which as i32 {
        -10 => 0x20,
        -11 => 0x28,
        -12 => 0x30,
        _ => return None,
    };
    let params = p.cpu.read_u64(PEB + PEB_PROCESS_PARAMETERS).ok()?;
    Some(params + offset)
}

/// SetStdHandle(nStdHandle, hHandle): replaces a standard handle (STD_INPUT_HANDLE -10,
/// STD_OUTPUT_HANDLE -11, STD_ERROR_HANDLE -12) for later GetStdHandle calls. Any value is
/// accepted, as on Windows; writing to a handle that is not the console then fails.
fn set_std_handle(p: &mut Process) -> ApiResult {
    let (which, handle) = (p.arg(0) as u32, p.arg(1));
    match std_handle_slot(p, which) {
        Some(slot) => ApiResult::Return(u64::from(p.cpu.write_u64(slot, handle).is_ok())),
        None => {
            p.set_last_error(status::ERROR_INVALID_HANDLE);
            ApiResult::Return(0)
        }
    }
}

/// AreFileApisANSI(): TRUE: file APIs use the ANSI code page (1252).
fn are_file_apis_ansi(_p: &mut Process) -> ApiResult {
    ApiResult::Return(1)
}
