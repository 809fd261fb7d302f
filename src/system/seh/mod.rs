//! Structured exception handling as ntdll does it on x64 Windows: the records the kernel
//! hands to `KiUserExceptionDispatcher`, the unwinder (RtlLookupFunctionEntry,
//! RtlVirtualUnwind), and the two state machines that drive the synthetic
//! `RtlDispatchException` and `RtlUnwindEx` loops ([`machine`]). The machines read and
//! write their state in guest memory (in the loops' own stack frames, as Windows keeps its
//! locals there), so nested dispatches and collided unwinds each have their own, and they
//! never run guest code themselves: they tell the synthetic loop which handler to call
//! next, and the loop calls it on the guest's stack and traps back with its disposition.

pub mod context;
pub mod machine;
pub mod unwind;

use crate::process::memory::{GuestMemory, MemError};

/// EXCEPTION_RECORD.ExceptionFlags.
pub mod flags {
    pub const NONCONTINUABLE: u32 = 0x01;
    pub const UNWINDING: u32 = 0x02;
    pub const EXIT_UNWIND: u32 = 0x04;
    pub const STACK_INVALID: u32 = 0x08;
    pub const NESTED_CALL: u32 = 0x10;
    pub const TARGET_UNWIND: u32 = 0x20;
    pub const COLLIDED_UNWIND: u32 = 0x40;
    /// Any of the unwinding flags (EXCEPTION_UNWIND).
    pub const UNWIND: u32 = 0x66;
}

/// EXCEPTION_DISPOSITION, what a language handler returns.
pub mod disposition {
    pub const CONTINUE_EXECUTION: u32 = 0;
    pub const CONTINUE_SEARCH: u32 = 1;
    pub const NESTED_EXCEPTION: u32 = 2;
    pub const COLLIDED_UNWIND: u32 = 3;
}

/// Status codes the dispatcher and the unwinder raise.
pub mod code {
    pub const NONCONTINUABLE_EXCEPTION: u32 = 0xC000_0025;
    pub const INVALID_DISPOSITION: u32 = 0xC000_0026;
    pub const UNWIND: u32 = 0xC000_0027;
    pub const BAD_STACK: u32 = 0xC000_0028;
    pub const INVALID_UNWIND_TARGET: u32 = 0xC000_0029;
    pub const UNWIND_CONSOLIDATE: u32 = 0x8000_0029;
    /// How MSVC's longjmp unwinds: ExceptionInformation[0] is the JUMP_BUFFER.
    pub const LONGJUMP: u32 = 0x8000_0026;
    pub const BAD_FUNCTION_TABLE: u32 = 0xC000_00FF;
}

pub const EXCEPTION_MAXIMUM_PARAMETERS: usize = 15;
pub const EXCEPTION_RECORD_SIZE: u64 = 0x98;

/// An EXCEPTION_RECORD (x64 layout: code, flags, the chained record, the address, the
/// parameter count and up to 15 parameters; 0x98 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExceptionRecord {
    pub code: u32,
    pub flags: u32,
    /// ExceptionRecord: the exception this one happened while handling, or 0.
    pub record: u64,
    pub address: u64,
    pub params: Vec<u64>,
}

impl ExceptionRecord {
    pub fn read(m: &(impl GuestMemory + ?Sized), addr: u64) -> Result<ExceptionRecord, MemError> {
        let n = (m.read_u32(addr + 0x18)? as usize).min(EXCEPTION_MAXIMUM_PARAMETERS);
        let params = (0..n).map(|i| m.read_u64(addr + 0x20 + 8 * i as u64)).collect::<Result<Vec<_>, _>>()?;
        Ok(ExceptionRecord {
            code: m.read_u32(addr)?,
            flags: m.read_u32(addr + 4)?,
            record: m.read_u64(addr + 8)?,
            address: m.read_u64(addr + 0x10)?,
            params,
        })
    }

    pub fn write(&self, m: &mut (impl GuestMemory + ?Sized), addr: u64) -> Result<(), MemError> {
        let mut b = vec![0u8; EXCEPTION_RECORD_SIZE as usize];
        b[0..4].copy_from_slice(&self.code.to_le_bytes());
        b[4..8].copy_from_slice(&self.flags.to_le_bytes());
        b[8..16].copy_from_slice(&self.record.to_le_bytes());
        b[16..24].copy_from_slice(&self.address.to_le_bytes());
        let n = self.params.len().min(EXCEPTION_MAXIMUM_PARAMETERS);
        b[24..28].copy_from_slice(&(n as u32).to_le_bytes());
        for (i, p) in self.params.iter().take(n).enumerate() {
            b[0x20 + 8 * i..0x28 + 8 * i].copy_from_slice(&p.to_le_bytes());
        }
        m.write(addr, &b)
    }
}

/// Reads and updates ExceptionFlags in place.
pub fn record_flags(m: &(impl GuestMemory + ?Sized), rec: u64) -> Result<u32, MemError> {
    m.read_u32(rec + 4)
}
pub fn set_record_flags(m: &mut (impl GuestMemory + ?Sized), rec: u64, f: u32) -> Result<(), MemError> {
    m.write_u32(rec + 4, f)
}

pub const DISPATCHER_CONTEXT_SIZE: u64 = 0x50;

/// DISPATCHER_CONTEXT (x64), what a language handler gets as its fourth argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DispatcherContext {
    pub control_pc: u64,
    pub image_base: u64,
    pub function_entry: u64,
    pub establisher_frame: u64,
    pub target_ip: u64,
    pub context_record: u64,
    pub language_handler: u64,
    pub handler_data: u64,
    pub history_table: u64,
    pub scope_index: u32,
}

impl DispatcherContext {
    pub fn read(m: &(impl GuestMemory + ?Sized), a: u64) -> Result<DispatcherContext, MemError> {
        Ok(DispatcherContext {
            control_pc: m.read_u64(a)?,
            image_base: m.read_u64(a + 0x08)?,
            function_entry: m.read_u64(a + 0x10)?,
            establisher_frame: m.read_u64(a + 0x18)?,
            target_ip: m.read_u64(a + 0x20)?,
            context_record: m.read_u64(a + 0x28)?,
            language_handler: m.read_u64(a + 0x30)?,
            handler_data: m.read_u64(a + 0x38)?,
            history_table: m.read_u64(a + 0x40)?,
            scope_index: m.read_u32(a + 0x48)?,
        })
    }

    pub fn write(&self, m: &mut (impl GuestMemory + ?Sized), a: u64) -> Result<(), MemError> {
        let mut b = vec![0u8; DISPATCHER_CONTEXT_SIZE as usize];
        for (i, v) in [
            self.control_pc,
            self.image_base,
            self.function_entry,
            self.establisher_frame,
            self.target_ip,
            self.context_record,
            self.language_handler,
            self.handler_data,
            self.history_table,
        ]
        .iter()
        .enumerate()
        {
            b[8 * i..8 * i + 8].copy_from_slice(&v.to_le_bytes());
        }
        b[0x48..0x4c].copy_from_slice(&self.scope_index.to_le_bytes());
        m.write(a, &b)
    }
}

/// What the emulated process offers the machines: its memory, its images (base, size) and
/// its stack bounds [limit, base).
pub struct Env<'a, M: GuestMemory + ?Sized> {
    pub mem: &'a mut M,
    pub images: &'a [(u64, u64)],
    pub stack: (u64, u64),
}

impl<M: GuestMemory + ?Sized> Env<'_, M> {
    /// The base of the image containing `pc`.
    pub fn image_base(&self, pc: u64) -> Option<u64> {
        self.images.iter().find(|(b, s)| pc >= *b && pc - *b < *s).map(|(b, _)| *b)
    }

    /// The function entry covering `pc` (0 for a leaf) and its image base, or None when
    /// `pc` is in no image.
    pub fn function_entry(&self, pc: u64) -> Option<(u64, u64)> {
        let base = self.image_base(pc)?;
        Some((unwind::lookup_function_entry(&*self.mem, base, pc).unwrap_or(0), base))
    }

    pub fn in_stack(&self, frame: u64) -> bool {
        frame & 7 == 0 && frame >= self.stack.0 && frame < self.stack.1
    }
}
