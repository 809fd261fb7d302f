//! The dispatch and unwind state machines behind ntdll's synthetic `RtlDispatchException`
//! and `RtlUnwindEx` loops. Each loop keeps a state block in its own stack frame and traps
//! into Rust (`RtlpDispatchStep`, `RtlpUnwindStep`) to learn what to do next: call the
//! next frame's language handler (through `RtlpExecuteHandlerForException` or
//! `RtlpExecuteHandlerForUnwind`, whose frames carry the nested-exception and
//! collided-unwind handlers, as on Windows), return, continue in a context, or raise.
//! The algorithms are ntdll's (see Wine's and ReactOS's x64 RtlDispatchException and
//! RtlUnwindEx): the faulting context is copied, unwound frame by frame with
//! [`virtual_unwind`], and every frame whose UNWIND_INFO has the requested handler flag is
//! offered the exception, with a DISPATCHER_CONTEXT that describes it.

use super::context::{Context, RAX};
use super::unwind::{virtual_unwind, UNW_FLAG_EHANDLER, UNW_FLAG_NHANDLER, UNW_FLAG_UHANDLER};
use super::{code, disposition, flags, record_flags, set_record_flags, DispatcherContext, Env, ExceptionRecord};
use crate::process::memory::{GuestMemory, MemError};

/// More frames than any guest stack has: a walk that goes on longer is looping.
const MAX_FRAMES: usize = 100_000;

/// RtlDispatchException's frame: `sub rsp, FRAME`; the state block sits above the home
/// area of the calls it makes.
pub mod dispatch_layout {
    pub const FRAME: u32 = 0x568;
    pub const STATE: u64 = 0x20;
    /// The walking copy of the context (ContextRecord1 in ntdll), 16-byte aligned.
    pub const CONTEXT: u64 = 0;
    pub const DC: u64 = 0x4d0;
    pub const REC: u64 = 0x520;
    pub const CTX: u64 = 0x528;
    pub const NESTED: u64 = 0x530;
    pub const PHASE: u64 = 0x538;
    pub const SIZE: u64 = 0x540;
}

/// RtlUnwindEx's frame: `sub rsp, FRAME`, state above the home area.
pub mod unwind_layout {
    pub const FRAME: u32 = 0xad8;
    pub const STATE: u64 = 0x20;
    /// The context of the frame being unwound (what its handler gets).
    pub const CONTEXT: u64 = 0;
    /// The same context unwound once: the caller's.
    pub const NEW_CONTEXT: u64 = 0x4d0;
    pub const DC: u64 = 0x9a0;
    /// The STATUS_UNWIND record used when the caller passes none.
    pub const LOCAL_REC: u64 = 0x9f0;
    pub const TARGET_FRAME: u64 = 0xa88;
    pub const TARGET_IP: u64 = 0xa90;
    pub const REC: u64 = 0xa98;
    pub const RETURN_VALUE: u64 = 0xaa0;
    pub const PHASE: u64 = 0xaa8;
    pub const SIZE: u64 = 0xab0;
}

/// RtlpExecuteHandlerForException/ForUnwind: `sub rsp, 28h; mov [rsp+20h], r9`, so the
/// DISPATCHER_CONTEXT of the dispatch or unwind in progress is at EstablisherFrame + 0x20.
pub const EXECUTE_HANDLER_FRAME: u32 = 0x28;
pub const EXECUTE_HANDLER_SAVED_DC: u64 = 0x20;

/// What the synthetic loop does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Call the language handler in DISPATCHER_CONTEXT.LanguageHandler as
    /// `handler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext)`; its
    /// disposition is the input of the next step.
    Call { args: [u64; 4] },
    /// RtlDispatchException returns this (TRUE: continue in the possibly modified context).
    Return(bool),
    /// The unwind is complete: the thread continues in this context.
    Continue(Box<Context>),
    /// Raise a new exception from inside the dispatcher or the unwinder (chained to the
    /// one being handled), with a note for the debugger when crtlab cannot go on.
    Raise { record: ExceptionRecord, note: Option<String> },
}

enum Fault {
    Memory(MemError),
    Unwind,
}

impl From<MemError> for Fault {
    fn from(e: MemError) -> Self {
        Fault::Memory(e)
    }
}

impl From<super::unwind::BadUnwindData> for Fault {
    fn from(_: super::unwind::BadUnwindData) -> Self {
        Fault::Unwind
    }
}

type R<T> = Result<T, Fault>;

fn raise(code: u32, chained: u64) -> Step {
    Step::Raise { record: ExceptionRecord { code, flags: flags::NONCONTINUABLE, record: chained, address: 0, params: vec![] }, note: None }
}

fn fault_step(f: Fault, chained: u64) -> Step {
    match f {
        Fault::Memory(MemError::Read(a)) => Step::Raise {
            record: ExceptionRecord { code: crate::system::status::ACCESS_VIOLATION, flags: flags::NONCONTINUABLE, record: chained, address: 0, params: vec![0, a] },
            note: None,
        },
        Fault::Memory(MemError::Write(a)) => Step::Raise {
            record: ExceptionRecord { code: crate::system::status::ACCESS_VIOLATION, flags: flags::NONCONTINUABLE, record: chained, address: 0, params: vec![1, a] },
            note: None,
        },
        Fault::Memory(_) | Fault::Unwind => raise(code::BAD_FUNCTION_TABLE, chained),
    }
}

// --- RtlDispatchException ----------------------------------------------------------------

/// The phase word of a loop's state: 0 when the loop has just started (the synthetic code
/// clears it), 1 afterwards.
pub fn phase(m: &(impl GuestMemory + ?Sized), phase_addr: u64) -> u32 {
    m.read_u32(phase_addr).unwrap_or(0)
}

/// RtlDispatchException(ExceptionRecord, ContextRecord) starts: copy the context and look
/// for the first frame with an exception handler.
pub fn dispatch_begin<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64, rec: u64, ctx: u64) -> Step {
    use dispatch_layout::*;
    let r = (|| -> R<Step> {
        let c = Context::read(&*env.mem, ctx)?;
        c.write(env.mem, state + CONTEXT)?;
        env.mem.write_u64(state + REC, rec)?;
        env.mem.write_u64(state + CTX, ctx)?;
        env.mem.write_u64(state + NESTED, 0)?;
        env.mem.write_u32(state + PHASE, 1)?;
        DispatcherContext { context_record: state + CONTEXT, ..Default::default() }.write(env.mem, state + DC)?;
        dispatch_next(env, state)
    })();
    r.unwrap_or_else(|f| fault_step(f, rec))
}

/// A handler called by the dispatch loop returned `disp`.
pub fn dispatch_resume<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64, disp: u32) -> Step {
    use dispatch_layout::*;
    let rec = env.mem.read_u64(state + REC).unwrap_or(0);
    let r = (|| -> R<Step> {
        let orig = env.mem.read_u64(state + CTX)?;
        let dc = DispatcherContext::read(&*env.mem, state + DC)?;
        let mut nested = env.mem.read_u64(state + NESTED)?;
        let mut f = record_flags(&*env.mem, rec)?;
        if nested != 0 && nested == dc.establisher_frame {
            // Back at the frame the nested exception came from: it is a plain one again.
            f &= !flags::NESTED_CALL;
            nested = 0;
        }
        let step = match disp {
            disposition::CONTINUE_EXECUTION => {
                if f & flags::NONCONTINUABLE != 0 {
                    raise(code::NONCONTINUABLE_EXCEPTION, rec)
                } else {
                    Step::Return(true)
                }
            }
            disposition::CONTINUE_SEARCH => {
                if f & flags::STACK_INVALID != 0 {
                    Step::Return(false)
                } else {
                    set_record_flags(env.mem, rec, f)?;
                    env.mem.write_u64(state + NESTED, nested)?;
                    return dispatch_next(env, state);
                }
            }
            disposition::NESTED_EXCEPTION => {
                // An exception raised while an earlier dispatch's handler ran: search on,
                // marking the frames up to that handler's frame as nested calls.
                f |= flags::NESTED_CALL;
                if dc.establisher_frame > nested {
                    nested = dc.establisher_frame;
                }
                set_record_flags(env.mem, rec, f)?;
                env.mem.write_u64(state + NESTED, nested)?;
                return dispatch_next(env, state);
            }
            disposition::COLLIDED_UNWIND => {
                // Dispatching across an unwind in progress: go on from the frame the unwind
                // had reached (the handler copied its DISPATCHER_CONTEXT into ours).
                set_record_flags(env.mem, rec, f)?;
                env.mem.write_u64(state + NESTED, nested)?;
                let mut c = Context::read(&*env.mem, dc.context_record)?;
                virtual_unwind(&*env.mem, UNW_FLAG_NHANDLER, dc.image_base, dc.control_pc, dc.function_entry, &mut c, None)?;
                c.write(env.mem, state + CONTEXT)?;
                let dc = DispatcherContext { context_record: state + CONTEXT, ..dc };
                dc.write(env.mem, state + DC)?;
                if !env.in_stack(dc.establisher_frame) {
                    set_record_flags(env.mem, rec, f | flags::STACK_INVALID)?;
                    return Ok(Step::Return(false));
                }
                if dc.language_handler != 0 {
                    return Ok(Step::Call { args: [rec, dc.establisher_frame, orig, state + DC] });
                }
                return dispatch_next(env, state);
            }
            _ => raise(code::INVALID_DISPOSITION, rec),
        };
        set_record_flags(env.mem, rec, f)?;
        env.mem.write_u64(state + NESTED, nested)?;
        Ok(step)
    })();
    r.unwrap_or_else(|f| fault_step(f, rec))
}

/// Unwinds the walking context frame by frame until a frame has an exception handler (a
/// Call step) or the stack ends (Return(false)).
fn dispatch_next<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64) -> R<Step> {
    use dispatch_layout::*;
    let rec = env.mem.read_u64(state + REC)?;
    let orig = env.mem.read_u64(state + CTX)?;
    for _ in 0..MAX_FRAMES {
        let mut c = Context::read(&*env.mem, state + CONTEXT)?;
        let pc = c.rip();
        // The thread's first frame returns to 0; an address in no image ends the walk too.
        let Some((entry, base)) = env.function_entry(pc) else { return Ok(Step::Return(false)) };
        let Ok(u) = virtual_unwind(&*env.mem, UNW_FLAG_EHANDLER, base, pc, entry, &mut c, None) else {
            return Ok(Step::Return(false));
        };
        c.write(env.mem, state + CONTEXT)?;
        if !env.in_stack(u.establisher) {
            let f = record_flags(&*env.mem, rec)?;
            set_record_flags(env.mem, rec, f | flags::STACK_INVALID)?;
            return Ok(Step::Return(false));
        }
        if u.handler != 0 {
            let dc = DispatcherContext {
                control_pc: pc,
                image_base: base,
                function_entry: entry,
                establisher_frame: u.establisher,
                target_ip: 0,
                context_record: state + CONTEXT,
                language_handler: u.handler,
                handler_data: u.handler_data,
                history_table: 0,
                scope_index: 0,
            };
            dc.write(env.mem, state + DC)?;
            return Ok(Step::Call { args: [rec, u.establisher, orig, state + DC] });
        }
        if c.rsp() >= env.stack.1 {
            break;
        }
    }
    Ok(Step::Return(false))
}

// --- RtlUnwindEx -------------------------------------------------------------------------

/// RtlUnwindEx's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnwindArgs {
    pub target_frame: u64,
    pub target_ip: u64,
    pub record: u64,
    pub return_value: u64,
}

/// RtlUnwindEx starts in `captured`, its own context (rip inside RtlUnwindEx).
pub fn unwind_begin<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64, args: UnwindArgs, captured: &Context) -> Step {
    use unwind_layout::*;
    let r = (|| -> R<Step> {
        let rec = if args.record == 0 {
            let local = ExceptionRecord { code: code::UNWIND, address: captured.rip(), ..Default::default() };
            local.write(env.mem, state + LOCAL_REC)?;
            state + LOCAL_REC
        } else {
            args.record
        };
        if env.mem.read_u32(rec)? == code::UNWIND_CONSOLIDATE {
            return Ok(Step::Raise {
                record: ExceptionRecord { code: code::INVALID_UNWIND_TARGET, flags: flags::NONCONTINUABLE, record: rec, address: 0, params: vec![] },
                note: Some("crtlab: RtlUnwindEx with STATUS_UNWIND_CONSOLIDATE (a C++ catch) is not supported".into()),
            });
        }
        let exit = if args.target_frame == 0 { flags::EXIT_UNWIND } else { 0 };
        let f = record_flags(&*env.mem, rec)?;
        set_record_flags(env.mem, rec, f | flags::UNWINDING | exit)?;
        env.mem.write_u64(state + TARGET_FRAME, args.target_frame)?;
        env.mem.write_u64(state + TARGET_IP, args.target_ip)?;
        env.mem.write_u64(state + REC, rec)?;
        env.mem.write_u64(state + RETURN_VALUE, args.return_value)?;
        env.mem.write_u32(state + PHASE, 1)?;
        captured.write(env.mem, state + CONTEXT)?;
        captured.write(env.mem, state + NEW_CONTEXT)?;
        DispatcherContext { target_ip: args.target_ip, context_record: state + CONTEXT, ..Default::default() }.write(env.mem, state + DC)?;
        unwind_next(env, state)
    })();
    r.unwrap_or_else(|f| fault_step(f, args.record))
}

/// A handler called by the unwind loop returned `disp`.
pub fn unwind_resume<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64, disp: u32) -> Step {
    use unwind_layout::*;
    let rec = env.mem.read_u64(state + REC).unwrap_or(0);
    let r = (|| -> R<Step> {
        match disp {
            disposition::CONTINUE_SEARCH => match after_handler(env, state)? {
                Some(step) => Ok(step),
                None => unwind_next(env, state),
            },
            disposition::COLLIDED_UNWIND => {
                // This unwind ran into an earlier one (an exception in a termination handler,
                // handled further up): take over where the earlier one was, and call that
                // frame's handler again (its ScopeIndex says what already ran).
                let dc = DispatcherContext::read(&*env.mem, state + DC)?;
                let c = Context::read(&*env.mem, dc.context_record)?;
                c.write(env.mem, state + CONTEXT)?;
                let mut nc = c.clone();
                virtual_unwind(&*env.mem, UNW_FLAG_NHANDLER, dc.image_base, dc.control_pc, dc.function_entry, &mut nc, None)?;
                nc.write(env.mem, state + NEW_CONTEXT)?;
                DispatcherContext { context_record: state + CONTEXT, ..dc }.write(env.mem, state + DC)?;
                let f = record_flags(&*env.mem, rec)?;
                set_record_flags(env.mem, rec, f | flags::COLLIDED_UNWIND)?;
                match unwind_done(env, state)? {
                    Some(step) => Ok(step),
                    None => unwind_next(env, state),
                }
            }
            _ => Ok(raise(code::INVALID_DISPOSITION, rec)),
        }
    })();
    r.unwrap_or_else(|f| fault_step(f, rec))
}

fn unwind_next<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64) -> R<Step> {
    use unwind_layout::*;
    let rec = env.mem.read_u64(state + REC)?;
    for _ in 0..MAX_FRAMES {
        let mut nc = Context::read(&*env.mem, state + NEW_CONTEXT)?;
        let pc = nc.rip();
        let Some((entry, base)) = env.function_entry(pc) else {
            // The end of the stack without reaching the target frame.
            return Ok(raise(code::INVALID_UNWIND_TARGET, rec));
        };
        let u = virtual_unwind(&*env.mem, UNW_FLAG_UHANDLER, base, pc, entry, &mut nc, None)?;
        nc.write(env.mem, state + NEW_CONTEXT)?;
        let mut dc = DispatcherContext::read(&*env.mem, state + DC)?;
        dc.control_pc = pc;
        dc.image_base = base;
        dc.function_entry = entry;
        dc.establisher_frame = u.establisher;
        dc.language_handler = u.handler;
        dc.handler_data = u.handler_data;
        dc.context_record = state + CONTEXT;
        dc.scope_index = 0;
        dc.write(env.mem, state + DC)?;
        if let Some(step) = unwind_done(env, state)? {
            return Ok(step);
        }
    }
    Ok(raise(code::INVALID_UNWIND_TARGET, rec))
}

/// The frame in the DISPATCHER_CONTEXT has been unwound: check it, then call its
/// termination handler (Some(Call)) or move on (None: the next frame; Some(Continue): the
/// target was reached).
fn unwind_done<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64) -> R<Option<Step>> {
    use unwind_layout::*;
    let rec = env.mem.read_u64(state + REC)?;
    let target = env.mem.read_u64(state + TARGET_FRAME)?;
    let dc = DispatcherContext::read(&*env.mem, state + DC)?;
    let est = dc.establisher_frame;
    if !env.in_stack(est) {
        return Ok(Some(raise(code::BAD_STACK, rec)));
    }
    if target != 0 && est > target {
        // Past the target frame without finding it.
        return Ok(Some(raise(code::INVALID_UNWIND_TARGET, rec)));
    }
    if est == target {
        let f = record_flags(&*env.mem, rec)?;
        set_record_flags(env.mem, rec, f | flags::TARGET_UNWIND)?;
    }
    if dc.language_handler != 0 {
        return Ok(Some(Step::Call { args: [rec, est, dc.context_record, state + DC] }));
    }
    after_handler(env, state)
}

/// After a frame's handler (or for a frame without one): stop at the target frame, or make
/// the caller's context the current one.
fn after_handler<M: GuestMemory + ?Sized>(env: &mut Env<M>, state: u64) -> R<Option<Step>> {
    use unwind_layout::*;
    let rec = env.mem.read_u64(state + REC)?;
    let target = env.mem.read_u64(state + TARGET_FRAME)?;
    let dc = DispatcherContext::read(&*env.mem, state + DC)?;
    let f = record_flags(&*env.mem, rec)?;
    set_record_flags(env.mem, rec, f & !flags::COLLIDED_UNWIND)?;
    if dc.establisher_frame == target {
        let mut c = Context::read(&*env.mem, state + CONTEXT)?;
        c.set_gpr(RAX, env.mem.read_u64(state + RETURN_VALUE)?);
        c.set_rip(env.mem.read_u64(state + TARGET_IP)?);
        apply_jump_buffer(&*env.mem, rec, &mut c)?;
        return Ok(Some(Step::Continue(Box::new(c))));
    }
    let nc = Context::read(&*env.mem, state + NEW_CONTEXT)?;
    nc.write(env.mem, state + CONTEXT)?;
    Ok(None)
}

/// RtlRestoreContext's part for longjmp: an unwind with STATUS_LONGJUMP continues with the
/// nonvolatile registers, rsp and rip of the JUMP_BUFFER in ExceptionInformation[0] (Frame,
/// Rbx, Rsp, Rbp, Rsi, Rdi, R12-R15, Rip, MxCsr, FpCsr, Spare, Xmm6-Xmm15).
pub fn apply_jump_buffer(m: &(impl GuestMemory + ?Sized), rec: u64, c: &mut Context) -> Result<(), MemError> {
    if rec == 0 || m.read_u32(rec)? != code::LONGJUMP || m.read_u32(rec + 0x18)? == 0 {
        return Ok(());
    }
    let jb = m.read_u64(rec + 0x20)?;
    for (i, reg) in [3usize, 4, 5, 6, 7, 12, 13, 14, 15].iter().enumerate() {
        c.set_gpr(*reg, m.read_u64(jb + 8 + 8 * i as u64)?);
    }
    c.set_rip(m.read_u64(jb + 0x50)?);
    for i in 0..10 {
        let v = m.read_vec(jb + 0x60 + 16 * i as u64, 16)?;
        c.set_xmm(6 + i, &v.try_into().unwrap());
    }
    Ok(())
}

// --- the handlers of ntdll's own frames --------------------------------------------------

/// RtlpExceptionHandler, the exception handler of RtlpExecuteHandlerForException's frame:
/// an exception raised while a language handler runs (in a filter, say) is a nested
/// exception. The nested dispatch learns the establisher frame of the handler that was
/// running from the outer DISPATCHER_CONTEXT saved in that frame.
pub fn nested_exception_handler(m: &mut (impl GuestMemory + ?Sized), rec: u64, establisher: u64, dc: u64) -> u32 {
    let r = (|| -> Result<u32, MemError> {
        if record_flags(m, rec)? & flags::UNWIND != 0 {
            return Ok(disposition::CONTINUE_SEARCH);
        }
        let outer = m.read_u64(establisher + EXECUTE_HANDLER_SAVED_DC)?;
        let outer_frame = m.read_u64(outer + 0x18)?;
        m.write_u64(dc + 0x18, outer_frame)?;
        Ok(disposition::NESTED_EXCEPTION)
    })();
    r.unwrap_or(disposition::CONTINUE_SEARCH)
}

/// RtlpUnwindHandler, the termination handler of RtlpExecuteHandlerForUnwind's frame: an
/// unwind that reaches it has collided with the unwind that frame belongs to, and goes on
/// from where that one was (its DISPATCHER_CONTEXT, copied into the new one).
pub fn collided_unwind_handler(m: &mut (impl GuestMemory + ?Sized), rec: u64, establisher: u64, dc: u64) -> u32 {
    let r = (|| -> Result<u32, MemError> {
        if record_flags(m, rec)? & flags::UNWIND == 0 {
            return Ok(disposition::CONTINUE_SEARCH);
        }
        let outer = m.read_u64(establisher + EXECUTE_HANDLER_SAVED_DC)?;
        let o = DispatcherContext::read(m, outer)?;
        let mine = DispatcherContext::read(m, dc)?;
        DispatcherContext { target_ip: mine.target_ip, ..o }.write(m, dc)?;
        Ok(disposition::COLLIDED_UNWIND)
    })();
    r.unwrap_or(disposition::CONTINUE_SEARCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::memory::{Prot, SparseMemory};
    use crate::system::seh::context::RSP;
    use crate::system::synth::{build, BuiltModule, Frame, Function, ModuleSpec};

    const BASE: u64 = 0x1_4000_0000;
    const STACK: (u64, u64) = (0x10_0000, 0x12_0000);

    fn body() -> crate::system::synth::Body {
        Box::new(|a, _| {
            for _ in 0..16 {
                a.nop()?;
            }
            a.ret()
        })
    }

    /// A module with `leaf_fault` (a frame, no handler), `guarded` (a frame whose
    /// UNWIND_INFO names `handler` for both phases), `outer` (push rbx; sub rsp,20h) and
    /// the leaf `handler`.
    fn image() -> BuiltModule {
        let f = |name: &str, frame: Frame| Function { name: name.into(), rva: None, frame, body: body() };
        build(ModuleSpec {
            file_name: "test.exe".into(),
            base: BASE,
            size_of_image: 0xd000,
            text_end: 0x2000,
            functions: vec![
                f("leaf_fault", Frame::alloc(0x28)),
                f("guarded", Frame::alloc(0x38).with_handler(3, "handler")),
                f("outer", Frame::push_alloc(&[iced_x86::code_asm::rbx], 0x20)),
                f("handler", Frame::leaf()),
            ],
            data: vec![],
            exports: vec![],
            binds: vec![],
        })
        .unwrap()
    }

    fn sym(m: &BuiltModule, name: &str) -> u64 {
        BASE + u64::from(m.symbols.iter().find(|s| s.2 == name).unwrap().0)
    }

    struct World {
        mem: SparseMemory,
        module: BuiltModule,
        /// rsp in leaf_fault, guarded and outer.
        sp: [u64; 3],
        /// Where each frame is (the fault, then the return addresses).
        pc: [u64; 3],
        rec: u64,
        ctx: u64,
        state: u64,
    }

    /// leaf_fault faults at +6, called from guarded (+8), called from outer (+9), which
    /// returns to 0: the end of the thread.
    fn world() -> World {
        let module = image();
        let mut mem = SparseMemory::new();
        mem.map(BASE, module.image.len() as u64, Prot::RWX).unwrap();
        mem.write(BASE, &module.image).unwrap();
        mem.map(STACK.0, STACK.1 - STACK.0, Prot::RW).unwrap();
        let pc = [sym(&module, "leaf_fault") + 6, sym(&module, "guarded") + 8, sym(&module, "outer") + 9];
        let sp0 = 0x11_f000;
        let sp1 = sp0 + 0x28 + 8;
        let sp2 = sp1 + 0x38 + 8;
        mem.write_u64(sp0 + 0x28, pc[1]).unwrap();
        mem.write_u64(sp1 + 0x38, pc[2]).unwrap();
        mem.write_u64(sp2 + 0x20, 0xb0b0).unwrap(); // outer's saved rbx
        mem.write_u64(sp2 + 0x28, 0).unwrap();
        let mut c = Context::default();
        c.set_rip(pc[0]);
        c.set_rsp(sp0);
        c.set_gpr(3, 0x1234);
        let ctx = 0x11_8000;
        c.write(&mut mem, ctx).unwrap();
        let rec = 0x11_7f00;
        ExceptionRecord { code: 0xC000_0005, address: pc[0], params: vec![1, 0x10], ..Default::default() }.write(&mut mem, rec).unwrap();
        World { mem, module, sp: [sp0, sp1, sp2], pc, rec, ctx, state: 0x11_0000 }
    }

    fn env<'a>(w: &'a mut World, images: &'a [(u64, u64)]) -> Env<'a, SparseMemory> {
        Env { mem: &mut w.mem, images, stack: STACK }
    }

    #[test]
    fn dispatch_offers_the_exception_to_each_frame_with_a_handler() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec, ctx) = (w.state, w.rec, w.ctx);
        let step = dispatch_begin(&mut env(&mut w, &images), state, rec, ctx);
        let dc_addr = state + dispatch_layout::DC;
        assert_eq!(step, Step::Call { args: [rec, w.sp[1], ctx, dc_addr] });
        let dc = DispatcherContext::read(&w.mem, dc_addr).unwrap();
        assert_eq!(dc.control_pc, w.pc[1]);
        assert_eq!(dc.image_base, BASE);
        assert_eq!(dc.establisher_frame, w.sp[1]);
        assert_eq!(dc.language_handler, sym(&w.module, "handler"));
        assert_ne!(dc.function_entry, 0);
        assert_eq!(dc.scope_index, 0);
        // HandlerData follows the handler's RVA in UNWIND_INFO.
        assert_eq!(w.mem.read_u32(dc.handler_data - 4).unwrap() as u64 + BASE, dc.language_handler);
        // DispatcherContext->ContextRecord is the walking context: guarded's caller.
        assert_eq!(dc.context_record, state + dispatch_layout::CONTEXT);
        let walking = Context::read(&w.mem, dc.context_record).unwrap();
        assert_eq!((walking.rip(), walking.rsp()), (w.pc[2], w.sp[2]));
        assert_eq!(walking.gpr(3), 0x1234);

        // ContinueSearch: outer has no handler and returns to 0, the end of the stack.
        let step = dispatch_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH);
        assert_eq!(step, Step::Return(false));
    }

    #[test]
    fn dispatch_continues_execution_unless_the_exception_is_noncontinuable() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec, ctx) = (w.state, w.rec, w.ctx);
        dispatch_begin(&mut env(&mut w, &images), state, rec, ctx);
        assert_eq!(dispatch_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_EXECUTION), Step::Return(true));

        set_record_flags(&mut w.mem, rec, flags::NONCONTINUABLE).unwrap();
        dispatch_begin(&mut env(&mut w, &images), state, rec, ctx);
        match dispatch_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_EXECUTION) {
            Step::Raise { record, .. } => {
                assert_eq!(record.code, code::NONCONTINUABLE_EXCEPTION);
                assert_eq!(record.record, rec);
                assert_eq!(record.flags, flags::NONCONTINUABLE);
            }
            other => panic!("{other:?}"),
        }
        dispatch_begin(&mut env(&mut w, &images), state, rec, ctx);
        match dispatch_resume(&mut env(&mut w, &images), state, 7) {
            Step::Raise { record, .. } => assert_eq!(record.code, code::INVALID_DISPOSITION),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_nested_exception_marks_the_frames_up_to_the_nested_frame() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec, ctx) = (w.state, w.rec, w.ctx);
        dispatch_begin(&mut env(&mut w, &images), state, rec, ctx);
        // The handler said "nested" and named a frame further up as the nested frame.
        let dc_addr = state + dispatch_layout::DC;
        w.mem.write_u64(dc_addr + 0x18, w.sp[2]).unwrap();
        let step = dispatch_resume(&mut env(&mut w, &images), state, disposition::NESTED_EXCEPTION);
        assert_eq!(step, Step::Return(false));
        assert_eq!(record_flags(&w.mem, rec).unwrap() & flags::NESTED_CALL, flags::NESTED_CALL);
        assert_eq!(w.mem.read_u64(state + dispatch_layout::NESTED).unwrap(), w.sp[2]);
    }

    #[test]
    fn a_stack_that_leaves_its_bounds_is_invalid() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec, ctx) = (w.state, w.rec, w.ctx);
        let narrow = (w.sp[0] + 0x10, STACK.1);
        let step = dispatch_begin(&mut Env { mem: &mut w.mem, images: &images, stack: narrow }, state, rec, ctx);
        assert_eq!(step, Step::Return(false));
        assert_eq!(record_flags(&w.mem, rec).unwrap() & flags::STACK_INVALID, flags::STACK_INVALID);
    }

    fn begin_unwind(w: &mut World, images: &[(u64, u64)], target_frame: u64, record: u64) -> Step {
        let mut captured = Context::default();
        captured.set_rip(w.pc[0]);
        captured.set_rsp(w.sp[0]);
        captured.set_gpr(3, 0x1234);
        let state = w.state;
        let args = UnwindArgs { target_frame, target_ip: 0x1_4000_1ff0, record, return_value: 0xC000_0005 };
        unwind_begin(&mut env(w, images), state, args, &captured)
    }

    #[test]
    fn unwind_calls_the_target_frames_handler_then_continues_at_the_target() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec) = (w.state, w.rec);
        let step = { let t = w.sp[1]; begin_unwind(&mut w, &images, t, rec) };
        let dc_addr = state + unwind_layout::DC;
        assert_eq!(step, Step::Call { args: [rec, w.sp[1], state + unwind_layout::CONTEXT, dc_addr] });
        let f = record_flags(&w.mem, rec).unwrap();
        assert_eq!(f, flags::UNWINDING | flags::TARGET_UNWIND);
        let dc = DispatcherContext::read(&w.mem, dc_addr).unwrap();
        assert_eq!(dc.target_ip, 0x1_4000_1ff0);
        assert_eq!(dc.control_pc, w.pc[1]);
        assert_eq!(dc.language_handler, sym(&w.module, "handler"));
        // The handler gets the frame's own context.
        let own = Context::read(&w.mem, dc.context_record).unwrap();
        assert_eq!((own.rip(), own.rsp()), (w.pc[1], w.sp[1]));

        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Continue(c) => {
                assert_eq!(c.rip(), 0x1_4000_1ff0);
                assert_eq!(c.gpr(RAX), 0xC000_0005);
                assert_eq!(c.gpr(RSP), w.sp[1]);
                assert_eq!(c.gpr(3), 0x1234);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unwind_calls_the_handlers_of_frames_below_the_target() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec) = (w.state, w.rec);
        // Unwinding to outer: guarded's handler runs for a plain unwind (no TARGET_UNWIND).
        let step = { let t = w.sp[2]; begin_unwind(&mut w, &images, t, rec) };
        assert!(matches!(step, Step::Call { args } if args[1] == w.sp[1]));
        assert_eq!(record_flags(&w.mem, rec).unwrap(), flags::UNWINDING);
        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Continue(c) => {
                assert_eq!(c.gpr(RSP), w.sp[2]);
                assert_eq!(c.gpr(3), 0x1234, "outer's rbx is as it was in the frame, not the saved one");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_longjmp_unwind_continues_with_the_jump_buffer() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let state = w.state;
        // MSVC's longjmp: RtlUnwindEx(jb->Frame, jb->Rip, {STATUS_LONGJUMP, [jb]}, value).
        let jb = 0x11_9000;
        let values: Vec<u64> = (1..=10).map(|i| 0x1000 * i).collect();
        for (i, v) in values.iter().enumerate() {
            w.mem.write_u64(jb + 8 + 8 * i as u64, *v).unwrap();
        }
        w.mem.write(jb + 0x60, &[9; 16]).unwrap();
        let rec = 0x11_7e00;
        ExceptionRecord { code: code::LONGJUMP, params: vec![jb], ..Default::default() }.write(&mut w.mem, rec).unwrap();
        let t = w.sp[1];
        assert!(matches!(begin_unwind(&mut w, &images, t, rec), Step::Call { .. }));
        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Continue(c) => {
                assert_eq!(c.gpr(3), 0x1000, "rbx");
                assert_eq!(c.gpr(RSP), 0x2000);
                assert_eq!(c.gpr(15), 0x9000, "r15");
                assert_eq!(c.rip(), 0xa000);
                assert_eq!(c.gpr(RAX), 0xC000_0005, "the return value");
                assert_eq!(c.xmm(6), [9; 16]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unwind_without_a_record_uses_status_unwind() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let state = w.state;
        let step = { let t = w.sp[1]; begin_unwind(&mut w, &images, t, 0) };
        let local = state + unwind_layout::LOCAL_REC;
        assert!(matches!(step, Step::Call { args } if args[0] == local));
        let r = ExceptionRecord::read(&w.mem, local).unwrap();
        assert_eq!((r.code, r.address), (code::UNWIND, w.pc[0]));
    }

    #[test]
    fn unwinding_past_the_target_or_off_the_stack_raises() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec) = (w.state, w.rec);
        // A target frame that is no frame's establisher.
        let step = { let t = w.sp[1] + 8; begin_unwind(&mut w, &images, t, rec) };
        assert!(matches!(step, Step::Call { .. }), "guarded's handler runs first");
        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Raise { record, .. } => assert_eq!(record.code, code::INVALID_UNWIND_TARGET),
            other => panic!("{other:?}"),
        }
        // An exit unwind (no target) runs off the end of the stack.
        let step = { let t = 0; begin_unwind(&mut w, &images, t, rec) };
        assert!(matches!(step, Step::Call { .. }));
        assert_ne!(record_flags(&w.mem, rec).unwrap() & flags::EXIT_UNWIND, 0);
        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Raise { record, .. } => assert_eq!(record.code, code::INVALID_UNWIND_TARGET),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_collided_unwind_takes_over_the_earlier_unwinds_frame() {
        let mut w = world();
        let images = [(BASE, w.module.image.len() as u64)];
        let (state, rec) = (w.state, w.rec);
        // An earlier unwind was calling guarded's handler (its DISPATCHER_CONTEXT and the
        // frame's context live elsewhere), with ScopeIndex 2.
        let earlier_ctx = 0x11_a000;
        let mut c = Context::default();
        c.set_rip(w.pc[1]);
        c.set_rsp(w.sp[1]);
        c.write(&mut w.mem, earlier_ctx).unwrap();
        let (entry, _) = Env { mem: &mut w.mem, images: &images, stack: STACK }.function_entry(w.pc[1]).unwrap();
        let earlier_dc = DispatcherContext {
            control_pc: w.pc[1],
            image_base: BASE,
            function_entry: entry,
            establisher_frame: w.sp[1],
            target_ip: 0x1_4000_1000,
            context_record: earlier_ctx,
            language_handler: sym(&w.module, "handler"),
            handler_data: 0x1234,
            history_table: 0,
            scope_index: 2,
        };
        let earlier_dc_addr = 0x11_b000;
        earlier_dc.write(&mut w.mem, earlier_dc_addr).unwrap();
        // RtlpExecuteHandlerForUnwind's frame keeps that DISPATCHER_CONTEXT at +0x20.
        let execute_frame = 0x11_c000;
        w.mem.write_u64(execute_frame + EXECUTE_HANDLER_SAVED_DC, earlier_dc_addr).unwrap();

        // The new unwind (to outer) reaches that frame: its handler reports the collision.
        { let t = w.sp[2]; begin_unwind(&mut w, &images, t, rec) };
        let dc_addr = state + unwind_layout::DC;
        assert_eq!(collided_unwind_handler(&mut w.mem, rec, execute_frame, dc_addr), disposition::COLLIDED_UNWIND);
        let copied = DispatcherContext::read(&w.mem, dc_addr).unwrap();
        assert_eq!(copied.scope_index, 2);
        assert_eq!(copied.target_ip, 0x1_4000_1ff0, "the new unwind keeps its own target");
        let step = unwind_resume(&mut env(&mut w, &images), state, disposition::COLLIDED_UNWIND);
        // guarded's handler is called again, with the collided flag and the earlier
        // unwind's scope index; the walk goes on from guarded's caller.
        assert_eq!(step, Step::Call { args: [rec, w.sp[1], state + unwind_layout::CONTEXT, dc_addr] });
        assert_ne!(record_flags(&w.mem, rec).unwrap() & flags::COLLIDED_UNWIND, 0);
        assert_eq!(DispatcherContext::read(&w.mem, dc_addr).unwrap().scope_index, 2);
        let next = Context::read(&w.mem, state + unwind_layout::NEW_CONTEXT).unwrap();
        assert_eq!((next.rip(), next.rsp()), (w.pc[2], w.sp[2]));
        match unwind_resume(&mut env(&mut w, &images), state, disposition::CONTINUE_SEARCH) {
            Step::Continue(c) => assert_eq!(c.gpr(RSP), w.sp[2]),
            other => panic!("{other:?}"),
        }
        assert_eq!(record_flags(&w.mem, rec).unwrap() & flags::COLLIDED_UNWIND, 0);
    }

    #[test]
    fn the_nested_exception_handler_names_the_outer_dispatchs_frame() {
        let mut w = world();
        let rec = w.rec;
        let outer_dc = 0x11_b000;
        DispatcherContext { establisher_frame: 0x11_f100, ..Default::default() }.write(&mut w.mem, outer_dc).unwrap();
        let execute_frame = 0x11_c000;
        w.mem.write_u64(execute_frame + EXECUTE_HANDLER_SAVED_DC, outer_dc).unwrap();
        let dc = 0x11_d000;
        DispatcherContext::default().write(&mut w.mem, dc).unwrap();
        assert_eq!(nested_exception_handler(&mut w.mem, rec, execute_frame, dc), disposition::NESTED_EXCEPTION);
        assert_eq!(DispatcherContext::read(&w.mem, dc).unwrap().establisher_frame, 0x11_f100);
        // While unwinding, the frame is passed.
        set_record_flags(&mut w.mem, rec, flags::UNWINDING).unwrap();
        assert_eq!(nested_exception_handler(&mut w.mem, rec, execute_frame, dc), disposition::CONTINUE_SEARCH);
        // And the unwind handler ignores exceptions being dispatched.
        set_record_flags(&mut w.mem, rec, 0).unwrap();
        assert_eq!(collided_unwind_handler(&mut w.mem, rec, execute_frame, dc), disposition::CONTINUE_SEARCH);
    }
}
