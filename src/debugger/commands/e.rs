//! `eb ew ed eq ep ea eu eza ezu`: enter values into memory (reference §12). Success
//! prints nothing, as in WinDbg.
//!
//! * Numbers: one MASM expression per value (hex by default), blank-separated, written to
//!   consecutive elements; a `'c'` / `'TAG1'` character constant gives the characters' codes,
//!   the first one most significant (`ed addr 'TAG1'` stores `31 47 41 54`, as the
//!   documented example shows). A value must fit the element, read as unsigned or as a
//!   sign-extended negative (`eb addr -1` is `ff`); otherwise `Overflow error` with the caret
//!   under the value. Every value is parsed before anything is written.
//! * Strings: `ea`/`eu` write the characters of a double-quoted string (no escapes, as
//!   documented), `eza`/`ezu` add the terminating NUL. `ea` stores characters up to U+00FF
//!   as one byte and others as `?` (what a Western code page conversion does); `eu` stores
//!   UTF-16.
//! * Memory is written the way a debugger writes it, whatever the page protection, and
//!   patched code runs as patched (`Cpu::debugger_write`; tests write `cc` into read-only
//!   code that has already run and see it break). Unmapped memory
//!   gives `Memory access error in '<cmd>'`; WinDbg's exact caret for `e*` was never
//!   captured, so the caret goes under the last character of the address, as for `u`.
//! * Without values WinDbg prompts for input interactively; crtlab says it does not.

use super::super::session::{CmdError, CmdResult, Session};
use super::{Command, skip_ws};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Numbers of this many bytes.
    Number(usize),
    /// A string: UTF-16 or not, NUL-terminated or not.
    Text { unicode: bool, terminated: bool },
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "eb" => Kind::Number(1),
        "ew" => Kind::Number(2),
        "ed" => Kind::Number(4),
        "eq" | "ep" => Kind::Number(8),
        "ea" => Kind::Text { unicode: false, terminated: false },
        "eu" => Kind::Text { unicode: true, terminated: false },
        "eza" => Kind::Text { unicode: false, terminated: true },
        "ezu" => Kind::Text { unicode: true, terminated: true },
        _ => return None,
    })
}

/// Whether `v` can be stored in `size` bytes (unsigned, or a sign-extended negative).
fn fits(v: u64, size: usize) -> bool {
    if size >= 8 {
        return true;
    }
    let bits = 8 * size as u32;
    v >> bits == 0 || (v as i64) >> (bits - 1) == -1
}

/// `'abc'` at the start of `text`: the value and the bytes consumed; None without a
/// closing quote.
fn char_constant(text: &str) -> Option<(u64, usize)> {
    let close = text[1..].find('\'')? + 1;
    let v = text[1..close].bytes().fold(0u64, |v, b| (v << 8) | u64::from(b));
    Some((v, close + 1))
}

/// The bytes an `ea`/`eu`/`eza`/`ezu` string stands for.
fn string_bytes(text: &str, unicode: bool, terminated: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if unicode {
        for u in text.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        if terminated {
            out.extend_from_slice(&[0, 0]);
        }
    } else {
        out.extend(text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')));
        if terminated {
            out.push(0);
        }
    }
    out
}

/// The values after the address, as bytes, or the error to print. `i` indexes `c.args`.
fn values(s: &Session, c: &Command, size: usize, mut i: usize) -> Result<Vec<u8>, CmdError> {
    let a = c.args;
    let mut out = Vec::new();
    while i < a.len() {
        let (v, n) = if a[i..].starts_with('\'') {
            char_constant(&a[i..]).ok_or_else(|| CmdError::syntax(c.last()))?
        } else {
            let (v, n) = super::eval_prefix(s, &a[i..]).map_err(CmdError::Eval)?;
            if n == 0 {
                return Err(CmdError::syntax(c.at(i)));
            }
            (v, n)
        };
        if !fits(v, size) {
            return Err(CmdError::caret("Overflow", c.at(i + n - 1)));
        }
        out.extend_from_slice(&v.to_le_bytes()[..size]);
        i = skip_ws(a, i + n);
    }
    Ok(out)
}

/// The double-quoted string after the address. `i` indexes `c.args`.
fn quoted<'a>(c: &Command<'a>, i: usize) -> Result<&'a str, CmdError> {
    let a = c.args;
    if !a[i..].starts_with('"') {
        return Err(CmdError::syntax(c.at(i)));
    }
    let close = a[i + 1..].find('"').ok_or_else(|| CmdError::syntax(c.last()))? + i + 1;
    let rest = skip_ws(a, close + 1);
    if rest < a.len() {
        return Err(CmdError::caret("Extra character", c.at(rest - 1)));
    }
    Ok(&a[i + 1..close])
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let name = c.name.to_ascii_lowercase();
    let kind = kind_of(&name).ok_or_else(|| CmdError::syntax(c.name.len().saturating_sub(1)))?;
    let a = c.args;
    let start = skip_ws(a, 0);
    let (addr, n) = super::eval_prefix(s, &a[start..]).map_err(CmdError::Eval)?;
    if n == 0 {
        return Err(CmdError::syntax(c.at(start.min(a.len().saturating_sub(1)))));
    }
    let addr_last = c.at(start + n - 1);
    let i = skip_ws(a, start + n);
    if i >= a.len() {
        return Err(CmdError::Text(format!(
            "crtlab: '{}' needs the values on the command line (interactive input is not supported)",
            c.name
        )));
    }
    let bytes = match kind {
        Kind::Number(size) => values(s, c, size, i)?,
        Kind::Text { unicode, terminated } => string_bytes(quoted(c, i)?, unicode, terminated),
    };
    let end_ok = addr.checked_add(bytes.len() as u64).is_some();
    if !end_ok || s.process.cpu.debugger_write(addr, &bytes).is_err() {
        return Err(CmdError::caret("Memory access", addr_last));
    }
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_fit_their_element() {
        assert!(fits(0xff, 1));
        assert!(!fits(0x100, 1));
        assert!(fits(u64::MAX, 1)); // -1
        assert!(fits(0xffff_ffff_ffff_ff80, 1)); // -0x80
        assert!(!fits(0xffff_ffff_ffff_ff7f, 1)); // -0x81
        assert!(fits(0xffff_ffff, 4));
        assert!(!fits(0x1_0000_0000, 4));
        assert!(fits(u64::MAX, 8));
    }

    #[test]
    fn character_constants_put_the_first_character_high() {
        assert_eq!(char_constant("'h' 'e'"), Some((0x68, 3)));
        assert_eq!(char_constant("'TAG1'"), Some((0x5441_4731, 6)));
        assert_eq!(char_constant("'x"), None);
        assert_eq!(char_constant("''"), Some((0, 2)));
    }

    #[test]
    fn strings_encode_per_command() {
        assert_eq!(string_bytes("Hi", false, false), b"Hi");
        assert_eq!(string_bytes("Hi", false, true), b"Hi\0");
        assert_eq!(string_bytes("Hi", true, false), [b'H', 0, b'i', 0]);
        assert_eq!(string_bytes("Hi", true, true), [b'H', 0, b'i', 0, 0, 0]);
        assert_eq!(string_bytes("é€", false, false), [0xe9, b'?']);
        assert_eq!(string_bytes("€", true, false), [0xac, 0x20]);
        assert_eq!(string_bytes(r"a\n", false, false), b"a\\n");
    }

    #[test]
    fn every_enter_command_has_a_kind() {
        for n in ["eb", "ew", "ed", "eq", "ep", "ea", "eu", "eza", "ezu"] {
            assert!(kind_of(n).is_some(), "{n}");
        }
        assert_eq!(kind_of("ep"), kind_of("eq"));
    }
}
