//! The machine and the system, as the guest sees them: one x64 processor, 4 KB pages,
//! 64 KB allocation granularity, Windows 10 22H2 (10.0.19045, as in the PEB), installed in
//! C:\Windows. Fixed values, whatever the host is.

use crate::process::Process;
use crate::process::environment::OS_BUILD;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetSystemInfo", get_system_info);
    t.simple(MODULE, "GetNativeSystemInfo", get_system_info);
    t.simple(MODULE, "GetVersion", get_version);
    t.simple(MODULE, "GetVersionExW", get_version_ex_w);
    t.simple(MODULE, "GetVersionExA", get_version_ex_a);
    t.simple(MODULE, "GetSystemDirectoryW", get_system_directory_w);
    t.simple(MODULE, "GetSystemDirectoryA", get_system_directory_a);
    t.simple(MODULE, "GetWindowsDirectoryW", get_windows_directory_w);
}

pub const SYSTEM_DIRECTORY: &str = "C:\\Windows\\system32";
pub const WINDOWS_DIRECTORY: &str = "C:\\Windows";

/// SYSTEM_INFO (0x30 bytes) of the emulated machine.
pub fn system_info() -> [u8; 0x30] {
    let mut b = [0u8; 0x30];
    b[0..2].copy_from_slice(&9u16.to_le_bytes()); // PROCESSOR_ARCHITECTURE_AMD64
    b[4..8].copy_from_slice(&0x1000u32.to_le_bytes()); // dwPageSize
    b[8..16].copy_from_slice(&0x1_0000u64.to_le_bytes()); // lpMinimumApplicationAddress
    b[16..24].copy_from_slice(&0x7fff_fffe_ffffu64.to_le_bytes()); // lpMaximumApplicationAddress
    b[24..32].copy_from_slice(&1u64.to_le_bytes()); // dwActiveProcessorMask
    b[32..36].copy_from_slice(&1u32.to_le_bytes()); // dwNumberOfProcessors (as the PEB says)
    b[36..40].copy_from_slice(&8664u32.to_le_bytes()); // PROCESSOR_AMD_X8664
    b[40..44].copy_from_slice(&0x1_0000u32.to_le_bytes()); // dwAllocationGranularity
    b[44..46].copy_from_slice(&6u16.to_le_bytes()); // wProcessorLevel (family 6)
    b[46..48].copy_from_slice(&0x9e0du16.to_le_bytes()); // wProcessorRevision (model 9e, stepping d)
    b
}

/// GetSystemInfo(lpSystemInfo) and GetNativeSystemInfo(lpSystemInfo): see [`system_info`]
/// (the process is native x64, so both give the same).
fn get_system_info(p: &mut Process) -> ApiResult {
    let out = p.arg(0);
    let _ = p.cpu.write(out, &system_info());
    ApiResult::Return(0)
}

/// GetVersion(): major in the low byte, minor in the next, the build in the high word.
fn get_version(_p: &mut Process) -> ApiResult {
    ApiResult::Return((u64::from(OS_BUILD) << 16) | 10)
}

/// OSVERSIONINFO(EX) for Windows 10.0.19045, as RtlGetVersion and the PEB report it. (A
/// program without a manifest that declares Windows 10 gets 6.2.9200 from GetVersionEx on
/// Windows; crtlab reports the real version to every program.)
fn version_ex(p: &mut Process, wide: bool) -> ApiResult {
    let out = p.arg(0);
    let (small, large) = if wide { (0x114u32, 0x11cu32) } else { (0x94, 0x9c) };
    let Ok(size) = p.cpu.read_u32(out) else { return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, out] } };
    if size != small && size != large {
        p.set_last_error(122); // ERROR_INSUFFICIENT_BUFFER
        return ApiResult::Return(0);
    }
    let mut b = vec![0u8; size as usize];
    b[0..4].copy_from_slice(&size.to_le_bytes());
    b[4..8].copy_from_slice(&10u32.to_le_bytes()); // dwMajorVersion
    b[8..12].copy_from_slice(&0u32.to_le_bytes()); // dwMinorVersion
    b[12..16].copy_from_slice(&u32::from(OS_BUILD).to_le_bytes()); // dwBuildNumber
    b[16..20].copy_from_slice(&2u32.to_le_bytes()); // VER_PLATFORM_WIN32_NT
    // szCSDVersion is empty; the EX fields: no service pack, suite 0x100
    // (VER_SUITE_SINGLEUSERTS), a workstation (VER_NT_WORKSTATION).
    if size == large {
        let ex = small as usize;
        b[ex + 4..ex + 6].copy_from_slice(&0x100u16.to_le_bytes());
        b[ex + 6] = 1;
    }
    let _ = p.cpu.write(out, &b);
    ApiResult::Return(1)
}

/// GetVersionExW(lpVersionInformation): dwOSVersionInfoSize must be that of
/// OSVERSIONINFOW (0x114) or OSVERSIONINFOEXW (0x11c), else ERROR_INSUFFICIENT_BUFFER.
fn get_version_ex_w(p: &mut Process) -> ApiResult {
    version_ex(p, true)
}

/// GetVersionExA(lpVersionInformation): as GetVersionExW with the ANSI structures (0x94,
/// 0x9c bytes).
fn get_version_ex_a(p: &mut Process) -> ApiResult {
    version_ex(p, false)
}

/// Copies a directory name: returns its length without the terminator, or, if uSize is
/// too small, the size needed with the terminator (and writes nothing).
fn directory(p: &mut Process, path: &str, wide: bool) -> ApiResult {
    let (out, size) = (p.arg(0), p.arg(1) as u32 as u64);
    let len = path.len() as u64;
    if size <= len {
        return ApiResult::Return(len + 1);
    }
    let bytes: Vec<u8> = if wide {
        path.encode_utf16().chain(std::iter::once(0)).flat_map(|u| u.to_le_bytes()).collect()
    } else {
        path.bytes().chain(std::iter::once(0)).collect()
    };
    if p.cpu.write(out, &bytes).is_err() {
        p.set_last_error(998);
        return ApiResult::Return(0);
    }
    ApiResult::Return(len)
}

/// GetSystemDirectoryW(lpBuffer, uSize): "C:\Windows\system32".
fn get_system_directory_w(p: &mut Process) -> ApiResult {
    directory(p, SYSTEM_DIRECTORY, true)
}

/// GetSystemDirectoryA(lpBuffer, uSize): "C:\Windows\system32".
fn get_system_directory_a(p: &mut Process) -> ApiResult {
    directory(p, SYSTEM_DIRECTORY, false)
}

/// GetWindowsDirectoryW(lpBuffer, uSize): "C:\Windows".
fn get_windows_directory_w(p: &mut Process) -> ApiResult {
    directory(p, WINDOWS_DIRECTORY, true)
}
