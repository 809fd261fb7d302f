//! Exceptions and the unwinding primitives the C runtime calls: RaiseException (a C++
//! `throw` raises e06d7363 through it, and the debugger shows it as WinDbg does:
//! `C++ EH exception - code e06d7363`), UnhandledExceptionFilter, and the
//! capture-and-unwind sequence of `__report_gsfailure`, `__scrt_fastfail` and the
//! exception-handling code (RtlCaptureContext, RtlLookupFunctionEntry, RtlVirtualUnwind),
//! which walks the real `.pdata`/UNWIND_INFO in guest memory with ntdll's unwinder
//! ([`crate::system::seh::unwind`]). Dispatching and RtlUnwindEx live in ntdll
//! (`ntdll/exception.rs`); KERNEL32 forwards RtlUnwind and RtlUnwindEx there.

use crate::process::memory::GuestMemory;
use crate::process::{ExceptionEvent, Process};
use crate::system::seh::context::{Context, CONTEXT_CAPTURED, OFF_GPR, OFF_RIP, OFF_XMM};
use crate::system::seh::unwind::{self, ContextPointers};
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "RaiseException", raise_exception);
    t.simple(MODULE, "UnhandledExceptionFilter", unhandled_exception_filter);
    t.simple(MODULE, "RtlCaptureContext", rtl_capture_context);
    t.simple(MODULE, "RtlLookupFunctionEntry", rtl_lookup_function_entry);
    t.simple(MODULE, "RtlVirtualUnwind", rtl_virtual_unwind);
    t.simple(MODULE, "RtlPcToFileHeader", rtl_pc_to_file_header);
}

/// STATUS_BAD_FUNCTION_TABLE: what Windows raises when unwind data cannot be used.
pub const BAD_FUNCTION_TABLE: u32 = crate::system::seh::code::BAD_FUNCTION_TABLE;
const EXCEPTION_MAXIMUM_PARAMETERS: u64 = crate::system::seh::EXCEPTION_MAXIMUM_PARAMETERS as u64;

/// RaiseException(dwExceptionCode, dwExceptionFlags, nNumberOfArguments, lpArguments):
/// raises a software exception with up to 15 arguments (more are cut to 15, as Windows
/// does) and EXCEPTION_NONCONTINUABLE if the flags have it. The debugger reports it
/// first-chance at RaiseException, as WinDbg shows `KERNELBASE!RaiseException+0x..`, with
/// the caller the next frame of `k`. Passed on, it is dispatched to the program's handlers
/// with the context of that point: a handler that continues execution makes RaiseException
/// return.
fn raise_exception(p: &mut Process) -> ApiResult {
    let (code, flags, count, args) = (p.arg(0) as u32, p.arg(1) as u32, p.arg(2) as u32 as u64, p.arg(3));
    let n = if args == 0 { 0 } else { count.min(EXCEPTION_MAXIMUM_PARAMETERS) };
    let params = (0..n).map(|i| p.cpu.read_u64(args + 8 * i).unwrap_or(0)).collect();
    let flags = flags & crate::system::seh::flags::NONCONTINUABLE;
    ApiResult::RaiseEvent(Box::new(ExceptionEvent { flags, ..ExceptionEvent::new(code, p.cpu.rip(), params) }))
}

/// UnhandledExceptionFilter(ExceptionInfo): a process that is being debugged gets
/// EXCEPTION_CONTINUE_SEARCH (0), so that the debugger sees the exception second-chance;
/// a crtlab guest always is being debugged.
fn unhandled_exception_filter(_p: &mut Process) -> ApiResult {
    ApiResult::Return(0)
}

/// RtlCaptureContext(ContextRecord): the caller's context as it will be after the call
/// returns: Rip = the return address, Rsp above it, every integer and XMM register, the
/// flags, MXCSR and the segment selectors; ContextFlags = CONTEXT_CONTROL |
/// CONTEXT_INTEGER | CONTEXT_SEGMENTS | CONTEXT_FLOATING_POINT (0x10000f).
fn rtl_capture_context(p: &mut Process) -> ApiResult {
    let ctx = p.arg(0);
    let rsp = p.cpu.rsp();
    let mut c = Context::capture(&p.cpu, CONTEXT_CAPTURED);
    c.set_rsp(rsp + 8);
    c.set_rip(p.cpu.read_u64(rsp).unwrap_or(0));
    if c.write(&mut p.cpu, ctx).is_err() {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![1, ctx] };
    }
    ApiResult::Return(0)
}

/// The RUNTIME_FUNCTION entry (its guest address) that covers `pc`, and the image base.
pub fn lookup_function_entry(p: &Process, pc: u64) -> (Option<u64>, u64) {
    let Some(base) = p.module_at(pc).map(|m| m.base) else { return (None, 0) };
    (unwind::lookup_function_entry(&p.cpu, base, pc), base)
}

/// RtlLookupFunctionEntry(ControlPc, ImageBase, HistoryTable): the RUNTIME_FUNCTION in the
/// `.pdata` of the module containing ControlPc that covers it, by binary search, with
/// *ImageBase set to the module's base; NULL for a leaf function (no entry) or an address
/// outside every module (*ImageBase then 0). The history table is not used.
fn rtl_lookup_function_entry(p: &mut Process) -> ApiResult {
    let (pc, base_out) = (p.arg(0), p.arg(1));
    let (entry, base) = lookup_function_entry(p, pc);
    if base_out != 0 {
        let _ = p.cpu.write_u64(base_out, base);
    }
    ApiResult::Return(entry.unwrap_or(0))
}

/// RtlPcToFileHeader(PcValue, BaseOfImage): the base of the module containing PcValue
/// (also stored in *BaseOfImage), or NULL. `_CxxThrowException` uses it to find the image
/// its throw information is relative to.
fn rtl_pc_to_file_header(p: &mut Process) -> ApiResult {
    let (pc, out) = (p.arg(0), p.arg(1));
    let base = p.module_at(pc).map(|m| m.base).unwrap_or(0);
    let _ = p.cpu.write_u64(out, base);
    ApiResult::Return(base)
}

/// RtlVirtualUnwind(HandlerType, ImageBase, ControlPc, FunctionEntry, ContextRecord,
/// HandlerData, EstablisherFrame, ContextPointers): unwinds ContextRecord by one frame
/// (see [`unwind::virtual_unwind`]), fills *EstablisherFrame, the
/// KNONVOLATILE_CONTEXT_POINTERS if given, and returns the exception or termination
/// handler (with *HandlerData) or NULL. Unwind data crtlab cannot read (an unknown version
/// or operation, unmapped memory) raises STATUS_BAD_FUNCTION_TABLE (c00000ff) at the call,
/// so the debugger shows where.
fn rtl_virtual_unwind(p: &mut Process) -> ApiResult {
    let (handler_type, base, pc, entry) = (p.arg(0) as u32, p.arg(1), p.arg(2), p.arg(3));
    let (ctx, data_out, frame_out, pointers) = (p.arg(4), p.arg(5), p.arg(6), p.arg(7));
    // Only the integer and XMM registers and Rip matter (and change); a context that is
    // not all readable is read as far as it goes, the rest zero.
    let mut c = Context::read(&p.cpu, ctx).unwrap_or_else(|_| {
        let mut c = Context::default();
        for i in 0..16 {
            c.set_gpr(i, p.cpu.read_u64(ctx + OFF_GPR + 8 * i as u64).unwrap_or(0));
            if let Ok(v) = p.cpu.read_vec(ctx + OFF_XMM + 16 * i as u64, 16) {
                c.set_xmm(i, &v.try_into().unwrap());
            }
        }
        c
    });
    let mut ptrs = ContextPointers::default();
    let Ok(unwound) = unwind::virtual_unwind(&p.cpu, handler_type, base, pc, entry, &mut c, Some(&mut ptrs)) else {
        return ApiResult::Raise { code: BAD_FUNCTION_TABLE, params: vec![] };
    };
    for i in 0..16 {
        let _ = p.cpu.write_u64(ctx + OFF_GPR + 8 * i as u64, c.gpr(i));
        let _ = p.cpu.write(ctx + OFF_XMM + 16 * i as u64, &c.xmm(i));
    }
    let _ = p.cpu.write_u64(ctx + OFF_RIP, c.rip());
    if frame_out != 0 {
        let _ = p.cpu.write_u64(frame_out, unwound.establisher);
    }
    if data_out != 0 && unwound.handler != 0 {
        let _ = p.cpu.write_u64(data_out, unwound.handler_data);
    }
    if pointers != 0 {
        // FloatingContext[16] then IntegerContext[16].
        for i in 0..16 {
            if let Some(a) = ptrs.xmm[i] {
                let _ = p.cpu.write_u64(pointers + 8 * i as u64, a);
            }
            if let Some(a) = ptrs.gpr[i] {
                let _ = p.cpu.write_u64(pointers + 0x80 + 8 * i as u64, a);
            }
        }
    }
    ApiResult::Return(unwound.handler)
}
