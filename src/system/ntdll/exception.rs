//! Exception dispatching and unwinding in ntdll, shaped like Windows x64's:
//!
//! * `KiUserExceptionDispatcher` is where the thread continues when the debugger passes a
//!   first-chance exception on: the "kernel" (`Process::dispatch_exception`) has pushed a
//!   machine frame, the EXCEPTION_RECORD at rsp+0x4f0 and the CONTEXT at rsp. It calls
//!   `RtlDispatchException(record, context)`; TRUE continues in the context
//!   (`RtlRestoreContext`), FALSE raises the exception again, second chance
//!   (`NtRaiseException(record, context, FALSE)`), which the debugger reports.
//! * `RtlDispatchException` and `RtlUnwindEx` are loops in synthetic code around internal
//!   traps (`RtlpDispatchStep`, `RtlpUnwindStep`) that run the state machines of
//!   [`crate::system::seh::machine`]; the handlers themselves are called on the guest's
//!   stack through `RtlpExecuteHandlerForException`/`ForUnwind`, whose frames carry the
//!   nested-exception and collided-unwind handlers (`RtlpExceptionHandler`,
//!   `RtlpUnwindHandler`).
//!
//! All of it is placed after ntdll's older functions, so no address the transcripts show
//! moves.

use unicorn_engine::RegisterX86;

use super::MODULE;
use crate::layout::{STACK_BASE, STACK_RESERVE};
use crate::process::memory::GuestMemory;
use crate::process::{ExceptionEvent, Process};
use crate::system::seh::context::{Context, CONTEXT_ALL, OFF_GPR, OFF_XMM};
use crate::system::seh::machine::{self, dispatch_layout, unwind_layout, Step, UnwindArgs, EXECUTE_HANDLER_FRAME, EXECUTE_HANDLER_SAVED_DC};
use crate::system::seh::unwind::{UNW_FLAG_EHANDLER, UNW_FLAG_UHANDLER};
use crate::system::seh::{code, Env, ExceptionRecord};
use crate::system::synth::{Frame, Function};
use crate::system::{status, Api, ApiResult, ApiTable};

/// The handlers registered here, placed after all of ntdll's older code.
pub const HANDLERS: &[&str] = &[
    "RtlpDispatchStep",
    "RtlpUnwindStep",
    "RtlpExceptionHandler",
    "RtlpUnwindHandler",
    "RtlRestoreContext",
    "NtRaiseException",
    "RtlRaiseException",
];

/// KiUserExceptionDispatcher's frame: the CONTEXT at rsp, the EXCEPTION_RECORD at
/// rsp+0x4f0, the machine frame (Rip, SegCs, EFlags, Rsp, SegSs) at rsp+0x590.
pub const DISPATCHER_RECORD: u64 = 0x4f0;
pub const DISPATCHER_MACHINE_FRAME: u64 = 0x590;

fn internal(t: &mut ApiTable, name: &'static str, handler: crate::system::Handler) {
    t.add(Api { module: MODULE, name, handler, first: None, rva: None, nt_number: None, internal: true });
}

pub fn register(t: &mut ApiTable) {
    internal(t, "RtlpDispatchStep", dispatch_step);
    internal(t, "RtlpUnwindStep", unwind_step);
    internal(t, "RtlpExceptionHandler", exception_handler);
    internal(t, "RtlpUnwindHandler", unwind_handler);
    t.simple(MODULE, "RtlRestoreContext", rtl_restore_context);
    t.simple(MODULE, "NtRaiseException", nt_raise_exception);
    t.simple(MODULE, "RtlRaiseException", rtl_raise_exception);
}

fn with_env<T>(p: &mut Process, f: impl FnOnce(&mut Env<crate::process::cpu::Cpu>) -> T) -> T {
    let images: Vec<(u64, u64)> = p.modules.iter().map(|m| (m.base, m.size)).collect();
    let mut env = Env { mem: &mut p.cpu, images: &images, stack: (STACK_BASE - STACK_RESERVE, STACK_BASE) };
    f(&mut env)
}

/// Carries out a machine step from inside a step trap (rsp at the trap's return address).
fn apply_step(p: &mut Process, step: Step) -> ApiResult {
    match step {
        Step::Call { args } => {
            for (r, v) in [RegisterX86::RCX, RegisterX86::RDX, RegisterX86::R8, RegisterX86::R9].iter().zip(args) {
                p.cpu.set_reg(*r, v);
            }
            ApiResult::Return(1)
        }
        Step::Return(handled) => {
            p.cpu.set_reg(RegisterX86::RCX, u64::from(handled));
            ApiResult::Return(0)
        }
        Step::Continue(ctx) => ApiResult::Restore(ctx),
        Step::Raise { record, note } => {
            if let Some(n) = note {
                p.console.debug_string(n + "\n");
            }
            // Raised by the loop itself: back in its code, after the trap's call.
            let rsp = p.cpu.rsp();
            let ret = p.cpu.read_u64(rsp).unwrap_or(0);
            p.cpu.set_rsp(rsp + 8);
            p.cpu.set_rip(ret);
            ApiResult::RaiseEvent(Box::new(ExceptionEvent { address: ret, ..event_of(&record) }))
        }
    }
}

fn event_of(r: &ExceptionRecord) -> ExceptionEvent {
    ExceptionEvent { flags: r.flags, record: r.record, ..ExceptionEvent::new(r.code, r.address, r.params.clone()) }
}

/// RtlDispatchException's "what next": the first call (phase 0) gets the record and the
/// context in rcx/rdx; later ones the disposition of the handler just called in ecx.
fn dispatch_step(p: &mut Process) -> ApiResult {
    let state = p.cpu.rsp() + 8 + dispatch_layout::STATE;
    let (rcx, rdx) = (p.arg(0), p.arg(1));
    let step = with_env(p, |env| {
        if machine::phase(&*env.mem, state + dispatch_layout::PHASE) == 0 {
            machine::dispatch_begin(env, state, rcx, rdx)
        } else {
            machine::dispatch_resume(env, state, rcx as u32)
        }
    });
    apply_step(p, step)
}

/// RtlUnwindEx's "what next": the first call sees RtlUnwindEx's own arguments in
/// rcx/rdx/r8/r9 and its context (the caller's nonvolatile registers are untouched);
/// later ones the disposition of the termination handler just called, in ecx.
fn unwind_step(p: &mut Process) -> ApiResult {
    let rsp = p.cpu.rsp();
    let state = rsp + 8 + unwind_layout::STATE;
    let args = UnwindArgs { target_frame: p.arg(0), target_ip: p.arg(1), record: p.arg(2), return_value: p.arg(3) };
    let mut captured = Context::capture(&p.cpu, CONTEXT_ALL);
    captured.set_rip(p.cpu.read_u64(rsp).unwrap_or(0));
    captured.set_rsp(rsp + 8);
    let step = with_env(p, |env| {
        if machine::phase(&*env.mem, state + unwind_layout::PHASE) == 0 {
            machine::unwind_begin(env, state, args, &captured)
        } else {
            machine::unwind_resume(env, state, args.target_frame as u32)
        }
    });
    apply_step(p, step)
}

/// RtlpExceptionHandler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext).
fn exception_handler(p: &mut Process) -> ApiResult {
    let (rec, frame, dc) = (p.arg(0), p.arg(1), p.arg(3));
    ApiResult::Return(u64::from(machine::nested_exception_handler(&mut p.cpu, rec, frame, dc)))
}

/// RtlpUnwindHandler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext).
fn unwind_handler(p: &mut Process) -> ApiResult {
    let (rec, frame, dc) = (p.arg(0), p.arg(1), p.arg(3));
    ApiResult::Return(u64::from(machine::collided_unwind_handler(&mut p.cpu, rec, frame, dc)))
}

/// RtlRestoreContext(ContextRecord, ExceptionRecord): continues the thread in the context
/// (for STATUS_LONGJUMP, with the registers of the jump buffer).
fn rtl_restore_context(p: &mut Process) -> ApiResult {
    let (ctx, rec) = (p.arg(0), p.arg(1));
    if rec != 0 && p.cpu.read_u32(rec).ok() == Some(code::UNWIND_CONSOLIDATE) {
        p.console.debug_string("crtlab: RtlRestoreContext with STATUS_UNWIND_CONSOLIDATE (a C++ catch) is not supported\n".into());
        return ApiResult::RaiseEvent(Box::new(ExceptionEvent { flags: 1, record: rec, ..ExceptionEvent::new(code::INVALID_UNWIND_TARGET, p.cpu.rip(), vec![]) }));
    }
    match Context::read(&p.cpu, ctx) {
        Ok(mut c) => {
            let _ = machine::apply_jump_buffer(&p.cpu, rec, &mut c);
            ApiResult::Restore(Box::new(c))
        }
        Err(_) => ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, ctx] },
    }
}

/// NtRaiseException(ExceptionRecord, ContextRecord, FirstChance): the exception goes to
/// the debugger, the thread in the context. KiUserExceptionDispatcher calls it with
/// FirstChance = FALSE when no handler took the exception: the second chance.
fn nt_raise_exception(p: &mut Process) -> ApiResult {
    let (rec, ctx, first) = (p.arg(0), p.arg(1), p.arg(2) as u8 != 0);
    let (Ok(r), Ok(c)) = (ExceptionRecord::read(&p.cpu, rec), Context::read(&p.cpu, ctx)) else {
        return ApiResult::Return(u64::from(status::ACCESS_VIOLATION));
    };
    c.apply(&mut p.cpu);
    ApiResult::RaiseEvent(Box::new(ExceptionEvent { second_chance: !first, ..event_of(&r) }))
}

/// RtlRaiseException(ExceptionRecord): raises the caller's record, first chance, from here
/// (its ExceptionAddress is set to this point, as Windows sets it to the raise point).
fn rtl_raise_exception(p: &mut Process) -> ApiResult {
    let rec = p.arg(0);
    let rip = p.cpu.rip();
    let Ok(mut r) = ExceptionRecord::read(&p.cpu, rec) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, rec] };
    };
    let _ = p.cpu.write_u64(rec + 0x10, rip);
    r.address = rip;
    ApiResult::RaiseEvent(Box::new(event_of(&r)))
}

fn func(name: &str, frame: Frame, body: crate::system::synth::Body) -> Function {
    Function { name: name.to_string(), rva: None, frame, body }
}

/// UNWIND_CODEs of KiUserExceptionDispatcher's frame: the nonvolatile registers come from
/// the CONTEXT at rsp, then rsp moves to the machine frame, which gives Rip and Rsp.
fn dispatcher_unwind_codes() -> Vec<u16> {
    let mut codes = Vec::new();
    for reg in [3u16, 5, 6, 7, 12, 13, 14, 15] {
        // UWOP_SAVE_NONVOL from CONTEXT.Rbx ...
        codes.push((4 << 8) | (reg << 12));
        codes.push(((OFF_GPR + 8 * u64::from(reg)) / 8) as u16);
    }
    for reg in 6u16..16 {
        // UWOP_SAVE_XMM128 from CONTEXT.Xmm6 ...
        codes.push((8 << 8) | (reg << 12));
        codes.push(((OFF_XMM + 16 * u64::from(reg)) / 16) as u16);
    }
    // UWOP_ALLOC_LARGE 0x590, then UWOP_PUSH_MACHFRAME (no error code).
    codes.push(1 << 8);
    codes.push((DISPATCHER_MACHINE_FRAME / 8) as u16);
    codes.push(10 << 8);
    codes
}

/// The synthetic functions, as (name, exported) pairs with their code.
pub fn functions() -> Vec<(Function, bool)> {
    use iced_x86::code_asm::*;
    let mut v = Vec::new();
    // KiUserExceptionDispatcher, in the shape of Windows 10's.
    v.push((
        func(
            "KiUserExceptionDispatcher",
            Frame::prebuilt(dispatcher_unwind_codes()),
            Box::new(|a, s| {
                let mut unhandled = a.create_label();
                a.cld()?;
                a.mov(rcx, rsp)?;
                a.add(rcx, DISPATCHER_RECORD as i32)?;
                a.mov(rdx, rsp)?;
                a.call(s.addr("RtlDispatchException"))?;
                a.test(al, al)?;
                a.je(unhandled)?;
                a.mov(rcx, rsp)?;
                a.xor(edx, edx)?;
                a.call(s.addr("RtlRestoreContext"))?;
                a.set_label(&mut unhandled)?;
                a.mov(rcx, rsp)?;
                a.add(rcx, DISPATCHER_RECORD as i32)?;
                a.mov(rdx, rsp)?;
                a.xor(r8d, r8d)?;
                a.call(s.addr("NtRaiseException"))?;
                a.int3()
            }),
        ),
        true,
    ));
    // RtlDispatchException(ExceptionRecord, ContextRecord) -> BOOLEAN.
    let dispatch_frame = Frame::alloc(dispatch_layout::FRAME);
    v.push((
        func(
            "RtlDispatchException",
            dispatch_frame.clone(),
            Box::new(move |a, s| {
                let mut next = a.create_label();
                let mut done = a.create_label();
                a.and(dword_ptr(rsp + (dispatch_layout::STATE + dispatch_layout::PHASE) as i32), 0)?;
                a.call(s.addr("RtlpDispatchStep"))?;
                a.set_label(&mut next)?;
                a.test(rax, rax)?;
                a.je(done)?;
                a.call(s.addr("RtlpExecuteHandlerForException"))?;
                // The disposition goes in ecx: the trap's stub uses eax.
                a.mov(ecx, eax)?;
                a.call(s.addr("RtlpDispatchStep"))?;
                a.jmp(next)?;
                a.set_label(&mut done)?;
                a.mov(eax, ecx)?;
                crate::system::synth::bodies::epilog(a, &dispatch_frame)
            }),
        ),
        false,
    ));
    // RtlpExecuteHandlerForException/ForUnwind(ExceptionRecord, EstablisherFrame,
    // ContextRecord, DispatcherContext): call DispatcherContext->LanguageHandler, keeping
    // the DISPATCHER_CONTEXT pointer in the frame for the nested/collided handler.
    for (name, kind, handler) in [
        ("RtlpExecuteHandlerForException", UNW_FLAG_EHANDLER as u8, "RtlpExceptionHandler"),
        ("RtlpExecuteHandlerForUnwind", UNW_FLAG_UHANDLER as u8, "RtlpUnwindHandler"),
    ] {
        let frame = Frame::alloc(EXECUTE_HANDLER_FRAME).with_handler(kind, handler);
        v.push((
            func(
                name,
                frame.clone(),
                Box::new(move |a, _| {
                    a.mov(qword_ptr(rsp + EXECUTE_HANDLER_SAVED_DC as i32), r9)?;
                    a.call(qword_ptr(r9 + 0x30))?;
                    a.nop()?;
                    crate::system::synth::bodies::epilog(a, &frame)
                }),
            ),
            false,
        ));
    }
    // RtlUnwindEx(TargetFrame, TargetIp, ExceptionRecord, ReturnValue, ContextRecord,
    // HistoryTable): never returns; the last step continues the thread at TargetIp.
    v.push((
        func(
            "RtlUnwindEx",
            Frame::alloc(unwind_layout::FRAME),
            Box::new(|a, s| {
                let mut next = a.create_label();
                a.and(dword_ptr(rsp + (unwind_layout::STATE + unwind_layout::PHASE) as i32), 0)?;
                a.call(s.addr("RtlpUnwindStep"))?;
                a.set_label(&mut next)?;
                a.call(s.addr("RtlpExecuteHandlerForUnwind"))?;
                a.mov(ecx, eax)?;
                a.call(s.addr("RtlpUnwindStep"))?;
                a.jmp(next)
            }),
        ),
        true,
    ));
    // RtlUnwind(TargetFrame, TargetIp, ExceptionRecord, ReturnValue) =
    // RtlUnwindEx(..., NULL, NULL).
    let unwind_frame = Frame::alloc(0x38);
    v.push((
        func(
            "RtlUnwind",
            unwind_frame.clone(),
            Box::new(move |a, s| {
                a.and(qword_ptr(rsp + 0x28), 0)?;
                a.and(qword_ptr(rsp + 0x20), 0)?;
                a.call(s.addr("RtlUnwindEx"))?;
                crate::system::synth::bodies::epilog(a, &unwind_frame)
            }),
        ),
        true,
    ));
    v
}

/// Where the kernel would put the exception frame for a thread whose rsp is `rsp`: below
/// it, 16-byte aligned, with the machine frame on top.
pub fn dispatcher_frame(rsp: u64) -> u64 {
    (rsp & !0xf) - 0x30 - DISPATCHER_MACHINE_FRAME
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::NTDLL_BASE;
    use crate::process::memory::{Prot, SparseMemory};
    use crate::system::seh::unwind::{lookup_function_entry, virtual_unwind, UNW_FLAG_EHANDLER};
    use crate::system::synth::build;

    fn ntdll() -> (SparseMemory, crate::system::synth::BuiltModule) {
        let m = build(super::super::spec(&ApiTable::new())).unwrap();
        let mut mem = SparseMemory::new();
        mem.map(NTDLL_BASE, m.image.len() as u64, Prot::RWX).unwrap();
        mem.write(NTDLL_BASE, &m.image).unwrap();
        (mem, m)
    }

    fn sym(m: &crate::system::synth::BuiltModule, name: &str) -> u64 {
        NTDLL_BASE + u64::from(m.symbols.iter().find(|s| s.2 == name).unwrap().0)
    }

    /// Unwinding KiUserExceptionDispatcher's frame gives the faulting context back: the
    /// nonvolatile registers from the CONTEXT, Rip and Rsp from the machine frame.
    #[test]
    fn the_dispatcher_frame_unwinds_to_the_faulting_context() {
        let (mut mem, m) = ntdll();
        mem.map(0x10_0000, 0x2_0000, Prot::RW).unwrap();
        let fault_rsp = 0x11_f008;
        let frame = dispatcher_frame(fault_rsp);
        assert_eq!(frame % 16, 0);
        assert!(frame + DISPATCHER_MACHINE_FRAME + 0x28 <= fault_rsp);
        let mut fault = Context::default();
        fault.set_rip(0x1_4000_1234);
        fault.set_rsp(fault_rsp);
        for (i, v) in [(3, 0x33), (5, 0x55), (6, 0x66), (7, 0x77), (12, 0xc), (13, 0xd), (14, 0xe), (15, 0xf)] {
            fault.set_gpr(i, v);
        }
        fault.set_xmm(6, &[6; 16]);
        fault.set_xmm(15, &[15; 16]);
        fault.write(&mut mem, frame).unwrap();
        for (i, v) in [fault.rip(), 0x33, 0x246, fault_rsp, 0x2b].iter().enumerate() {
            mem.write_u64(frame + DISPATCHER_MACHINE_FRAME + 8 * i as u64, *v).unwrap();
        }

        // In the dispatcher, after its call of RtlDispatchException, with other values in
        // the registers.
        let pc = sym(&m, "KiUserExceptionDispatcher") + 0x13;
        let entry = lookup_function_entry(&mem, NTDLL_BASE, pc).expect("KiUserExceptionDispatcher has unwind data");
        let mut c = Context::default();
        c.set_rip(pc);
        c.set_rsp(frame);
        c.set_gpr(3, 0xdead);
        let u = virtual_unwind(&mem, UNW_FLAG_EHANDLER, NTDLL_BASE, pc, entry, &mut c, None).unwrap();
        assert_eq!(u.handler, 0);
        assert_eq!(u.establisher, frame);
        assert_eq!((c.rip(), c.rsp()), (0x1_4000_1234, fault_rsp));
        for i in [3, 5, 6, 7, 12, 13, 14, 15] {
            assert_eq!(c.gpr(i), fault.gpr(i), "register {i}");
        }
        assert_eq!(c.xmm(6), [6; 16]);
        assert_eq!(c.xmm(15), [15; 16]);
    }

    /// The handler-calling frames carry ntdll's own handlers, of the right kind.
    #[test]
    fn the_execute_handler_frames_name_their_handlers() {
        let (mut mem, m) = ntdll();
        mem.map(0x10_0000, 0x1000, Prot::RW).unwrap();
        for (name, kind, handler) in [
            ("RtlpExecuteHandlerForException", UNW_FLAG_EHANDLER, "RtlpExceptionHandler"),
            ("RtlpExecuteHandlerForUnwind", UNW_FLAG_UHANDLER, "RtlpUnwindHandler"),
        ] {
            let pc = sym(&m, name) + 0xd;
            let entry = lookup_function_entry(&mem, NTDLL_BASE, pc).unwrap();
            let mut c = Context::default();
            c.set_rsp(0x10_0800);
            let u = virtual_unwind(&mem, kind, NTDLL_BASE, pc, entry, &mut c, None).unwrap();
            assert_eq!(u.handler, sym(&m, handler), "{name}");
            assert_eq!(c.rsp(), 0x10_0800 + u64::from(EXECUTE_HANDLER_FRAME) + 8);
            let other = if kind == UNW_FLAG_EHANDLER { UNW_FLAG_UHANDLER } else { UNW_FLAG_EHANDLER };
            let mut c = Context::default();
            c.set_rsp(0x10_0800);
            assert_eq!(virtual_unwind(&mem, other, NTDLL_BASE, pc, entry, &mut c, None).unwrap().handler, 0);
        }
    }
}
