//! Module handles for code that asks by address, and run-time loading of DLLs, which crtlab
//! cannot do beyond handing out the modules the process already has. The debug CRT's
//! report window uses GetModuleHandleExW to name the module that reported; the Visual C++
//! runtime reaches LoadLibraryExW and FreeLibrary through its `__vcrt_*` wrappers.

use crate::process::Process;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetModuleHandleExW", get_module_handle_ex_w);
    t.simple(MODULE, "LoadLibraryExW", load_library_ex_w);
    t.simple(MODULE, "FreeLibrary", free_library);
}

const GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS: u32 = 0x4;

/// The base of the loaded module whose file or module name is `name` (a path's last
/// component counts; `.dll` may be left out), case-insensitive.
pub(super) fn module_by_name(p: &Process, name: &str) -> Option<u64> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit(['\\', '/']).next().unwrap_or(&lower).to_string();
    // An api set (api-ms-win-core-fibers-l1-1-1) names the DLL that hosts it.
    let file = if file.starts_with("api-ms-") || file.starts_with("ext-ms-") {
        crate::process::loader::bind::canonical_dll(&file)
    } else {
        file
    };
    p.modules
        .iter()
        .find(|m| {
            let f = m.file_name.to_ascii_lowercase();
            f == file || f == format!("{file}.dll") || m.name.eq_ignore_ascii_case(&file)
        })
        .map(|m| m.base)
}

/// GetModuleHandleExW(dwFlags, lpModuleName, phModule): with
/// GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, lpModuleName is an address and the module
/// containing it is returned; otherwise a name (null = the program). Reference counts are
/// not kept (crtlab never unloads a module), so the PIN and UNCHANGED_REFCOUNT flags change
/// nothing. Fails with ERROR_MOD_NOT_FOUND.
fn get_module_handle_ex_w(p: &mut Process) -> ApiResult {
    let (flags, name, out) = (p.arg(0) as u32, p.arg(1), p.arg(2));
    if out == 0 {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    let found = if flags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS != 0 {
        p.module_at(name).map(|m| m.base)
    } else if name == 0 {
        Some(p.main_module().base)
    } else {
        let text = p.read_wstr(name, 260).unwrap_or_default();
        module_by_name(p, &text)
    };
    let _ = p.cpu.write_u64(out, found.unwrap_or(0));
    match found {
        Some(_) => ApiResult::Return(1),
        None => {
            p.set_last_error(status::ERROR_MOD_NOT_FOUND);
            ApiResult::Return(0)
        }
    }
}

/// LoadLibraryExW(lpLibFileName, hFile, dwFlags): a module the process already has is
/// returned as is (an api-set name gives its host: api-ms-win-core-* is KERNEL32, as the
/// C runtime's `try_get_function` expects); crtlab cannot load a new DLL while the program
/// runs (the guest has no file system, and the embedded runtime DLLs are loaded at start
/// or not at all), so anything else fails with ERROR_MOD_NOT_FOUND, as for a missing DLL.
fn load_library_ex_w(p: &mut Process) -> ApiResult {
    let name = p.arg(0);
    if name == 0 {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    let text = p.read_wstr(name, 260).unwrap_or_default();
    load_by_name(p, &text)
}

/// The loaded module named `text`, or ERROR_MOD_NOT_FOUND.
fn load_by_name(p: &mut Process, text: &str) -> ApiResult {
    match module_by_name(p, text) {
        Some(base) => ApiResult::Return(base),
        None => {
            p.set_last_error(status::ERROR_MOD_NOT_FOUND);
            ApiResult::Return(0)
        }
    }
}

/// FreeLibrary(hLibModule): succeeds for a loaded module, which stays loaded.
fn free_library(p: &mut Process) -> ApiResult {
    let handle = p.arg(0);
    if p.modules.iter().any(|m| m.base == handle) {
        ApiResult::Return(1)
    } else {
        p.set_last_error(status::ERROR_INVALID_HANDLE);
        ApiResult::Return(0)
    }
}

pub fn register_load_library(t: &mut ApiTable) {
    t.simple(MODULE, "LoadLibraryW", load_library_w);
    t.simple(MODULE, "LoadLibraryA", load_library_a);
}

/// LoadLibraryW(lpLibFileName): LoadLibraryExW with no flags.
fn load_library_w(p: &mut Process) -> ApiResult {
    load_library_ex_w(p)
}

/// LoadLibraryA(lpLibFileName): as LoadLibraryW, with an ANSI name.
fn load_library_a(p: &mut Process) -> ApiResult {
    let name = p.arg(0);
    if name == 0 {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    let text = p.read_cstr(name, 260).unwrap_or_default();
    load_by_name(p, &text)
}
