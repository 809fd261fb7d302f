//! `lm`: the loaded modules, sorted by address, in WinDbg's layout (windbg-formats §13):
//!
//! ```text
//! start             end                 module name
//! 00007ff6`77620000 00007ff6`77627000   allocate   (private pdb symbols)  C:\crtlab\allocate.pdb
//! ```
//!
//! Options may be glued to the name (`lmvm allocate`, `lmDvmntdll`) or separated
//! (`lm v m allocate`): `v` verbose, `m pattern` / `M pattern` (module name / image
//! path, wildcards, case-insensitive), `a address`, `sm` sort by name, `1m` names only,
//! `e` only modules with symbol problems (export or no symbols), and `o`, `l`, `D`,
//! which change nothing here (every module is loaded with its symbols; DML is text).
//!
//! Decisions:
//! - The symbol file column shows where the guest would have found the PDB: the image's
//!   folder plus the PDB's file name (`C:\crtlab\allocate.pdb`), never a host path, so
//!   transcripts do not depend on where crtlab runs. Export symbols name the image
//!   itself, as WinDbg does; crtlab's ntdll/KERNEL32 have no PDB file to name.
//! - `lmv` prints the lines WinDbg prints for an image without version resources (the
//!   default `Translations` and an empty resource section). An image is a /Brepro build
//!   when its debug directory has an IMAGE_DEBUG_TYPE_REPRO entry; crtlab's ntdll and
//!   KERNEL32 count as /Brepro builds too, as Windows' own DLLs are. Other timestamps
//!   are printed in UTC (WinDbg uses the host's time zone), 0 as `unavailable`.
//! - WinDbg's GUI link lines (`Browse full module list`, `Browse all global symbols
//!   functions  data`) are kept in `lmv`, as `bl` keeps its link text.

use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::super::symbols::{SymbolStatus, wildcard_match};
use super::{Command, skip_ws};
use crate::process::memory::GuestMemory;
use crate::process::module::{Module, ModuleKind};

/// IMAGE_DEBUG_TYPE_REPRO: the timestamp is a hash of the image (link /Brepro).
const IMAGE_DEBUG_TYPE_REPRO: u32 = 16;

#[derive(Default)]
struct Options {
    verbose: bool,
    sort_by_name: bool,
    names_only: bool,
    problems_only: bool,
    name_pattern: Option<String>,
    path_pattern: Option<String>,
    address: Option<u64>,
}

fn parse(s: &Session, c: &Command) -> Result<Options, CmdError> {
    // Everything after `lm`: glued option letters and the arguments.
    let t = &c.text[2..];
    let at = |i: usize| 2 + i;
    let b = t.as_bytes();
    let mut o = Options::default();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'v' => {
                o.verbose = true;
                i += 1;
            }
            b'o' | b'l' | b'D' => i += 1,
            b'e' => {
                o.problems_only = true;
                i += 1;
            }
            b's' | b'1' => {
                if b.get(i + 1) != Some(&b'm') {
                    return Err(CmdError::syntax(at((i + 1).min(b.len() - 1))));
                }
                if b[i] == b's' {
                    o.sort_by_name = true;
                } else {
                    o.names_only = true;
                }
                i += 2;
            }
            b'm' | b'M' => {
                let start = skip_ws(t, i + 1);
                let end = t[start..].find(char::is_whitespace).map(|e| start + e).unwrap_or(t.len());
                if start == end {
                    return Err(CmdError::syntax(c.last()));
                }
                let pattern = t[start..end].to_string();
                if b[i] == b'm' {
                    o.name_pattern = Some(pattern);
                } else {
                    o.path_pattern = Some(pattern);
                }
                i = end;
            }
            b'a' => {
                let start = skip_ws(t, i + 1);
                if start >= t.len() {
                    return Err(CmdError::syntax(c.last()));
                }
                let (v, n) = super::eval_prefix(s, &t[start..])?;
                if n == 0 {
                    return Err(CmdError::syntax(at(start)));
                }
                o.address = Some(v);
                i = start + n;
            }
            b'f' | b'i' | b'n' | b'p' | b't' | b'c' | b'u' | b'k' => {
                return Err(CmdError::Text(format!(
                    "lm: option '{}' is not supported by crtlab (supported: v, m, M, a, sm, 1m, e, o, l, D)",
                    b[i] as char
                )));
            }
            _ => return Err(CmdError::syntax(at(i))),
        }
    }
    Ok(o)
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let o = parse(s, c)?;
    let modules = s.symbols.modules();
    let mut list: Vec<usize> = (0..modules.len())
        .filter(|&i| {
            let m = &modules[i];
            o.name_pattern.as_ref().is_none_or(|p| wildcard_match(p, &m.name))
                && o.path_pattern.as_ref().is_none_or(|p| wildcard_match(p, &m.guest_path))
                && o.address.is_none_or(|a| m.contains(a))
        })
        .filter(|&i| !o.problems_only || matches!(s.symbols.status(i), SymbolStatus::Export | SymbolStatus::None))
        .collect();
    if o.sort_by_name {
        list.sort_by_key(|&i| (modules[i].name.to_lowercase(), modules[i].base));
    } else {
        list.sort_by_key(|&i| modules[i].base);
    }
    let mut out = String::new();
    if o.names_only {
        for i in list {
            out.push_str(&modules[i].name);
            out.push('\n');
        }
        return Ok(out);
    }
    if o.verbose {
        out.push_str("Browse full module list\n");
    }
    out.push_str("start             end                 module name\n");
    for i in list {
        out.push_str(&row(s, i));
        if o.verbose {
            out.push_str(&verbose(s, &s.symbols.modules()[i]));
        }
    }
    Ok(out)
}

/// `start end   name     (status)               symbol-file`.
fn row(s: &Session, i: usize) -> String {
    let m = &s.symbols.modules()[i];
    let status = s.symbols.status(i);
    let file = match status {
        SymbolStatus::Private | SymbolStatus::Public => s.symbols.pdb_path(i).map(|p| guest_pdb_path(m, &p)).unwrap_or_default(),
        SymbolStatus::Export => m.guest_path.clone(),
        SymbolStatus::None => String::new(),
    };
    format!("{} {}   {:<8}   {:<23}{file}\n", format_address(m.base), format_address(m.end()), m.name, status.lm_text())
}

/// The PDB as the guest sees it: next to the image.
fn guest_pdb_path(m: &Module, pdb: &str) -> String {
    let file = pdb.rsplit(['\\', '/']).next().unwrap_or(pdb);
    match m.guest_path.rfind('\\') {
        Some(d) => format!("{}{file}", &m.guest_path[..=d]),
        None => file.to_string(),
    }
}

/// The `lmv` block under a module's row.
fn verbose(s: &Session, m: &Module) -> String {
    let mut out = String::new();
    let mut line = |t: String| {
        out.push_str("    ");
        out.push_str(&t);
        out.push('\n');
    };
    line(format!("Loaded symbol image file: {}", m.guest_path));
    line(format!("Image path: {}", m.guest_path));
    line(format!("Image name: {}", m.file_name));
    line("Browse all global symbols  functions  data".into());
    if m.kind == ModuleKind::Synthetic || is_repro(&s.process.cpu, m.base) {
        line("Image was built with /Brepro flag.".into());
        line(format!("Timestamp:        {:08X} (This is a reproducible build file hash, not a timestamp)", m.timestamp));
    } else if m.timestamp == 0 {
        line("Timestamp:        unavailable (00000000)".into());
    } else {
        line(format!("Timestamp:        {} ({:08X})", ctime_utc(m.timestamp), m.timestamp));
    }
    line(format!("CheckSum:         {:08X}", m.checksum));
    line(format!("ImageSize:        {:08X}", m.size));
    line("Translations:     0000.04b0 0000.04e4 0409.04b0 0409.04e4".into());
    line("Information from resource tables:".into());
    out
}

/// True if the mapped image's debug directory has a REPRO entry.
fn is_repro<M: GuestMemory + ?Sized>(mem: &M, base: u64) -> bool {
    let find = || -> Option<bool> {
        let pe = base + u64::from(mem.read_u32(base + 0x3c).ok()?);
        let opt = pe + 24;
        if mem.read_u16(opt).ok()? != 0x20b {
            return Some(false);
        }
        // IMAGE_OPTIONAL_HEADER64.DataDirectory[IMAGE_DIRECTORY_ENTRY_DEBUG = 6].
        if mem.read_u32(opt + 108).ok()? <= 6 {
            return Some(false);
        }
        let rva = mem.read_u32(opt + 112 + 6 * 8).ok()?;
        let size = mem.read_u32(opt + 112 + 6 * 8 + 4).ok()?;
        // IMAGE_DEBUG_DIRECTORY: 28 bytes, Type at +0xc.
        Some((0..(size / 28).min(64)).any(|k| mem.read_u32(base + u64::from(rva) + u64::from(k) * 28 + 0xc).ok() == Some(IMAGE_DEBUG_TYPE_REPRO)))
    };
    find().unwrap_or(false)
}

/// `Thu Aug 13 03:23:30 2015`, the C library's ctime layout, in UTC.
fn ctime_utc(t: u32) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = i64::from(t);
    let days = secs / 86400;
    let rem = secs % 86400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_the_c_library() {
        assert_eq!(ctime_utc(0), "Thu Jan  1 00:00:00 1970");
        // The firefox capture: 55CBF192 = Thu Aug 13 01:23:30 2015 UTC.
        assert_eq!(ctime_utc(0x55cb_f192), "Thu Aug 13 01:23:30 2015");
        assert_eq!(ctime_utc(951_782_400), "Tue Feb 29 00:00:00 2000");
    }
}
