//! Import binding: export lookup by name or ordinal, forwarders (`NTDLL.RtlAllocateHeap`)
//! and api-set names (`api-ms-win-crt-heap-l1-1-0.dll` → ucrtbase.dll).

use super::image::ImportName;
use crate::process::module::Module;

/// The DLL an import names, after api-set redirection, lower-cased.
pub fn canonical_dll(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let lower = if lower.ends_with(".dll") { lower } else { format!("{lower}.dll") };
    if lower.starts_with("api-ms-win-crt-") {
        return "ucrtbase.dll".into();
    }
    if lower.starts_with("api-ms-win-core-") || lower.starts_with("ext-ms-win-") || lower == "kernelbase.dll" {
        return "kernel32.dll".into();
    }
    lower
}

pub fn find_module(modules: &[Module], dll: &str) -> Option<usize> {
    let want = canonical_dll(dll);
    modules.iter().position(|m| m.file_name.eq_ignore_ascii_case(&want))
}

/// The address an export resolves to, following forwarders (at most 8 hops).
pub fn resolve_export(modules: &[Module], idx: usize, key: &ImportName, depth: u32) -> Option<u64> {
    if depth > 8 {
        return None;
    }
    let m = modules.get(idx)?;
    let e = match key {
        ImportName::Name(n) => m.exports.iter().find(|e| e.name.as_deref() == Some(n.as_str()))?,
        ImportName::Ordinal(o) => m.exports.iter().find(|e| e.ordinal == u32::from(*o))?,
    };
    if let Some(fwd) = &e.forwarder {
        let (dll, func) = fwd.split_once('.')?;
        let target = find_module(modules, dll)?;
        let key = match func.strip_prefix('#') {
            Some(n) => ImportName::Ordinal(n.parse().ok()?),
            None => ImportName::Name(func.to_string()),
        };
        return resolve_export(modules, target, &key, depth + 1);
    }
    Some(m.base + u64::from(e.rva))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_sets_redirect() {
        assert_eq!(canonical_dll("api-ms-win-crt-heap-l1-1-0.dll"), "ucrtbase.dll");
        assert_eq!(canonical_dll("API-MS-WIN-CORE-SYNCH-L1-2-0.DLL"), "kernel32.dll");
        assert_eq!(canonical_dll("KERNEL32.dll"), "kernel32.dll");
        assert_eq!(canonical_dll("ntdll"), "ntdll.dll");
    }
}
