//! Read-only views of a heap in guest memory: the `_HEAP` header, its segments, their
//! blocks, the free list and the virtual-alloc list.
//!
//! Both the heap operations (nt.rs) and the debugger extension (ext.rs) read the heap
//! through these functions, on every call, so that what a guest wrote into memory is what
//! both of them see. Every loop is bounded and every read is checked: a trashed heap gives
//! an error, never a hang or a panic.

use crate::process::memory::GuestMemory;

use super::HeapError;
use super::entry::{self, HeapEntry};
use super::layout::{
    self, HEAP_ENCODE_ENTRIES, HEAP_ENTRY_SIZE, HEAP_SIGNATURE, MAX_SEGMENTS, SEGMENT_SIGNATURE, heap, list_entry,
    segment, ucr_descriptor, virtual_alloc,
};

/// Upper bound on any list walk: far more nodes than a heap in an exercise ever has.
pub const MAX_LIST_NODES: usize = 1 << 20;

/// The fields of `_HEAP` every operation needs, read at the start of each call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapHeader {
    pub base: u64,
    /// Second qword of `_HEAP.Encoding` (+0x88), or 0 when EncodeFlagMask is clear.
    pub key: u64,
    pub flags: u32,
    pub force_flags: u32,
    /// In units.
    pub virtual_memory_threshold: u32,
    pub segment_reserve: u64,
    pub segment_commit: u64,
    pub maximum_allocation_size: u64,
    pub process_heaps_list_index: u16,
}

impl HeapHeader {
    /// None unless `base` holds both heap signatures.
    pub fn read<M: GuestMemory + ?Sized>(mem: &M, base: u64) -> Option<Self> {
        base.checked_add(heap::SIZE)?;
        let sig = mem.read_u32(base + heap::SIGNATURE).ok()?;
        let seg_sig = mem.read_u32(base + heap::SEGMENT_SIGNATURE).ok()?;
        if sig != HEAP_SIGNATURE || seg_sig != SEGMENT_SIGNATURE {
            return None;
        }
        let mask = mem.read_u32(base + heap::ENCODE_FLAG_MASK).ok()?;
        let key = if mask & HEAP_ENCODE_ENTRIES != 0 { mem.read_u64(base + heap::ENCODING + 8).ok()? } else { 0 };
        Some(HeapHeader {
            base,
            key,
            flags: mem.read_u32(base + heap::FLAGS).ok()?,
            force_flags: mem.read_u32(base + heap::FORCE_FLAGS).ok()?,
            virtual_memory_threshold: mem.read_u32(base + heap::VIRTUAL_MEMORY_THRESHOLD).ok()?,
            segment_reserve: mem.read_u64(base + heap::SEGMENT_RESERVE).ok()?,
            segment_commit: mem.read_u64(base + heap::SEGMENT_COMMIT).ok()?,
            maximum_allocation_size: mem.read_u64(base + heap::MAXIMUM_ALLOCATION_SIZE).ok()?,
            process_heaps_list_index: mem.read_u16(base + heap::PROCESS_HEAPS_LIST_INDEX).ok()?,
        })
    }

    pub fn corruption(&self, entry: u64, message: impl Into<String>) -> HeapError {
        HeapError::Corruption { heap: self.base, entry, message: message.into() }
    }

    /// Reads a heap-owned qword; unreadable metadata is corruption.
    pub fn read_u64<M: GuestMemory + ?Sized>(&self, mem: &M, addr: u64) -> Result<u64, HeapError> {
        mem.read_u64(addr).map_err(|_| self.corruption(addr, "heap metadata is not readable"))
    }

    pub fn read_u32<M: GuestMemory + ?Sized>(&self, mem: &M, addr: u64) -> Result<u32, HeapError> {
        mem.read_u32(addr).map_err(|_| self.corruption(addr, "heap metadata is not readable"))
    }

    /// Decodes the header at `addr` and checks its checksum.
    pub fn entry<M: GuestMemory + ?Sized>(&self, mem: &M, addr: u64) -> Result<HeapEntry, HeapError> {
        let e =
            entry::read_entry(mem, addr, self.key).map_err(|_| self.corruption(addr, "heap entry is not readable"))?;
        if !e.checksum_ok() {
            return Err(self.corruption(
                addr,
                format!(
                    "heap entry header is corrupted (checksum {:#04x}, expected {:#04x})",
                    e.small_tag_index,
                    e.checksum()
                ),
            ));
        }
        Ok(e)
    }

    /// Walks a LIST_ENTRY ring starting at `head`, checking that every Blink points back.
    /// Returns the node addresses (not the containing structures).
    pub fn list<M: GuestMemory + ?Sized>(&self, mem: &M, head: u64, max: usize) -> Result<Vec<u64>, HeapError> {
        let mut nodes = Vec::new();
        let mut prev = head;
        let mut cur = self.read_u64(mem, head.wrapping_add(list_entry::FLINK))?;
        while cur != head {
            if nodes.len() >= max {
                return Err(self.corruption(cur, format!("list at {head:016x} does not come back to its head")));
            }
            let blink = self.read_u64(mem, cur.wrapping_add(list_entry::BLINK))?;
            if blink != prev {
                return Err(self.corruption(
                    cur,
                    format!("list entry {cur:016x}: Blink {blink:016x} does not point back to {prev:016x}"),
                ));
            }
            nodes.push(cur);
            prev = cur;
            cur = self.read_u64(mem, cur.wrapping_add(list_entry::FLINK))?;
        }
        let blink = self.read_u64(mem, head.wrapping_add(list_entry::BLINK))?;
        if blink != prev {
            return Err(self.corruption(head, format!("list head {head:016x}: Blink does not point to the last entry")));
        }
        Ok(nodes)
    }
}

/// One uncommitted range of a segment (`_HEAP_UCR_DESCRIPTOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UcrRange {
    pub descriptor: u64,
    pub address: u64,
    pub size: u64,
}

/// A `_HEAP_SEGMENT`, read from memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    pub base: u64,
    /// Position on `_HEAP.SegmentList` (0 = the heap itself).
    pub index: usize,
    pub flags: u32,
    pub first_entry: u64,
    pub last_valid: u64,
    pub pages: u32,
    pub uncommitted_pages: u32,
    pub uncommitted_range_count: u32,
    pub ucrs: Vec<UcrRange>,
}

impl SegmentInfo {
    /// End of the committed blocks: crtlab keeps at most one uncommitted range, at the end.
    pub fn committed_end(&self) -> u64 {
        self.ucrs.iter().map(|u| u.address).min().unwrap_or(self.last_valid)
    }

    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr < self.last_valid
    }

    pub fn committed_bytes(&self) -> u64 {
        (self.pages.saturating_sub(self.uncommitted_pages)) as u64 * layout::PAGE
    }
}

/// All segments, in `_HEAP.SegmentList` order.
pub fn segments<M: GuestMemory + ?Sized>(mem: &M, h: &HeapHeader) -> Result<Vec<SegmentInfo>, HeapError> {
    let links = h.list(mem, h.base.wrapping_add(heap::SEGMENT_LIST), MAX_SEGMENTS)?;
    let mut out = Vec::with_capacity(links.len());
    for (index, link) in links.into_iter().enumerate() {
        out.push(read_segment(mem, h, link.wrapping_sub(segment::SEGMENT_LIST_ENTRY), index)?);
    }
    Ok(out)
}

fn read_segment<M: GuestMemory + ?Sized>(
    mem: &M,
    h: &HeapHeader,
    seg: u64,
    index: usize,
) -> Result<SegmentInfo, HeapError> {
    let at = |off: u64| seg.wrapping_add(off);
    if h.read_u32(mem, at(segment::SEGMENT_SIGNATURE))? != SEGMENT_SIGNATURE {
        return Err(h.corruption(seg, "segment signature is not 0xffeeffee"));
    }
    let info = SegmentInfo {
        base: h.read_u64(mem, at(segment::BASE_ADDRESS))?,
        index,
        flags: h.read_u32(mem, at(segment::SEGMENT_FLAGS))?,
        first_entry: h.read_u64(mem, at(segment::FIRST_ENTRY))?,
        last_valid: h.read_u64(mem, at(segment::LAST_VALID_ENTRY))?,
        pages: h.read_u32(mem, at(segment::NUMBER_OF_PAGES))?,
        uncommitted_pages: h.read_u32(mem, at(segment::NUMBER_OF_UNCOMMITTED_PAGES))?,
        uncommitted_range_count: h.read_u32(mem, at(segment::NUMBER_OF_UNCOMMITTED_RANGES))?,
        ucrs: Vec::new(),
    };
    // Segments are whole pages, and FirstEntry lies inside them.
    if info.base != seg
        || !seg.is_multiple_of(layout::PAGE)
        || info.first_entry < seg
        || info.last_valid <= info.first_entry
        || info.last_valid - seg != info.pages as u64 * layout::PAGE
    {
        return Err(h.corruption(seg, "segment bounds are inconsistent"));
    }
    let mut info = info;
    for link in h.list(mem, at(segment::UCR_SEGMENT_LIST), 4096)? {
        let d = link.wrapping_sub(ucr_descriptor::SEGMENT_ENTRY);
        let address = h.read_u64(mem, d.wrapping_add(ucr_descriptor::ADDRESS))?;
        let size = h.read_u64(mem, d.wrapping_add(ucr_descriptor::SIZE))?;
        if address < info.first_entry
            || !address.is_multiple_of(layout::PAGE)
            || !size.is_multiple_of(layout::PAGE)
            || address.checked_add(size).is_none_or(|e| e > info.last_valid)
        {
            return Err(h.corruption(d, "uncommitted range lies outside its segment"));
        }
        info.ucrs.push(UcrRange { descriptor: d, address, size });
    }
    info.ucrs.sort_by_key(|u| u.address);
    Ok(info)
}

/// What a block is used for, as `!heap` and HeapWalk tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// The `_HEAP` header block at the heap base (0x740 bytes).
    HeapHeader,
    /// The `_HEAP_SEGMENT` header block of an additional segment (0x70 bytes).
    SegmentHeader,
    /// A heap-internal allocation (the FrontEndHeapUsageData block).
    Internal,
    /// The block before an uncommitted range; its data is the `_HEAP_UCR_DESCRIPTOR`.
    UcrDescriptor,
    /// A user allocation.
    Busy,
    Free,
    /// A large block outside the segments (`_HEAP_VIRTUAL_ALLOC_ENTRY`).
    VirtualAlloc,
}

/// One block of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    /// Address of the `_HEAP_ENTRY`.
    pub entry: u64,
    pub header: HeapEntry,
    pub kind: BlockKind,
    /// The block ends where an uncommitted range or the segment ends.
    pub last: bool,
}

impl BlockInfo {
    pub fn user(&self) -> u64 {
        self.entry + HEAP_ENTRY_SIZE
    }
    pub fn size(&self) -> u64 {
        self.header.size_bytes()
    }
    /// The size the caller asked for (0 for free blocks).
    pub fn requested(&self) -> u64 {
        if self.header.is_busy() { self.size().saturating_sub(self.header.unused()) } else { 0 }
    }
}

/// An element of a segment, in address order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentItem {
    Block(BlockInfo),
    Uncommitted(UcrRange),
}

/// The blocks of a segment up to the first inconsistency, and that inconsistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentWalk {
    pub items: Vec<SegmentItem>,
    pub error: Option<HeapError>,
}

/// Walks a segment from its base: every header must decode, chain through PreviousSize,
/// and stay inside the committed part of the segment.
pub fn walk_segment<M: GuestMemory + ?Sized>(mem: &M, h: &HeapHeader, seg: &SegmentInfo) -> SegmentWalk {
    let mut items = Vec::new();
    let mut cur = seg.base;
    let mut prev_units: Option<u16> = Some(0);
    let end = seg.last_valid;
    let max_items = ((end - seg.base) / HEAP_ENTRY_SIZE + 2).min(MAX_LIST_NODES as u64) as usize;
    let error = loop {
        if cur == end {
            break None;
        }
        if items.len() > max_items {
            break Some(h.corruption(cur, "segment walk does not terminate"));
        }
        if let Some(u) = seg.ucrs.iter().find(|u| u.address == cur) {
            items.push(SegmentItem::Uncommitted(*u));
            cur = u.address + u.size;
            prev_units = None;
            continue;
        }
        let limit = seg.ucrs.iter().map(|u| u.address).filter(|&a| a > cur).min().unwrap_or(end);
        let e = match h.entry(mem, cur) {
            Ok(e) => e,
            Err(err) => break Some(err),
        };
        if e.size == 0 {
            break Some(h.corruption(cur, "heap entry has size 0"));
        }
        let next = cur.saturating_add(e.size_bytes());
        if next > limit {
            break Some(h.corruption(
                cur,
                format!(
                    "heap entry size {:#x} runs past the committed end {limit:016x} of its segment",
                    e.size_bytes()
                ),
            ));
        }
        if let Some(p) = prev_units
            && e.previous_size != p
        {
            break Some(h.corruption(
                cur,
                format!(
                    "heap entry previous size {:#x} does not match the previous block size {:#x}",
                    e.previous_size_bytes(),
                    p as u64 * layout::GRANULARITY
                ),
            ));
        }
        let kind = if cur == seg.base {
            if seg.index == 0 { BlockKind::HeapHeader } else { BlockKind::SegmentHeader }
        } else if !e.is_busy() {
            BlockKind::Free
        } else if e.is_internal() {
            BlockKind::Internal
        } else if next != end && next == limit {
            BlockKind::UcrDescriptor
        } else {
            BlockKind::Busy
        };
        items.push(SegmentItem::Block(BlockInfo { entry: cur, header: e, kind, last: next == limit }));
        prev_units = Some(e.size);
        cur = next;
    };
    SegmentWalk { items, error }
}

/// Entries (header addresses) on `_HEAP.FreeLists`, in list order; every one must be a
/// well-formed free block.
pub fn free_list<M: GuestMemory + ?Sized>(mem: &M, h: &HeapHeader) -> Result<Vec<(u64, HeapEntry)>, HeapError> {
    let nodes = h.list(mem, h.base.wrapping_add(heap::FREE_LISTS), MAX_LIST_NODES)?;
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        let e_addr = node.wrapping_sub(layout::free_entry::FREE_LIST);
        let e = h.entry(mem, e_addr)?;
        if e.is_busy() {
            return Err(h.corruption(e_addr, "busy block found on the free list"));
        }
        out.push((e_addr, e));
    }
    Ok(out)
}

/// A large block on `_HEAP.VirtualAllocdBlocks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VirtualBlock {
    /// Address of the `_HEAP_VIRTUAL_ALLOC_ENTRY` (start of the reservation).
    pub base: u64,
    pub commit_size: u64,
    pub reserve_size: u64,
    pub header: HeapEntry,
}

impl VirtualBlock {
    pub fn entry(&self) -> u64 {
        self.base.wrapping_add(virtual_alloc::BUSY_BLOCK)
    }
    pub fn user(&self) -> u64 {
        self.base.wrapping_add(virtual_alloc::SIZEOF)
    }
    /// For virtual blocks `_HEAP_ENTRY.Size` holds CommitSize − request, in bytes.
    pub fn requested(&self) -> u64 {
        self.commit_size.saturating_sub(self.header.size as u64)
    }
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr - self.base < self.commit_size
    }
}

pub fn virtual_blocks<M: GuestMemory + ?Sized>(mem: &M, h: &HeapHeader) -> Result<Vec<VirtualBlock>, HeapError> {
    let nodes = h.list(mem, h.base.wrapping_add(heap::VIRTUAL_ALLOCD_BLOCKS), MAX_LIST_NODES)?;
    let mut out = Vec::with_capacity(nodes.len());
    for base in nodes {
        let vb = VirtualBlock {
            base,
            commit_size: h.read_u64(mem, base.wrapping_add(virtual_alloc::COMMIT_SIZE))?,
            reserve_size: h.read_u64(mem, base.wrapping_add(virtual_alloc::RESERVE_SIZE))?,
            header: h.entry(mem, base.wrapping_add(virtual_alloc::BUSY_BLOCK))?,
        };
        let want = layout::HEAP_ENTRY_BUSY | layout::HEAP_ENTRY_VIRTUAL_ALLOC;
        // A reservation of its own: 64 KB aligned, whole pages, at most 1 TB.
        if vb.header.flags & want != want
            || !base.is_multiple_of(layout::ALLOCATION_GRANULARITY)
            || vb.commit_size < virtual_alloc::SIZEOF
            || !vb.commit_size.is_multiple_of(layout::PAGE)
            || vb.reserve_size < vb.commit_size
            || vb.reserve_size > 1 << 40
            || base.checked_add(vb.reserve_size).is_none()
            || vb.header.size as u64 > vb.commit_size
        {
            return Err(h.corruption(vb.entry(), "virtual alloc block header is inconsistent"));
        }
        out.push(vb);
    }
    Ok(out)
}
