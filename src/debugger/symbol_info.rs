//! What `x` and `ln` say about a symbol beyond its name and address: whether it is a
//! function or data, whether it comes with type information (PDB procedures and global
//! data) or not (publics, exports), its parameter list or data type, and a public's
//! decorated name. Types are named the way DbgHelp names them in `x` and `dv` output
//! (`unsigned int64`, `char *`, `struct _HEAP *`), which is not C's spelling.

use std::io::Cursor;
use std::sync::Arc;

use msvc_demangler::DemangleFlags;
use pdb_addr2line::pdb::{self, FallibleIterator, PrimitiveKind, TypeData, TypeIndex};

use super::symbols::display_public;

/// A symbol as `x` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolInfo {
    pub rva: u32,
    /// Bytes (procedures, typed data); 0 when unknown.
    pub size: u32,
    /// The name WinDbg shows after `module!`.
    pub name: String,
    pub kind: SymbolKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolKind {
    /// A PDB procedure: `params` is the parameter list WinDbg prints (`unsigned int64`,
    /// `void`, `int, char **`).
    Function { params: String },
    /// PDB global or static data with its type.
    Data { ty: DataType },
    /// A public symbol for code, with its decorated name. WinDbg prints the full
    /// undecorated name in parentheses.
    PublicFunction { decorated: String },
    /// A public symbol for data (`__imp_X`, string literals): no type information.
    PublicData { decorated: String },
    /// A function of a crtlab-built module (ntdll, KERNEL32). Those stand in for
    /// Windows' own DLLs, whose public PDBs give `(Name)`.
    Synthetic,
    /// A name from the export table only.
    Export,
}

/// A data symbol's type, enough to print its value as `dv` and `x` do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataType {
    Int { size: u8, signed: bool },
    Char { signed: bool },
    WChar,
    Bool { size: u8 },
    Float { size: u8 },
    /// A pointer; `name` is the type's display name (`char *`).
    Pointer { name: String, pointee: Pointee },
    Enum { name: String, size: u8, values: Vec<(i64, String)> },
    /// An array of `count` elements of `elem`; `name` is `char [32]`.
    Array { name: String, elem: Box<DataType>, count: u32 },
    /// Structures, unions, functions: printed by type name only.
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointee {
    Char,
    WChar,
    Other,
}

impl DataType {
    /// The type's name as `dv /t` prints it.
    pub fn name(&self) -> String {
        match self {
            DataType::Int { size, signed } => int_name(*size, *signed).to_string(),
            DataType::Char { signed: true } => "char".into(),
            DataType::Char { signed: false } => "unsigned char".into(),
            DataType::WChar => "wchar_t".into(),
            DataType::Bool { .. } => "bool".into(),
            DataType::Float { size: 4 } => "float".into(),
            DataType::Float { .. } => "double".into(),
            DataType::Pointer { name, .. } | DataType::Array { name, .. } | DataType::Other(name) => name.clone(),
            DataType::Enum { name, .. } => format!("enum {name}"),
        }
    }

    /// Bytes the value occupies.
    pub fn size(&self) -> u32 {
        match self {
            DataType::Int { size, .. } | DataType::Bool { size } | DataType::Float { size } | DataType::Enum { size, .. } => {
                u32::from(*size)
            }
            DataType::Char { .. } => 1,
            DataType::WChar => 2,
            DataType::Pointer { .. } => 8,
            DataType::Array { elem, count, .. } => elem.size().saturating_mul(*count),
            DataType::Other(_) => 0,
        }
    }
}

fn int_name(size: u8, signed: bool) -> &'static str {
    match (size, signed) {
        (1, true) => "char",
        (1, false) => "unsigned char",
        (2, true) => "short",
        (2, false) => "unsigned short",
        (4, true) => "int",
        (4, false) => "unsigned int",
        (_, true) => "int64",
        (_, false) => "unsigned int64",
    }
}

/// The full undecorated form of a decorated C++ name, as DbgHelp's UnDecorateSymbolName
/// gives it (`void * __cdecl alloc_malloc(unsigned __int64)`); the name itself for C names.
pub fn undecorate_full(decorated: &str) -> String {
    if decorated.starts_with('?')
        && let Ok(d) = msvc_demangler::demangle(decorated, DemangleFlags::MS_TYPENAMES)
    {
        return d;
    }
    decorated.to_string()
}

#[derive(Debug, Clone)]
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Every procedure, global/static datum and public of a PDB, in rva order. A public
/// at the address of a procedure or typed datum is dropped: DbgHelp prefers the private
/// symbol.
pub fn from_pdb(bytes: Arc<Vec<u8>>) -> Option<Vec<SymbolInfo>> {
    let mut pdb = pdb::PDB::open(Cursor::new(ArcBytes(bytes))).ok()?;
    let address_map = pdb.address_map().ok()?;
    let tpi = pdb.type_information().ok()?;
    let mut finder = tpi.finder();
    let mut types = tpi.iter();
    while let Ok(Some(_)) = types.next() {
        finder.update(&types);
    }
    let namer = Namer { finder: &finder };
    let mut out: Vec<SymbolInfo> = Vec::new();

    if let Ok(dbi) = pdb.debug_information()
        && let Ok(mut modules) = dbi.modules()
    {
        while let Ok(Some(module)) = modules.next() {
            let Ok(Some(info)) = pdb.module_info(&module) else { continue };
            let Ok(mut iter) = info.symbols() else { continue };
            while let Ok(Some(sym)) = iter.next() {
                if let Ok(pdb::SymbolData::Procedure(p)) = sym.parse() {
                    let Some(rva) = p.offset.to_rva(&address_map) else { continue };
                    out.push(SymbolInfo {
                        rva: rva.0,
                        size: p.len,
                        name: p.name.to_string().into_owned(),
                        kind: SymbolKind::Function { params: namer.params(p.type_index) },
                    });
                }
            }
        }
    }

    let mut publics = Vec::new();
    let globals = pdb.global_symbols().ok()?;
    let mut iter = globals.iter();
    while let Ok(Some(sym)) = iter.next() {
        match sym.parse() {
            Ok(pdb::SymbolData::Data(d)) => {
                let Some(rva) = d.offset.to_rva(&address_map) else { continue };
                let ty = namer.data_type(d.type_index, 0);
                out.push(SymbolInfo { rva: rva.0, size: ty.size(), name: d.name.to_string().into_owned(), kind: SymbolKind::Data { ty } });
            }
            Ok(pdb::SymbolData::Public(p)) => {
                let Some(rva) = p.offset.to_rva(&address_map) else { continue };
                let decorated = p.name.to_string().into_owned();
                let kind = if p.function || p.code {
                    SymbolKind::PublicFunction { decorated: decorated.clone() }
                } else {
                    SymbolKind::PublicData { decorated: decorated.clone() }
                };
                publics.push(SymbolInfo { rva: rva.0, size: 0, name: display_public(&decorated), kind });
            }
            _ => {}
        }
    }
    let private: std::collections::HashSet<u32> = out.iter().map(|s| s.rva).collect();
    out.extend(publics.into_iter().filter(|p| !private.contains(&p.rva)));
    out.sort_by(|a, b| a.rva.cmp(&b.rva).then_with(|| a.name.cmp(&b.name)));
    out.dedup_by(|a, b| a.rva == b.rva && a.name == b.name);
    Some(out)
}

/// Names PDB types the DbgHelp way.
struct Namer<'a, 't> {
    finder: &'a pdb::TypeFinder<'t>,
}

/// Deep enough for any real declarator; stops cycles through malformed records.
const MAX_DEPTH: u32 = 16;

impl Namer<'_, '_> {
    fn parse(&self, idx: TypeIndex) -> Option<TypeData<'_>> {
        self.finder.find(idx).ok()?.parse().ok()
    }

    /// `(params)` contents: `void` for none, `...` for varargs.
    fn params(&self, proc_type: TypeIndex) -> String {
        let list = match self.parse(proc_type) {
            Some(TypeData::Procedure(p)) => p.argument_list,
            Some(TypeData::MemberFunction(m)) => m.argument_list,
            _ => return "<no parameter info>".into(),
        };
        match self.parse(list) {
            Some(TypeData::ArgumentList(a)) if a.arguments.is_empty() => "void".into(),
            Some(TypeData::ArgumentList(a)) => {
                a.arguments.iter().map(|t| if t.0 == 0 { "...".to_string() } else { self.name(*t, 0) }).collect::<Vec<_>>().join(", ")
            }
            _ => "<no parameter info>".into(),
        }
    }

    fn name(&self, idx: TypeIndex, depth: u32) -> String {
        if depth > MAX_DEPTH {
            return "<unknown>".into();
        }
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) => {
                let base = primitive_name(p.kind);
                if p.indirection.is_some() { pointer_to(&base) } else { base }
            }
            Some(TypeData::Pointer(p)) => match self.parse(p.underlying_type) {
                Some(TypeData::Procedure(_)) | Some(TypeData::MemberFunction(_)) => "<function> *".into(),
                _ => pointer_to(&self.name(p.underlying_type, depth + 1)),
            },
            Some(TypeData::Modifier(m)) => self.name(m.underlying_type, depth + 1),
            Some(TypeData::Class(c)) => {
                let kw = match c.kind {
                    pdb::ClassKind::Class => "class",
                    pdb::ClassKind::Struct => "struct",
                    pdb::ClassKind::Interface => "interface",
                };
                format!("{kw} {}", c.name)
            }
            Some(TypeData::Union(u)) => format!("union {}", u.name),
            Some(TypeData::Enumeration(e)) => format!("enum {}", e.name),
            Some(TypeData::Array(a)) => {
                let elem = self.name(a.element_type, depth + 1);
                let count = self.array_count(&a, depth);
                format!("{elem} [{count}]")
            }
            Some(TypeData::Bitfield(b)) => self.name(b.underlying_type, depth + 1),
            Some(TypeData::Procedure(_)) | Some(TypeData::MemberFunction(_)) => "<function>".into(),
            Some(TypeData::Alias(a)) => a.name.to_string().into_owned(),
            _ => "<unknown>".into(),
        }
    }

    fn array_count(&self, a: &pdb::ArrayType, depth: u32) -> u32 {
        let elem = self.size(a.element_type, depth + 1);
        match (a.dimensions.last(), elem) {
            (Some(bytes), e) if e > 0 => bytes / e,
            _ => 0,
        }
    }

    fn size(&self, idx: TypeIndex, depth: u32) -> u32 {
        if depth > MAX_DEPTH {
            return 0;
        }
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) if p.indirection.is_some() => 8,
            Some(TypeData::Primitive(p)) => primitive_size(p.kind),
            Some(TypeData::Pointer(_)) => 8,
            Some(TypeData::Modifier(m)) => self.size(m.underlying_type, depth + 1),
            Some(TypeData::Class(c)) => c.size as u32,
            Some(TypeData::Union(u)) => u.size as u32,
            Some(TypeData::Enumeration(e)) => self.size(e.underlying_type, depth + 1),
            Some(TypeData::Array(a)) => a.dimensions.last().copied().unwrap_or(0),
            Some(TypeData::Bitfield(b)) => self.size(b.underlying_type, depth + 1),
            _ => 0,
        }
    }

    /// The type of a datum, for printing its value.
    fn data_type(&self, idx: TypeIndex, depth: u32) -> DataType {
        if depth > MAX_DEPTH {
            return DataType::Other("<unknown>".into());
        }
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) if p.indirection.is_some() => {
                let pointee = match p.kind {
                    PrimitiveKind::Char | PrimitiveKind::RChar | PrimitiveKind::I8 | PrimitiveKind::Char8 => Pointee::Char,
                    PrimitiveKind::WChar => Pointee::WChar,
                    _ => Pointee::Other,
                };
                DataType::Pointer { name: self.name(idx, depth), pointee }
            }
            Some(TypeData::Primitive(p)) => primitive_data(p.kind),
            Some(TypeData::Pointer(p)) => {
                let pointee = match self.data_type(p.underlying_type, depth + 1) {
                    DataType::Char { signed: true } => Pointee::Char,
                    DataType::WChar => Pointee::WChar,
                    _ => Pointee::Other,
                };
                DataType::Pointer { name: self.name(idx, depth), pointee }
            }
            Some(TypeData::Modifier(m)) => self.data_type(m.underlying_type, depth + 1),
            Some(TypeData::Enumeration(e)) => {
                let size = self.size(e.underlying_type, depth + 1).clamp(1, 8) as u8;
                DataType::Enum { name: e.name.to_string().into_owned(), size, values: self.enumerators(e.fields) }
            }
            Some(TypeData::Array(a)) => DataType::Array {
                name: self.name(idx, depth),
                elem: Box::new(self.data_type(a.element_type, depth + 1)),
                count: self.array_count(&a, depth),
            },
            _ => DataType::Other(self.name(idx, depth)),
        }
    }

    fn enumerators(&self, fields: TypeIndex) -> Vec<(i64, String)> {
        let mut out = Vec::new();
        let mut next = Some(fields);
        let mut guard = 0;
        while let (Some(idx), true) = (next, guard < MAX_DEPTH) {
            guard += 1;
            let Some(TypeData::FieldList(list)) = self.parse(idx) else { break };
            for f in &list.fields {
                if let TypeData::Enumerate(e) = f {
                    let v = match e.value {
                        pdb::Variant::U8(v) => i64::from(v),
                        pdb::Variant::U16(v) => i64::from(v),
                        pdb::Variant::U32(v) => i64::from(v),
                        pdb::Variant::U64(v) => v as i64,
                        pdb::Variant::I8(v) => i64::from(v),
                        pdb::Variant::I16(v) => i64::from(v),
                        pdb::Variant::I32(v) => i64::from(v),
                        pdb::Variant::I64(v) => v,
                    };
                    out.push((v, e.name.to_string().into_owned()));
                }
            }
            next = list.continuation;
        }
        out
    }
}

/// `char *`, then `char **`: DbgHelp puts one blank before the first star only.
fn pointer_to(base: &str) -> String {
    if base.ends_with('*') { format!("{base}*") } else { format!("{base} *") }
}

fn primitive_name(kind: PrimitiveKind) -> String {
    match kind {
        PrimitiveKind::NoType => "<no type>",
        PrimitiveKind::Void => "void",
        PrimitiveKind::Char | PrimitiveKind::RChar | PrimitiveKind::I8 | PrimitiveKind::Char8 => "char",
        PrimitiveKind::UChar | PrimitiveKind::U8 => "unsigned char",
        PrimitiveKind::WChar => "wchar_t",
        PrimitiveKind::RChar16 => "char16_t",
        PrimitiveKind::RChar32 => "char32_t",
        PrimitiveKind::Short | PrimitiveKind::I16 => "short",
        PrimitiveKind::UShort | PrimitiveKind::U16 => "unsigned short",
        PrimitiveKind::Long => "long",
        PrimitiveKind::ULong => "unsigned long",
        PrimitiveKind::I32 => "int",
        PrimitiveKind::U32 => "unsigned int",
        PrimitiveKind::Quad | PrimitiveKind::I64 => "int64",
        PrimitiveKind::UQuad | PrimitiveKind::U64 => "unsigned int64",
        PrimitiveKind::Octa | PrimitiveKind::I128 => "int128",
        PrimitiveKind::UOcta | PrimitiveKind::U128 => "unsigned int128",
        PrimitiveKind::F32 | PrimitiveKind::F32PP => "float",
        PrimitiveKind::F64 => "double",
        PrimitiveKind::F80 => "long double",
        PrimitiveKind::Bool8 | PrimitiveKind::Bool16 | PrimitiveKind::Bool32 | PrimitiveKind::Bool64 => "bool",
        PrimitiveKind::HRESULT => "HRESULT",
        _ => "<unknown>",
    }
    .to_string()
}

fn primitive_size(kind: PrimitiveKind) -> u32 {
    match primitive_data(kind) {
        DataType::Other(_) => 0,
        d => d.size(),
    }
}

fn primitive_data(kind: PrimitiveKind) -> DataType {
    use PrimitiveKind as K;
    match kind {
        K::Char | K::RChar | K::I8 | K::Char8 => DataType::Char { signed: true },
        K::UChar | K::U8 => DataType::Char { signed: false },
        K::WChar | K::RChar16 => DataType::WChar,
        K::Short | K::I16 => DataType::Int { size: 2, signed: true },
        K::UShort | K::U16 => DataType::Int { size: 2, signed: false },
        K::Long | K::I32 | K::HRESULT => DataType::Int { size: 4, signed: true },
        K::ULong | K::U32 | K::RChar32 => DataType::Int { size: 4, signed: false },
        K::Quad | K::I64 => DataType::Int { size: 8, signed: true },
        K::UQuad | K::U64 => DataType::Int { size: 8, signed: false },
        K::Bool8 => DataType::Bool { size: 1 },
        K::Bool16 => DataType::Bool { size: 2 },
        K::Bool32 => DataType::Bool { size: 4 },
        K::Bool64 => DataType::Bool { size: 8 },
        K::F32 | K::F32PP => DataType::Float { size: 4 },
        K::F64 => DataType::Float { size: 8 },
        k => DataType::Other(primitive_name(k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publics_undecorate_like_undname() {
        assert_eq!(undecorate_full("?alloc_malloc@@YAPEAX_K@Z"), "void * __cdecl alloc_malloc(unsigned __int64)");
        assert_eq!(undecorate_full("??2@YAPEAX_K@Z"), "void * __cdecl operator new(unsigned __int64)");
        assert_eq!(undecorate_full("main"), "main");
    }

    #[test]
    fn pointer_names_follow_dbghelp() {
        assert_eq!(pointer_to("char"), "char *");
        assert_eq!(pointer_to("char *"), "char **");
    }

    #[test]
    fn allocate_pdb_gives_typed_functions_and_publics() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/guests/allocate.pdb")).unwrap();
        let infos = from_pdb(Arc::new(bytes)).unwrap();
        let find = |n: &str| infos.iter().find(|s| s.name == n).unwrap_or_else(|| panic!("{n} missing")).clone();
        assert_eq!(find("malloc").kind, SymbolKind::Function { params: "unsigned int64".into() });
        assert_eq!(find("_cexit").kind, SymbolKind::Function { params: "void".into() });
        assert_eq!(find("alloc_malloc").kind, SymbolKind::PublicFunction { decorated: "?alloc_malloc@@YAPEAX_K@Z".into() });
        assert_eq!(find("_imp_HeapAlloc").kind, SymbolKind::PublicData { decorated: "__imp_HeapAlloc".into() });
        assert_eq!(find("errno_value").kind, SymbolKind::Data { ty: DataType::Int { size: 4, signed: true } });
        assert!(infos.windows(2).all(|w| w[0].rva <= w[1].rva));
    }
}
