//! The symbol engine: names for addresses and addresses for names, from PDBs (procedures,
//! inline sites and line numbers through pdb-addr2line; public symbols undecorated with
//! msvc-demangler), export tables, and the synthetic modules' own names.

use std::cell::RefCell;
use std::io::Cursor;
use std::sync::Arc;

use msvc_demangler::DemangleFlags;
use pdb_addr2line::pdb::{self, FallibleIterator};
use pdb_addr2line::{ContextPdbData, TypeFormatterFlags};

use super::symbol_info::{self, SymbolInfo, SymbolKind};
use crate::process::module::{Module, SymbolSource};

/// How `lm` describes a module's symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolStatus {
    Private,
    Public,
    Export,
    None,
}

impl SymbolStatus {
    pub fn lm_text(self) -> &'static str {
        match self {
            SymbolStatus::Private => "(private pdb symbols)",
            SymbolStatus::Public => "(pdb symbols)",
            SymbolStatus::Export => "(export symbols)",
            SymbolStatus::None => "(no symbols)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub rva: u32,
    /// 0 when unknown (publics, exports).
    pub size: u32,
    pub name: String,
    pub is_function: bool,
}

/// One frame of an address's inline stack: function name and source position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFrame {
    pub function: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// Shared PDB bytes, readable through a Cursor.
#[derive(Debug, Clone)]
struct Bytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

type PdbData = ContextPdbData<'static, 'static, Cursor<Bytes>>;

struct ModuleSymbols {
    status: SymbolStatus,
    /// Sorted by rva.
    symbols: Vec<Symbol>,
    pdb: Option<PdbData>,
    pdb_bytes: Option<Arc<Vec<u8>>>,
    pdb_path: Option<String>,
}

/// Symbols for every module of the process, loaded on first use.
pub struct SymbolEngine {
    modules: Vec<Module>,
    loaded: RefCell<Vec<Option<Arc<ModuleSymbols>>>>,
    /// `symbol_infos`, built on first use (it reads the PDB's type records).
    infos: RefCell<Vec<Option<Arc<Vec<SymbolInfo>>>>>,
}

/// WinDbg shows `__imp_X` import-table publics as `_imp_X`.
pub(crate) fn display_public(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("__imp_") {
        return format!("_imp_{rest}");
    }
    if name.starts_with('?')
        && let Ok(d) = msvc_demangler::demangle(name, DemangleFlags::NAME_ONLY) {
            return d;
        }
    name.to_string()
}

/// The name MSVC gives a structured-exception funclet (`main$filt$0`, `main$fin$0`) for
/// clang's (`?filt$0@0@main@@`, `?fin$0@0@main@@`, `?dtor$2@?0?main@4HA`).
fn seh_funclet_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix('?')?;
    let (kind, rest) = rest.split_once('$')?;
    if !matches!(kind, "filt" | "fin" | "dtor") {
        return None;
    }
    let (index, rest) = rest.split_once('@')?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let function = if kind == "dtor" {
        // ?dtor$N@?0?FUNCTION@4HA
        rest.strip_prefix("?0?")?.split_once('@')?.0
    } else {
        // ?filt$N@0@FUNCTION@@
        rest.split_once('@')?.1.strip_suffix("@@")?
    };
    if function.is_empty() || function.contains(['?', '@']) {
        return None;
    }
    Some(format!("{function}${kind}${index}"))
}

/// pdb-addr2line names carry no argument list with NO_ARGUMENTS, but may carry a
/// trailing return-type or template noise we do not print.
fn clean_function_name(name: &str) -> String {
    name.trim().to_string()
}

impl SymbolEngine {
    pub fn new(modules: Vec<Module>) -> SymbolEngine {
        let n = modules.len();
        SymbolEngine { modules, loaded: RefCell::new(vec![None; n]), infos: RefCell::new(vec![None; n]) }
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    fn module_symbols(&self, idx: usize) -> Arc<ModuleSymbols> {
        if let Some(m) = &self.loaded.borrow()[idx] {
            return m.clone();
        }
        let m = Arc::new(load(&self.modules[idx]));
        self.loaded.borrow_mut()[idx] = Some(m.clone());
        m
    }

    pub fn status(&self, idx: usize) -> SymbolStatus {
        self.module_symbols(idx).status
    }

    /// The module's PDB, when it has a matching one (for type information).
    pub fn pdb_bytes(&self, idx: usize) -> Option<Arc<Vec<u8>>> {
        self.module_symbols(idx).pdb_bytes.clone()
    }

    pub fn pdb_path(&self, idx: usize) -> Option<String> {
        self.module_symbols(idx).pdb_path.clone()
    }

    pub fn module_index_at(&self, addr: u64) -> Option<usize> {
        self.modules.iter().position(|m| m.contains(addr))
    }

    /// The nearest symbol at or before `addr` in its module, with the offset.
    pub fn nearest(&self, addr: u64) -> Option<(usize, Symbol, u64)> {
        let idx = self.module_index_at(addr)?;
        let m = &self.modules[idx];
        let syms = self.module_symbols(idx);
        let rva = (addr - m.base) as u32;
        let pos = syms.symbols.partition_point(|s| s.rva <= rva);
        if pos == 0 {
            return None;
        }
        let s = syms.symbols[pos - 1].clone();
        Some((idx, s.clone(), u64::from(rva - s.rva)))
    }

    /// The next symbol after `addr` (for `ln`).
    pub fn next_after(&self, addr: u64) -> Option<(usize, Symbol)> {
        let idx = self.module_index_at(addr)?;
        let m = &self.modules[idx];
        let syms = self.module_symbols(idx);
        let rva = (addr - m.base) as u32;
        let pos = syms.symbols.partition_point(|s| s.rva <= rva);
        syms.symbols.get(pos).map(|s| (idx, s.clone()))
    }

    /// `module!symbol+0xoff`, `module!symbol`, `module+0xoff`; None outside modules.
    pub fn format(&self, addr: u64) -> Option<String> {
        let idx = self.module_index_at(addr)?;
        let m = &self.modules[idx];
        match self.nearest(addr) {
            Some((_, s, 0)) => Some(format!("{}!{}", m.name, s.name)),
            Some((_, s, off)) if s.size == 0 || off < u64::from(s.size) || off < 0x10_0000 => {
                Some(format!("{}!{}+0x{:x}", m.name, s.name, off))
            }
            _ => Some(format!("{}+0x{:x}", m.name, addr - m.base)),
        }
    }

    /// The address of `name`: `module!symbol`, `symbol` (every module, program first) or a
    /// bare module name (its base). Case-insensitive, as WinDbg is.
    pub fn lookup(&self, name: &str) -> Option<u64> {
        if let Some((module, sym)) = name.split_once('!') {
            let indices: Vec<usize> = if module.is_empty() || module == "*" {
                (0..self.modules.len()).collect()
            } else {
                let i = self.modules.iter().position(|m| m.name.eq_ignore_ascii_case(module) || m.file_name.eq_ignore_ascii_case(module))?;
                vec![i]
            };
            return indices.into_iter().find_map(|i| self.lookup_in(i, sym));
        }
        if let Some(m) = self.modules.iter().find(|m| m.name.eq_ignore_ascii_case(name)) {
            return Some(m.base);
        }
        (0..self.modules.len()).find_map(|i| self.lookup_in(i, name))
    }

    fn lookup_in(&self, idx: usize, sym: &str) -> Option<u64> {
        let m = &self.modules[idx];
        let syms = self.module_symbols(idx);
        let exact = syms.symbols.iter().find(|s| s.name == sym);
        let found = exact.or_else(|| syms.symbols.iter().find(|s| s.name.eq_ignore_ascii_case(sym)));
        if let Some(s) = found {
            return Some(m.base + u64::from(s.rva));
        }
        m.exports
            .iter()
            .find(|e| e.forwarder.is_none() && e.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(sym)))
            .map(|e| m.base + u64::from(e.rva))
    }

    /// Every symbol of module `idx` (for `x`).
    pub fn symbols_of(&self, idx: usize) -> Vec<Symbol> {
        self.module_symbols(idx).symbols.clone()
    }

    /// Every symbol of module `idx` with its kind and type, in rva order (for `x` and
    /// `ln`). With a PDB: procedures, global and static data, and the publics that have
    /// no private symbol at their address; otherwise the names `symbols_of` gives.
    pub fn symbol_infos(&self, idx: usize) -> Arc<Vec<SymbolInfo>> {
        if let Some(i) = self.infos.borrow().get(idx).and_then(|i| i.clone()) {
            return i;
        }
        let syms = self.module_symbols(idx);
        let from_pdb = syms.pdb_bytes.as_ref().and_then(|b| symbol_info::from_pdb(b.clone()));
        let m = &self.modules[idx];
        // A synthetic module's names outside executable sections are data (like
        // RtlpProcessHeapsListBuffer), shown as publics without type information.
        let kind_of = |s: &Symbol| match m.symbols {
            SymbolSource::Synthetic(_) if !in_code(m, s.rva) => SymbolKind::PublicData { decorated: s.name.clone() },
            SymbolSource::Synthetic(_) => SymbolKind::Synthetic,
            _ => SymbolKind::Export,
        };
        let infos = Arc::new(from_pdb.unwrap_or_else(|| {
            syms.symbols.iter().map(|s| SymbolInfo { rva: s.rva, size: s.size, name: s.name.clone(), kind: kind_of(s) }).collect()
        }));
        if let Some(slot) = self.infos.borrow_mut().get_mut(idx) {
            *slot = Some(infos.clone());
        }
        infos
    }

    /// The inline stack and source lines at `addr`, innermost first. Empty without PDB lines.
    pub fn source_frames(&self, addr: u64) -> Vec<SourceFrame> {
        let Some(idx) = self.module_index_at(addr) else { return vec![] };
        let syms = self.module_symbols(idx);
        let Some(data) = &syms.pdb else { return vec![] };
        let rva = (addr - self.modules[idx].base) as u32;
        let Ok(ctx) = data.make_context_with_formatter_flags(TypeFormatterFlags::NO_ARGUMENTS | TypeFormatterFlags::NO_FUNCTION_RETURN) else {
            return vec![];
        };
        match ctx.find_frames(rva) {
            Ok(Some(ff)) => ff
                .frames
                .into_iter()
                .map(|f| SourceFrame {
                    function: f.function.map(|n| clean_function_name(n.as_str())),
                    file: f.file.map(|c| c.into_owned()),
                    line: f.line,
                })
                .collect(),
            _ => vec![],
        }
    }

    /// The start address of each inline site covering `addr`, innermost first (WinDbg
    /// shows an inline frame's offset from the start of its inlined code).
    pub fn inline_starts(&self, addr: u64) -> Vec<u64> {
        let Some(idx) = self.module_index_at(addr) else { return vec![] };
        let syms = self.module_symbols(idx);
        let Some(bytes) = &syms.pdb_bytes else { return vec![] };
        let base = self.modules[idx].base;
        let rva = (addr - base) as u32;
        inline_site_starts(bytes.clone(), rva).unwrap_or_default().into_iter().map(|r| base + u64::from(r)).collect()
    }

    /// Start and end of the function containing `addr`, from the PDB or symbol sizes.
    pub fn function_range(&self, addr: u64) -> Option<(u64, u64)> {
        let (idx, s, _) = self.nearest(addr)?;
        let base = self.modules[idx].base;
        if s.size != 0 {
            return Some((base + u64::from(s.rva), base + u64::from(s.rva) + u64::from(s.size)));
        }
        None
    }
}

/// True if `rva` lies in a section with IMAGE_SCN_MEM_EXECUTE.
fn in_code(m: &Module, rva: u32) -> bool {
    const IMAGE_SCN_MEM_EXECUTE: u32 = 0x2000_0000;
    m.sections.iter().any(|s| {
        s.characteristics & IMAGE_SCN_MEM_EXECUTE != 0 && rva >= s.rva && u64::from(rva) < u64::from(s.rva) + u64::from(s.virtual_size)
    })
}

fn load(m: &Module) -> ModuleSymbols {
    match &m.symbols {
        SymbolSource::Synthetic(list) => {
            let mut symbols: Vec<Symbol> = list
                .iter()
                .map(|(rva, size, name)| Symbol {
                    rva: *rva,
                    size: *size,
                    name: display_public(name),
                    // Data items live outside the executable section.
                    is_function: in_code(m, *rva),
                })
                .collect();
            symbols.sort_by_key(|s| s.rva);
            ModuleSymbols { status: SymbolStatus::Public, symbols, pdb: None, pdb_bytes: None, pdb_path: None }
        }
        SymbolSource::Pdb { path, bytes, guid, age, name } => {
            let data = match (bytes, path) {
                (Some(b), _) => Some(b.to_vec()),
                (None, Some(p)) => std::fs::read(p).ok(),
                _ => None,
            };
            let shown = path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| name.clone());
            if let Some(d) = data
                && let Some(ms) = load_pdb(Arc::new(d), guid, *age) {
                    return ModuleSymbols { pdb_path: Some(shown), ..ms };
                }
            exports_only(m)
        }
        SymbolSource::Exports => exports_only(m),
    }
}

fn exports_only(m: &Module) -> ModuleSymbols {
    let mut symbols: Vec<Symbol> = m
        .exports
        .iter()
        .filter(|e| e.forwarder.is_none())
        .filter_map(|e| e.name.as_ref().map(|n| Symbol { rva: e.rva, size: 0, name: n.clone(), is_function: true }))
        .collect();
    symbols.sort_by_key(|s| s.rva);
    symbols.dedup_by_key(|s| s.rva);
    let status = if symbols.is_empty() { SymbolStatus::None } else { SymbolStatus::Export };
    ModuleSymbols { status, symbols, pdb: None, pdb_bytes: None, pdb_path: None }
}

/// Procedures (with sizes) from the module streams, publics from the global stream; a
/// PDB whose GUID/age does not match the image is ignored, as WinDbg does.
fn load_pdb(bytes: Arc<Vec<u8>>, guid: &[u8; 16], age: u32) -> Option<ModuleSymbols> {
    let mut pdb = pdb::PDB::open(Cursor::new(Bytes(bytes.clone()))).ok()?;
    let info = pdb.pdb_information().ok()?;
    let g = info.guid.as_bytes();
    // The image stores the GUID in its in-memory (little-endian fields) layout.
    let mut le = *g;
    le[0..4].reverse();
    le[4..6].reverse();
    le[6..8].reverse();
    if le != *guid && g != guid {
        return None;
    }
    let dbi_age = pdb.debug_information().ok().and_then(|d| d.age()).unwrap_or(info.age);
    if dbi_age != age && info.age != age {
        return None;
    }
    let address_map = pdb.address_map().ok()?;
    let mut symbols: Vec<Symbol> = Vec::new();
    let globals = pdb.global_symbols().ok()?;
    let mut iter = globals.iter();
    while let Ok(Some(sym)) = iter.next() {
        if let Ok(pdb::SymbolData::Public(p)) = sym.parse()
            && let Some(rva) = p.offset.to_rva(&address_map) {
                symbols.push(Symbol {
                    rva: rva.0,
                    size: 0,
                    name: display_public(&p.name.to_string()),
                    is_function: p.function || p.code,
                });
            }
    }
    let data: PdbData = ContextPdbData::try_from_pdb(pdb).ok()?;
    let mut private = false;
    if let Ok(ctx) = data.make_context_with_formatter_flags(TypeFormatterFlags::NO_ARGUMENTS | TypeFormatterFlags::NO_FUNCTION_RETURN) {
        for f in ctx.functions() {
            let Some(mut name) = f.name else { continue };
            if name.starts_with('?') {
                // Decorated names are the publics' (demangled above); clang's SEH funclets
                // have no public and get the names MSVC gives its own.
                match seh_funclet_name(&name) {
                    Some(n) => name = n,
                    None => continue,
                }
            }
            let size = f.end_rva.map(|e| e - f.start_rva).unwrap_or(0);
            if let Some(existing) = symbols.iter_mut().find(|s| s.rva == f.start_rva && s.is_function) {
                if size != 0 {
                    existing.size = size;
                    existing.name = clean_function_name(&name);
                    private = true;
                }
            } else if size != 0 {
                private = true;
                symbols.push(Symbol { rva: f.start_rva, size, name: clean_function_name(&name), is_function: true });
            }
        }
    }
    symbols.sort_by(|a, b| a.rva.cmp(&b.rva).then(b.size.cmp(&a.size)));
    symbols.dedup_by_key(|s| s.rva);
    let status = if private { SymbolStatus::Private } else { SymbolStatus::Public };
    Some(ModuleSymbols { status, symbols, pdb: Some(data), pdb_bytes: Some(bytes), pdb_path: None })
}

/// An inline site's nesting depth and its code ranges (rvas).
struct InlineSite {
    depth: usize,
    ranges: Vec<(u32, u32)>,
}

/// Walks the S_INLINESITE records of the procedure containing `rva` and returns the
/// lowest code address of every inline site whose ranges contain it, innermost first.
fn inline_site_starts(bytes: Arc<Vec<u8>>, rva: u32) -> Option<Vec<u32>> {
    use pdb::{BinaryAnnotation, SymbolData};
    let mut pdb = pdb::PDB::open(Cursor::new(Bytes(bytes))).ok()?;
    let address_map = pdb.address_map().ok()?;
    let dbi = pdb.debug_information().ok()?;
    let mut modules = dbi.modules().ok()?;
    while let Ok(Some(module)) = modules.next() {
        let Ok(Some(info)) = pdb.module_info(&module) else { continue };
        let Ok(mut iter) = info.symbols() else { continue };
        let mut proc_start: Option<u32> = None;
        let mut proc_end_index = None;
        let mut sites: Vec<InlineSite> = Vec::new();
        let mut depth_of: Vec<(u32, usize)> = Vec::new();
        while let Ok(Some(sym)) = iter.next() {
            match sym.parse() {
                Ok(SymbolData::Procedure(p)) => {
                    let start = p.offset.to_rva(&address_map).map(|r| r.0);
                    if let Some(st) = start
                        && rva >= st && rva < st + p.len {
                            proc_start = Some(st);
                            proc_end_index = Some(p.end.0);
                            sites.clear();
                            depth_of.clear();
                            continue;
                        }
                    if proc_start.is_some() {
                        break;
                    }
                }
                Ok(SymbolData::InlineSite(site)) if proc_start.is_some() => {
                    let parent_depth = site
                        .parent
                        .and_then(|pi| depth_of.iter().find(|(i, _)| *i == pi.0).map(|(_, d)| *d))
                        .unwrap_or(0);
                    let depth = parent_depth + 1;
                    depth_of.push((sym.index().0, depth));
                    let mut ranges = Vec::new();
                    let (mut offset, mut pending): (u32, Option<u32>) = (0, None);
                    let mut annotations = site.annotations.iter();
                    while let Ok(Some(a)) = annotations.next() {
                        match a {
                            BinaryAnnotation::CodeOffset(o) => offset = o,
                            BinaryAnnotation::ChangeCodeOffset(d) | BinaryAnnotation::ChangeCodeOffsetAndLineOffset(d, _) => {
                                if let Some(st) = pending.take() {
                                    ranges.push((st, offset + d));
                                }
                                offset += d;
                                pending = Some(offset);
                            }
                            BinaryAnnotation::ChangeCodeLength(l) => {
                                if let Some(st) = pending.take() {
                                    ranges.push((st, st + l));
                                }
                            }
                            BinaryAnnotation::ChangeCodeLengthAndCodeOffset(l, d) => {
                                if let Some(st) = pending.take() {
                                    ranges.push((st, offset + d));
                                }
                                offset += d;
                                ranges.push((offset, offset + l));
                            }
                            _ => {}
                        }
                    }
                    let st = proc_start?;
                    sites.push(InlineSite { depth, ranges: ranges.into_iter().map(|(a, b)| (st + a, st + b)).collect() });
                }
                _ => {}
            }
            if let (Some(end), true) = (proc_end_index, proc_start.is_some())
                && sym.index().0 >= end {
                    break;
                }
        }
        if proc_start.is_some() {
            let mut hits: Vec<(usize, u32)> = sites
                .iter()
                .filter(|s| s.ranges.iter().any(|(a, b)| rva >= *a && rva < *b))
                .map(|s| (s.depth, s.ranges.iter().map(|x| x.0).min().unwrap_or(0)))
                .collect();
            hits.sort_by_key(|h| std::cmp::Reverse(h.0));
            return Some(hits.into_iter().map(|h| h.1).collect());
        }
    }
    Some(vec![])
}

/// One element of a wildcard pattern.
enum Wild {
    Star,
    Any,
    Char(char),
    /// `[abc]`, `[a-z]`, `[!a-f]` (or `[^...]`): (negated, inclusive ranges).
    Set(bool, Vec<(char, char)>),
}

fn parse_wildcards(pattern: &str) -> Vec<Wild> {
    let chars: Vec<char> = pattern.to_lowercase().chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Wild::Star),
            '?' => out.push(Wild::Any),
            '[' if chars[i + 1..].contains(&']') => {
                let mut j = i + 1;
                let negated = matches!(chars.get(j), Some('!') | Some('^'));
                if negated {
                    j += 1;
                }
                let mut ranges = Vec::new();
                while j < chars.len() && chars[j] != ']' {
                    if j + 2 < chars.len() && chars[j + 1] == '-' && chars[j + 2] != ']' {
                        ranges.push((chars[j], chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((chars[j], chars[j]));
                        j += 1;
                    }
                }
                out.push(Wild::Set(negated, ranges));
                i = j;
            }
            c => out.push(Wild::Char(c)),
        }
        i += 1;
    }
    out
}

/// WinDbg's string wildcards (`*`, `?`, `[a-z]` sets), case-insensitive.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p = parse_wildcards(pattern);
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // reachable[j]: the pattern prefix seen so far can match t[..j].
    let mut reachable = vec![false; t.len() + 1];
    reachable[0] = true;
    for w in &p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            if !reachable[j] {
                continue;
            }
            match w {
                Wild::Star => {
                    for slot in next.iter_mut().skip(j) {
                        *slot = true;
                    }
                }
                Wild::Any if j < t.len() => next[j + 1] = true,
                Wild::Char(c) if j < t.len() && t[j] == *c => next[j + 1] = true,
                Wild::Set(neg, ranges) if j < t.len() => {
                    let inside = ranges.iter().any(|(lo, hi)| *lo <= t[j] && t[j] <= *hi);
                    if inside != *neg {
                        next[j + 1] = true;
                    }
                }
                _ => {}
            }
        }
        reachable = next;
    }
    reachable[t.len()]
}

/// Symbols matching `module!pattern` (module may be a pattern too), as (address,
/// `module!name`), in address order per module.
pub fn matching(engine: &SymbolEngine, pattern: &str, functions_only: bool) -> Vec<(u64, String)> {
    let (mpat, spat) = pattern.split_once('!').unwrap_or(("*", pattern));
    let mut out = Vec::new();
    for (i, m) in engine.modules().iter().enumerate() {
        if !wildcard_match(mpat, &m.name) {
            continue;
        }
        for s in engine.symbols_of(i) {
            if functions_only && !s.is_function {
                continue;
            }
            if wildcard_match(spat, &s.name) {
                out.push((m.base + u64::from(s.rva), format!("{}!{}", m.name, s.name)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("alloc*", "alloc_malloc"));
        assert!(wildcard_match("*ALLOC*", "RtlAllocateHeap"));
        assert!(wildcard_match("a?loc_new", "alloc_new"));
        assert!(!wildcard_match("alloc", "alloc_new"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("Rtl[A-F]*Heap", "RtlAllocateHeap"));
        assert!(wildcard_match("Rtl[A-F]*Heap", "RtlFreeHeap"));
        assert!(!wildcard_match("Rtl[A-F]*Heap", "RtlSizeHeap"));
        assert!(wildcard_match("Rtl[!A-F]*Heap", "RtlSizeHeap"));
        assert!(wildcard_match("alloc_[hm]*", "alloc_heap"));
        assert!(!wildcard_match("alloc_[hm]*", "alloc_new"));
        assert!(wildcard_match("a[b", "a[b"));
    }

    #[test]
    fn public_names_are_shown_like_windbg() {
        assert_eq!(display_public("__imp_HeapAlloc"), "_imp_HeapAlloc");
        assert_eq!(display_public("?alloc_malloc@@YAPEAX_K@Z"), "alloc_malloc");
        assert_eq!(display_public("??2@YAPEAX_K@Z"), "operator new");
        assert_eq!(display_public("main"), "main");
    }

    #[test]
    fn seh_funclets_get_msvc_names() {
        assert_eq!(seh_funclet_name("?filt$0@0@filter_passes_it_on@@").as_deref(), Some("filter_passes_it_on$filt$0"));
        assert_eq!(seh_funclet_name("?fin$1@0@finally_blocks@@").as_deref(), Some("finally_blocks$fin$1"));
        assert_eq!(seh_funclet_name("?dtor$2@?0?test2@4HA").as_deref(), Some("test2$dtor$2"));
        assert_eq!(seh_funclet_name("??__Eglobal@@YAXXZ"), None);
        assert_eq!(seh_funclet_name("?alloc_malloc@@YAPEAX_K@Z"), None);
    }
}
