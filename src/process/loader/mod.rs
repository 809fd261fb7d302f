//! The PE loader: parse images, map them, relocate, bind imports (forwarders and api-set
//! names included) and queue TLS callbacks and DLL entry points. Process creation puts the
//! pieces together: images, synthetic system DLLs, PEB/TEB, the two NT heaps.

pub mod bind;
pub mod embedded;
pub mod image;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use unicorn_engine::RegisterX86;

use super::address_space::{AddressSpace, RegionKind};
use super::clock::Clock;
use super::console::Console;
use super::cpu::Cpu;
use super::memory::{GuestMemory, PAGE_SIZE, Prot};
use super::module::{Module, ModuleKind, SymbolSource};
use super::{InitCall, Process, ProcessOptions, environment};
use crate::layout::*;
use crate::system::synth::{self, BuiltModule, ExportTarget, ModuleSpec};
use crate::system::{ApiTable, kernel32, ntdll};
use image::{Export, Image, ImportName, LoadError, Section};

/// The program to run.
pub struct Program {
    /// File name (`allocate.exe`).
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Folder the program came from on the host; its PDB is looked for there.
    pub host_dir: Option<PathBuf>,
}

impl Program {
    pub fn from_path(path: &std::path::Path) -> Result<Program, LoadError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
            path: shown.clone(),
            reason: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".into(),
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                _ if path.is_dir() => "it is a directory".into(),
                _ => e.to_string(),
            },
        })?;
        let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or(shown);
        Ok(Program { file_name, bytes, host_dir: path.parent().map(|p| p.to_path_buf()) })
    }
}

/// A DLL crtlab ships inside its binary (the runtime stand-ins).
pub struct EmbeddedDll {
    pub file_name: &'static str,
    pub image: &'static [u8],
    pub pdb: Option<&'static [u8]>,
}

/// DLLs crtlab can supply itself, looked up by lower-case file name.
pub fn embedded_dll(name: &str) -> Option<EmbeddedDll> {
    embedded::lookup(name)
}

enum Dep {
    /// A PE image (the program or an embedded DLL).
    File { image: Box<Image>, pdb: Option<&'static [u8]>, kind: ModuleKind },
    /// ntdll/KERNEL32, or a stub DLL for a library crtlab does not have.
    Synthetic { file_name: String },
}

fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

fn guest_path(file: &str, system: bool) -> String {
    if system { format!("C:\\Windows\\System32\\{file}") } else { format!("C:\\crtlab\\{file}") }
}

fn module_name(file: &str) -> String {
    match file.rfind('.') {
        Some(i) => file[..i].to_string(),
        None => file.to_string(),
    }
}

/// Builds the process for `program`: everything up to the first instruction of
/// ntdll!LdrInitializeThunk.
pub fn create_process(program: Program, options: ProcessOptions) -> Result<Process, LoadError> {
    let main = Image::parse(&program.file_name, program.bytes)?;
    if main.is_dll {
        return Err(LoadError::IsDll(program.file_name));
    }
    if main.entry_rva == 0 {
        return Err(LoadError::Malformed(program.file_name, "it has no entry point".into()));
    }
    let mut api = ApiTable::new();
    let deps = collect_dependencies(main, &mut api)?;
    let mut cpu = Cpu::new().map_err(|e| LoadError::Map("process".into(), e))?;
    let mut space = AddressSpace::new();
    let mapped = map_modules(deps, &api, program.host_dir.as_deref(), &mut cpu, &mut space)?;
    bind_imports(&mut cpu, &mapped)?;

    let Mapped { modules, images, synthetic } = mapped;
    let mut p = Process {
        cpu,
        modules,
        api,
        space,
        console: Console::default(),
        clock: Clock::default(),
        init_queue: VecDeque::new(),
        detach_queue: VecDeque::new(),
        command_line: String::new(),
        exit_code: None,
        interrupt: Arc::new(AtomicBool::new(false)),
        next_tls_index: 0,
        command_line_a: 0,
        kernel32: Default::default(),
    };
    p.console.set_stdin(options.stdin.clone());
    p.command_line = command_line(&p.modules[0].guest_path, &options.args);

    environment::setup(&mut p).map_err(|e| LoadError::Map("process environment".into(), e.to_string()))?;
    queue_initializers(&mut p, &images)?;
    crate::system::ntdll::heap::create_process_heaps(&mut p).map_err(|e| LoadError::Map("process heap".into(), e))?;
    write_command_line_a(&mut p).map_err(|e| LoadError::Map("command line".into(), e.to_string()))?;

    // ntdll learns KERNEL32's thread thunk at KERNEL32's initialization on Windows.
    let thunk = p.system_symbol("KERNEL32", "BaseThreadInitThunk").unwrap_or(0);
    let slot = p.system_symbol("ntdll", "Kernel32ThreadInitThunkFunction").unwrap_or(0);
    p.cpu.write_u64(slot, thunk).map_err(|e| LoadError::Map("ntdll".into(), e.to_string()))?;

    // Protections last: binding wrote into read-only pages.
    for (idx, image) in &images {
        protect_image(&mut p.cpu, image, p.modules[*idx].base)?;
    }
    for (idx, built) in &synthetic {
        let base = p.modules[*idx].base;
        protect_built(&mut p.cpu, built, base)?;
    }
    start_thread(&mut p);
    Ok(p)
}

/// Walks the import graph breadth-first from the program: the program, ntdll, KERNEL32,
/// then every DLL imported (embedded ones as images, the rest as stub modules). Imports
/// of synthetic modules that have no handler are registered as reporting stubs.
fn collect_dependencies(main: Image, api: &mut ApiTable) -> Result<Vec<(String, Dep)>, LoadError> {
    let mut deps: Vec<(String, Dep)> = vec![(main.file_name.to_ascii_lowercase(), Dep::File { image: Box::new(main), pdb: None, kind: ModuleKind::Main })];
    for sys in ["ntdll.dll", "kernel32.dll"] {
        deps.push((sys.into(), Dep::Synthetic { file_name: sys.into() }));
    }
    let mut i = 0;
    while i < deps.len() {
        let imports: Vec<(String, ImportName)> = match &deps[i].1 {
            Dep::File { image, .. } => image.imports.iter().map(|im| (im.dll.clone(), im.name.clone())).collect(),
            Dep::Synthetic { .. } => vec![],
        };
        for (dll, name) in imports {
            let canon = bind::canonical_dll(&dll);
            if !deps.iter().any(|(n, _)| *n == canon) {
                let dep = match embedded_dll(&canon) {
                    Some(e) => Dep::File { image: Box::new(Image::parse(e.file_name, e.image.to_vec())?), pdb: e.pdb, kind: ModuleKind::Dll },
                    None => Dep::Synthetic { file_name: display_dll_name(&dll, &canon) },
                };
                deps.push((canon.clone(), dep));
            }
            let is_synthetic = matches!(deps.iter().find(|(n, _)| *n == canon).map(|d| &d.1), Some(Dep::Synthetic { .. }));
            if is_synthetic {
                let label = match &name {
                    ImportName::Name(n) => n.clone(),
                    ImportName::Ordinal(o) => format!("Ordinal{o}"),
                };
                let exported = match canon.as_str() {
                    "ntdll.dll" => api.has(ntdll::MODULE, &label),
                    "kernel32.dll" => kernel32::exports(api, &label),
                    _ => false,
                };
                if !exported {
                    api.add_unimplemented(&canon, &label);
                }
            }
        }
        i += 1;
    }
    Ok(deps)
}

/// The mapped modules, with the images and synthetic builds they came from (by index
/// into `modules`).
struct Mapped {
    modules: Vec<Module>,
    images: Vec<(usize, Image)>,
    synthetic: Vec<(usize, BuiltModule)>,
}

/// Maps every dependency: the program at MAIN_IMAGE_BASE, ntdll and KERNEL32 at their
/// fixed bases, the other DLLs downwards from DLL_AREA_TOP.
fn map_modules(deps: Vec<(String, Dep)>, api: &ApiTable, host_dir: Option<&std::path::Path>, cpu: &mut Cpu, space: &mut AddressSpace) -> Result<Mapped, LoadError> {
    let mut m = Mapped { modules: Vec::new(), images: Vec::new(), synthetic: Vec::new() };
    let mut dll_top = DLL_AREA_TOP;
    for (canon, dep) in deps {
        match dep {
            Dep::File { image, pdb, kind } => {
                let size = align_up(u64::from(image.size_of_image), 0x1_0000);
                let base = if kind == ModuleKind::Main {
                    MAIN_IMAGE_BASE
                } else {
                    dll_top -= size;
                    dll_top
                };
                map_image(cpu, &image, base)?;
                space.add_fixed(base, size, RegionKind::Image);
                m.modules.push(file_module(&image, base, kind, pdb, host_dir));
                m.images.push((m.modules.len() - 1, *image));
            }
            Dep::Synthetic { file_name } => {
                let spec = match canon.as_str() {
                    "ntdll.dll" => ntdll::spec(api),
                    "kernel32.dll" => kernel32::spec(api),
                    _ => {
                        let size = stub_module_size(api, &canon);
                        dll_top -= size;
                        stub_spec(api, &canon, &file_name, dll_top, size)
                    }
                };
                let built = synth::build(spec).map_err(|e| LoadError::Map(file_name.clone(), e))?;
                map_built(cpu, &built)?;
                space.add_fixed(built.base, align_up(built.image.len() as u64, 0x1_0000), RegionKind::Image);
                let system = matches!(canon.as_str(), "ntdll.dll" | "kernel32.dll");
                m.modules.push(synthetic_module(&built, system));
                m.synthetic.push((m.modules.len() - 1, built));
            }
        }
    }
    Ok(m)
}

/// The module record of a PE image: symbols from its PDB (next to the program on the host,
/// or embedded), else its exports.
fn file_module(image: &Image, base: u64, kind: ModuleKind, pdb: Option<&'static [u8]>, host_dir: Option<&std::path::Path>) -> Module {
    let symbols = match &image.codeview {
        Some(cv) => {
            let pdb_file = cv.pdb_name.rsplit(['\\', '/']).next().unwrap_or(&cv.pdb_name).to_string();
            SymbolSource::Pdb {
                path: if pdb.is_none() { host_dir.map(|d| d.join(&pdb_file)) } else { None },
                bytes: pdb,
                guid: cv.guid,
                age: cv.age,
                name: pdb_file,
            }
        }
        None => SymbolSource::Exports,
    };
    Module {
        name: module_name(&image.file_name),
        file_name: image.file_name.clone(),
        guest_path: guest_path(&image.file_name, false),
        base,
        size: u64::from(image.size_of_image),
        entry: if image.entry_rva != 0 { base + u64::from(image.entry_rva) } else { 0 },
        kind,
        exports: image.exports.clone(),
        sections: image.sections.clone(),
        timestamp: image.timestamp,
        checksum: image.checksum,
        symbols,
        tls_index: None,
    }
}

fn synthetic_module(built: &BuiltModule, system: bool) -> Module {
    Module {
        name: module_name(&built.file_name),
        file_name: built.file_name.clone(),
        guest_path: guest_path(&built.file_name, system),
        base: built.base,
        size: built.image.len() as u64,
        entry: 0,
        kind: ModuleKind::Synthetic,
        exports: built_exports(built),
        sections: built
            .sections
            .iter()
            .map(|(n, rva, size, ch)| Section { name: n.clone(), rva: *rva, virtual_size: *size, raw_offset: *rva, raw_size: *size, characteristics: *ch })
            .collect(),
        timestamp: 0,
        checksum: 0,
        symbols: SymbolSource::Synthetic(built.symbols.clone()),
        tls_index: None,
    }
}

/// Fills every import address table, then the synthetic modules' own pointer slots.
fn bind_imports(cpu: &mut Cpu, m: &Mapped) -> Result<(), LoadError> {
    let modules = &m.modules;
    for (idx, image) in &m.images {
        let base = modules[*idx].base;
        for im in &image.imports {
            let target = bind::find_module(modules, &im.dll).and_then(|t| {
                let key = match &im.name {
                    ImportName::Ordinal(o) if modules[t].kind == ModuleKind::Synthetic => ImportName::Name(format!("Ordinal{o}")),
                    k => k.clone(),
                };
                bind::resolve_export(modules, t, &key, 0)
            });
            let Some(addr) = target else {
                let what = match &im.name {
                    ImportName::Name(n) => n.clone(),
                    ImportName::Ordinal(o) => format!("#{o}"),
                };
                return Err(LoadError::Malformed(image.file_name.clone(), format!("cannot resolve import {}!{what}", im.dll)));
            };
            cpu.write_u64(base + u64::from(im.iat_rva), addr).map_err(|e| LoadError::Map(image.file_name.clone(), e.to_string()))?;
        }
    }
    for (idx, built) in &m.synthetic {
        for (rva, dll, func) in &built.binds {
            let t = bind::find_module(modules, dll).ok_or_else(|| LoadError::Map(built.file_name.clone(), format!("no module {dll}")))?;
            let addr = bind::resolve_export(modules, t, &ImportName::Name(func.clone()), 0)
                .ok_or_else(|| LoadError::Map(built.file_name.clone(), format!("no export {dll}!{func}")))?;
            cpu.write_u64(modules[*idx].base + u64::from(*rva), addr).map_err(|e| LoadError::Map(built.file_name.clone(), e.to_string()))?;
        }
    }
    Ok(())
}

/// `"C:\crtlab\prog.exe" arg ...`, quoting what contains blanks.
fn command_line(program: &str, args: &[String]) -> String {
    let quote = |s: &str| if s.is_empty() || s.contains(' ') { format!("\"{s}\"") } else { s.to_string() };
    let mut cmd = quote(program);
    for a in args {
        cmd.push(' ');
        cmd.push_str(&quote(a));
    }
    cmd
}

/// Static TLS and the init/shutdown queues: DLLs in dependency order (a DLL's imports are
/// initialized before it, as Windows does), then the program's own TLS callbacks.
fn queue_initializers(p: &mut Process, images: &[(usize, Image)]) -> Result<(), LoadError> {
    for k in dependency_order(images) {
        let (idx, image) = &images[k];
        setup_tls(p, *idx, image)?;
        let m = &p.modules[*idx];
        if let Some(tls) = &image.tls {
            let delta = m.base.wrapping_sub(image.image_base);
            for cb in &tls.callbacks {
                p.init_queue.push_back(InitCall { function: cb.wrapping_add(delta), module_base: m.base, reason: 1 });
            }
        }
        if m.kind == ModuleKind::Dll && m.entry != 0 {
            p.init_queue.push_back(InitCall { function: m.entry, module_base: m.base, reason: 1 });
            p.detach_queue.push_front(InitCall { function: m.entry, module_base: m.base, reason: 0 });
        }
    }
    let (dll_calls, main_calls): (Vec<InitCall>, Vec<InitCall>) = p.init_queue.drain(..).partition(|c| c.module_base != MAIN_IMAGE_BASE);
    p.init_queue.extend(dll_calls);
    p.init_queue.extend(main_calls);
    Ok(())
}

/// The thread starts in LdrInitializeThunk with a 0 return slot.
fn start_thread(p: &mut Process) {
    let start = p.system_symbol("ntdll", "LdrInitializeThunk").unwrap_or(0);
    let rsp = THREAD_START_RSP - 0x4d0;
    let _ = p.cpu.write_u64(rsp, 0);
    p.cpu.set_rsp(rsp);
    p.cpu.set_rip(start);
    p.cpu.set_reg(RegisterX86::RCX, rsp + 0x80);
    p.cpu.set_reg(RegisterX86::RDX, NTDLL_BASE);
    p.cpu.set_reg(RegisterX86::EFLAGS, 0x202);
}

/// The order in which images are initialized: depth first over the imports from the
/// program, each image after the images it imports (the program itself last). Images that
/// nothing reaches keep their load order at the end.
fn dependency_order(images: &[(usize, Image)]) -> Vec<usize> {
    fn visit(k: usize, images: &[(usize, Image)], seen: &mut Vec<bool>, order: &mut Vec<usize>) {
        seen[k] = true;
        for im in &images[k].1.imports {
            let canon = bind::canonical_dll(&im.dll);
            if let Some(j) = images.iter().position(|(_, i)| i.file_name.eq_ignore_ascii_case(&canon))
                && !seen[j]
            {
                visit(j, images, seen, order);
            }
        }
        order.push(k);
    }
    let mut seen = vec![false; images.len()];
    let mut order = Vec::new();
    for k in 0..images.len() {
        if !seen[k] {
            visit(k, images, &mut seen, &mut order);
        }
    }
    order
}

/// GetCommandLineA's buffer (BaseAnsiCommandLine).
fn write_command_line_a(p: &mut Process) -> Result<(), super::memory::MemError> {
    let addr = environment::PROCESS_PARAMETERS + 0xc000;
    let mut b = p.command_line.as_bytes().to_vec();
    b.truncate(0x3ffe);
    b.push(0);
    p.cpu.write(addr, &b)?;
    p.command_line_a = addr;
    Ok(())
}

/// The name Windows would show for a DLL crtlab does not have (`USER32.dll`).
fn display_dll_name(imported: &str, canon: &str) -> String {
    if imported.to_ascii_lowercase().starts_with("api-ms-") { canon.to_string() } else { imported.to_string() }
}

fn built_exports(b: &BuiltModule) -> Vec<Export> {
    let mut names: Vec<&(String, ExportTarget)> = b.exports.iter().collect();
    names.sort_by(|x, y| x.0.as_bytes().cmp(y.0.as_bytes()));
    names
        .iter()
        .enumerate()
        .map(|(i, (name, target))| {
            let (rva, forwarder) = match target {
                ExportTarget::Symbol(s) => (b.symbols.iter().find(|x| x.2 == *s).map(|x| x.0).unwrap_or(0), None),
                ExportTarget::Forwarder(f) => (0, Some(f.clone())),
            };
            Export { name: Some(name.clone()), ordinal: i as u32 + 1, rva, forwarder }
        })
        .collect()
}

fn stub_module_size(api: &ApiTable, canon: &str) -> u64 {
    let n = api.unimplemented_of(canon).count() as u64;
    align_up(0x1000 + 0x8000 + 0x2000 + 0x1000 + align_up(n * 0x20 + 0x1000, 0x1000), 0x1_0000)
}

/// A DLL crtlab does not have: every imported function is a stub that reports itself.
fn stub_spec(api: &ApiTable, canon: &str, file_name: &str, base: u64, size: u64) -> ModuleSpec {
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    for (number, name) in api.unimplemented_of(canon) {
        functions.push(synth::Function {
            name: name.to_string(),
            rva: None,
            frame: synth::Frame::leaf(),
            body: synth::bodies::api_stub(None, number),
        });
        exports.push((name.to_string(), ExportTarget::Symbol(name.to_string())));
    }
    let text = align_up(0x1000 + api.unimplemented_of(canon).count() as u64 * 0x20 + 0x1000, 0x1000) as u32;
    ModuleSpec {
        file_name: file_name.to_string(),
        base,
        size_of_image: size as u32,
        text_end: text,
        functions,
        data: vec![],
        exports,
        binds: vec![],
    }
}

/// Copies headers and sections into a fresh RW mapping and applies base relocations.
fn map_image(cpu: &mut Cpu, image: &Image, base: u64) -> Result<(), LoadError> {
    let err = |e: String| LoadError::Map(image.file_name.clone(), e);
    let size = align_up(u64::from(image.size_of_image), PAGE_SIZE) as usize;
    let mut mem = vec![0u8; size];
    let hdr = (image.size_of_headers as usize).min(image.bytes.len()).min(size);
    mem[..hdr].copy_from_slice(&image.bytes[..hdr]);
    for s in &image.sections {
        let len = if s.virtual_size == 0 { s.raw_size } else { s.raw_size.min(s.virtual_size) } as usize;
        let (src, dst) = (s.raw_offset as usize, s.rva as usize);
        if len == 0 {
            continue;
        }
        if src + len > image.bytes.len() || dst + len > size {
            return Err(LoadError::Truncated(image.file_name.clone(), format!("section {} is cut short", s.name)));
        }
        mem[dst..dst + len].copy_from_slice(&image.bytes[src..src + len]);
    }
    let delta = base.wrapping_sub(image.image_base);
    if delta != 0 {
        if image.relocations.is_empty() && !image.dynamic_base {
            return Err(err(format!("it must load at {:#x} and has no relocations", image.image_base)));
        }
        for (rva, ty) in &image.relocations {
            let o = *rva as usize;
            match ty {
                0 => {}
                10 if o + 8 <= size => {
                    let v = u64::from_le_bytes(mem[o..o + 8].try_into().unwrap()).wrapping_add(delta);
                    mem[o..o + 8].copy_from_slice(&v.to_le_bytes());
                }
                3 if o + 4 <= size => {
                    let v = u32::from_le_bytes(mem[o..o + 4].try_into().unwrap()).wrapping_add(delta as u32);
                    mem[o..o + 4].copy_from_slice(&v.to_le_bytes());
                }
                _ => return Err(err(format!("unsupported relocation type {ty} at rva {rva:#x}"))),
            }
        }
        // The mapped header records the actual base, as on Windows.
        if let Some(pe) = u32::from_le_bytes(mem[0x3c..0x40].try_into().unwrap()).checked_add(24 + 24) {
            let pe = pe as usize;
            if pe + 8 <= size {
                mem[pe..pe + 8].copy_from_slice(&base.to_le_bytes());
            }
        }
    }
    cpu.map(base, size as u64, Prot::RW).map_err(|e| err(e.to_string()))?;
    cpu.write(base, &mem).map_err(|e| err(e.to_string()))
}

fn section_prot(characteristics: u32) -> Prot {
    Prot {
        read: characteristics & 0x4000_0000 != 0 || characteristics & 0x2000_0000 != 0,
        write: characteristics & 0x8000_0000 != 0,
        exec: characteristics & 0x2000_0000 != 0,
    }
}

fn protect_image(cpu: &mut Cpu, image: &Image, base: u64) -> Result<(), LoadError> {
    let err = |e: String| LoadError::Map(image.file_name.clone(), e);
    if image.section_alignment < PAGE_SIZE as u32 {
        // Sections share pages: keep the whole image readable, writable and executable.
        return cpu.protect(base, align_up(u64::from(image.size_of_image), PAGE_SIZE), Prot::RWX).map_err(|e| err(e.to_string()));
    }
    cpu.protect(base, align_up(u64::from(image.size_of_headers.max(1)), PAGE_SIZE), Prot::R).map_err(|e| err(e.to_string()))?;
    for s in &image.sections {
        let len = align_up(u64::from(s.virtual_size.max(s.raw_size)), PAGE_SIZE);
        if len == 0 {
            continue;
        }
        let start = base + u64::from(s.rva);
        let end = (start + len).min(base + align_up(u64::from(image.size_of_image), PAGE_SIZE));
        cpu.protect(start, end - start, section_prot(s.characteristics)).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

fn map_built(cpu: &mut Cpu, b: &BuiltModule) -> Result<(), LoadError> {
    let err = |e: String| LoadError::Map(b.file_name.clone(), e);
    cpu.map(b.base, b.image.len() as u64, Prot::RW).map_err(|e| err(e.to_string()))?;
    cpu.write(b.base, &b.image).map_err(|e| err(e.to_string()))
}

fn protect_built(cpu: &mut Cpu, b: &BuiltModule, base: u64) -> Result<(), LoadError> {
    let err = |e: String| LoadError::Map(b.file_name.clone(), e);
    cpu.protect(base, 0x1000, Prot::R).map_err(|e| err(e.to_string()))?;
    for (_, rva, size, ch) in &b.sections {
        cpu.protect(base + u64::from(*rva), align_up(u64::from(*size), PAGE_SIZE), section_prot(*ch)).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

/// Static TLS (`__declspec(thread)`): a fresh copy of the template in the thread's
/// ThreadLocalStoragePointer array, and the index written to the image's `_tls_index`.
fn setup_tls(p: &mut Process, idx: usize, image: &Image) -> Result<(), LoadError> {
    let Some(tls) = &image.tls else { return Ok(()) };
    let err = |e: String| LoadError::Map(image.file_name.clone(), e);
    let base = p.modules[idx].base;
    let delta = base.wrapping_sub(image.image_base);
    let index = p.next_tls_index;
    p.next_tls_index += 1;
    p.modules[idx].tls_index = Some(index);
    let raw_len = tls.raw_end.saturating_sub(tls.raw_start);
    if raw_len > 0x10_0000 {
        return Err(err("TLS template too large".into()));
    }
    let block_len = align_up(raw_len + u64::from(tls.zero_fill) + 16, PAGE_SIZE);
    let block = p.space.reserve(None, block_len, 0, RegionKind::Private).ok_or_else(|| err("no memory for TLS".into()))?;
    p.cpu.map(block, align_up(block_len, PAGE_SIZE), Prot::RW).map_err(|e| err(e.to_string()))?;
    if raw_len > 0 {
        let data = p.cpu.read_vec(tls.raw_start.wrapping_add(delta), raw_len as usize).map_err(|e| err(e.to_string()))?;
        p.cpu.write(block, &data).map_err(|e| err(e.to_string()))?;
    }
    // The pointer array lives in the TEB's TlsSlots area (64 entries are plenty here).
    let array = TEB + environment::TEB_TLS_SLOTS;
    p.cpu.write_u64(array + 8 * u64::from(index), block).map_err(|e| err(e.to_string()))?;
    p.cpu.write_u64(TEB + environment::TEB_TLS_POINTER, array).map_err(|e| err(e.to_string()))?;
    if tls.index_va != 0 {
        p.cpu.write_u32(tls.index_va.wrapping_add(delta), index).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}
