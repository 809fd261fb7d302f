//! The session seen through the interfaces of the evaluator and the disassembler:
//! registers (real and pseudo), symbols and memory.

use iced_x86::Register;
use unicorn_engine::RegisterX86;

use super::disasm::{DisasmContext, RegisterContext};
use super::expr::EvalContext;
use super::session::Session;
use crate::layout::{PEB, PID, TEB, TID};
use crate::process::memory::GuestMemory;

impl Session {
    /// A register or pseudo-register by WinDbg name (no `@`).
    pub fn register_value(&self, name: &str) -> Option<u64> {
        let n = name.to_ascii_lowercase();
        if let Some(p) = n.strip_prefix('$') {
            return self.pseudo_register(p);
        }
        // x64 user-mode selectors, as Windows sets them (unicorn keeps them at 0).
        if let Some(v) = selector(&n) {
            return Some(v);
        }
        self.process.cpu.read_named(&n).map(|(v, _)| v)
    }

    fn pseudo_register(&self, p: &str) -> Option<u64> {
        let cpu = &self.process.cpu;
        if let Some(t) = p.strip_prefix('t')
            && let Ok(i) = t.parse::<usize>() {
                return self.user_registers.get(i).copied();
            }
        if let Some(b) = p.strip_prefix("bp")
            && let Ok(id) = b.parse::<u32>() {
                return self.breakpoints.get(id).and_then(|bp| match bp.location {
                    super::breakpoints::Location::Resolved(a) => Some(a),
                    super::breakpoints::Location::Deferred => None,
                });
            }
        Some(match p {
            "ip" | "eventip" | "scopeip" => cpu.rip(),
            "csp" => cpu.rsp(),
            "retreg" | "retreg64" => cpu.reg(RegisterX86::RAX),
            "ra" => self.return_address()?,
            "peb" | "proc" => PEB,
            "teb" | "thread" => TEB,
            "tpid" => u64::from(PID),
            "tid" => u64::from(TID),
            "exentry" => self.process.main_module().entry,
            "ptrsize" => 8,
            "pagesize" => 0x1000,
            _ => return None,
        })
    }

    /// The return address of the current function (frame 1's instruction pointer).
    pub fn return_address(&self) -> Option<u64> {
        let frames = self.walker.walk(&self.process, 2);
        frames.get(1).map(|f| f.ip)
    }

    pub fn format_symbol(&self, addr: u64) -> Option<String> {
        self.symbols.format(addr)
    }
}

impl EvalContext for Session {
    fn register(&self, name: &str) -> Option<u64> {
        self.register_value(name)
    }
    fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols.lookup(name)
    }
    fn read_memory(&self, addr: u64, size: usize) -> Option<u64> {
        let mut b = [0u8; 8];
        let size = size.min(8);
        self.process.cpu.read(addr, &mut b[..size]).ok()?;
        Some(u64::from_le_bytes(b))
    }
    fn current_ip(&self) -> u64 {
        self.process.cpu.rip()
    }
}

impl DisasmContext for Session {
    fn symbolize(&self, addr: u64) -> Option<String> {
        self.symbols.format(addr)
    }
    fn read_memory(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.process.cpu.read(addr, buf).is_ok()
    }
}

/// The flat-model selectors of an x64 Windows user-mode thread.
pub fn selector(name: &str) -> Option<u64> {
    Some(match name {
        "cs" => 0x33,
        "ss" | "ds" | "es" | "gs" => 0x2b,
        "fs" => 0x53,
        _ => return None,
    })
}

fn x86_register(reg: Register) -> Option<RegisterX86> {
    use Register as R;
    let full = reg.full_register();
    Some(match full {
        R::RAX => RegisterX86::RAX,
        R::RBX => RegisterX86::RBX,
        R::RCX => RegisterX86::RCX,
        R::RDX => RegisterX86::RDX,
        R::RSI => RegisterX86::RSI,
        R::RDI => RegisterX86::RDI,
        R::RBP => RegisterX86::RBP,
        R::RSP => RegisterX86::RSP,
        R::R8 => RegisterX86::R8,
        R::R9 => RegisterX86::R9,
        R::R10 => RegisterX86::R10,
        R::R11 => RegisterX86::R11,
        R::R12 => RegisterX86::R12,
        R::R13 => RegisterX86::R13,
        R::R14 => RegisterX86::R14,
        R::R15 => RegisterX86::R15,
        R::RIP => RegisterX86::RIP,
        _ => return None,
    })
}

impl RegisterContext for Session {
    fn register(&self, reg: Register) -> u64 {
        if let Some(r) = x86_register(reg) {
            return self.process.cpu.reg(r);
        }
        if reg.is_xmm() {
            return 0;
        }
        0
    }
    fn rflags(&self) -> u64 {
        self.process.cpu.reg(RegisterX86::EFLAGS)
    }
    fn gs_base(&self) -> u64 {
        TEB
    }
    fn fs_base(&self) -> u64 {
        0
    }
}
