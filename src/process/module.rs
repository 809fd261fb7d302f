//! A module (image) mapped into the emulated process, as `lm` and the symbol engine see it.

use std::path::PathBuf;

use super::loader::image::{Export, Section};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// The program being run.
    Main,
    /// A DLL loaded from a file or embedded in crtlab (the runtime stand-ins).
    Dll,
    /// ntdll/KERNEL32 or a stub DLL built by crtlab.
    Synthetic,
}

/// Where the debugger finds symbols for a module.
#[derive(Debug, Clone)]
pub enum SymbolSource {
    /// A PDB file on the host next to the image (or embedded bytes), checked by GUID/age.
    Pdb { path: Option<PathBuf>, bytes: Option<&'static [u8]>, guid: [u8; 16], age: u32, name: String },
    /// The names of a synthetic module's functions and data: (rva, size, name).
    Synthetic(Vec<(u32, u32, String)>),
    /// Only the export table.
    Exports,
}

#[derive(Debug, Clone)]
pub struct Module {
    /// WinDbg's module name: the file name without extension (`allocate`, `ntdll`, `KERNEL32`).
    pub name: String,
    /// The file name as Windows reports it (`allocate.exe`, `ntdll.dll`, `KERNEL32.DLL`).
    pub file_name: String,
    /// Full path inside the guest (`C:\Windows\System32\KERNEL32.DLL`).
    pub guest_path: String,
    pub base: u64,
    pub size: u64,
    /// Entry point (0 if none).
    pub entry: u64,
    pub kind: ModuleKind,
    pub exports: Vec<Export>,
    pub sections: Vec<Section>,
    pub timestamp: u32,
    pub checksum: u32,
    pub symbols: SymbolSource,
    pub tls_index: Option<u32>,
}

impl Module {
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr < self.base + self.size
    }

    pub fn end(&self) -> u64 {
        self.base + self.size
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// An export's address by name (exact), following no forwarders.
    pub fn export_rva(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name.as_deref() == Some(name))
    }
}
