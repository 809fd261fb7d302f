//! Emulated system modules. ntdll.dll and KERNEL32.dll are built by crtlab at load time
//! ([`synth`]); the logic of each exported API is a Rust handler registered in a table by
//! module and name ([`ApiTable`]), in the style of Speakeasy's per-DLL handler modules.
//! Every API's code ends in a `syscall` whose number selects the handler.

pub mod kernel32;
pub mod ntdll;
pub mod seh;
pub mod synth;

use std::collections::HashMap;

use crate::process::Process;

/// What a handler asks the process to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiResult {
    /// Put the value in rax and let the stub's `ret` run.
    Return(u64),
    /// The process terminates with this exit code (NtTerminateProcess on itself).
    Terminate(u32),
    /// Raise an exception as if at the instruction after the call.
    Raise { code: u32, params: Vec<u64> },
    /// Raise an exception described in full (flags, chained record, address, chance).
    RaiseEvent(Box<crate::process::ExceptionEvent>),
    /// Continue the thread in this context (NtContinue, RtlRestoreContext, the end of an
    /// unwind).
    Restore(Box<seh::context::Context>),
    /// A fail-fast heap corruption: print `message` and break into the debugger, the way
    /// ntdll!RtlReportCriticalFailure does.
    CriticalFailure { code: u32, message: String },
    /// Load new register values (NtContinue-style thread start).
    Context(Box<ContextUpdate>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextUpdate {
    pub rip: u64,
    pub rsp: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub r8: u64,
    pub r9: u64,
}

pub type Handler = fn(&mut Process) -> ApiResult;

/// One emulated API.
#[derive(Clone)]
pub struct Api {
    pub module: &'static str,
    pub name: &'static str,
    pub handler: Handler,
    /// A real first instruction (e.g. RtlAllocateHeap's `mov qword ptr [rsp+8],rbx`).
    pub first: Option<&'static [u8]>,
    /// Fixed RVA, for functions whose address the seed transcript shows.
    pub rva: Option<u32>,
    /// An `Nt*` system call: uses ntdll's real syscall stub shape and this number.
    pub nt_number: Option<u32>,
    /// Not exported: an internal routine the synthetic code calls (e.g. the loader's
    /// init-routine queue).
    pub internal: bool,
}

/// All emulated APIs, keyed by module and name, and by the number their stub passes in eax.
#[derive(Default, Clone)]
pub struct ApiTable {
    apis: Vec<Api>,
    by_name: HashMap<(String, String), usize>,
    by_number: HashMap<u32, usize>,
    /// Imports that have no handler: stubs that report themselves as unimplemented.
    unimplemented: Vec<(String, String)>,
}

/// Numbers for non-Nt APIs start here, clear of real system-call numbers.
const API_NUMBER_BASE: u32 = 0x1000;
/// Numbers for unimplemented-import stubs start here.
const UNIMPLEMENTED_BASE: u32 = 0x8000;

impl ApiTable {
    pub fn new() -> ApiTable {
        let mut t = ApiTable::default();
        ntdll::register(&mut t);
        kernel32::register(&mut t);
        // After KERNEL32's, so that no earlier API changed its number.
        ntdll::exception::register(&mut t);
        t
    }

    pub fn add(&mut self, api: Api) {
        let idx = self.apis.len();
        let number = api.nt_number.unwrap_or(API_NUMBER_BASE + idx as u32);
        self.by_name.insert((api.module.to_ascii_lowercase(), api.name.to_string()), idx);
        self.by_number.insert(number, idx);
        self.apis.push(api);
    }

    /// A plain handler with the default stub.
    pub fn simple(&mut self, module: &'static str, name: &'static str, handler: Handler) {
        self.add(Api { module, name, handler, first: None, rva: None, nt_number: None, internal: false });
    }

    pub fn number_of(&self, idx: usize) -> u32 {
        self.apis[idx].nt_number.unwrap_or(API_NUMBER_BASE + idx as u32)
    }

    pub fn apis_of<'a>(&'a self, module: &'a str) -> impl Iterator<Item = (usize, &'a Api)> + 'a {
        self.apis.iter().enumerate().filter(move |(_, a)| a.module.eq_ignore_ascii_case(module))
    }

    pub fn has(&self, module: &str, name: &str) -> bool {
        self.by_name.contains_key(&(module.to_ascii_lowercase(), name.to_string()))
    }

    /// Registers an import with no handler and returns its stub number.
    pub fn add_unimplemented(&mut self, module: &str, name: &str) -> u32 {
        if let Some(i) = self.unimplemented.iter().position(|(m, n)| m.eq_ignore_ascii_case(module) && n == name) {
            return UNIMPLEMENTED_BASE + i as u32;
        }
        self.unimplemented.push((module.to_string(), name.to_string()));
        UNIMPLEMENTED_BASE + (self.unimplemented.len() - 1) as u32
    }

    pub fn unimplemented_of<'a>(&'a self, module: &'a str) -> impl Iterator<Item = (u32, &'a str)> + 'a {
        self.unimplemented
            .iter()
            .enumerate()
            .filter(move |(_, (m, _))| m.eq_ignore_ascii_case(module))
            .map(|(i, (_, n))| (UNIMPLEMENTED_BASE + i as u32, n.as_str()))
    }

    pub fn lookup(&self, number: u32) -> Option<Lookup<'_>> {
        if number >= UNIMPLEMENTED_BASE {
            let (m, n) = self.unimplemented.get((number - UNIMPLEMENTED_BASE) as usize)?;
            return Some(Lookup::Unimplemented { module: m, name: n });
        }
        self.by_number.get(&number).map(|i| Lookup::Api(&self.apis[*i]))
    }
}

pub enum Lookup<'a> {
    Api(&'a Api),
    Unimplemented { module: &'a str, name: &'a str },
}

/// NTSTATUS and Win32 values used by several handlers.
pub mod status {
    pub const SUCCESS: u32 = 0;
    pub const BREAKPOINT: u32 = 0x8000_0003;
    pub const SINGLE_STEP: u32 = 0x8000_0004;
    pub const ACCESS_VIOLATION: u32 = 0xC000_0005;
    pub const INVALID_HANDLE: u32 = 0xC000_0008;
    pub const INVALID_PARAMETER: u32 = 0xC000_000D;
    pub const NO_MEMORY: u32 = 0xC000_0017;
    pub const NOT_IMPLEMENTED: u32 = 0xC000_0002;
    pub const ILLEGAL_INSTRUCTION: u32 = 0xC000_001D;
    pub const INTEGER_DIVIDE_BY_ZERO: u32 = 0xC000_0094;
    pub const INTEGER_OVERFLOW: u32 = 0xC000_0095;
    pub const PRIVILEGED_INSTRUCTION: u32 = 0xC000_0096;
    pub const STACK_OVERFLOW: u32 = 0xC000_00FD;
    pub const HEAP_CORRUPTION: u32 = 0xC000_0374;
    pub const STACK_BUFFER_OVERRUN: u32 = 0xC000_0409;
    pub const CPP_EH_EXCEPTION: u32 = 0xE06D_7363;

    pub const ERROR_SUCCESS: u32 = 0;
    pub const ERROR_FILE_NOT_FOUND: u32 = 2;
    pub const ERROR_INVALID_HANDLE: u32 = 6;
    pub const ERROR_NOT_ENOUGH_MEMORY: u32 = 8;
    pub const ERROR_INVALID_PARAMETER: u32 = 87;
    pub const ERROR_MOD_NOT_FOUND: u32 = 126;
    pub const ERROR_PROC_NOT_FOUND: u32 = 127;
    pub const ERROR_CALL_NOT_IMPLEMENTED: u32 = 120;
}
