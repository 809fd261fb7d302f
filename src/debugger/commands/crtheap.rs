//! `!crtheap`: the CRT debug heap of a Debug (/MDd) program, read from guest memory.
//!
//! WinDbg has no such command; on Windows you would `dt ucrtbased!_CrtMemBlockHeader` your
//! way along the list. This walks the list the way `_CrtCheckMemory` does: from
//! `ucrtbased!__acrt_first_block` (the newest block) through `_block_header_next`, and for
//! each block shows its request number, type, size, where it was allocated, and whether
//! its guards (the 4 bytes of 0xFD on either side of the data) and, for a free block kept by
//! `_CRTDBG_DELAY_FREE_MEM_DF`, its 0xDD fill are intact. Everything is read from the
//! guest's memory at the moment of the command, so damage done by the program shows, as do
//! links that no longer fit together.
//!
//! ```text
//! !crtheap             every block, newest first, one line each
//! !crtheap -v          every block with its _CrtMemBlockHeader fields
//! !crtheap <address>   the block whose header, data or guards contain the address
//! !crtheap -s          totals per block type and the heap's settings
//! ```
//!
//! The globals are found through the symbol engine (ucrtbased.pdb is embedded in crtlab),
//! so the command works in any program that loads crtlab's ucrtbased.dll.

use std::fmt::Write as _;

use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;
use crate::process::memory::GuestMemory;

const USAGE: &str = "usage: !crtheap [-v] [address] | !crtheap -s";

/// Offsets in `_CrtMemBlockHeader` (x64, 0x30 bytes).
const HEADER_SIZE: u64 = 0x30;
const OFF_NEXT: u64 = 0x00;
const OFF_PREV: u64 = 0x08;
const OFF_FILE: u64 = 0x10;
const OFF_LINE: u64 = 0x18;
const OFF_USE: u64 = 0x1c;
const OFF_SIZE: u64 = 0x20;
const OFF_REQUEST: u64 = 0x28;
const OFF_GAP: u64 = 0x2c;
const GUARD: [u8; 4] = [0xfd; 4];

/// More blocks than this and the list is taken to be damaged (a cycle the prev links do
/// not reveal).
const MAX_BLOCKS: usize = 1_000_000;
/// Free blocks larger than this have only their first bytes checked for the DD fill.
const MAX_FILL_CHECK: u64 = 1 << 20;

const TYPE_NAMES: [&str; 5] = ["Free", "Normal", "CRT", "Ignore", "Client"];
const FLAG_NAMES: [(u32, &str); 5] = [
    (0x01, "ALLOC_MEM"),
    (0x02, "DELAY_FREE_MEM"),
    (0x04, "CHECK_ALWAYS"),
    (0x10, "CHECK_CRT"),
    (0x20, "LEAK_CHECK"),
];

/// The debug heap's globals in ucrtbased.dll.
struct Globals {
    first_block: u64,
    last_block: u64,
    dbg_flag: u64,
    request: u64,
    break_alloc: u64,
    total: u64,
    current: u64,
    max: u64,
}

impl Globals {
    fn locate(s: &Session) -> Result<Globals, CmdError> {
        if s.symbols.modules().iter().all(|m| !m.file_name.eq_ignore_ascii_case("ucrtbased.dll")) {
            return Err(CmdError::Text(
                "ucrtbased.dll is not loaded: this program does not use the CRT debug heap (it is not a Debug /MDd build)"
                    .into(),
            ));
        }
        let find = |name: &str| {
            s.symbols.lookup(&format!("ucrtbased!{name}")).ok_or_else(|| {
                CmdError::Text(format!("cannot find ucrtbased!{name}: no symbols for ucrtbased.dll"))
            })
        };
        Ok(Globals {
            first_block: find("__acrt_first_block")?,
            last_block: find("__acrt_last_block")?,
            dbg_flag: find("_crtDbgFlag")?,
            request: find("__acrt_current_request_number")?,
            break_alloc: find("_crtBreakAlloc")?,
            total: find("__acrt_total_allocations")?,
            current: find("__acrt_current_allocations")?,
            max: find("__acrt_max_allocations")?,
        })
    }
}

/// One block of the list, as found in memory.
struct Block {
    header: u64,
    next: u64,
    prev: u64,
    file_name_ptr: u64,
    file_name: Option<String>,
    line: i32,
    block_use: i32,
    size: u64,
    request: i32,
    gap: Option<[u8; 4]>,
    another_gap: Option<[u8; 4]>,
    /// For a free block: whether its data is still all 0xDD (None if unreadable).
    fill_intact: Option<bool>,
    /// The block's prev link does not point at the block before it in the walk.
    prev_mismatch: bool,
}

impl Block {
    fn data(&self) -> u64 {
        self.header + HEADER_SIZE
    }

    fn block_type(&self) -> i32 {
        self.block_use & 0xffff
    }

    fn subtype(&self) -> i32 {
        (self.block_use >> 16) & 0xffff
    }

    fn type_text(&self) -> String {
        let Some(name) = usize::try_from(self.block_type()).ok().and_then(|t| TYPE_NAMES.get(t)) else {
            return format!("DAMAGED({:#x})", self.block_use);
        };
        if self.subtype() != 0 {
            format!("{name}:{:x}", self.subtype())
        } else {
            name.to_string()
        }
    }

    fn before_ok(&self) -> bool {
        self.gap == Some(GUARD)
    }

    fn after_ok(&self) -> bool {
        self.another_gap == Some(GUARD)
    }

    /// "ok", or what is wrong with the block.
    fn status(&self) -> String {
        let mut problems = Vec::new();
        match (self.before_ok(), self.after_ok()) {
            (true, true) => {}
            (false, true) => problems.push("damaged before".to_string()),
            (true, false) => problems.push("damaged after".to_string()),
            (false, false) => problems.push("damaged before+after".to_string()),
        }
        if self.gap.is_none() || self.another_gap.is_none() {
            problems = vec!["guards unreadable".to_string()];
        }
        if self.block_type() == 0 && self.fill_intact == Some(false) {
            problems.push("written after free".to_string());
        }
        if self.prev_mismatch {
            problems.push("prev link broken".to_string());
        }
        if problems.is_empty() { "ok".to_string() } else { problems.join(", ") }
    }

    fn allocated_at(&self) -> String {
        match (&self.file_name, self.file_name_ptr) {
            (_, 0) => String::new(),
            (Some(f), _) => format!("{f}({})", self.line),
            (None, p) => format!("<unreadable file name at {}>({})", format_address(p), self.line),
        }
    }
}

fn read_block<M: GuestMemory + ?Sized>(mem: &M, header: u64) -> Option<Block> {
    let next = mem.read_u64(header + OFF_NEXT).ok()?;
    let prev = mem.read_u64(header + OFF_PREV).ok()?;
    let file_name_ptr = mem.read_u64(header + OFF_FILE).ok()?;
    let line = mem.read_u32(header + OFF_LINE).ok()? as i32;
    let block_use = mem.read_u32(header + OFF_USE).ok()? as i32;
    let size = mem.read_u64(header + OFF_SIZE).ok()?;
    let request = mem.read_u32(header + OFF_REQUEST).ok()? as i32;
    let four = |addr: u64| mem.read_vec(addr, 4).ok().and_then(|v| <[u8; 4]>::try_from(v).ok());
    let gap = four(header + OFF_GAP);
    let another_gap = header.checked_add(HEADER_SIZE).and_then(|d| d.checked_add(size)).and_then(four);
    let file_name = if file_name_ptr == 0 {
        None
    } else {
        mem.read_cstr(file_name_ptr, 260).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let fill_intact = if block_use & 0xffff == 0 {
        mem.read_vec(header + HEADER_SIZE, size.min(MAX_FILL_CHECK) as usize).ok().map(|d| d.iter().all(|&b| b == 0xdd))
    } else {
        None
    };
    Some(Block {
        header,
        next,
        prev,
        file_name_ptr,
        file_name,
        line,
        block_use,
        size,
        request,
        gap,
        another_gap,
        fill_intact,
        prev_mismatch: false,
    })
}

/// The blocks from `first` along the next links, and a note if the walk had to stop early
/// or the list does not end where `__acrt_last_block` says.
fn walk<M: GuestMemory + ?Sized>(mem: &M, first: u64, last: u64) -> (Vec<Block>, Option<String>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut at = first;
    let mut previous = 0u64;
    while at != 0 {
        if !seen.insert(at) {
            return (blocks, Some(format!("the list loops back to the block at {}", format_address(at))));
        }
        if blocks.len() >= MAX_BLOCKS {
            return (blocks, Some(format!("stopped after {MAX_BLOCKS} blocks")));
        }
        let Some(mut b) = read_block(mem, at) else {
            return (blocks, Some(format!("cannot read the block header at {}", format_address(at))));
        };
        b.prev_mismatch = b.prev != previous;
        previous = at;
        at = b.next;
        blocks.push(b);
    }
    let note = match blocks.last() {
        Some(b) if b.header != last => Some(format!(
            "the list ends at {} but __acrt_last_block is {}",
            format_address(b.header),
            format_address(last)
        )),
        None if last != 0 => Some(format!("the list is empty but __acrt_last_block is {}", format_address(last))),
        _ => None,
    };
    (blocks, note)
}

fn flag_text(flag: u32) -> String {
    let mut names: Vec<String> = FLAG_NAMES.iter().filter(|(bit, _)| flag & bit != 0).map(|(_, n)| n.to_string()).collect();
    let frequency = flag >> 16;
    if frequency != 0 {
        names.push(format!("CHECK_EVERY_{frequency}"));
    }
    if names.is_empty() { "none".into() } else { names.join(" | ") }
}

struct State {
    globals: Globals,
    first: u64,
    last: u64,
    flag: u32,
    request: i32,
    break_alloc: i32,
    total: u64,
    current: u64,
    max: u64,
}

fn read_state(s: &Session) -> Result<State, CmdError> {
    let g = Globals::locate(s)?;
    let mem = &s.process.cpu;
    let unreadable = |name: &str, a: u64| CmdError::Text(format!("cannot read ucrtbased!{name} at {}", format_address(a)));
    Ok(State {
        first: mem.read_u64(g.first_block).map_err(|_| unreadable("__acrt_first_block", g.first_block))?,
        last: mem.read_u64(g.last_block).map_err(|_| unreadable("__acrt_last_block", g.last_block))?,
        flag: mem.read_u32(g.dbg_flag).map_err(|_| unreadable("_crtDbgFlag", g.dbg_flag))?,
        request: mem.read_u32(g.request).map_err(|_| unreadable("__acrt_current_request_number", g.request))? as i32,
        break_alloc: mem.read_u32(g.break_alloc).map_err(|_| unreadable("_crtBreakAlloc", g.break_alloc))? as i32,
        total: mem.read_u64(g.total).map_err(|_| unreadable("__acrt_total_allocations", g.total))?,
        current: mem.read_u64(g.current).map_err(|_| unreadable("__acrt_current_allocations", g.current))?,
        max: mem.read_u64(g.max).map_err(|_| unreadable("__acrt_max_allocations", g.max))?,
        globals: g,
    })
}

fn settings_line(st: &State) -> String {
    format!(
        "  _crtDbgFlag {:#x} ({}), next request {{{}}}, _crtBreakAlloc {}\n",
        st.flag,
        flag_text(st.flag),
        st.request,
        st.break_alloc
    )
}

fn table(st: &State, blocks: &[Block], note: &Option<String>) -> String {
    let mut out = String::new();
    let count = blocks.len();
    let _ = writeln!(
        out,
        "CRT debug heap (ucrtbased!__acrt_first_block at {}): {count} block{}, newest first",
        format_address(st.globals.first_block),
        if count == 1 { "" } else { "s" }
    );
    out.push_str(&settings_line(st));
    if count > 0 {
        let _ = writeln!(out, "  {:<17} {:<17} {:>8} {:<9} {:>9}  {:<18} Allocated at", "Header", "Data", "Request", "Type", "Bytes", "Guards");
    }
    for b in blocks {
        let line = format!(
            "  {} {} {:>8} {:<9} {:>9}  {:<18} {}",
            format_address(b.header),
            format_address(b.data()),
            format!("{{{}}}", b.request),
            b.type_text(),
            b.size,
            b.status(),
            b.allocated_at()
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(n) = note {
        let _ = writeln!(out, "  *** {n}");
    }
    out
}

fn hex_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

fn verbose(mem: &impl GuestMemory, b: &Block) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Block {{{}}} at {} (data at {}): {}", b.request, format_address(b.header), format_address(b.data()), b.status());
    let _ = writeln!(out, "   +0x000 _block_header_next : {}", format_address(b.next));
    let _ = writeln!(out, "   +0x008 _block_header_prev : {}", format_address(b.prev));
    let file = match (&b.file_name, b.file_name_ptr) {
        (_, 0) => String::new(),
        (Some(f), _) => format!(" \"{f}\""),
        (None, _) => " <unreadable>".into(),
    };
    let _ = writeln!(out, "   +0x010 _file_name         : {}{file}", format_address(b.file_name_ptr));
    let _ = writeln!(out, "   +0x018 _line_number       : 0n{}", b.line);
    let use_name = match b.block_type() {
        0 => "_FREE_BLOCK",
        1 => "_NORMAL_BLOCK",
        2 => "_CRT_BLOCK",
        3 => "_IGNORE_BLOCK",
        4 => "_CLIENT_BLOCK",
        _ => "invalid",
    };
    let subtype = if b.subtype() != 0 { format!(", subtype {:#x}", b.subtype()) } else { String::new() };
    let _ = writeln!(out, "   +0x01c _block_use         : {:#x} ({use_name}{subtype})", b.block_use);
    let _ = writeln!(out, "   +0x020 _data_size         : {:#x} (0n{})", b.size, b.size);
    let _ = writeln!(out, "   +0x028 _request_number    : 0n{}", b.request);
    let guard = |g: &Option<[u8; 4]>| match g {
        Some(bytes) if *bytes == GUARD => format!("{} (intact)", hex_bytes(bytes)),
        Some(bytes) => format!("{} (DAMAGED)", hex_bytes(bytes)),
        None => "<unreadable>".into(),
    };
    let _ = writeln!(out, "   +0x02c _gap               : {}", guard(&b.gap));
    let shown = b.size.min(16) as usize;
    match mem.read_vec(b.data(), shown) {
        Ok(data) => {
            let chars: String = data.iter().map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '.' }).collect();
            let more = if b.size > 16 { " ..." } else { "" };
            let fill = match (b.block_type(), b.fill_intact) {
                (0, Some(true)) => "  (DD fill intact)",
                (0, Some(false)) => "  (DD fill DAMAGED)",
                _ => "",
            };
            let _ = writeln!(out, "   data  {} : {}{more}  {chars}{fill}", format_address(b.data()), hex_bytes(&data));
        }
        Err(_) => {
            let _ = writeln!(out, "   data  {} : <unreadable>", format_address(b.data()));
        }
    }
    let _ = writeln!(out, "   after {} : {}", format_address(b.data().wrapping_add(b.size)), guard(&b.another_gap));
    out
}

fn summary(st: &State, blocks: &[Block], note: &Option<String>) -> String {
    let mut counts = [0u64; 5];
    let mut sizes = [0u64; 5];
    let mut damaged = 0;
    let mut bad_types = 0;
    for b in blocks {
        match usize::try_from(b.block_type()).ok().filter(|t| *t < 5) {
            Some(t) => {
                counts[t] += 1;
                sizes[t] += b.size;
            }
            None => bad_types += 1,
        }
        if b.status() != "ok" {
            damaged += 1;
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "CRT debug heap (ucrtbased!__acrt_first_block at {})", format_address(st.globals.first_block));
    out.push_str(&settings_line(st));
    let _ = writeln!(out, "  {:<8} {:>7} {:>11}", "Type", "Blocks", "Bytes");
    for (t, name) in TYPE_NAMES.iter().enumerate() {
        let _ = writeln!(out, "  {:<8} {:>7} {:>11}", name, counts[t], sizes[t]);
    }
    if bad_types != 0 {
        let _ = writeln!(out, "  {:<8} {:>7}", "DAMAGED", bad_types);
    }
    let _ = writeln!(
        out,
        "  in use now {} bytes, at most {} bytes, {} bytes allocated in all",
        st.current, st.max, st.total
    );
    let _ = writeln!(out, "  {damaged} damaged block{}", if damaged == 1 { "" } else { "s" });
    if let Some(n) = note {
        let _ = writeln!(out, "  *** {n}");
    }
    out
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let mut verbose_all = false;
    let mut stats = false;
    let mut address_text: Option<&str> = None;
    for tok in c.args.split_whitespace() {
        match tok {
            "-v" => verbose_all = true,
            "-s" => stats = true,
            "-?" | "/?" => return Ok(format!("{USAGE}\n")),
            t if t.starts_with('-') => return Err(CmdError::Text(format!("unknown option '{t}'; {USAGE}"))),
            t if address_text.is_none() => address_text = Some(t),
            _ => return Err(CmdError::Text(USAGE.into())),
        }
    }
    if stats && (verbose_all || address_text.is_some()) {
        return Err(CmdError::Text(USAGE.into()));
    }
    let address = match address_text {
        Some(t) => Some(super::eval(s, t)?),
        None => None,
    };

    let st = read_state(s)?;
    let mem = &s.process.cpu;
    let (blocks, note) = walk(mem, st.first, st.last);

    if stats {
        return Ok(summary(&st, &blocks, &note));
    }
    if let Some(a) = address {
        let found = blocks.iter().find(|b| {
            let end = b.data().saturating_add(b.size).saturating_add(4);
            a >= b.header && a < end
        });
        return match found {
            Some(b) => Ok(verbose(mem, b)),
            None => {
                let mut out = format!("{} is not in a block of the CRT debug heap's list\n", format_address(a));
                if let Some(n) = note {
                    let _ = writeln!(out, "  *** {n}");
                }
                Ok(out)
            }
        };
    }
    if verbose_all {
        let mut out = table(&st, &[], &None);
        for b in &blocks {
            out.push_str(&verbose(mem, b));
        }
        if let Some(n) = note {
            let _ = writeln!(out, "  *** {n}");
        }
        return Ok(out);
    }
    Ok(table(&st, &blocks, &note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(block_use: i32, gap: [u8; 4], another: [u8; 4]) -> Block {
        Block {
            header: 0x1000,
            next: 0,
            prev: 0,
            file_name_ptr: 0,
            file_name: None,
            line: 0,
            block_use,
            size: 8,
            request: 18,
            gap: Some(gap),
            another_gap: Some(another),
            fill_intact: None,
            prev_mismatch: false,
        }
    }

    #[test]
    fn statuses_name_the_damage() {
        assert_eq!(block(1, GUARD, GUARD).status(), "ok");
        assert_eq!(block(1, GUARD, [0x58, 0xfd, 0xfd, 0xfd]).status(), "damaged after");
        assert_eq!(block(1, [0; 4], GUARD).status(), "damaged before");
        assert_eq!(block(1, [0; 4], [0; 4]).status(), "damaged before+after");
        let mut free = block(0, GUARD, GUARD);
        free.fill_intact = Some(false);
        assert_eq!(free.status(), "written after free");
    }

    #[test]
    fn types_show_subtypes() {
        assert_eq!(block(4 | (7 << 16), GUARD, GUARD).type_text(), "Client:7");
        assert_eq!(block(2, GUARD, GUARD).type_text(), "CRT");
        assert_eq!(block(9, GUARD, GUARD).type_text(), "DAMAGED(0x9)");
    }

    #[test]
    fn flags_are_named() {
        assert_eq!(flag_text(0x21), "ALLOC_MEM | LEAK_CHECK");
        assert_eq!(flag_text(0x0010_0001), "ALLOC_MEM | CHECK_EVERY_16");
        assert_eq!(flag_text(0), "none");
    }
}
