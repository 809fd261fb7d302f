//! The DLLs crtlab ships inside its binary: its stand-ins for Microsoft's C runtime DLLs,
//! the debug `ucrtbased.dll` and `VCRUNTIME140D.dll` (/MDd) and the release `ucrtbase.dll`
//! and `VCRUNTIME140.dll` (/MD), with their PDBs. A release program's imports of the
//! `api-ms-win-crt-*` api sets bind to `ucrtbase.dll` (`bind::canonical_dll`). They are built from
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
static UCRTBASE_DLL: &[u8] = include_bytes!("../../../guests/dlls/ucrtbase.dll");
static UCRTBASE_PDB: &[u8] = include_bytes!("../../../guests/dlls/ucrtbase.pdb");
static VCRUNTIME140_DLL: &[u8] = include_bytes!("../../../guests/dlls/VCRUNTIME140.dll");
static VCRUNTIME140_PDB: &[u8] = include_bytes!("../../../guests/dlls/VCRUNTIME140.pdb");

/// The embedded DLL for a lower-case file name (`ucrtbased.dll`), if crtlab has one.
pub fn lookup(name: &str) -> Option<EmbeddedDll> {
    match name {
        "ucrtbased.dll" => Some(EmbeddedDll { file_name: "ucrtbased.dll", image: UCRTBASED_DLL, pdb: Some(UCRTBASED_PDB) }),
        "vcruntime140d.dll" => {
            Some(EmbeddedDll { file_name: "VCRUNTIME140D.dll", image: VCRUNTIME140D_DLL, pdb: Some(VCRUNTIME140D_PDB) })
        }
        "ucrtbase.dll" => Some(EmbeddedDll { file_name: "ucrtbase.dll", image: UCRTBASE_DLL, pdb: Some(UCRTBASE_PDB) }),
        "vcruntime140.dll" => {
            Some(EmbeddedDll { file_name: "VCRUNTIME140.dll", image: VCRUNTIME140_DLL, pdb: Some(VCRUNTIME140_PDB) })
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
        assert!(lookup("ucrtbased.dll").is_some() && lookup("msvcr120.dll").is_none());
    }

    #[test]
    fn embedded_release_dlls_have_no_debug_heap() {
        for name in ["ucrtbase.dll", "vcruntime140.dll"] {
            let dll = lookup(name).expect("embedded");
            let image = Image::parse(dll.file_name, dll.image.to_vec()).expect("parses");
            assert!(image.is_dll && image.entry_rva != 0 && image.codeview.is_some(), "{name}");
        }
        let ucrt = Image::parse("ucrtbase.dll", lookup("ucrtbase.dll").unwrap().image.to_vec()).unwrap();
        let exports = |n: &str| ucrt.exports.iter().any(|e| e.name.as_deref() == Some(n));
        for export in ["malloc", "_malloc_base", "__stdio_common_vfprintf", "_initterm", "_crt_atexit"] {
            assert!(exports(export), "ucrtbase exports {export}");
        }
        for debug_only in ["_malloc_dbg", "_CrtDbgReport", "_crtBreakAlloc"] {
            assert!(!exports(debug_only), "ucrtbase does not export {debug_only}");
        }
        // VCRUNTIME140.dll imports the release UCRT, not the debug one.
        let vcrt = Image::parse("VCRUNTIME140.dll", lookup("vcruntime140.dll").unwrap().image.to_vec()).unwrap();
        assert!(vcrt.imports.iter().all(|i| !i.dll.eq_ignore_ascii_case("ucrtbased.dll")));
        assert!(vcrt.imports.iter().any(|i| i.dll.eq_ignore_ascii_case("ucrtbase.dll")));
    }
}
