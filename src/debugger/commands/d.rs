//! `db dw dd dq dp dc da du dps dqs dds` and bare `d`: display memory (reference §11).
//!
//! Layouts (x64): `hhhhhhhh`hhhhhhhh` + two blanks, then
//! * `db`: 16 bytes, `-` between the 8th and 9th, two blanks, the 16 ASCII characters
//!   (0x20-0x7e, else `.`); a short last line is padded so the characters stay in column 68;
//! * `dw`/`dd`/`dq`(`dp`): 8 words / 4 dwords / 2 backticked qwords, blank-separated, a short
//!   last line is not padded;
//! * `dc`: `dd` plus the ASCII of the 16 bytes (padded like `db`);
//! * `dps`/`dqs`/`dds`: one pointer per line, then ` module!symbol+0xoff` when it resolves;
//! * `da`/`du`: up to 32 characters per line in double quotes, until the NUL (not shown),
//!   the range's end, or [`MAX_STRING_CHARS`].
//!
//! Unreadable memory shows one `?` per hex digit (`??`, `????????`, `????????`????????`) and
//! `?` in the character columns; the display goes on past it, as dbgeng's does (captures of
//! 8-line `????????` dumps). Strings are read in 128-byte blocks and end after a block that
//! was not readable: a `da` on unreadable memory shows 4 lines of 32 `?`, as in a capture.
//!
//! The start address is not aligned (`dd rbp` with rbp=2 starts at 2). Without a range the
//! display continues where the previous `d*` ended (`Session::next_dump`), or at the IP;
//! bare `d` repeats the previous kind (`db` at first). Options: `/c N` columns per line
//! (characters per line for `da`/`du`; ignored by the symbol forms, which keep one value per
//! line).

use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::range;
use super::{Command, skip_ws};
use crate::process::memory::GuestMemory;

/// Longest string `da`/`du` show without a range (a guess: 8 lines of the documented 48
/// characters; every capture is shorter).
pub const MAX_STRING_CHARS: u64 = 384;

/// Most memory one command displays (`L?` can ask for gigabytes; WinDbg would print until
/// interrupted, crtlab stops here).
pub const MAX_DISPLAY_BYTES: u64 = 0x10_0000;

/// Strings are read in blocks this big; an unreadable block ends the string.
const STRING_BLOCK: u64 = 0x80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bytes,
    Words,
    Dwords,
    Qwords,
    DwordsAscii,
    Ascii,
    Unicode,
    Symbols,
}

/// How one `d*` command lays memory out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format {
    kind: Kind,
    /// Bytes per element (per character for strings).
    elem: u64,
    /// Elements shown without an `L` count.
    default_count: u64,
    /// Elements per line.
    per_line: u64,
}

fn format_of(name: &str) -> Option<Format> {
    let f = |kind, elem, default_count, per_line| Format { kind, elem, default_count, per_line };
    Some(match name {
        "db" => f(Kind::Bytes, 1, 0x80, 16),
        "dw" => f(Kind::Words, 2, 0x40, 8),
        "dd" => f(Kind::Dwords, 4, 0x20, 4),
        "dq" | "dp" => f(Kind::Qwords, 8, 0x10, 2),
        "dc" => f(Kind::DwordsAscii, 4, 0x20, 4),
        "da" => f(Kind::Ascii, 1, MAX_STRING_CHARS, 32),
        "du" => f(Kind::Unicode, 2, MAX_STRING_CHARS, 32),
        "dps" | "dqs" => f(Kind::Symbols, 8, 0x10, 1),
        "dds" => f(Kind::Symbols, 4, 0x20, 1),
        _ => return None,
    })
}

/// Bytes at `addr..addr+len`, None where unreadable (no wrap past the top of memory).
fn read_bytes(s: &Session, addr: u64, len: u64) -> Vec<Option<u8>> {
    let room = (u64::MAX - addr).saturating_add(1);
    let n = len.min(room) as usize;
    let mut buf = vec![0u8; n];
    let mut out: Vec<Option<u8>> = if s.process.cpu.read(addr, &mut buf).is_ok() {
        buf.into_iter().map(Some).collect()
    } else {
        (0..n as u64).map(|i| s.process.cpu.read_u8(addr + i).ok()).collect()
    };
    out.resize(len as usize, None);
    out
}

/// Little-endian value of one element, None if any of its bytes is unreadable.
fn element(bytes: &[Option<u8>]) -> Option<u64> {
    bytes.iter().rev().try_fold(0u64, |v, b| b.map(|b| (v << 8) | u64::from(b)))
}

fn ascii(b: Option<u8>) -> char {
    match b {
        Some(c @ 0x20..=0x7e) => c as char,
        Some(_) => '.',
        None => '?',
    }
}

fn hex(v: Option<u64>, digits: usize) -> String {
    match v {
        Some(v) => format!("{v:0digits$x}"),
        None => "?".repeat(digits),
    }
}

fn qword(v: Option<u64>) -> String {
    match v {
        Some(v) => format_address(v),
        None => "????????`????????".into(),
    }
}

/// One line of a numeric display: `n` elements from `bytes` (`cols` per full line).
fn numeric_line(s: &Session, f: &Format, cols: u64, addr: u64, bytes: &[Option<u8>]) -> String {
    let elems: Vec<Option<u64>> = bytes.chunks(f.elem as usize).map(element).collect();
    let mut line = format_address(addr);
    line.push_str("  ");
    match f.kind {
        Kind::Bytes => {
            for j in 0..cols as usize {
                match elems.get(j) {
                    Some(v) => {
                        if j > 0 {
                            line.push(if j == 8 { '-' } else { ' ' });
                        }
                        line.push_str(&hex(*v, 2));
                    }
                    // Padding keeps the characters in their column on a short line.
                    None => line.push_str(if j > 0 { "   " } else { "  " }),
                }
            }
            line.push_str("  ");
            line.extend(bytes.iter().map(|b| ascii(*b)));
        }
        Kind::Words | Kind::Dwords => {
            let digits = 2 * f.elem as usize;
            line.push_str(&elems.iter().map(|v| hex(*v, digits)).collect::<Vec<_>>().join(" "));
        }
        Kind::Qwords => {
            line.push_str(&elems.iter().map(|v| qword(*v)).collect::<Vec<_>>().join(" "));
        }
        Kind::DwordsAscii => {
            let shown: Vec<String> = elems.iter().map(|v| hex(*v, 8)).collect();
            line.push_str(&format!("{:<width$}", shown.join(" "), width = cols as usize * 9 - 1));
            line.push_str("  ");
            // A dword that is only partly readable shows `?` for all its characters.
            for (chunk, v) in bytes.chunks(4).zip(&elems) {
                line.extend(chunk.iter().map(|b| if v.is_some() { ascii(*b) } else { '?' }));
            }
        }
        Kind::Symbols => {
            let v = elems.first().copied().flatten();
            if f.elem == 8 {
                line.push_str(&qword(v));
            } else {
                line.push_str(&hex(v, 8));
            }
            if let Some(sym) = v.and_then(|v| s.symbols.format(v)) {
                line.push(' ');
                line.push_str(&sym);
            }
        }
        Kind::Ascii | Kind::Unicode => unreachable!("strings are laid out by string_lines"),
    }
    line
}

/// `count` elements from `start`, `cols` per line. Returns the text and the next address.
fn numeric(s: &Session, f: &Format, cols: u64, start: u64, count: u64) -> (String, u64) {
    let mut out = String::new();
    let mut done = 0;
    let mut addr = start;
    while done < count {
        let n = cols.min(count - done);
        let bytes = read_bytes(s, addr, n * f.elem);
        out.push_str(&numeric_line(s, f, cols, addr, &bytes));
        out.push('\n');
        done += n;
        addr = addr.wrapping_add(n * f.elem);
    }
    (out, addr)
}

/// The characters of a string display (None = unreadable) and the next address.
fn read_string(s: &Session, start: u64, max_chars: u64, char_size: u64) -> (Vec<Option<u32>>, u64) {
    let mut chars = Vec::new();
    let mut addr = start;
    while (chars.len() as u64) < max_chars {
        let want = (max_chars - chars.len() as u64).min(STRING_BLOCK / char_size);
        let bytes = read_bytes(s, addr, want * char_size);
        let mut failed = false;
        for ch in bytes.chunks(char_size as usize) {
            let v = element(ch).map(|v| v as u32);
            addr = addr.wrapping_add(char_size);
            match v {
                Some(0) if !failed => return (chars, addr),
                Some(v) if !failed => chars.push(Some(v)),
                _ => {
                    failed = true;
                    chars.push(None);
                }
            }
        }
        if failed {
            break;
        }
    }
    (chars, addr)
}

fn string_char(v: Option<u32>, unicode: bool) -> char {
    match v {
        None => '?',
        Some(c @ 0x20..=0x7e) => char::from_u32(c).unwrap_or('.'),
        Some(c) if unicode && c >= 0xa0 => char::from_u32(c).filter(|ch| !ch.is_control()).unwrap_or('.'),
        Some(_) => '.',
    }
}

fn string_lines(s: &Session, f: &Format, cols: u64, start: u64, count: u64) -> (String, u64) {
    let (chars, next) = read_string(s, start, count, f.elem);
    if count == 0 {
        return (String::new(), start);
    }
    let unicode = f.kind == Kind::Unicode;
    let mut out = String::new();
    let mut lines: Vec<&[Option<u32>]> = chars.chunks(cols as usize).collect();
    if lines.is_empty() {
        lines.push(&[]);
    }
    for (i, line) in lines.iter().enumerate() {
        let addr = start.wrapping_add(i as u64 * cols * f.elem);
        let text: String = line.iter().map(|c| string_char(*c, unicode)).collect();
        out.push_str(&format!("{}  \"{}\"\n", format_address(addr), text));
    }
    (out, next)
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let lower = c.name.to_ascii_lowercase();
    let name = if lower == "d" {
        s.next_dump.as_ref().map(|(_, k)| k.clone()).unwrap_or_else(|| "db".into())
    } else {
        lower
    };
    let f = format_of(&name).ok_or_else(|| CmdError::syntax(c.name.len().saturating_sub(1)))?;
    let a = c.args;
    let b = a.as_bytes();

    // Options: `/c N`.
    let mut cols = f.per_line;
    let mut i = skip_ws(a, 0);
    while i < b.len() && b[i] == b'/' {
        match b.get(i + 1) {
            Some(b'c') | Some(b'C') => {
                let at = skip_ws(a, i + 2);
                let (v, n) = super::eval_prefix(s, &a[at..]).map_err(CmdError::Eval)?;
                if n == 0 || v == 0 || v > 0x1000 {
                    return Err(CmdError::caret("Range", c.at((at + n).max(i + 2) - 1)));
                }
                if f.kind != Kind::Symbols {
                    cols = v;
                }
                i = skip_ws(a, at + n);
            }
            _ => return Err(CmdError::syntax(c.at((i + 1).min(b.len() - 1)))),
        }
    }

    let parsed = range::parse(&a[i..], s, f.elem).map_err(|e| e.into_cmd(c, i))?;
    let default_start = s.next_dump.as_ref().map(|(a, _)| *a).unwrap_or_else(|| s.process.cpu.rip());
    let (start, count) = parsed.range.resolve(default_start, f.default_count, f.elem);
    let count = count.min(MAX_DISPLAY_BYTES / f.elem);
    let (text, next) = match f.kind {
        Kind::Ascii | Kind::Unicode => string_lines(s, &f, cols, start, count),
        _ => numeric(s, &f, cols, start, count),
    };
    s.next_dump = Some((next, name));
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_little_endian_and_need_every_byte() {
        assert_eq!(element(&[Some(0x78), Some(0x56), Some(0x34), Some(0x12)]), Some(0x1234_5678));
        assert_eq!(element(&[Some(1), None]), None);
        assert_eq!(element(&[Some(0xff); 8]), Some(u64::MAX));
    }

    #[test]
    fn character_columns() {
        assert_eq!(ascii(Some(b'A')), 'A');
        assert_eq!(ascii(Some(0x7f)), '.');
        assert_eq!(ascii(Some(b'\n')), '.');
        assert_eq!(ascii(None), '?');
        assert_eq!(string_char(Some(0xe9), true), 'é');
        assert_eq!(string_char(Some(0xe9), false), '.');
        assert_eq!(string_char(Some(0xd800), true), '.');
        assert_eq!(string_char(Some(0x85), true), '.');
    }

    #[test]
    fn every_display_command_has_a_format() {
        for n in ["db", "dw", "dd", "dq", "dp", "dc", "da", "du", "dps", "dqs", "dds"] {
            assert!(format_of(n).is_some(), "{n}");
        }
        assert_eq!(format_of("dp"), format_of("dq"));
        assert_eq!(format_of("db").unwrap().default_count * format_of("db").unwrap().elem, 128);
        assert_eq!(format_of("dw").unwrap().default_count * format_of("dw").unwrap().elem, 128);
        assert_eq!(format_of("dd").unwrap().default_count * format_of("dd").unwrap().elem, 128);
        assert_eq!(format_of("dq").unwrap().default_count * format_of("dq").unwrap().elem, 128);
        assert!(format_of("dx").is_none());
    }
}
