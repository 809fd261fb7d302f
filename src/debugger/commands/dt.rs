//! `dt [module!]Type [address] [field...]`: a Windows structure's layout, or its
//! members' values at an address, for the structures of `types.rs` (windbg-formats §14.3):
//!
//! ```text
//! 0:000> dt _heap 267a06f0000
//! ntdll!_HEAP
//!    +0x000 Segment          : _HEAP_SEGMENT
//!    +0x010 SegmentSignature : 0xffeeffee
//! ```
//!
//! Rules:
//! - Type names are case-insensitive; the module may be `ntdll`, `nt` or left out.
//!   The first line names the type as `ntdll!_HEAP` unless the user typed exactly that
//!   (every capture with another spelling, `_heap`, `nt!_teb`, `_HEAP_ENTRY`, has it; an
//!   exactly module-qualified name had none).
//! - Members are `   +0x%03x ` + name padded to 16 + ` : ` + type or value. With field
//!   names (wildcards allowed, case-insensitive) only those members print, unpadded, as
//!   WinDbg prints `ImageFileName : [15]  "notepad.exe"`.
//! - Values: unsigned integers 0-9 bare and larger ones in hex (`0x30040ec`725598ce`),
//!   signed ones as `0n-1`, UChar as `0x55 'U'`, pointers as `0x00007ff6`77620000 Void`
//!   or `(null) `, `_LIST_ENTRY [ 0x... - 0x... ]`, `_UNICODE_STRING "text"`, UChar and
//!   Wchar arrays as strings, other arrays by their first element, bit fields as `0y1`.
//!   `_HEAP_ENTRY` shows the raw (encoded) header, as WinDbg does; its values go through
//!   the heap extension's formatter. Unreadable members show `??`.
//! - Not pinned down by a capture (from memory of WinDbg sessions): `Ptr64 Wchar` as
//!   `0x... "text"` with two blanks, `Ptr64 Ptr64 Void` as `0x...  -> 0x... Void`, a
//!   non-null function pointer as `0x...     long  +<hex>`, multi-bit fields as
//!   `0y0101 (0x5)`, and the extra first line ` [ Flink - Blink ]` / ` "text"` that
//!   `dt _LIST_ENTRY addr` / `dt _UNICODE_STRING addr` print.
//! - An unknown type prints WinDbg's `Symbol <name> not found.`; field names that match
//!   no member print `Cannot find specified field members.`

use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::super::symbols::wildcard_match;
use super::super::types::{self, Field, Ty};
use super::{Command, skip_ws};
use crate::heap::ext::format_dt_value;
use crate::process::memory::GuestMemory;

const USAGE: &str = "usage: dt [module!]Type [Address] [Field...]";

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let a = c.args;
    let token_end = |i: usize| a[i..].find(char::is_whitespace).map(|e| i + e).unwrap_or(a.len());
    let mut i = skip_ws(a, 0);
    if i >= a.len() {
        return Err(CmdError::Text(USAGE.into()));
    }
    if a[i..].starts_with('-') {
        let opt = &a[i..token_end(i)];
        return Err(CmdError::Text(format!("dt: option '{opt}' is not supported by crtlab ({USAGE})")));
    }
    let end = token_end(i);
    let typed = &a[i..end];
    let (module, name) = typed.split_once('!').unwrap_or(("", typed));
    let known_module = module.is_empty() || module.eq_ignore_ascii_case("ntdll") || module.eq_ignore_ascii_case("nt");
    let (module_name, def) = match known_module.then(|| types::lookup(name)).flatten() {
        Some(d) => ("ntdll".to_string(), d),
        None => pdb_type(s, module, name).ok_or_else(|| CmdError::Text(format!("Symbol {typed} not found.")))?,
    };
    i = end;

    let mut patterns: Vec<&str> = Vec::new();
    let mut address = None;
    loop {
        i = skip_ws(a, i);
        if i >= a.len() {
            break;
        }
        let tok = &a[i..token_end(i)];
        if def.fields.iter().any(|f| wildcard_match(tok, f.name)) {
            patterns.push(tok);
            i += tok.len();
            continue;
        }
        if address.is_some() {
            return Err(CmdError::Text("Cannot find specified field members.".into()));
        }
        let (v, n) = super::eval_prefix(s, &a[i..])?;
        if n == 0 {
            return Err(CmdError::syntax(c.at(i)));
        }
        address = Some(v);
        i += n;
    }

    let shown: Vec<&Field> =
        def.fields.iter().filter(|f| patterns.is_empty() || patterns.iter().any(|p| wildcard_match(p, f.name))).collect();
    let canonical = format!("{module_name}!{}", def.name);
    let mut out = String::new();
    if typed != canonical {
        out.push_str(&canonical);
        out.push('\n');
    }
    if let Some(at) = address {
        match def.name {
            "_LIST_ENTRY" => out.push_str(&format!(" {}\n", list_entry_links(s, at).unwrap_or_else(|| "??".into()))),
            "_UNICODE_STRING" => out.push_str(&format!(" \"{}\"\n", unicode_string(s, at).unwrap_or_default())),
            _ => {}
        }
    }
    for f in shown {
        let name = if patterns.is_empty() { format!("{:<16}", f.name) } else { f.name.to_string() };
        let text = match address {
            None => f.ty.name(),
            Some(at) => value(s, at.wrapping_add(u64::from(f.offset)), &f.ty),
        };
        out.push_str(&format!("   +0x{:03x} {name} : {text}\n", f.offset));
    }
    Ok(out)
}

/// A structure from a module's PDB: the named module, or the first module (in load
/// order) whose PDB defines it.
fn pdb_type(s: &Session, module: &str, name: &str) -> Option<(String, types::TypeDef)> {
    let modules = s.symbols.modules();
    let candidates: Vec<usize> = if module.is_empty() {
        (0..modules.len()).collect()
    } else {
        vec![modules.iter().position(|m| m.name.eq_ignore_ascii_case(module) || m.file_name.eq_ignore_ascii_case(module))?]
    };
    candidates.into_iter().find_map(|i| {
        let bytes = s.symbols.pdb_bytes(i)?;
        crate::debugger::pdb_types::find(bytes, name).map(|d| (modules[i].name.clone(), d))
    })
}

fn read(s: &Session, at: u64, width: u64) -> Option<u64> {
    let mut b = [0u8; 8];
    s.process.cpu.read(at, &mut b[..width.min(8) as usize]).ok()?;
    Some(u64::from_le_bytes(b))
}

fn ptr(v: u64) -> String {
    format!("0x{}", format_address(v))
}

/// `[ 0x00000267`a06f0890 - 0x00000267`a06f0890 ]`.
fn list_entry_links(s: &Session, at: u64) -> Option<String> {
    let flink = read(s, at, 8)?;
    let blink = read(s, at.wrapping_add(8), 8)?;
    Some(format!("[ {} - {} ]", ptr(flink), ptr(blink)))
}

/// The text of a UNICODE_STRING (Length bytes at Buffer).
fn unicode_string(s: &Session, at: u64) -> Option<String> {
    let len = read(s, at, 2)? as usize / 2;
    let buf = read(s, at.wrapping_add(8), 8)?;
    let mut units = Vec::with_capacity(len);
    for k in 0..len as u64 {
        units.push(s.process.cpu.read_u16(buf.wrapping_add(2 * k)).ok()?);
    }
    Some(String::from_utf16_lossy(&units))
}

/// A NUL-terminated string of at most `max` characters at `at`.
fn fixed_string(s: &Session, at: u64, max: u32, wide: bool) -> Option<String> {
    let mut out = String::new();
    for k in 0..u64::from(max) {
        let c = if wide { read(s, at.wrapping_add(2 * k), 2)? } else { read(s, at.wrapping_add(k), 1)? };
        if c == 0 {
            break;
        }
        out.push(char::from_u32(c as u32).filter(|ch| !ch.is_control()).unwrap_or('?'));
    }
    Some(out)
}

/// One member's value at `at`.
fn value(s: &Session, at: u64, ty: &Ty) -> String {
    const UNREADABLE: &str = "??";
    let scalar = |w: u64| read(s, at, w);
    if let Some(dt) = ty.heap_dt_type() {
        return scalar(ty.width()).map(|v| format_dt_value(dt, v)).unwrap_or_else(|| UNREADABLE.into());
    }
    match ty {
        Ty::Int2B | Ty::Int4B | Ty::Int8B => {
            let w = ty.width();
            match scalar(w) {
                Some(v) => {
                    let shift = 64 - 8 * w;
                    format!("0n{}", ((v << shift) as i64) >> shift)
                }
                None => UNREADABLE.into(),
            }
        }
        Ty::Wchar => match scalar(2) {
            Some(v) => {
                let ch = char::from_u32(v as u32).filter(|c| !c.is_control()).map(String::from).unwrap_or_default();
                if v == 0 { format!("0 '{ch}'") } else { format!("0x{v:x} '{ch}'") }
            }
            None => UNREADABLE.into(),
        },
        Ty::Ptr(target) => match scalar(8) {
            None => UNREADABLE.into(),
            Some(0) => "(null) ".into(),
            Some(p) => match *target {
                "Wchar" => format!("{}  \"{}\"", ptr(p), fixed_string(s, p, 256, true).unwrap_or_else(|| "??".into())),
                "_LIST_ENTRY" => match list_entry_links(s, p) {
                    Some(links) => format!("{} _LIST_ENTRY {links}", ptr(p)),
                    None => format!("{} _LIST_ENTRY", ptr(p)),
                },
                t => format!("{} {t}", ptr(p)),
            },
        },
        Ty::PtrPtr(target) => match scalar(8) {
            None => UNREADABLE.into(),
            Some(0) => "(null) ".into(),
            Some(p) => match read(s, p, 8) {
                Some(0) => format!("{}  -> (null) ", ptr(p)),
                Some(q) => format!("{}  -> {} {target}", ptr(p), ptr(q)),
                None => format!("{}  -> ??", ptr(p)),
            },
        },
        Ty::FnPtr(ret) => match scalar(8) {
            None => UNREADABLE.into(),
            Some(0) => "(null) ".into(),
            Some(p) => format!("{}     {ret}  +{p:x}", ptr(p)),
        },
        Ty::Struct("_LIST_ENTRY") => list_entry_links(s, at).map(|l| format!("_LIST_ENTRY {l}")).unwrap_or_else(|| UNREADABLE.into()),
        Ty::Struct("_UNICODE_STRING") => match unicode_string(s, at) {
            Some(t) => format!("_UNICODE_STRING \"{t}\""),
            None => "_UNICODE_STRING".into(),
        },
        Ty::Struct(n @ ("_LARGE_INTEGER" | "_ULARGE_INTEGER")) => match scalar(8) {
            Some(v) if v >> 32 != 0 => format!("{n} 0x{:x}`{:08x}", v >> 32, v as u32),
            Some(v) => format!("{n} 0x{v:x}"),
            None => UNREADABLE.into(),
        },
        Ty::Struct(n) => n.to_string(),
        Ty::Array(count, elem) => match elem {
            Ty::UChar | Ty::Char => format!("[{count}]  \"{}\"", fixed_string(s, at, *count, false).unwrap_or_else(|| "??".into())),
            Ty::Wchar => format!("[{count}]  \"{}\"", fixed_string(s, at, *count, true).unwrap_or_else(|| "??".into())),
            e => format!("[{count}] {}", value(s, at, e)),
        },
        Ty::Bits { pos, len, bytes } => match scalar(u64::from(*bytes)) {
            Some(v) => {
                let bits = (v >> pos) & ((1u64 << len) - 1);
                if *len == 1 {
                    format!("0y{bits}")
                } else {
                    let n = usize::from(*len);
                    let shown = if bits < 10 { bits.to_string() } else { format!("0x{bits:x}") };
                    format!("0y{bits:0n$b} ({shown})")
                }
            }
            None => UNREADABLE.into(),
        },
        // Scalars the heap formatter covers were handled above.
        _ => UNREADABLE.into(),
    }
}
