//! The emulated x64 CPU: a thin layer over unicorn that turns its callbacks into
//! [`Stop`] reasons the process run loop can act on. Hooks only record and stop; all
//! real work (API handlers, debugger events) happens outside unicorn's callbacks, where
//! the whole process state can be borrowed freely.

use std::collections::HashMap;

use unicorn_engine::{Arch, HookType, MemType, Mode, Prot as UcProt, RegisterX86, Unicorn, X86Insn};

use super::memory::{GuestMemory, MemError, PAGE_SIZE, Prot};

/// Why `Cpu::run` returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A `syscall` instruction executed (rip is after it). Emulated APIs trap this way.
    Syscall,
    /// A code breakpoint hook fired; the instruction at this address has not run.
    Breakpoint(u64),
    /// A software interrupt or CPU exception (vector number); rip as unicorn left it.
    Interrupt(u32),
    /// A memory access violation: faulting data address and kind.
    MemoryFault { address: u64, kind: FaultKind },
    /// An undefined opcode.
    InvalidInstruction,
    /// The requested instruction count ran out (single step).
    Count,
    /// An asynchronous stop request (Ctrl-C) or a time slice ended.
    Interrupted,
    /// The instruction budget ran out; rip is the start of the block that did not run.
    BudgetExhausted,
    /// Unicorn reported an error we could not classify.
    Error(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Read,
    Write,
    Execute,
}

/// State shared with unicorn callbacks.
#[derive(Default)]
pub struct HookData {
    stop: Option<Stop>,
    /// Resuming at a breakpoint address must not re-trigger its hook once.
    skip_breakpoint: Option<u64>,
    /// Instructions the guest may still execute, when a budget is set.
    budget_left: u64,
    /// Instruction count of recently run blocks: a direct-mapped cache of
    /// (address, size in bytes, instructions), so the per-block cost stays tiny.
    block_lengths: Vec<(u64, u32, u64)>,
}

const BLOCK_CACHE: usize = 4096;

type Uc = Unicorn<'static, HookData>;

pub struct Cpu {
    uc: Uc,
    breakpoint_hooks: HashMap<u64, unicorn_engine::UcHookId>,
    budget_hook: Option<unicorn_engine::UcHookId>,
    /// The last `run` counted instructions, so unicorn's counting hook is installed.
    counting: bool,
}

/// Registers by WinDbg name. Sub-registers are handled by [`Cpu::read_named`].
const REGS64: &[(&str, RegisterX86)] = &[
    ("rax", RegisterX86::RAX),
    ("rbx", RegisterX86::RBX),
    ("rcx", RegisterX86::RCX),
    ("rdx", RegisterX86::RDX),
    ("rsi", RegisterX86::RSI),
    ("rdi", RegisterX86::RDI),
    ("rbp", RegisterX86::RBP),
    ("rsp", RegisterX86::RSP),
    ("r8", RegisterX86::R8),
    ("r9", RegisterX86::R9),
    ("r10", RegisterX86::R10),
    ("r11", RegisterX86::R11),
    ("r12", RegisterX86::R12),
    ("r13", RegisterX86::R13),
    ("r14", RegisterX86::R14),
    ("r15", RegisterX86::R15),
    ("rip", RegisterX86::RIP),
    ("efl", RegisterX86::EFLAGS),
];

fn prot_to_uc(p: Prot) -> UcProt {
    let mut v = 0;
    if p.read {
        v |= UcProt::READ.0;
    }
    if p.write {
        v |= UcProt::WRITE.0;
    }
    if p.exec {
        v |= UcProt::EXEC.0;
    }
    UcProt(v)
}

impl Cpu {
    pub fn new() -> Result<Cpu, String> {
        let mut uc = Unicorn::new_with_data(Arch::X86, Mode::MODE_64, HookData::default())
            .map_err(|e| format!("cannot start the CPU emulator: {e}"))?;
        // Syscalls are how emulated system functions trap into Rust.
        uc.add_insn_sys_hook(X86Insn::SYSCALL, 1, 0, |uc| {
            uc.get_data_mut().stop = Some(Stop::Syscall);
            let _ = uc.emu_stop();
        })
        .map_err(|e| e.to_string())?;
        uc.add_intr_hook(|uc, intno| {
            uc.get_data_mut().stop = Some(Stop::Interrupt(intno));
            let _ = uc.emu_stop();
        })
        .map_err(|e| e.to_string())?;
        let invalid = HookType(
            HookType::MEM_READ_UNMAPPED.0
                | HookType::MEM_WRITE_UNMAPPED.0
                | HookType::MEM_FETCH_UNMAPPED.0
                | HookType::MEM_READ_PROT.0
                | HookType::MEM_WRITE_PROT.0
                | HookType::MEM_FETCH_PROT.0,
        );
        uc.add_mem_hook(invalid, 1, 0, |uc, ty, address, _size, _value| {
            let kind = match ty {
                MemType::WRITE_UNMAPPED | MemType::WRITE_PROT | MemType::WRITE => FaultKind::Write,
                MemType::FETCH_UNMAPPED | MemType::FETCH_PROT | MemType::FETCH => FaultKind::Execute,
                _ => FaultKind::Read,
            };
            uc.get_data_mut().stop = Some(Stop::MemoryFault { address, kind });
            false
        })
        .map_err(|e| e.to_string())?;
        uc.add_insn_invalid_hook(|uc| {
            uc.get_data_mut().stop = Some(Stop::InvalidInstruction);
            false
        })
        .map_err(|e| e.to_string())?;
        Ok(Cpu { uc, breakpoint_hooks: HashMap::new(), budget_hook: None, counting: false })
    }

    /// Limits the guest to `limit` more instructions. Counting is done per basic block
    /// (each block's instructions are counted once, when first seen), so it is exact,
    /// deterministic, and costs one callback per block rather than per instruction.
    pub fn set_instruction_budget(&mut self, limit: u64) -> Result<(), String> {
        self.uc.get_data_mut().budget_left = limit;
        if self.budget_hook.is_some() {
            return Ok(());
        }
        let id = self
            .uc
            .add_block_hook(1, 0, |uc, address, size| {
                let slot = (address as usize ^ (address as usize >> 12)) % BLOCK_CACHE;
                let cached = uc.get_data().block_lengths.get(slot).copied();
                let n = match cached {
                    Some((a, s, n)) if a == address && s == size => n,
                    _ => {
                        let bytes = uc.mem_read_as_vec(address, size as usize).unwrap_or_default();
                        let d = iced_x86::Decoder::with_ip(64, &bytes, address, iced_x86::DecoderOptions::NONE);
                        let n = d.into_iter().count().max(1) as u64;
                        let cache = &mut uc.get_data_mut().block_lengths;
                        if cache.len() < BLOCK_CACHE {
                            cache.resize(BLOCK_CACHE, (u64::MAX, 0, 0));
                        }
                        cache[slot] = (address, size, n);
                        n
                    }
                };
                let data = uc.get_data_mut();
                if data.budget_left < n {
                    data.budget_left = 0;
                    data.stop = Some(Stop::BudgetExhausted);
                    let _ = uc.emu_stop();
                    return;
                }
                data.budget_left -= n;
            })
            .map_err(|e| e.to_string())?;
        self.budget_hook = Some(id);
        Ok(())
    }

    pub fn instruction_budget_left(&self) -> Option<u64> {
        self.budget_hook.map(|_| self.uc.get_data().budget_left)
    }

    /// Runs from the current rip until something stops the CPU. `count` = 0 runs freely;
    /// a non-zero count single-steps (unicorn removes its counting hook again on the next
    /// free run, so stepping leaves no global hook behind). `timeout_us` bounds wall time so
    /// that the caller can poll for Ctrl-C.
    pub fn run(&mut self, count: usize, timeout_us: u64) -> Stop {
        let rip = self.rip();
        // Unicorn installs its instruction-counting hook when a counted run starts, but code
        // translated before that has no call to it and would run on past the count: drop the
        // translations first. (When counting stops, unicorn removes the hook and flushes
        // itself.)
        if count > 0 && !self.counting {
            let _ = self.uc.ctl_flush_tb();
        }
        self.counting = count > 0;
        self.uc.get_data_mut().stop = None;
        let res = self.uc.emu_start(rip, u64::MAX, timeout_us, count);
        let stop = self.uc.get_data_mut().stop.take();
        self.uc.get_data_mut().skip_breakpoint = None;
        match (stop, res) {
            (Some(s), _) => s,
            (None, Ok(())) => {
                if count > 0 {
                    Stop::Count
                } else {
                    Stop::Interrupted
                }
            }
            (None, Err(e)) => Stop::Error(e.to_string()),
        }
    }

    /// Asks a running `run` to return (safe from another thread through the raw handle).
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.uc.get_handle() as usize)
    }

    pub fn set_breakpoint(&mut self, addr: u64) -> Result<(), String> {
        if self.breakpoint_hooks.contains_key(&addr) {
            return Ok(());
        }
        let id = self
            .uc
            .add_code_hook(addr, addr, move |uc, address, _size| {
                let data = uc.get_data_mut();
                if data.skip_breakpoint == Some(address) {
                    data.skip_breakpoint = None;
                    return;
                }
                data.stop = Some(Stop::Breakpoint(address));
                let _ = uc.emu_stop();
            })
            .map_err(|e| e.to_string())?;
        // Code already translated would not see the new hook.
        let _ = self.uc.ctl_remove_cache(addr, addr + 1);
        self.breakpoint_hooks.insert(addr, id);
        Ok(())
    }

    pub fn clear_breakpoint(&mut self, addr: u64) {
        if let Some(id) = self.breakpoint_hooks.remove(&addr) {
            let _ = self.uc.remove_hook(id);
            let _ = self.uc.ctl_remove_cache(addr, addr + 1);
        }
    }

    pub fn breakpoint_addresses(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.breakpoint_hooks.keys().copied().collect();
        v.sort();
        v
    }

    pub fn has_breakpoint(&self, addr: u64) -> bool {
        self.breakpoint_hooks.contains_key(&addr)
    }

    /// The next `run` starts at a breakpoint address the debugger is stepping over.
    pub fn skip_breakpoint_once(&mut self, addr: u64) {
        self.uc.get_data_mut().skip_breakpoint = Some(addr);
    }

    pub fn reg(&self, r: RegisterX86) -> u64 {
        self.uc.reg_read(r).unwrap_or(0)
    }

    pub fn set_reg(&mut self, r: RegisterX86, v: u64) {
        let _ = self.uc.reg_write(r, v);
    }

    /// XMM register `n` (0-15), as its 16 little-endian bytes.
    pub fn xmm(&self, n: usize) -> [u8; 16] {
        let mut out = [0u8; 16];
        if let Ok(v) = self.uc.reg_read_long(RegisterX86::XMM0 as i32 + n as i32) {
            let len = v.len().min(16);
            out[..len].copy_from_slice(&v[..len]);
        }
        out
    }

    /// Sets XMM register `n` (0-15) from its 16 little-endian bytes.
    pub fn set_xmm(&mut self, n: usize, value: &[u8; 16]) {
        let _ = self.uc.reg_write_long(RegisterX86::XMM0 as i32 + n as i32, value);
    }

    pub fn rip(&self) -> u64 {
        self.reg(RegisterX86::RIP)
    }
    pub fn set_rip(&mut self, v: u64) {
        self.set_reg(RegisterX86::RIP, v)
    }
    pub fn rsp(&self) -> u64 {
        self.reg(RegisterX86::RSP)
    }
    pub fn set_rsp(&mut self, v: u64) {
        self.set_reg(RegisterX86::RSP, v)
    }

    /// Reads a register by its WinDbg name, including 32/16/8-bit sub-registers and
    /// segment selectors. None for unknown names.
    pub fn read_named(&self, name: &str) -> Option<(u64, u32)> {
        let n = name.to_ascii_lowercase();
        if let Some((_, r)) = REGS64.iter().find(|(k, _)| *k == n) {
            let bits = if n == "efl" { 32 } else { 64 };
            return Some((self.reg(*r), bits));
        }
        let (full, bits, shift) = sub_register(&n)?;
        let v = self.reg(full);
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        Some(((v >> shift) & mask, bits))
    }

    /// Writes a register by WinDbg name; sub-registers merge into the full register
    /// (a 32-bit write zero-extends, as the CPU does).
    pub fn write_named(&mut self, name: &str, value: u64) -> bool {
        let n = name.to_ascii_lowercase();
        if let Some((_, r)) = REGS64.iter().find(|(k, _)| *k == n) {
            self.set_reg(*r, value);
            return true;
        }
        let Some((full, bits, shift)) = sub_register(&n) else { return false };
        if matches!(full, RegisterX86::CS | RegisterX86::SS | RegisterX86::DS | RegisterX86::ES | RegisterX86::FS | RegisterX86::GS) {
            self.set_reg(full, value & 0xffff);
            return true;
        }
        let old = self.reg(full);
        let new = if bits == 32 {
            value & 0xffff_ffff
        } else {
            let mask = ((1u64 << bits) - 1) << shift;
            (old & !mask) | ((value << shift) & mask)
        };
        self.set_reg(full, new);
        true
    }

    pub fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        self.uc.mem_map(addr, size, prot_to_uc(prot)).map_err(|_| MemError::Map { addr, size })
    }

    /// A debugger's write (`eb`, `ed`, ...): like [`GuestMemory::write`] it ignores page
    /// protection (unicorn writes read-only pages for its caller), and it also drops the
    /// translated code for the range, which unicorn keeps otherwise, so that patched
    /// instructions run as written.
    pub fn debugger_write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        GuestMemory::write(self, addr, data)?;
        let end = addr.saturating_add(data.len() as u64);
        let _ = self.uc.ctl_remove_cache(addr, end);
        Ok(())
    }

    pub fn protect(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        self.uc.mem_protect(addr, size, prot_to_uc(prot)).map_err(|_| MemError::Map { addr, size })
    }

    /// All mapped regions as (start, end_inclusive, prot).
    pub fn regions(&self) -> Vec<(u64, u64, Prot)> {
        self.uc
            .mem_regions()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let p = r.perms;
                (r.begin, r.end, Prot { read: p & 1 != 0, write: p & 2 != 0, exec: p & 4 != 0 })
            })
            .collect()
    }
}

/// Sub-register name → (containing register, width in bits, bit shift).
fn sub_register(n: &str) -> Option<(RegisterX86, u32, u32)> {
    use RegisterX86::*;
    let legacy = [
        ("a", RAX),
        ("b", RBX),
        ("c", RCX),
        ("d", RDX),
    ];
    for (l, r) in legacy {
        if n == format!("e{l}x") {
            return Some((r, 32, 0));
        }
        if n == format!("{l}x") {
            return Some((r, 16, 0));
        }
        if n == format!("{l}l") {
            return Some((r, 8, 0));
        }
        if n == format!("{l}h") {
            return Some((r, 8, 8));
        }
    }
    let idx = [("si", RSI), ("di", RDI), ("bp", RBP), ("sp", RSP)];
    for (l, r) in idx {
        if n == format!("e{l}") {
            return Some((r, 32, 0));
        }
        if n == l {
            return Some((r, 16, 0));
        }
        if n == format!("{l}l") {
            return Some((r, 8, 0));
        }
    }
    let numbered = [R8, R9, R10, R11, R12, R13, R14, R15];
    for (i, r) in numbered.iter().enumerate() {
        let base = format!("r{}", i + 8);
        if n == format!("{base}d") {
            return Some((*r, 32, 0));
        }
        if n == format!("{base}w") {
            return Some((*r, 16, 0));
        }
        if n == format!("{base}b") {
            return Some((*r, 8, 0));
        }
    }
    match n {
        "eip" => Some((RIP, 32, 0)),
        "ip" => Some((RIP, 16, 0)),
        "cs" => Some((CS, 16, 0)),
        "ss" => Some((SS, 16, 0)),
        "ds" => Some((DS, 16, 0)),
        "es" => Some((ES, 16, 0)),
        "fs" => Some((FS, 16, 0)),
        "gs" => Some((GS, 16, 0)),
        "rflags" | "eflags" => Some((EFLAGS, 32, 0)),
        _ => None,
    }
}

/// A thread-safe way to interrupt `Cpu::run` (used by the Ctrl-C handler).
#[derive(Clone, Copy)]
pub struct StopHandle(usize);

impl StopHandle {
    pub fn stop(&self) {
        // SAFETY: uc_emu_stop only sets a flag that the CPU loop polls; unicorn's own
        // timeout thread calls it the same way.
        unsafe {
            unicorn_engine::uc_emu_stop(self.0 as *mut _);
        }
    }
}

impl GuestMemory for Cpu {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        if buf.is_empty() {
            return Ok(());
        }
        self.uc.mem_read(addr, buf).map_err(|_| MemError::Read(addr))
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        if data.is_empty() {
            return Ok(());
        }
        self.uc.mem_write(addr, data).map_err(|_| MemError::Write(addr))
    }
    fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        Cpu::map(self, addr, size, prot)
    }
    fn unmap(&mut self, addr: u64, size: u64) -> Result<(), MemError> {
        self.uc.mem_unmap(addr, size).map_err(|_| MemError::Map { addr, size })
    }
    fn is_mapped(&self, addr: u64, size: u64) -> bool {
        let end = addr.saturating_add(size.max(1) - 1);
        let mut a = addr & !(PAGE_SIZE - 1);
        let regions = self.regions();
        while a <= end {
            if !regions.iter().any(|(s, e, _)| *s <= a && a <= *e) {
                return false;
            }
            match a.checked_add(PAGE_SIZE) {
                Some(n) => a = n,
                None => break,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu_with(code: &[u8]) -> Cpu {
        let mut cpu = Cpu::new().unwrap();
        cpu.map(0x1000, 0x1000, Prot::RX).unwrap();
        cpu.map(0x10000, 0x1000, Prot::RW).unwrap();
        cpu.write(0x1000, code).unwrap();
        cpu.set_rip(0x1000);
        cpu.set_rsp(0x10800);
        cpu
    }

    #[test]
    fn a_step_after_running_executes_one_instruction() {
        // nop; nop; nop; nop; int3: run it all (translating the block without the counting
        // hook), then step from the start again.
        let mut c = cpu_with(&[0x90, 0x90, 0x90, 0x90, 0xcc]);
        assert_eq!(c.run(0, 0), Stop::Interrupt(3));
        c.set_rip(0x1000);
        assert_eq!(c.run(1, 0), Stop::Count);
        assert_eq!(c.rip(), 0x1001);
        assert_eq!(c.run(1, 0), Stop::Count);
        assert_eq!(c.rip(), 0x1002);
    }

    #[test]
    fn probe() {
        // mov eax,5; syscall; nop
        let mut c = cpu_with(&[0xb8, 5, 0, 0, 0, 0x0f, 0x05, 0x90, 0xcc]);
        eprintln!("syscall: {:?} rip={:#x}", c.run(0, 0), c.rip());
        eprintln!("int3: {:?} rip={:#x}", c.run(0, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0xc6, 0x04, 0x25, 0x10, 0, 0, 0, 0x31]);
        eprintln!("av: {:?} rip={:#x}", c.run(0, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0x31, 0xc9, 0xf7, 0xf1]);
        eprintln!("div: {:?} rip={:#x}", c.run(0, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0x0f, 0x0b]);
        eprintln!("ud2: {:?} rip={:#x}", c.run(0, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0x90, 0x90, 0xcc]);
        c.set_breakpoint(0x1001).unwrap();
        eprintln!("bp: {:?} rip={:#x}", c.run(0, 0), c.rip());
        c.skip_breakpoint_once(0x1001);
        eprintln!("bp2: {:?} rip={:#x}", c.run(0, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0x90, 0x90, 0xcc]);
        eprintln!("step: {:?} rip={:#x}", c.run(1, 0), c.rip());
        eprintln!("step: {:?} rip={:#x}", c.run(1, 0), c.rip());
        let mut c = cpu_with(&[0x90, 0xff, 0xe0]);
        c.set_reg(RegisterX86::RAX, 0x5000);
        eprintln!("fetch: {:?} rip={:#x}", c.run(0, 0), c.rip());
    }
}
