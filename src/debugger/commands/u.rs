//! `u`, `ub`, `uf`: unassemble (reference §9), on top of `disasm`.
//!
//! * `u` lists 8 instructions from where the last `u` ended (from the IP once the target
//!   has run, see `Session::resume`), `u addr`, `u addr L count` (instructions),
//!   `u addr1 addr2` (every instruction that starts at or before `addr2`, as in the
//!   documentation's `u 00007ffc`0f1d48fa 00007ffc`0f1d48fd` example).
//! * `ub [addr] [L count]` lists the `count` (8) instructions that end at `addr`; the
//!   documentation requires the `L` form, so `ub addr1 addr2` is a syntax error.
//! * `uf [addr]` lists the whole function around `addr` in basic blocks. The function is
//!   found from the symbols (PDB or synthetic sizes), else from the image's `.pdata`
//!   entry for `addr` (following chained unwind info back to the primary entry), else the
//!   flow is followed from `addr` itself.
//!
//! Errors: a listing that reaches unreadable memory ends with the `??` line and
//! `Memory access error in '<cmd>'`, its caret under the last character of the range
//! (§9, S23); `uf` on unreadable code prints dbgeng's `No code found, aborting`.

use super::super::disasm::{
    self, DEFAULT_UNASSEMBLE_COUNT, DisasmContext, unassemble_backwards_start, unassemble_ex,
    unassemble_function,
};
use super::super::expr::caret_error;
use super::super::session::{CmdError, CmdResult, Session};
use super::super::PROMPT;
use super::range::{self, Range};
use super::{Command, skip_ws};
use crate::process::memory::GuestMemory;

/// Most instructions one command lists (`L?` and long spans are cut here).
const MAX_INSTRUCTIONS: u64 = 0x1_0000;

/// The listing so far, then the caret line of a memory access error.
fn memory_error(listing: String, c: &Command, caret: usize) -> CmdError {
    CmdError::Text(listing + &caret_error(PROMPT.len(), caret, "Memory access", c.text) + "\n")
}

/// Where `u`/`ub` without an address start.
fn default_start(s: &Session) -> u64 {
    s.next_unassemble.unwrap_or_else(|| s.process.cpu.rip())
}

/// Number of instructions from `start` that begin at or before `end`.
fn instructions_through(s: &Session, start: u64, end: u64) -> u64 {
    let mut n = 0;
    let mut a = start;
    while a <= end && n < MAX_INSTRUCTIONS {
        n += 1;
        let (_, len) = disasm::format_instruction(a, s, None);
        match a.checked_add(len as u64) {
            Some(next) => a = next,
            None => break,
        }
    }
    n
}

pub fn run_u(s: &mut Session, c: &Command) -> CmdResult {
    let parsed = range::parse(c.args, s, 1).map_err(|e| e.into_cmd(c, 0))?;
    let caret = range::caret_index(c, 0, &parsed);
    let (start, count) = match parsed.range {
        // `u addr L-n` ends at addr, which is what `ub` does.
        Range::Count { addr, count, backwards: true } => return backwards(s, c, addr, count, caret),
        Range::Span { start, end } => (start, instructions_through(s, start, end)),
        r => r.resolve(default_start(s), DEFAULT_UNASSEMBLE_COUNT as u64, 1),
    };
    let u = unassemble_ex(start, count.min(MAX_INSTRUCTIONS) as usize, &*s);
    s.next_unassemble = Some(u.next);
    if u.memory_error {
        return Err(memory_error(u.text, c, caret));
    }
    Ok(u.text)
}

pub fn run_ub(s: &mut Session, c: &Command) -> CmdResult {
    let parsed = range::parse(c.args, s, 1).map_err(|e| e.into_cmd(c, 0))?;
    let caret = range::caret_index(c, 0, &parsed);
    let (addr, count) = match parsed.range {
        Range::Span { .. } => return Err(CmdError::syntax(caret)),
        Range::Count { addr, count, .. } => (addr, count),
        r => r.resolve(default_start(s), DEFAULT_UNASSEMBLE_COUNT as u64, 1),
    };
    backwards(s, c, addr, count, caret)
}

/// The `count` instructions that end at `addr`.
fn backwards(s: &mut Session, c: &Command, addr: u64, count: u64, caret: usize) -> CmdResult {
    let count = count.min(MAX_INSTRUCTIONS) as usize;
    if count == 0 {
        return Ok(String::new());
    }
    let (start, n) = match unassemble_backwards_start(addr, count, &*s) {
        Some((start, n)) if n > 0 => (start, n),
        // Nothing decodes up to addr (unreadable memory before it): list from a guess so
        // the `??` line and the error show, as WinDbg's do.
        _ => (addr.saturating_sub(count as u64), count),
    };
    let u = unassemble_ex(start, n, &*s);
    s.next_unassemble = Some(u.next);
    if u.memory_error {
        return Err(memory_error(u.text, c, caret));
    }
    Ok(u.text)
}

pub fn run_uf(s: &mut Session, c: &Command) -> CmdResult {
    let a = c.args;
    let i = skip_ws(a, 0);
    if a[i..].starts_with('/') {
        return Err(CmdError::Text(format!("crtlab: 'uf' options ({}) are not supported yet", a[i..].trim())));
    }
    let addr = if i >= a.len() {
        s.process.cpu.rip()
    } else {
        let (v, n) = super::eval_prefix(s, &a[i..]).map_err(CmdError::Eval)?;
        let rest = skip_ws(a, i + n);
        if rest < a.len() {
            return Err(CmdError::caret("Extra character", c.at(rest - 1)));
        }
        v
    };
    let (start, end) = function_bounds(s, addr);
    let mut first = [0u8; 1];
    if !DisasmContext::read_memory(&*s, start, &mut first) {
        return Err(CmdError::Text("No code found, aborting".into()));
    }
    Ok(unassemble_function(start, end, &*s))
}

/// `[start, end)` of the function containing `addr`; `(addr, addr)` (disasm's default
/// range) when neither the symbols nor `.pdata` know it.
fn function_bounds(s: &Session, addr: u64) -> (u64, u64) {
    if let Some((start, end)) = s.symbols.function_range(addr)
        && start <= addr
        && addr < end
    {
        return (start, end);
    }
    pdata_range(s, addr).unwrap_or((addr, addr))
}

/// The `.pdata` RUNTIME_FUNCTION of the module containing `addr`, read from guest memory.
fn pdata_range(s: &Session, addr: u64) -> Option<(u64, u64)> {
    let m = s.process.modules.iter().find(|m| m.contains(addr))?;
    let sec = m.section(".pdata")?;
    let size = if sec.virtual_size != 0 { sec.virtual_size } else { sec.raw_size };
    let table = s.process.cpu.read_vec(m.base + u64::from(sec.rva), size as usize).ok()?;
    let rva = u32::try_from(addr - m.base).ok()?;
    let entry = find_runtime_function(&table, rva)?;
    let read = |rva: u32, len: usize| s.process.cpu.read_vec(m.base + u64::from(rva), len).ok();
    let (begin, end) = primary_function(entry, &read);
    Some((m.base + u64::from(begin), m.base + u64::from(end)))
}

/// A RUNTIME_FUNCTION: BeginAddress, EndAddress, UnwindData (RVAs).
type RuntimeFunction = (u32, u32, u32);

fn runtime_function(bytes: &[u8]) -> Option<RuntimeFunction> {
    let d = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    Some((d(0)?, d(4)?, d(8)?))
}

/// The entry of a `.pdata` table (sorted by BeginAddress) whose range holds `rva`.
fn find_runtime_function(table: &[u8], rva: u32) -> Option<RuntimeFunction> {
    let entries: Vec<RuntimeFunction> = table
        .chunks_exact(12)
        .filter_map(runtime_function)
        .take_while(|e| *e != (0, 0, 0))
        .collect();
    let pos = entries.partition_point(|e| e.0 <= rva);
    let e = *entries.get(pos.checked_sub(1)?)?;
    (rva < e.1).then_some(e)
}

/// Follows chained unwind info (UNW_FLAG_CHAININFO) from a function fragment back to the
/// function's primary entry; returns its begin and end. `read(rva, len)` reads the image.
fn primary_function(mut entry: RuntimeFunction, read: &dyn Fn(u32, usize) -> Option<Vec<u8>>) -> (u32, u32) {
    const UNW_FLAG_CHAININFO: u8 = 0x4;
    for _ in 0..32 {
        let unwind = entry.2;
        let parent = if unwind & 1 != 0 {
            // An odd UnwindData points at another RUNTIME_FUNCTION (indirect entry).
            read(unwind & !1, 12).as_deref().and_then(runtime_function)
        } else {
            read(unwind, 4).and_then(|hdr| {
                if (hdr[0] >> 3) & UNW_FLAG_CHAININFO == 0 {
                    return None;
                }
                let codes = u32::from(hdr[2]);
                let at = unwind + 4 + ((codes + 1) & !1) * 2;
                read(at, 12).as_deref().and_then(runtime_function)
            })
        };
        match parent {
            Some(p) if p != entry => entry = p,
            _ => break,
        }
    }
    (entry.0, entry.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[RuntimeFunction]) -> Vec<u8> {
        let mut v = Vec::new();
        for (b, e, u) in entries {
            v.extend_from_slice(&b.to_le_bytes());
            v.extend_from_slice(&e.to_le_bytes());
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn pdata_lookup_finds_the_containing_entry() {
        let t = table(&[(0x1000, 0x1020, 0x3000), (0x1020, 0x1080, 0x3010), (0x1100, 0x1110, 0x3020), (0, 0, 0)]);
        assert_eq!(find_runtime_function(&t, 0x1000), Some((0x1000, 0x1020, 0x3000)));
        assert_eq!(find_runtime_function(&t, 0x107f), Some((0x1020, 0x1080, 0x3010)));
        assert_eq!(find_runtime_function(&t, 0x1080), None); // a gap between functions
        assert_eq!(find_runtime_function(&t, 0x0fff), None);
        assert_eq!(find_runtime_function(&t, 0x1110), None);
        assert_eq!(find_runtime_function(&[], 0x1000), None);
        assert_eq!(find_runtime_function(&t[..20], 0x1000), Some((0x1000, 0x1020, 0x3000)));
    }

    #[test]
    fn chained_unwind_info_leads_to_the_primary_entry() {
        // Fragment 0x2000..0x2010 has chained unwind info at 0x3010 (2 unwind codes) whose
        // parent is the primary 0x1000..0x1040 (plain unwind info at 0x3000).
        let read = |rva: u32, len: usize| -> Option<Vec<u8>> {
            let mut mem = [0u8; 0x40];
            mem[0x00] = 1; // version 1, no flags
            mem[0x10] = 1 | (4 << 3); // version 1, UNW_FLAG_CHAININFO
            mem[0x12] = 2; // two unwind codes: the parent follows at +4 + 2*2
            mem[0x18..0x24].copy_from_slice(&table(&[(0x1000, 0x1040, 0x3000)]));
            let off = rva.checked_sub(0x3000)? as usize;
            mem.get(off..off + len).map(|b| b.to_vec())
        };
        assert_eq!(primary_function((0x2000, 0x2010, 0x3010), &read), (0x1000, 0x1040));
        assert_eq!(primary_function((0x1000, 0x1040, 0x3000), &read), (0x1000, 0x1040));
        // Unreadable unwind info: keep the entry.
        assert_eq!(primary_function((0x5000, 0x5010, 0x9000), &read), (0x5000, 0x5010));
    }
}
