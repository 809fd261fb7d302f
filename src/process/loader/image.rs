//! Parsing a PE file (goblin) into the facts the loader needs, with the checks that give
//! a user a one-line reason when a file cannot be run.

use goblin::pe::PE;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    #[error("cannot read '{path}': {reason}")]
    Io { path: String, reason: String },
    #[error("'{0}' is not a PE image (no MZ signature)")]
    NotMz(String),
    #[error("'{0}' is not a PE image (no PE signature)")]
    NotPe(String),
    #[error("'{0}' is truncated: {1}")]
    Truncated(String, String),
    #[error("'{0}' is a 32-bit (x86) image; crtlab runs x64 images only")]
    Bits32(String),
    #[error("'{0}' is an {1} image; crtlab runs x64 images only")]
    Machine(String, String),
    #[error("'{0}' is a DLL, not a program; give crtlab an .exe")]
    IsDll(String),
    #[error("'{0}' is malformed: {1}")]
    Malformed(String, String),
    #[error("'{0}' cannot be mapped: {1}")]
    Map(String, String),
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub rva: u32,
    pub virtual_size: u32,
    pub raw_offset: u32,
    pub raw_size: u32,
    pub characteristics: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportName {
    Name(String),
    Ordinal(u16),
}

#[derive(Debug, Clone)]
pub struct Import {
    pub dll: String,
    pub name: ImportName,
    /// RVA of the IAT slot to fill.
    pub iat_rva: u32,
}

#[derive(Debug, Clone)]
pub struct Export {
    pub name: Option<String>,
    pub ordinal: u32,
    pub rva: u32,
    /// `DLL.Function` or `DLL.#ordinal` for forwarded exports.
    pub forwarder: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub raw_start: u64,
    pub raw_end: u64,
    pub index_va: u64,
    pub zero_fill: u32,
    pub callbacks: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct CodeView {
    pub guid: [u8; 16],
    pub age: u32,
    pub pdb_name: String,
}

/// Everything the loader takes from a PE file. Addresses are RVAs unless named `_va`
/// (those are as linked, relative to `image_base`, and need relocation).
#[derive(Debug, Clone)]
pub struct Image {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub is_dll: bool,
    pub image_base: u64,
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub section_alignment: u32,
    pub entry_rva: u32,
    pub timestamp: u32,
    pub checksum: u32,
    pub sections: Vec<Section>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    /// (rva, type) of every base relocation.
    pub relocations: Vec<(u32, u8)>,
    pub tls: Option<Tls>,
    pub codeview: Option<CodeView>,
    pub dynamic_base: bool,
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    b.get(off..off + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn machine_name(m: u16) -> String {
    match m {
        0xaa64 => "ARM64".into(),
        0x1c0 | 0x1c4 => "ARM".into(),
        0x200 => "Itanium".into(),
        0xa641 => "ARM64EC".into(),
        _ => format!("unknown-machine (0x{m:04x})"),
    }
}

impl Image {
    /// Parses `bytes`; `name` is used in messages and as the module's file name.
    pub fn parse(name: &str, bytes: Vec<u8>) -> Result<Image, LoadError> {
        let n = || name.to_string();
        if bytes.len() < 2 || &bytes[..2] != b"MZ" {
            return Err(LoadError::NotMz(n()));
        }
        let pe_off = u32_at(&bytes, 0x3c).ok_or_else(|| LoadError::Truncated(n(), "the DOS header is cut short".into()))? as usize;
        match bytes.get(pe_off..pe_off + 4) {
            None => return Err(LoadError::Truncated(n(), "the PE header is missing".into())),
            Some(sig) if sig != b"PE\0\0" => return Err(LoadError::NotPe(n())),
            _ => {}
        }
        let machine = u16_at(&bytes, pe_off + 4).ok_or_else(|| LoadError::Truncated(n(), "the COFF header is cut short".into()))?;
        let magic = u16_at(&bytes, pe_off + 24).ok_or_else(|| LoadError::Truncated(n(), "the optional header is cut short".into()))?;
        if machine == 0x14c || magic == 0x10b {
            return Err(LoadError::Bits32(n()));
        }
        if machine != 0x8664 {
            return Err(LoadError::Machine(n(), machine_name(machine)));
        }
        let characteristics = u16_at(&bytes, pe_off + 22).unwrap_or(0);
        let pe = PE::parse(&bytes).map_err(|e| {
            let msg = e.to_string();
            if msg.contains("too big") || msg.contains("offset") || msg.contains("bounds") || msg.contains("Buffer") {
                LoadError::Truncated(n(), msg)
            } else {
                LoadError::Malformed(n(), msg)
            }
        })?;
        let opt = pe.header.optional_header.ok_or_else(|| LoadError::Malformed(n(), "no optional header".into()))?;
        let win = opt.windows_fields;
        let sections: Vec<Section> = pe
            .sections
            .iter()
            .map(|s| Section {
                name: String::from_utf8_lossy(&s.name).trim_end_matches('\0').to_string(),
                rva: s.virtual_address,
                virtual_size: s.virtual_size,
                raw_offset: s.pointer_to_raw_data,
                raw_size: s.size_of_raw_data,
                characteristics: s.characteristics,
            })
            .collect();
        for s in &sections {
            if s.raw_size > 0 && (s.raw_offset as usize).saturating_add(s.raw_size as usize) > bytes.len() {
                return Err(LoadError::Truncated(n(), format!("section {} ends past the end of the file", s.name)));
            }
            if u64::from(s.rva) + u64::from(s.virtual_size.max(s.raw_size)) > u64::from(win.size_of_image) + 0x1000 {
                return Err(LoadError::Malformed(n(), format!("section {} lies outside the image", s.name)));
            }
        }
        if win.size_of_image == 0 || win.size_of_image > 0x4000_0000 {
            return Err(LoadError::Malformed(n(), format!("unreasonable SizeOfImage {:#x}", win.size_of_image)));
        }
        let imports = pe
            .imports
            .iter()
            .map(|i| Import {
                dll: i.dll.to_string(),
                name: if i.rva == 0 && i.name.starts_with("ORDINAL ") {
                    ImportName::Ordinal(i.ordinal)
                } else {
                    ImportName::Name(i.name.to_string())
                },
                iat_rva: i.offset as u32,
            })
            .collect();
        let export_dir = opt.data_directories.get_export_table().map(|d| (d.virtual_address, d.size));
        let exports = export_list(&bytes, &sections, export_dir);
        let mut relocations = Vec::new();
        if let Some(rd) = &pe.relocation_data {
            for block in rd.blocks() {
                let block = block.map_err(|e| LoadError::Malformed(n(), format!("base relocations: {e}")))?;
                let page = block.rva;
                for w in block.words() {
                    let w = w.map_err(|e| LoadError::Malformed(n(), format!("base relocations: {e}")))?;
                    relocations.push((page + u32::from(w.offset()), w.reloc_type()));
                }
            }
        }
        let tls = pe.tls_data.as_ref().map(|t| Tls {
            raw_start: t.image_tls_directory.start_address_of_raw_data,
            raw_end: t.image_tls_directory.end_address_of_raw_data,
            index_va: t.image_tls_directory.address_of_index,
            zero_fill: t.image_tls_directory.size_of_zero_fill,
            callbacks: t.callbacks.clone(),
        });
        let codeview = pe.debug_data.as_ref().and_then(|d| d.codeview_pdb70_debug_info.as_ref()).map(|cv| CodeView {
            guid: cv.signature,
            age: cv.age,
            pdb_name: String::from_utf8_lossy(cv.filename).trim_end_matches('\0').to_string(),
        });
        let is_dll = characteristics & 0x2000 != 0;
        Ok(Image {
            file_name: name.to_string(),
            is_dll,
            image_base: win.image_base,
            size_of_image: win.size_of_image,
            size_of_headers: win.size_of_headers,
            section_alignment: win.section_alignment,
            entry_rva: pe.entry,
            timestamp: pe.header.coff_header.time_date_stamp,
            checksum: win.check_sum,
            sections,
            imports,
            exports,
            relocations,
            tls,
            codeview,
            dynamic_base: win.dll_characteristics & 0x40 != 0,
            bytes,
        })
    }

    pub fn section_named(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

/// Reads IMAGE_EXPORT_DIRECTORY straight from the file: +0x10 Base, +0x14 NumberOfFunctions,
/// +0x18 NumberOfNames, +0x1C AddressOfFunctions, +0x20 AddressOfNames, +0x24 AddressOfNameOrdinals.
/// A function RVA inside the directory itself is a forwarder string.
fn export_list(bytes: &[u8], sections: &[Section], dir: Option<(u32, u32)>) -> Vec<Export> {
    let Some((dir_rva, dir_size)) = dir else { return Vec::new() };
    if dir_rva == 0 {
        return Vec::new();
    }
    let at = |rva: u32| rva_to_offset(sections, rva);
    let r32 = |rva: u32| at(rva).and_then(|o| u32_at(bytes, o));
    let r16 = |rva: u32| at(rva).and_then(|o| u16_at(bytes, o));
    let cstr = |rva: u32| -> Option<String> {
        let o = at(rva)?;
        let tail = bytes.get(o..)?;
        let end = tail.iter().take(512).position(|b| *b == 0)?;
        Some(String::from_utf8_lossy(&tail[..end]).into_owned())
    };
    let (Some(base), Some(nfuncs), Some(nnames), Some(funcs), Some(names), Some(ords)) = (
        r32(dir_rva + 0x10),
        r32(dir_rva + 0x14),
        r32(dir_rva + 0x18),
        r32(dir_rva + 0x1c),
        r32(dir_rva + 0x20),
        r32(dir_rva + 0x24),
    ) else {
        return Vec::new();
    };
    let nfuncs = nfuncs.min(0x10000);
    let mut fnames: Vec<Option<String>> = vec![None; nfuncs as usize];
    for i in 0..nnames.min(0x10000) {
        let (Some(nrva), Some(ord)) = (r32(names + 4 * i), r16(ords + 2 * i)) else { break };
        if let Some(slot) = fnames.get_mut(ord as usize) {
            *slot = cstr(nrva);
        }
    }
    let mut out = Vec::new();
    for i in 0..nfuncs {
        let Some(rva) = r32(funcs + 4 * i) else { break };
        if rva == 0 {
            continue;
        }
        let forwarder = if rva >= dir_rva && rva < dir_rva + dir_size { cstr(rva) } else { None };
        out.push(Export { name: fnames[i as usize].clone(), ordinal: base + i, rva, forwarder });
    }
    out
}

pub fn rva_to_offset(sections: &[Section], rva: u32) -> Option<usize> {
    sections
        .iter()
        .find(|s| rva >= s.rva && rva < s.rva + s.raw_size.max(s.virtual_size) && rva - s.rva < s.raw_size)
        .map(|s| (rva - s.rva + s.raw_offset) as usize)
}
