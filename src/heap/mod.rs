//! The NT heap of the emulated ntdll, with all of its state in guest memory.
//!
//! - `layout`: offsets and constants of `_HEAP`, `_HEAP_SEGMENT`, `_HEAP_ENTRY`, ….
//! - `entry`: the encoded 16-byte block header and its checksum.
//! - `view`: read-only walks over a heap in guest memory (shared by the heap and `!heap`).
//! - `nt`: RtlCreateHeap / RtlAllocateHeap / RtlFreeHeap / … semantics.
//! - `ext`: the `!heap` debugger extension.
//!
//! Nothing authoritative is kept on the host: every call re-reads the headers, so a guest
//! that overruns a block corrupts what RtlFreeHeap and `!heap` see, as on Windows.
//! There is no LFH: a process started under a debugger gets the debug heap on Windows,
//! which keeps the LFH off, and crtlab always runs its guests under its debugger.

pub mod entry;
pub mod ext;
pub mod layout;
pub mod nt;
pub mod view;

use std::collections::BTreeMap;

use thiserror::Error;

use crate::process::memory::{GuestMemory, MemError, Prot, SparseMemory};

use layout::{STATUS_ACCESS_VIOLATION, STATUS_HEAP_CORRUPTION, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY};

/// Address-space services the heap needs from the emulated process: new segments and
/// large blocks are reservations; the heap commits their pages with `GuestMemory::map`
/// and decommits them with `GuestMemory::unmap` before it releases them.
pub trait HeapHost: GuestMemory {
    /// Reserves `size` bytes aligned to `align`; None if the address space is exhausted.
    fn reserve(&mut self, size: u64, align: u64) -> Option<u64>;
    /// Releases a reservation made by `reserve` (or the caller's fixed heap range).
    fn release(&mut self, addr: u64, size: u64);
}

/// Why a heap call failed. The caller turns it into a return value, a raised exception
/// or a debugger event (see `exception`).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HeapError {
    /// STATUS_NO_MEMORY. `raise`: HEAP_GENERATE_EXCEPTIONS was in effect.
    #[error("{api}: not enough memory for {size:#x} bytes in heap {heap:016X}")]
    NoMemory { api: &'static str, heap: u64, size: u64, raise: bool },
    /// A pointer that is not a block of this heap (the debug heap's message, §2.8).
    #[error("Invalid address specified to {api}( {heap:016X}, {address:016X} )")]
    InvalidAddress { api: &'static str, heap: u64, address: u64, raise: bool },
    /// A bad heap handle or argument.
    #[error("{api}( {heap:016X} ): {reason}")]
    InvalidParameter { api: &'static str, heap: u64, reason: String, raise: bool },
    /// STATUS_HEAP_CORRUPTION: the heap's own data is inconsistent at `entry`.
    #[error("heap {heap:016X} is corrupted at {entry:016X}: {message}")]
    Corruption { heap: u64, entry: u64, message: String },
}

impl HeapError {
    /// The NTSTATUS of the failure (for RtlGetLastNtStatus / SetLastError).
    pub fn status(&self) -> u32 {
        match self {
            HeapError::NoMemory { .. } => STATUS_NO_MEMORY,
            HeapError::InvalidAddress { .. } | HeapError::InvalidParameter { .. } => STATUS_INVALID_PARAMETER,
            HeapError::Corruption { .. } => STATUS_HEAP_CORRUPTION,
        }
    }

    /// The exception the caller must raise, if any. Corruption always raises c0000374
    /// (termination on corruption is always on for 64-bit processes); the others only
    /// under HEAP_GENERATE_EXCEPTIONS: STATUS_NO_MEMORY, or STATUS_ACCESS_VIOLATION for
    /// bad parameters, as HeapAlloc's documentation says.
    pub fn exception(&self) -> Option<u32> {
        match self {
            HeapError::Corruption { .. } => Some(STATUS_HEAP_CORRUPTION),
            HeapError::NoMemory { raise: true, .. } => Some(STATUS_NO_MEMORY),
            HeapError::InvalidAddress { raise: true, .. } | HeapError::InvalidParameter { raise: true, .. } => {
                Some(STATUS_ACCESS_VIOLATION)
            }
            _ => None,
        }
    }

    pub fn is_corruption(&self) -> bool {
        matches!(self, HeapError::Corruption { .. })
    }
}

/// A `HeapHost` over `SparseMemory` for tests and tools: reservations are handed out
/// upwards from `next`, 64 KB aligned.
pub struct TestHost {
    pub mem: SparseMemory,
    next: u64,
    /// Live reservations: base -> size.
    pub reservations: BTreeMap<u64, u64>,
}

impl TestHost {
    /// Reservations start at VIRTUAL_ALLOC_AREA, as the emulated process's do.
    pub fn new() -> Self {
        Self::starting_at(crate::layout::VIRTUAL_ALLOC_AREA)
    }

    pub fn starting_at(next: u64) -> Self {
        TestHost { mem: SparseMemory::new(), next, reservations: BTreeMap::new() }
    }
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl GuestMemory for TestHost {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.mem.read(addr, buf)
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.mem.write(addr, data)
    }
    fn map(&mut self, addr: u64, size: u64, prot: Prot) -> Result<(), MemError> {
        self.mem.map(addr, size, prot)
    }
    fn unmap(&mut self, addr: u64, size: u64) -> Result<(), MemError> {
        self.mem.unmap(addr, size)
    }
    fn is_mapped(&self, addr: u64, size: u64) -> bool {
        self.mem.is_mapped(addr, size)
    }
}

impl HeapHost for TestHost {
    fn reserve(&mut self, size: u64, align: u64) -> Option<u64> {
        let align = align.max(layout::ALLOCATION_GRANULARITY);
        let base = layout::round_up(self.next, align)?;
        let size = layout::round_up(size, layout::ALLOCATION_GRANULARITY)?;
        self.next = base.checked_add(size)?;
        self.reservations.insert(base, size);
        Some(base)
    }
    fn release(&mut self, addr: u64, _size: u64) {
        self.reservations.remove(&addr);
    }
}
