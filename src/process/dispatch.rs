//! The kernel's part of exception dispatching: when the debugger passes a first-chance
//! exception on, the thread continues in ntdll!KiUserExceptionDispatcher with the
//! exception's CONTEXT and EXCEPTION_RECORD on its stack, as KiDispatchException leaves
//! them on x64 Windows.

use super::memory::GuestMemory;
use super::{ExceptionEvent, Process};
use crate::system::ntdll::exception::{dispatcher_frame, DISPATCHER_MACHINE_FRAME, DISPATCHER_RECORD};
use crate::system::seh::context::{Context, CONTEXT_ALL};
use crate::system::seh::ExceptionRecord;

/// Stack the dispatcher needs below the exception frame (its own frames, the handlers'
/// and an unwind's): an exception with less left (a stack overflow at the very end of the
/// stack) is not dispatched.
const DISPATCH_HEADROOM: u64 = 0x4000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchError {
    /// ntdll has no KiUserExceptionDispatcher (cannot happen with crtlab's ntdll).
    NoDispatcher,
    /// Not enough stack left for the exception frame and the dispatcher.
    NoStack,
}

impl Process {
    /// Hands `ev` to the program: pushes a machine frame (Rip, SegCs, EFlags, Rsp, SegSs),
    /// the EXCEPTION_RECORD and the thread's CONTEXT (rip = where it stopped) below its rsp,
    /// and moves it to KiUserExceptionDispatcher with rsp at the CONTEXT.
    pub fn dispatch_exception(&mut self, ev: &ExceptionEvent) -> Result<(), DispatchError> {
        let dispatcher = self.system_symbol("ntdll", "KiUserExceptionDispatcher").ok_or(DispatchError::NoDispatcher)?;
        let ctx = Context::capture(&self.cpu, CONTEXT_ALL);
        let rsp = ctx.rsp();
        let frame = dispatcher_frame(rsp);
        if !self.cpu.is_mapped(frame - DISPATCH_HEADROOM, DISPATCH_HEADROOM + (rsp - frame)) {
            return Err(DispatchError::NoStack);
        }
        let record = ExceptionRecord { code: ev.code, flags: ev.flags, record: ev.record, address: ev.address, params: ev.params.clone() };
        let mut machine = Vec::with_capacity(0x28);
        for v in [ctx.rip(), 0x33, u64::from(ctx.eflags()), rsp, 0x2b] {
            machine.extend_from_slice(&v.to_le_bytes());
        }
        let written = ctx
            .write(&mut self.cpu, frame)
            .and_then(|_| record.write(&mut self.cpu, frame + DISPATCHER_RECORD))
            .and_then(|_| self.cpu.write(frame + DISPATCHER_MACHINE_FRAME, &machine));
        if written.is_err() {
            return Err(DispatchError::NoStack);
        }
        self.cpu.set_rsp(frame);
        self.cpu.set_rip(dispatcher);
        Ok(())
    }
}
