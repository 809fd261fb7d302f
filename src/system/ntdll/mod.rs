//! The synthetic ntdll.dll: the loader's start-up path (LdrInitializeThunk → initial
//! breakpoint → TLS callbacks and DLL entry points → RtlUserThreadStart), process exit,
//! and the heap API. Function shapes that the exercise transcript shows are reproduced
//! exactly: RtlAllocateHeap at 00007ff8`9f3fb870 starting with `mov qword ptr [rsp+8],rbx`,
//! RtlUserThreadStart's call returning to +0x21, LdrpDoDebuggerBreak's `int 3` at +0x30,
//! NtTerminateProcess's `ret` at +0x14.

pub mod exception;
pub mod heap;
pub mod ldr;
pub mod process;

use iced_x86::code_asm::*;
use iced_x86::{Code, Instruction, MemoryOperand, Register};

use super::synth::{bodies, Body, DataInit, DataItem, ExportTarget, Frame, Function, ModuleSpec};
use super::ApiTable;
use crate::layout::{NTDLL_BASE, NTDLL_SIZE};

pub const MODULE: &str = "ntdll";

/// RVAs the seed transcript pins down.
pub const RVA_RTL_ALLOCATE_HEAP: u32 = 0x6b870;
pub const RVA_RTL_USER_THREAD_START: u32 = 0x9ceb0;

pub fn register(t: &mut ApiTable) {
    heap::register(t);
    ldr::register(t);
    process::register(t);
}

/// A RIP-relative memory operand to an absolute address.
pub fn rip(target: u64) -> MemoryOperand {
    MemoryOperand::with_base_displ(Register::RIP, target as i64)
}

/// `call qword ptr [target]` (6 bytes, RIP-relative).
pub fn call_indirect(a: &mut CodeAssembler, target: u64) -> Result<(), IcedError> {
    a.add_instruction(Instruction::with1(Code::Call_rm64, rip(target))?)
}

/// `mov reg, qword ptr [target]` (RIP-relative).
pub fn load_indirect(a: &mut CodeAssembler, reg: Register, target: u64) -> Result<(), IcedError> {
    a.add_instruction(Instruction::with2(Code::Mov_r64_rm64, reg, rip(target))?)
}

fn func(name: &str, rva: Option<u32>, frame: Frame, body: Body) -> Function {
    Function { name: name.to_string(), rva, frame, body }
}

/// The module layout. `api` supplies the handler stubs (with their syscall numbers) and
/// the stubs of imports crtlab does not implement.
pub fn spec(api: &ApiTable) -> ModuleSpec {
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    for (idx, a) in api.apis_of(MODULE) {
        if exception::HANDLERS.contains(&a.name) {
            continue;
        }
        let number = api.number_of(idx);
        let body = if a.nt_number.is_some() { bodies::nt_stub(number) } else { bodies::api_stub(a.first, number) };
        functions.push(func(a.name, a.rva, Frame::leaf(), body));
        if !a.internal {
            exports.push((a.name.to_string(), ExportTarget::Symbol(a.name.to_string())));
        }
    }
    for (number, name) in api.unimplemented_of("ntdll.dll") {
        functions.push(func(name, None, Frame::leaf(), bodies::api_stub(None, number)));
        exports.push((name.to_string(), ExportTarget::Symbol(name.to_string())));
    }

    // LdrInitializeThunk: the thread's first instruction. It initializes the process and
    // then "continues" into RtlUserThreadStart (NtContinue with the start context).
    functions.push(func(
        "LdrInitializeThunk",
        None,
        Frame::alloc(0x28),
        Box::new(|a, s| {
            a.call(s.addr("LdrpInitialize"))?;
            a.xor(edx, edx)?;
            a.call(s.addr("NtContinue"))?;
            a.int3()
        }),
    ));
    exports.push(("LdrInitializeThunk".into(), ExportTarget::Symbol("LdrInitializeThunk".into())));
    functions.push(func(
        "LdrpInitialize",
        None,
        Frame::alloc(0x28),
        Box::new(|a, s| {
            a.call(s.addr("LdrpInitializeProcess"))?;
            bodies::epilog(a, &Frame::alloc(0x28))
        }),
    ));
    // The initial breakpoint, then every TLS callback and DLL entry point the loader
    // queued, each called as fn(hinstance, reason, reserved).
    functions.push(func(
        "LdrpInitializeProcess",
        None,
        Frame::push_alloc(&[rbx], 0x20),
        Box::new(|a, s| {
            let mut next = a.create_label();
            let mut done = a.create_label();
            a.call(s.addr("LdrpDoDebuggerBreak"))?;
            a.set_label(&mut next)?;
            a.call(s.addr("LdrpGetNextInitRoutine"))?;
            a.test(rax, rax)?;
            a.je(done)?;
            a.call(rax)?;
            a.jmp(next)?;
            a.set_label(&mut done)?;
            a.xor(eax, eax)?;
            bodies::epilog(a, &Frame::push_alloc(&[rbx], 0x20))
        }),
    ));
    // Byte for byte the Windows 10 routine: ask whether the thread hides from the
    // debugger, and if not, `int 3` at +0x30.
    functions.push(func(
        "LdrpDoDebuggerBreak",
        None,
        Frame::alloc(0x38),
        Box::new(|a, s| {
            let mut out = a.create_label();
            a.and(qword_ptr(rsp + 0x20), 0)?;
            a.mov(r9d, 1)?;
            a.lea(r8, ptr(rsp + 0x40))?;
            a.lea(edx, ptr(r9 + 0x10))?;
            a.add_instruction(Instruction::with2(Code::Mov_rm64_imm32, Register::RCX, -2i32)?)?;
            a.call(s.addr("NtQueryInformationThread"))?;
            a.test(eax, eax)?;
            a.js(out)?;
            a.cmp(byte_ptr(rsp + 0x40), 0)?;
            a.jne(out)?;
            a.int3()?;
            a.jmp(out)?;
            a.set_label(&mut out)?;
            a.add(rsp, 0x38)?;
            a.ret()
        }),
    ));
    // RtlUserThreadStart(start, parameter) → Kernel32ThreadInitThunkFunction(0, start,
    // parameter) through the CFG dispatch pointer, so that the call returns to +0x21.
    functions.push(func(
        "RtlUserThreadStart",
        Some(RVA_RTL_USER_THREAD_START),
        Frame::alloc(0x78),
        Box::new(|a, s| {
            let mut direct = a.create_label();
            let mut back = a.create_label();
            a.mov(r9, rcx)?;
            load_indirect(a, Register::RAX, s.addr("Kernel32ThreadInitThunkFunction"))?;
            a.test(rax, rax)?;
            a.je(direct)?;
            a.mov(r8, rdx)?;
            a.mov(rdx, rcx)?;
            a.xor(ecx, ecx)?;
            call_indirect(a, s.addr("LdrpGuardDispatchIcallFptr"))?;
            a.set_label(&mut back)?;
            a.mov(ecx, eax)?;
            a.call(s.addr("RtlExitUserThread"))?;
            a.int3()?;
            a.set_label(&mut direct)?;
            a.mov(rcx, rdx)?;
            a.call(r9)?;
            a.jmp(back)
        }),
    ));
    exports.push(("RtlUserThreadStart".into(), ExportTarget::Symbol("RtlUserThreadStart".into())));
    functions.push(func(
        "LdrpDispatchUserCallTarget",
        None,
        Frame::leaf(),
        Box::new(|a, _| a.jmp(rax)),
    ));
    // The last thread exiting ends the process.
    functions.push(func(
        "RtlExitUserThread",
        None,
        Frame::alloc(0x28),
        Box::new(|a, s| {
            a.call(s.addr("RtlExitUserProcess"))?;
            a.int3()
        }),
    ));
    exports.push(("RtlExitUserThread".into(), ExportTarget::Symbol("RtlExitUserThread".into())));
    // RtlExitUserProcess(code): DLL_PROCESS_DETACH notifications, then NtTerminateProcess.
    functions.push(func(
        "RtlExitUserProcess",
        None,
        Frame::push_alloc(&[rbx], 0x30),
        Box::new(|a, s| {
            let mut next = a.create_label();
            let mut done = a.create_label();
            a.mov(ebx, ecx)?;
            a.set_label(&mut next)?;
            a.call(s.addr("LdrpGetNextShutdownRoutine"))?;
            a.test(rax, rax)?;
            a.je(done)?;
            a.call(rax)?;
            a.jmp(next)?;
            a.set_label(&mut done)?;
            a.mov(edx, ebx)?;
            a.or(rcx, -1)?;
            a.call(s.addr("NtTerminateProcess"))?;
            a.int3()
        }),
    ));
    exports.push(("RtlExitUserProcess".into(), ExportTarget::Symbol("RtlExitUserProcess".into())));
    // RtlReportCriticalFailure(status): breaks into the debugger; continuing raises the
    // status as a non-continuable exception.
    functions.push(func(
        "RtlReportCriticalFailure",
        None,
        Frame::alloc(0x38),
        Box::new(|a, s| {
            // Keep the status in this frame: the synthetic call from a heap API has no
            // home space above the return address.
            a.mov(dword_ptr(rsp + 0x20), ecx)?;
            a.int3()?;
            a.mov(ecx, dword_ptr(rsp + 0x20))?;
            a.call(s.addr("RtlRaiseStatus"))?;
            a.int3()
        }),
    ));

    // Exception dispatching and unwinding (exception.rs): after everything above, so that
    // adding it moved nothing.
    for (idx, a) in api.apis_of(MODULE) {
        if !exception::HANDLERS.contains(&a.name) {
            continue;
        }
        functions.push(func(a.name, None, Frame::leaf(), bodies::api_stub(a.first, api.number_of(idx))));
        if !a.internal {
            exports.push((a.name.to_string(), ExportTarget::Symbol(a.name.to_string())));
        }
    }
    for (f, exported) in exception::functions() {
        if exported {
            exports.push((f.name.clone(), ExportTarget::Symbol(f.name.clone())));
        }
        functions.push(f);
    }

    let data = vec![
        DataItem { name: "Kernel32ThreadInitThunkFunction".into(), size: 8, init: DataInit::Zero },
        DataItem {
            name: "LdrpGuardDispatchIcallFptr".into(),
            size: 8,
            init: DataInit::Pointers(vec!["LdrpDispatchUserCallTarget".into()]),
        },
        // PEB.ProcessHeaps points here (RtlpProcessHeapsListBuffer on Windows).
        DataItem { name: "RtlpProcessHeapsListBuffer".into(), size: 16 * 8, init: DataInit::Zero },
    ];
    ModuleSpec {
        file_name: "ntdll.dll".into(),
        base: NTDLL_BASE,
        size_of_image: NTDLL_SIZE as u32,
        text_end: 0x12_0000,
        functions,
        data,
        exports,
        binds: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::synth::build;

    #[test]
    fn transcript_addresses_hold() {
        let api = ApiTable::new();
        let m = build(spec(&api)).unwrap();
        let sym = |n: &str| m.symbols.iter().find(|s| s.2 == n).map(|s| s.0).unwrap();
        assert_eq!(NTDLL_BASE + u64::from(sym("RtlAllocateHeap")), 0x7ff8_9f3f_b870);
        let rva = sym("RtlAllocateHeap") as usize;
        assert_eq!(&m.image[rva..rva + 5], &[0x48, 0x89, 0x5c, 0x24, 0x08]);
        // RtlUserThreadStart's call to the init thunk returns to +0x21.
        let t = sym("RtlUserThreadStart") as usize;
        assert_eq!(NTDLL_BASE + t as u64, 0x7ff8_9f42_ceb0);
        assert_eq!(&m.image[t + 0x1b..t + 0x1d], &[0xff, 0x15]);
        let d = sym("LdrpDoDebuggerBreak") as usize;
        assert_eq!(m.image[d + 0x30], 0xcc);
        let n = sym("NtTerminateProcess") as usize;
        assert_eq!(&m.image[n + 0x12..n + 0x15], &[0x0f, 0x05, 0xc3]);
    }
}
