//! The process environment Windows gives every program: KUSER_SHARED_DATA, the PEB with
//! its loader lists and process parameters, the main thread's TEB (gs base) and stack.
//! Offsets are those of Windows 10 x64 (`dt ntdll!_PEB`, `dt ntdll!_TEB`).

use crate::layout::*;

use super::Process;
use super::address_space::RegionKind;
use super::console::{STDERR_HANDLE, STDIN_HANDLE, STDOUT_HANDLE};
use super::memory::{GuestMemory, MemError, Prot};

// _TEB
pub const TEB_EXCEPTION_LIST: u64 = 0x00;
pub const TEB_STACK_BASE: u64 = 0x08;
pub const TEB_STACK_LIMIT: u64 = 0x10;
pub const TEB_SELF: u64 = 0x30;
pub const TEB_CLIENT_ID: u64 = 0x40;
pub const TEB_TLS_POINTER: u64 = 0x58;
pub const TEB_PEB: u64 = 0x60;
pub const TEB_LAST_ERROR: u64 = 0x68;
pub const TEB_LAST_STATUS: u64 = 0x1250;
pub const TEB_TLS_SLOTS: u64 = 0x1480;
pub const TEB_DEALLOCATION_STACK: u64 = 0x1478;
pub const TEB_SIZE: u64 = 0x2000;

// _PEB
pub const PEB_BEING_DEBUGGED: u64 = 0x02;
pub const PEB_IMAGE_BASE: u64 = 0x10;
pub const PEB_LDR: u64 = 0x18;
pub const PEB_PROCESS_PARAMETERS: u64 = 0x20;
pub const PEB_PROCESS_HEAP: u64 = 0x30;
pub const PEB_NT_GLOBAL_FLAG: u64 = 0xbc;
pub const PEB_NUMBER_OF_HEAPS: u64 = 0xe8;
pub const PEB_MAX_NUMBER_OF_HEAPS: u64 = 0xec;
pub const PEB_PROCESS_HEAPS: u64 = 0xf0;
pub const PEB_OS_MAJOR: u64 = 0x118;
pub const PEB_OS_MINOR: u64 = 0x11c;
pub const PEB_OS_BUILD: u64 = 0x120;
pub const PEB_OS_PLATFORM: u64 = 0x124;
pub const PEB_SIZE: u64 = 0x1000;

/// Where RTL_USER_PROCESS_PARAMETERS, the environment block and the loader data live.
pub const PROCESS_PARAMETERS: u64 = 0x0000_0267_a051_0000;
const PARAMS_SIZE: u64 = 0x1_0000;

/// Windows 10 22H2.
pub const OS_BUILD: u16 = 19045;

/// The guest's environment variables: fixed, so nothing of the host leaks in.
pub const ENVIRONMENT: &[&str] = &[
    "=C:=C:\\crtlab",
    "ALLUSERSPROFILE=C:\\ProgramData",
    "COMPUTERNAME=CRTLAB",
    "NUMBER_OF_PROCESSORS=1",
    "OS=Windows_NT",
    "Path=C:\\Windows\\system32;C:\\Windows",
    "PROCESSOR_ARCHITECTURE=AMD64",
    "SystemDrive=C:",
    "SystemRoot=C:\\Windows",
    "TEMP=C:\\crtlab\\tmp",
    "TMP=C:\\crtlab\\tmp",
    "USERNAME=student",
    "USERPROFILE=C:\\Users\\student",
    "windir=C:\\Windows",
];

fn utf16z(s: &str) -> Vec<u8> {
    s.encode_utf16().chain(std::iter::once(0)).flat_map(|u| u.to_le_bytes()).collect()
}

/// A bump allocator inside the process-parameters region.
struct Bump {
    next: u64,
}

impl Bump {
    fn take(&mut self, size: u64) -> u64 {
        let a = self.next;
        self.next = (self.next + size + 15) & !15;
        a
    }
}

/// Writes a UNICODE_STRING {Length, MaximumLength, Buffer} at `at` pointing at a fresh copy of `s`.
fn unicode_string(mem: &mut impl GuestMemory, bump: &mut Bump, at: u64, s: &str) -> Result<(), MemError> {
    let bytes = utf16z(s);
    let buf = bump.take(bytes.len() as u64);
    mem.write(buf, &bytes)?;
    mem.write_u16(at, (bytes.len() - 2) as u16)?;
    mem.write_u16(at + 2, bytes.len() as u16)?;
    mem.write_u64(at + 8, buf)
}

/// Maps and fills KUSER_SHARED_DATA, the PEB, TEB, stack and process parameters.
pub fn setup(p: &mut Process) -> Result<(), MemError> {
    // KUSER_SHARED_DATA: version numbers; +0x308 (a debugger-related flag the Nt* stubs
    // test) stays 0 so they use `syscall`.
    p.cpu.map(SHARED_USER_DATA, 0x1000, Prot::RW)?;
    p.cpu.write_u32(SHARED_USER_DATA + 0x26c, 10)?; // NtMajorVersion
    p.cpu.write_u32(SHARED_USER_DATA + 0x270, 0)?; // NtMinorVersion
    p.cpu.write_u32(SHARED_USER_DATA + 0x260, u32::from(OS_BUILD))?; // NtBuildNumber
    p.cpu.protect(SHARED_USER_DATA, 0x1000, Prot::R)?;
    p.space.add_fixed(SHARED_USER_DATA, 0x1_0000, RegionKind::SharedUserData);

    // Stack: the whole reservation is committed (no guard-page growth); below it nothing
    // is mapped, so running off the end faults.
    let stack_limit = STACK_BASE - STACK_RESERVE;
    p.cpu.map(stack_limit, STACK_RESERVE, Prot::RW)?;
    p.space.add_fixed(stack_limit, STACK_RESERVE, RegionKind::Stack);

    p.cpu.map(PEB, PEB_SIZE, Prot::RW)?;
    p.space.add_fixed(PEB, PEB_SIZE, RegionKind::Peb);
    p.cpu.map(TEB, TEB_SIZE, Prot::RW)?;
    p.space.add_fixed(TEB, TEB_SIZE, RegionKind::Teb);

    let main_base = p.modules[0].base;
    p.cpu.write_u8(PEB + PEB_BEING_DEBUGGED, 1)?;
    p.cpu.write_u64(PEB + 0x08, u64::MAX)?; // Mutant
    p.cpu.write_u64(PEB + PEB_IMAGE_BASE, main_base)?;
    p.cpu.write_u32(PEB + PEB_OS_MAJOR, 10)?;
    p.cpu.write_u32(PEB + PEB_OS_MINOR, 0)?;
    p.cpu.write_u16(PEB + PEB_OS_BUILD, OS_BUILD)?;
    p.cpu.write_u32(PEB + PEB_OS_PLATFORM, 2)?;
    p.cpu.write_u64(PEB + 0xc8, 0x10_0000)?; // HeapSegmentReserve
    p.cpu.write_u64(PEB + 0xd0, 0x2000)?; // HeapSegmentCommit
    p.cpu.write_u64(PEB + 0xd8, 0x1_0000)?; // HeapDeCommitTotalFreeThreshold
    p.cpu.write_u64(PEB + 0xe0, 0x1000)?; // HeapDeCommitFreeBlockThreshold
    p.cpu.write_u32(PEB + PEB_MAX_NUMBER_OF_HEAPS, 0x10)?;
    p.cpu.write_u32(PEB + 0xb8, 1)?; // NumberOfProcessors
    p.cpu.write_u32(PEB + 0x128, 3)?; // ImageSubsystem: IMAGE_SUBSYSTEM_WINDOWS_CUI
    p.cpu.write_u32(PEB + 0x12c, 6)?; // ImageSubsystemMajorVersion
    p.cpu.write_u64(PEB + 0xc0, 0xffff_e86d_079b_8000)?; // CriticalSectionTimeout (-30 days)

    p.cpu.write_u64(TEB + TEB_STACK_BASE, STACK_BASE)?;
    p.cpu.write_u64(TEB + TEB_STACK_LIMIT, stack_limit)?;
    p.cpu.write_u64(TEB + TEB_DEALLOCATION_STACK, stack_limit)?;
    p.cpu.write_u64(TEB + TEB_SELF, TEB)?;
    p.cpu.write_u64(TEB + TEB_CLIENT_ID, u64::from(PID))?;
    p.cpu.write_u64(TEB + TEB_CLIENT_ID + 8, u64::from(TID))?;
    p.cpu.write_u64(TEB + TEB_PEB, PEB)?;
    p.cpu.set_reg(unicorn_engine::RegisterX86::GS_BASE, TEB);

    // RTL_USER_PROCESS_PARAMETERS, environment and PEB_LDR_DATA.
    p.cpu.map(PROCESS_PARAMETERS, PARAMS_SIZE, Prot::RW)?;
    p.space.add_fixed(PROCESS_PARAMETERS, PARAMS_SIZE, RegionKind::Private);
    let mut bump = Bump { next: PROCESS_PARAMETERS };
    let params = bump.take(0x400);
    p.cpu.write_u32(params, 0x400)?; // MaximumLength
    p.cpu.write_u32(params + 4, 0x400)?; // Length
    p.cpu.write_u32(params + 8, 1)?; // Flags: normalized
    p.cpu.write_u64(params + 0x20, STDIN_HANDLE)?;
    p.cpu.write_u64(params + 0x28, STDOUT_HANDLE)?;
    p.cpu.write_u64(params + 0x30, STDERR_HANDLE)?;
    unicode_string(&mut p.cpu, &mut bump, params + 0x38, "C:\\crtlab\\")?; // CurrentDirectory
    unicode_string(&mut p.cpu, &mut bump, params + 0x50, "C:\\Windows\\system32;C:\\Windows")?; // DllPath
    let image_path = p.modules[0].guest_path.clone();
    unicode_string(&mut p.cpu, &mut bump, params + 0x60, &image_path)?;
    let cmd = p.command_line.clone();
    unicode_string(&mut p.cpu, &mut bump, params + 0x70, &cmd)?;
    let mut env = Vec::new();
    for v in ENVIRONMENT {
        env.extend(utf16z(v));
    }
    env.extend_from_slice(&[0, 0]);
    let env_addr = bump.take(env.len() as u64);
    p.cpu.write(env_addr, &env)?;
    p.cpu.write_u64(params + 0x80, env_addr)?;
    p.cpu.write_u64(params + 0x3f0, env.len() as u64)?; // EnvironmentSize
    unicode_string(&mut p.cpu, &mut bump, params + 0xb0, &image_path)?; // WindowTitle
    p.cpu.write_u64(PEB + PEB_PROCESS_PARAMETERS, params)?;

    write_loader_data(p, &mut bump)?;
    Ok(())
}

/// PEB_LDR_DATA with the three module lists of LDR_DATA_TABLE_ENTRY (+0x00 InLoadOrderLinks,
/// +0x10 InMemoryOrderLinks, +0x20 InInitializationOrderLinks, +0x30 DllBase, +0x38 EntryPoint,
/// +0x40 SizeOfImage, +0x48 FullDllName, +0x58 BaseDllName), for guests that walk it.
fn write_loader_data(p: &mut Process, bump: &mut Bump) -> Result<(), MemError> {
    let ldr = bump.take(0x58);
    p.cpu.write_u32(ldr, 0x58)?;
    p.cpu.write_u8(ldr + 4, 1)?; // Initialized
    let heads = [ldr + 0x10, ldr + 0x20, ldr + 0x30];
    let modules: Vec<(u64, u64, u64, String, String)> =
        p.modules.iter().map(|m| (m.base, m.entry, m.size, m.guest_path.clone(), m.file_name.clone())).collect();
    let mut entries = Vec::new();
    for (base, entry, size, path, name) in modules {
        let e = bump.take(0x120);
        p.cpu.write_u64(e + 0x30, base)?;
        p.cpu.write_u64(e + 0x38, entry)?;
        p.cpu.write_u32(e + 0x40, size as u32)?;
        unicode_string(&mut p.cpu, bump, e + 0x48, &path)?;
        unicode_string(&mut p.cpu, bump, e + 0x58, &name)?;
        entries.push(e);
    }
    // Link each list: head <-> e0 <-> e1 ... <-> head.
    for (k, head) in heads.iter().enumerate() {
        let off = 0x10 * k as u64;
        let nodes: Vec<u64> = entries.iter().map(|e| e + off).collect();
        let ring: Vec<u64> = std::iter::once(*head).chain(nodes.iter().copied()).collect();
        for i in 0..ring.len() {
            let next = ring[(i + 1) % ring.len()];
            let prev = ring[(i + ring.len() - 1) % ring.len()];
            p.cpu.write_u64(ring[i], next)?;
            p.cpu.write_u64(ring[i] + 8, prev)?;
        }
    }
    p.cpu.write_u64(PEB + PEB_LDR, ldr)
}
