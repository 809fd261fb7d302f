//! `x [options] module!pattern`: the symbols whose names match a pattern (`*`, `?`,
//! case-insensitive), one per line, as WinDbg prints them:
//!
//! - PDB functions with type information: `addr module!name (params)`;
//! - PDB global and static data: `addr module!name = value`, the value as `dv` shows it;
//! - public symbols: the full undecorated name in parentheses for code
//!   (`allocate!alloc_malloc (void * __cdecl alloc_malloc(unsigned __int64))`,
//!   `allocate!main (main)`), `= <no type information>` for data;
//! - crtlab's ntdll and KERNEL32 names like Windows' public PDBs: `(RtlAllocateHeap)`;
//! - export-table names: `(<no parameter info>)`.
//!
//! Order: WinDbg lists a PDB's symbols in its hash order, which nothing here can
//! reproduce, so crtlab lists them by address (module by module in address order,
//! ties by name) — the order `/a` asks for. `/A`, `/n`, `/N`, `/z`, `/Z` sort as in
//! WinDbg. A pattern without `module!` searches the current scope's locals; crtlab has
//! no local-variable information and prints nothing, as WinDbg does when none match.

use super::super::expr::{EvalError, format_address};
use super::super::session::{CmdError, CmdResult, Session};
use super::super::symbol_info::{DataType, Pointee, SymbolInfo, SymbolKind, undecorate_full};
use super::super::symbols::wildcard_match;
use super::Command;
use crate::process::memory::GuestMemory;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    AddressUp,
    AddressDown,
    NameUp,
    NameDown,
    SizeUp,
    SizeDown,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Terse {
    Full,
    AddressOnly,
    NameOnly,
    AddressAndName,
}

const SUPPORTED: &str = "/a /A /n /N /z /Z /0 /1 /2 /p";

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let mut sort = Sort::AddressUp;
    let mut terse = Terse::Full;
    let mut paren_space = true;
    let mut rest = c.args.trim_start();
    while let Some(opt) = rest.strip_prefix('/') {
        let end = opt.find(char::is_whitespace).unwrap_or(opt.len());
        for ch in opt[..end].chars() {
            match ch {
                'a' => sort = Sort::AddressUp,
                'A' => sort = Sort::AddressDown,
                'n' => sort = Sort::NameUp,
                'N' => sort = Sort::NameDown,
                'z' => sort = Sort::SizeUp,
                'Z' => sort = Sort::SizeDown,
                '0' => terse = Terse::AddressOnly,
                '1' => terse = Terse::NameOnly,
                '2' => terse = Terse::AddressAndName,
                'p' => paren_space = false,
                _ => {
                    return Err(CmdError::Text(format!("x: option '/{ch}' is not supported by crtlab (supported: {SUPPORTED})")));
                }
            }
        }
        rest = opt[end..].trim_start();
    }
    let pattern = rest.trim();
    let Some((mpat, spat)) = pattern.split_once('!') else {
        // Locals of the current scope: none known.
        return Ok(String::new());
    };
    let modules = s.symbols.modules();
    let indices: Vec<usize> = (0..modules.len()).filter(|&i| wildcard_match(mpat, &modules[i].name)).collect();
    if indices.is_empty() && !mpat.contains(['*', '?']) {
        return Err(CmdError::Eval(EvalError::CouldntResolve(pattern.to_string())));
    }
    let mut rows: Vec<(u64, usize, SymbolInfo)> = Vec::new();
    for i in indices {
        let base = modules[i].base;
        for info in s.symbols.symbol_infos(i).iter() {
            if wildcard_match(spat, &info.name) {
                rows.push((base + u64::from(info.rva), i, info.clone()));
            }
        }
    }
    let name_key = |r: &(u64, usize, SymbolInfo)| format!("{}!{}", modules[r.1].name, r.2.name).to_lowercase();
    match sort {
        Sort::AddressUp => rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.name.cmp(&b.2.name))),
        Sort::AddressDown => rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.name.cmp(&b.2.name))),
        Sort::NameUp => rows.sort_by(|a, b| name_key(a).cmp(&name_key(b)).then(a.0.cmp(&b.0))),
        Sort::NameDown => rows.sort_by(|a, b| name_key(b).cmp(&name_key(a)).then(a.0.cmp(&b.0))),
        Sort::SizeUp => rows.sort_by(|a, b| a.2.size.cmp(&b.2.size).then(a.0.cmp(&b.0))),
        Sort::SizeDown => rows.sort_by(|a, b| b.2.size.cmp(&a.2.size).then(a.0.cmp(&b.0))),
    }
    let mut out = String::new();
    for (addr, i, info) in &rows {
        let name = format!("{}!{}", modules[*i].name, info.name);
        let line = match terse {
            Terse::AddressOnly => format_address(*addr),
            Terse::NameOnly => name,
            Terse::AddressAndName => format!("{} {name}", format_address(*addr)),
            Terse::Full => format!("{} {name}{}", format_address(*addr), describe(s, *addr, info, paren_space)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// What follows `module!name` in `x` and in `ln`'s exact matches: ` (params)`,
/// ` (undecorated name)`, ` = value`.
pub fn describe(s: &Session, addr: u64, info: &SymbolInfo, paren_space: bool) -> String {
    let sp = if paren_space { " " } else { "" };
    match &info.kind {
        SymbolKind::Function { params } => format!("{sp}({params})"),
        SymbolKind::PublicFunction { decorated } => format!("{sp}({})", undecorate_full(decorated)),
        SymbolKind::Synthetic => format!("{sp}({})", info.name),
        SymbolKind::Export => format!("{sp}(<no parameter info>)"),
        SymbolKind::PublicData { .. } => " = <no type information>".to_string(),
        SymbolKind::Data { ty } => format!(" = {}", format_value(s, addr, ty)),
    }
}

/// A datum's value as `dv` prints it: `0n10` for signed integers, `0x1f` for unsigned
/// ones, `0x00000267`a06f0000` for pointers (with the string for `char *` and
/// `wchar_t *`), `Name (0n2)` for enumerations, the type name for structures.
pub fn format_value(s: &Session, addr: u64, ty: &DataType) -> String {
    let mem = &s.process.cpu;
    let read = |size: u32| -> Option<u64> {
        let mut b = [0u8; 8];
        mem.read(addr, &mut b[..size.min(8) as usize]).ok()?;
        Some(u64::from_le_bytes(b))
    };
    let unavailable = "<Memory access error>".to_string();
    match ty {
        DataType::Int { size, signed } => match read(u32::from(*size)) {
            Some(v) if *signed => format!("0n{}", sign_extend(v, *size)),
            Some(v) => format_unsigned(v),
            None => unavailable,
        },
        DataType::Char { signed } => match read(1) {
            Some(v) => {
                let c = v as u8;
                let shown = if (0x20..0x7f).contains(&c) { (c as char).to_string() } else { String::new() };
                if *signed { format!("0n{} '{shown}'", c as i8) } else { format!("0x{c:02x} '{shown}'") }
            }
            None => unavailable,
        },
        DataType::WChar => match read(2) {
            Some(v) => {
                let shown = char::from_u32(v as u32).filter(|c| !c.is_control()).map(String::from).unwrap_or_default();
                format!("0x{v:x} '{shown}'")
            }
            None => unavailable,
        },
        DataType::Bool { size } => match read(u32::from(*size)) {
            Some(0) => "false".into(),
            Some(_) => "true".into(),
            None => unavailable,
        },
        DataType::Float { size } => match read(u32::from(*size)) {
            Some(v) if *size == 4 => format!("{}", f32::from_bits(v as u32)),
            Some(v) => format!("{}", f64::from_bits(v)),
            None => unavailable,
        },
        DataType::Pointer { pointee, .. } => match read(8) {
            Some(p) => {
                let text = match pointee {
                    Pointee::Char if p != 0 => read_string(s, p, false).map(|t| format!(" \"{t}\"")),
                    Pointee::WChar if p != 0 => read_string(s, p, true).map(|t| format!(" \"{t}\"")),
                    _ => None,
                };
                format!("0x{}{}", format_address(p), text.unwrap_or_default())
            }
            None => unavailable,
        },
        DataType::Enum { size, values, .. } => match read(u32::from(*size)) {
            Some(v) => {
                let v = sign_extend(v, *size);
                match values.iter().find(|(x, _)| *x == v) {
                    Some((_, n)) => format!("{n} (0n{v})"),
                    None => format!("0n{v}"),
                }
            }
            None => unavailable,
        },
        DataType::Array { name, elem, .. } => match elem.as_ref() {
            DataType::Char { .. } => read_string(s, addr, false).map(|t| format!("{name} \"{t}\"")).unwrap_or(name.clone()),
            DataType::WChar => read_string(s, addr, true).map(|t| format!("{name} \"{t}\"")).unwrap_or(name.clone()),
            _ => name.clone(),
        },
        DataType::Other(name) => name.clone(),
    }
}

fn sign_extend(v: u64, size: u8) -> i64 {
    let bits = u32::from(size.clamp(1, 8)) * 8;
    if bits >= 64 { v as i64 } else { ((v << (64 - bits)) as i64) >> (64 - bits) }
}

/// Unsigned values as `dt` and `dv` show them: 0-9 bare, larger in hex.
fn format_unsigned(v: u64) -> String {
    if v < 10 {
        v.to_string()
    } else if v >> 32 != 0 {
        format!("0x{:x}`{:08x}", v >> 32, v as u32)
    } else {
        format!("0x{v:x}")
    }
}

/// A NUL-terminated string at `addr` (at most 256 characters), or None if unreadable.
pub fn read_string(s: &Session, addr: u64, wide: bool) -> Option<String> {
    let mem = &s.process.cpu;
    let mut out = String::new();
    for i in 0..256u64 {
        let c = if wide {
            u32::from(mem.read_u16(addr.checked_add(2 * i)?).ok()?)
        } else {
            u32::from(mem.read_u8(addr.checked_add(i)?).ok()?)
        };
        if c == 0 {
            break;
        }
        out.push(char::from_u32(c).unwrap_or('?'));
    }
    Some(out)
}
