//! Run control: `g`, `t`, `p`, `gu`. Stepping over a call or returning from a function
//! uses a temporary breakpoint on the one address involved (plus a stack-pointer check for
//! recursion), never a hook over all code.

use iced_x86::{Decoder, DecoderOptions, FlowControl};

use super::breakpoints::BreakpointList;
use super::events::exception_header;
use super::session::{CmdError, Session, StopState};
use crate::process::memory::GuestMemory;
use crate::process::RunEvent;
use crate::system::status;

/// How `g`/`gh`/`gn` continue from an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuation {
    /// `g`, `p`, `t`, `gu`: a break instruction or a single step is handled, anything else
    /// is passed on.
    Default,
    /// `gh`: the exception is handled; the thread continues where it stopped.
    Handled,
    /// `gn`: not handled; the program's exception handlers see it.
    NotHandled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    Go,
    StepInto,
    StepOver,
    GoUp,
}

/// A temporary stop: at `addr` once rsp has climbed to at least `min_sp`.
#[derive(Debug, Clone, Copy)]
struct Target {
    addr: u64,
    min_sp: u64,
}

impl Session {
    /// Errors if there is nothing to run (WinDbg's caret error under the command).
    pub fn require_runnable(&self) -> Result<(), CmdError> {
        if let StopState::Terminated(_) = self.stop {
            return Err(CmdError::caret("No runnable debuggees", 0));
        }
        Ok(())
    }

    /// Keeps the CPU's code hooks equal to the enabled breakpoints plus `extra`.
    fn sync_hooks(&mut self, extra: Option<u64>) {
        let mut want = self.breakpoints.hooked_addresses();
        if let Some(e) = extra {
            want.push(e);
        }
        for a in self.process.cpu.breakpoint_addresses() {
            if !want.contains(&a) {
                self.process.cpu.clear_breakpoint(a);
            }
        }
        for a in want {
            let _ = self.process.cpu.set_breakpoint(a);
        }
    }

    /// Resumes the target in `mode` and returns what the debugger prints until it stops.
    pub fn resume(&mut self, mode: RunMode) -> String {
        self.resume_as(mode, Continuation::Default)
    }

    /// Resumes the target; at an exception, `how` says whether the program sees it.
    pub fn resume_as(&mut self, mode: RunMode, how: Continuation) -> String {
        let mut out = String::new();
        // After the target runs, a bare `u` starts at the new IP again, as in WinDbg.
        self.next_unassemble = None;
        // `gu` at an exception goes up from the frame that raised it.
        let mut up_target = None;
        match self.stop.clone() {
            StopState::Terminated(_) => return out,
            StopState::Exiting(code) => {
                // The process finishes dying; nothing more runs.
                self.stop = StopState::Terminated(code);
                if self.options.skip_final_break {
                    self.finished = true;
                }
                return out;
            }
            StopState::Exception { event, second_chance } => {
                if second_chance {
                    // Unhandled: the process ends with the exception code.
                    self.process.terminate(event.code);
                    return out + &self.report_exit(event.code);
                }
                if mode == RunMode::GoUp {
                    match self.go_up_target() {
                        Some(t) => up_target = Some(t),
                        None => return "Unable to find a return address for this frame\n".into(),
                    }
                }
                let pass_on = match how {
                    // WinDbg's defaults (bpec, ssec): a break instruction or a single step
                    // is handled by the debugger, every other exception is passed on.
                    Continuation::Default => event.code != status::BREAKPOINT && event.code != status::SINGLE_STEP,
                    Continuation::Handled => false,
                    Continuation::NotHandled => true,
                };
                if !pass_on {
                    // Continue after a hard-coded `int 3`; after a fault, at the faulting
                    // instruction again (`gh`).
                    if event.code == status::BREAKPOINT && self.process.cpu.rip() == event.address {
                        let rip = event.address + event.skip;
                        self.process.cpu.set_rip(rip);
                    }
                } else if !event.dispatchable() || self.process.dispatch_exception(&event).is_err() {
                    // crtlab's own stops, fail-fast exceptions and exceptions with no stack
                    // left to dispatch them on come back as second-chance events.
                    out.push_str(&self.exception_report(&event, true));
                    self.stop = StopState::Exception { event, second_chance: true };
                    return out;
                } else {
                    // The thread is now at ntdll!KiUserExceptionDispatcher. A step stops
                    // there, as the first instruction the program runs.
                    if matches!(mode, RunMode::StepInto | RunMode::StepOver) {
                        self.stop = StopState::Step;
                        out.push_str(&self.current_instruction());
                        return out;
                    }
                    self.stop = StopState::Step;
                    return out + &self.run_from_here(mode, up_target, false);
                }
            }
            _ => {}
        }
        out + &self.run_from_here(mode, up_target, true)
    }

    /// Runs from the current rip. `resuming`: the target stopped here, so a breakpoint at
    /// this address is stepped over rather than reported again.
    fn run_from_here(&mut self, mode: RunMode, up_target: Option<Target>, resuming: bool) -> String {
        let mut out = String::new();
        let rip = self.process.cpu.rip();
        let target = match mode {
            RunMode::StepOver => self.step_over_target(rip),
            RunMode::GoUp => match up_target.or_else(|| self.go_up_target()) {
                Some(t) => Some(t),
                None => return "Unable to find a return address for this frame\n".into(),
            },
            _ => None,
        };
        let step = mode == RunMode::StepInto || (mode == RunMode::StepOver && target.is_none());
        self.sync_hooks(target.map(|t| t.addr));
        if resuming && self.process.cpu.has_breakpoint(rip) {
            if step {
                // A single step from a breakpoint runs without that breakpoint's hook (the
                // hook plus unicorn's instruction counter on one address let the step run
                // on); sync_hooks puts it back when the step is done.
                self.process.cpu.clear_breakpoint(rip);
            } else {
                self.process.cpu.skip_breakpoint_once(rip);
            }
        }
        loop {
            let ev = self.process.run(step);
            out.push_str(&self.drain_output());
            match ev {
                RunEvent::Breakpoint(addr) => {
                    if let Some(t) = target
                        && addr == t.addr && self.process.cpu.rsp() >= t.min_sp {
                            self.stop = StopState::Step;
                            out.push_str(&self.current_instruction());
                            break;
                        }
                    match hit_breakpoint(&mut self.breakpoints, addr) {
                        Some(id) => {
                            out.push_str(&format!("Breakpoint {id} hit\n"));
                            out.push_str(&self.current_instruction());
                            self.stop = StopState::Breakpoint(id);
                            let bp = self.breakpoints.get(id).cloned();
                            if let Some(bp) = bp {
                                if bp.one_shot {
                                    self.breakpoints.remove(id);
                                }
                                if let Some(cmd) = bp.command {
                                    self.sync_hooks(None);
                                    out.push_str(&self.execute(&cmd));
                                    return out;
                                }
                            }
                            break;
                        }
                        None => {
                            self.process.cpu.skip_breakpoint_once(addr);
                            continue;
                        }
                    }
                }
                RunEvent::Step => {
                    self.stop = StopState::Step;
                    out.push_str(&self.current_instruction());
                    break;
                }
                RunEvent::Exception(ev) => {
                    if ev.code == status::BREAKPOINT && self.initial_break_pending {
                        self.initial_break_pending = false;
                        if self.options.skip_initial_break {
                            self.process.cpu.set_rip(ev.address + ev.skip);
                            continue;
                        }
                    }
                    let second_chance = ev.second_chance;
                    out.push_str(&self.exception_report(&ev, second_chance));
                    self.stop = StopState::Exception { event: ev, second_chance };
                    break;
                }
                RunEvent::Exited(code) => {
                    out.push_str(&self.report_exit(code));
                    break;
                }
                RunEvent::BudgetExhausted => {
                    let limit = self.options.max_instructions.unwrap_or(0);
                    out.push_str(&format!("crtlab: the guest used up its instruction budget ({limit} instructions)\n"));
                    out.push_str(&self.current_instruction());
                    self.stop = StopState::Interrupted;
                    break;
                }
                RunEvent::Interrupted => {
                    out.push_str(&exception_header(0x4001_0005, false));
                    out.push_str(&self.current_instruction());
                    self.stop = StopState::Interrupted;
                    break;
                }
            }
        }
        self.sync_hooks(None);
        out
    }

    /// The exit-process event: the stop in ntdll!NtTerminateProcess, unless `-G`.
    fn report_exit(&mut self, code: u32) -> String {
        if self.options.skip_final_break {
            self.stop = StopState::Terminated(code);
            self.finished = true;
            return String::new();
        }
        self.stop = StopState::Exiting(code);
        self.current_instruction()
    }

    /// `p` steps over calls (and repeated string instructions) by running to the next
    /// instruction with the stack back at its current height.
    fn step_over_target(&self, rip: u64) -> Option<Target> {
        let mut bytes = [0u8; 16];
        let n = (0..=16usize).rev().find(|n| self.process.cpu.read(rip, &mut bytes[..*n]).is_ok()).unwrap_or(0);
        let mut d = Decoder::with_ip(64, &bytes[..n], rip, DecoderOptions::NONE);
        let insn = d.decode();
        if insn.is_invalid() {
            return None;
        }
        let over = matches!(insn.flow_control(), FlowControl::Call | FlowControl::IndirectCall)
            || insn.has_rep_prefix()
            || insn.has_repne_prefix();
        over.then(|| Target { addr: rip + insn.len() as u64, min_sp: self.process.cpu.rsp() })
    }

    /// `gu`: run to the return address of the current frame.
    fn go_up_target(&self) -> Option<Target> {
        let frames = self.walker.walk(&self.process, 2);
        let f0 = frames.first()?;
        if f0.ret == 0 {
            return None;
        }
        let caller_sp = frames.get(1).map(|f| f.sp).unwrap_or(f0.sp + 8);
        Some(Target { addr: f0.ret, min_sp: caller_sp })
    }
}

/// Applies pass counts to the enabled breakpoints at `addr`; returns the one that breaks.
fn hit_breakpoint(list: &mut BreakpointList, addr: u64) -> Option<u32> {
    let ids = list.enabled_at(addr);
    let mut hit = None;
    for id in ids {
        let bp = list.get_mut(id)?;
        if bp.passes_left > 1 {
            bp.passes_left -= 1;
        } else if hit.is_none() {
            hit = Some(id);
        }
    }
    hit
}
