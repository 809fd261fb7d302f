//! The emulated process: CPU, memory, loaded images, PEB/TEB, console and the run loop
//! that turns CPU stops into API calls or debugger events.

pub mod address_space;
pub mod clock;
pub mod console;
pub mod cpu;
pub mod dispatch;
pub mod environment;
pub mod loader;
pub mod memory;
pub mod module;
pub mod run;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use unicorn_engine::RegisterX86;

use crate::system::ApiTable;
use address_space::AddressSpace;
use clock::Clock;
use console::Console;
use cpu::Cpu;
use memory::{GuestMemory, MemError, Prot};
use module::Module;

pub use run::{ExceptionEvent, RunEvent};

/// A routine the loader runs before the program's entry point: a TLS callback or a DLL
/// entry point, called as `fn(hinstance, reason, reserved)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitCall {
    pub function: u64,
    pub module_base: u64,
    pub reason: u32,
}

/// Options fixed when the process is created.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    /// Arguments after the program name, as the guest's command line shows them.
    pub args: Vec<String>,
    /// Bytes the guest reads from its stdin.
    pub stdin: Vec<u8>,
}

pub struct Process {
    pub cpu: Cpu,
    pub modules: Vec<Module>,
    pub api: ApiTable,
    pub space: AddressSpace,
    pub console: Console,
    pub clock: Clock,
    /// TLS callbacks and DLL entry points still to run (consumed by ntdll's init loop).
    pub init_queue: VecDeque<InitCall>,
    /// DLL entry points to call with DLL_PROCESS_DETACH at exit.
    pub detach_queue: VecDeque<InitCall>,
    /// The guest's command line (`C:\crtlab\allocate.exe arg...`).
    pub command_line: String,
    /// Set once the process has terminated.
    pub exit_code: Option<u32>,
    /// Set by the Ctrl-C handler; `run` returns `Interrupted` soon after.
    pub interrupt: Arc<AtomicBool>,
    /// Next free TLS index for images with a TLS directory.
    pub next_tls_index: u32,
    /// GetCommandLineA's buffer (the wide one lives in the process parameters).
    pub command_line_a: u64,
    /// KERNEL32's own state (TLS/FLS indexes, the unhandled-exception filter).
    pub kernel32: crate::system::kernel32::Kernel32State,
}

impl Process {
    /// Reads argument `i` (0-based) of the current call by the x64 convention: rcx, rdx,
    /// r8, r9, then the stack above the 32-byte home area. Valid inside an API handler
    /// (rsp points at the return address).
    pub fn arg(&self, i: usize) -> u64 {
        match i {
            0 => self.cpu.reg(RegisterX86::RCX),
            1 => self.cpu.reg(RegisterX86::RDX),
            2 => self.cpu.reg(RegisterX86::R8),
            3 => self.cpu.reg(RegisterX86::R9),
            _ => self.cpu.read_u64(self.cpu.rsp() + 0x28 + 8 * (i as u64 - 4)).unwrap_or(0),
        }
    }

    pub fn mem(&self) -> &Cpu {
        &self.cpu
    }

    pub fn mem_mut(&mut self) -> &mut Cpu {
        &mut self.cpu
    }

    pub fn set_last_error(&mut self, code: u32) {
        let _ = self.cpu.write_u32(crate::layout::TEB + environment::TEB_LAST_ERROR, code);
    }

    pub fn last_error(&self) -> u32 {
        self.cpu.read_u32(crate::layout::TEB + environment::TEB_LAST_ERROR).unwrap_or(0)
    }

    /// Reads a NUL-terminated UTF-16 string (at most `max` characters).
    pub fn read_wstr(&self, addr: u64, max: usize) -> Result<String, MemError> {
        let mut units = Vec::new();
        for i in 0..max as u64 {
            let u = self.cpu.read_u16(addr + 2 * i)?;
            if u == 0 {
                break;
            }
            units.push(u);
        }
        Ok(String::from_utf16_lossy(&units))
    }

    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<String, MemError> {
        Ok(String::from_utf8_lossy(&self.cpu.read_cstr(addr, max)?).into_owned())
    }

    /// The module containing `addr`.
    pub fn module_at(&self, addr: u64) -> Option<&Module> {
        self.modules.iter().find(|m| m.contains(addr))
    }

    /// A module by WinDbg name (`ntdll`) or file name (`ntdll.dll`), case-insensitive.
    pub fn module_named(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.name.eq_ignore_ascii_case(name) || m.file_name.eq_ignore_ascii_case(name))
    }

    pub fn main_module(&self) -> &Module {
        &self.modules[0]
    }

    /// The address of a named function in a synthetic module (for control transfers the
    /// emulator makes itself, like thread start).
    pub fn system_symbol(&self, module: &str, name: &str) -> Option<u64> {
        let m = self.module_named(module)?;
        if let module::SymbolSource::Synthetic(syms) = &m.symbols {
            return syms.iter().find(|(_, _, n)| n == name).map(|(rva, _, _)| m.base + u64::from(*rva));
        }
        None
    }

    /// The guest memory view the NT heap works on: guest memory plus address-space
    /// reservations.
    pub fn heap_host(&mut self) -> HeapHostView<'_> {
        HeapHostView { cpu: &mut self.cpu, space: &mut self.space }
    }

    pub fn has_exited(&self) -> bool {
        self.exit_code.is_some()
    }
}

/// Guest memory plus address-space reservations, as the NT heap needs them.
pub struct HeapHostView<'a> {
    pub cpu: &'a mut Cpu,
    pub space: &'a mut AddressSpace,
}

impl crate::heap::HeapHost for HeapHostView<'_> {
    fn reserve(&mut self, size: u64, align: u64) -> Option<u64> {
        self.space.reserve(None, size, align, address_space::RegionKind::Heap)
    }
    fn release(&mut self, addr: u64, _size: u64) {
        self.space.release(addr);
    }
}

impl GuestMemory for HeapHostView<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.cpu.read(addr, buf)
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.cpu.write(addr, data)
    }
    fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        GuestMemory::map(self.cpu, addr, size, prot)
    }
    fn unmap(&mut self, addr: u64, size: u64) -> Result<(), MemError> {
        self.cpu.unmap(addr, size)
    }
    fn is_mapped(&self, addr: u64, size: u64) -> bool {
        self.cpu.is_mapped(addr, size)
    }
}
