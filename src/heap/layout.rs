//! Offsets and constants of the Windows 10 x64 NT heap ("classic" backend of ntdll).
//!
//! Every structure the heap keeps lives in guest memory at these offsets, so that `dt`,
//! `db` and `!heap` see what they would see on Windows. Names are the Windows names
//! (PDB of ntdll, Win10 20H1 x64); see reference/heap-internals.md §2.

/// Allocation granularity: sizes in `_HEAP_ENTRY` count 16-byte units.
pub const GRANULARITY: u64 = 16;
/// `sizeof(_HEAP_ENTRY)` on x64.
pub const HEAP_ENTRY_SIZE: u64 = 16;
/// Smallest block the backend hands out (header + one LIST_ENTRY once it is freed).
pub const MIN_BLOCK_SIZE: u64 = 0x20;
/// Largest free block we ever write: `Size` is a USHORT, and we stay a little below it.
pub const MAX_FREE_BLOCK_UNITS: u64 = 0xFFF0;
/// Windows' historical limit of segments per heap (HEAP_MAXIMUM_SEGMENTS).
pub const MAX_SEGMENTS: usize = 64;

pub const PAGE: u64 = 0x1000;
/// Address-space reservations are 64 KB aligned, as VirtualAlloc's are.
pub const ALLOCATION_GRANULARITY: u64 = 0x1_0000;

// ---- Heap flags (HEAP_*), winnt.h / phnt ntrtl.h --------------------------------------

pub const HEAP_NO_SERIALIZE: u32 = 0x0000_0001;
pub const HEAP_GROWABLE: u32 = 0x0000_0002;
pub const HEAP_GENERATE_EXCEPTIONS: u32 = 0x0000_0004;
pub const HEAP_ZERO_MEMORY: u32 = 0x0000_0008;
pub const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x0000_0010;
pub const HEAP_TAIL_CHECKING_ENABLED: u32 = 0x0000_0020;
pub const HEAP_FREE_CHECKING_ENABLED: u32 = 0x0000_0040;
pub const HEAP_DISABLE_COALESCE_ON_FREE: u32 = 0x0000_0080;
pub const HEAP_CREATE_ALIGN_16: u32 = 0x0001_0000;
pub const HEAP_CREATE_ENABLE_TRACING: u32 = 0x0002_0000;
pub const HEAP_CREATE_ENABLE_EXECUTE: u32 = 0x0004_0000;
pub const HEAP_CLASS_0: u32 = 0x0000_0000;
pub const HEAP_CLASS_1: u32 = 0x0000_1000;
pub const HEAP_CLASS_8: u32 = 0x0000_8000;
pub const HEAP_CLASS_MASK: u32 = 0x0000_F000;
pub const HEAP_CAPTURE_STACK_BACKTRACES: u32 = 0x0800_0000;
pub const HEAP_VALIDATE_PARAMETERS_ENABLED: u32 = 0x4000_0000;
/// Flags RtlCreateHeap accepts from its caller.
pub const HEAP_CREATE_VALID_MASK: u32 = 0x0007_F0FF;

// ---- _HEAP_ENTRY.Flags (HEAP_ENTRY_*) --------------------------------------------------

pub const HEAP_ENTRY_BUSY: u8 = 0x01;
pub const HEAP_ENTRY_EXTRA_PRESENT: u8 = 0x02;
pub const HEAP_ENTRY_FILL_PATTERN: u8 = 0x04;
pub const HEAP_ENTRY_VIRTUAL_ALLOC: u8 = 0x08;
pub const HEAP_ENTRY_LAST_ENTRY: u8 = 0x10;
pub const HEAP_ENTRY_SETTABLE_FLAG1: u8 = 0x20;
pub const HEAP_ENTRY_SETTABLE_FLAG2: u8 = 0x40;
pub const HEAP_ENTRY_SETTABLE_FLAG3: u8 = 0x80;

// ---- _HEAP_ENTRY.UnusedBytes conventions ---------------------------------------------

/// Low six bits: bytes of the block not covered by the request (block size − request).
pub const UNUSED_BYTES_MASK: u8 = 0x3F;
/// crtlab's marker for heap-internal blocks (`!heap` prints them as "Internal").
/// Windows keeps this bit in UnusedBytes too; only its use for "Internal" is our choice.
pub const UNUSED_INTERNAL: u8 = 0x40;
/// UnusedBytes of the `_HEAP` / `_HEAP_SEGMENT` header blocks: `busy (73f)` in S7.
pub const HEADER_UNUSED_BYTES: u8 = 1;
/// UnusedBytes of the block that carries a `_HEAP_UCR_DESCRIPTOR`: `busy (3d)` in S7.
pub const UCR_UNUSED_BYTES: u8 = 3;
/// UnusedBytes of the internal block at FirstEntry: `busy (10f) Internal` in S7.
pub const INTERNAL_UNUSED_BYTES: u8 = UNUSED_INTERNAL | 1;

// ---- Signatures ------------------------------------------------------------------------

/// `_HEAP_SEGMENT.SegmentSignature` (+0x10).
pub const SEGMENT_SIGNATURE: u32 = 0xFFEE_FFEE;
/// `_HEAP.Signature` (+0x98).
pub const HEAP_SIGNATURE: u32 = 0xEEFF_EEFF;
/// `_SEGMENT_HEAP.Signature` (+0x10) of a segment heap; only used to label `!heap` rows.
pub const SEGMENT_HEAP_SIGNATURE: u32 = 0xDDEE_DDEE;
/// `_HEAP.EncodeFlagMask` bit: headers are XOR-encoded with `_HEAP.Encoding`.
pub const HEAP_ENCODE_ENTRIES: u32 = 0x0010_0000;

// ---- NTSTATUS values the heap reports ---------------------------------------------------

pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
pub const STATUS_INVALID_PARAMETER: u32 = 0xC000_000D;
pub const STATUS_NO_MEMORY: u32 = 0xC000_0017;
pub const STATUS_HEAP_CORRUPTION: u32 = 0xC000_0374;

// ---- Default parameters (values observed on Win10 x64, heap-internals.md §2.2) ----------

/// `_HEAP.VirtualMemoryThreshold` in units: blocks above 0xFF000 bytes are virtual allocs.
pub const DEFAULT_VIRTUAL_MEMORY_THRESHOLD: u32 = 0xFF00;
pub const DEFAULT_SEGMENT_RESERVE: u64 = 0x10_0000;
pub const DEFAULT_SEGMENT_COMMIT: u64 = 0x2000;
/// In units. The process heap showed 0x400, HeapCreate heaps 0x100.
pub const DECOMMIT_FREE_BLOCK_THRESHOLD_PROCESS: u64 = 0x400;
pub const DECOMMIT_FREE_BLOCK_THRESHOLD: u64 = 0x100;
pub const DECOMMIT_TOTAL_FREE_THRESHOLD: u64 = 0x1000;
pub const MAXIMUM_ALLOCATION_SIZE: u64 = 0x0000_7FFF_FFFD_EFFF;
/// Reservation of a growable heap created with reserve 0 (HeapCreate(0, x, 0)): 64 KB.
pub const DEFAULT_GROWABLE_RESERVE: u64 = 0x1_0000;
/// Growable heaps commit at least two pages at creation (S6, S7: 8 KB for HeapCreate heaps).
pub const MIN_GROWABLE_COMMIT: u64 = 0x2000;
/// Entries of the `FrontEndHeapUsageData` array (USHORTs) held by the internal block.
pub const FRONT_END_HEAP_MAXIMUM_INDEX: u16 = 0x80;
/// The LFH key printed by `!heap -s`; ntdll's RtlpLFHKey is random per boot, ours is fixed.
pub const LFH_KEY: u64 = 0x5a4c_3e17_9d21_c0b3;

// ---- Fixed layout of a fresh heap (heap-internals.md §2.5) ------------------------------

/// The `_HEAP` header block at the heap base (also `_HEAP.Segment.FirstEntry` offset).
pub const HEAP_HEADER_BLOCK_SIZE: u64 = 0x740;
/// The "Internal" block at FirstEntry: holds FrontEndHeapUsageData (0x80 USHORTs).
pub const INTERNAL_BLOCK_SIZE: u64 = 0x110;
/// The block at the end of a committed range that holds its `_HEAP_UCR_DESCRIPTOR`.
pub const UCR_BLOCK_SIZE: u64 = 0x40;
/// The header block of an additional segment (`sizeof(_HEAP_SEGMENT)`).
pub const SEGMENT_HEADER_BLOCK_SIZE: u64 = 0x70;

/// `_HEAP` (x64, 0x2C0 bytes). The first 0x70 bytes are the heap's own `_HEAP_SEGMENT`.
pub mod heap {
    pub const ENTRY: u64 = 0x000;
    pub const SEGMENT_SIGNATURE: u64 = 0x010;
    pub const SEGMENT_FLAGS: u64 = 0x014;
    pub const SEGMENT_LIST_ENTRY: u64 = 0x018;
    pub const HEAP: u64 = 0x028;
    pub const BASE_ADDRESS: u64 = 0x030;
    pub const NUMBER_OF_PAGES: u64 = 0x038;
    pub const FIRST_ENTRY: u64 = 0x040;
    pub const LAST_VALID_ENTRY: u64 = 0x048;
    pub const NUMBER_OF_UNCOMMITTED_PAGES: u64 = 0x050;
    pub const NUMBER_OF_UNCOMMITTED_RANGES: u64 = 0x054;
    pub const UCR_SEGMENT_LIST: u64 = 0x060;
    pub const FLAGS: u64 = 0x070;
    pub const FORCE_FLAGS: u64 = 0x074;
    pub const COMPATIBILITY_FLAGS: u64 = 0x078;
    pub const ENCODE_FLAG_MASK: u64 = 0x07C;
    /// `_HEAP_ENTRY Encoding`: the XOR key. Its first qword is always 0.
    pub const ENCODING: u64 = 0x080;
    pub const INTERCEPTOR: u64 = 0x090;
    pub const VIRTUAL_MEMORY_THRESHOLD: u64 = 0x094;
    pub const SIGNATURE: u64 = 0x098;
    pub const SEGMENT_RESERVE: u64 = 0x0A0;
    pub const SEGMENT_COMMIT: u64 = 0x0A8;
    pub const DECOMMIT_FREE_BLOCK_THRESHOLD: u64 = 0x0B0;
    pub const DECOMMIT_TOTAL_FREE_THRESHOLD: u64 = 0x0B8;
    /// In units.
    pub const TOTAL_FREE_SIZE: u64 = 0x0C0;
    pub const MAXIMUM_ALLOCATION_SIZE: u64 = 0x0C8;
    pub const PROCESS_HEAPS_LIST_INDEX: u64 = 0x0D0;
    pub const HEADER_VALIDATE_LENGTH: u64 = 0x0D2;
    pub const HEADER_VALIDATE_COPY: u64 = 0x0D8;
    pub const NEXT_AVAILABLE_TAG_INDEX: u64 = 0x0E0;
    pub const MAXIMUM_TAG_INDEX: u64 = 0x0E2;
    pub const TAG_ENTRIES: u64 = 0x0E8;
    /// LIST_ENTRY of `_HEAP_UCR_DESCRIPTOR.ListEntry`.
    pub const UCR_LIST: u64 = 0x0F0;
    pub const ALIGN_ROUND: u64 = 0x100;
    pub const ALIGN_MASK: u64 = 0x108;
    /// LIST_ENTRY of `_HEAP_VIRTUAL_ALLOC_ENTRY.Entry`.
    pub const VIRTUAL_ALLOCD_BLOCKS: u64 = 0x110;
    /// LIST_ENTRY of `_HEAP_SEGMENT.SegmentListEntry`.
    pub const SEGMENT_LIST: u64 = 0x120;
    pub const ALLOCATOR_BACK_TRACE_INDEX: u64 = 0x130;
    pub const NON_DEDICATED_LIST_LENGTH: u64 = 0x134;
    pub const BLOCKS_INDEX: u64 = 0x138;
    pub const UCR_INDEX: u64 = 0x140;
    pub const PSEUDO_TAG_ENTRIES: u64 = 0x148;
    /// LIST_ENTRY of `_HEAP_FREE_ENTRY.FreeList`, sorted by size (`FreeList[ 00 ]`).
    pub const FREE_LISTS: u64 = 0x150;
    pub const LOCK_VARIABLE: u64 = 0x160;
    pub const COMMIT_ROUTINE: u64 = 0x168;
    pub const FRONT_END_HEAP: u64 = 0x198;
    pub const FRONT_HEAP_LOCK_COUNT: u64 = 0x1A0;
    pub const FRONT_END_HEAP_TYPE: u64 = 0x1A2;
    pub const REQUESTED_FRONT_END_HEAP_TYPE: u64 = 0x1A3;
    pub const FRONT_END_HEAP_USAGE_DATA: u64 = 0x1A8;
    pub const FRONT_END_HEAP_MAXIMUM_INDEX: u64 = 0x1B0;
    pub const COUNTERS: u64 = 0x238;
    pub const TUNING_PARAMETERS: u64 = 0x2B0;
    pub const SIZE: u64 = 0x2C0;

    /// The `_HEAP_LOCK` (an RTL_CRITICAL_SECTION) that LockVariable points at.
    pub const LOCK: u64 = 0x2C0;
    /// `_HEAP_LIST_LOOKUP` that BlocksIndex points at.
    pub const LIST_LOOKUP: u64 = 0x2E8;
    /// Bitmap of non-empty ListHints (0x80 bits).
    pub const LISTS_IN_USE: u64 = 0x320;
    /// ListHints: 0x80 LIST_ENTRY pointers, up to the end of the header block at 0x740.
    pub const LIST_HINTS: u64 = 0x330;
}

/// `_HEAP_SEGMENT` (x64, 0x70 bytes). Segment 0 is the start of `_HEAP`.
pub mod segment {
    pub const ENTRY: u64 = 0x00;
    pub const SEGMENT_SIGNATURE: u64 = 0x10;
    pub const SEGMENT_FLAGS: u64 = 0x14;
    pub const SEGMENT_LIST_ENTRY: u64 = 0x18;
    pub const HEAP: u64 = 0x28;
    pub const BASE_ADDRESS: u64 = 0x30;
    pub const NUMBER_OF_PAGES: u64 = 0x38;
    pub const FIRST_ENTRY: u64 = 0x40;
    pub const LAST_VALID_ENTRY: u64 = 0x48;
    pub const NUMBER_OF_UNCOMMITTED_PAGES: u64 = 0x50;
    pub const NUMBER_OF_UNCOMMITTED_RANGES: u64 = 0x54;
    pub const SEGMENT_ALLOCATOR_BACK_TRACE_INDEX: u64 = 0x58;
    /// LIST_ENTRY of `_HEAP_UCR_DESCRIPTOR.SegmentEntry`.
    pub const UCR_SEGMENT_LIST: u64 = 0x60;
    pub const SIZE: u64 = 0x70;
}

/// `_HEAP_ENTRY` (x64, 16 bytes). Bytes 8..16 are XOR-encoded with `_HEAP.Encoding`.
pub mod entry {
    /// Belongs to the previous block's user area; never encoded, never written by the heap.
    pub const PREVIOUS_BLOCK_PRIVATE_DATA: u64 = 0x0;
    /// USHORT, in 16-byte units, header included.
    pub const SIZE: u64 = 0x8;
    pub const FLAGS: u64 = 0xA;
    /// Checksum: Size.lo ^ Size.hi ^ Flags.
    pub const SMALL_TAG_INDEX: u64 = 0xB;
    /// USHORT, in 16-byte units.
    pub const PREVIOUS_SIZE: u64 = 0xC;
    /// crtlab stores the index of the segment the block lives in.
    pub const SEGMENT_OFFSET: u64 = 0xE;
    pub const UNUSED_BYTES: u64 = 0xF;
}

/// `_HEAP_FREE_ENTRY`: a `_HEAP_ENTRY` followed by the free-list links in the user area.
pub mod free_entry {
    pub const FREE_LIST: u64 = 0x10;
}

/// `_LIST_ENTRY`.
pub mod list_entry {
    pub const FLINK: u64 = 0x0;
    pub const BLINK: u64 = 0x8;
}

/// `_HEAP_UCR_DESCRIPTOR` (x64, 0x30 bytes): one uncommitted range of a segment.
pub mod ucr_descriptor {
    /// Linked on `_HEAP.UCRList`.
    pub const LIST_ENTRY: u64 = 0x00;
    /// Linked on `_HEAP_SEGMENT.UCRSegmentList`.
    pub const SEGMENT_ENTRY: u64 = 0x10;
    pub const ADDRESS: u64 = 0x20;
    pub const SIZE: u64 = 0x28;
    pub const SIZEOF: u64 = 0x30;
}

/// `_HEAP_VIRTUAL_ALLOC_ENTRY` (x64, 0x40 bytes) at the start of a large block.
pub mod virtual_alloc {
    /// Linked on `_HEAP.VirtualAllocdBlocks`.
    pub const ENTRY: u64 = 0x00;
    pub const EXTRA_STUFF: u64 = 0x10;
    pub const COMMIT_SIZE: u64 = 0x20;
    pub const RESERVE_SIZE: u64 = 0x28;
    /// `_HEAP_ENTRY`; its Size field holds CommitSize − request (bytes), as in ntdll.
    pub const BUSY_BLOCK: u64 = 0x30;
    pub const SIZEOF: u64 = 0x40;
}

/// `_HEAP_LIST_LOOKUP` (x64, 0x38 bytes) at `_HEAP.BlocksIndex`.
pub mod list_lookup {
    pub const EXTENDED_LOOKUP: u64 = 0x00;
    pub const ARRAY_SIZE: u64 = 0x08;
    pub const EXTRA_ITEM: u64 = 0x0C;
    pub const ITEM_COUNT: u64 = 0x10;
    pub const OUT_OF_RANGE_ITEMS: u64 = 0x14;
    pub const BASE_INDEX: u64 = 0x18;
    pub const LIST_HEAD: u64 = 0x20;
    pub const LISTS_IN_USE_ULONG: u64 = 0x28;
    pub const LIST_HINTS: u64 = 0x30;
}

/// `_HEAP_COUNTERS` (x64) at `_HEAP.Counters`.
pub mod counters {
    pub const TOTAL_MEMORY_RESERVED: u64 = 0x00;
    pub const TOTAL_MEMORY_COMMITTED: u64 = 0x08;
    pub const TOTAL_MEMORY_LARGE_UCR: u64 = 0x10;
    pub const TOTAL_SIZE_IN_VIRTUAL_BLOCKS: u64 = 0x18;
    pub const TOTAL_SEGMENTS: u64 = 0x20;
    pub const TOTAL_UCRS: u64 = 0x24;
    pub const COMMITT_OPS: u64 = 0x28;
    pub const DECOMMIT_OPS: u64 = 0x2C;
}

/// `RTL_CRITICAL_SECTION` (x64) used as `_HEAP_LOCK`.
pub mod critical_section {
    pub const DEBUG_INFO: u64 = 0x00;
    pub const LOCK_COUNT: u64 = 0x08;
    pub const RECURSION_COUNT: u64 = 0x0C;
    pub const OWNING_THREAD: u64 = 0x10;
    pub const LOCK_SEMAPHORE: u64 = 0x18;
    pub const SPIN_COUNT: u64 = 0x20;
}

/// Rounds `v` up to a multiple of `align` (a power of two); None on overflow.
pub fn round_up(v: u64, align: u64) -> Option<u64> {
    Some(v.checked_add(align - 1)? & !(align - 1))
}

/// Block size in bytes for a request: `max(0x20, roundup16(request + 8))` (§2.4).
/// The last 8 bytes of the user area overlap the next header's PreviousBlockPrivateData.
pub fn block_size_for(request: u64) -> Option<u64> {
    Some(round_up(request.checked_add(8)?, GRANULARITY)?.max(MIN_BLOCK_SIZE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_follow_the_observed_rule() {
        // S8: 0x18 -> 0x20, 0x28 -> 0x30, 0x38 -> 0x40; S9: 0xF0 -> 0x100.
        assert_eq!(block_size_for(0x18), Some(0x20));
        assert_eq!(block_size_for(0x28), Some(0x30));
        assert_eq!(block_size_for(0x38), Some(0x40));
        assert_eq!(block_size_for(0xF0), Some(0x100));
        assert_eq!(block_size_for(8), Some(0x20));
        assert_eq!(block_size_for(0), Some(0x20));
        assert_eq!(block_size_for(0x3C), Some(0x50));
        assert_eq!(block_size_for(u64::MAX), None);
    }

    #[test]
    fn header_structures_fit_the_header_block() {
        assert_eq!(heap::LIST_LOOKUP, heap::LOCK + 0x28);
        assert_eq!(heap::LISTS_IN_USE, heap::LIST_LOOKUP + 0x38);
        assert_eq!(heap::LIST_HINTS + 0x80 * 8, 0x730);
        assert_eq!(heap::COUNTERS + 0x78, heap::TUNING_PARAMETERS);
        assert_eq!(UCR_BLOCK_SIZE, HEAP_ENTRY_SIZE + ucr_descriptor::SIZEOF);
    }
}
