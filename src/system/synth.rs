//! Builds the synthetic system DLLs (ntdll.dll, KERNEL32.dll) as real PE images in
//! memory: DOS/NT headers, a `.text` with a real instruction at every function, an export
//! directory (forwarders included), `.pdata`/UNWIND_INFO for functions that have a frame,
//! and a `.data` section for variables. Because they are ordinary PE images, the loader,
//! the unwinder and `x`/`lm` treat them exactly like images loaded from disk.

use std::collections::BTreeMap;

use iced_x86::code_asm::*;

/// How a function sets up its frame. The builder emits the prologue itself so that it
/// can describe it in UNWIND_INFO (`UWOP_PUSH_NONVOL`, `UWOP_ALLOC_SMALL/LARGE`).
#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub pushes: Vec<AsmRegister64>,
    pub alloc: u32,
    /// A language handler for UNWIND_INFO: the UNW_FLAG_EHANDLER (1) / UNW_FLAG_UHANDLER
    /// (2) bits and the handler's symbol in this module.
    pub handler: Option<(u8, String)>,
    /// UNWIND_CODE slots written as given, with a prologue of length 0, instead of ones
    /// describing `pushes` and `alloc` (which must then be empty): for a frame that was
    /// built before the function started, like the machine frame and CONTEXT that the
    /// kernel pushes for KiUserExceptionDispatcher.
    pub codes: Option<Vec<u16>>,
}

impl Frame {
    pub fn leaf() -> Frame {
        Frame::default()
    }
    pub fn alloc(n: u32) -> Frame {
        Frame { alloc: n, ..Frame::default() }
    }
    pub fn push_alloc(pushes: &[AsmRegister64], n: u32) -> Frame {
        Frame { pushes: pushes.to_vec(), alloc: n, ..Frame::default() }
    }
    /// The same frame with a language handler of the given UNW_FLAG_* kind.
    pub fn with_handler(mut self, kind: u8, handler: &str) -> Frame {
        self.handler = Some((kind, handler.to_string()));
        self
    }
    /// A frame described only by these unwind codes (see [`Frame::codes`]).
    pub fn prebuilt(codes: Vec<u16>) -> Frame {
        Frame { codes: Some(codes), ..Frame::default() }
    }
    fn is_leaf(&self) -> bool {
        self.pushes.is_empty() && self.alloc == 0 && self.codes.is_none()
    }
}

/// Resolves names of functions and data in the module being built (and absolute
/// addresses of other modules) while a body is assembled.
pub struct Symbols<'a> {
    addrs: &'a BTreeMap<String, u64>,
    /// Sizing pass: every name resolves to this address (a megabyte from the code, so
    /// branches and RIP-relative operands get their long forms).
    placeholder: Option<u64>,
}

impl Symbols<'_> {
    /// The address of `name`. In the sizing pass every name resolves to a far placeholder
    /// so that branches are sized for the worst case.
    pub fn addr(&self, name: &str) -> u64 {
        if let Some(p) = self.placeholder {
            return p;
        }
        *self.addrs.get(name).unwrap_or_else(|| panic!("synthetic module: unknown symbol {name}"))
    }
}

pub type Body = Box<dyn Fn(&mut CodeAssembler, &Symbols) -> Result<(), IcedError>>;

pub struct Function {
    pub name: String,
    /// Fixed RVA (for addresses the transcript shows), or None to place it anywhere.
    pub rva: Option<u32>,
    pub frame: Frame,
    pub body: Body,
}

pub struct DataItem {
    pub name: String,
    pub size: u32,
    /// Initial contents; either bytes or pointers to named symbols (8 bytes each).
    pub init: DataInit,
}

pub enum DataInit {
    Zero,
    Bytes(Vec<u8>),
    Pointers(Vec<String>),
}

pub enum ExportTarget {
    Symbol(String),
    Forwarder(String),
}

pub struct ModuleSpec {
    pub file_name: String,
    pub base: u64,
    pub size_of_image: u32,
    /// End of the `.text` section (RVA). `.rdata`, `.pdata` and `.data` follow it.
    pub text_end: u32,
    pub functions: Vec<Function>,
    pub data: Vec<DataItem>,
    pub exports: Vec<(String, ExportTarget)>,
    /// Pointer slots (data items) the loader fills with another module's export, the way
    /// an import address table is bound: (slot, dll, function).
    pub binds: Vec<(String, String, String)>,
}

/// A built synthetic module.
pub struct BuiltModule {
    pub file_name: String,
    pub base: u64,
    pub image: Vec<u8>,
    /// Function and data symbols: (rva, size, name), sorted by rva.
    pub symbols: Vec<(u32, u32, String)>,
    /// Section ranges for mapping with protections: (name, rva, size, characteristics).
    pub sections: Vec<(String, u32, u32, u32)>,
    /// Slots to bind: (rva, dll, function).
    pub binds: Vec<(u32, String, String)>,
    /// Export names and their targets, for the loader's export list.
    pub exports: Vec<(String, ExportTarget)>,
}

const TEXT_RVA: u32 = 0x1000;
const SCN_CODE: u32 = 0x6000_0020; // CODE | EXECUTE | READ
const SCN_RDATA: u32 = 0x4000_0040; // INITIALIZED_DATA | READ
const SCN_DATA: u32 = 0xC000_0040; // INITIALIZED_DATA | READ | WRITE

fn align(v: u32, a: u32) -> u32 {
    v.div_ceil(a) * a
}

fn assemble(f: &Function, ip: u64, syms: &Symbols) -> Result<(Vec<u8>, u8), String> {
    let err = |e: IcedError| format!("{}: {e}", f.name);
    let mut a = CodeAssembler::new(64).map_err(err)?;
    for r in &f.frame.pushes {
        a.push(*r).map_err(err)?;
    }
    if f.frame.alloc != 0 {
        a.sub(rsp, f.frame.alloc as i32).map_err(err)?;
    }
    // Prologue length: measured by assembling it alone.
    let prolog_len = if f.frame.is_leaf() {
        0
    } else {
        let mut p = CodeAssembler::new(64).map_err(err)?;
        for r in &f.frame.pushes {
            p.push(*r).map_err(err)?;
        }
        if f.frame.alloc != 0 {
            p.sub(rsp, f.frame.alloc as i32).map_err(err)?;
        }
        p.assemble(ip).map_err(err)?.len() as u8
    };
    (f.body)(&mut a, syms).map_err(err)?;
    let bytes = a.assemble(ip).map_err(err)?;
    Ok((bytes, prolog_len))
}

/// UNWIND_INFO for a prologue of pushes followed by one stack allocation (or for the
/// frame's prebuilt codes), with the language handler's RVA if it has one.
fn unwind_info(frame: &Frame, prolog_len: u8, push_offsets: &[u8], handler_rva: Option<u32>) -> Vec<u8> {
    let codes = match &frame.codes {
        Some(c) => c.clone(),
        None => frame_codes(frame, prolog_len, push_offsets),
    };
    let prolog_len = if frame.codes.is_some() { 0 } else { prolog_len };
    let flags = frame.handler.as_ref().map(|(k, _)| *k).unwrap_or(0);
    let mut v = vec![1u8 | (flags << 3), prolog_len, codes.len() as u8, 0];
    for c in &codes {
        v.extend_from_slice(&c.to_le_bytes());
    }
    if codes.len() % 2 == 1 {
        v.extend_from_slice(&[0, 0]);
    }
    if let Some(rva) = handler_rva {
        v.extend_from_slice(&rva.to_le_bytes());
    }
    v
}

fn frame_codes(frame: &Frame, prolog_len: u8, push_offsets: &[u8]) -> Vec<u16> {
    // UNWIND_CODE = CodeOffset | UnwindOp << 8 | OpInfo << 12; operations are listed in
    // reverse prologue order, each followed by its extra slots.
    let mut ops: Vec<Vec<u16>> = Vec::new();
    for (i, r) in frame.pushes.iter().enumerate() {
        ops.push(vec![u16::from(push_offsets[i]) | (u16::from(reg_number(*r)) << 12)]);
    }
    if frame.alloc != 0 {
        let n = frame.alloc;
        let off = u16::from(prolog_len);
        if n <= 128 {
            ops.push(vec![off | (2 << 8) | ((((n - 8) / 8) as u16) << 12)]);
        } else if n / 8 <= 0xffff {
            ops.push(vec![off | (1 << 8), (n / 8) as u16]);
        } else {
            ops.push(vec![off | (1 << 8) | (1 << 12), (n & 0xffff) as u16, (n >> 16) as u16]);
        }
    }
    ops.into_iter().rev().flatten().collect()
}

fn reg_number(r: AsmRegister64) -> u8 {
    let all = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
    all.iter().position(|x| *x == r).unwrap_or(0) as u8
}

fn push_offsets(frame: &Frame) -> Vec<u8> {
    // Offset of the end of each push within the prologue.
    let mut off = 0u8;
    frame
        .pushes
        .iter()
        .map(|r| {
            off += if reg_number(*r) >= 8 { 2 } else { 1 };
            off
        })
        .collect()
}

pub fn build(spec: ModuleSpec) -> Result<BuiltModule, String> {
    let base = spec.base;
    let empty = BTreeMap::new();
    // Pass 1: sizes with worst-case branches.
    let sizing = Symbols { addrs: &empty, placeholder: Some(base + 0x10_0000) };
    let mut sizes = Vec::new();
    for f in &spec.functions {
        let ip = base + u64::from(f.rva.unwrap_or(TEXT_RVA));
        sizes.push(assemble(f, ip, &sizing)?.0.len() as u32);
    }
    // Place fixed functions, then the rest in the gaps, 16-byte aligned.
    let mut used: Vec<(u32, u32)> = spec
        .functions
        .iter()
        .zip(&sizes)
        .filter_map(|(f, s)| f.rva.map(|r| (r, r + s)))
        .collect();
    used.sort();
    for w in used.windows(2) {
        if w[0].1 > w[1].0 {
            return Err(format!("{}: fixed functions overlap at rva {:#x}", spec.file_name, w[1].0));
        }
    }
    let mut rvas = Vec::new();
    let mut cursor = TEXT_RVA;
    for (f, s) in spec.functions.iter().zip(&sizes) {
        if let Some(r) = f.rva {
            rvas.push(r);
            continue;
        }
        loop {
            let end = cursor + s;
            if let Some(&(_, e)) = used.iter().find(|(us, ue)| cursor < *ue && end > *us) {
                cursor = align(e, 16);
                continue;
            }
            break;
        }
        rvas.push(cursor);
        used.push((cursor, cursor + s));
        used.sort();
        cursor = align(cursor + s, 16);
    }
    if used.iter().any(|(_, e)| *e > spec.text_end) {
        return Err(format!("{}: .text overflows", spec.file_name));
    }

    // Section layout after .text.
    let rdata_rva = spec.text_end;
    let mut rdata: Vec<u8> = Vec::new();
    let mut addrs: BTreeMap<String, u64> = BTreeMap::new();
    for (f, r) in spec.functions.iter().zip(&rvas) {
        addrs.insert(f.name.clone(), base + u64::from(*r));
    }
    // .data goes after .rdata and .pdata; compute its items' addresses up front by
    // reserving a generous fixed area for rdata/pdata.
    let rdata_reserve = 0x8000u32;
    let pdata_rva = rdata_rva + rdata_reserve;
    let pdata_reserve = 0x2000u32;
    let data_rva = pdata_rva + pdata_reserve;
    let mut data_layout = Vec::new();
    let mut dcur = data_rva;
    for d in &spec.data {
        addrs.insert(d.name.clone(), base + u64::from(dcur));
        data_layout.push(dcur);
        dcur = align(dcur + d.size, 16);
    }
    let data_end = align(dcur, 0x1000);
    if data_end > spec.size_of_image {
        return Err(format!("{}: image too small", spec.file_name));
    }

    // Pass 2: final code.
    let syms = Symbols { addrs: &addrs, placeholder: None };
    let mut image = vec![0u8; spec.size_of_image as usize];
    // Fill .text with int 3 so stray jumps trap.
    image[TEXT_RVA as usize..spec.text_end as usize].fill(0xcc);
    let mut pdata_entries: Vec<(u32, u32, u32)> = Vec::new();
    let mut symbols = Vec::new();
    for (i, f) in spec.functions.iter().enumerate() {
        let rva = rvas[i];
        let (bytes, prolog_len) = assemble(f, base + u64::from(rva), &syms)?;
        if bytes.len() as u32 > sizes[i] {
            return Err(format!("{}: function grew in the second pass", f.name));
        }
        image[rva as usize..rva as usize + bytes.len()].copy_from_slice(&bytes);
        symbols.push((rva, bytes.len() as u32, f.name.clone()));
        if !f.frame.is_leaf() {
            let handler_rva = f.frame.handler.as_ref().map(|(_, h)| (syms.addr(h) - base) as u32);
            let info = unwind_info(&f.frame, prolog_len, &push_offsets(&f.frame), handler_rva);
            while !rdata.len().is_multiple_of(4) {
                rdata.push(0);
            }
            let info_rva = rdata_rva + rdata.len() as u32;
            rdata.extend_from_slice(&info);
            pdata_entries.push((rva, rva + bytes.len() as u32, info_rva));
        }
    }
    pdata_entries.sort();

    // Data items.
    for (d, rva) in spec.data.iter().zip(&data_layout) {
        let off = *rva as usize;
        match &d.init {
            DataInit::Zero => {}
            DataInit::Bytes(b) => image[off..off + b.len()].copy_from_slice(b),
            DataInit::Pointers(names) => {
                for (k, n) in names.iter().enumerate() {
                    let a = syms.addr(n);
                    image[off + 8 * k..off + 8 * k + 8].copy_from_slice(&a.to_le_bytes());
                }
            }
        }
        symbols.push((*rva, d.size, d.name.clone()));
    }
    symbols.sort();

    // Export directory (in .rdata).
    while !rdata.len().is_multiple_of(8) {
        rdata.push(0);
    }
    let export_rva = rdata_rva + rdata.len() as u32;
    let export_bytes = export_directory(&spec, export_rva, &addrs)?;
    rdata.extend_from_slice(&export_bytes);
    if rdata.len() as u32 > rdata_reserve {
        return Err(format!("{}: .rdata overflows", spec.file_name));
    }
    image[rdata_rva as usize..rdata_rva as usize + rdata.len()].copy_from_slice(&rdata);

    let mut pdata = Vec::new();
    for (b, e, u) in &pdata_entries {
        pdata.extend_from_slice(&b.to_le_bytes());
        pdata.extend_from_slice(&e.to_le_bytes());
        pdata.extend_from_slice(&u.to_le_bytes());
    }
    if pdata.len() as u32 > pdata_reserve {
        return Err(format!("{}: .pdata overflows", spec.file_name));
    }
    image[pdata_rva as usize..pdata_rva as usize + pdata.len()].copy_from_slice(&pdata);

    let sections = vec![
        (".text".to_string(), TEXT_RVA, spec.text_end - TEXT_RVA, SCN_CODE),
        (".rdata".to_string(), rdata_rva, rdata_reserve, SCN_RDATA),
        (".pdata".to_string(), pdata_rva, (pdata.len() as u32).max(12), SCN_RDATA),
        (".data".to_string(), data_rva, spec.size_of_image - data_rva, SCN_DATA),
    ];
    write_headers(
        &mut image,
        &spec,
        &sections,
        (export_rva, export_bytes.len() as u32),
        (pdata_rva, pdata.len() as u32),
    );
    let binds = spec
        .binds
        .iter()
        .map(|(slot, dll, f)| {
            let a = addrs.get(slot).ok_or_else(|| format!("bind slot {slot} is not a data item"))?;
            Ok(((a - base) as u32, dll.clone(), f.clone()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(BuiltModule { file_name: spec.file_name, base, image, symbols, sections, binds, exports: spec.exports })
}

fn export_directory(spec: &ModuleSpec, dir_rva: u32, addrs: &BTreeMap<String, u64>) -> Result<Vec<u8>, String> {
    let mut exports: Vec<&(String, ExportTarget)> = spec.exports.iter().collect();
    exports.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let n = exports.len() as u32;
    // Layout: directory (40) | functions[n] | names[n] | ordinals[n] (u16) | strings.
    let funcs_off = 40u32;
    let names_off = funcs_off + 4 * n;
    let ords_off = names_off + 4 * n;
    let strings_off = align(ords_off + 2 * n, 4);
    let mut strings: Vec<u8> = Vec::new();
    let add_string = |s: &str, strings: &mut Vec<u8>| -> u32 {
        let r = dir_rva + strings_off + strings.len() as u32;
        strings.extend_from_slice(s.as_bytes());
        strings.push(0);
        r
    };
    let dll_name_rva = add_string(&spec.file_name, &mut strings);
    let mut funcs = Vec::new();
    let mut names = Vec::new();
    for (name, target) in &exports {
        let f = match target {
            ExportTarget::Symbol(s) => {
                let a = addrs.get(s).ok_or_else(|| format!("export {name}: unknown symbol {s}"))?;
                (a - spec.base) as u32
            }
            ExportTarget::Forwarder(fwd) => add_string(fwd, &mut strings),
        };
        funcs.push(f);
        names.push(add_string(name, &mut strings));
    }
    let mut v = vec![0u8; align(ords_off + 2 * n, 4) as usize];
    let put32 = |v: &mut Vec<u8>, off: usize, x: u32| v[off..off + 4].copy_from_slice(&x.to_le_bytes());
    put32(&mut v, 12, dll_name_rva);
    put32(&mut v, 16, 1); // ordinal base
    put32(&mut v, 20, n);
    put32(&mut v, 24, n);
    put32(&mut v, 28, dir_rva + funcs_off);
    put32(&mut v, 32, dir_rva + names_off);
    put32(&mut v, 36, dir_rva + ords_off);
    for i in 0..n as usize {
        put32(&mut v, funcs_off as usize + 4 * i, funcs[i]);
        put32(&mut v, names_off as usize + 4 * i, names[i]);
        let o = ords_off as usize + 2 * i;
        v[o..o + 2].copy_from_slice(&(i as u16).to_le_bytes());
    }
    v.extend_from_slice(&strings);
    Ok(v)
}

fn write_headers(
    image: &mut [u8],
    spec: &ModuleSpec,
    sections: &[(String, u32, u32, u32)],
    export: (u32, u32),
    pdata: (u32, u32),
) {
    let put16 = |img: &mut [u8], off: usize, x: u16| img[off..off + 2].copy_from_slice(&x.to_le_bytes());
    let put32 = |img: &mut [u8], off: usize, x: u32| img[off..off + 4].copy_from_slice(&x.to_le_bytes());
    let put64 = |img: &mut [u8], off: usize, x: u64| img[off..off + 8].copy_from_slice(&x.to_le_bytes());
    image[0] = b'M';
    image[1] = b'Z';
    let pe = 0x80usize;
    put32(image, 0x3c, pe as u32);
    image[pe..pe + 4].copy_from_slice(b"PE\0\0");
    let coff = pe + 4;
    put16(image, coff, 0x8664);
    put16(image, coff + 2, sections.len() as u16);
    put32(image, coff + 4, 0); // reproducible: no timestamp
    put16(image, coff + 16, 0xf0); // SizeOfOptionalHeader
    put16(image, coff + 18, 0x2022); // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE | DLL
    let opt = coff + 20;
    put16(image, opt, 0x20b);
    put32(image, opt + 4, spec.text_end - TEXT_RVA); // SizeOfCode
    put32(image, opt + 20, TEXT_RVA); // BaseOfCode
    put64(image, opt + 24, spec.base);
    put32(image, opt + 32, 0x1000); // SectionAlignment
    put32(image, opt + 36, 0x1000); // FileAlignment (image is stored mapped)
    put16(image, opt + 40, 10); // OS version 10.0
    put16(image, opt + 48, 10); // subsystem version
    put32(image, opt + 56, spec.size_of_image);
    put32(image, opt + 60, 0x1000); // SizeOfHeaders
    put16(image, opt + 68, 3); // console
    put16(image, opt + 70, 0x4160); // DLL characteristics: high entropy VA, dynamic base, NX
    put64(image, opt + 72, 0x40000);
    put64(image, opt + 80, 0x1000);
    put64(image, opt + 88, 0x100000);
    put64(image, opt + 96, 0x1000);
    put32(image, opt + 108, 16); // NumberOfRvaAndSizes
    let dirs = opt + 112;
    put32(image, dirs, export.0);
    put32(image, dirs + 4, export.1);
    put32(image, dirs + 3 * 8, pdata.0); // exception directory
    put32(image, dirs + 3 * 8 + 4, pdata.1);
    let mut sh = opt + 0xf0;
    for (name, rva, size, characteristics) in sections {
        let mut n = [0u8; 8];
        n[..name.len()].copy_from_slice(name.as_bytes());
        image[sh..sh + 8].copy_from_slice(&n);
        put32(image, sh + 8, *size);
        put32(image, sh + 12, *rva);
        put32(image, sh + 16, *size);
        put32(image, sh + 20, *rva);
        put32(image, sh + 36, *characteristics);
        sh += 40;
    }
}

/// Body helpers shared by the module definitions.
pub mod bodies {
    use super::*;

    /// `mov r10,rcx` in ntdll's encoding (4c8bd1; an assembler may pick 4989ca).
    pub const MOV_R10_RCX: &[u8] = &[0x4c, 0x8b, 0xd1];

    /// The trap every emulated API ends in: `mov r10,rcx; mov eax,id; syscall; ret`
    /// (ntdll's own system-call stub shape), after an optional first instruction.
    pub fn api_stub(first: Option<&'static [u8]>, id: u32) -> Body {
        Box::new(move |a, _| {
            if let Some(b) = first {
                a.db(b)?;
            }
            a.db(MOV_R10_RCX)?;
            a.mov(eax, id)?;
            a.syscall()?;
            a.ret()
        })
    }

    /// ntdll's Nt* system-call stub, byte for byte as on Windows 10 x64, so that
    /// `ntdll!NtTerminateProcess+0x14` is the `ret` after `syscall`.
    pub fn nt_stub(id: u32) -> Body {
        Box::new(move |a, _| {
            a.db(MOV_R10_RCX)?;
            a.mov(eax, id)?;
            // test byte ptr [SharedUserData+0x308],1
            a.db(&[0xf6, 0x04, 0x25, 0x08, 0x03, 0xfe, 0x7f, 0x01])?;
            a.db(&[0x75, 0x03])?; // jne +3 (int 2Eh path)
            a.syscall()?;
            a.ret()?;
            a.int(0x2e)?;
            a.ret()
        })
    }

    /// Epilogue matching a [`Frame`].
    pub fn epilog(a: &mut CodeAssembler, frame: &Frame) -> Result<(), IcedError> {
        if frame.alloc != 0 {
            a.add(rsp, frame.alloc as i32)?;
        }
        for r in frame.pushes.iter().rev() {
            a.pop(*r)?;
        }
        a.ret()
    }
}
