//! Structure layouts read from a module's PDB (the TPI stream), so that `dt` works on the
//! program's own types and the runtime's (`dt ucrtbased!_CrtMemBlockHeader @rax-30`), not
//! only on the ntdll tables of `types.rs`.
//!
//! Member types are translated to `dt`'s spellings (`Uint4B`, `Ptr64 Char`, `[8] UChar`,
//! `Pos 0, 3 Bits`); enums show as their underlying integer, and floating-point members as
//! their raw bits (`Uint4B`/`Uint8B`), which `dt` would print as `Float`. Type and member names are interned for the session's lifetime (a few
//! bytes per distinct type shown), because `types::Field` holds `&'static str`.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex, OnceLock};

use pdb_addr2line::pdb::{self, FallibleIterator, PrimitiveKind, TypeData, TypeIndex};

use super::types::{Field, Ty, TypeDef};

#[derive(Debug, Clone)]
struct Bytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Interns a string for the process lifetime.
fn intern(s: &str) -> &'static str {
    static TABLE: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut t = TABLE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = t.get(s) {
        return v;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    t.insert(s.to_string(), leaked);
    leaked
}

fn intern_ty(t: Ty) -> &'static Ty {
    static TABLE: OnceLock<Mutex<Vec<&'static Ty>>> = OnceLock::new();
    let mut v = TABLE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = v.iter().find(|x| ***x == t) {
        return found;
    }
    let leaked: &'static Ty = Box::leak(Box::new(t));
    v.push(leaked);
    leaked
}

type Finder<'t> = pdb::ItemFinder<'t, TypeIndex>;

/// `dt`'s name for a primitive kind, and its size.
fn primitive(kind: PrimitiveKind) -> (Ty, &'static str, u64) {
    use PrimitiveKind::*;
    match kind {
        Void | NoType => (Ty::UChar, "Void", 0),
        Char | RChar | I8 | Char8 => (Ty::Char, "Char", 1),
        UChar | U8 | Bool8 => (Ty::UChar, "UChar", 1),
        WChar | RChar16 => (Ty::Wchar, "Wchar", 2),
        Short | I16 => (Ty::Int2B, "Int2B", 2),
        UShort | U16 | Bool16 => (Ty::Uint2B, "Uint2B", 2),
        Long | I32 | HRESULT => (Ty::Int4B, "Int4B", 4),
        ULong | U32 | Bool32 | RChar32 => (Ty::Uint4B, "Uint4B", 4),
        F32 | F32PP => (Ty::Uint4B, "Float", 4),
        Quad | I64 => (Ty::Int8B, "Int8B", 8),
        UQuad | U64 | Bool64 => (Ty::Uint8B, "Uint8B", 8),
        F64 => (Ty::Uint8B, "Float", 8),
        _ => (Ty::Uint8B, "Uint8B", 8),
    }
}

struct Reader<'a, 't> {
    finder: &'a Finder<'t>,
}

impl Reader<'_, '_> {
    fn parse(&self, idx: TypeIndex) -> Option<TypeData<'_>> {
        self.finder.find(idx).ok()?.parse().ok()
    }

    /// The name `dt` uses for a type when it is pointed to or embedded.
    fn name(&self, idx: TypeIndex) -> String {
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) if p.indirection.is_some() => format!("Ptr64 {}", primitive(p.kind).1),
            Some(TypeData::Primitive(p)) => primitive(p.kind).1.to_string(),
            Some(TypeData::Class(c)) => c.name.to_string().into_owned(),
            Some(TypeData::Union(u)) => u.name.to_string().into_owned(),
            Some(TypeData::Enumeration(e)) => e.name.to_string().into_owned(),
            Some(TypeData::Modifier(m)) => self.name(m.underlying_type),
            Some(TypeData::Pointer(p)) => format!("Ptr64 {}", self.name(p.underlying_type)),
            Some(TypeData::Procedure(_)) => "void".into(),
            _ => "<unknown>".into(),
        }
    }

    fn size(&self, idx: TypeIndex) -> u64 {
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) if p.indirection.is_some() => 8,
            Some(TypeData::Primitive(p)) => primitive(p.kind).2,
            Some(TypeData::Class(c)) => c.size,
            Some(TypeData::Union(u)) => u.size,
            Some(TypeData::Enumeration(e)) => self.size(e.underlying_type),
            Some(TypeData::Modifier(m)) => self.size(m.underlying_type),
            Some(TypeData::Pointer(_)) => 8,
            Some(TypeData::Array(a)) => u64::from(a.dimensions.last().copied().unwrap_or(0)),
            _ => 0,
        }
    }

    /// A member's type in `types::Ty` terms.
    fn ty(&self, idx: TypeIndex, depth: u32) -> Ty {
        if depth > 8 {
            return Ty::Uint8B;
        }
        match self.parse(idx) {
            Some(TypeData::Primitive(p)) if p.indirection.is_some() => Ty::Ptr(intern(primitive(p.kind).1)),
            Some(TypeData::Primitive(p)) => primitive(p.kind).0,
            Some(TypeData::Modifier(m)) => self.ty(m.underlying_type, depth + 1),
            Some(TypeData::Enumeration(e)) => self.ty(e.underlying_type, depth + 1),
            Some(TypeData::Pointer(p)) => match self.parse(p.underlying_type) {
                Some(TypeData::Pointer(q)) => Ty::PtrPtr(intern(&self.name(q.underlying_type))),
                Some(TypeData::Procedure(_)) => Ty::FnPtr("void"),
                _ => Ty::Ptr(intern(&self.name(p.underlying_type))),
            },
            Some(TypeData::Class(c)) => Ty::Struct(intern(&c.name.to_string())),
            Some(TypeData::Union(u)) => Ty::Struct(intern(&u.name.to_string())),
            Some(TypeData::Array(a)) => {
                let elem = self.ty(a.element_type, depth + 1);
                let elem_size = self.size(a.element_type).max(1);
                let count = u64::from(a.dimensions.last().copied().unwrap_or(0)) / elem_size;
                Ty::Array(count as u32, intern_ty(elem))
            }
            Some(TypeData::Bitfield(b)) => {
                Ty::Bits { pos: b.position, len: b.length, bytes: self.size(b.underlying_type).clamp(1, 8) as u8 }
            }
            _ => Ty::Uint8B,
        }
    }

    /// The data members of a field list, following continuations.
    fn members(&self, mut list: TypeIndex) -> Vec<Field> {
        let mut out = Vec::new();
        for _ in 0..64 {
            let Some(TypeData::FieldList(fl)) = self.parse(list) else { break };
            for f in &fl.fields {
                if let TypeData::Member(m) = f {
                    out.push(Field { offset: m.offset as u32, name: intern(&m.name.to_string()), ty: self.ty(m.field_type, 0) });
                }
            }
            match fl.continuation {
                Some(next) => list = next,
                None => break,
            }
        }
        out
    }
}

/// The structure or union named `wanted` (case-insensitive) in this PDB, with its
/// canonical spelling and members in offset order.
pub fn find(bytes: Arc<Vec<u8>>, wanted: &str) -> Option<TypeDef> {
    let mut pdb = pdb::PDB::open(Cursor::new(Bytes(bytes))).ok()?;
    let info = pdb.type_information().ok()?;
    let mut finder = info.finder();
    let mut iter = info.iter();
    let mut found: Option<(String, TypeIndex)> = None;
    while let Ok(Some(item)) = iter.next() {
        finder.update(&iter);
        if found.is_some() {
            continue;
        }
        let (name, fields, forward) = match item.parse() {
            Ok(TypeData::Class(c)) => (c.name.to_string().into_owned(), c.fields, c.properties.forward_reference()),
            Ok(TypeData::Union(u)) => (u.name.to_string().into_owned(), Some(u.fields), u.properties.forward_reference()),
            _ => continue,
        };
        if forward || !name.eq_ignore_ascii_case(wanted) {
            continue;
        }
        if let Some(f) = fields {
            found = Some((name, f));
        }
    }
    let (name, fields) = found?;
    let reader = Reader { finder: &finder };
    let mut members = reader.members(fields);
    members.sort_by_key(|f| f.offset);
    Some(TypeDef { name: intern(&name), fields: members })
}
