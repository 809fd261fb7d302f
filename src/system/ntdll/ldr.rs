//! The loader's internal routines that the synthetic start-up code calls.

use unicorn_engine::RegisterX86;

use crate::layout::{PEB, THREAD_START_RSP};
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{Api, ApiResult, ApiTable, ContextUpdate};

use super::MODULE;

fn internal(t: &mut ApiTable, name: &'static str, handler: crate::system::Handler) {
    t.add(Api { module: MODULE, name, handler, first: None, rva: None, nt_number: None, internal: true });
}

pub fn register(t: &mut ApiTable) {
    internal(t, "LdrpGetNextInitRoutine", next_init_routine);
    internal(t, "LdrpGetNextShutdownRoutine", next_shutdown_routine);
    t.add(Api { module: MODULE, name: "NtContinue", handler: nt_continue, first: None, rva: None, nt_number: Some(0x43), internal: false });
}

/// Pops the next TLS callback or DLL entry point: returns its address in rax (0 when the
/// queue is empty) with its arguments already in rcx/rdx/r8.
fn pop_routine(p: &mut Process, shutdown: bool) -> ApiResult {
    let next = if shutdown { p.detach_queue.pop_front() } else { p.init_queue.pop_front() };
    match next {
        None => ApiResult::Return(0),
        Some(c) => {
            p.cpu.set_reg(RegisterX86::RCX, c.module_base);
            p.cpu.set_reg(RegisterX86::RDX, u64::from(c.reason));
            // lpReserved is non-NULL for static loads and process termination.
            p.cpu.set_reg(RegisterX86::R8, 1);
            ApiResult::Return(c.function)
        }
    }
}

fn next_init_routine(p: &mut Process) -> ApiResult {
    pop_routine(p, false)
}

fn next_shutdown_routine(p: &mut Process) -> ApiResult {
    pop_routine(p, true)
}

/// The end of process initialization: the thread "continues" into
/// RtlUserThreadStart(entry point, PEB) on a fresh stack whose return slot is 0.
fn nt_continue(p: &mut Process) -> ApiResult {
    let start = p.system_symbol("ntdll", "RtlUserThreadStart").unwrap_or(0);
    let _ = p.cpu.write_u64(THREAD_START_RSP, 0);
    let entry = p.main_module().entry;
    ApiResult::Context(Box::new(ContextUpdate { rip: start, rsp: THREAD_START_RSP, rcx: entry, rdx: PEB, r8: 0, r9: 0 }))
}
