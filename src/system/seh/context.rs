//! The x64 `CONTEXT` record (0x4d0 bytes, 16-byte aligned), kept as its bytes so that
//! fields crtlab does not model (debug registers, the x87 state, the vector area)
//! survive a round trip through guest memory unchanged.

use unicorn_engine::RegisterX86;

use crate::process::cpu::Cpu;
use crate::process::memory::{GuestMemory, MemError};

pub const CONTEXT_SIZE: u64 = 0x4d0;

/// CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG_REGISTERS.
pub const CONTEXT_ALL: u32 = 0x0010_001f;
/// CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT (RtlCaptureContext).
pub const CONTEXT_CAPTURED: u32 = 0x0010_000f;

pub const OFF_FLAGS: u64 = 0x30;
pub const OFF_MXCSR: u64 = 0x34;
pub const OFF_SEGCS: u64 = 0x38;
pub const OFF_EFLAGS: u64 = 0x44;
/// Rax..R15 in register-number order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15).
pub const OFF_GPR: u64 = 0x78;
pub const OFF_RIP: u64 = 0xf8;
pub const OFF_FLTSAVE: u64 = 0x100;
/// Xmm0..Xmm15 (inside FltSave).
pub const OFF_XMM: u64 = 0x1a0;

/// Register numbers as UNWIND_CODE and CONTEXT use them.
pub const RAX: usize = 0;
pub const RSP: usize = 4;

pub const GPRS: [RegisterX86; 16] = [
    RegisterX86::RAX,
    RegisterX86::RCX,
    RegisterX86::RDX,
    RegisterX86::RBX,
    RegisterX86::RSP,
    RegisterX86::RBP,
    RegisterX86::RSI,
    RegisterX86::RDI,
    RegisterX86::R8,
    RegisterX86::R9,
    RegisterX86::R10,
    RegisterX86::R11,
    RegisterX86::R12,
    RegisterX86::R13,
    RegisterX86::R14,
    RegisterX86::R15,
];

/// The selectors of a user-mode thread on x64 Windows: SegCs, SegDs, SegEs, SegFs, SegGs,
/// SegSs.
const SELECTORS: [u16; 6] = [0x33, 0x2b, 0x2b, 0x53, 0x2b, 0x2b];

#[derive(Clone, PartialEq, Eq)]
pub struct Context {
    bytes: Box<[u8; CONTEXT_SIZE as usize]>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("rip", &format_args!("{:#x}", self.rip())).field("rsp", &format_args!("{:#x}", self.rsp())).finish()
    }
}

impl Default for Context {
    fn default() -> Self {
        Context { bytes: Box::new([0u8; CONTEXT_SIZE as usize]) }
    }
}

impl Context {
    fn get64(&self, off: u64) -> u64 {
        let o = off as usize;
        u64::from_le_bytes(self.bytes[o..o + 8].try_into().unwrap())
    }
    fn put(&mut self, off: u64, v: &[u8]) {
        let o = off as usize;
        self.bytes[o..o + v.len()].copy_from_slice(v);
    }
    fn get32(&self, off: u64) -> u32 {
        let o = off as usize;
        u32::from_le_bytes(self.bytes[o..o + 4].try_into().unwrap())
    }

    pub fn read(mem: &(impl GuestMemory + ?Sized), addr: u64) -> Result<Context, MemError> {
        let mut c = Context::default();
        mem.read(addr, &mut c.bytes[..])?;
        Ok(c)
    }

    pub fn write(&self, mem: &mut (impl GuestMemory + ?Sized), addr: u64) -> Result<(), MemError> {
        mem.write(addr, &self.bytes[..])
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..]
    }

    pub fn gpr(&self, i: usize) -> u64 {
        self.get64(OFF_GPR + 8 * i as u64)
    }
    pub fn set_gpr(&mut self, i: usize, v: u64) {
        self.put(OFF_GPR + 8 * i as u64, &v.to_le_bytes());
    }
    pub fn rip(&self) -> u64 {
        self.get64(OFF_RIP)
    }
    pub fn set_rip(&mut self, v: u64) {
        self.put(OFF_RIP, &v.to_le_bytes());
    }
    pub fn rsp(&self) -> u64 {
        self.gpr(RSP)
    }
    pub fn set_rsp(&mut self, v: u64) {
        self.set_gpr(RSP, v);
    }
    pub fn flags(&self) -> u32 {
        self.get32(OFF_FLAGS)
    }
    pub fn eflags(&self) -> u32 {
        self.get32(OFF_EFLAGS)
    }
    pub fn mxcsr(&self) -> u32 {
        self.get32(OFF_MXCSR)
    }
    pub fn xmm(&self, i: usize) -> [u8; 16] {
        let o = (OFF_XMM + 16 * i as u64) as usize;
        self.bytes[o..o + 16].try_into().unwrap()
    }
    pub fn set_xmm(&mut self, i: usize, v: &[u8; 16]) {
        self.put(OFF_XMM + 16 * i as u64, v);
    }

    /// The thread's registers as they are now, with ContextFlags `flags`: every integer and
    /// XMM register, rip, the flags, MXCSR and the segment selectors.
    pub fn capture(cpu: &Cpu, flags: u32) -> Context {
        let mut c = Context::default();
        let mxcsr = cpu.reg(RegisterX86::MXCSR) as u32;
        c.put(OFF_FLAGS, &flags.to_le_bytes());
        c.put(OFF_MXCSR, &mxcsr.to_le_bytes());
        for (i, sel) in SELECTORS.iter().enumerate() {
            c.put(OFF_SEGCS + 2 * i as u64, &sel.to_le_bytes());
        }
        c.put(OFF_EFLAGS, &(cpu.reg(RegisterX86::EFLAGS) as u32).to_le_bytes());
        for (i, r) in GPRS.iter().enumerate() {
            c.set_gpr(i, cpu.reg(*r));
        }
        c.set_rip(cpu.rip());
        // FltSave: ControlWord 0x27f, MxCsr, MxCsr_Mask, the XMM registers.
        c.put(OFF_FLTSAVE, &0x27fu16.to_le_bytes());
        c.put(OFF_FLTSAVE + 0x18, &mxcsr.to_le_bytes());
        c.put(OFF_FLTSAVE + 0x1c, &0xffffu32.to_le_bytes());
        for i in 0..16 {
            c.set_xmm(i, &cpu.xmm(i));
        }
        c
    }

    /// Makes the thread continue in this context (NtContinue, RtlRestoreContext): the
    /// integer registers, rip, the arithmetic and direction flags, MXCSR and the XMM
    /// registers. Selectors and debug registers stay as they are, as for a user-mode
    /// NtContinue; the trap flag is not taken over.
    pub fn apply(&self, cpu: &mut Cpu) {
        for (i, r) in GPRS.iter().enumerate() {
            cpu.set_reg(*r, self.gpr(i));
        }
        cpu.set_rip(self.rip());
        cpu.set_reg(RegisterX86::EFLAGS, u64::from((self.eflags() & 0xcd5) | 0x202));
        let mxcsr = self.mxcsr();
        if mxcsr & !0xffff == 0 {
            cpu.set_reg(RegisterX86::MXCSR, u64::from(mxcsr));
        }
        for i in 0..16 {
            cpu.set_xmm(i, &self.xmm(i));
        }
    }
}
