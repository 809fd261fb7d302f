//! The synthetic KERNEL32.dll. BaseThreadInitThunk sits at 00007ff8`9e3c7bd4 - 0x14 and
//! calls the program's entry point so that the call returns to +0x14, as in the seed.
//! The heap functions are forwarders to ntdll (HeapAlloc → NTDLL.RtlAllocateHeap), which
//! is why no KERNEL32 frame appears between a program and RtlAllocateHeap.

pub mod console;
pub mod exception;
pub mod file;
pub mod fls;
pub mod heap;
pub mod library;
pub mod memory;
pub mod nls;
pub mod process;
pub mod sync;
pub mod sysinfo;
pub mod time;

use iced_x86::code_asm::*;

use super::ntdll::call_indirect;
use super::synth::{bodies, DataInit, DataItem, ExportTarget, Frame, Function, ModuleSpec};
use super::ApiTable;
use crate::layout::{KERNEL32_BASE, KERNEL32_SIZE};

pub const MODULE: &str = "KERNEL32";
pub const RVA_BASE_THREAD_INIT_THUNK: u32 = 0x17bc0;

/// Exports that Windows forwards to ntdll.
pub const FORWARDERS: &[(&str, &str)] = &[
    ("HeapAlloc", "NTDLL.RtlAllocateHeap"),
    ("HeapFree", "NTDLL.RtlFreeHeap"),
    ("HeapReAlloc", "NTDLL.RtlReAllocateHeap"),
    ("HeapSize", "NTDLL.RtlSizeHeap"),
    ("RtlUnwind", "NTDLL.RtlUnwind"),
    ("RtlUnwindEx", "NTDLL.RtlUnwindEx"),
    ("RtlRestoreContext", "NTDLL.RtlRestoreContext"),
];

/// Exports implemented as synthetic code rather than a handler.
pub const CODE_EXPORTS: &[(&str, &str)] = &[
    ("BaseThreadInitThunk", "BaseThreadInitThunk"),
    ("ExitProcess", "ExitProcessImplementation"),
    ("FlsFree", "FlsFree"),
    ("InitOnceExecuteOnce", "InitOnceExecuteOnce"),
];

/// What KERNEL32 keeps for the process besides guest memory.
#[derive(Debug, Clone, Default)]
pub struct Kernel32State {
    /// TLS and FLS indexes (fls.rs).
    pub storage: fls::LocalStorage,
    /// The filter SetUnhandledExceptionFilter installed.
    pub unhandled_exception_filter: u64,
}

pub fn register(t: &mut ApiTable) {
    console::register(t);
    heap::register(t);
    memory::register(t);
    process::register(t);
    time::register(t);
    // Last, so that adding them moved no other stub.
    library::register(t);
    // The surface a Visual Studio program's C runtime uses (start-up, locale tables,
    // stdio, EH support), after the earlier stubs for the same reason.
    sync::register(t);
    fls::register(t);
    nls::register(t);
    file::register(t);
    sysinfo::register(t);
    exception::register(t);
    time::register_calendar(t);
    process::register_environment_and_pointers(t);
    library::register_load_library(t);
}

/// True if KERNEL32 exports `name` (handler, forwarder or code).
pub fn exports(api: &ApiTable, name: &str) -> bool {
    api.has(MODULE, name) || FORWARDERS.iter().any(|(n, _)| *n == name) || CODE_EXPORTS.iter().any(|(n, _)| *n == name)
}

pub fn spec(api: &ApiTable) -> ModuleSpec {
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    for (idx, a) in api.apis_of(MODULE) {
        let number = api.number_of(idx);
        functions.push(Function {
            name: a.name.to_string(),
            rva: a.rva,
            frame: Frame::leaf(),
            body: bodies::api_stub(a.first, number),
        });
        if !a.internal {
            exports.push((a.name.to_string(), ExportTarget::Symbol(a.name.to_string())));
        }
    }
    for (number, name) in api.unimplemented_of("kernel32.dll") {
        functions.push(Function {
            name: name.to_string(),
            rva: None,
            frame: Frame::leaf(),
            body: bodies::api_stub(None, number),
        });
        exports.push((name.to_string(), ExportTarget::Symbol(name.to_string())));
    }
    for (name, target) in FORWARDERS {
        exports.push((name.to_string(), ExportTarget::Forwarder(target.to_string())));
    }
    for (name, sym) in CODE_EXPORTS {
        exports.push((name.to_string(), ExportTarget::Symbol(sym.to_string())));
    }

    // BaseThreadInitThunk(LdrReserved, StartAddress, Parameter), shaped like Windows 10's:
    // the CFG-dispatched call of the start address returns to +0x14.
    functions.push(Function {
        name: "BaseThreadInitThunk".into(),
        rva: Some(RVA_BASE_THREAD_INIT_THUNK),
        frame: Frame::alloc(0x28),
        body: Box::new(|a, s| {
            let mut start = a.create_label();
            let mut after = a.create_label();
            a.test(ecx, ecx)?;
            a.jne(after)?;
            a.set_label(&mut start)?;
            a.mov(rcx, r8)?;
            a.mov(rax, rdx)?;
            call_indirect(a, s.addr("__guard_dispatch_icall_fptr"))?;
            a.mov(ecx, eax)?;
            call_indirect(a, s.addr("__imp_RtlExitUserThread"))?;
            a.int3()?;
            a.set_label(&mut after)?;
            a.jmp(start)
        }),
    });
    functions.push(Function {
        name: "_guard_dispatch_icall_nop".into(),
        rva: None,
        frame: Frame::leaf(),
        body: Box::new(|a, _| a.jmp(rax)),
    });
    // ExitProcess(code) = RtlExitUserProcess(code).
    functions.push(Function {
        name: "ExitProcessImplementation".into(),
        rva: None,
        frame: Frame::alloc(0x28),
        body: Box::new(|a, s| {
            call_indirect(a, s.addr("__imp_RtlExitUserProcess"))?;
            a.int3()
        }),
    });

    // FlsFree(dwFlsIndex): frees the slot (FlsFreeSlot), then calls its callback with the
    // value the slot had, as Windows does; TRUE, or FALSE for a bad index.
    functions.push(Function {
        name: "FlsFree".into(),
        rva: None,
        frame: Frame::alloc(0x28),
        body: Box::new(|a, s| {
            let mut out = a.create_label();
            let mut ok = a.create_label();
            a.call(s.addr("FlsFreeSlot"))?;
            a.test(eax, eax)?;
            a.je(out)?;
            a.test(rdx, rdx)?;
            a.je(ok)?;
            a.mov(rcx, r8)?;
            a.call(rdx)?;
            a.set_label(&mut ok)?;
            a.mov(eax, 1)?;
            a.set_label(&mut out)?;
            bodies::epilog(a, &Frame::alloc(0x28))
        }),
    });
    // InitOnceExecuteOnce(InitOnce, InitFn, Parameter, Context), as RtlRunOnceExecuteOnce
    // does it: InitOnceBeginInitialize; if this caller must initialize, InitFn(InitOnce,
    // Parameter, &context), then InitOnceComplete with the context (or with
    // INIT_ONCE_INIT_FAILED when InitFn returns FALSE, and the result is FALSE).
    // *Context receives the context either way the initialization completed.
    let once_frame = || Frame::push_alloc(&[rbx, rsi, rdi, r12], 0x38);
    functions.push(Function {
        name: "InitOnceExecuteOnce".into(),
        rva: None,
        frame: once_frame(),
        body: Box::new(move |a, s| {
            let mut fail = a.create_label();
            let mut init_failed = a.create_label();
            let mut done = a.create_label();
            let mut out = a.create_label();
            a.mov(rbx, rcx)?;
            a.mov(rsi, rdx)?;
            a.mov(rdi, r8)?;
            a.mov(r12, r9)?;
            a.mov(qword_ptr(rsp + 0x28), 0)?;
            a.mov(rcx, rbx)?;
            a.xor(edx, edx)?;
            a.lea(r8, ptr(rsp + 0x20))?;
            a.mov(r9, r12)?;
            a.call(s.addr("InitOnceBeginInitialize"))?;
            a.test(eax, eax)?;
            a.je(fail)?;
            a.cmp(dword_ptr(rsp + 0x20), 0)?;
            a.je(done)?;
            a.mov(rcx, rbx)?;
            a.mov(rdx, rdi)?;
            a.lea(r8, ptr(rsp + 0x28))?;
            a.call(rsi)?;
            a.test(eax, eax)?;
            a.je(init_failed)?;
            a.mov(rcx, rbx)?;
            a.xor(edx, edx)?;
            a.mov(r8, qword_ptr(rsp + 0x28))?;
            a.call(s.addr("InitOnceComplete"))?;
            a.test(eax, eax)?;
            a.je(fail)?;
            a.test(r12, r12)?;
            a.je(done)?;
            a.mov(rax, qword_ptr(rsp + 0x28))?;
            a.mov(qword_ptr(r12), rax)?;
            a.set_label(&mut done)?;
            a.mov(eax, 1)?;
            a.jmp(out)?;
            a.set_label(&mut init_failed)?;
            a.mov(rcx, rbx)?;
            a.mov(edx, 4)?; // INIT_ONCE_INIT_FAILED
            a.xor(r8d, r8d)?;
            a.call(s.addr("InitOnceComplete"))?;
            a.set_label(&mut fail)?;
            a.xor(eax, eax)?;
            a.set_label(&mut out)?;
            bodies::epilog(a, &Frame::push_alloc(&[rbx, rsi, rdi, r12], 0x38))
        }),
    });

    let data = vec![
        DataItem {
            name: "__guard_dispatch_icall_fptr".into(),
            size: 8,
            init: DataInit::Pointers(vec!["_guard_dispatch_icall_nop".into()]),
        },
        DataItem { name: "__imp_RtlExitUserThread".into(), size: 8, init: DataInit::Zero },
        DataItem { name: "__imp_RtlExitUserProcess".into(), size: 8, init: DataInit::Zero },
    ];
    ModuleSpec {
        file_name: "KERNEL32.DLL".into(),
        base: KERNEL32_BASE,
        size_of_image: KERNEL32_SIZE as u32,
        text_end: 0x8_0000,
        functions,
        data,
        exports,
        binds: vec![
            ("__imp_RtlExitUserThread".into(), "ntdll.dll".into(), "RtlExitUserThread".into()),
            ("__imp_RtlExitUserProcess".into(), "ntdll.dll".into(), "RtlExitUserProcess".into()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::synth::build;

    #[test]
    fn base_thread_init_thunk_returns_at_0x14() {
        let api = ApiTable::new();
        let m = build(spec(&api)).unwrap();
        let t = m.symbols.iter().find(|s| s.2 == "BaseThreadInitThunk").unwrap().0 as usize;
        assert_eq!(KERNEL32_BASE + t as u64 + 0x14, 0x7ff8_9e3c_7bd4);
        // call qword ptr [__guard_dispatch_icall_fptr] occupies +0xe..+0x14.
        assert_eq!(&m.image[t + 0xe..t + 0x10], &[0xff, 0x15]);
    }
}
