//! The DLLs crtlab ships inside its binary: its stand-ins for Microsoft's debug C runtime,
//! `ucrtbased.dll` and `VCRUNTIME140D.dll`, with their PDBs. They are built from
//! `guests/runtime` by `guests/build.sh` (reproducibly, so the committed bytes are the ones
//! the sources give) and bound like any other DLL: a Debug (/MDd) program's imports of
//! `ucrtbased.dll!_malloc_dbg` or `VCRUNTIME140D.dll!memset` resolve to their exports, their
//! DllMain runs before the program's entry point, and `k` shows their frames with source
//! lines from the embedded PDB.

use super::EmbeddedDll;

static UCRTBASED_DLL: &[u8] = include_bytes!("../../../guests/dlls/ucrtbased.dll");
static UCRTBASED_PDB: &[u8] = include_bytes!("../../../guests/dlls/ucrtbased.pdb");
static VCRUNTIME140D_DLL: &[u8] = include_bytes!("../../../guests/dlls/VCRUNTIME140D.dll");
static VCRUNTIME140D_PDB: &[u8] = include_bytes!("../../../guests/dlls/VCRUNTIME140D.pdb");

/// The embedded DLL for a lower-case file name (`ucrtbased.dll`), if crtlab has one.
pub fn lookup(name: &str) -> Option<EmbeddedDll> {
    match name {
        "ucrtbased.dll" => Some(EmbeddedDll { file_name: "ucrtbased.dll", image: UCRTBASED_DLL, pdb: Some(UCRTBASED_PDB) }),
        "vcruntime140d.dll" => {
            Some(EmbeddedDll { file_name: "VCRUNTIME140D.dll", image: VCRUNTIME140D_DLL, pdb: Some(VCRUNTIME140D_PDB) })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::loader::image::Image;

    #[test]
    fn embedded_dlls_parse_and_export_the_debug_heap() {
        for name in ["ucrtbased.dll", "vcruntime140d.dll"] {
            let dll = lookup(name).expect("embedded");
            let image = Image::parse(dll.file_name, dll.image.to_vec()).expect("parses");
            assert!(image.is_dll, "{name} is a DLL");
            assert!(image.entry_rva != 0, "{name} has DllMain");
            assert!(image.codeview.is_some(), "{name} names its PDB");
        }
        let ucrt = Image::parse("ucrtbased.dll", lookup("ucrtbased.dll").unwrap().image.to_vec()).unwrap();
        for export in ["_malloc_dbg", "_CrtDumpMemoryLeaks", "_CrtSetBreakAlloc", "_crtBreakAlloc", "malloc", "__p___argc"] {
            assert!(ucrt.exports.iter().any(|e| e.name.as_deref() == Some(export)), "ucrtbased exports {export}");
        }
        assert!(lookup("ucrtbase.dll").is_none());
    }
}
