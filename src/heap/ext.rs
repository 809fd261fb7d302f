//! The `!heap` debugger extension: reads the heaps from guest memory, as WinDbg does,
//! and prints them in WinDbg's formats (reference/heap-internals.md §3,
//! windbg-formats.md §17).
//!
//! Every function takes the PEB's ProcessHeaps array (`heaps`, in PEB order) and returns
//! the text; nothing here writes guest memory. Garbage in memory gives error lines,
//! never a panic.
//!
//! Decisions:
//! - The flags column of `!heap -a/-h` is `[1xx]`: a constant leading 1, then the decoded
//!   `_HEAP_ENTRY.Flags`, with HEAP_ENTRY_LAST_ENTRY (0x10) added for a block that ends
//!   where an uncommitted range or the segment ends (Windows does not store that bit: the
//!   S4 "busy last" entry decodes to Flags 0x01). Every capture shows a leading 1,
//!   including x86 ones; crtlab does not make it depend on the segment.
//! - Segments are printed one after another: summary (-m), then entries (-h).
//! - `Reserv` of `!heap -s` = segment pages + large-block reservations, `Virt` = segment
//!   pages only (the two are equal in every non-LFH row of S6), `Lock cont.` 0, no LFH.
//!   "External fragmentation" is printed for heaps with at least 1 MB free in 2+ blocks.
//! - `!heap -i` is stateless: the "assumed heap" is the heap that owns the address.
//! - `!heap -flt` prints `Flags` as the decoded flags without the busy bit ([00] for a
//!   plain busy block, as in S6).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::process::memory::GuestMemory;

use super::entry::{self, HeapEntry};
use super::layout::{
    self, GRANULARITY, HEAP_ENTRY_BUSY, HEAP_ENTRY_EXTRA_PRESENT, HEAP_ENTRY_FILL_PATTERN, HEAP_ENTRY_LAST_ENTRY,
    HEAP_ENTRY_SETTABLE_FLAG1, HEAP_ENTRY_SETTABLE_FLAG2, HEAP_ENTRY_SETTABLE_FLAG3, HEAP_ENTRY_VIRTUAL_ALLOC, PAGE,
    SEGMENT_HEAP_SIGNATURE, heap, ucr_descriptor,
};
use super::view::{self, BlockInfo, BlockKind, HeapHeader, SegmentInfo, SegmentItem, VirtualBlock};

const USAGE: &str = "supported: !heap, !heap -s, !heap [-a|-h|-f|-m] [heap], !heap -x <address>, \
!heap -i <entry>, !heap -flt s <size> | r <min> <max>, !heap -stat [-h <heap>]";

/// `!heap <args>`: the output, or a one-line error (without newline) for a bad command
/// line. Numbers are hex (`0x` and backticks allowed).
pub fn command<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], args: &str) -> Result<String, String> {
    command_with(mem, heaps, args, &|s: &str| parse_hex(s).ok_or_else(|| format!("Couldn't resolve error at '{s}'")))
}

/// Like `command`, with the debugger's expression evaluator for the numbers.
pub fn command_with<M: GuestMemory + ?Sized>(
    mem: &M,
    heaps: &[u64],
    args: &str,
    eval: &dyn Fn(&str) -> Result<u64, String>,
) -> Result<String, String> {
    let tokens: Vec<&str> = args.split_whitespace().collect();
    run(mem, heaps, &tokens, eval)
}

/// `command` with the error as a line of output, as the prompt prints it.
pub fn heap_command<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], args: &str) -> String {
    command(mem, heaps, args).unwrap_or_else(|e| format!("{e}\n"))
}

fn run<M: GuestMemory + ?Sized>(
    mem: &M,
    heaps: &[u64],
    t: &[&str],
    eval: &dyn Fn(&str) -> Result<u64, String>,
) -> Result<String, String> {
    let arg = |i: usize, what: &str| -> Result<u64, String> {
        let s = t.get(i).ok_or_else(|| format!("!heap {}: missing {what}", t[0]))?;
        eval(s)
    };
    let no_more = |n: usize| -> Result<(), String> {
        match t.get(n) {
            Some(extra) => Err(format!("!heap {}: unexpected argument '{extra}'", t[0])),
            None => Ok(()),
        }
    };
    let Some(&first) = t.first() else { return Ok(heap_list(mem, heaps)) };
    match first {
        "-s" | "-S" => {
            no_more(2)?;
            let only = if t.len() > 1 { Some(arg(1, "heap")?) } else { None };
            Ok(heap_stats(mem, heaps, only))
        }
        "-x" | "-X" => {
            let i = if t.get(1) == Some(&"-v") { 2 } else { 1 };
            no_more(i + 1)?;
            Ok(heap_find(mem, heaps, arg(i, "address")?))
        }
        "-i" | "-I" => {
            no_more(2)?;
            Ok(heap_entry_info(mem, heaps, arg(1, "address")?))
        }
        "-flt" => match t.get(1) {
            Some(&"s") => {
                no_more(3)?;
                let s = arg(2, "size")?;
                Ok(heap_filter(mem, heaps, s, s))
            }
            Some(&"r") => {
                no_more(4)?;
                Ok(heap_filter(mem, heaps, arg(2, "minimum size")?, arg(3, "maximum size")?))
            }
            _ => Err("!heap -flt: expected 's <size>' or 'r <min> <max>'".into()),
        },
        "-stat" => match t.get(1) {
            None => Ok(heap_stat_summary(mem, heaps)),
            Some(&"-h") => {
                no_more(3)?;
                Ok(heap_stat_histogram(mem, arg(2, "heap")?))
            }
            Some(other) => Err(format!("!heap -stat: unsupported option '{other}'")),
        },
        _ => {
            let mut opts = DumpOptions::default();
            let mut heap = None;
            for tok in t {
                if let Some(letters) = tok.strip_prefix('-') {
                    if letters.is_empty() {
                        return Err(format!("!heap: unknown option '{tok}' ({USAGE})"));
                    }
                    for c in letters.chars() {
                        match c {
                            'a' | 'A' => opts = DumpOptions { entries: true, free: true, segments: true },
                            'h' | 'H' => opts.entries = true,
                            'f' | 'F' => opts.free = true,
                            'm' | 'M' => opts.segments = true,
                            _ => return Err(format!("!heap: unknown option '{tok}' ({USAGE})")),
                        }
                    }
                } else if heap.is_none() {
                    heap = Some(eval(tok)?);
                } else {
                    return Err(format!("!heap: unexpected argument '{tok}'"));
                }
            }
            Ok(match heap {
                Some(h) => heap_dump(mem, h, opts),
                None => heaps.iter().map(|&h| heap_dump(mem, h, opts)).collect(),
            })
        }
    }
}

/// Parses a hex number as WinDbg shows addresses: `267a06f0000`, `0x…`, `00000267`a06f0000`.
pub fn parse_hex(s: &str) -> Option<u64> {
    let s: String = s.chars().filter(|&c| c != '`').collect();
    let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(&s);
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

/// `!heap` with no arguments (§3.1).
pub fn heap_list<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64]) -> String {
    let mut out = String::from("        Heap Address      NT/Segment Heap\n\n");
    for &h in heaps {
        let kind = if mem.read_u32(h.wrapping_add(0x10)).ok() == Some(SEGMENT_HEAP_SIGNATURE) {
            "Segment Heap"
        } else {
            "NT Heap"
        };
        let _ = writeln!(out, "{h:>20x}{kind:>21}");
    }
    out
}

/// Totals of one heap, for `!heap -s` and `!heap -stat`.
struct HeapTotals {
    segments: usize,
    /// Bytes of all segments (NumberOfPages).
    segment_bytes: u64,
    committed: u64,
    virtual_blocks: usize,
    virtual_reserved: u64,
    virtual_committed: u64,
    /// Bytes, from TotalFreeSize.
    free: u64,
    free_blocks: usize,
    ucrs: usize,
}

fn totals<M: GuestMemory + ?Sized>(mem: &M, h: &HeapHeader) -> Result<HeapTotals, String> {
    let segs = view::segments(mem, h).map_err(|e| e.to_string())?;
    let vbs = view::virtual_blocks(mem, h).map_err(|e| e.to_string())?;
    let free_blocks = view::free_list(mem, h).map_err(|e| e.to_string())?.len();
    let ucrs = h.list(mem, h.base + heap::UCR_LIST, view::MAX_LIST_NODES).map_err(|e| e.to_string())?.len();
    let total_free = mem.read_u64(h.base + heap::TOTAL_FREE_SIZE).unwrap_or(0);
    Ok(HeapTotals {
        segments: segs.len(),
        segment_bytes: segs.iter().map(|s| s.pages as u64 * PAGE).sum(),
        committed: segs.iter().map(|s| s.committed_bytes()).sum(),
        virtual_blocks: vbs.len(),
        virtual_reserved: vbs.iter().map(|v| v.reserve_size).sum(),
        virtual_committed: vbs.iter().map(|v| v.commit_size).sum(),
        free: total_free.saturating_mul(GRANULARITY),
        free_blocks,
        ucrs,
    })
}

/// `!heap -s` (§3.2), optionally for one heap only.
pub fn heap_stats<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], only: Option<u64>) -> String {
    let stars = "*".repeat(120);
    let dashes = "-".repeat(85);
    let mut out = format!("\n\n{stars}\n{:46}NT HEAP STATS BELOW\n{stars}\n", "");
    let _ = writeln!(out, "LFH Key                   : 0x{:016x}", layout::LFH_KEY);
    out.push_str("Termination on corruption : ENABLED\n");
    out.push_str("          Heap     Flags   Reserv  Commit  Virt   Free  List   UCR  Virt  Lock  Fast \n");
    out.push_str("                            (k)     (k)    (k)     (k) length      blocks cont. heap \n");
    let _ = writeln!(out, "{dashes}");
    let list: Vec<u64> = match only {
        Some(h) => vec![h],
        None => heaps.to_vec(),
    };
    for base in list {
        let Some(h) = HeapHeader::read(mem, base) else {
            let _ = writeln!(out, "{base:016x} ERROR: not a valid NT heap (no signature)");
            continue;
        };
        let t = match totals(mem, &h) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(out, "{base:016x} {:08x} ERROR: {e}", h.flags);
                continue;
            }
        };
        let k = |b: u64| b / 1024;
        let _ = writeln!(
            out,
            "{base:016x} {:08x}{:>8}{:>7}{:>7}{:>7}{:>6}{:>6}{:>5}{:>7x}{:>6}",
            h.flags,
            k(t.segment_bytes + t.virtual_reserved),
            k(t.committed + t.virtual_committed),
            k(t.segment_bytes),
            k(t.free),
            t.free_blocks,
            t.ucrs,
            t.virtual_blocks,
            0,
            ""
        );
        if t.free >= 0x10_0000 && t.free_blocks >= 2 && t.committed > 0 {
            let pct = t.free * 100 / t.committed;
            let _ = writeln!(out, "    External fragmentation  {pct} % ({} free blocks)", t.free_blocks);
        }
    }
    let _ = writeln!(out, "{dashes}\n");
    out
}

/// Which parts `heap_dump` prints: `-h` entries, `-f` free list, `-m` segments; `-a` all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpOptions {
    pub entries: bool,
    pub free: bool,
    pub segments: bool,
}

impl DumpOptions {
    pub const ALL: DumpOptions = DumpOptions { entries: true, free: true, segments: true };
}

/// `[1xx]`: see the module comment.
fn flags_column(e: &HeapEntry, last: bool) -> String {
    let f = e.flags as u32 | if last { HEAP_ENTRY_LAST_ENTRY as u32 } else { 0 };
    format!("[{:03x}]", 0x100 | f)
}

/// `!heap -a|-h|-f|-m <heap>` (§3.3).
pub fn heap_dump<M: GuestMemory + ?Sized>(mem: &M, base: u64, opts: DumpOptions) -> String {
    let Some(h) = HeapHeader::read(mem, base) else {
        return format!("{base:x} is not a valid NT heap (no 0xeeffeeff signature at +0x98)\n");
    };
    let r64 = |off: u64| mem.read_u64(base + off).unwrap_or(0);
    let r16 = |off: u64| mem.read_u16(base + off).unwrap_or(0);
    let mut out = String::from("Index   Address  Name      Debugging options enabled\n");
    let _ = writeln!(out, "{:>3}:   {base:x} ", h.process_heaps_list_index);
    let segs = view::segments(mem, &h);
    if let Ok(segs) = &segs {
        for s in segs {
            let _ = writeln!(
                out,
                "    Segment at {:016x} to {:016x} ({:08x} bytes committed)",
                s.base,
                s.last_valid,
                s.committed_bytes()
            );
        }
    }
    let _ = writeln!(out, "    Flags:                {:08x}", h.flags);
    let _ = writeln!(out, "    ForceFlags:           {:08x}", h.force_flags);
    let _ = writeln!(out, "    Granularity:          16 bytes");
    let _ = writeln!(out, "    Segment Reserve:      {:08x}", h.segment_reserve);
    let _ = writeln!(out, "    Segment Commit:       {:08x}", h.segment_commit);
    let _ = writeln!(out, "    DeCommit Block Thres: {:08x}", r64(heap::DECOMMIT_FREE_BLOCK_THRESHOLD));
    let _ = writeln!(out, "    DeCommit Total Thres: {:08x}", r64(heap::DECOMMIT_TOTAL_FREE_THRESHOLD));
    let _ = writeln!(out, "    Total Free Size:      {:08x}", r64(heap::TOTAL_FREE_SIZE));
    let _ = writeln!(out, "    Max. Allocation Size: {:016x}", h.maximum_allocation_size);
    let _ = writeln!(out, "    Lock Variable at:     {:016x}", r64(heap::LOCK_VARIABLE));
    let _ = writeln!(out, "    Next TagIndex:        {:04x}", r16(heap::NEXT_AVAILABLE_TAG_INDEX));
    let _ = writeln!(out, "    Maximum TagIndex:     {:04x}", r16(heap::MAXIMUM_TAG_INDEX));
    let _ = writeln!(out, "    Tag Entries:          {:08x}", r64(heap::TAG_ENTRIES));
    let _ = writeln!(out, "    PsuedoTag Entries:    {:08x}", r64(heap::PSEUDO_TAG_ENTRIES));
    let _ = writeln!(out, "    Virtual Alloc List:   {:08x}", base + heap::VIRTUAL_ALLOCD_BLOCKS);
    if opts.segments || opts.entries {
        match view::virtual_blocks(mem, &h) {
            Ok(vbs) => {
                for vb in vbs {
                    let _ = writeln!(
                        out,
                        "        {:016x}: {:08x} {} - busy ({:x})",
                        vb.entry(),
                        vb.commit_size,
                        flags_column(&vb.header, false),
                        vb.requested()
                    );
                }
            }
            Err(e) => error_line(&mut out, &e),
        }
    }
    let _ = writeln!(out, "    Uncommitted ranges:   {:08x}", base + heap::UCR_LIST);
    if opts.segments {
        match h.list(mem, base + heap::UCR_LIST, view::MAX_LIST_NODES) {
            Ok(nodes) => {
                for d in nodes {
                    let addr = mem.read_u64(d.wrapping_add(ucr_descriptor::ADDRESS)).unwrap_or(0);
                    let size = mem.read_u64(d.wrapping_add(ucr_descriptor::SIZE)).unwrap_or(0);
                    let _ = writeln!(out, "            {addr:08x}: {size:08x}  ({size} bytes)");
                }
            }
            Err(e) => error_line(&mut out, &e),
        }
    }
    let head = base + heap::FREE_LISTS;
    let free = view::free_list(mem, &h);
    let count = free.as_ref().map(|l| l.len()).unwrap_or(0);
    let _ = write!(
        out,
        "    FreeList[ 00 ] at {head:016x}: {:016x} . {:016x}  ",
        r64(heap::FREE_LISTS),
        r64(heap::FREE_LISTS + 8)
    );
    if count > 1 {
        let _ = write!(out, "({count} blocks)");
    }
    out.push('\n');
    match &free {
        Ok(list) if opts.free => {
            for &(e, hdr) in list {
                let _ = writeln!(
                    out,
                    "        {e:016x}: {:05x} . {:05x} {} - free",
                    hdr.previous_size_bytes(),
                    hdr.size_bytes(),
                    flags_column(&hdr, false)
                );
            }
        }
        Err(e) if opts.free || opts.entries => error_line(&mut out, e),
        _ => {}
    }
    let segs = match segs {
        Ok(s) => s,
        Err(e) => {
            error_line(&mut out, &e);
            return out;
        }
    };
    for seg in &segs {
        if opts.segments {
            segment_summary(&mut out, seg);
        }
        if opts.entries {
            segment_entries(&mut out, mem, &h, seg);
        }
    }
    out
}

fn error_line(out: &mut String, e: &super::HeapError) {
    let _ = writeln!(out, "    ERROR: {e}");
}

fn segment_summary(out: &mut String, s: &SegmentInfo) {
    let _ = writeln!(out, "\n    Segment{:02} at {:08x}:", s.index, s.base as u32);
    let _ = writeln!(out, "        Flags:           {:08x}", s.flags);
    let _ = writeln!(out, "        Base:            {:08x}", s.base);
    let _ = writeln!(out, "        First Entry:     {:08x}", s.first_entry as u32);
    let _ = writeln!(out, "        Last Entry:      {:08x}", s.last_valid);
    let _ = writeln!(out, "        Total Pages:     {:08x}", s.pages);
    let _ = writeln!(out, "        Total UnCommit:  {:08x}", s.uncommitted_pages);
    let _ = writeln!(out, "        Largest UnCommit:{:08x}", 0);
    let _ = writeln!(out, "        UnCommitted Ranges: ({})", s.uncommitted_range_count);
}

fn segment_entries<M: GuestMemory + ?Sized>(out: &mut String, mem: &M, h: &HeapHeader, seg: &SegmentInfo) {
    let _ = writeln!(out, "\n    Heap entries for Segment{:02} in Heap {:016x}", seg.index, h.base);
    out.push_str("                 address: psize . size  flags   state (requested size)\n");
    let walk = view::walk_segment(mem, h, seg);
    for item in &walk.items {
        match item {
            SegmentItem::Block(b) => {
                let _ = write!(
                    out,
                    "        {:016x}: {:05x} . {:05x} {}",
                    b.entry,
                    b.header.previous_size_bytes(),
                    b.size(),
                    flags_column(&b.header, b.last)
                );
                if b.header.is_busy() {
                    let _ = write!(out, " - busy ({:x})", b.requested());
                    if b.kind == BlockKind::Internal {
                        out.push_str(" Internal ");
                    }
                }
                out.push('\n');
            }
            SegmentItem::Uncommitted(u) => {
                let _ = writeln!(out, "        {:016x}:      {:08x}      - uncommitted bytes.", u.address, u.size);
            }
        }
    }
    if let Some(e) = &walk.error {
        error_line(out, e);
    }
}

/// A block found by address: in a segment or a large block.
enum Found {
    Block { heap: u64, seg: SegmentInfo, block: BlockInfo },
    Virtual { heap: u64, vb: VirtualBlock },
}

/// Finds the block (header included) that holds `addr`, in PEB order.
fn find_block<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], addr: u64) -> Option<Found> {
    for &base in heaps {
        let Some(h) = HeapHeader::read(mem, base) else { continue };
        if let Ok(segs) = view::segments(mem, &h) {
            for seg in segs.into_iter().filter(|s| s.contains(addr)) {
                let walk = view::walk_segment(mem, &h, &seg);
                for item in walk.items {
                    if let SegmentItem::Block(b) = item
                        && addr >= b.entry
                        && addr - b.entry < b.size()
                    {
                        return Some(Found::Block { heap: base, seg, block: b });
                    }
                }
            }
        }
        if let Ok(vbs) = view::virtual_blocks(mem, &h)
            && let Some(vb) = vbs.into_iter().find(|v| v.contains(addr))
        {
            return Some(Found::Virtual { heap: base, vb });
        }
    }
    None
}

/// The `Flags` words of `!heap -x` and `!heap -i`, each followed by a space.
fn flag_words(e: &HeapEntry, last: bool, internal: bool) -> String {
    let mut s = String::from(if e.is_busy() { "busy " } else { "free " });
    for (bit, word) in [
        (HEAP_ENTRY_EXTRA_PRESENT, "extra "),
        (HEAP_ENTRY_FILL_PATTERN, "fill "),
        (HEAP_ENTRY_VIRTUAL_ALLOC, "virtual "),
    ] {
        if e.flags & bit != 0 {
            s.push_str(word);
        }
    }
    if last || e.flags & HEAP_ENTRY_LAST_ENTRY != 0 {
        s.push_str("last ");
    }
    if internal {
        s.push_str("internal ");
    }
    if e.flags & (HEAP_ENTRY_SETTABLE_FLAG1 | HEAP_ENTRY_SETTABLE_FLAG2 | HEAP_ENTRY_SETTABLE_FLAG3) != 0 {
        s.push_str("user_flag ");
    }
    s
}

/// `!heap -x <address>` (§3.4): the block holding an address.
pub fn heap_find<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], addr: u64) -> String {
    let Some(found) = find_block(mem, heaps, addr) else {
        return format!("No heap entry found for address {addr:016x}\n");
    };
    let mut out = String::from(
        "Entry             User              Heap              Segment               Size  PrevSize  Unused    Flags\n",
    );
    let _ = writeln!(out, "{}", "-".repeat(109));
    let (entry, heap, seg, size, prev, unused, words) = match found {
        Found::Block { heap, seg, block: b } => (
            b.entry,
            heap,
            seg.base,
            b.size(),
            b.header.previous_size_bytes(),
            b.header.unused(),
            flag_words(&b.header, b.last, b.kind == BlockKind::Internal),
        ),
        Found::Virtual { heap, vb } => {
            (vb.entry(), heap, vb.base, vb.commit_size, 0, vb.header.size as u64, flag_words(&vb.header, false, false))
        }
    };
    let _ = writeln!(
        out,
        "{entry:016x}  {:016x}  {heap:016x}  {seg:016x}{size:>10x}{prev:>10x}{unused:>10x}  {words}",
        entry + layout::HEAP_ENTRY_SIZE
    );
    out
}

/// `!heap -i <address>` (windbg-formats §17.7): decodes the header at an address.
pub fn heap_entry_info<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], addr: u64) -> String {
    if heaps.contains(&addr) {
        return format!("Heap context set to the heap 0x{addr:016x}\n");
    }
    // The owning heap and segment, else the process heap's key.
    let owner = heaps.iter().find_map(|&base| {
        let h = HeapHeader::read(mem, base)?;
        let segs = view::segments(mem, &h).ok()?;
        let seg = segs.into_iter().find(|s| s.contains(addr))?;
        Some((h, seg))
    });
    let (h, seg) = match owner {
        Some((h, seg)) => (h, Some(seg)),
        None => match heaps.iter().find_map(|&b| HeapHeader::read(mem, b)) {
            Some(h) => (h, None),
            None => return format!("No NT heap to decode the entry at {addr:016x} with\n"),
        },
    };
    let Ok(raw) = mem.read_u64(addr.wrapping_add(8)) else {
        return format!("Unable to read the heap entry at {addr:016x}\n");
    };
    let e = HeapEntry::from_u64(entry::xor_key(raw, h.key));
    let dec = e.to_u64();
    let mut out = format!("Detailed information for block entry {addr:016x}\n");
    let _ = writeln!(out, "Assumed heap       : 0x{:016x} (Use !heap -i NewHeapHandle to change)", h.base);
    let _ = writeln!(
        out,
        "Header content     : 0x{:08X} 0x{:08X} (decoded : 0x{:08X} 0x{:08X})",
        raw as u32,
        (raw >> 32) as u32,
        dec as u32,
        (dec >> 32) as u32
    );
    match &seg {
        Some(s) => {
            let _ = writeln!(out, "Owning segment     : 0x{:016x} (offset {})", s.base, e.segment_offset);
        }
        None => out.push_str("Owning segment     : none (the address is outside every segment)\n"),
    }
    let last = seg.as_ref().is_some_and(|s| {
        let next = addr.saturating_add(e.size_bytes());
        next == s.last_valid || s.ucrs.iter().any(|u| u.address == next)
    });
    let _ = writeln!(
        out,
        "Block flags        : 0x{:x} ({})",
        e.flags,
        flag_words(&e, last, e.is_busy() && e.is_internal())
    );
    let _ = writeln!(out, "Total block size   : 0x{:x} units (0x{:x} bytes)", e.size, e.size_bytes());
    if e.is_busy() {
        let _ = writeln!(
            out,
            "Requested size     : 0x{:x} bytes (unused 0x{:x} bytes)",
            e.size_bytes().saturating_sub(e.unused()),
            e.unused()
        );
    }
    let _ = writeln!(out, "Previous block size: 0x{:x} units (0x{:x} bytes)", e.previous_size, e.previous_size_bytes());
    if e.checksum_ok() {
        let _ = writeln!(out, "Block CRC          : OK - 0x{:x}", e.small_tag_index);
    } else {
        let _ =
            writeln!(out, "Block CRC          : ERROR - 0x{:x} (should be 0x{:x})", e.small_tag_index, e.checksum());
    }
    let _ = writeln!(out, "Previous block     : 0x{:016x}", addr.wrapping_sub(e.previous_size_bytes()));
    let _ = writeln!(out, "Next block         : 0x{:016x}", addr.wrapping_add(e.size_bytes()));
    out
}

/// Busy blocks of every heap with a requested size in [min, max] (`!heap -flt`, §3.5).
pub fn heap_filter<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64], min: u64, max: u64) -> String {
    let mut out = String::new();
    for &base in heaps {
        let _ = writeln!(out, "    _HEAP @ {base:x}");
        let mut header = false;
        let mut row = |out: &mut String, entry: u64, units: u64, prev: u64, flags: u8, req: u64| {
            if !header {
                out.push_str("              HEAP_ENTRY Size Prev Flags            UserPtr UserSize - state\n");
                header = true;
            }
            let _ = writeln!(
                out,
                "        {entry:016x} {units:04x} {prev:04x}  [{:02x}]   {:016x}    {req:05x} - (busy)",
                flags & !HEAP_ENTRY_BUSY,
                entry + layout::HEAP_ENTRY_SIZE
            );
        };
        let Some(h) = HeapHeader::read(mem, base) else { continue };
        for seg in view::segments(mem, &h).unwrap_or_default() {
            for item in view::walk_segment(mem, &h, &seg).items {
                if let SegmentItem::Block(b) = item
                    && b.kind == BlockKind::Busy
                    && (min..=max).contains(&b.requested())
                {
                    let hd = b.header;
                    row(&mut out, b.entry, hd.size as u64, hd.previous_size as u64, hd.flags, b.requested());
                }
            }
        }
        for vb in view::virtual_blocks(mem, &h).unwrap_or_default() {
            if (min..=max).contains(&vb.requested()) {
                row(&mut out, vb.entry(), vb.commit_size / GRANULARITY, 0, vb.header.flags, vb.requested());
            }
        }
    }
    out
}

/// `!heap -stat` without `-h`: one summary per heap (S33 layout, x64 widths).
pub fn heap_stat_summary<M: GuestMemory + ?Sized>(mem: &M, heaps: &[u64]) -> String {
    let mut out = String::new();
    for &base in heaps {
        let _ = writeln!(out, "_HEAP {base:016x}");
        let t = match HeapHeader::read(mem, base) {
            Some(h) => totals(mem, &h),
            None => Err("not a valid NT heap".into()),
        };
        match t {
            Ok(t) => {
                let _ = writeln!(out, "     Segments            {:08x}", t.segments);
                let _ = writeln!(out, "         Reserved  bytes {:08x}", t.segment_bytes);
                let _ = writeln!(out, "         Committed bytes {:08x}", t.committed);
                let _ = writeln!(out, "     VirtAllocBlocks     {:08x}", t.virtual_blocks);
                let _ = writeln!(out, "         VirtAlloc bytes {:08x}", t.virtual_committed);
            }
            Err(e) => {
                let _ = writeln!(out, "     ERROR: {e}");
            }
        }
    }
    out
}

/// `!heap -stat -h <heap>`: busy blocks grouped by requested size, largest total first.
pub fn heap_stat_histogram<M: GuestMemory + ?Sized>(mem: &M, base: u64) -> String {
    let Some(h) = HeapHeader::read(mem, base) else {
        return format!("{base:x} is not a valid NT heap (no 0xeeffeeff signature at +0x98)\n");
    };
    let mut groups: BTreeMap<u64, u64> = BTreeMap::new();
    for seg in view::segments(mem, &h).unwrap_or_default() {
        for item in view::walk_segment(mem, &h, &seg).items {
            if let SegmentItem::Block(b) = item
                && b.kind == BlockKind::Busy
            {
                *groups.entry(b.requested()).or_default() += 1;
            }
        }
    }
    for vb in view::virtual_blocks(mem, &h).unwrap_or_default() {
        *groups.entry(vb.requested()).or_default() += 1;
    }
    let busy: u64 = groups.iter().map(|(s, n)| s * n).sum();
    let mut rows: Vec<(u64, u64)> = groups.into_iter().collect();
    rows.sort_by(|a, b| (b.0 * b.1).cmp(&(a.0 * a.1)).then(b.0.cmp(&a.0)));
    let mut out = format!(" heap @ {base:016x}\ngroup-by: TOTSIZE max-display: 20\n");
    out.push_str("    size     #blocks     total      ( %) (percent of total busy bytes)\n");
    for (size, n) in rows.into_iter().take(20) {
        let total = size * n;
        let pct = if busy == 0 { 0.0 } else { total as f64 * 100.0 / busy as f64 };
        let _ = writeln!(out, "    {size:<12x}{n:<6x}-  {total:<11x}({pct:.2})");
    }
    out
}

// ---- dt _HEAP_ENTRY ---------------------------------------------------------------------

/// The type of a `_HEAP_ENTRY` member as `dt` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtType {
    /// An embedded structure, printed by name.
    Struct(&'static str),
    Ptr64Void,
    UChar,
    Uint2B,
    Uint4B,
    Uint8B,
}

impl DtType {
    pub fn name(&self) -> &'static str {
        match self {
            DtType::Struct(n) => n,
            DtType::Ptr64Void => "Ptr64 Void",
            DtType::UChar => "UChar",
            DtType::Uint2B => "Uint2B",
            DtType::Uint4B => "Uint4B",
            DtType::Uint8B => "Uint8B",
        }
    }

    fn width(&self) -> usize {
        match self {
            DtType::Struct(_) => 0,
            DtType::UChar => 1,
            DtType::Uint2B => 2,
            DtType::Uint4B => 4,
            DtType::Ptr64Void | DtType::Uint8B => 8,
        }
    }
}

/// One member of `ntdll!_HEAP_ENTRY` (Win10 x64), in `dt` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtField {
    pub offset: u64,
    pub name: &'static str,
    pub ty: DtType,
}

const fn f(offset: u64, name: &'static str, ty: DtType) -> DtField {
    DtField { offset, name, ty }
}

/// `dt _HEAP_ENTRY`: the members with their unions, as ntdll's PDB lists them.
pub const HEAP_ENTRY_FIELDS: &[DtField] = &[
    f(0x0, "UnpackedEntry", DtType::Struct("_HEAP_UNPACKED_ENTRY")),
    f(0x0, "PreviousBlockPrivateData", DtType::Ptr64Void),
    f(0x8, "Size", DtType::Uint2B),
    f(0xa, "Flags", DtType::UChar),
    f(0xb, "SmallTagIndex", DtType::UChar),
    f(0x8, "SubSegmentCode", DtType::Uint4B),
    f(0xc, "PreviousSize", DtType::Uint2B),
    f(0xe, "SegmentOffset", DtType::UChar),
    f(0xe, "LFHFlags", DtType::UChar),
    f(0xf, "UnusedBytes", DtType::UChar),
    f(0x8, "CompactHeader", DtType::Uint8B),
    f(0x0, "ExtendedEntry", DtType::Struct("_HEAP_EXTENDED_ENTRY")),
    f(0x0, "Reserved", DtType::Ptr64Void),
    f(0x8, "FunctionIndex", DtType::Uint2B),
    f(0xa, "ContextValue", DtType::Uint2B),
    f(0x8, "InterceptorValue", DtType::Uint4B),
    f(0xc, "UnusedBytesLength", DtType::Uint2B),
    f(0xe, "EntryOffset", DtType::UChar),
    f(0xf, "ExtendedBlockSignature", DtType::UChar),
    f(0x0, "ReservedForAlignment", DtType::Ptr64Void),
    f(0x8, "Code1", DtType::Uint4B),
    f(0xc, "Code2", DtType::Uint2B),
    f(0xe, "Code3", DtType::UChar),
    f(0xf, "Code4", DtType::UChar),
    f(0xc, "Code234", DtType::Uint4B),
    f(0x8, "AgregateCode", DtType::Uint8B),
];

/// The raw (still encoded) value of every `_HEAP_ENTRY` member at `addr`, as `dt` shows
/// them; None for embedded structures.
pub fn heap_entry_fields<M: GuestMemory + ?Sized>(mem: &M, addr: u64) -> Option<Vec<(DtField, Option<u64>)>> {
    let mut raw = [0u8; 16];
    mem.read(addr, &mut raw).ok()?;
    Some(
        HEAP_ENTRY_FIELDS
            .iter()
            .map(|fd| {
                let w = fd.ty.width();
                let v = (w > 0).then(|| {
                    let mut b = [0u8; 8];
                    b[..w].copy_from_slice(&raw[fd.offset as usize..fd.offset as usize + w]);
                    u64::from_le_bytes(b)
                });
                (*fd, v)
            })
            .collect(),
    )
}

/// A `dt` value: `(null)`, `0x00000000`12345678 Void`, `0x55 'U'`, `0x98ce`, `0x30040ec`725598ce`.
pub fn format_dt_value(ty: DtType, v: u64) -> String {
    match ty {
        DtType::Struct(n) => n.to_string(),
        DtType::Ptr64Void if v == 0 => "(null) ".to_string(),
        DtType::Ptr64Void => format!("0x{:08x}`{:08x} Void", v >> 32, v as u32),
        DtType::UChar => {
            let c = v as u8;
            let ch = if (0x20..0x7f).contains(&c) { (c as char).to_string() } else { String::new() };
            if c == 0 { format!("0 '{ch}'") } else { format!("0x{c:x} '{ch}'") }
        }
        _ if v < 10 => v.to_string(),
        _ if v >> 32 != 0 => format!("0x{:x}`{:08x}", v >> 32, v as u32),
        _ => format!("0x{v:x}"),
    }
}

/// `dt _HEAP_ENTRY [addr]` in WinDbg's layout (windbg-formats §14.3).
pub fn format_dt_heap_entry<M: GuestMemory + ?Sized>(mem: &M, addr: Option<u64>) -> String {
    let mut out = String::from("ntdll!_HEAP_ENTRY\n");
    let values = match addr {
        Some(a) => match heap_entry_fields(mem, a) {
            Some(v) => v,
            None => return format!("Memory read error {a:016x}\n"),
        },
        None => HEAP_ENTRY_FIELDS.iter().map(|fd| (*fd, None)).collect(),
    };
    for (fd, v) in values {
        let text = match (addr, v) {
            (Some(_), Some(v)) => format_dt_value(fd.ty, v),
            _ => fd.ty.name().to_string(),
        };
        let _ = writeln!(out, "   +0x{:03x} {:<16} : {text}", fd.offset, fd.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::layout::{HEAP_CLASS_1, HEAP_GROWABLE};
    use crate::heap::{TestHost, nt};
    use crate::layout::{PROCESS_HEAP, SECOND_HEAP};
    use crate::process::memory::{Prot, SparseMemory};

    /// The S7 heap: HeapCreate(0, 1000, 0) at 000002b0a3b90000, ProcessHeapsListIndex 4.
    const S7: u64 = 0x2b0a3b90000;

    fn s7_host() -> TestHost {
        let mut host = TestHost::new();
        nt::create(&mut host, Some(S7), HEAP_GROWABLE | HEAP_CLASS_1, 0, 1000, 4).unwrap();
        host
    }

    fn startup() -> TestHost {
        let mut host = TestHost::new();
        nt::create_startup_heaps(&mut host).unwrap();
        host
    }

    #[test]
    fn no_argument_listing_matches_the_seed() {
        let host = startup();
        let out = heap_command(&host, &[PROCESS_HEAP, SECOND_HEAP], "");
        assert_eq!(
            out,
            "        Heap Address      NT/Segment Heap\n\n         267a06f0000              NT Heap\n         267a0530000              NT Heap\n"
        );
    }

    #[test]
    fn dash_a_reproduces_the_s7_capture() {
        let host = s7_host();
        let expected = "\
Index   Address  Name      Debugging options enabled
  4:   2b0a3b90000 
    Segment at 000002b0a3b90000 to 000002b0a3b9f000 (00002000 bytes committed)
    Flags:                00001002
    ForceFlags:           00000000
    Granularity:          16 bytes
    Segment Reserve:      00100000
    Segment Commit:       00002000
    DeCommit Block Thres: 00000100
    DeCommit Total Thres: 00001000
    Total Free Size:      00000177
    Max. Allocation Size: 00007ffffffdefff
    Lock Variable at:     000002b0a3b902c0
    Next TagIndex:        0000
    Maximum TagIndex:     0000
    Tag Entries:          00000000
    PsuedoTag Entries:    00000000
    Virtual Alloc List:   2b0a3b90110
    Uncommitted ranges:   2b0a3b900f0
            2b0a3b92000: 0000d000  (53248 bytes)
    FreeList[ 00 ] at 000002b0a3b90150: 000002b0a3b90860 . 000002b0a3b90860  
        000002b0a3b90850: 00110 . 01770 [100] - free

    Segment00 at a3b90000:
        Flags:           00000000
        Base:            2b0a3b90000
        First Entry:     a3b90740
        Last Entry:      2b0a3b9f000
        Total Pages:     0000000f
        Total UnCommit:  0000000d
        Largest UnCommit:00000000
        UnCommitted Ranges: (1)

    Heap entries for Segment00 in Heap 000002b0a3b90000
                 address: psize . size  flags   state (requested size)
        000002b0a3b90000: 00000 . 00740 [101] - busy (73f)
        000002b0a3b90740: 00740 . 00110 [101] - busy (10f) Internal 
        000002b0a3b90850: 00110 . 01770 [100]
        000002b0a3b91fc0: 01770 . 00040 [111] - busy (3d)
        000002b0a3b92000:      0000d000      - uncommitted bytes.
";
        assert_eq!(heap_command(&host, &[S7], "-a 2b0a3b90000"), expected);
        // Heap before the option, and -A, are the same command.
        assert_eq!(heap_command(&host, &[S7], "2b0a3b90000 -A"), expected);
    }

    #[test]
    fn dash_h_prints_header_and_entries_only() {
        let mut host = s7_host();
        let p = nt::allocate(&mut host, S7, 0, 8).unwrap();
        let q = nt::allocate(&mut host, S7, 0, 0x18).unwrap();
        let _r = nt::allocate(&mut host, S7, 0, 0x20).unwrap();
        nt::free(&mut host, S7, 0, p).unwrap();
        nt::free(&mut host, S7, 0, q).unwrap();
        let out = heap_command(&host, &[S7], "-h 0x000002b0`a3b90000");
        assert!(
            out.contains("    FreeList[ 00 ] at 000002b0a3b90150: 000002b0a3b90860 . 000002b0a3b908d0  (2 blocks)\n")
        );
        assert!(!out.contains("Segment00 at"));
        assert!(!out.contains("- free"));
        assert!(out.ends_with(
            "        000002b0a3b90850: 00110 . 00040 [100]\n\
             \x20       000002b0a3b90890: 00040 . 00030 [101] - busy (20)\n\
             \x20       000002b0a3b908c0: 00030 . 01700 [100]\n\
             \x20       000002b0a3b91fc0: 01700 . 00040 [111] - busy (3d)\n\
             \x20       000002b0a3b92000:      0000d000      - uncommitted bytes.\n"
        ));
    }

    #[test]
    fn dash_s_rows() {
        let host = startup();
        let out = heap_command(&host, &[PROCESS_HEAP, SECOND_HEAP], "-s");
        let expected = format!(
            "\n\n{s}\n                                              NT HEAP STATS BELOW\n{s}\n\
LFH Key                   : 0x5a4c3e179d21c0b3\n\
Termination on corruption : ENABLED\n\
\x20         Heap     Flags   Reserv  Commit  Virt   Free  List   UCR  Virt  Lock  Fast \n\
\x20                           (k)     (k)    (k)     (k) length      blocks cont. heap \n\
{d}\n\
00000267a06f0000 00000002    1020      8   1020      5     1     1    0      0      \n\
00000267a0530000 00008000      64      4     64      2     1     1    0      0      \n\
{d}\n\n",
            s = "*".repeat(120),
            d = "-".repeat(85)
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn dash_s_fragmentation_line() {
        let mut host = TestHost::new();
        let b = nt::create(&mut host, None, HEAP_GROWABLE, 0x40_0000, 0x30_0000, 3).unwrap();
        // Many small holes: > 1 MB free in many blocks.
        let ptrs: Vec<u64> = (0..0x2000).map(|_| nt::allocate(&mut host, b, 0, 0x100).unwrap()).collect();
        for p in ptrs.iter().step_by(2) {
            nt::free(&mut host, b, 0, *p).unwrap();
        }
        let out = heap_stats(&host, &[b], None);
        assert!(out.contains("    External fragmentation  "), "{out}");
    }

    #[test]
    fn dash_x_finds_the_block_of_any_address() {
        let mut host = s7_host();
        let expected_ucr = "Entry             User              Heap              Segment               Size  PrevSize  Unused    Flags
-------------------------------------------------------------------------------------------------------------
000002b0a3b91fc0  000002b0a3b91fd0  000002b0a3b90000  000002b0a3b90000        40      1770         3  busy last 
";
        assert_eq!(heap_command(&host, &[S7], "-x 2b0a3b91fc0"), expected_ucr);
        assert_eq!(heap_command(&host, &[S7], "-x 2b0a3b91ff8"), expected_ucr);
        let p = nt::allocate(&mut host, S7, 0, 0x18).unwrap();
        let out = heap_command(&host, &[S7], &format!("-x {:x}", p + 4));
        assert!(out.ends_with("000002b0a3b90850  000002b0a3b90860  000002b0a3b90000  000002b0a3b90000        20       110         8  busy \n"), "{out}");
        let out = heap_command(&host, &[S7], "-x 2b0a3b90750");
        assert!(out.ends_with("       110       740         1  busy internal \n"), "{out}");
        assert_eq!(heap_command(&host, &[S7], "-x 1234"), "No heap entry found for address 0000000000001234\n");
        // Large blocks show their reservation as the segment.
        let big = nt::allocate(&mut host, S7, 0, 0x10_0000).unwrap();
        let out = heap_command(&host, &[S7], &format!("-x {big:x}"));
        assert!(
            out.contains(&format!(
                "{:016x}  {big:016x}  000002b0a3b90000  {:016x}    101000         0      1000  busy virtual \n",
                big - 0x10,
                big - 0x40
            )),
            "{out}"
        );
    }

    #[test]
    fn dash_i_decodes_an_entry() {
        let host = s7_host();
        let key = entry::derive_encoding_key(S7);
        let raw = host.read_u64(S7 + 0x1fc8).unwrap();
        let dec = raw ^ key;
        let expected = format!(
            "Detailed information for block entry 000002b0a3b91fc0
Assumed heap       : 0x000002b0a3b90000 (Use !heap -i NewHeapHandle to change)
Header content     : 0x{:08X} 0x{:08X} (decoded : 0x{:08X} 0x{:08X})
Owning segment     : 0x000002b0a3b90000 (offset 0)
Block flags        : 0x1 (busy last )
Total block size   : 0x4 units (0x40 bytes)
Requested size     : 0x3d bytes (unused 0x3 bytes)
Previous block size: 0x177 units (0x1770 bytes)
Block CRC          : OK - 0x5
Previous block     : 0x000002b0a3b90850
Next block         : 0x000002b0a3b92000
",
            raw as u32,
            (raw >> 32) as u32,
            dec as u32,
            (dec >> 32) as u32
        );
        assert_eq!(dec as u32, 0x0501_0004);
        assert_eq!((dec >> 32) as u32, 0x0300_0177);
        assert_eq!(heap_command(&host, &[S7], "-i 2b0a3b91fc0"), expected);
        assert!(heap_command(&host, &[S7], "-i 2b0a3b91fc8").contains("Block CRC          : ERROR"));
    }

    #[test]
    fn flt_and_stat() {
        let mut host = s7_host();
        let a = nt::allocate(&mut host, S7, 0, 0x74).unwrap();
        let _b = nt::allocate(&mut host, S7, 0, 0x10).unwrap();
        let c = nt::allocate(&mut host, S7, 0, 0x74).unwrap();
        let out = heap_command(&host, &[S7], "-flt s 74");
        assert_eq!(
            out,
            format!(
                "    _HEAP @ 2b0a3b90000
              HEAP_ENTRY Size Prev Flags            UserPtr UserSize - state
        {:016x} 0008 0011  [00]   {a:016x}    00074 - (busy)
        {:016x} 0008 0002  [00]   {c:016x}    00074 - (busy)
",
                a - 0x10,
                c - 0x10
            )
        );
        let out = heap_command(&host, &[S7], "-stat -h 2b0a3b90000");
        assert_eq!(
            out,
            " heap @ 000002b0a3b90000
group-by: TOTSIZE max-display: 20
    size     #blocks     total      ( %) (percent of total busy bytes)
    74          2     -  e8         (93.55)
    10          1     -  10         (6.45)
"
        );
        let out = heap_command(&host, &[S7], "-stat");
        assert!(out.starts_with(
            "_HEAP 000002b0a3b90000\n     Segments            00000001\n         Reserved  bytes 0000f000\n"
        ));
    }

    #[test]
    fn bad_arguments_give_one_line() {
        let host = startup();
        let heaps = [PROCESS_HEAP, SECOND_HEAP];
        for args in ["-z", "-p -a 1234", "-x", "-x zz", "-a 1 2", "-flt q 3", "-stat -k", "-", "-s 1 2"] {
            let out = heap_command(&host, &heaps, args);
            assert!(out.ends_with('\n') && out.lines().count() == 1, "{args}: {out:?}");
        }
        assert_eq!(heap_command(&host, &heaps, "-x zz"), "Couldn't resolve error at 'zz'\n");
        assert_eq!(command(&host, &heaps, "-x zz"), Err("Couldn't resolve error at 'zz'".to_string()));
        assert!(command(&host, &heaps, "-s").is_ok());
        // With the debugger's evaluator.
        let eval = |s: &str| if s == "@rcx" { Ok(PROCESS_HEAP) } else { Err(format!("Bad register error in '{s}'")) };
        assert!(command_with(&host, &heaps, "-h @rcx", &eval).unwrap().contains("Heap entries for Segment00"));
        assert!(heap_command(&host, &heaps, "-a 1000").contains("not a valid NT heap"));
    }

    #[test]
    fn dt_heap_entry_matches_the_s15_capture() {
        let mut mem = SparseMemory::new();
        mem.map(0x2687000, 0x1000, Prot::RW).unwrap();
        mem.write_u64(0x2687fc8, 0x0300_40ec_7255_98ce).unwrap();
        let out = format_dt_heap_entry(&mem, Some(0x2687fc0));
        for line in [
            "ntdll!_HEAP_ENTRY",
            "   +0x000 PreviousBlockPrivateData : (null) ",
            "   +0x008 Size             : 0x98ce",
            "   +0x00a Flags            : 0x55 'U'",
            "   +0x00b SmallTagIndex    : 0x72 'r'",
            "   +0x00c PreviousSize     : 0x40ec",
            "   +0x00e SegmentOffset    : 0 ''",
            "   +0x00e LFHFlags         : 0 ''",
            "   +0x00f UnusedBytes      : 0x3 ''",
            "   +0x008 CompactHeader    : 0x30040ec`725598ce",
            "   +0x008 AgregateCode     : 0x30040ec`725598ce",
        ] {
            assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
        }
        let ty = format_dt_heap_entry(&mem, None);
        assert!(ty.contains(
            "   +0x000 UnpackedEntry    : _HEAP_UNPACKED_ENTRY\n   +0x000 PreviousBlockPrivateData : Ptr64 Void\n"
        ));
        assert_eq!(format_dt_heap_entry(&mem, Some(0x10)), "Memory read error 0000000000000010\n");
    }

    #[test]
    fn corrupted_heap_is_reported_not_followed() {
        let mut host = s7_host();
        let a = nt::allocate(&mut host, S7, 0, 0x18).unwrap();
        let _b = nt::allocate(&mut host, S7, 0, 0x18).unwrap();
        host.write(a, &[0x41; 0x20]).unwrap();
        let out = heap_command(&host, &[S7], "-a 2b0a3b90000");
        assert!(out.contains("        000002b0a3b90850: 00110 . 00020 [101] - busy (18)\n    ERROR: heap 000002B0A3B90000 is corrupted at 000002B0A3B90870"), "{out}");
        let out = heap_command(&host, &[S7], "-i 2b0a3b90870");
        assert!(out.contains("Block CRC          : ERROR"), "{out}");
    }

    /// xorshift, to fill memory with the same "random" bytes every run.
    fn garbage(seed: u64, len: usize) -> Vec<u8> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as u8
            })
            .collect()
    }

    fn every_form(mem: &dyn GuestMemory, heaps: &[u64]) {
        let h = heaps[0];
        for args in [
            String::new(),
            "-s".into(),
            format!("-a {h:x}"),
            format!("-h {h:x}"),
            format!("-f {h:x}"),
            format!("-m {h:x}"),
            "-a".into(),
            format!("-x {:x}", h + 0x900),
            format!("-x {:x}", h + 0x10),
            format!("-i {:x}", h + 0x850),
            format!("-i {h:x}"),
            "-flt s 18".into(),
            "-flt r 0 ffffffff".into(),
            "-stat".into(),
            format!("-stat -h {h:x}"),
        ] {
            let _ = heap_command(mem, heaps, &args);
        }
        let _ = format_dt_heap_entry(mem, Some(h + 0x850));
    }

    #[test]
    fn garbage_memory_never_panics() {
        for seed in 0..64u64 {
            // Pure random bytes as a heap.
            let mut host = TestHost::new();
            host.map(S7, 0x4000, Prot::RW).unwrap();
            host.write(S7, &garbage(seed, 0x4000)).unwrap();
            every_form(&host, &[S7, 0, u64::MAX - 7]);
            // Random bytes with valid signatures, so the walks go deeper.
            host.write_u32(S7 + 0x10, layout::SEGMENT_SIGNATURE).unwrap();
            host.write_u32(S7 + 0x98, layout::HEAP_SIGNATURE).unwrap();
            every_form(&host, &[S7]);
            // A real heap with random bytes sprayed over its header and blocks.
            let mut host = s7_host();
            for i in 0..20 {
                let _ = nt::allocate(&mut host, S7, 0, 0x10 + i * 0x18);
            }
            let g = garbage(seed ^ 0xABCD, 64);
            for (i, chunk) in g.chunks(8).enumerate() {
                let off = (u64::from_le_bytes(chunk.try_into().unwrap()) % 0x1000) & !7;
                let val = garbage(seed + i as u64, 8);
                host.write(S7 + off, &val).unwrap();
            }
            every_form(&host, &[S7]);
            // And the heap operations on it fail cleanly too.
            let _ = nt::allocate(&mut host, S7, 0, 0x40);
            let _ = nt::free(&mut host, S7, 0, S7 + 0x860);
            let _ = nt::reallocate(&mut host, S7, 0, S7 + 0x860, 0x400);
            let _ = nt::size(&mut host, S7, 0, S7 + 0x880);
            let _ = nt::validate(&mut host, S7, 0, None);
            let _ = nt::walk(&host, S7);
        }
    }
}
