//! The run loop: runs the CPU, services emulated-API traps in place, and returns when
//! something the debugger must see happens.

use std::sync::atomic::Ordering;

use unicorn_engine::RegisterX86;

use super::Process;
use super::cpu::{FaultKind, Stop};
use super::memory::GuestMemory;
use crate::system::{ApiResult, Lookup, status};

/// An exception as the debugger reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionEvent {
    pub code: u32,
    /// Address of the faulting instruction.
    pub address: u64,
    /// ExceptionInformation; for access violations [0 read / 1 write / 8 execute, address].
    pub params: Vec<u64>,
    /// Bytes to skip when the debugger continues past it (an `int 3` is skipped; a fault
    /// is not).
    pub skip: u64,
    /// The call that raised it went to an import crtlab does not implement.
    pub unimplemented: Option<(String, String, u64)>,
    /// ExceptionFlags (EXCEPTION_NONCONTINUABLE for RaiseException's flag, RtlRaiseStatus).
    pub flags: u32,
    /// The EXCEPTION_RECORD this one was raised while handling (ExceptionRecord), or 0.
    pub record: u64,
    /// No handler took it: the second chance (KiUserExceptionDispatcher's
    /// NtRaiseException).
    pub second_chance: bool,
}

impl ExceptionEvent {
    pub fn new(code: u32, address: u64, params: Vec<u64>) -> ExceptionEvent {
        ExceptionEvent { code, address, params, skip: 0, unimplemented: None, flags: 0, record: 0, second_chance: false }
    }

    /// Whether continuing it passes it to the program's exception handlers. crtlab's own
    /// stops (a call to an import it does not implement) and fail-fast exceptions
    /// (`__fastfail`, which Windows never dispatches) are not.
    pub fn dispatchable(&self) -> bool {
        self.unimplemented.is_none() && self.code != status::STACK_BUFFER_OVERRUN && !self.second_chance
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEvent {
    /// A debugger breakpoint hook at this address fired (the instruction has not run).
    Breakpoint(u64),
    /// The single step requested completed.
    Step,
    Exception(ExceptionEvent),
    /// The process terminated with this exit code; rip is in ntdll!NtTerminateProcess.
    Exited(u32),
    /// Ctrl-C.
    Interrupted,
    /// The instruction budget (batch mode) ran out.
    BudgetExhausted,
}

impl Process {
    /// Runs until an event. With `step`, executes exactly one guest instruction (an API
    /// trap counts as part of the `syscall` instruction that entered it).
    pub fn run(&mut self, step: bool) -> RunEvent {
        if let Some(code) = self.exit_code {
            return RunEvent::Exited(code);
        }
        loop {
            if self.interrupt.swap(false, Ordering::SeqCst) {
                return RunEvent::Interrupted;
            }
            let stop = self.cpu.run(usize::from(step), 0);
            let rip = self.cpu.rip();
            let event = match stop {
                Stop::Syscall => match self.dispatch_api() {
                    Some(e) => e,
                    None if step => RunEvent::Step,
                    None => continue,
                },
                Stop::Breakpoint(a) => RunEvent::Breakpoint(a),
                Stop::Count => RunEvent::Step,
                Stop::BudgetExhausted => RunEvent::BudgetExhausted,
                Stop::Interrupted => {
                    if self.interrupt.swap(false, Ordering::SeqCst) {
                        RunEvent::Interrupted
                    } else {
                        continue;
                    }
                }
                Stop::Interrupt(n) => self.interrupt_event(n, rip),
                Stop::MemoryFault { address, kind } => {
                    let k = match kind {
                        FaultKind::Read => 0,
                        FaultKind::Write => 1,
                        FaultKind::Execute => 8,
                    };
                    if kind == FaultKind::Read || kind == FaultKind::Write {
                        let stack_limit = crate::layout::STACK_BASE - crate::layout::STACK_RESERVE;
                        if address < stack_limit && address >= stack_limit - 0x10_0000 && self.cpu.rsp() < stack_limit + 0x1000 {
                            return self.exception(status::STACK_OVERFLOW, rip, vec![k, address], 0);
                        }
                    }
                    self.exception(status::ACCESS_VIOLATION, rip, vec![k, address], 0)
                }
                Stop::InvalidInstruction => self.exception(status::ILLEGAL_INSTRUCTION, rip, vec![], 0),
                Stop::Error(_) => self.exception(status::ILLEGAL_INSTRUCTION, rip, vec![], 0),
            };
            return event;
        }
    }

    fn exception(&mut self, code: u32, address: u64, params: Vec<u64>, skip: u64) -> RunEvent {
        RunEvent::Exception(ExceptionEvent { skip, ..ExceptionEvent::new(code, address, params) })
    }

    /// CPU exceptions and `int n`, by vector. Traps (int 3, int 29h) leave rip after the
    /// instruction; the debugger shows the instruction itself, as Windows does.
    fn interrupt_event(&mut self, vector: u32, rip: u64) -> RunEvent {
        match vector {
            3 => {
                let at = if self.cpu.read_u8(rip.wrapping_sub(1)).ok() == Some(0xcc) { rip - 1 } else { rip.wrapping_sub(2) };
                self.cpu.set_rip(at);
                self.exception(status::BREAKPOINT, at, vec![0], rip - at)
            }
            0 => self.exception(status::INTEGER_DIVIDE_BY_ZERO, rip, vec![], 0),
            1 => self.exception(status::SINGLE_STEP, rip, vec![], 0),
            4 => self.exception(status::INTEGER_OVERFLOW, rip, vec![], 0),
            6 => self.exception(status::ILLEGAL_INSTRUCTION, rip, vec![], 0),
            0x29 => {
                // __fastfail(code): int 29h with the code in ecx.
                let at = rip.wrapping_sub(2);
                self.cpu.set_rip(at);
                let code = self.cpu.reg(RegisterX86::RCX);
                self.exception(status::STACK_BUFFER_OVERRUN, at, vec![code], 0)
            }
            13 => {
                // #GP: privileged instructions, non-canonical addresses.
                self.exception(status::ACCESS_VIOLATION, rip, vec![0, u64::MAX], 0)
            }
            _ => self.exception(status::ILLEGAL_INSTRUCTION, rip, vec![], 0),
        }
    }

    /// Services the API whose stub just executed `syscall` (rip is after it, rsp at the
    /// return address). Returns an event if the call ends in one.
    fn dispatch_api(&mut self) -> Option<RunEvent> {
        let number = self.cpu.reg(RegisterX86::RAX) as u32;
        let rip = self.cpu.rip();
        let handler = match self.api.lookup(number) {
            Some(Lookup::Api(api)) => api.handler,
            Some(Lookup::Unimplemented { module, name }) => {
                let module = self.module_named(module).map(|m| m.name.clone()).unwrap_or_else(|| module.to_string());
                let name = name.to_string();
                let caller = self.cpu.read_u64(self.cpu.rsp()).unwrap_or(0);
                // Show the event at the function's first instruction.
                let start = self.stub_start(rip);
                self.cpu.set_rip(start);
                return Some(RunEvent::Exception(ExceptionEvent {
                    unimplemented: Some((module, name, caller)),
                    ..ExceptionEvent::new(status::NOT_IMPLEMENTED, start, vec![])
                }));
            }
            None => return Some(self.exception(0xC000_001C, rip, vec![], 0)),
        };
        let result = handler(self);
        self.apply(result, rip)
    }

    /// The start of the synthetic stub containing `rip` (stubs are tiny: back up to the
    /// `mov r10,rcx` that begins them).
    fn stub_start(&self, rip: u64) -> u64 {
        let mut a = rip;
        for _ in 0..32 {
            if self.cpu.read_vec(a, 3).ok().as_deref() == Some(crate::system::synth::bodies::MOV_R10_RCX) {
                return a;
            }
            a -= 1;
        }
        rip
    }

    fn apply(&mut self, result: ApiResult, rip: u64) -> Option<RunEvent> {
        match result {
            ApiResult::Return(v) => {
                self.cpu.set_reg(RegisterX86::RAX, v);
                None
            }
            ApiResult::Terminate(code) => {
                self.exit_code = Some(code);
                Some(RunEvent::Exited(code))
            }
            ApiResult::Raise { code, params } => Some(self.exception(code, rip, params, 0)),
            ApiResult::RaiseEvent(ev) => Some(RunEvent::Exception(*ev)),
            ApiResult::Restore(ctx) => {
                ctx.apply(&mut self.cpu);
                None
            }
            ApiResult::CriticalFailure { code, message } => {
                self.console.debug_string(message);
                // Call ntdll!RtlReportCriticalFailure(code) from here: it breaks into the
                // debugger and, if continued, raises `code`.
                let target = self.system_symbol("ntdll", "RtlReportCriticalFailure").unwrap_or(0);
                let rsp = self.cpu.rsp() - 8;
                let _ = self.cpu.write_u64(rsp, rip);
                self.cpu.set_rsp(rsp);
                self.cpu.set_reg(RegisterX86::RCX, u64::from(code));
                self.cpu.set_rip(target);
                None
            }
            ApiResult::Context(c) => {
                self.cpu.set_rip(c.rip);
                self.cpu.set_rsp(c.rsp);
                self.cpu.set_reg(RegisterX86::RCX, c.rcx);
                self.cpu.set_reg(RegisterX86::RDX, c.rdx);
                self.cpu.set_reg(RegisterX86::R8, c.r8);
                self.cpu.set_reg(RegisterX86::R9, c.r9);
                None
            }
        }
    }

    /// Ends the process with `code` without running guest code (the debugger's answer to
    /// an unhandled exception, or `q`).
    pub fn terminate(&mut self, code: u32) {
        if self.exit_code.is_none() {
            self.exit_code = Some(code);
            // The thread is left in NtTerminateProcess with nothing above it.
            if let Some(t) = self.system_symbol("ntdll", "NtTerminateProcess") {
                self.cpu.set_rip(t + 0x14);
                let rsp = (self.cpu.rsp() & !0xf).wrapping_sub(0x108);
                if self.cpu.write_u64(rsp, 0).is_ok() {
                    self.cpu.set_rsp(rsp);
                }
            }
        }
    }
}
