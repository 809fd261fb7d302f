//! Stack walking with framehop over the images' `.pdata`/UNWIND_INFO, read from guest
//! memory, so that synthetic modules and loaded images unwind the same way.

use std::ops::Range;

use framehop::x86_64::{CacheX86_64, UnwindRegsX86_64, UnwinderX86_64};
use framehop::{FrameAddress, Module, ModuleSectionInfo, Unwinder};
use unicorn_engine::RegisterX86;

use crate::process::memory::GuestMemory;
use crate::process::Process;

/// One physical frame: its instruction pointer, its Child-SP, and the return address
/// found by unwinding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub ip: u64,
    pub sp: u64,
    pub ret: u64,
    /// `ip` is the instruction itself (the current one, or the faulting one below an
    /// exception frame), not a return address just after a call.
    pub exact: bool,
}

/// A module's sections as framehop wants them (SVMA = rva + base: the image is mapped).
struct Sections {
    base: u64,
    list: Vec<(String, u64, Vec<u8>)>,
}

impl ModuleSectionInfo<Vec<u8>> for Sections {
    fn base_svma(&self) -> u64 {
        self.base
    }
    fn section_svma_range(&mut self, name: &[u8]) -> Option<Range<u64>> {
        self.list.iter().find(|(n, _, _)| n.as_bytes() == name).map(|(_, a, d)| *a..*a + d.len() as u64)
    }
    fn section_data(&mut self, name: &[u8]) -> Option<Vec<u8>> {
        self.list.iter().find(|(n, _, _)| n.as_bytes() == name).map(|(_, _, d)| d.clone())
    }
}

pub struct StackWalker {
    unwinder: UnwinderX86_64<Vec<u8>>,
    /// ntdll!KiUserExceptionDispatcher: its frame's "return address" (from the machine
    /// frame) is the faulting instruction itself.
    exception_dispatcher: Option<std::ops::Range<u64>>,
}

impl StackWalker {
    pub fn new(p: &Process) -> StackWalker {
        let mut unwinder = UnwinderX86_64::new();
        for m in &p.modules {
            let mut list = Vec::new();
            for s in &m.sections {
                if matches!(s.name.as_str(), ".text" | ".pdata" | ".rdata" | ".xdata") {
                    let len = if s.virtual_size != 0 { s.virtual_size } else { s.raw_size } as usize;
                    let addr = m.base + u64::from(s.rva);
                    if let Ok(data) = p.cpu.read_vec(addr, len) {
                        list.push((s.name.clone(), addr, data));
                    }
                }
            }
            let info = Sections { base: m.base, list };
            unwinder.add_module(Module::new(m.name.clone(), m.base..m.base + m.size, m.base, info));
        }
        let exception_dispatcher = p.module_named("ntdll").and_then(|m| match &m.symbols {
            crate::process::module::SymbolSource::Synthetic(syms) => syms
                .iter()
                .find(|(_, _, n)| n == "KiUserExceptionDispatcher")
                .map(|(rva, size, _)| m.base + u64::from(*rva)..m.base + u64::from(*rva) + u64::from(*size)),
            _ => None,
        });
        StackWalker { unwinder, exception_dispatcher }
    }

    /// Up to `max` frames from the current registers.
    pub fn walk(&self, p: &Process, max: usize) -> Vec<Frame> {
        let cpu = &p.cpu;
        self.walk_from(p, cpu.rip(), cpu.rsp(), cpu.reg(RegisterX86::RBP), max)
    }

    pub fn walk_from(&self, p: &Process, ip: u64, sp: u64, bp: u64, max: usize) -> Vec<Frame> {
        let mut regs = UnwindRegsX86_64::new(ip, sp, bp);
        let mut cache = CacheX86_64::<_>::new();
        let mut read = |addr: u64| p.cpu.read_u64(addr).map_err(|_| ());
        let mut frames = Vec::new();
        let mut address = FrameAddress::from_instruction_pointer(ip);
        while frames.len() < max {
            let sp_here = regs.sp();
            let ip_here = address.address();
            let exact = matches!(address, FrameAddress::InstructionPointer(_));
            match self.unwinder.unwind_frame(address, &mut regs, &mut cache, &mut read) {
                Ok(Some(ret)) => {
                    frames.push(Frame { ip: ip_here, sp: sp_here, ret, exact });
                    let trap = self.exception_dispatcher.as_ref().is_some_and(|r| r.contains(&ip_here));
                    let next = if trap { Some(FrameAddress::from_instruction_pointer(ret)) } else { FrameAddress::from_return_address(ret) };
                    match next {
                        Some(a) if regs.sp() > sp_here => address = a,
                        _ => break,
                    }
                }
                Ok(None) => {
                    frames.push(Frame { ip: ip_here, sp: sp_here, ret: 0, exact });
                    break;
                }
                Err(_) => {
                    // No unwind information: a leaf, whose return address is at [rsp].
                    let ret = read(sp_here).unwrap_or(0);
                    frames.push(Frame { ip: ip_here, sp: sp_here, ret, exact });
                    regs.set_sp(sp_here + 8);
                    match FrameAddress::from_return_address(ret) {
                        Some(a) if frames.len() < 2 => address = a,
                        _ => break,
                    }
                }
            }
        }
        frames
    }
}
