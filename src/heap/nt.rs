//! RtlCreateHeap, RtlAllocateHeap, RtlFreeHeap, RtlReAllocateHeap, RtlSizeHeap,
//! RtlValidateHeap, RtlWalkHeap and RtlDestroyHeap over guest memory.
//!
//! The heap handle is the heap base. Every call starts from `_HEAP` in guest memory and
//! follows the structures from there; nothing is remembered between calls.
//!
//! Layout of a fresh heap (heap-internals.md §2.5, S7):
//! ```text
//! base+0x000  _HEAP header block, 0x740 bytes, busy (73f)
//! base+0x740  Internal block, 0x110 bytes (FrontEndHeapUsageData; growable heaps only)
//! base+0x850  free block: the rest of the committed pages
//! end-0x40    busy (3d) block holding the _HEAP_UCR_DESCRIPTOR of the range after it
//! end         uncommitted up to LastValidEntry
//! ```
//! so the first allocation of a growable heap is at base+0x860 (entry base+0x850).
//! A non-growable heap (HEAP_CLASS_8, the second start-up heap) has no Internal block:
//! its free block starts at base+0x740.
//!
//! Decisions where Windows is not documented (reference §5):
//! - Block size = max(0x20, roundup16(request + 8)); a request of 0 gets a 0x20 block and
//!   HeapSize 0. UnusedBytes = block − request (≤ 0x30, so never the 0x3F "large" marker).
//!   A block that ends at LastValidEntry (no next header) holds at most block − 16 bytes.
//! - The sorted free list (`FreeLists`) is searched best-fit; a freed block goes before the
//!   first free block of equal or larger size, so the last freed block of a size is reused
//!   first. Blocks are carved from the front of a free block. ListHints are not kept.
//! - Growable heaps commit page by page as needed; a full segment gets a new one of
//!   SegmentReserve bytes, then twice the previous size. Pages are never decommitted.
//! - The first segment of a growable heap leaves the last page of its reservation unused
//!   (LastValidEntry = base + reserve − 0x1000), as `!heap` shows on Win10 (0xFF pages for a
//!   1 MB process heap, 0xF for a 64 KB HeapCreate heap); a non-growable heap uses it all.
//! - Blocks above VirtualMemoryThreshold (0xFF00 units) are virtual allocations on growable
//!   heaps and fail with STATUS_NO_MEMORY on fixed-size ones.
//! - Additional segments start with a 0x70-byte busy (6f) header block (`_HEAP_SEGMENT`);
//!   their FirstEntry is segment + 0x70.
//! - Large blocks: `_HEAP_VIRTUAL_ALLOC_ENTRY` (0x40 bytes) then the data; the BusyBlock's
//!   Size holds CommitSize − request in bytes (as ntdll does), UnusedBytes 0, Flags 0x09.
//! - UnusedBytes: header blocks 1, the UCR-descriptor block 3 (S7's `busy (73f)` and
//!   `busy (3d)`), the Internal block 0x41 (bit 0x40 = crtlab's "Internal" marker).
//! - Double free and bad headers are heap corruption (c0000374); a pointer that is not
//!   16-aligned or not inside any committed segment of the heap is an invalid address.
//! - No tail/free checking fill patterns: the heap behaves like the Win10 backend with the
//!   LFH off, which is what a debugger-started process gets, minus the debug-heap fills.

use crate::process::memory::{GuestMemory, PAGE_SIZE, Prot};

pub use super::HeapError;
use super::HeapHost;
use super::entry::{self, HeapEntry};
use super::layout::{
    self, ALLOCATION_GRANULARITY, GRANULARITY, HEAP_CREATE_ENABLE_EXECUTE, HEAP_DISABLE_COALESCE_ON_FREE,
    HEAP_ENTRY_BUSY, HEAP_ENTRY_SIZE, HEAP_ENTRY_VIRTUAL_ALLOC, HEAP_GENERATE_EXCEPTIONS, HEAP_GROWABLE,
    HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY, MAX_FREE_BLOCK_UNITS, MAX_SEGMENTS, MIN_BLOCK_SIZE, UCR_BLOCK_SIZE,
    block_size_for, counters, critical_section, heap, list_entry, list_lookup, round_up, segment, ucr_descriptor,
    virtual_alloc,
};
use super::view::{self, BlockKind, HeapHeader, MAX_LIST_NODES, SegmentInfo, SegmentItem, VirtualBlock};

const PAGE: u64 = PAGE_SIZE;

/// Flags of RtlCreateHeap that are also applied to every call (ntdll's ForceFlags mask):
/// 0x1002 gives ForceFlags 0, the debug heap's 0x40000062 gives 0x40000060.
const FORCE_FLAGS_MASK: u32 = 0x0000_0001
    | 0x0000_0004
    | 0x0000_0008
    | 0x0000_0010
    | 0x0000_0020
    | 0x0000_0040
    | 0x0001_0000
    | 0x2000_0000
    | 0x4000_0000;

/// Creates a heap and returns its handle (= base).
///
/// `base`: Some(fixed address) for the start-up heaps (the caller owns that range; it is
/// committed here with `map`), None to reserve through the host. `reserve`/`commit` are
/// rounded to 64 KB / pages; a growable heap with reserve 0 reserves 64 KB and commits at
/// least two pages. `process_heaps_index` is the 1-based `_HEAP.ProcessHeapsListIndex`.
pub fn create<H: HeapHost + ?Sized>(
    host: &mut H,
    base: Option<u64>,
    flags: u32,
    reserve: u64,
    commit: u64,
    process_heaps_index: u16,
) -> Result<u64, HeapError> {
    let api = "RtlCreateHeap";
    let raise = flags & HEAP_GENERATE_EXCEPTIONS != 0;
    let heap_at = base.unwrap_or(0);
    let no_memory = |size| HeapError::NoMemory { api, heap: heap_at, size, raise };
    let growable = flags & HEAP_GROWABLE != 0;
    let lost_page = if growable { PAGE } else { 0 };

    let mut commit = round_up(commit.max(1), PAGE).ok_or(no_memory(commit))?;
    if growable {
        commit = commit.max(layout::MIN_GROWABLE_COMMIT);
    }
    let reserve = if reserve == 0 { layout::DEFAULT_GROWABLE_RESERVE } else { reserve };
    let least = commit.checked_add(lost_page).ok_or(no_memory(commit))?;
    let reserve = round_up(reserve.max(least), ALLOCATION_GRANULARITY).ok_or(no_memory(reserve))?;
    if reserve > u32::MAX as u64 * PAGE {
        return Err(no_memory(reserve));
    }
    let usable = reserve - lost_page;
    let commit = commit.min(usable);

    let base = match base {
        Some(b) if !b.is_multiple_of(ALLOCATION_GRANULARITY) || b.checked_add(reserve).is_none() => {
            return Err(HeapError::InvalidParameter {
                api,
                heap: b,
                reason: "heap base must be 64 KB aligned".into(),
                raise,
            });
        }
        Some(b) => b,
        None => host.reserve(reserve, ALLOCATION_GRANULARITY).ok_or(no_memory(reserve))?,
    };
    let prot = if flags & HEAP_CREATE_ENABLE_EXECUTE != 0 { Prot::RWX } else { Prot::RW };
    if host.map(base, commit, prot).is_err() {
        if heap_at == 0 {
            host.release(base, reserve);
        }
        return Err(HeapError::NoMemory { api, heap: base, size: commit, raise });
    }
    let mut init = Init { host, base, key: entry::derive_encoding_key(base) };
    init.write_header(flags, process_heaps_index, usable, commit).map_err(|_| HeapError::NoMemory {
        api,
        heap: base,
        size: commit,
        raise,
    })?;

    // The blocks: header, Internal (growable only), free remainder, UCR block.
    let mut op = Op::open(init.host, base, api, 0)?;
    op.write_entry(base, HeapEntry::new(0x74, HEAP_ENTRY_BUSY, 0, 0, layout::HEADER_UNUSED_BYTES))?;
    let mut cur = base + layout::HEAP_HEADER_BLOCK_SIZE;
    let mut prev_units = (layout::HEAP_HEADER_BLOCK_SIZE / GRANULARITY) as u16;
    if growable {
        let units = (layout::INTERNAL_BLOCK_SIZE / GRANULARITY) as u16;
        op.write_entry(cur, HeapEntry::new(units, HEAP_ENTRY_BUSY, prev_units, 0, layout::INTERNAL_UNUSED_BYTES))?;
        op.w64(base + heap::FRONT_END_HEAP_USAGE_DATA, cur + HEAP_ENTRY_SIZE)?;
        op.w16(base + heap::FRONT_END_HEAP_MAXIMUM_INDEX, layout::FRONT_END_HEAP_MAXIMUM_INDEX)?;
        cur += layout::INTERNAL_BLOCK_SIZE;
        prev_units = units;
    }
    let lve = base + usable;
    let committed_end = base + commit;
    let free_end = if committed_end < lve { committed_end - UCR_BLOCK_SIZE } else { lve };
    let last = op.add_free_region(cur, free_end, prev_units, 0)?;
    if committed_end < lve {
        op.write_ucr_block(base, free_end, last, 0, committed_end, lve - committed_end)?;
    }
    Ok(base)
}

/// Creates the two NT heaps every process starts with, at their fixed addresses:
/// the process heap (growable, 1 MB reserved, index 1) and the second heap (HEAP_CLASS_8,
/// 64 KB reserved, 4 KB committed, index 2). Returns (process heap, second heap).
pub fn create_startup_heaps<H: HeapHost + ?Sized>(host: &mut H) -> Result<(u64, u64), HeapError> {
    let process = create(host, Some(crate::layout::PROCESS_HEAP), HEAP_GROWABLE, 0x10_0000, 0x2000, 1)?;
    let second = create(host, Some(crate::layout::SECOND_HEAP), layout::HEAP_CLASS_8, 0x1_0000, 0x1000, 2)?;
    Ok((process, second))
}

/// RtlAllocateHeap: returns the user pointer (16-aligned, entry + 0x10).
pub fn allocate<H: HeapHost + ?Sized>(host: &mut H, heap: u64, flags: u32, size: u64) -> Result<u64, HeapError> {
    let mut op = Op::open(host, heap, "RtlAllocateHeap", flags)?;
    let flags = flags | op.h.force_flags;
    op.allocate(size, flags)
}

/// RtlFreeHeap. Freeing NULL succeeds.
pub fn free<H: HeapHost + ?Sized>(host: &mut H, heap: u64, flags: u32, ptr: u64) -> Result<(), HeapError> {
    if ptr == 0 {
        return Ok(());
    }
    let mut op = Op::open(host, heap, "RtlFreeHeap", flags)?;
    let flags = flags | op.h.force_flags;
    let located = op.locate(ptr, true)?;
    op.free_located(located, flags)
}

/// RtlReAllocateHeap: grows or shrinks in place when it can, else moves the block (unless
/// HEAP_REALLOC_IN_PLACE_ONLY). HEAP_ZERO_MEMORY zeroes the grown part.
pub fn reallocate<H: HeapHost + ?Sized>(
    host: &mut H,
    heap: u64,
    flags: u32,
    ptr: u64,
    size: u64,
) -> Result<u64, HeapError> {
    let mut op = Op::open(host, heap, "RtlReAllocateHeap", flags)?;
    let flags = flags | op.h.force_flags;
    if ptr == 0 {
        return Err(op.invalid_parameter("the block pointer is NULL"));
    }
    op.reallocate(ptr, size, flags)
}

/// RtlSizeHeap: the exact size that was requested.
pub fn size<H: HeapHost + ?Sized>(host: &mut H, heap: u64, flags: u32, ptr: u64) -> Result<u64, HeapError> {
    let mut op = Op::open(host, heap, "RtlSizeHeap", flags)?;
    Ok(match op.locate(ptr, false)? {
        Located::Virtual(vb) => vb.requested(),
        Located::Block(b) => b.header.size_bytes() - b.header.unused(),
    })
}

/// RtlValidateHeap: one block (`Some(ptr)`) or the whole heap (`None` or `Some(0)`).
pub fn validate<H: HeapHost + ?Sized>(host: &mut H, heap: u64, flags: u32, ptr: Option<u64>) -> bool {
    match ptr {
        Some(p) if p != 0 => {
            Op::open(host, heap, "RtlValidateHeap", flags).and_then(|mut op| op.locate(p, false)).is_ok()
        }
        _ => validate_heap(host, heap).is_ok(),
    }
}

/// Validates the whole heap and says what is wrong: every segment walks cleanly, every
/// free block is on the free list exactly once, the list is sorted, TotalFreeSize adds up,
/// and the virtual-alloc list is well formed.
pub fn validate_heap<M: GuestMemory + ?Sized>(mem: &M, heap: u64) -> Result<(), HeapError> {
    let h = HeapHeader::read(mem, heap).ok_or_else(|| HeapError::InvalidParameter {
        api: "RtlValidateHeap",
        heap,
        reason: "not a valid heap handle".into(),
        raise: false,
    })?;
    let mut free_in_segments = Vec::new();
    for seg in view::segments(mem, &h)? {
        let walk = view::walk_segment(mem, &h, &seg);
        if let Some(e) = walk.error {
            return Err(e);
        }
        let ucr_pages: u64 = seg.ucrs.iter().map(|u| u.size / PAGE).sum();
        if ucr_pages != seg.uncommitted_pages as u64 || seg.ucrs.len() != seg.uncommitted_range_count as usize {
            return Err(h.corruption(seg.base, "segment uncommitted-range counts do not match its ranges"));
        }
        for item in walk.items {
            if let SegmentItem::Block(b) = item
                && b.kind == BlockKind::Free
            {
                free_in_segments.push(b.entry);
            }
        }
    }
    let list = view::free_list(mem, &h)?;
    let mut total = 0u64;
    let mut last_size = 0u16;
    for &(e, hdr) in &list {
        if hdr.size < last_size {
            return Err(h.corruption(e, "free list is not sorted by size"));
        }
        last_size = hdr.size;
        total += hdr.size as u64;
    }
    let mut on_list: Vec<u64> = list.iter().map(|&(e, _)| e).collect();
    on_list.sort_unstable();
    free_in_segments.sort_unstable();
    if on_list != free_in_segments {
        let odd = on_list
            .iter()
            .find(|e| free_in_segments.binary_search(e).is_err())
            .or_else(|| free_in_segments.iter().find(|e| on_list.binary_search(e).is_err()))
            .copied()
            .unwrap_or(h.base + heap::FREE_LISTS);
        return Err(h.corruption(odd, "free list does not match the free blocks of the segments"));
    }
    let recorded = h.read_u64(mem, h.base + heap::TOTAL_FREE_SIZE)?;
    if recorded != total {
        return Err(h.corruption(
            h.base + heap::TOTAL_FREE_SIZE,
            format!("TotalFreeSize {recorded:#x} does not match the free list ({total:#x})"),
        ));
    }
    view::virtual_blocks(mem, &h)?;
    Ok(())
}

/// One element of a heap walk (RtlWalkHeap / HeapWalk, `!heap -a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeapEntryInfo {
    /// A segment: PROCESS_HEAP_REGION.
    Region { segment: usize, base: u64, first_entry: u64, last_valid: u64, committed: u64, uncommitted: u64 },
    /// A block. HeapWalk reports Busy/Internal/header kinds as PROCESS_HEAP_ENTRY_BUSY and
    /// Free with no flag; `data`/`requested` are lpData/cbData, `size - requested` cbOverhead.
    Block(HeapBlock),
    /// PROCESS_HEAP_UNCOMMITTED_RANGE.
    Uncommitted { segment: usize, address: u64, size: u64 },
}

/// A block as a walk reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapBlock {
    /// None for a virtual-alloc block.
    pub segment: Option<usize>,
    /// Address of its `_HEAP_ENTRY`.
    pub entry: u64,
    /// User pointer.
    pub data: u64,
    /// Block size in bytes, header included (virtual blocks: CommitSize).
    pub size: u64,
    /// Requested size (busy) or usable size (free: size − 16).
    pub requested: u64,
    /// Decoded `_HEAP_ENTRY.Flags`.
    pub flags: u8,
    pub kind: BlockKind,
}

/// RtlWalkHeap: every segment (region, blocks, uncommitted ranges), then the large blocks.
pub fn walk<M: GuestMemory + ?Sized>(mem: &M, heap: u64) -> Result<Vec<HeapEntryInfo>, HeapError> {
    let h = HeapHeader::read(mem, heap).ok_or_else(|| HeapError::InvalidParameter {
        api: "RtlWalkHeap",
        heap,
        reason: "not a valid heap handle".into(),
        raise: false,
    })?;
    let mut out = Vec::new();
    for seg in view::segments(mem, &h)? {
        let uncommitted: u64 = seg.ucrs.iter().map(|u| u.size).sum();
        out.push(HeapEntryInfo::Region {
            segment: seg.index,
            base: seg.base,
            first_entry: seg.first_entry,
            last_valid: seg.last_valid,
            committed: (seg.last_valid - seg.base).saturating_sub(uncommitted),
            uncommitted,
        });
        let w = view::walk_segment(mem, &h, &seg);
        if let Some(e) = w.error {
            return Err(e);
        }
        for item in w.items {
            out.push(match item {
                SegmentItem::Block(b) => HeapEntryInfo::Block(HeapBlock {
                    segment: Some(seg.index),
                    entry: b.entry,
                    data: b.user(),
                    size: b.size(),
                    requested: if b.header.is_busy() { b.requested() } else { b.size() - HEAP_ENTRY_SIZE },
                    flags: b.header.flags,
                    kind: b.kind,
                }),
                SegmentItem::Uncommitted(u) => {
                    HeapEntryInfo::Uncommitted { segment: seg.index, address: u.address, size: u.size }
                }
            });
        }
    }
    for vb in view::virtual_blocks(mem, &h)? {
        out.push(HeapEntryInfo::Block(HeapBlock {
            segment: None,
            entry: vb.entry(),
            data: vb.user(),
            size: vb.commit_size,
            requested: vb.requested(),
            flags: vb.header.flags,
            kind: BlockKind::VirtualAlloc,
        }));
    }
    Ok(out)
}

/// RtlDestroyHeap: decommits and releases every segment and large block. (Refusing to
/// destroy the process heap is the caller's job: it knows PEB.ProcessHeap.)
pub fn destroy<H: HeapHost + ?Sized>(host: &mut H, heap: u64) -> Result<(), HeapError> {
    let op = Op::open(host, heap, "RtlDestroyHeap", 0)?;
    let h = op.h.clone();
    let segs = view::segments(&*op.host, &h)?;
    let vbs = view::virtual_blocks(&*op.host, &h)?;
    for vb in vbs {
        let _ = host.unmap(vb.base, vb.commit_size);
        host.release(vb.base, vb.reserve_size);
    }
    for seg in segs.iter().rev() {
        let committed = round_up(seg.committed_end(), PAGE).unwrap_or(seg.last_valid) - seg.base;
        let _ = host.unmap(seg.base, committed);
        let reserved = round_up(seg.last_valid - seg.base, ALLOCATION_GRANULARITY).unwrap_or(committed);
        host.release(seg.base, reserved);
    }
    Ok(())
}

/// Writes the `_HEAP` fields of a new heap (blocks are written afterwards).
struct Init<'a, H: HeapHost + ?Sized> {
    host: &'a mut H,
    base: u64,
    key: u64,
}

impl<H: HeapHost + ?Sized> Init<'_, H> {
    fn write_header(
        &mut self,
        flags: u32,
        index: u16,
        usable: u64,
        commit: u64,
    ) -> Result<(), crate::process::memory::MemError> {
        let b = self.base;
        let m = &mut *self.host;
        // Zero what a previous mapping may have left in the header block.
        m.write(b, &[0u8; layout::HEAP_HEADER_BLOCK_SIZE as usize])?;
        m.write_u32(b + heap::SEGMENT_SIGNATURE, layout::SEGMENT_SIGNATURE)?;
        // S2: the process heap's segment showed SegmentFlags 2, HeapCreate heaps 0.
        m.write_u32(b + heap::SEGMENT_FLAGS, if index == 1 { 2 } else { 0 })?;
        m.write_u64(b + heap::HEAP, b)?;
        m.write_u64(b + heap::BASE_ADDRESS, b)?;
        m.write_u32(b + heap::NUMBER_OF_PAGES, (usable / PAGE) as u32)?;
        m.write_u64(b + heap::FIRST_ENTRY, b + layout::HEAP_HEADER_BLOCK_SIZE)?;
        m.write_u64(b + heap::LAST_VALID_ENTRY, b + usable)?;
        m.write_u32(b + heap::NUMBER_OF_UNCOMMITTED_PAGES, 0)?;
        m.write_u32(b + heap::NUMBER_OF_UNCOMMITTED_RANGES, 0)?;
        for head in [heap::UCR_SEGMENT_LIST, heap::UCR_LIST, heap::VIRTUAL_ALLOCD_BLOCKS, heap::FREE_LISTS] {
            m.write_u64(b + head + list_entry::FLINK, b + head)?;
            m.write_u64(b + head + list_entry::BLINK, b + head)?;
        }
        // SegmentList holds the heap's own segment.
        m.write_u64(b + heap::SEGMENT_LIST + list_entry::FLINK, b + heap::SEGMENT_LIST_ENTRY)?;
        m.write_u64(b + heap::SEGMENT_LIST + list_entry::BLINK, b + heap::SEGMENT_LIST_ENTRY)?;
        m.write_u64(b + heap::SEGMENT_LIST_ENTRY + list_entry::FLINK, b + heap::SEGMENT_LIST)?;
        m.write_u64(b + heap::SEGMENT_LIST_ENTRY + list_entry::BLINK, b + heap::SEGMENT_LIST)?;

        m.write_u32(b + heap::FLAGS, flags)?;
        m.write_u32(b + heap::FORCE_FLAGS, flags & FORCE_FLAGS_MASK)?;
        m.write_u32(b + heap::ENCODE_FLAG_MASK, layout::HEAP_ENCODE_ENTRIES)?;
        m.write_u64(b + heap::ENCODING, 0)?;
        m.write_u64(b + heap::ENCODING + 8, self.key)?;
        m.write_u32(b + heap::VIRTUAL_MEMORY_THRESHOLD, layout::DEFAULT_VIRTUAL_MEMORY_THRESHOLD)?;
        m.write_u32(b + heap::SIGNATURE, layout::HEAP_SIGNATURE)?;
        m.write_u64(b + heap::SEGMENT_RESERVE, layout::DEFAULT_SEGMENT_RESERVE)?;
        m.write_u64(b + heap::SEGMENT_COMMIT, layout::DEFAULT_SEGMENT_COMMIT)?;
        let decommit_block = if index == 1 {
            layout::DECOMMIT_FREE_BLOCK_THRESHOLD_PROCESS
        } else {
            layout::DECOMMIT_FREE_BLOCK_THRESHOLD
        };
        m.write_u64(b + heap::DECOMMIT_FREE_BLOCK_THRESHOLD, decommit_block)?;
        m.write_u64(b + heap::DECOMMIT_TOTAL_FREE_THRESHOLD, layout::DECOMMIT_TOTAL_FREE_THRESHOLD)?;
        m.write_u64(b + heap::MAXIMUM_ALLOCATION_SIZE, layout::MAXIMUM_ALLOCATION_SIZE)?;
        m.write_u16(b + heap::PROCESS_HEAPS_LIST_INDEX, index)?;
        m.write_u16(b + heap::HEADER_VALIDATE_LENGTH, heap::SIZE as u16)?;
        m.write_u64(b + heap::ALIGN_ROUND, 0x1F)?;
        m.write_u64(b + heap::ALIGN_MASK, !0xF)?;
        m.write_u64(b + heap::BLOCKS_INDEX, b + heap::LIST_LOOKUP)?;
        m.write_u64(b + heap::LOCK_VARIABLE, b + heap::LOCK)?;

        // The lock: an unowned RTL_CRITICAL_SECTION without debug info.
        m.write_u64(b + heap::LOCK + critical_section::DEBUG_INFO, u64::MAX)?;
        m.write_u32(b + heap::LOCK + critical_section::LOCK_COUNT, u32::MAX)?;
        // BlocksIndex: one _HEAP_LIST_LOOKUP over FreeLists (its hints are not maintained).
        let l = b + heap::LIST_LOOKUP;
        m.write_u32(l + list_lookup::ARRAY_SIZE, 0x80)?;
        m.write_u64(l + list_lookup::LIST_HEAD, b + heap::FREE_LISTS)?;
        m.write_u64(l + list_lookup::LISTS_IN_USE_ULONG, b + heap::LISTS_IN_USE)?;
        m.write_u64(l + list_lookup::LIST_HINTS, b + heap::LIST_HINTS)?;

        let c = b + heap::COUNTERS;
        m.write_u64(c + counters::TOTAL_MEMORY_RESERVED, usable)?;
        m.write_u64(c + counters::TOTAL_MEMORY_COMMITTED, commit)?;
        m.write_u32(c + counters::TOTAL_SEGMENTS, 1)?;
        Ok(())
    }
}

/// Where a user pointer lives.
enum Located {
    Block(LocatedBlock),
    Virtual(VirtualBlock),
}

/// A segment block with its neighbours, all checked against each other.
struct LocatedBlock {
    seg: SegmentInfo,
    entry: u64,
    header: HeapEntry,
    prev: Option<(u64, HeapEntry)>,
    next: Option<(u64, HeapEntry)>,
}

/// One heap call: the heap header as read at its start, and the host.
struct Op<'a, H: HeapHost + ?Sized> {
    host: &'a mut H,
    h: HeapHeader,
    api: &'static str,
    raise: bool,
}

impl<'a, H: HeapHost + ?Sized> Op<'a, H> {
    fn open(host: &'a mut H, heap: u64, api: &'static str, flags: u32) -> Result<Self, HeapError> {
        let Some(h) = HeapHeader::read(&*host, heap) else {
            return Err(HeapError::InvalidParameter {
                api,
                heap,
                reason: "not a valid heap handle".into(),
                raise: flags & HEAP_GENERATE_EXCEPTIONS != 0,
            });
        };
        let raise = (flags | h.flags | h.force_flags) & HEAP_GENERATE_EXCEPTIONS != 0;
        Ok(Op { host, h, api, raise })
    }

    fn growable(&self) -> bool {
        self.h.flags & HEAP_GROWABLE != 0
    }

    fn prot(&self) -> Prot {
        if self.h.flags & HEAP_CREATE_ENABLE_EXECUTE != 0 { Prot::RWX } else { Prot::RW }
    }

    fn no_memory(&self, size: u64) -> HeapError {
        HeapError::NoMemory { api: self.api, heap: self.h.base, size, raise: self.raise }
    }

    fn invalid_address(&self, address: u64) -> HeapError {
        HeapError::InvalidAddress { api: self.api, heap: self.h.base, address, raise: self.raise }
    }

    fn invalid_parameter(&self, reason: &str) -> HeapError {
        HeapError::InvalidParameter { api: self.api, heap: self.h.base, reason: reason.into(), raise: self.raise }
    }

    // ---- raw access: failures on heap metadata are corruption ----

    fn r64(&self, addr: u64) -> Result<u64, HeapError> {
        self.h.read_u64(&*self.host, addr)
    }

    fn w64(&mut self, addr: u64, v: u64) -> Result<(), HeapError> {
        let h = &self.h;
        self.host.write_u64(addr, v).map_err(|_| h.corruption(addr, "heap metadata is not writable"))
    }

    fn w32(&mut self, addr: u64, v: u32) -> Result<(), HeapError> {
        let h = &self.h;
        self.host.write_u32(addr, v).map_err(|_| h.corruption(addr, "heap metadata is not writable"))
    }

    fn w16(&mut self, addr: u64, v: u16) -> Result<(), HeapError> {
        let h = &self.h;
        self.host.write_u16(addr, v).map_err(|_| h.corruption(addr, "heap metadata is not writable"))
    }

    fn add64(&mut self, addr: u64, delta: i64) -> Result<(), HeapError> {
        let v = self.r64(addr)?;
        self.w64(addr, v.wrapping_add_signed(delta))
    }

    fn add32(&mut self, addr: u64, delta: i32) -> Result<(), HeapError> {
        let v = self.h.read_u32(&*self.host, addr)?;
        self.w32(addr, v.wrapping_add_signed(delta))
    }

    fn entry(&self, addr: u64) -> Result<HeapEntry, HeapError> {
        self.h.entry(&*self.host, addr)
    }

    fn write_entry(&mut self, addr: u64, e: HeapEntry) -> Result<(), HeapError> {
        let h = &self.h;
        entry::write_entry(self.host, addr, h.key, e).map_err(|_| h.corruption(addr, "heap entry is not writable"))
    }

    fn set_previous_size(&mut self, addr: u64, units: u16) -> Result<(), HeapError> {
        let mut e = self.entry(addr)?;
        e.previous_size = units;
        self.write_entry(addr, e)
    }

    fn zero(&mut self, addr: u64, len: u64) -> Result<(), HeapError> {
        let chunk = [0u8; 4096];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(chunk.len() as u64);
            let at = addr + done;
            self.host
                .write(at, &chunk[..n as usize])
                .map_err(|_| self.h.corruption(at, "heap block is not writable"))?;
            done += n;
        }
        Ok(())
    }

    // ---- LIST_ENTRY helpers (safe unlinking, as ntdll does since Vista) ----

    fn unlink(&mut self, node: u64, owner: u64) -> Result<(), HeapError> {
        let flink = self.r64(node + list_entry::FLINK)?;
        let blink = self.r64(node + list_entry::BLINK)?;
        if self.r64(flink.wrapping_add(list_entry::BLINK))? != node || self.r64(blink)? != node {
            return Err(self.h.corruption(owner, format!("list links of {node:016x} are corrupted")));
        }
        self.w64(blink.wrapping_add(list_entry::FLINK), flink)?;
        self.w64(flink.wrapping_add(list_entry::BLINK), blink)
    }

    /// Inserts `node` between `prev` and `next` (which must be adjacent).
    fn link_between(&mut self, node: u64, prev: u64, next: u64) -> Result<(), HeapError> {
        self.w64(node + list_entry::FLINK, next)?;
        self.w64(node + list_entry::BLINK, prev)?;
        self.w64(prev.wrapping_add(list_entry::FLINK), node)?;
        self.w64(next.wrapping_add(list_entry::BLINK), node)
    }

    fn link_tail(&mut self, head: u64, node: u64) -> Result<(), HeapError> {
        let last = self.r64(head + list_entry::BLINK)?;
        if self.r64(last)? != head {
            return Err(self.h.corruption(head, format!("list head {head:016x} is corrupted")));
        }
        self.link_between(node, last, head)
    }

    // ---- the free list ----

    fn total_free_add(&mut self, units: i64) -> Result<(), HeapError> {
        self.add64(self.h.base + heap::TOTAL_FREE_SIZE, units)
    }

    /// Puts a free block on FreeLists before the first block at least as large.
    fn insert_free(&mut self, entry: u64, units: u16) -> Result<(), HeapError> {
        let head = self.h.base + heap::FREE_LISTS;
        let mut prev = head;
        let mut cur = self.r64(head)?;
        let mut n = 0;
        while cur != head {
            n += 1;
            if n > MAX_LIST_NODES {
                return Err(self.h.corruption(head, "free list does not come back to its head"));
            }
            let e = cur.wrapping_sub(HEAP_ENTRY_SIZE);
            if self.r64(cur.wrapping_add(list_entry::BLINK))? != prev {
                return Err(self.h.corruption(e, "free list links are corrupted"));
            }
            let fe = self.entry(e)?;
            if fe.is_busy() {
                return Err(self.h.corruption(e, "busy block found on the free list"));
            }
            if fe.size >= units {
                break;
            }
            prev = cur;
            cur = self.r64(cur)?;
        }
        if self.r64(cur.wrapping_add(list_entry::BLINK))? != prev {
            return Err(self.h.corruption(cur, "free list links are corrupted"));
        }
        self.link_between(entry + HEAP_ENTRY_SIZE, prev, cur)?;
        self.total_free_add(units as i64)
    }

    fn remove_free(&mut self, entry: u64, units: u16) -> Result<(), HeapError> {
        self.unlink(entry + HEAP_ENTRY_SIZE, entry)?;
        self.total_free_add(-(units as i64))
    }

    /// Turns [start, end) into free blocks of at most MAX_FREE_BLOCK_UNITS, the first one
    /// after a block of `prev_units`. Returns the size of the last one (for the follower).
    fn add_free_region(&mut self, start: u64, end: u64, prev_units: u16, seg: u8) -> Result<u16, HeapError> {
        let mut cur = start;
        let mut prev = prev_units;
        while cur < end {
            let remaining = end - cur;
            if remaining < MIN_BLOCK_SIZE {
                return Err(self.h.corruption(cur, "free region too small for a free block"));
            }
            let mut chunk = remaining.min(MAX_FREE_BLOCK_UNITS * GRANULARITY);
            if remaining - chunk != 0 && remaining - chunk < MIN_BLOCK_SIZE {
                chunk -= MIN_BLOCK_SIZE;
            }
            let units = (chunk / GRANULARITY) as u16;
            self.write_entry(cur, HeapEntry::new(units, 0, prev, seg, 0))?;
            self.insert_free(cur, units)?;
            prev = units;
            cur += chunk;
        }
        Ok(prev)
    }

    // ---- segments and uncommitted ranges ----

    fn segments(&self) -> Result<Vec<SegmentInfo>, HeapError> {
        view::segments(&*self.host, &self.h)
    }

    fn segment_of(&self, entry: u64) -> Result<Option<SegmentInfo>, HeapError> {
        Ok(self.segments()?.into_iter().find(|s| entry >= s.first_entry && entry < s.committed_end()))
    }

    /// Writes the busy block at `at` that carries the descriptor of [address, +size).
    fn write_ucr_block(
        &mut self,
        seg_base: u64,
        at: u64,
        prev_units: u16,
        seg: u8,
        address: u64,
        size: u64,
    ) -> Result<(), HeapError> {
        let units = (UCR_BLOCK_SIZE / GRANULARITY) as u16;
        self.write_entry(at, HeapEntry::new(units, HEAP_ENTRY_BUSY, prev_units, seg, layout::UCR_UNUSED_BYTES))?;
        let d = at + HEAP_ENTRY_SIZE;
        self.w64(d + ucr_descriptor::ADDRESS, address)?;
        self.w64(d + ucr_descriptor::SIZE, size)?;
        self.link_tail(self.h.base + heap::UCR_LIST, d + ucr_descriptor::LIST_ENTRY)?;
        self.link_tail(seg_base + segment::UCR_SEGMENT_LIST, d + ucr_descriptor::SEGMENT_ENTRY)?;
        self.w32(seg_base + segment::NUMBER_OF_UNCOMMITTED_PAGES, (size / PAGE) as u32)?;
        self.w32(seg_base + segment::NUMBER_OF_UNCOMMITTED_RANGES, 1)?;
        self.add32(self.h.base + heap::COUNTERS + counters::TOTAL_UCRS, 1)
    }

    /// Commits more of a segment's uncommitted range so that a block of `need` bytes fits.
    fn try_commit(&mut self, seg: &SegmentInfo, need: u64, req: u64) -> Result<bool, HeapError> {
        let Some(ucr) = seg.ucrs.last().copied() else { return Ok(false) };
        if ucr.address + ucr.size != seg.last_valid {
            return Ok(false);
        }
        let Some(ucr_block) = ucr.address.checked_sub(UCR_BLOCK_SIZE).filter(|&a| a >= seg.first_entry) else {
            return Err(self.h.corruption(ucr.descriptor, "uncommitted range starts before its segment's blocks"));
        };
        let ub = self.entry(ucr_block)?;
        if !ub.is_busy() || ub.size_bytes() != UCR_BLOCK_SIZE || ucr.descriptor != ucr_block + HEAP_ENTRY_SIZE {
            return Err(self.h.corruption(ucr_block, "uncommitted-range block is corrupted"));
        }
        let mut start = ucr_block;
        let mut start_prev = ub.previous_size;
        let mut prev_free = None;
        if ub.previous_size != 0 {
            let p = ucr_block
                .checked_sub(ub.previous_size_bytes())
                .filter(|&p| p >= seg.base)
                .ok_or_else(|| self.h.corruption(ucr_block, "previous size points outside the segment"))?;
            let pe = self.entry(p)?;
            if pe.size != ub.previous_size {
                return Err(self.h.corruption(ucr_block, "previous size does not match the previous block"));
            }
            if !pe.is_busy() {
                start = p;
                start_prev = pe.previous_size;
                prev_free = Some(pe.size);
            }
        }
        let lve = seg.last_valid;
        let target = start.checked_add(need + UCR_BLOCK_SIZE).ok_or(self.no_memory(req))?;
        let mut new_end = round_up(target, PAGE).ok_or(self.no_memory(req))?.max(ucr.address.saturating_add(PAGE));
        let full = new_end >= lve;
        if full {
            new_end = lve;
            let avail = lve - start;
            if avail < need || (avail - need < MIN_BLOCK_SIZE && req > avail - HEAP_ENTRY_SIZE) {
                return Ok(false);
            }
        }
        let prot = self.prot();
        if self.host.map(ucr.address, new_end - ucr.address, prot).is_err() {
            return Err(self.no_memory(req));
        }
        self.unlink(ucr.descriptor + ucr_descriptor::LIST_ENTRY, ucr_block)?;
        self.unlink(ucr.descriptor + ucr_descriptor::SEGMENT_ENTRY, ucr_block)?;
        self.add32(self.h.base + heap::COUNTERS + counters::TOTAL_UCRS, -1)?;
        if let Some(units) = prev_free {
            self.remove_free(start, units)?;
        }
        let seg_idx = seg.index as u8;
        let free_end = if full { lve } else { new_end - UCR_BLOCK_SIZE };
        let last = self.add_free_region(start, free_end, start_prev, seg_idx)?;
        if full {
            self.w32(seg.base + segment::NUMBER_OF_UNCOMMITTED_PAGES, 0)?;
            self.w32(seg.base + segment::NUMBER_OF_UNCOMMITTED_RANGES, 0)?;
        } else {
            self.write_ucr_block(seg.base, free_end, last, seg_idx, new_end, lve - new_end)?;
        }
        let c = self.h.base + heap::COUNTERS;
        self.add64(c + counters::TOTAL_MEMORY_COMMITTED, (new_end - ucr.address) as i64)?;
        self.add32(c + counters::COMMITT_OPS, 1)?;
        Ok(true)
    }

    /// Adds a segment to a growable heap: SegmentReserve bytes, then double the last one.
    fn new_segment(&mut self, segs: &[SegmentInfo], need: u64, req: u64) -> Result<bool, HeapError> {
        let last_reserve =
            segs.last().and_then(|s| round_up(s.last_valid - s.base, ALLOCATION_GRANULARITY)).unwrap_or(0);
        let header = layout::SEGMENT_HEADER_BLOCK_SIZE;
        let min_size = (header + UCR_BLOCK_SIZE + PAGE).checked_add(need).ok_or(self.no_memory(req))?;
        let mut size = if last_reserve < self.h.segment_reserve {
            self.h.segment_reserve
        } else {
            last_reserve.checked_mul(2).ok_or(self.no_memory(req))?
        };
        while size < min_size {
            size = size.checked_mul(2).ok_or(self.no_memory(req))?;
        }
        let size = round_up(size, ALLOCATION_GRANULARITY).ok_or(self.no_memory(req))?;
        if size > u32::MAX as u64 * PAGE {
            return Err(self.no_memory(req));
        }
        let Some(base) = self.host.reserve(size, ALLOCATION_GRANULARITY) else { return Err(self.no_memory(req)) };
        let commit = round_up((header + need + UCR_BLOCK_SIZE).max(self.h.segment_commit), PAGE)
            .ok_or(self.no_memory(req))?
            .min(size);
        let prot = self.prot();
        if self.host.map(base, commit, prot).is_err() {
            self.host.release(base, size);
            return Err(self.no_memory(req));
        }
        let idx = segs.len() as u8;
        let hunits = (header / GRANULARITY) as u16;
        self.write_entry(base, HeapEntry::new(hunits, HEAP_ENTRY_BUSY, 0, idx, layout::HEADER_UNUSED_BYTES))?;
        self.w32(base + segment::SEGMENT_SIGNATURE, layout::SEGMENT_SIGNATURE)?;
        self.w32(base + segment::SEGMENT_FLAGS, 0)?;
        self.w64(base + segment::HEAP, self.h.base)?;
        self.w64(base + segment::BASE_ADDRESS, base)?;
        self.w32(base + segment::NUMBER_OF_PAGES, (size / PAGE) as u32)?;
        self.w64(base + segment::FIRST_ENTRY, base + header)?;
        self.w64(base + segment::LAST_VALID_ENTRY, base + size)?;
        self.w32(base + segment::NUMBER_OF_UNCOMMITTED_PAGES, 0)?;
        self.w32(base + segment::NUMBER_OF_UNCOMMITTED_RANGES, 0)?;
        let ucr_head = base + segment::UCR_SEGMENT_LIST;
        self.w64(ucr_head + list_entry::FLINK, ucr_head)?;
        self.w64(ucr_head + list_entry::BLINK, ucr_head)?;
        self.link_tail(self.h.base + heap::SEGMENT_LIST, base + segment::SEGMENT_LIST_ENTRY)?;

        let committed_end = base + commit;
        let lve = base + size;
        let free_end = if committed_end < lve { committed_end - UCR_BLOCK_SIZE } else { lve };
        let last = self.add_free_region(base + header, free_end, hunits, idx)?;
        if committed_end < lve {
            self.write_ucr_block(base, free_end, last, idx, committed_end, lve - committed_end)?;
        }
        let c = self.h.base + heap::COUNTERS;
        self.add64(c + counters::TOTAL_MEMORY_RESERVED, size as i64)?;
        self.add64(c + counters::TOTAL_MEMORY_COMMITTED, commit as i64)?;
        self.add32(c + counters::TOTAL_SEGMENTS, 1)?;
        Ok(true)
    }

    // ---- allocation ----

    fn allocate(&mut self, req: u64, flags: u32) -> Result<u64, HeapError> {
        if req > self.h.maximum_allocation_size {
            return Err(self.no_memory(req));
        }
        let need = block_size_for(req).ok_or(self.no_memory(req))?;
        if need / GRANULARITY > self.h.virtual_memory_threshold as u64 {
            return if self.growable() { self.allocate_virtual(req) } else { Err(self.no_memory(req)) };
        }
        for _ in 0..MAX_SEGMENTS * 2 + 2 {
            if let Some((entry, header)) = self.find_free(need, req)? {
                return self.carve(entry, header, need, req, flags);
            }
            if !self.extend(need, req)? {
                break;
            }
        }
        Err(self.no_memory(req))
    }

    /// Best fit: the first block on the sorted free list that can hold the request.
    fn find_free(&self, need: u64, req: u64) -> Result<Option<(u64, HeapEntry)>, HeapError> {
        let head = self.h.base + heap::FREE_LISTS;
        let mut prev = head;
        let mut cur = self.r64(head)?;
        let mut n = 0;
        while cur != head {
            n += 1;
            if n > MAX_LIST_NODES {
                return Err(self.h.corruption(head, "free list does not come back to its head"));
            }
            let e = cur.wrapping_sub(HEAP_ENTRY_SIZE);
            if self.r64(cur.wrapping_add(list_entry::BLINK))? != prev {
                return Err(self.h.corruption(e, "free list links are corrupted"));
            }
            let fe = self.entry(e)?;
            if fe.is_busy() {
                return Err(self.h.corruption(e, "busy block found on the free list"));
            }
            let size = fe.size_bytes();
            if size >= need {
                let whole = size - need < MIN_BLOCK_SIZE;
                let at_end = whole
                    && req > size - HEAP_ENTRY_SIZE
                    && self.segment_of(e)?.is_some_and(|s| e.saturating_add(size) == s.last_valid);
                if !at_end {
                    return Ok(Some((e, fe)));
                }
            }
            prev = cur;
            cur = self.r64(cur)?;
        }
        Ok(None)
    }

    /// Takes `need` bytes from the front of a free block; the rest stays free.
    fn carve(&mut self, entry: u64, fe: HeapEntry, need: u64, req: u64, flags: u32) -> Result<u64, HeapError> {
        let seg = self.segment_of(entry)?.ok_or_else(|| self.h.corruption(entry, "free block outside any segment"))?;
        let size = fe.size_bytes();
        if entry.saturating_add(size) > seg.committed_end() {
            return Err(self.h.corruption(entry, "free block runs past the committed end of its segment"));
        }
        self.remove_free(entry, fe.size)?;
        let follower = entry + size;
        let taken = if size - need >= MIN_BLOCK_SIZE { need } else { size };
        let units = (taken / GRANULARITY) as u16;
        let unused = (taken - req) as u8;
        self.write_entry(entry, HeapEntry::new(units, HEAP_ENTRY_BUSY, fe.previous_size, seg.index as u8, unused))?;
        let last =
            if taken < size { self.add_free_region(entry + taken, follower, units, seg.index as u8)? } else { units };
        if follower < seg.committed_end() {
            self.set_previous_size(follower, last)?;
        }
        let user = entry + HEAP_ENTRY_SIZE;
        if flags & HEAP_ZERO_MEMORY != 0 {
            self.zero(user, req)?;
        }
        Ok(user)
    }

    /// Makes room for a block: commit more of a segment, else add a segment.
    fn extend(&mut self, need: u64, req: u64) -> Result<bool, HeapError> {
        let segs = self.segments()?;
        for seg in &segs {
            if self.try_commit(seg, need, req)? {
                return Ok(true);
            }
        }
        if self.growable() && segs.len() < MAX_SEGMENTS {
            return self.new_segment(&segs, need, req);
        }
        Ok(false)
    }

    /// A block above VirtualMemoryThreshold: its own reservation, linked on
    /// VirtualAllocdBlocks, user data after the 0x40-byte `_HEAP_VIRTUAL_ALLOC_ENTRY`.
    fn allocate_virtual(&mut self, req: u64) -> Result<u64, HeapError> {
        let commit =
            req.checked_add(virtual_alloc::SIZEOF).and_then(|v| round_up(v, PAGE)).ok_or(self.no_memory(req))?;
        let reserve = round_up(commit, ALLOCATION_GRANULARITY).ok_or(self.no_memory(req))?;
        let Some(base) = self.host.reserve(reserve, ALLOCATION_GRANULARITY) else { return Err(self.no_memory(req)) };
        let prot = self.prot();
        if self.host.map(base, commit, prot).is_err() {
            self.host.release(base, reserve);
            return Err(self.no_memory(req));
        }
        self.w64(base + virtual_alloc::EXTRA_STUFF, 0)?;
        self.w64(base + virtual_alloc::EXTRA_STUFF + 8, 0)?;
        self.w64(base + virtual_alloc::COMMIT_SIZE, commit)?;
        self.w64(base + virtual_alloc::RESERVE_SIZE, reserve)?;
        self.write_virtual_header(base, commit, req)?;
        self.link_tail(self.h.base + heap::VIRTUAL_ALLOCD_BLOCKS, base + virtual_alloc::ENTRY)?;
        let c = self.h.base + heap::COUNTERS;
        self.add64(c + counters::TOTAL_SIZE_IN_VIRTUAL_BLOCKS, commit as i64)?;
        Ok(base + virtual_alloc::SIZEOF)
    }

    fn write_virtual_header(&mut self, base: u64, commit: u64, req: u64) -> Result<(), HeapError> {
        let e = HeapEntry::new((commit - req) as u16, HEAP_ENTRY_BUSY | HEAP_ENTRY_VIRTUAL_ALLOC, 0, 0, 0);
        self.write_entry(base + virtual_alloc::BUSY_BLOCK, e)
    }

    // ---- finding and checking a user pointer ----

    /// Finds the block of a user pointer and checks its header and its neighbours'.
    /// `freeing`: a block that is not busy is a double free (corruption) rather than an
    /// invalid address.
    fn locate(&mut self, ptr: u64, freeing: bool) -> Result<Located, HeapError> {
        if !ptr.is_multiple_of(GRANULARITY) || ptr < HEAP_ENTRY_SIZE {
            return Err(self.invalid_address(ptr));
        }
        for vb in view::virtual_blocks(&*self.host, &self.h)? {
            if vb.user() == ptr {
                return Ok(Located::Virtual(vb));
            }
        }
        let entry = ptr - HEAP_ENTRY_SIZE;
        let Some(seg) = self.segment_of(entry)? else { return Err(self.invalid_address(ptr)) };
        let header = self.entry(entry)?;
        if !header.is_busy() {
            return Err(if freeing {
                self.h.corruption(entry, "block is already free (double free)")
            } else {
                self.invalid_address(ptr)
            });
        }
        if header.flags & HEAP_ENTRY_VIRTUAL_ALLOC != 0 {
            return Err(self.h.corruption(entry, "segment block is marked as a virtual allocation"));
        }
        let end = seg.committed_end();
        let next_addr = entry.saturating_add(header.size_bytes());
        if header.size == 0 || next_addr > end {
            return Err(self.h.corruption(entry, "block size runs past the committed end of its segment"));
        }
        let next = if next_addr < end {
            let ne = self.entry(next_addr)?;
            if ne.previous_size != header.size {
                return Err(self.h.corruption(next_addr, "previous size does not match the block before it"));
            }
            Some((next_addr, ne))
        } else {
            None
        };
        let prev_bytes = header.previous_size_bytes();
        if header.previous_size == 0 || entry - seg.base < prev_bytes {
            return Err(self.h.corruption(entry, "previous size points outside the segment"));
        }
        let prev_addr = entry - prev_bytes;
        let pe = self.entry(prev_addr)?;
        if pe.size != header.previous_size {
            return Err(self.h.corruption(entry, "previous size does not match the block before it"));
        }
        if header.is_internal() || (next.is_none() && end != seg.last_valid) {
            return Err(self.invalid_address(ptr));
        }
        Ok(Located::Block(LocatedBlock { seg, entry, header, prev: Some((prev_addr, pe)), next }))
    }

    // ---- free ----

    fn free_located(&mut self, located: Located, flags: u32) -> Result<(), HeapError> {
        match located {
            Located::Virtual(vb) => self.free_virtual(vb),
            Located::Block(b) => self.free_block(b, flags),
        }
    }

    fn free_virtual(&mut self, vb: VirtualBlock) -> Result<(), HeapError> {
        self.unlink(vb.base + virtual_alloc::ENTRY, vb.entry())?;
        let c = self.h.base + heap::COUNTERS;
        self.add64(c + counters::TOTAL_SIZE_IN_VIRTUAL_BLOCKS, -(vb.commit_size as i64))?;
        let _ = self.host.unmap(vb.base, vb.commit_size);
        self.host.release(vb.base, vb.reserve_size);
        Ok(())
    }

    fn free_block(&mut self, b: LocatedBlock, flags: u32) -> Result<(), HeapError> {
        let coalesce = (flags | self.h.flags) & HEAP_DISABLE_COALESCE_ON_FREE == 0;
        let mut start = b.entry;
        let mut units = b.header.size as u64;
        let mut prev_units = b.header.previous_size;
        if coalesce {
            if let Some((p, pe)) = b.prev
                && !pe.is_busy()
                && units + pe.size as u64 <= MAX_FREE_BLOCK_UNITS
            {
                self.remove_free(p, pe.size)?;
                start = p;
                units += pe.size as u64;
                prev_units = pe.previous_size;
            }
            if let Some((n, ne)) = b.next
                && !ne.is_busy()
                && units + ne.size as u64 <= MAX_FREE_BLOCK_UNITS
            {
                self.remove_free(n, ne.size)?;
                units += ne.size as u64;
            }
        }
        let units = units as u16;
        self.write_entry(start, HeapEntry::new(units, 0, prev_units, b.seg.index as u8, 0))?;
        self.insert_free(start, units)?;
        let follower = start + units as u64 * GRANULARITY;
        if follower < b.seg.committed_end() {
            self.set_previous_size(follower, units)?;
        }
        Ok(())
    }

    // ---- reallocation ----

    fn reallocate(&mut self, ptr: u64, req: u64, flags: u32) -> Result<u64, HeapError> {
        if req > self.h.maximum_allocation_size {
            return Err(self.no_memory(req));
        }
        let need = block_size_for(req).ok_or(self.no_memory(req))?;
        let fits_segment = need / GRANULARITY <= self.h.virtual_memory_threshold as u64;
        let old_req = match self.locate(ptr, false)? {
            Located::Virtual(vb) => {
                let fits_commit = req.checked_add(virtual_alloc::SIZEOF).is_some_and(|v| v <= vb.commit_size);
                if !fits_segment && fits_commit && vb.commit_size - req <= u16::MAX as u64 {
                    self.write_virtual_header(vb.base, vb.commit_size, req)?;
                    return self.finish_in_place(ptr, vb.requested(), req, flags);
                }
                vb.requested()
            }
            Located::Block(b) => {
                let old_req = b.header.size_bytes() - b.header.unused();
                if fits_segment && self.resize_in_place(&b, need, req, flags)? {
                    return self.finish_in_place(ptr, old_req, req, flags);
                }
                old_req
            }
        };
        if flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
            return Err(self.no_memory(req));
        }
        let new = self.allocate(req, flags & !HEAP_ZERO_MEMORY)?;
        let keep = old_req.min(req);
        let data =
            self.host.read_vec(ptr, keep as usize).map_err(|_| self.h.corruption(ptr, "block data is not readable"))?;
        self.host.write(new, &data).map_err(|_| self.h.corruption(new, "block data is not writable"))?;
        if flags & HEAP_ZERO_MEMORY != 0 && req > keep {
            self.zero(new + keep, req - keep)?;
        }
        // The allocation may have changed the old block's neighbours: look again.
        let old = self.locate(ptr, true)?;
        self.free_located(old, flags)?;
        Ok(new)
    }

    fn finish_in_place(&mut self, ptr: u64, old_req: u64, req: u64, flags: u32) -> Result<u64, HeapError> {
        if flags & HEAP_ZERO_MEMORY != 0 && req > old_req {
            self.zero(ptr + old_req, req - old_req)?;
        }
        Ok(ptr)
    }

    /// Shrinks the block, or grows it into a free block that follows it.
    fn resize_in_place(&mut self, b: &LocatedBlock, need: u64, req: u64, flags: u32) -> Result<bool, HeapError> {
        let size = b.header.size_bytes();
        let seg_idx = b.seg.index as u8;
        let committed_end = b.seg.committed_end();
        let mut total = size;
        let mut next_free = None;
        if need > size {
            match b.next {
                Some((n, ne)) if !ne.is_busy() && size + ne.size_bytes() >= need => {
                    total = size + ne.size_bytes();
                    next_free = Some((n, ne));
                }
                _ => return Ok(false),
            }
        }
        let split = total - need >= MIN_BLOCK_SIZE;
        if !split && b.entry + total == b.seg.last_valid && req > total - HEAP_ENTRY_SIZE {
            return Ok(false);
        }
        if let Some((n, ne)) = next_free {
            self.remove_free(n, ne.size)?;
        }
        let taken = if split { need } else { total };
        let units = (taken / GRANULARITY) as u16;
        self.write_entry(
            b.entry,
            HeapEntry::new(units, b.header.flags, b.header.previous_size, seg_idx, (taken - req) as u8),
        )?;
        let mut follower = b.entry + total;
        let mut last = units;
        if split {
            let mut rest_end = follower;
            // A shrink frees the tail: merge it with a free block after it.
            let coalesce = (flags | self.h.flags) & HEAP_DISABLE_COALESCE_ON_FREE == 0;
            if coalesce
                && next_free.is_none()
                && let Some((n, ne)) = b.next
                && !ne.is_busy()
                && (total - need + ne.size_bytes()) / GRANULARITY <= MAX_FREE_BLOCK_UNITS
            {
                self.remove_free(n, ne.size)?;
                rest_end += ne.size_bytes();
                follower = rest_end;
            }
            last = self.add_free_region(b.entry + need, rest_end, units, seg_idx)?;
        }
        if follower < committed_end {
            self.set_previous_size(follower, last)?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::TestHost;
    use crate::heap::view::{BlockInfo, SegmentItem};
    use crate::layout::{HEAP_CREATE_AREA, PROCESS_HEAP, SECOND_HEAP};

    /// A HeapCreate(0, 0, 0) heap at a fixed address, as kernel32 would create it.
    fn private_heap(host: &mut TestHost) -> u64 {
        create(host, Some(HEAP_CREATE_AREA), HEAP_GROWABLE | layout::HEAP_CLASS_1, 0, 0, 4).unwrap()
    }

    fn blocks(host: &TestHost, heap: u64) -> Vec<BlockInfo> {
        let h = HeapHeader::read(host, heap).unwrap();
        let mut out = Vec::new();
        for seg in view::segments(host, &h).unwrap() {
            let w = view::walk_segment(host, &h, &seg);
            assert_eq!(w.error, None);
            out.extend(w.items.into_iter().filter_map(|i| match i {
                SegmentItem::Block(b) => Some(b),
                SegmentItem::Uncommitted(_) => None,
            }));
        }
        out
    }

    fn block_at(host: &TestHost, heap: u64, entry: u64) -> BlockInfo {
        *blocks(host, heap).iter().find(|b| b.entry == entry).expect("no block there")
    }

    fn total_free(host: &TestHost, heap: u64) -> u64 {
        host.read_u64(heap + heap::TOTAL_FREE_SIZE).unwrap()
    }

    #[test]
    fn fresh_heap_has_the_windows_header() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let r32 = |o| host.read_u32(b + o).unwrap();
        let r64 = |o| host.read_u64(b + o).unwrap();
        assert_eq!(r32(heap::SEGMENT_SIGNATURE), 0xFFEE_FFEE);
        assert_eq!(r32(heap::SIGNATURE), 0xEEFF_EEFF);
        assert_eq!(r32(heap::FLAGS), 0x1002);
        assert_eq!(r32(heap::FORCE_FLAGS), 0);
        assert_eq!(r32(heap::ENCODE_FLAG_MASK), 0x10_0000);
        assert_eq!(r64(heap::ENCODING), 0);
        assert_eq!(r64(heap::ENCODING + 8), entry::derive_encoding_key(b));
        assert_eq!(r32(heap::VIRTUAL_MEMORY_THRESHOLD), 0xFF00);
        assert_eq!(r64(heap::FIRST_ENTRY), b + 0x740);
        assert_eq!(r64(heap::LAST_VALID_ENTRY), b + 0xF000);
        assert_eq!(r32(heap::NUMBER_OF_PAGES), 0xF);
        assert_eq!(r32(heap::NUMBER_OF_UNCOMMITTED_PAGES), 0xD);
        assert_eq!(r32(heap::NUMBER_OF_UNCOMMITTED_RANGES), 1);
        assert_eq!(r64(heap::SEGMENT_RESERVE), 0x10_0000);
        assert_eq!(r64(heap::SEGMENT_COMMIT), 0x2000);
        assert_eq!(r64(heap::TOTAL_FREE_SIZE), 0x177);
        assert_eq!(r64(heap::MAXIMUM_ALLOCATION_SIZE), 0x7FFF_FFFD_EFFF);
        assert_eq!(host.read_u16(b + heap::PROCESS_HEAPS_LIST_INDEX).unwrap(), 4);
        assert_eq!(r64(heap::LOCK_VARIABLE), b + 0x2C0);
        assert_eq!(r64(heap::BLOCKS_INDEX), b + 0x2E8);
        assert_eq!(r64(heap::FRONT_END_HEAP_USAGE_DATA), b + 0x750);
        assert_eq!(r64(heap::SEGMENT_LIST), b + 0x18);
        assert_eq!(r64(heap::VIRTUAL_ALLOCD_BLOCKS), b + 0x110);
        assert_eq!(r64(heap::FREE_LISTS), b + 0x860);
        assert_eq!(r64(heap::FREE_LISTS + 8), b + 0x860);
        // The UCR descriptor of [base+0x2000, base+0xF000) in the block at base+0x1FC0.
        assert_eq!(r64(heap::UCR_LIST), b + 0x1FD0);
        assert_eq!(host.read_u64(b + 0x1FD0 + 0x20).unwrap(), b + 0x2000);
        assert_eq!(host.read_u64(b + 0x1FD0 + 0x28).unwrap(), 0xD000);
        assert!(host.is_mapped(b, 0x2000));
        assert!(!host.is_mapped(b + 0x2000, 0x1000));

        let layout: Vec<_> = blocks(&host, b)
            .iter()
            .map(|x| (x.entry - b, x.size(), x.header.previous_size_bytes(), x.kind, x.requested()))
            .collect();
        assert_eq!(
            layout,
            vec![
                (0x000, 0x740, 0, BlockKind::HeapHeader, 0x73F),
                (0x740, 0x110, 0x740, BlockKind::Internal, 0x10F),
                (0x850, 0x1770, 0x110, BlockKind::Free, 0),
                (0x1FC0, 0x40, 0x1770, BlockKind::UcrDescriptor, 0x3D),
            ]
        );
        assert!(validate_heap(&host, b).is_ok());
    }

    #[test]
    fn first_allocations_land_after_the_internal_block() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let p: Vec<u64> = (0..5).map(|_| allocate(&mut host, b, 0, 0xF0).unwrap()).collect();
        // S9: 0x...860, 0x...960, ... with a stride of 0x100.
        assert_eq!(p, vec![b + 0x860, b + 0x960, b + 0xA60, b + 0xB60, b + 0xC60]);
    }

    #[test]
    fn process_heap_and_second_heap() {
        let mut host = TestHost::new();
        let (process, second) = create_startup_heaps(&mut host).unwrap();
        assert_eq!((process, second), (PROCESS_HEAP, SECOND_HEAP));
        assert_eq!(host.read_u32(process + heap::NUMBER_OF_PAGES).unwrap(), 0xFF);
        assert_eq!(host.read_u64(process + heap::LAST_VALID_ENTRY).unwrap(), process + 0xFF000);
        assert_eq!(host.read_u32(process + heap::FLAGS).unwrap(), 2);
        assert_eq!(host.read_u32(process + heap::SEGMENT_FLAGS).unwrap(), 2);
        assert_eq!(host.read_u64(process + heap::DECOMMIT_FREE_BLOCK_THRESHOLD).unwrap(), 0x400);
        // The seed's malloc(8): HeapAlloc(process heap, 0, 8).
        let p = allocate(&mut host, process, 0, 8).unwrap();
        assert_eq!(p, 0x267a06f0860);
        assert_eq!(size(&mut host, process, 0, p).unwrap(), 8);
        let blk = block_at(&host, process, p - 0x10);
        assert_eq!((blk.size(), blk.header.unused()), (0x20, 0x18));

        // The second heap: no Internal block, 16 pages, 1 committed.
        assert_eq!(host.read_u32(second + heap::FLAGS).unwrap(), 0x8000);
        assert_eq!(host.read_u32(second + heap::NUMBER_OF_PAGES).unwrap(), 0x10);
        let layout: Vec<_> = blocks(&host, second).iter().map(|x| (x.entry - second, x.size(), x.kind)).collect();
        assert_eq!(
            layout,
            vec![
                (0, 0x740, BlockKind::HeapHeader),
                (0x740, 0x880, BlockKind::Free),
                (0xFC0, 0x40, BlockKind::UcrDescriptor)
            ]
        );
        assert_eq!(total_free(&host, second), 0x88);
    }

    #[test]
    fn block_sizes_and_heap_size() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        for (req, block) in
            [(8u64, 0x20u64), (0x18, 0x20), (0x28, 0x30), (0x38, 0x40), (0xF0, 0x100), (0, 0x20), (0x3C, 0x50)]
        {
            let p = allocate(&mut host, b, 0, req).unwrap();
            assert_eq!(p % 16, 0);
            let blk = block_at(&host, b, p - 0x10);
            assert_eq!(blk.size(), block, "request {req:#x}");
            assert_eq!(blk.header.unused(), block - req);
            assert_eq!(blk.kind, BlockKind::Busy);
            assert_eq!(size(&mut host, b, 0, p).unwrap(), req);
        }
        assert!(validate_heap(&host, b).is_ok());
    }

    #[test]
    fn free_coalesces_and_memory_is_reused() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let initial_free = total_free(&host, b);
        let a = allocate(&mut host, b, 0, 0x18).unwrap();
        let c = allocate(&mut host, b, 0, 0x18).unwrap();
        let d = allocate(&mut host, b, 0, 0x18).unwrap();
        assert_eq!((a, c, d), (b + 0x860, b + 0x880, b + 0x8A0));
        assert_eq!(total_free(&host, b), initial_free - 6);

        free(&mut host, b, 0, c).unwrap();
        let fb = block_at(&host, b, c - 0x10);
        assert_eq!((fb.kind, fb.size()), (BlockKind::Free, 0x20));
        // The freed block's user area now holds its free-list links.
        assert_ne!(host.read_u64(c).unwrap(), 0);
        // Same size again: the freed block is reused.
        assert_eq!(allocate(&mut host, b, 0, 0x10).unwrap(), c);
        free(&mut host, b, 0, c).unwrap();

        // Freeing a merges with c (after it); freeing d merges all three with the rest.
        free(&mut host, b, 0, a).unwrap();
        let merged = block_at(&host, b, a - 0x10);
        assert_eq!((merged.kind, merged.size()), (BlockKind::Free, 0x40));
        free(&mut host, b, 0, d).unwrap();
        let all = block_at(&host, b, a - 0x10);
        assert_eq!((all.kind, all.size()), (BlockKind::Free, 0x1770));
        assert_eq!(total_free(&host, b), initial_free);
        assert_eq!(blocks(&host, b).len(), 4);
        assert!(validate_heap(&host, b).is_ok());
        assert!(free(&mut host, b, 0, 0).is_ok());
    }

    #[test]
    fn best_fit_takes_the_smallest_hole() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let big = allocate(&mut host, b, 0, 0x100).unwrap();
        let _sep1 = allocate(&mut host, b, 0, 8).unwrap();
        let small = allocate(&mut host, b, 0, 0x30).unwrap();
        let _sep2 = allocate(&mut host, b, 0, 8).unwrap();
        free(&mut host, b, 0, big).unwrap();
        free(&mut host, b, 0, small).unwrap();
        assert_eq!(allocate(&mut host, b, 0, 0x28).unwrap(), small);
        assert_eq!(allocate(&mut host, b, 0, 0x28).unwrap(), big);
        assert!(validate_heap(&host, b).is_ok());
    }

    #[test]
    fn zero_memory_clears_stale_data() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let p = allocate(&mut host, b, 0, 0x40).unwrap();
        host.write(p, &[0xAB; 0x40]).unwrap();
        free(&mut host, b, 0, p).unwrap();
        let q = allocate(&mut host, b, 0, 0x40).unwrap();
        assert_eq!(q, p);
        assert!(host.read_vec(q + 0x10, 0x30).unwrap().iter().all(|&x| x == 0xAB));
        free(&mut host, b, 0, q).unwrap();
        let z = allocate(&mut host, b, HEAP_ZERO_MEMORY, 0x40).unwrap();
        assert!(host.read_vec(z, 0x40).unwrap().iter().all(|&x| x == 0));
    }

    #[test]
    fn realloc_in_place_and_moving() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let p = allocate(&mut host, b, 0, 0x20).unwrap();
        host.write(p, b"0123456789abcdef0123456789ABCDEF").unwrap();
        // Grows in place into the free space after it, zeroing the growth.
        let q = reallocate(&mut host, b, HEAP_ZERO_MEMORY, p, 0x100).unwrap();
        assert_eq!(q, p);
        assert_eq!(size(&mut host, b, 0, q).unwrap(), 0x100);
        assert_eq!(host.read_vec(q, 0x20).unwrap(), b"0123456789abcdef0123456789ABCDEF");
        assert!(host.read_vec(q + 0x20, 0xE0).unwrap().iter().all(|&x| x == 0));
        // Shrinks in place; the tail becomes free and merges with the free space.
        let q = reallocate(&mut host, b, 0, q, 0x18).unwrap();
        assert_eq!(q, p);
        assert_eq!(block_at(&host, b, p - 0x10).size(), 0x20);
        assert!(validate_heap(&host, b).is_ok());

        // Blocked by a neighbour: IN_PLACE_ONLY fails and leaves the block alone ...
        let wall = allocate(&mut host, b, 0, 8).unwrap();
        assert_eq!(wall, p + 0x20);
        let err = reallocate(&mut host, b, HEAP_REALLOC_IN_PLACE_ONLY, p, 0x80).unwrap_err();
        assert!(matches!(err, HeapError::NoMemory { .. }));
        assert_eq!(size(&mut host, b, 0, p).unwrap(), 0x18);
        // ... and a plain realloc moves it, keeping the data and freeing the old block.
        let m = reallocate(&mut host, b, 0, p, 0x80).unwrap();
        assert_ne!(m, p);
        assert_eq!(host.read_vec(m, 0x18).unwrap(), b"0123456789abcdef01234567");
        assert_eq!(block_at(&host, b, p - 0x10).kind, BlockKind::Free);
        assert!(validate_heap(&host, b).is_ok());
    }

    #[test]
    fn large_blocks_are_virtual_allocations() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let req = 0x20_0000;
        let p = allocate(&mut host, b, 0, req).unwrap();
        assert_eq!(p, crate::layout::VIRTUAL_ALLOC_AREA + 0x40);
        assert_eq!(size(&mut host, b, 0, p).unwrap(), req);
        let vb = p - 0x40;
        assert_eq!(host.read_u64(b + heap::VIRTUAL_ALLOCD_BLOCKS).unwrap(), vb);
        assert_eq!(host.read_u64(vb + virtual_alloc::COMMIT_SIZE).unwrap(), 0x20_1000);
        let hdr = entry::read_entry(&host, vb + 0x30, entry::derive_encoding_key(b)).unwrap();
        assert_eq!(hdr.flags, HEAP_ENTRY_BUSY | HEAP_ENTRY_VIRTUAL_ALLOC);
        host.write_u8(p + req - 1, 7).unwrap();
        let w = walk(&host, b).unwrap();
        assert!(w.iter().any(|e| matches!(e, HeapEntryInfo::Block(blk) if blk.kind == BlockKind::VirtualAlloc && blk.data == p && blk.requested == req)));
        // Realloc moves it into a segment when it gets small enough.
        let q = reallocate(&mut host, b, 0, p, 0x100).unwrap();
        assert!(q < crate::layout::VIRTUAL_ALLOC_AREA);
        assert_eq!(host.read_u64(b + heap::VIRTUAL_ALLOCD_BLOCKS).unwrap(), b + heap::VIRTUAL_ALLOCD_BLOCKS);
        assert!(!host.is_mapped(vb, 0x1000));
        assert!(host.reservations.is_empty());
        assert!(validate_heap(&host, b).is_ok());
        // A fixed-size heap refuses blocks above the threshold.
        let fixed = create(&mut host, None, 0, 0x20_0000, 0x1000, 5).unwrap();
        assert!(create(&mut host, None, 0, u64::MAX, u64::MAX - 0xFFF, 6).is_err());
        assert!(create(&mut host, Some(0x1234), 0, 0, 0, 6).is_err());
        assert!(matches!(allocate(&mut host, fixed, 0, 0x10_0000), Err(HeapError::NoMemory { .. })));
    }

    #[test]
    fn commits_pages_then_grows_a_second_segment() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let mut ptrs = Vec::new();
        for i in 0..40u64 {
            let p = allocate(&mut host, b, 0, 0x800).unwrap();
            host.write_u64(p, i).unwrap();
            ptrs.push(p);
        }
        assert!(validate_heap(&host, b).is_ok());
        let h = HeapHeader::read(&host, b).unwrap();
        let segs = view::segments(&host, &h).unwrap();
        assert_eq!(segs.len(), 2);
        // The first segment is fully committed now; the second is 1 MB.
        assert_eq!(segs[0].ucrs.len(), 0);
        assert_eq!(segs[0].uncommitted_pages, 0);
        assert_eq!(segs[1].base, crate::layout::VIRTUAL_ALLOC_AREA);
        assert_eq!(segs[1].last_valid - segs[1].base, 0x10_0000);
        assert_eq!(segs[1].first_entry, segs[1].base + 0x70);
        assert!(ptrs.iter().any(|&p| segs[1].contains(p)));
        for (i, &p) in ptrs.iter().enumerate() {
            assert_eq!(host.read_u64(p).unwrap(), i as u64);
        }
        for &p in &ptrs {
            free(&mut host, b, 0, p).unwrap();
        }
        assert!(validate_heap(&host, b).is_ok());
        destroy(&mut host, b).unwrap();
        assert!(!host.is_mapped(b, 0x1000));
        assert!(host.reservations.is_empty());
    }

    #[test]
    fn fills_a_segment_to_its_last_byte() {
        let mut host = TestHost::new();
        // Non-growable, 64 KB: 0xF8C0 bytes after the header = 20 blocks of 0xC70.
        let b = create(&mut host, Some(HEAP_CREATE_AREA), 0, 0x1_0000, 0x1000, 5).unwrap();
        let mut n = 0;
        while let Ok(p) = allocate(&mut host, b, 0, 0xC68) {
            host.write(p, &[0x5A; 0xC68]).unwrap();
            n += 1;
        }
        // The 20th block ends at LastValidEntry: no next header to spill 8 bytes into.
        assert_eq!(n, 19);
        let p = allocate(&mut host, b, 0, 0xC60).unwrap();
        assert_eq!(p + 0xC60, b + 0x1_0000);
        host.write(p, &[0x5A; 0xC60]).unwrap();
        assert!(validate_heap(&host, b).is_ok());
        let h = HeapHeader::read(&host, b).unwrap();
        assert_eq!(view::segments(&host, &h).unwrap()[0].ucrs.len(), 0);
        assert_eq!(total_free(&host, b), 0);
    }

    #[test]
    fn overrun_into_the_next_header_is_corruption() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let a = allocate(&mut host, b, 0, 0x18).unwrap();
        let c = allocate(&mut host, b, 0, 0x18).unwrap();
        // 0x18 bytes are a's; 8 more still are (PreviousBlockPrivateData); then c's header.
        host.write(a, &[0x41; 0x20]).unwrap();
        let err = free(&mut host, b, 0, c).unwrap_err();
        assert!(matches!(err, HeapError::Corruption { entry, .. } if entry == c - 0x10), "{err}");
        assert_eq!(err.status(), 0xC000_0374);
        assert_eq!(err.exception(), Some(0xC000_0374));
        let err = free(&mut host, b, 0, a).unwrap_err();
        assert!(matches!(err, HeapError::Corruption { entry, .. } if entry == c - 0x10), "{err}");
        assert!(!validate(&mut host, b, 0, None));
        assert!(validate_heap(&host, b).unwrap_err().is_corruption());
    }

    #[test]
    fn writing_into_private_data_is_not_corruption() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let a = allocate(&mut host, b, 0, 0x18).unwrap();
        let c = allocate(&mut host, b, 0, 0x18).unwrap();
        host.write(a, &[0x41; 0x18]).unwrap();
        free(&mut host, b, 0, c).unwrap();
        free(&mut host, b, 0, a).unwrap();
        assert!(validate_heap(&host, b).is_ok());
    }

    #[test]
    fn double_free_is_corruption() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let a = allocate(&mut host, b, 0, 0x20).unwrap();
        let _keep = allocate(&mut host, b, 0, 0x20).unwrap();
        free(&mut host, b, 0, a).unwrap();
        let err = free(&mut host, b, 0, a).unwrap_err();
        assert!(err.is_corruption(), "{err}");
        // Coalesced away: still caught through the neighbours' sizes.
        let x = allocate(&mut host, b, 0, 0x100).unwrap();
        let y = allocate(&mut host, b, 0, 0x100).unwrap();
        let _z = allocate(&mut host, b, 0, 0x100).unwrap();
        assert_eq!(y, x + 0x110);
        free(&mut host, b, 0, x).unwrap();
        free(&mut host, b, 0, y).unwrap();
        assert!(free(&mut host, b, 0, y).unwrap_err().is_corruption());
    }

    #[test]
    fn bad_pointers_are_invalid_addresses() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let a = allocate(&mut host, b, 0, 0x20).unwrap();
        for bad in [a + 8, 0x1234_0000, b + 0x10, b + 0x750] {
            let err = free(&mut host, b, 0, bad).unwrap_err();
            assert!(matches!(err, HeapError::InvalidAddress { .. }), "{bad:#x}: {err}");
        }
        let err = free(&mut host, b, 0, 0x1234_0000).unwrap_err();
        assert_eq!(err.to_string(), format!("Invalid address specified to RtlFreeHeap( {b:016X}, 0000000012340000 )"));
        assert_eq!(err.exception(), None);
        assert!(!validate(&mut host, b, 0, Some(a + 8)));
        assert!(validate(&mut host, b, 0, Some(a)));
        assert!(size(&mut host, b, 0, a + 0x20).is_err());
        let bad_heap = allocate(&mut host, b + 0x1000, 0, 8).unwrap_err();
        assert!(matches!(bad_heap, HeapError::InvalidParameter { .. }));
    }

    #[test]
    fn generate_exceptions_names_the_status() {
        let mut host = TestHost::new();
        let b = create(&mut host, None, layout::HEAP_GENERATE_EXCEPTIONS, 0x1_0000, 0x1000, 5).unwrap();
        assert_eq!(host.read_u32(b + heap::FORCE_FLAGS).unwrap(), layout::HEAP_GENERATE_EXCEPTIONS);
        let err = allocate(&mut host, b, 0, 0x2_0000).unwrap_err();
        assert_eq!(err.exception(), Some(layout::STATUS_NO_MEMORY));
        let b2 = private_heap(&mut host);
        let err = allocate(&mut host, b2, 0, u64::MAX - 4).unwrap_err();
        assert_eq!(err.exception(), None);
        let err = allocate(&mut host, b2, HEAP_GENERATE_EXCEPTIONS, u64::MAX - 4).unwrap_err();
        assert_eq!(err.exception(), Some(layout::STATUS_NO_MEMORY));
    }

    #[test]
    fn free_list_link_corruption_is_detected() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let a = allocate(&mut host, b, 0, 0x40).unwrap();
        let _keep = allocate(&mut host, b, 0, 0x40).unwrap();
        free(&mut host, b, 0, a).unwrap();
        // Use after free: scribble over the free block's Flink.
        host.write_u64(a, 0x4141_4141_4141_4141).unwrap();
        let err = allocate(&mut host, b, 0, 0x40).unwrap_err();
        assert!(err.is_corruption(), "{err}");
    }

    #[test]
    fn walk_reports_regions_blocks_and_uncommitted_ranges() {
        let mut host = TestHost::new();
        let b = private_heap(&mut host);
        let p = allocate(&mut host, b, 0, 0x33).unwrap();
        let w = walk(&host, b).unwrap();
        assert!(
            matches!(w[0], HeapEntryInfo::Region { segment: 0, base, committed: 0x2000, uncommitted: 0xD000, .. } if base == b)
        );
        let busy: Vec<_> = w
            .iter()
            .filter_map(|e| match e {
                HeapEntryInfo::Block(x) if x.kind == BlockKind::Busy => Some((x.data, x.requested, x.size)),
                _ => None,
            })
            .collect();
        assert_eq!(busy, vec![(p, 0x33, 0x40)]);
        assert!(
            matches!(w.last(), Some(HeapEntryInfo::Uncommitted { address, size: 0xD000, .. }) if *address == b + 0x2000)
        );
    }

    /// Writes `tag` over the first and last 0x200 bytes of a block (all of a small one).
    fn fill(host: &mut TestHost, p: u64, len: u64, tag: u8) {
        let n = len.min(0x200);
        host.write(p, &vec![tag; n as usize]).unwrap();
        host.write(p + len - n, &vec![tag; n as usize]).unwrap();
    }

    /// Checks what `fill` wrote to a block of `len` bytes, within its first `keep` bytes.
    fn check(host: &TestHost, p: u64, len: u64, keep: u64, tag: u8) {
        let n = len.min(0x200);
        assert!(host.read_vec(p, n.min(keep) as usize).unwrap().iter().all(|&x| x == tag));
        let tail = (len - n)..len.min(keep);
        assert!(host.read_vec(p + tail.start, tail.count()).unwrap().iter().all(|&x| x == tag));
    }

    /// A deterministic mix of operations; after each, the heap validates and every live
    /// block still holds its pattern. Returns the number of segments at the end.
    fn stress(flags: u32, large: bool) -> usize {
        let mut host = TestHost::new();
        let b =
            create(&mut host, Some(HEAP_CREATE_AREA), HEAP_GROWABLE | layout::HEAP_CLASS_1 | flags, 0, 0, 4).unwrap();
        let mut live: Vec<(u64, u64, u8)> = Vec::new();
        let mut seed = 0x1234_5678u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for step in 0..1200u64 {
            let r = rnd();
            match r % 4 {
                0 | 1 => {
                    let req = match r % 64 {
                        0 if large => 0xFF000 + rnd() % 0x3000,
                        1..=4 => rnd() % 0x3000,
                        _ => rnd() % 0x120,
                    };
                    let p = allocate(&mut host, b, 0, req).unwrap();
                    let tag = step as u8;
                    fill(&mut host, p, req, tag);
                    live.push((p, req, tag));
                }
                2 if !live.is_empty() => {
                    let (p, _, _) = live.swap_remove((rnd() % live.len() as u64) as usize);
                    free(&mut host, b, 0, p).unwrap();
                }
                3 if !live.is_empty() => {
                    let i = (rnd() % live.len() as u64) as usize;
                    let (p, req, tag) = live[i];
                    let new_req = if large && r % 32 == 3 { 0xFF000 + rnd() % 0x3000 } else { rnd() % 0x200 };
                    let q = reallocate(&mut host, b, 0, p, new_req).unwrap();
                    check(&host, q, req, new_req, tag);
                    fill(&mut host, q, new_req, tag);
                    live[i] = (q, new_req, tag);
                }
                _ => {}
            }
            assert_eq!(validate_heap(&host, b), Ok(()), "step {step}");
        }
        for &(p, req, tag) in &live {
            assert_eq!(size(&mut host, b, 0, p).unwrap(), req);
            check(&host, p, req, req, tag);
        }
        let h = HeapHeader::read(&host, b).unwrap();
        let segments = view::segments(&host, &h).unwrap().len();
        for (p, _, _) in live {
            free(&mut host, b, 0, p).unwrap();
        }
        assert_eq!(validate_heap(&host, b), Ok(()));
        destroy(&mut host, b).unwrap();
        assert!(host.reservations.is_empty());
        segments
    }

    #[test]
    fn stress_against_a_model() {
        assert!(stress(0, false) >= 2);
    }

    #[test]
    fn stress_without_coalescing() {
        stress(HEAP_DISABLE_COALESCE_ON_FREE, false);
    }

    #[test]
    fn stress_with_large_blocks() {
        stress(0, true);
    }
}
