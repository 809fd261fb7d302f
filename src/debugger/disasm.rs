//! WinDbg-compatible x64 disassembly text (`u`, `ub`, `uf`, the "current instruction" line shown
//! by events, steps and `r`), built on iced-x86's MASM formatter.
//!
//! # Line layout (reference `windbg-formats.md` §5.3, measured on real captures)
//!
//! ```text
//! 00007ff6`7762b890 48894c2408      mov     qword ptr [rsp+8],rcx ss:00000097`89f7fad0=06100800000906ea
//! ^0                ^18             ^34     ^42
//! ```
//!
//! * address `hhhhhhhh`hhhhhhhh`, one space;
//! * instruction bytes (lower-case hex, no separators) padded to column 34, at least one space;
//! * the mnemonic (prefixes included, e.g. `rep stos`, `lock bts`);
//! * operands at column 42 — or column 43 once the byte string is 16+ hex digits — and always at
//!   least one space after the mnemonic.  That rule reproduces every capture found:
//!   `f604250803fe7f01 test    byte ptr ...` (16 digits, 4 spaces),
//!   `65488b042588010000 mov   rax,qword ptr gs:[188h]` (18 digits, 3 spaces),
//!   `48c783a800000000000000 mov qword ptr [rbx+0A8h],0` (22 digits, 1 space).
//!
//! # Operand text
//!
//! iced's MASM syntax with these formatter options (everything else is iced's MASM default:
//! lower-case registers, upper-case hex digits with an `h` suffix and a leading `0` before a
//! letter, values 0..=9 in decimal, no spaces after commas or inside brackets):
//!
//! * `set_memory_size_options(MemorySizeOptions::Always)` — WinDbg always writes `qword ptr` etc.,
//!   even when a register operand implies the size (`mov rsi,qword ptr [rbp-39h]`);
//! * `set_show_branch_size(false)` — no `short`/`near` on branches;
//! * `set_show_useless_prefixes(true)` — explicit segment overrides are shown even where 64-bit
//!   mode ignores them (`nop word ptr cs:[rax+rax]`, as dbgeng prints the prefix literally);
//! * `set_use_pseudo_ops(false)` — `imul rax,rax,2710h` keeps its three operands (captures); this
//!   also means `cmpps xmm0,xmm1,0` rather than `cmpeqps` (no capture found either way).
//!
//! Symbols come from [`DisasmContext::symbolize`] through an iced [`SymbolResolver`]:
//!
//! * direct branch/call targets: `` ntdll!NtQueryInformationThread (00007ff9`516d0430) ``, or just
//!   `` 00007ff6`7762b8b0 `` when the target is in no module;
//! * RIP-relative memory: `` [allocate!_imp_HeapAlloc (00007ff6`77650000)] ``, or
//!   `` [00000000`0031f620] `` without a symbol;
//! * absolute (no base, no index) memory: `` [SharedUserData+0x308 (00000000`7ffe0308)] `` when it
//!   symbolizes; otherwise `gs:[60h]` / `fs:[30h]` with an fs/gs override (verbatim captures), and
//!   — a guess, no capture found — the backticked address `` [00000000`00000308] `` without one;
//! * immediates are never symbolized (WinDbg's x86 `push offset sym` form is not reproduced).
//!
//! Post-processing done here because iced has no option for it:
//! * string instructions print with explicit operands like dbgeng: `rep stos byte ptr [rdi]`,
//!   `repe cmps qword ptr [rsi],qword ptr [rdi]`, `rep movs qword ptr [rdi],qword ptr [rsi]`,
//!   `lods    byte ptr [rsi]`, `repne scas byte ptr [rdi]`, `ins byte ptr [rdi],dx`,
//!   `outs dx,byte ptr [rsi]`;
//! * one-operand `mul`/`imul`/`div`/`idiv` show the implicit accumulator: `div eax,ecx`,
//!   `idiv eax,dword ptr [rsp+28h]` (captures);
//! * 8-byte memory operands of SSE/MMX instructions are `mmword ptr` (`movsd xmm0,mmword ptr [rdx]`,
//!   seen in captures) except signed-integer ones (`cvtsi2sd xmm0,qword ptr [rax]`, a guess), and
//!   iced's `oword ptr` becomes `xmmword ptr` (`lock cmpxchg16b xmmword ptr [r14]`);
//! * undecodable bytes print as `<first byte>  ???` and advance one byte; unreadable memory (or an
//!   instruction running into unreadable memory) prints `??              ???`.
//!
//! # Effective-address annotation (§5.4)
//!
//! Only with registers (the current instruction): ` seg:address=value` for the first explicit
//! memory operand — `ss` for an rsp/rbp (esp/ebp) base, `ds` otherwise, or the explicit override.
//! `gs:`/`fs:` addresses do **not** include the segment base, because WinDbg's do not: every x64
//! user-mode capture shows `` mov rax,qword ptr gs:[60h] gs:00000000`00000060=???????????????? ``
//! (see [`DisasmOptions::segment_base_in_annotation`] to opt in).  The value has two hex digits per
//! operand byte (byte 2, word 4, dword 8, qword 16, xmmword 32 — captures show
//! `=00000000000000000000000000000000` and 32 `?` for xmm operands — ymmword 64, tbyte 20), printed
//! as a little-endian integer; `?` per digit when unreadable.  An 8-byte value that symbolizes is
//! shown as `{symbol (address)}` — for indirect calls
//! (`` ds:00007ffd`71982198={combase!CoTaskMemFree (00007ffd`ce8454d0)} ``) and plain loads alike
//! (`` ds:0000008f`f4b28018={ntdll!PebLdr (00007ff8`d51108c0)} ``, a capture).  No annotation for
//! `lea`, `nop` with a memory operand, string instructions (`rep movs byte ptr [rdi],byte ptr [rsi]`
//! has none in captures), `push`/`pop`/`call` stack accesses (implicit), VSIB (gather/scatter)
//! operands, and operands whose size iced reports as 0 or more than 64 bytes (`xsave`, `fxsave`).
//! Conditional branches get ` [br=1]` when taken, ` [br=0]` otherwise (Jcc from RFLAGS;
//! `jrcxz`/`jecxz` and the `loop` family from rcx/ecx, evaluated before the instruction executes).
//!
//! # Output conventions
//!
//! [`format_instruction`] returns one line without a newline.  Every multi-line result
//! ([`format_current`], [`unassemble`], [`unassemble_backwards`], [`unassemble_function`]) ends each
//! line, including the last, with `\n`.

use std::collections::{BTreeMap, BTreeSet};

use iced_x86::{
    ConditionCode, Decoder, DecoderError, DecoderOptions, FlowControl, Formatter, Instruction,
    MasmFormatter, MemorySize, Mnemonic, OpKind, Register, SymbolResolver, SymbolResult,
};

/// Longest x86 instruction, in bytes.
pub const MAX_INSTRUCTION_LEN: usize = 15;

/// Number of instructions `u` / `ub` show when no count is given.
pub const DEFAULT_UNASSEMBLE_COUNT: usize = 8;

/// How far `uf` looks when the caller does not know the function's end (`end <= start`).
pub const UF_DEFAULT_RANGE: u64 = 0x10000;

/// Hard cap on the number of instructions `uf` decodes.
const UF_MAX_INSTRUCTIONS: usize = 50_000;

/// How far back from an address `ub` trusts a "module!symbol+0xoff" start as a decode anchor.
const UB_MAX_HINT_DISTANCE: u64 = 0x10000;

/// Symbols and memory of the debuggee, as needed for disassembly.
pub trait DisasmContext {
    /// "module!symbol+0xoff" / "module!symbol" (offset 0) / "module+0xoff" (no symbols); None outside any module.
    fn symbolize(&self, addr: u64) -> Option<String>;
    /// Read guest memory; false if any byte is unreadable.
    fn read_memory(&self, addr: u64, buf: &mut [u8]) -> bool;
}

/// Register values needed for the effective-address annotation and `[br=N]`.
pub trait RegisterContext {
    /// Full 64-bit value of a general-purpose register. This module only ever asks for the 64-bit
    /// registers (`RAX`..`R15`) and derives `eax`, `r8d`, `ax`, `ah`... itself.
    fn register(&self, reg: Register) -> u64;
    /// RFLAGS (CF bit 0, PF bit 2, ZF bit 6, SF bit 7, OF bit 11 are used).
    fn rflags(&self) -> u64;
    /// GS base (the TEB); only used with [`DisasmOptions::segment_base_in_annotation`].
    fn gs_base(&self) -> u64;
    /// FS base; only used with [`DisasmOptions::segment_base_in_annotation`].
    fn fs_base(&self) -> u64;
}

/// `` hhhhhhhh`hhhhhhhh ``, lower case (WinDbg's 64-bit address form).
pub fn format_address(addr: u64) -> String {
    format!("{:08x}`{:08x}", addr >> 32, addr & 0xffff_ffff)
}

/// `true` when a symbolize() result carries no `+0x<hex>` displacement, i.e. names the start of a
/// symbol (or of a module, for the `module+0x..` form).
pub fn is_symbol_start(name: &str) -> bool {
    !matches!(split_displacement(name), Some((_, off)) if off != 0)
}

/// Splits `"mod!sym+0x1f"` into `("mod!sym", 0x1f)`; None when there is no `+0x<hex>` suffix.
fn split_displacement(name: &str) -> Option<(&str, u64)> {
    let pos = name.rfind("+0x")?;
    let hex = &name[pos + 3..];
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16)
        .ok()
        .map(|off| (&name[..pos], off))
}

// ------------------------------------------------------------------------------------------------
// Fetch + decode
// ------------------------------------------------------------------------------------------------

/// Result of decoding one instruction from guest memory.
#[derive(Clone, Debug)]
enum Fetched {
    /// A valid instruction and its bytes.
    Ok(Instruction, Vec<u8>),
    /// Readable bytes that are not a valid instruction; the first byte is shown.
    Invalid(u8),
    /// The first byte is unreadable, or the instruction runs into unreadable memory.
    Unreadable,
}

impl Fetched {
    fn len(&self) -> usize {
        match self {
            Fetched::Ok(instr, _) => instr.len(),
            Fetched::Invalid(_) | Fetched::Unreadable => 1,
        }
    }
}

/// Reads up to `buf.len()` bytes at `addr`; returns how many leading bytes are readable.
fn read_prefix(ctx: &dyn DisasmContext, addr: u64, buf: &mut [u8]) -> usize {
    // Do not wrap around the top of the address space.
    let room = (u64::MAX - addr).saturating_add(1);
    let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
    if want == 0 {
        return 0;
    }
    if ctx.read_memory(addr, &mut buf[..want]) {
        return want;
    }
    let mut n = 0;
    while n < want {
        if !ctx.read_memory(addr + n as u64, &mut buf[n..n + 1]) {
            break;
        }
        n += 1;
    }
    n
}

fn decode_bytes(addr: u64, bytes: &[u8], more_may_exist: bool) -> Fetched {
    if bytes.is_empty() {
        return Fetched::Unreadable;
    }
    let mut decoder = Decoder::with_ip(64, bytes, addr, DecoderOptions::NONE);
    let instr = decoder.decode();
    if instr.is_invalid() {
        if decoder.last_error() == DecoderError::NoMoreBytes && more_may_exist {
            Fetched::Unreadable
        } else {
            Fetched::Invalid(bytes[0])
        }
    } else {
        Fetched::Ok(instr, bytes[..instr.len()].to_vec())
    }
}

fn fetch(addr: u64, ctx: &dyn DisasmContext) -> Fetched {
    let mut buf = [0u8; MAX_INSTRUCTION_LEN];
    let n = read_prefix(ctx, addr, &mut buf);
    // If fewer than 15 bytes were readable and the decoder wants more, the instruction runs into
    // unreadable memory.
    decode_bytes(addr, &buf[..n], n < MAX_INSTRUCTION_LEN)
}

// ------------------------------------------------------------------------------------------------
// Operand text
// ------------------------------------------------------------------------------------------------

/// Symbol texts precomputed for one instruction, keyed by (instruction operand, address).
/// iced wants a `'static` resolver, so the borrowed context cannot be captured; instead the few
/// addresses the formatter will ask about are resolved before formatting.
struct PrecomputedSymbols {
    entries: Vec<(u32, u64, String)>,
}

impl SymbolResolver for PrecomputedSymbols {
    fn symbol(
        &mut self,
        _instruction: &Instruction,
        _operand: u32,
        instruction_operand: Option<u32>,
        address: u64,
        _address_size: u32,
    ) -> Option<SymbolResult<'_>> {
        let op = instruction_operand?;
        self.entries
            .iter()
            .find(|(o, a, _)| *o == op && *a == address)
            // Same address as asked for: iced appends no "+displacement" of its own.
            .map(|(_, a, text)| SymbolResult::with_str(*a, text.as_str()))
    }
}

/// `sym (address)` or just the backticked address.
fn symbol_with_address(addr: u64, ctx: &dyn DisasmContext) -> String {
    match ctx.symbolize(addr) {
        Some(sym) => format!("{} ({})", sym, format_address(addr)),
        None => format_address(addr),
    }
}

fn precompute_symbols(instr: &Instruction, ctx: &dyn DisasmContext) -> PrecomputedSymbols {
    let mut entries = Vec::new();
    for op in 0..instr.op_count() {
        match instr.op_kind(op) {
            OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
                let target = instr.near_branch_target();
                entries.push((op, target, symbol_with_address(target, ctx)));
            }
            OpKind::Memory => {
                let base = instr.memory_base();
                if base == Register::RIP || base == Register::EIP {
                    let target = instr.memory_displacement64();
                    entries.push((op, target, symbol_with_address(target, ctx)));
                } else if base == Register::None && instr.memory_index() == Register::None {
                    let target = instr.memory_displacement64();
                    let seg = instr.segment_prefix();
                    if let Some(sym) = ctx.symbolize(target) {
                        entries.push((op, target, format!("{} ({})", sym, format_address(target))));
                    } else if seg != Register::FS && seg != Register::GS {
                        entries.push((op, target, format_address(target)));
                    }
                }
            }
            _ => {}
        }
    }
    PrecomputedSymbols { entries }
}

fn make_formatter(symbols: PrecomputedSymbols) -> MasmFormatter {
    let mut fmt = MasmFormatter::with_options(Some(Box::new(symbols)), None);
    let opts = fmt.options_mut();
    opts.set_memory_size_options(iced_x86::MemorySizeOptions::Always);
    opts.set_show_branch_size(false);
    opts.set_show_useless_prefixes(true);
    opts.set_use_pseudo_ops(false);
    fmt
}

fn is_string_op_kind(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::MemorySegSI
            | OpKind::MemorySegESI
            | OpKind::MemorySegRSI
            | OpKind::MemoryESDI
            | OpKind::MemoryESEDI
            | OpKind::MemoryESRDI
    )
}

fn size_keyword(size: usize) -> &'static str {
    match size {
        1 => "byte",
        2 => "word",
        4 => "dword",
        _ => "qword",
    }
}

fn lower_name<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_ascii_lowercase()
}

/// dbgeng-style text for string instructions (`rep stos byte ptr [rdi]`), which iced's MASM
/// formatter prints without operands (`rep stosb`).
fn string_instruction_text(instr: &Instruction) -> Option<(String, String)> {
    let op_kinds: Vec<OpKind> = (0..instr.op_count()).map(|i| instr.op_kind(i)).collect();
    if !op_kinds.iter().any(|&k| is_string_op_kind(k)) {
        return None;
    }
    let full = lower_name(instr.mnemonic());
    // movsb/movsw/movsd/movsq, cmps*, stos*, lods*, scas*, ins*, outs*: drop the size letter.
    let base = full.get(..full.len().saturating_sub(1))?.to_string();
    if !matches!(
        base.as_str(),
        "movs" | "cmps" | "stos" | "lods" | "scas" | "ins" | "outs"
    ) {
        return None;
    }
    let size = size_keyword(instr.memory_size().size());
    let mut operands = Vec::new();
    for (i, kind) in op_kinds.into_iter().enumerate() {
        match kind {
            OpKind::MemorySegSI | OpKind::MemorySegESI | OpKind::MemorySegRSI => {
                let reg = match kind {
                    OpKind::MemorySegSI => "si",
                    OpKind::MemorySegESI => "esi",
                    _ => "rsi",
                };
                let seg = match instr.segment_prefix() {
                    Register::None => String::new(),
                    s => format!("{}:", lower_name(s)),
                };
                operands.push(format!("{size} ptr {seg}[{reg}]"));
            }
            OpKind::MemoryESDI | OpKind::MemoryESEDI | OpKind::MemoryESRDI => {
                let reg = match kind {
                    OpKind::MemoryESDI => "di",
                    OpKind::MemoryESEDI => "edi",
                    _ => "rdi",
                };
                operands.push(format!("{size} ptr [{reg}]"));
            }
            // ins/outs keep the port register; the implicit accumulator (al/ax/eax/rax) is not shown.
            OpKind::Register if instr.op_register(i as u32) == Register::DX => {
                operands.push("dx".to_string())
            }
            _ => {}
        }
    }
    let prefix = if instr.has_repne_prefix() {
        "repne "
    } else if instr.has_rep_prefix() {
        if base == "cmps" || base == "scas" {
            "repe "
        } else {
            "rep "
        }
    } else {
        ""
    };
    let lock = if instr.has_lock_prefix() { "lock " } else { "" };
    Some((format!("{lock}{prefix}{base}"), operands.join(",")))
}

/// 8-byte memory operands of SSE/MMX instructions print as `mmword ptr` in WinDbg.
fn wants_mmword(instr: &Instruction) -> bool {
    let ms = instr.memory_size();
    if ms.size() != 8 || ms == MemorySize::Int64 {
        return false;
    }
    (0..instr.op_count()).any(|i| {
        instr.op_kind(i) == OpKind::Register && {
            let r = instr.op_register(i);
            r.is_xmm() || r.is_mm()
        }
    })
}

/// Mnemonic (with prefixes) and operand text of a decoded instruction.
fn instruction_text(instr: &Instruction, ctx: &dyn DisasmContext) -> (String, String) {
    if let Some(t) = string_instruction_text(instr) {
        return t;
    }
    let mut fmt = make_formatter(precompute_symbols(instr, ctx));
    let mut mnemonic = String::new();
    fmt.format_mnemonic(instr, &mut mnemonic);
    let mmword = wants_mmword(instr);
    let mut operands = String::new();
    for op in 0..fmt.operand_count(instr) {
        if op > 0 {
            operands.push(',');
        }
        let mut text = String::new();
        if fmt.format_operand(instr, &mut text, op).is_err() {
            continue;
        }
        let is_mem = matches!(fmt.get_instruction_operand(instr, op), Ok(Some(i)) if instr.op_kind(i) == OpKind::Memory);
        if is_mem
            && mmword
            && let Some(rest) = text.strip_prefix("qword ptr")
        {
            text = format!("mmword ptr{rest}");
        }
        // iced's MASM says `oword ptr` for plain 16-byte operands (cmpxchg16b); dbgeng and
        // every other Intel-syntax disassembler say `xmmword ptr`.
        if is_mem && let Some(rest) = text.strip_prefix("oword ptr") {
            text = format!("xmmword ptr{rest}");
        }
        operands.push_str(&text);
    }
    // dbgeng spells out the implicit accumulator of one-operand mul/imul/div/idiv:
    // `div eax,ecx`, `idiv eax,dword ptr [rsp+28h]`, `mul eax,ecx` (captures).
    if matches!(
        instr.mnemonic(),
        Mnemonic::Mul | Mnemonic::Imul | Mnemonic::Div | Mnemonic::Idiv
    ) && instr.op_count() == 1
    {
        let size = match instr.op0_kind() {
            OpKind::Register => instr.op0_register().size(),
            _ => instr.memory_size().size(),
        };
        let acc = match size {
            1 => "al",
            2 => "ax",
            4 => "eax",
            _ => "rax",
        };
        operands = format!("{acc},{operands}");
    }
    (mnemonic, operands)
}

// ------------------------------------------------------------------------------------------------
// Line layout
// ------------------------------------------------------------------------------------------------

fn pad_to(s: &mut String, line_start: usize, column: usize) {
    let col = s.len() - line_start;
    let spaces = if col < column { column - col } else { 1 };
    s.extend(std::iter::repeat_n(' ', spaces));
}

/// Address, bytes, mnemonic and operands laid out as in WinDbg.
fn layout_line(addr: u64, bytes_hex: &str, mnemonic: &str, operands: &str) -> String {
    let mut s = String::with_capacity(80);
    s.push_str(&format_address(addr));
    s.push(' ');
    s.push_str(bytes_hex);
    pad_to(&mut s, 0, 34);
    s.push_str(mnemonic);
    if !operands.is_empty() {
        pad_to(&mut s, 0, if bytes_hex.len() < 16 { 42 } else { 43 });
        s.push_str(operands);
    }
    s
}

fn hex_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn render_fetched(addr: u64, fetched: &Fetched, ctx: &dyn DisasmContext) -> String {
    match fetched {
        Fetched::Ok(instr, bytes) => {
            let (mnemonic, operands) = instruction_text(instr, ctx);
            layout_line(addr, &hex_bytes(bytes), &mnemonic, &operands)
        }
        Fetched::Invalid(b) => layout_line(addr, &format!("{b:02x}"), "???", ""),
        Fetched::Unreadable => layout_line(addr, "??", "???", ""),
    }
}

// ------------------------------------------------------------------------------------------------
// Annotation for the current instruction
// ------------------------------------------------------------------------------------------------

fn register_value(regs: &dyn RegisterContext, reg: Register, opts: &DisasmOptions) -> Option<u64> {
    match reg {
        Register::ES | Register::CS | Register::SS | Register::DS => Some(0),
        Register::FS => Some(if opts.segment_base_in_annotation {
            regs.fs_base()
        } else {
            0
        }),
        Register::GS => Some(if opts.segment_base_in_annotation {
            regs.gs_base()
        } else {
            0
        }),
        Register::AH | Register::BH | Register::CH | Register::DH => {
            Some((regs.register(reg.full_register()) >> 8) & 0xff)
        }
        r if r.is_gpr() => {
            let v = regs.register(r.full_register());
            Some(match r.size() {
                1 => v & 0xff,
                2 => v & 0xffff,
                4 => v & 0xffff_ffff,
                _ => v,
            })
        }
        _ => None,
    }
}

/// `seg:address=value` for the first explicit memory operand, or None.
fn memory_annotation(
    instr: &Instruction,
    ctx: &dyn DisasmContext,
    regs: &dyn RegisterContext,
    opts: &DisasmOptions,
) -> Option<String> {
    if matches!(instr.mnemonic(), Mnemonic::Lea | Mnemonic::Nop) || instr.is_vsib() {
        return None;
    }
    // Only explicit memory operands: string instructions (`rep movs byte ptr [rdi],byte ptr [rsi]`)
    // get no annotation in captures.
    let op = (0..instr.op_count()).find(|&i| instr.op_kind(i) == OpKind::Memory)?;
    let size = instr.memory_size().size();
    if size == 0 || size > 64 {
        return None;
    }
    let seg = instr.memory_segment();
    let ea = instr.virtual_address(op, 0, |reg, _, _| register_value(regs, reg, opts))?;
    let mut buf = vec![0u8; size];
    let value = if !ctx.read_memory(ea, &mut buf) {
        "?".repeat(size * 2)
    } else {
        let plain: String = buf.iter().rev().map(|b| format!("{b:02x}")).collect();
        // A pointer-sized value that symbolizes is shown as `{sym (address)}` — for indirect
        // calls (`={KERNEL32!VirtualAllocStub (00007ff8`a3948810)}`) and for plain loads alike
        // (`mov rax,qword ptr [rax+18h] ds:...={ntdll!PebLdr (00007ff8`d51108c0)}`).
        if size == 8 {
            let target = u64::from_le_bytes(buf[..8].try_into().unwrap_or([0; 8]));
            match ctx.symbolize(target) {
                Some(sym) => format!("{{{} ({})}}", sym, format_address(target)),
                None => plain,
            }
        } else {
            plain
        }
    };
    Some(format!(
        "{}:{}={}",
        lower_name(seg),
        format_address(ea),
        value
    ))
}

/// Whether the conditional branch at the current IP will be taken; None for other instructions.
fn branch_taken(instr: &Instruction, regs: &dyn RegisterContext) -> Option<bool> {
    if instr.flow_control() != FlowControl::ConditionalBranch {
        return None;
    }
    let fl = regs.rflags();
    let cf = fl & 0x1 != 0;
    let pf = fl & 0x4 != 0;
    let zf = fl & 0x40 != 0;
    let sf = fl & 0x80 != 0;
    let of = fl & 0x800 != 0;
    if instr.is_jcc_short_or_near() {
        return Some(match instr.condition_code() {
            ConditionCode::o => of,
            ConditionCode::no => !of,
            ConditionCode::b => cf,
            ConditionCode::ae => !cf,
            ConditionCode::e => zf,
            ConditionCode::ne => !zf,
            ConditionCode::be => cf || zf,
            ConditionCode::a => !cf && !zf,
            ConditionCode::s => sf,
            ConditionCode::ns => !sf,
            ConditionCode::p => pf,
            ConditionCode::np => !pf,
            ConditionCode::l => sf != of,
            ConditionCode::ge => sf == of,
            ConditionCode::le => zf || sf != of,
            ConditionCode::g => !zf && sf == of,
            ConditionCode::None => return None,
        });
    }
    let rcx = regs.register(Register::RCX);
    let code = format!("{:?}", instr.code());
    let mask = if code.ends_with("_RCX") {
        u64::MAX
    } else if code.ends_with("_ECX") {
        0xffff_ffff
    } else {
        0xffff
    };
    match instr.mnemonic() {
        Mnemonic::Jrcxz => Some(rcx == 0),
        Mnemonic::Jecxz => Some(rcx & 0xffff_ffff == 0),
        Mnemonic::Jcxz => Some(rcx & 0xffff == 0),
        Mnemonic::Loop => Some(rcx.wrapping_sub(1) & mask != 0),
        Mnemonic::Loope => Some(rcx.wrapping_sub(1) & mask != 0 && zf),
        Mnemonic::Loopne => Some(rcx.wrapping_sub(1) & mask != 0 && !zf),
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------------
// Public entry points
// ------------------------------------------------------------------------------------------------

/// One line: `` 00007ff6`7762b890 48894c2408      mov     qword ptr [rsp+8],rcx `` (+ ``  ss:00000097`89f7fad0=06100800000906ea ``
/// when regs is Some and the instruction has a memory operand, + ` [br=1]` on a conditional branch).
/// Returns the text (no trailing newline) and the instruction length. Unreadable code →
/// `` 00007ff6`7762b890 ??              ??? `` with length 1.
pub fn format_instruction(
    addr: u64,
    ctx: &dyn DisasmContext,
    regs: Option<&dyn RegisterContext>,
) -> (String, usize) {
    format_instruction_ex(addr, ctx, regs, &DisasmOptions::default())
}

/// Behaviour switches; the defaults reproduce WinDbg.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DisasmOptions {
    /// Add the fs/gs base to `fs:`/`gs:` effective addresses in the annotation. WinDbg does not:
    /// every x64 user-mode capture shows `` mov rax,qword ptr gs:[60h] gs:00000000`00000060=???????????????? ``
    /// (it uses the descriptor base, 0, not the MSR base), so this is off by default.
    pub segment_base_in_annotation: bool,
}

/// [`format_instruction`] with explicit [`DisasmOptions`].
pub fn format_instruction_ex(
    addr: u64,
    ctx: &dyn DisasmContext,
    regs: Option<&dyn RegisterContext>,
    opts: &DisasmOptions,
) -> (String, usize) {
    let fetched = fetch(addr, ctx);
    let mut line = render_fetched(addr, &fetched, ctx);
    if let (Some(regs), Fetched::Ok(instr, _)) = (regs, &fetched) {
        if let Some(ann) = memory_annotation(instr, ctx, regs, opts) {
            line.push(' ');
            line.push_str(&ann);
        }
        if let Some(taken) = branch_taken(instr, regs) {
            line.push_str(if taken { " [br=1]" } else { " [br=0]" });
        }
    }
    (line, fetched.len())
}

/// The two-line "current instruction" display used by events, steps and `r`: the symbol line
/// `ntdll!RtlAllocateHeap:` (omitted when symbolize returns None), then the instruction line with
/// annotation. Each line ends with `\n`.
pub fn format_current(addr: u64, ctx: &dyn DisasmContext, regs: &dyn RegisterContext) -> String {
    let mut out = String::new();
    if let Some(sym) = ctx.symbolize(addr) {
        out.push_str(&sym);
        out.push_str(":\n");
    }
    out.push_str(&format_instruction(addr, ctx, Some(regs)).0);
    out.push('\n');
    out
}

/// Result of a `u` listing with the error status WinDbg reports after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unassembly {
    /// Listing text, every line `\n`-terminated.
    pub text: String,
    /// Where a following `u` without arguments continues.
    pub next: u64,
    /// The listing stopped at unreadable memory (WinDbg then prints `Memory access error`).
    pub memory_error: bool,
}

/// `u` listing with error status: stops after the first unreadable line.
pub fn unassemble_ex(addr: u64, count: usize, ctx: &dyn DisasmContext) -> Unassembly {
    let mut text = String::new();
    let mut a = addr;
    let mut memory_error = false;
    for i in 0..count {
        if let Some(sym) = ctx.symbolize(a)
            && (i == 0 || is_symbol_start(&sym))
        {
            text.push_str(&sym);
            text.push_str(":\n");
        }
        let fetched = fetch(a, ctx);
        text.push_str(&render_fetched(a, &fetched, ctx));
        text.push('\n');
        a = a.wrapping_add(fetched.len() as u64);
        if matches!(fetched, Fetched::Unreadable) {
            memory_error = true;
            break;
        }
    }
    Unassembly {
        text,
        next: a,
        memory_error,
    }
}

/// `u` listing of `count` instructions from addr: symbol header line first, a new header whenever
/// the listing enters a different symbol (symbolize() yields an offset-0 name), no annotations.
/// Returns text and the next address (so `u` with no args continues). Stops after an unreadable
/// line (see [`unassemble_ex`] for the error flag).
pub fn unassemble(addr: u64, count: usize, ctx: &dyn DisasmContext) -> (String, u64) {
    let u = unassemble_ex(addr, count, ctx);
    (u.text, u.next)
}

/// Forward decode from `from`; returns the instruction starts if the decode lands exactly on `to`.
fn decode_chain(from: u64, to: u64, ctx: &dyn DisasmContext) -> Option<Vec<u64>> {
    let mut starts = Vec::new();
    let mut p = from;
    while p < to {
        match fetch(p, ctx) {
            Fetched::Ok(instr, _) => {
                starts.push(p);
                p = p.checked_add(instr.len() as u64)?;
            }
            _ => return None,
        }
    }
    (p == to).then_some(starts)
}

/// Start address of the `count` instructions that end exactly at `addr`, and how many were found
/// (fewer than `count` when the bytes before `addr` do not decode that far back). None when no
/// instruction ends at `addr`.
///
/// Strategy: (1) if `addr` symbolizes as `module!symbol+0xoff`, decode forward from the symbol
/// start; if that lands on `addr` it is authoritative (extending further back with (2) when the
/// symbol has fewer than `count` instructions before `addr`).  (2) Otherwise every byte position in
/// a window of `count * 15 + 15` bytes is a candidate start; candidates whose decode lands exactly
/// on `addr` vote for the instruction boundary `count` instructions back, and the boundary with the
/// most votes wins (x86 decoding re-synchronises, so most wrong starts converge on the true
/// stream).  Ties go to the boundary reached from the furthest-back start.
pub fn unassemble_backwards_start(
    addr: u64,
    count: usize,
    ctx: &dyn DisasmContext,
) -> Option<(u64, usize)> {
    if count == 0 {
        return Some((addr, 0));
    }
    if let Some(sym) = ctx.symbolize(addr)
        && sym.contains('!')
        && let Some((_, off)) = split_displacement(&sym)
        && off > 0
        && off <= UB_MAX_HINT_DISTANCE
        && off <= addr
        && let Some(starts) = decode_chain(addr - off, addr, ctx)
    {
        if starts.len() >= count {
            return Some((starts[starts.len() - count], count));
        }
        let first = starts[0];
        return match vote_backwards(first, count - starts.len(), ctx) {
            Some((s, n)) => Some((s, n + starts.len())),
            None => Some((first, starts.len())),
        };
    }
    vote_backwards(addr, count, ctx)
}

fn vote_backwards(addr: u64, count: usize, ctx: &dyn DisasmContext) -> Option<(u64, usize)> {
    let window =
        (count.saturating_mul(MAX_INSTRUCTION_LEN) + MAX_INSTRUCTION_LEN).min(1 << 16) as u64;
    let lo = addr.saturating_sub(window);
    let n = (addr - lo) as usize;
    if n == 0 {
        return None;
    }
    // Read the window, tolerating unreadable bytes.
    let mut buf = vec![0u8; n];
    let mut readable = vec![true; n];
    if !ctx.read_memory(lo, &mut buf) {
        for (i, (byte, ok)) in buf.iter_mut().zip(readable.iter_mut()).enumerate() {
            *ok = ctx.read_memory(lo + i as u64, std::slice::from_mut(byte));
        }
    }
    // readable_end[i]: first unreadable offset at or after i (n if none).
    let mut readable_end = vec![n; n + 1];
    for i in (0..n).rev() {
        readable_end[i] = if readable[i] { readable_end[i + 1] } else { i };
    }
    // next[i]: offset after the valid instruction starting at offset i, if it ends <= n.
    let next: Vec<Option<usize>> = (0..n)
        .map(|i| {
            let end = readable_end[i].min(i + MAX_INSTRUCTION_LEN);
            if end <= i {
                return None;
            }
            let mut decoder =
                Decoder::with_ip(64, &buf[i..end], lo + i as u64, DecoderOptions::NONE);
            let instr = decoder.decode();
            (!instr.is_invalid()).then(|| i + instr.len())
        })
        .collect();
    // depth[i]: number of instructions from offset i to exactly `addr` (offset n);
    // anchor[i]: the instruction `count` steps before `addr` on that chain (when depth >= count).
    let mut depth: Vec<Option<usize>> = vec![None; n + 1];
    let mut anchor: Vec<usize> = (0..=n).collect();
    depth[n] = Some(0);
    for i in (0..n).rev() {
        let Some(j) = next[i] else { continue };
        let Some(d) = depth[j] else { continue };
        depth[i] = Some(d + 1);
        if d + 1 > count {
            anchor[i] = anchor[j];
        }
    }
    // Every start whose decode lands on `addr` votes for its anchor.
    let mut votes: BTreeMap<usize, (usize, usize)> = BTreeMap::new(); // anchor -> (votes, furthest start)
    let mut best_partial: Option<(usize, usize)> = None; // (depth, start)
    for (i, d) in depth.iter().enumerate().take(n) {
        let Some(d) = *d else { continue };
        if d >= count {
            votes.entry(anchor[i]).or_insert((0, i)).0 += 1;
        } else if best_partial.is_none_or(|(bd, _)| d > bd) {
            best_partial = Some((d, i));
        }
    }
    if let Some((&q, _)) = votes
        .iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
    {
        return Some((lo + q as u64, count));
    }
    best_partial.map(|(d, i)| (lo + i as u64, d))
}

/// `ub`: the `count` instructions that end just before addr (see [`unassemble_backwards_start`]
/// for how the start is found), listed like `u`. Empty when no instruction ends at `addr`.
pub fn unassemble_backwards(addr: u64, count: usize, ctx: &dyn DisasmContext) -> String {
    match unassemble_backwards_start(addr, count, ctx) {
        Some((start, n)) if n > 0 => unassemble_ex(start, n, ctx).text,
        _ => String::new(),
    }
}

struct FlowInsn {
    fetched: Fetched,
    /// Control can continue into the next instruction.
    falls_through: bool,
    is_branch: bool,
}

/// `uf`: the whole function containing/starting at `start`, split into basic blocks as in §9:
/// blocks in address order, a blank line between blocks, each headed by its symbol line (when
/// symbolize() knows the address), `  Branch` after every jump (conditional, unconditional and
/// indirect). Direct jump targets inside `[start, end)` are followed; calls are not; `ret`,
/// `jmp` and undecodable/unreadable bytes end a path. A block ends at a jump, at a return, or
/// where the next instruction starts another block (a jump target or the fall-through of a
/// conditional jump). When `end <= start` the range is taken as `[start, start + 0x10000)`.
pub fn unassemble_function(start: u64, end: u64, ctx: &dyn DisasmContext) -> String {
    let end = if end <= start {
        start.saturating_add(UF_DEFAULT_RANGE)
    } else {
        end
    };
    let in_range = |a: u64| a >= start && a < end;
    let mut insns: BTreeMap<u64, FlowInsn> = BTreeMap::new();
    let mut leaders: BTreeSet<u64> = BTreeSet::new();
    let mut work = vec![start];
    leaders.insert(start);
    while let Some(mut p) = work.pop() {
        while in_range(p) && !insns.contains_key(&p) && insns.len() < UF_MAX_INSTRUCTIONS {
            let fetched = fetch(p, ctx);
            let len = fetched.len() as u64;
            let (falls_through, is_branch) = match &fetched {
                Fetched::Ok(instr, _) => match instr.flow_control() {
                    FlowControl::ConditionalBranch => {
                        let t = instr.near_branch_target();
                        if in_range(t)
                            && instr.op_count() > 0
                            && matches!(
                                instr.op0_kind(),
                                OpKind::NearBranch64 | OpKind::NearBranch32 | OpKind::NearBranch16
                            )
                        {
                            leaders.insert(t);
                            work.push(t);
                        }
                        leaders.insert(p.wrapping_add(len));
                        (true, true)
                    }
                    FlowControl::UnconditionalBranch => {
                        if matches!(
                            instr.op0_kind(),
                            OpKind::NearBranch64 | OpKind::NearBranch32 | OpKind::NearBranch16
                        ) {
                            let t = instr.near_branch_target();
                            if in_range(t) {
                                leaders.insert(t);
                                work.push(t);
                            }
                        }
                        (false, true)
                    }
                    FlowControl::IndirectBranch => (false, true),
                    FlowControl::Return => (false, false),
                    _ => (true, false),
                },
                Fetched::Invalid(_) | Fetched::Unreadable => (false, false),
            };
            insns.insert(
                p,
                FlowInsn {
                    fetched,
                    falls_through,
                    is_branch,
                },
            );
            if !falls_through {
                break;
            }
            p = match p.checked_add(len) {
                Some(n) => n,
                None => break,
            };
        }
    }

    let mut out = String::new();
    let mut prev_end: Option<u64> = None; // end of previous instruction if it falls through
    for (&a, insn) in &insns {
        let new_block = prev_end != Some(a) || leaders.contains(&a);
        if new_block {
            if !out.is_empty() {
                out.push('\n');
            }
            if let Some(sym) = ctx.symbolize(a) {
                out.push_str(&sym);
                out.push_str(":\n");
            }
        }
        out.push_str(&render_fetched(a, &insn.fetched, ctx));
        if insn.is_branch {
            out.push_str("  Branch");
        }
        out.push('\n');
        // A jump (even a conditional one) ends its block; so does anything that does not fall through.
        prev_end = if insn.falls_through && !insn.is_branch {
            a.checked_add(insn.fetched.len() as u64)
        } else {
            None
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    // --------------------------------------------------------------------------------------------
    // Fakes
    // --------------------------------------------------------------------------------------------

    #[derive(Default)]
    struct FakeCtx {
        /// (address, bytes) regions of readable memory.
        regions: Vec<(u64, Vec<u8>)>,
        /// (base, end, name) — addresses inside symbolize as `name+0x..` without a symbol.
        modules: Vec<(u64, u64, String)>,
        /// (address, "module!symbol").
        symbols: Vec<(u64, String)>,
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    impl FakeCtx {
        fn map(&mut self, addr: u64, bytes: &[u8]) -> &mut Self {
            self.regions.push((addr, bytes.to_vec()));
            self
        }
        fn map_hex(&mut self, addr: u64, h: &str) -> &mut Self {
            self.map(addr, &hex(h))
        }
        fn map_u64(&mut self, addr: u64, v: u64) -> &mut Self {
            self.map(addr, &v.to_le_bytes())
        }
        fn module(&mut self, base: u64, size: u64, name: &str) -> &mut Self {
            self.modules
                .push((base, base.saturating_add(size), name.to_string()));
            self
        }
        fn sym(&mut self, addr: u64, name: &str) -> &mut Self {
            self.symbols.push((addr, name.to_string()));
            self
        }
    }

    impl DisasmContext for FakeCtx {
        fn symbolize(&self, addr: u64) -> Option<String> {
            let (base, end, name) = self
                .modules
                .iter()
                .find(|(b, e, _)| addr >= *b && addr < *e)?;
            let best = self
                .symbols
                .iter()
                .filter(|(a, _)| *a <= addr && *a >= *base && *a < *end)
                .max_by_key(|(a, _)| *a);
            Some(match best {
                Some((a, s)) if *a == addr => s.clone(),
                Some((a, s)) => format!("{}+0x{:x}", s, addr - a),
                None if addr == *base => name.clone(),
                None => format!("{}+0x{:x}", name, addr - base),
            })
        }
        fn read_memory(&self, addr: u64, buf: &mut [u8]) -> bool {
            for (i, b) in buf.iter_mut().enumerate() {
                let a = addr.wrapping_add(i as u64);
                // Later mappings win, so tests can overwrite.
                let found = self.regions.iter().rev().find_map(|(base, bytes)| {
                    (a >= *base && a - base < bytes.len() as u64)
                        .then(|| bytes[(a - base) as usize])
                });
                match found {
                    Some(v) => *b = v,
                    None => return false,
                }
            }
            true
        }
    }

    #[derive(Default, Clone)]
    struct FakeRegs {
        regs: HashMap<Register, u64>,
        rflags: u64,
        gs: u64,
        fs: u64,
    }

    impl FakeRegs {
        fn with(pairs: &[(Register, u64)]) -> Self {
            FakeRegs {
                regs: pairs.iter().copied().collect(),
                rflags: 0x202,
                ..Default::default()
            }
        }
        fn flags(mut self, f: u64) -> Self {
            self.rflags = f;
            self
        }
    }

    impl RegisterContext for FakeRegs {
        fn register(&self, reg: Register) -> u64 {
            self.regs.get(&reg).copied().unwrap_or(0)
        }
        fn rflags(&self) -> u64 {
            self.rflags
        }
        fn gs_base(&self) -> u64 {
            self.gs
        }
        fn fs_base(&self) -> u64 {
            self.fs
        }
    }

    /// A context holding one instruction at `addr`.
    fn one(addr: u64, bytes: &str) -> FakeCtx {
        let mut c = FakeCtx::default();
        c.map_hex(addr, bytes);
        c
    }

    fn line(addr: u64, ctx: &FakeCtx) -> String {
        format_instruction(addr, ctx, None).0
    }

    fn cur(addr: u64, ctx: &FakeCtx, regs: &FakeRegs) -> String {
        format_current(addr, ctx, regs)
    }

    // --------------------------------------------------------------------------------------------
    // Seed transcript (S2) and §5.2
    // --------------------------------------------------------------------------------------------

    fn seed_ctx() -> FakeCtx {
        let mut c = FakeCtx::default();
        c.module(0x7ff6_775f_0000, 0x80000, "allocate")
            .sym(0x7ff6_7762_b890, "allocate!alloc_malloc")
            .sym(0x7ff6_7762_b8b0, "allocate!alloc_new")
            .sym(0x7ff6_7762_b8e0, "allocate!alloc_heap")
            .module(0x7ff8_9f3a_0000, 0x1f0000, "ntdll")
            .sym(0x7ff8_9f3f_b870, "ntdll!RtlAllocateHeap")
            .map_hex(0x7ff6_7762_b890, "48894c2408")
            .map_hex(0x7ff6_7762_b8b0, "48894c2408")
            .map_hex(0x7ff6_7762_b8e0, "48894c2408")
            .map_hex(0x7ff8_9f3f_b870, "48895c2408")
            // The stack.
            .map(0x97_89f7_f000, &[0u8; 0x1000]);
        c
    }

    #[test]
    fn seed_breakpoint_hits() {
        let mut c = seed_ctx();
        c.map_u64(0x97_89f7_fad0, 0x0610_0800_0009_06ea);
        let r = FakeRegs::with(&[(Register::RSP, 0x97_89f7_fac8)]);
        assert_eq!(
            cur(0x7ff6_7762_b890, &c, &r),
            "allocate!alloc_malloc:\n\
             00007ff6`7762b890 48894c2408      mov     qword ptr [rsp+8],rcx ss:00000097`89f7fad0=06100800000906ea\n"
        );
        for rsp in [0x97_89f7_fa68u64, 0x97_89f7_fa28, 0x97_89f7_fa98] {
            let r = FakeRegs::with(&[(Register::RSP, rsp)]);
            let expect = format!(
                "ntdll!RtlAllocateHeap:\n\
                 00007ff8`9f3fb870 48895c2408      mov     qword ptr [rsp+8],rbx ss:{}=0000000000000000\n",
                format_address(rsp + 8)
            );
            assert_eq!(cur(0x7ff8_9f3f_b870, &c, &r), expect);
        }
        c.map_u64(0x97_89f7_fad0, 8);
        let r = FakeRegs::with(&[(Register::RSP, 0x97_89f7_fac8)]);
        assert_eq!(
            cur(0x7ff6_7762_b8b0, &c, &r),
            "allocate!alloc_new:\n\
             00007ff6`7762b8b0 48894c2408      mov     qword ptr [rsp+8],rcx ss:00000097`89f7fad0=0000000000000008\n"
        );
        assert_eq!(
            cur(0x7ff6_7762_b8e0, &c, &r),
            "allocate!alloc_heap:\n\
             00007ff6`7762b8e0 48894c2408      mov     qword ptr [rsp+8],rcx ss:00000097`89f7fad0=0000000000000008\n"
        );
        // Without registers: no annotation, as in `u`.
        assert_eq!(
            line(0x7ff8_9f3f_b870, &c),
            "00007ff8`9f3fb870 48895c2408      mov     qword ptr [rsp+8],rbx"
        );
    }

    #[test]
    fn indirect_call_through_import_without_symbols() {
        // ref 38628682136: module "sym" without symbols, call through the IAT.
        let mut c = FakeCtx::default();
        c.module(0x7ff7_da26_0000, 0x20000, "sym")
            .module(0x7ff8_a393_0000, 0xc0000, "KERNEL32")
            .sym(0x7ff8_a394_8810, "KERNEL32!VirtualAllocStub")
            .map_hex(0x7ff7_da26_11b0, "ff15121f0100 488bf8")
            .map_u64(0x7ff7_da27_30c8, 0x7ff8_a394_8810);
        let r = FakeRegs::default();
        assert_eq!(
            cur(0x7ff7_da26_11b0, &c, &r),
            "sym+0x11b0:\n\
             00007ff7`da2611b0 ff15121f0100    call    qword ptr [sym+0x130c8 (00007ff7`da2730c8)] ds:00007ff7`da2730c8={KERNEL32!VirtualAllocStub (00007ff8`a3948810)}\n"
        );
        assert_eq!(
            cur(0x7ff7_da26_11b6, &c, &r),
            "sym+0x11b6:\n00007ff7`da2611b6 488bf8          mov     rdi,rax\n"
        );
    }

    // --------------------------------------------------------------------------------------------
    // §1 events
    // --------------------------------------------------------------------------------------------

    #[test]
    fn initial_break_and_exceptions() {
        let mut c = FakeCtx::default();
        c.module(0x7ff9_4092_0000, 0x1ee000, "ntdll")
            .sym(0x7ff9_409f_335c, "ntdll!LdrpDoDebuggerBreak")
            .map_hex(0x7ff9_409f_338c, "cc");
        assert_eq!(
            cur(0x7ff9_409f_338c, &c, &FakeRegs::default()),
            "ntdll!LdrpDoDebuggerBreak+0x30:\n00007ff9`409f338c cc              int     3\n"
        );

        // §1.3 divide by zero; the doc collapsed the spaces, the real layout is used here.
        let mut c = FakeCtx::default();
        c.module(0x7ff6_3be0_0000, 0x20000, "MyApp")
            .sym(0x7ff6_3be1_1020, "MyApp!MyFunction")
            .map_hex(0x7ff6_3be1_1064, "f77c2428")
            .map(0x63_2036_f000, &[0u8; 0x1000]);
        let r = FakeRegs::with(&[(Register::RSP, 0x63_2036_f7e0)]);
        assert_eq!(
            cur(0x7ff6_3be1_1064, &c, &r),
            "MyApp!MyFunction+0x44:\n\
             00007ff6`3be11064 f77c2428        idiv    eax,dword ptr [rsp+28h] ss:00000063`2036f808=00000000\n"
        );

        // §1.3 access violation (S3): byte store to unreadable memory.
        let mut c = FakeCtx::default();
        c.module(0x7ff7_8b8f_0000, 0x30000, "windbg_leak")
            .sym(0x7ff7_8b90_23d0, "windbg_leak!main")
            .map_hex(0x7ff7_8b90_2434, "c6040131");
        let r = FakeRegs::with(&[(Register::RCX, 0x2b0_a4d1_0000), (Register::RAX, 0xa000)]);
        assert_eq!(
            cur(0x7ff7_8b90_2434, &c, &r),
            "windbg_leak!main+0x64:\n\
             00007ff7`8b902434 c6040131        mov     byte ptr [rcx+rax],31h ds:000002b0`a4d1a000=??\n"
        );
    }

    // --------------------------------------------------------------------------------------------
    // §10 stepping
    // --------------------------------------------------------------------------------------------

    #[test]
    fn stepping_display() {
        let mut c = FakeCtx::default();
        c.module(0x7ff6_02da_0000, 0x20000, "syscall")
            .sym(0x7ff6_02db_1160, "syscall!SysNtCreateFile")
            .map_hex(0x7ff6_02db_1160, "4c8bd1 b855000000 0f05 c3");
        let r = FakeRegs::default();
        let mut out = String::new();
        let mut a = 0x7ff6_02db_1160;
        for _ in 0..4 {
            out.push_str(&cur(a, &c, &r));
            a += format_instruction(a, &c, None).1 as u64;
        }
        assert_eq!(
            out,
            "syscall!SysNtCreateFile:\n\
             00007ff6`02db1160 4c8bd1          mov     r10,rcx\n\
             syscall!SysNtCreateFile+0x3:\n\
             00007ff6`02db1163 b855000000      mov     eax,55h\n\
             syscall!SysNtCreateFile+0x8:\n\
             00007ff6`02db1168 0f05            syscall\n\
             syscall!SysNtCreateFile+0xa:\n\
             00007ff6`02db116a c3              ret\n"
        );

        // Outside any module: no symbol line; RIP-relative operand without a symbol.
        let mut c = FakeCtx::default();
        c.map_hex(0x31_f52c, "48890ded000000").map_u64(0x31_f620, 0);
        assert_eq!(
            cur(0x31_f52c, &c, &r),
            "00000000`0031f52c 48890ded000000  mov     qword ptr [00000000`0031f620],rcx ds:00000000`0031f620=0000000000000000\n"
        );

        // pc: call through an incremental-link thunk whose name contains '+'.
        let mut c = FakeCtx::default();
        c.module(0x7ff6_0fb5_0000, 0x30000, "windbg_leak")
            .sym(0x7ff6_0fb6_1e90, "windbg_leak!overflowTest")
            .sym(0x7ff6_0fb6_138e, "windbg_leak!ILT+905(_RTC_CheckStackVars)")
            .sym(0x7ff6_0fb6_3740, "windbg_leak!failwithmessage")
            .map_hex(0x7ff6_0fb6_1f0a, "e87ff4ffff")
            .map_hex(0x7ff6_0fb6_3974, "cc");
        assert_eq!(
            cur(0x7ff6_0fb6_1f0a, &c, &r),
            "windbg_leak!overflowTest+0x7a:\n\
             00007ff6`0fb61f0a e87ff4ffff      call    windbg_leak!ILT+905(_RTC_CheckStackVars) (00007ff6`0fb6138e)\n"
        );
        assert_eq!(
            cur(0x7ff6_0fb6_3974, &c, &r),
            "windbg_leak!failwithmessage+0x234:\n00007ff6`0fb63974 cc              int     3\n"
        );

        // gu: nop with a memory operand gets no annotation.
        let mut c = FakeCtx::default();
        c.module(0x7ffc_2e50_0000, 0x100000, "shcore")
            .sym(0x7ffc_2e53_e630, "shcore!_SHRegQueryValueW")
            .map_hex(0x7ffc_2e53_e6bd, "0f1f440000");
        assert_eq!(
            cur(
                0x7ffc_2e53_e6bd,
                &c,
                &FakeRegs::with(&[(Register::RAX, 0x1000)])
            ),
            "shcore!_SHRegQueryValueW+0x8d:\n00007ffc`2e53e6bd 0f1f440000      nop     dword ptr [rax+rax]\n"
        );
    }

    /// A Windows 7 `p` sequence through kernel32!MoveFileExW (capture ref 11980780918): indirect
    /// calls with `{symbol}` values, dword/qword stack and heap reads, gs without its base,
    /// `[br=1]`/`[br=0]`.
    #[test]
    fn step_sequence_with_annotations_and_branches() {
        let mut c = FakeCtx::default();
        c.module(0x7709_0000, 0x11f000, "kernel32")
            .sym(0x770d_2b60, "kernel32!MoveFileExW")
            .sym(0x770f_1a20, "kernel32!BaseSetLastNTError")
            .sym(0x770f_20c0, "kernel32!GetModuleHandleW")
            .sym(0x7716_bac0, "kernel32!UnhandledExceptionFilter")
            .module(0x772f_0000, 0x1a9000, "ntdll")
            .sym(0x7731_a020, "ntdll!RtlFreeHeap")
            .sym(0x7735_9b10, "ntdll!ZwSetInformationFile")
            .map_hex(
                0x770d_2dd5,
                "ff158d9e0900 89842480000000 65488b042530000000 488b4860 4c8b8424b8000000 33d2 \
                 488b4930 ff15c59e0900 8b8c2480000000 85c9 0f88a2060200",
            )
            .map_hex(0x770f_34b4, "81f9d40000c0 7408 81f9380019c0 754c")
            .map_hex(0x770f_3510, "e80be5ffff e9fff8fdff")
            .map_u64(0x7716_cc68, 0x7735_9b10)
            .map_u64(0x7716_ccc8, 0x7731_a020)
            .map(0x26_f000, &[0u8; 0x1000])
            .map_hex(0x26_f190, "48af8102")
            .map_u64(0x26_f1c8, 0x4508a0)
            .map_u64(0x7ff_fffd_e060, 0x7ff_fffd_6000)
            .map_u64(0x7ff_fffd_6030, 0x3f_0000);
        let base = FakeRegs::with(&[(Register::RSP, 0x26_f110)]);
        let steps: Vec<(u64, FakeRegs, &str)> = vec![
            (
                0x770d_2dd5,
                base.clone(),
                "kernel32!MoveFileExW+0x275:\n00000000`770d2dd5 ff158d9e0900    call    qword ptr [kernel32!UnhandledExceptionFilter+0x11a8 (00000000`7716cc68)] ds:00000000`7716cc68={ntdll!ZwSetInformationFile (00000000`77359b10)}\n",
            ),
            (
                0x770d_2ddb,
                base.clone(),
                "kernel32!MoveFileExW+0x27b:\n00000000`770d2ddb 89842480000000  mov     dword ptr [rsp+80h],eax ss:00000000`0026f190=0281af48\n",
            ),
            (
                0x770d_2de2,
                base.clone(),
                "kernel32!MoveFileExW+0x282:\n00000000`770d2de2 65488b042530000000 mov   rax,qword ptr gs:[30h] gs:00000000`00000030=????????????????\n",
            ),
            (
                0x770d_2deb,
                FakeRegs::with(&[(Register::RSP, 0x26_f110), (Register::RAX, 0x7ff_fffd_e000)]),
                "kernel32!MoveFileExW+0x28b:\n00000000`770d2deb 488b4860        mov     rcx,qword ptr [rax+60h] ds:000007ff`fffde060=000007fffffd6000\n",
            ),
            (
                0x770d_2def,
                base.clone(),
                "kernel32!MoveFileExW+0x28f:\n00000000`770d2def 4c8b8424b8000000 mov     r8,qword ptr [rsp+0B8h] ss:00000000`0026f1c8=00000000004508a0\n",
            ),
            (
                0x770d_2df7,
                base.clone(),
                "kernel32!MoveFileExW+0x297:\n00000000`770d2df7 33d2            xor     edx,edx\n",
            ),
            (
                0x770d_2df9,
                FakeRegs::with(&[(Register::RCX, 0x7ff_fffd_6000)]),
                "kernel32!MoveFileExW+0x299:\n00000000`770d2df9 488b4930        mov     rcx,qword ptr [rcx+30h] ds:000007ff`fffd6030=00000000003f0000\n",
            ),
            (
                0x770d_2dfd,
                base.clone(),
                "kernel32!MoveFileExW+0x29d:\n00000000`770d2dfd ff15c59e0900    call    qword ptr [kernel32!UnhandledExceptionFilter+0x1208 (00000000`7716ccc8)] ds:00000000`7716ccc8={ntdll!RtlFreeHeap (00000000`7731a020)}\n",
            ),
            (
                0x770d_2e03,
                base.clone(),
                "kernel32!MoveFileExW+0x2a3:\n00000000`770d2e03 8b8c2480000000  mov     ecx,dword ptr [rsp+80h] ss:00000000`0026f190=c00000ba\n",
            ),
            (
                0x770d_2e0a,
                base.clone(),
                "kernel32!MoveFileExW+0x2aa:\n00000000`770d2e0a 85c9            test    ecx,ecx\n",
            ),
            (
                0x770d_2e0c,
                base.clone().flags(0x286),
                "kernel32!MoveFileExW+0x2ac:\n00000000`770d2e0c 0f88a2060200    js      kernel32!GetModuleHandleW+0x13f4 (00000000`770f34b4) [br=1]\n",
            ),
            (
                0x770f_34b4,
                base.clone(),
                "kernel32!GetModuleHandleW+0x13f4:\n00000000`770f34b4 81f9d40000c0    cmp     ecx,0C00000D4h\n",
            ),
            (
                0x770f_34ba,
                base.clone().flags(0x297),
                "kernel32!GetModuleHandleW+0x13fa:\n00000000`770f34ba 7408            je      kernel32!GetModuleHandleW+0x1404 (00000000`770f34c4) [br=0]\n",
            ),
            (
                0x770f_34bc,
                base.clone(),
                "kernel32!GetModuleHandleW+0x13fc:\n00000000`770f34bc 81f9380019c0    cmp     ecx,0C0190038h\n",
            ),
            (
                0x770f_34c2,
                base.clone().flags(0x297),
                "kernel32!GetModuleHandleW+0x1402:\n00000000`770f34c2 754c            jne     kernel32!GetModuleHandleW+0x1450 (00000000`770f3510) [br=1]\n",
            ),
            (
                0x770f_3510,
                base.clone(),
                "kernel32!GetModuleHandleW+0x1450:\n00000000`770f3510 e80be5ffff      call    kernel32!BaseSetLastNTError (00000000`770f1a20)\n",
            ),
            (
                0x770f_3515,
                base.clone(),
                "kernel32!GetModuleHandleW+0x1455:\n00000000`770f3515 e9fff8fdff      jmp     kernel32!MoveFileExW+0x2b9 (00000000`770d2e19)\n",
            ),
        ];
        // The store at +0x27b shows the value before it executes.
        c.map_hex(0x26_f190, "48af8102");
        for (addr, regs, expect) in &steps {
            if *addr == 0x770d_2e03 {
                c.map_hex(0x26_f190, "ba0000c0");
            }
            assert_eq!(&cur(*addr, &c, regs), expect);
        }
    }

    #[test]
    fn pointer_values_symbolize_and_gs_base_option() {
        // ref 38032320557: a plain qword load whose value is a symbol.
        let mut c = FakeCtx::default();
        c.module(0x7ff6_46f4_0000, 0x3000, "execute")
            .sym(0x7ff6_46f4_1000, "execute!start")
            .module(0x7ff8_d4f4_0000, 0x263000, "ntdll")
            .sym(0x7ff8_d511_08c0, "ntdll!PebLdr")
            .map_hex(0x7ff6_46f4_1000, "65488b042560000000 488b4018")
            .map_u64(0x8f_f4b2_8018, 0x7ff8_d511_08c0);
        let r = FakeRegs {
            gs: 0x8f_f4b2_7000,
            ..FakeRegs::with(&[(Register::RAX, 0x8f_f4b2_8000)])
        };
        assert_eq!(
            cur(0x7ff6_46f4_1000, &c, &r),
            "execute!start:\n\
             00007ff6`46f41000 65488b042560000000 mov   rax,qword ptr gs:[60h] gs:00000000`00000060=????????????????\n"
        );
        assert_eq!(
            cur(0x7ff6_46f4_1009, &c, &r),
            "execute!start+0x9:\n\
             00007ff6`46f41009 488b4018        mov     rax,qword ptr [rax+18h] ds:0000008f`f4b28018={ntdll!PebLdr (00007ff8`d51108c0)}\n"
        );
        // Opt-in: add the gs base (the emulator's TEB) to the effective address.
        c.map_u64(0x8f_f4b2_7060, 0x8f_f4b2_8000);
        let opts = DisasmOptions {
            segment_base_in_annotation: true,
        };
        assert_eq!(
            format_instruction_ex(0x7ff6_46f4_1000, &c, Some(&r), &opts).0,
            "00007ff6`46f41000 65488b042560000000 mov   rax,qword ptr gs:[60h] gs:0000008f`f4b27060=0000008ff4b28000"
        );
        // rbp-based operand → ss (ref 52272128733).
        let c = one(0x7ff7_4076_27f0, "488b4568 55");
        let mut c = c;
        c.map_u64(0x81_205e_f168, 0x1d6_bc6a_5920);
        let r = FakeRegs::with(&[(Register::RBP, 0x81_205e_f100)]);
        assert_eq!(
            format_instruction(0x7ff7_4076_27f0, &c, Some(&r)).0,
            "00007ff7`407627f0 488b4568        mov     rax,qword ptr [rbp+68h] ss:00000081`205ef168=000001d6bc6a5920"
        );
        // push has no explicit memory operand → no annotation.
        assert_eq!(
            format_instruction(0x7ff7_4076_27f4, &c, Some(&r)).0,
            "00007ff7`407627f4 55              push    rbp"
        );
    }

    #[test]
    fn annotation_widths_and_unreadable() {
        // xmmword: 32 digits (captures: movdqu ...=000...0 (32), movntdq ...=???...? (32)).
        let mut c = one(0x7fff_c076_1bd0, "f30f7f8010170000");
        c.map(0xb8_7f4e_7710, &[0u8; 16]);
        let r = FakeRegs::with(&[(Register::RAX, 0xb8_7f4e_6000)]);
        assert_eq!(
            format_instruction(0x7fff_c076_1bd0, &c, Some(&r)).0,
            "00007fff`c0761bd0 f30f7f8010170000 movdqu  xmmword ptr [rax+1710h],xmm0 ds:000000b8`7f4e7710=00000000000000000000000000000000"
        );
        let c = one(0x7ff9_df16_0de0, "660fe701");
        let r = FakeRegs::with(&[(Register::RCX, 0x51ea_12af_6480)]);
        assert_eq!(
            format_instruction(0x7ff9_df16_0de0, &c, Some(&r)).0,
            "00007ff9`df160de0 660fe701        movntdq xmmword ptr [rcx],xmm0 ds:000051ea`12af6480=????????????????????????????????"
        );
        // mmword (movsd): 16 digits.
        let c = one(0x7fe_d1d9_408a, "f20f1002");
        let r = FakeRegs::with(&[(Register::RDX, 0x2b1_bfc6_0000)]);
        assert_eq!(
            format_instruction(0x7fe_d1d9_408a, &c, Some(&r)).0,
            "000007fe`d1d9408a f20f1002        movsd   xmm0,mmword ptr [rdx] ds:000002b1`bfc60000=????????????????"
        );
        // word: 4 digits (movzx ecx,word ptr [r9]).
        let mut c = one(0x1000, "410fb709");
        c.map_hex(0x209_9bbc_9f80, "3300");
        let r = FakeRegs::with(&[(Register::R9, 0x209_9bbc_9f80)]);
        assert_eq!(
            format_instruction(0x1000, &c, Some(&r)).0,
            "00000000`00001000 410fb709        movzx   ecx,word ptr [r9] ds:00000209`9bbc9f80=0033"
        );
        // dword via rbp.
        let mut c = one(0x1000, "837d4400");
        c.map_hex(0x5000 + 0x44, "cccccccc");
        let r = FakeRegs::with(&[(Register::RBP, 0x5000)]);
        assert_eq!(
            format_instruction(0x1000, &c, Some(&r)).0,
            "00000000`00001000 837d4400        cmp     dword ptr [rbp+44h],0 ss:00000000`00005044=cccccccc"
        );
        // 32-bit addressing: sub-register values are masked ([eax] with junk in rax's top half).
        let mut c = one(0x1000, "678b00");
        c.map_hex(0x1234_5678, "efbeadde");
        let r = FakeRegs::with(&[(Register::RAX, 0xffff_ffff_1234_5678)]);
        assert_eq!(
            format_instruction(0x1000, &c, Some(&r)).0,
            "00000000`00001000 678b00          mov     eax,dword ptr [eax] ds:00000000`12345678=deadbeef"
        );
        // lea: never annotated.
        let c = one(0x1000, "488d4c2428");
        let r = FakeRegs::with(&[(Register::RSP, 0x5000)]);
        assert_eq!(
            format_instruction(0x1000, &c, Some(&r)).0,
            "00000000`00001000 488d4c2428      lea     rcx,[rsp+28h]"
        );
        // string instruction: no annotation (chrome!memcpy_repmovs capture).
        let c = one(0x7ff9_9be4_8dde, "f3a4");
        let r = FakeRegs::with(&[(Register::RDI, 0x1f1_6f4f_0000), (Register::RSI, 0x51e)]);
        assert_eq!(
            format_instruction(0x7ff9_9be4_8dde, &c, Some(&r)).0,
            "00007ff9`9be48dde f3a4            rep movs byte ptr [rdi],byte ptr [rsi]"
        );
    }

    #[test]
    fn branch_taken_annotations() {
        type Case<'a> = (&'a str, u64, &'a [(Register, u64)], &'a str);
        let cases: &[Case] = &[
            ("7414", 0x246, &[], "[br=1]"), // je, ZF=1
            ("7414", 0x202, &[], "[br=0]"),
            ("7f05", 0x202, &[], "[br=1]"), // jg: ZF=0, SF=OF
            ("7f05", 0xa02, &[], "[br=0]"), // jg: OF=1, SF=0
            ("7c05", 0xa02, &[], "[br=1]"), // jl: SF!=OF
            ("7205", 0x203, &[], "[br=1]"), // jb: CF
            ("7705", 0x203, &[], "[br=0]"), // ja
            ("7a05", 0x206, &[], "[br=1]"), // jp
            ("e305", 0x202, &[(Register::RCX, 0)], "[br=1]"), // jrcxz
            ("e305", 0x202, &[(Register::RCX, 1)], "[br=0]"),
            ("67e305", 0x202, &[(Register::RCX, 0x1_0000_0000)], "[br=1]"), // jecxz
            ("e205", 0x202, &[(Register::RCX, 1)], "[br=0]"),               // loop: rcx-1 == 0
            ("e205", 0x202, &[(Register::RCX, 2)], "[br=1]"),
            ("e105", 0x202, &[(Register::RCX, 2)], "[br=0]"), // loope needs ZF
            ("e005", 0x202, &[(Register::RCX, 2)], "[br=1]"), // loopne
        ];
        for (bytes, fl, regs, expect) in cases {
            let c = one(0x1000, bytes);
            let r = FakeRegs::with(regs).flags(*fl);
            let l = format_instruction(0x1000, &c, Some(&r)).0;
            assert!(l.ends_with(&format!(" {expect}")), "{bytes}: {l}");
        }
        // The S31 capture layout.
        let mut c = FakeCtx::default();
        c.module(0x7ffd_7196_0000, 0x30000, "RMSRoamingSecurity")
            .sym(
                0x7ffd_7197_677c,
                "RMSRoamingSecurity!CRmsRoamingSecurity::_Cleanup",
            )
            .map_hex(0x7ffd_7197_67af, "7414");
        let r = FakeRegs::default().flags(0x202);
        assert_eq!(
            format_instruction(0x7ffd_7197_67af, &c, Some(&r)).0,
            "00007ffd`719767af 7414            je      RMSRoamingSecurity!CRmsRoamingSecurity::_Cleanup+0x49 (00007ffd`719767c5) [br=0]"
        );
        // Unconditional jumps get nothing.
        let c = one(0x1000, "eb00");
        assert_eq!(
            format_instruction(0x1000, &c, Some(&r)).0,
            "00000000`00001000 eb00            jmp     00000000`00001002"
        );
    }

    // --------------------------------------------------------------------------------------------
    // Operand syntax and layout
    // --------------------------------------------------------------------------------------------

    #[test]
    fn operand_syntax_and_long_byte_strings() {
        let k = 0xffff_f803_0000_0000u64;
        let mut c = FakeCtx::default();
        c.module(k + 0x21a0_0000, 0x100_0000, "nt")
            .sym(k + 0x21fc_a080, "nt!PerfGlobalGroupMask")
            .sym(k + 0x21d1_31f0, "nt!IopCompleteRequest")
            .sym(k + 0x21c7_93c6, "nt! ?? ::FNODOBFM::`string'")
            .sym(k + 0x21cf_daf0, "nt!IopfCompleteRequest");
        let cases: &[(u64, &str, &str)] = &[
            (
                0x21cf_dcc8,
                "f705b2c32c0000002100",
                "fffff803`21cfdcc8 f705b2c32c0000002100 test dword ptr [nt!PerfGlobalGroupMask+0x4 (fffff803`21fca084)],210000h",
            ),
            (
                0x21cf_dd13,
                "65488b042588010000",
                "fffff803`21cfdd13 65488b042588010000 mov   rax,qword ptr gs:[188h]",
            ),
            (
                0x21cf_dd55,
                "48c783a800000000000000",
                "fffff803`21cfdd55 48c783a800000000000000 mov qword ptr [rbx+0A8h],0",
            ),
            (
                0x21cf_dd60,
                "66c783c90000000000",
                "fffff803`21cfdd60 66c783c90000000000 mov   word ptr [rbx+0C9h],0",
            ),
            (
                0x21cf_de70,
                "f0418124247fffffff",
                "fffff803`21cfde70 f0418124247fffffff lock and dword ptr [r12],0FFFFFF7Fh",
            ),
            (
                0x21cf_dcd8,
                "f0490fba2f00",
                "fffff803`21cfdcd8 f0490fba2f00    lock bts qword ptr [r15],0",
            ),
            (
                0x21cf_dd40,
                "4c8d0da9540100",
                "fffff803`21cfdd40 4c8d0da9540100  lea     r9,[nt!IopCompleteRequest (fffff803`21d131f0)]",
            ),
            (
                0x21cf_dcc0,
                "450f20c4",
                "fffff803`21cfdcc0 450f20c4        mov     r12,cr8",
            ),
            (
                0x21cf_de06,
                "410fb6866b010000",
                "fffff803`21cfde06 410fb6866b010000 movzx   eax,byte ptr [r14+16Bh]",
            ),
            (
                0x21cf_de12,
                "498dbe28ffffff",
                "fffff803`21cfde12 498dbe28ffffff  lea     rdi,[r14-0D8h]",
            ),
            (
                0x21cf_de1c,
                "4c8d3c40",
                "fffff803`21cfde1c 4c8d3c40        lea     r15,[rax+rax*2]",
            ),
            (
                0x21cf_df3d,
                "ff5735",
                "fffff803`21cfdf3d ff5735          call    qword ptr [rdi+35h]",
            ),
            (
                0x21cf_df40,
                "3d160000c0",
                "fffff803`21cfdf40 3d160000c0      cmp     eax,0C0000016h",
            ),
            (
                0x21cf_dcd2,
                "0f859f68f8ff",
                "fffff803`21cfdcd2 0f859f68f8ff    jne     nt! ?? ::FNODOBFM::`string'+0xb1b1 (fffff803`21c84577)",
            ),
            (
                0x21cf_deff,
                "6644896ffe",
                "fffff803`21cfdeff 6644896ffe      mov     word ptr [rdi-2],r13w",
            ),
            (
                0x21cf_dc84,
                "0fbae00b",
                "fffff803`21cfdc84 0fbae00b        bt      eax,0Bh",
            ),
            (
                0x21cf_df6b,
                "4881c4b8000000",
                "fffff803`21cfdf6b 4881c4b8000000  add     rsp,0B8h",
            ),
            (
                0x21cf_dd29,
                "c6437812",
                "fffff803`21cfdd29 c6437812        mov     byte ptr [rbx+78h],12h",
            ),
            (
                0x21cf_de86,
                "c6873602000001",
                "fffff803`21cfde86 c6873602000001  mov     byte ptr [rdi+236h],1",
            ),
            (
                0x21cf_dcde,
                "0f823a100000",
                "fffff803`21cfdcde 0f823a100000    jb      nt!IopfCompleteRequest+0x122e (fffff803`21cfed1e)",
            ),
        ];
        for (off, bytes, expect) in cases {
            c.map_hex(k + off, bytes);
            assert_eq!(line(k + off, &c), *expect);
        }
    }

    #[test]
    fn misc_instruction_forms() {
        let cases: &[(u64, &str, &str)] = &[
            // §5.3 / §9 / other captures.
            (
                0x7ff6_7762_b000,
                "4881ec580c0000",
                "00007ff6`7762b000 4881ec580c0000  sub     rsp,0C58h",
            ),
            (
                0x1000,
                "b832000780",
                "00000000`00001000 b832000780      mov     eax,80070032h",
            ),
            (
                0x1000,
                "c744244401000000",
                "00000000`00001000 c744244401000000 mov     dword ptr [rsp+44h],1",
            ),
            (
                0x1000,
                "488d842400010000",
                "00000000`00001000 488d842400010000 lea     rax,[rsp+100h]",
            ),
            (
                0x1000,
                "f3aa",
                "00000000`00001000 f3aa            rep stos byte ptr [rdi]",
            ),
            (
                0x1000,
                "f348ab",
                "00000000`00001000 f348ab          rep stos qword ptr [rdi]",
            ),
            (
                0x1000,
                "f348a7",
                "00000000`00001000 f348a7          repe cmps qword ptr [rsi],qword ptr [rdi]",
            ),
            (
                0x1000,
                "f2ae",
                "00000000`00001000 f2ae            repne scas byte ptr [rdi]",
            ),
            (
                0x1000,
                "f348a5",
                "00000000`00001000 f348a5          rep movs qword ptr [rdi],qword ptr [rsi]",
            ),
            (
                0x1000,
                "a5",
                "00000000`00001000 a5              movs    dword ptr [rdi],dword ptr [rsi]",
            ),
            (
                0x1000,
                "ac",
                "00000000`00001000 ac              lods    byte ptr [rsi]",
            ),
            (
                0x1000,
                "cd2e",
                "00000000`00001000 cd2e            int     2Eh",
            ),
            (
                0x1000,
                "cd29",
                "00000000`00001000 cd29            int     29h",
            ),
            (
                0x1000,
                "c20800",
                "00000000`00001000 c20800          ret     8",
            ),
            (
                0x1000,
                "4883c8ff",
                "00000000`00001000 4883c8ff        or      rax,0FFFFFFFFFFFFFFFFh",
            ),
            (
                0x1000,
                "f7f1",
                "00000000`00001000 f7f1            div     eax,ecx",
            ),
            (
                0x1000,
                "f7e1",
                "00000000`00001000 f7e1            mul     eax,ecx",
            ),
            (
                0x1000,
                "41f7f8",
                "00000000`00001000 41f7f8          idiv    eax,r8d",
            ),
            (
                0x1000,
                "48f7f1",
                "00000000`00001000 48f7f1          div     rax,rcx",
            ),
            (
                0x1000,
                "0fafc1",
                "00000000`00001000 0fafc1          imul    eax,ecx",
            ),
            (
                0x1000,
                "f20f104750",
                "00000000`00001000 f20f104750      movsd   xmm0,mmword ptr [rdi+50h]",
            ),
            (
                0x1000,
                "f20f11452f",
                "00000000`00001000 f20f11452f      movsd   mmword ptr [rbp+2Fh],xmm0",
            ),
            (
                0x1000,
                "f2410f1044cc10",
                "00000000`00001000 f2410f1044cc10  movsd   xmm0,mmword ptr [r12+rcx*8+10h]",
            ),
            (
                0x1000,
                "0f11450f",
                "00000000`00001000 0f11450f        movups  xmmword ptr [rbp+0Fh],xmm0",
            ),
            (
                0x1000,
                "0f104f40",
                "00000000`00001000 0f104f40        movups  xmm1,xmmword ptr [rdi+40h]",
            ),
            (
                0x1000,
                "0f29742430",
                "00000000`00001000 0f29742430      movaps  xmmword ptr [rsp+30h],xmm6",
            ),
            (
                0x1000,
                "f0490fc70e",
                "00000000`00001000 f0490fc70e      lock cmpxchg16b xmmword ptr [r14]",
            ),
            (
                0x1000,
                "6666660f1f840000000000",
                "00000000`00001000 6666660f1f840000000000 nop word ptr [rax+rax]",
            ),
            (
                0x1000,
                "66660f1f840000000000",
                "00000000`00001000 66660f1f840000000000 nop word ptr [rax+rax]",
            ),
            (
                0x1000,
                "0f1f840000000000",
                "00000000`00001000 0f1f840000000000 nop     dword ptr [rax+rax]",
            ),
            (
                0x1000,
                "0090cdf4aefa",
                "00000000`00001000 0090cdf4aefa    add     byte ptr [rax-5510B33h],dl",
            ),
            (
                0x1000,
                "e5ae",
                "00000000`00001000 e5ae            in      eax,0AEh",
            ),
            (0x1000, "fa", "00000000`00001000 fa              cli"),
            (
                0x1000,
                "4863c8",
                "00000000`00001000 4863c8          movsxd  rcx,eax",
            ),
            (
                0x1000,
                "0fbe4346",
                "00000000`00001000 0fbe4346        movsx   eax,byte ptr [rbx+46h]",
            ),
            (
                0x1000,
                "4053",
                "00000000`00001000 4053            push    rbx",
            ),
            (
                0x1000,
                "3c03",
                "00000000`00001000 3c03            cmp     al,3",
            ),
            (
                0x1000,
                "a801",
                "00000000`00001000 a801            test    al,1",
            ),
            (
                0x1000,
                "83e742",
                "00000000`00001000 83e742          and     edi,42h",
            ),
            (
                0x1000,
                "c1ea0d",
                "00000000`00001000 c1ea0d          shr     edx,0Dh",
            ),
            (
                0x1000,
                "b80a000000",
                "00000000`00001000 b80a000000      mov     eax,0Ah",
            ),
            (
                0x1000,
                "b809000000",
                "00000000`00001000 b809000000      mov     eax,9",
            ),
            (
                0x1000,
                "48b8efcdab8967452301",
                "00000000`00001000 48b8efcdab8967452301 mov rax,123456789ABCDEFh",
            ),
            (
                0x1000,
                "48b80000000000000080",
                "00000000`00001000 48b80000000000000080 mov rax,8000000000000000h",
            ),
        ];
        for (addr, bytes, expect) in cases {
            let c = one(*addr, bytes);
            let (l, n) = format_instruction(*addr, &c, None);
            assert_eq!(l, *expect);
            assert_eq!(n, hex(bytes).len());
        }
    }

    #[test]
    fn rip_relative_and_absolute_symbols() {
        let mut c = FakeCtx::default();
        c.module(0x7ff6_775f_0000, 0x80000, "allocate")
            .sym(0x7ff6_7765_0000, "allocate!_imp_HeapAlloc")
            .sym(0x7ff6_7762_b8e0, "allocate!alloc_heap")
            .module(0x7ffe_0000, 0x1000, "SharedUserData")
            // call qword ptr [rip+disp] → _imp_HeapAlloc
            .map_hex(0x7ff6_7762_b8f9, "ff1501470200")
            .map_hex(0x7ffb_ad00_eb68, "f604250803fe7f01")
            .map_hex(0x7ffa_afd9_4b60, "ff25eac50500")
            .module(0x7ffa_afd8_0000, 0x80000, "KERNEL32")
            .sym(0x7ffa_afd9_4b60, "KERNEL32!CreateFileW")
            .sym(0x7ffa_afdf_1150, "KERNEL32!_imp_CreateFileW")
            .map_hex(0x2000, "488b042508030000 8b0425f0ffffff 64488b042530000000");
        assert_eq!(
            line(0x7ff6_7762_b8f9, &c),
            "00007ff6`7762b8f9 ff1501470200    call    qword ptr [allocate!_imp_HeapAlloc (00007ff6`77650000)]"
        );
        assert_eq!(
            line(0x7ffb_ad00_eb68, &c),
            "00007ffb`ad00eb68 f604250803fe7f01 test    byte ptr [SharedUserData+0x308 (00000000`7ffe0308)],1"
        );
        assert_eq!(
            line(0x7ffa_afd9_4b60, &c),
            "00007ffa`afd94b60 ff25eac50500    jmp     qword ptr [KERNEL32!_imp_CreateFileW (00007ffa`afdf1150)]"
        );
        // Absolute without a symbol (guess: backticked address) and with fs (number, as gs:[60h]).
        assert_eq!(
            line(0x2000, &c),
            "00000000`00002000 488b042508030000 mov     rax,qword ptr [00000000`00000308]"
        );
        assert_eq!(
            line(0x2008, &c),
            "00000000`00002008 8b0425f0ffffff  mov     eax,dword ptr [ffffffff`fffffff0]"
        );
        assert_eq!(
            line(0x200f, &c),
            "00000000`0000200f 64488b042530000000 mov   rax,qword ptr fs:[30h]"
        );
    }

    #[test]
    fn immediate_edge_cases() {
        let cases: &[(&str, &str)] = &[
            ("b800000000", "mov     eax,0"),
            ("b809000000", "mov     eax,9"),
            ("b80a000000", "mov     eax,0Ah"),
            ("b80f000000", "mov     eax,0Fh"),
            ("b810000000", "mov     eax,10h"),
            ("b8a0000000", "mov     eax,0A0h"),
            ("b8ffffffff", "mov     eax,0FFFFFFFFh"),
            ("6aff", "push    0FFFFFFFFFFFFFFFFh"),
            ("6a09", "push    9"),
            ("4883ec08", "sub     rsp,8"),
            ("4883c4f8", "add     rsp,0FFFFFFFFFFFFFFF8h"),
            ("83c0ff", "add     eax,0FFFFFFFFh"),
            ("66b8ffff", "mov     ax,0FFFFh"),
            ("b0ff", "mov     al,0FFh"),
            ("488b4424f8", "mov     rax,qword ptr [rsp-8]"),
            ("488b8424f0feffff", "mov     rax,qword ptr [rsp-110h]"),
            ("8b4510", "mov     eax,dword ptr [rbp+10h]"),
            ("8b450a", "mov     eax,dword ptr [rbp+0Ah]"),
            ("8b4509", "mov     eax,dword ptr [rbp+9]"),
            ("8b4500", "mov     eax,dword ptr [rbp]"),
            ("8b04c8", "mov     eax,dword ptr [rax+rcx*8]"),
            ("c1e003", "shl     eax,3"),
            ("d1e0", "shl     eax,1"),
            ("6bc00c", "imul    eax,eax,0Ch"),
        ];
        for (bytes, expect) in cases {
            let c = one(0x1000, bytes);
            let l = line(0x1000, &c);
            assert_eq!(l[34..].trim_start(), *expect, "{bytes}: {l}");
        }
    }

    #[test]
    fn unreadable_and_invalid() {
        let c = FakeCtx::default();
        assert_eq!(
            format_instruction(0xffff_ffff_fdc1_24b0, &c, None),
            ("ffffffff`fdc124b0 ??              ???".to_string(), 1)
        );
        // With registers there is still no annotation.
        assert_eq!(
            format_current(0x7ff6_7762_b890, &c, &FakeRegs::default()),
            "00007ff6`7762b890 ??              ???\n"
        );
        // An instruction running into unreadable memory is unreadable as a whole.
        let c = one(0x1ffd, "48c7c1");
        assert_eq!(line(0x1ffd, &c), "00000000`00001ffd ??              ???");
        // Invalid opcode in 64-bit mode: first byte, `???`, length 1.
        let c = one(0x1000, "06 90");
        assert_eq!(
            format_instruction(0x1000, &c, None),
            ("00000000`00001000 06              ???".to_string(), 1)
        );
        // `u` stops at unreadable memory and reports it.
        let mut c = FakeCtx::default();
        c.map_hex(0x1ffc, "90 90 90 90");
        let u = unassemble_ex(0x1ffc, 8, &c);
        assert_eq!(
            u.text,
            "00000000`00001ffc 90              nop\n\
             00000000`00001ffd 90              nop\n\
             00000000`00001ffe 90              nop\n\
             00000000`00001fff 90              nop\n\
             00000000`00002000 ??              ???\n"
        );
        assert!(u.memory_error);
        assert_eq!(u.next, 0x2001);
        // Top of the address space does not wrap.
        let mut c = FakeCtx::default();
        c.map_hex(u64::MAX, "c3");
        assert_eq!(line(u64::MAX, &c), "ffffffff`ffffffff c3              ret");
    }

    // --------------------------------------------------------------------------------------------
    // u / ub / uf (§9)
    // --------------------------------------------------------------------------------------------

    /// ntdll!LdrpDoDebuggerBreak reconstructed from the §9 samples, placed at `base`
    /// (the function start), with `call_target` for the NtQueryInformationThread call.
    fn ldrp_ctx(base: u64, call_target: u64, with_symbols: bool) -> FakeCtx {
        let call_next = base + 0x25;
        let rel = (call_target.wrapping_sub(call_next)) as u32;
        let mut code = hex("4883ec38 488364242000 41b901000000 4c8d442440 418d5110 48c7c1feffffff");
        code.push(0xe8);
        code.extend_from_slice(&rel.to_le_bytes());
        code.extend(hex(
            "85c0 780a 807c244000 7503 cc eb00 4883c438 c3 cccccccccccccccccccccccc",
        ));
        let mut c = FakeCtx::default();
        // Padding and the tail of a previous function in front.
        let mut prev = hex("488b5c24304883c4205fc3");
        prev.resize(0x20, 0xcc);
        c.map(base - 0x20, &prev).map(base, &code);
        c.module(base & !0xff_ffff, 0x100_0000, "ntdll");
        if with_symbols {
            c.sym(base, "ntdll!LdrpDoDebuggerBreak")
                .sym(call_target, "ntdll!NtQueryInformationThread")
                .sym(base - 0x20, "ntdll!LdrpPrevious")
                .sym(base + 0x40, "ntdll!LdrpNext");
        }
        c
    }

    const U_BASE: u64 = 0x7ff9_5170_bea4;
    const U_CALL: u64 = 0x7ff9_516d_0430;

    #[test]
    fn u_dot_sample() {
        let c = ldrp_ctx(U_BASE, U_CALL, true);
        let (text, next) = unassemble(0x7ff9_5170_bed4, 8, &c);
        assert_eq!(
            text,
            "ntdll!LdrpDoDebuggerBreak+0x30:\n\
             00007ff9`5170bed4 cc              int     3\n\
             00007ff9`5170bed5 eb00            jmp     ntdll!LdrpDoDebuggerBreak+0x33 (00007ff9`5170bed7)\n\
             00007ff9`5170bed7 4883c438        add     rsp,38h\n\
             00007ff9`5170bedb c3              ret\n\
             00007ff9`5170bedc cc              int     3\n\
             00007ff9`5170bedd cc              int     3\n\
             00007ff9`5170bede cc              int     3\n\
             00007ff9`5170bedf cc              int     3\n"
        );
        assert_eq!(next, 0x7ff9_5170_bee0);
        // Continuing crosses into the next symbol: a new header at offset 0.
        let (text, _) = unassemble(next, 5, &c);
        assert_eq!(
            text,
            "ntdll!LdrpDoDebuggerBreak+0x3c:\n\
             00007ff9`5170bee0 cc              int     3\n\
             00007ff9`5170bee1 cc              int     3\n\
             00007ff9`5170bee2 cc              int     3\n\
             00007ff9`5170bee3 cc              int     3\n\
             ntdll!LdrpNext:\n\
             00007ff9`5170bee4 cc              int     3\n"
        );
    }

    const UB_EXPECTED: &str = "ntdll!LdrpDoDebuggerBreak+0x10:\n\
         00007ff9`5170beb4 4c8d442440      lea     r8,[rsp+40h]\n\
         00007ff9`5170beb9 418d5110        lea     edx,[r9+10h]\n\
         00007ff9`5170bebd 48c7c1feffffff  mov     rcx,0FFFFFFFFFFFFFFFEh\n\
         00007ff9`5170bec4 e86745fcff      call    ntdll!NtQueryInformationThread (00007ff9`516d0430)\n\
         00007ff9`5170bec9 85c0            test    eax,eax\n\
         00007ff9`5170becb 780a            js      ntdll!LdrpDoDebuggerBreak+0x33 (00007ff9`5170bed7)\n\
         00007ff9`5170becd 807c244000      cmp     byte ptr [rsp+40h],0\n\
         00007ff9`5170bed2 7503            jne     ntdll!LdrpDoDebuggerBreak+0x33 (00007ff9`5170bed7)\n";

    #[test]
    fn ub_dot_sample() {
        let c = ldrp_ctx(U_BASE, U_CALL, true);
        assert_eq!(unassemble_backwards(0x7ff9_5170_bed4, 8, &c), UB_EXPECTED);
    }

    #[test]
    fn ub_without_symbols_uses_voting() {
        // Same bytes, no symbols at all: the decode start must be found by voting.
        let c = ldrp_ctx(U_BASE, U_CALL, false);
        let (start, n) = unassemble_backwards_start(0x7ff9_5170_bed4, 8, &c).unwrap();
        assert_eq!((start, n), (0x7ff9_5170_beb4, 8));
        // More instructions than the function has: reaches back through padding into the previous
        // function's epilogue.
        let (start, n) = unassemble_backwards_start(U_BASE + 0x0a, 8, &c).unwrap();
        assert_eq!(n, 8);
        let listing = unassemble_ex(start, n, &c).text;
        assert!(
            listing.ends_with(
                "00007ff9`5170bea4 4883ec38        sub     rsp,38h\n\
             00007ff9`5170bea8 488364242000    and     qword ptr [rsp+20h],0\n"
            ),
            "{listing}"
        );
    }

    #[test]
    fn ub_ambiguous_backward_decode() {
        // `mov rax,9090909090909090h` then `ret`: backwards from the ret, every one of the last
        // eight bytes is also a valid 1-byte `nop` ending exactly at the ret. The symbol start
        // settles it.
        let mut c = FakeCtx::default();
        c.module(0x40_0000, 0x1000, "amb")
            .sym(0x40_0100, "amb!f")
            .map_hex(0x40_00f0, "cccccccccccccccccccccccccccccccc")
            .map_hex(0x40_0100, "4883ec28 48b89090909090909090 4883c428 c3");
        assert_eq!(
            unassemble_backwards(0x40_0112, 2, &c),
            "amb!f+0x4:\n\
             00000000`00400104 48b89090909090909090 mov rax,9090909090909090h\n\
             00000000`0040010e 4883c428        add     rsp,28h\n"
        );
        assert_eq!(
            unassemble_backwards(0x40_010e, 1, &c),
            "amb!f+0x4:\n00000000`00400104 48b89090909090909090 mov rax,9090909090909090h\n"
        );
        // Asking for more than the function holds continues into the padding before it.
        assert_eq!(
            unassemble_backwards(0x40_0104, 3, &c),
            "amb+0xfe:\n\
             00000000`004000fe cc              int     3\n\
             00000000`004000ff cc              int     3\n\
             amb!f:\n\
             00000000`00400100 4883ec28        sub     rsp,28h\n"
        );
        // Nothing decodable before the address.
        let c = one(0x1000, "c3");
        assert_eq!(unassemble_backwards(0x1000, 4, &c), "");
    }

    #[test]
    fn uf_dot_sample() {
        let c = ldrp_ctx(0x7ffb_2b2e_bd14, 0x7ffb_2b2a_fde0, true);
        assert_eq!(
            unassemble_function(0x7ffb_2b2e_bd14, 0x7ffb_2b2e_bd4c, &c),
            "ntdll!LdrpDoDebuggerBreak:\n\
             00007ffb`2b2ebd14 4883ec38        sub     rsp,38h\n\
             00007ffb`2b2ebd18 488364242000    and     qword ptr [rsp+20h],0\n\
             00007ffb`2b2ebd1e 41b901000000    mov     r9d,1\n\
             00007ffb`2b2ebd24 4c8d442440      lea     r8,[rsp+40h]\n\
             00007ffb`2b2ebd29 418d5110        lea     edx,[r9+10h]\n\
             00007ffb`2b2ebd2d 48c7c1feffffff  mov     rcx,0FFFFFFFFFFFFFFFEh\n\
             00007ffb`2b2ebd34 e8a740fcff      call    ntdll!NtQueryInformationThread (00007ffb`2b2afde0)\n\
             00007ffb`2b2ebd39 85c0            test    eax,eax\n\
             00007ffb`2b2ebd3b 780a            js      ntdll!LdrpDoDebuggerBreak+0x33 (00007ffb`2b2ebd47)  Branch\n\
             \n\
             ntdll!LdrpDoDebuggerBreak+0x29:\n\
             00007ffb`2b2ebd3d 807c244000      cmp     byte ptr [rsp+40h],0\n\
             00007ffb`2b2ebd42 7503            jne     ntdll!LdrpDoDebuggerBreak+0x33 (00007ffb`2b2ebd47)  Branch\n\
             \n\
             ntdll!LdrpDoDebuggerBreak+0x30:\n\
             00007ffb`2b2ebd44 cc              int     3\n\
             00007ffb`2b2ebd45 eb00            jmp     ntdll!LdrpDoDebuggerBreak+0x33 (00007ffb`2b2ebd47)  Branch\n\
             \n\
             ntdll!LdrpDoDebuggerBreak+0x33:\n\
             00007ffb`2b2ebd47 4883c438        add     rsp,38h\n\
             00007ffb`2b2ebd4b c3              ret\n"
        );
        // Unknown end: same result (stops at ret; the cc padding is never reached).
        assert_eq!(
            unassemble_function(0x7ffb_2b2e_bd14, 0, &c),
            unassemble_function(0x7ffb_2b2e_bd14, 0x7ffb_2b2e_bd4c, &c)
        );
    }

    #[test]
    fn uf_syscall_stub() {
        let mut c = FakeCtx::default();
        c.module(0x7ffc_b3d7_0000, 0x1f0000, "ntdll")
            .module(0x7ffe_0000, 0x1000, "SharedUserData")
            .sym(0x7ffc_b3e1_0b10, "ntdll!NtCreateProcess")
            .sym(0x7ffc_b3e1_0b30, "ntdll!NtNext")
            .map_hex(
                0x7ffc_b3e1_0b10,
                "4c8bd1 b8be000000 f604250803fe7f01 7503 0f05 c3 cd2e c3 0f1f840000000000",
            );
        assert_eq!(
            unassemble_function(0x7ffc_b3e1_0b10, 0x7ffc_b3e1_0b28, &c),
            "ntdll!NtCreateProcess:\n\
             00007ffc`b3e10b10 4c8bd1          mov     r10,rcx\n\
             00007ffc`b3e10b13 b8be000000      mov     eax,0BEh\n\
             00007ffc`b3e10b18 f604250803fe7f01 test    byte ptr [SharedUserData+0x308 (00000000`7ffe0308)],1\n\
             00007ffc`b3e10b20 7503            jne     ntdll!NtCreateProcess+0x15 (00007ffc`b3e10b25)  Branch\n\
             \n\
             ntdll!NtCreateProcess+0x12:\n\
             00007ffc`b3e10b22 0f05            syscall\n\
             00007ffc`b3e10b24 c3              ret\n\
             \n\
             ntdll!NtCreateProcess+0x15:\n\
             00007ffc`b3e10b25 cd2e            int     2Eh\n\
             00007ffc`b3e10b27 c3              ret\n"
        );
        // `u` of the same stub (capture ref 17991366676 has the identical shape for NtDrawText).
        let (text, _) = unassemble(0x7ffc_b3e1_0b10, 8, &c);
        assert_eq!(
            text,
            "ntdll!NtCreateProcess:\n\
             00007ffc`b3e10b10 4c8bd1          mov     r10,rcx\n\
             00007ffc`b3e10b13 b8be000000      mov     eax,0BEh\n\
             00007ffc`b3e10b18 f604250803fe7f01 test    byte ptr [SharedUserData+0x308 (00000000`7ffe0308)],1\n\
             00007ffc`b3e10b20 7503            jne     ntdll!NtCreateProcess+0x15 (00007ffc`b3e10b25)\n\
             00007ffc`b3e10b22 0f05            syscall\n\
             00007ffc`b3e10b24 c3              ret\n\
             00007ffc`b3e10b25 cd2e            int     2Eh\n\
             00007ffc`b3e10b27 c3              ret\n"
        );
    }

    #[test]
    fn uf_forward_and_backward_branches() {
        // f:      xor eax,eax
        // +0x2:   loop: add eax,ecx          <- backward target
        // +0x4:   dec ecx
        // +0x6:   jne +0x2                   (backward)
        // +0x8:   test eax,eax
        // +0xa:   je +0x10                   (forward)
        // +0xc:   jmp qword ptr [rax]        (indirect: Branch, not followed)
        // +0xe:   int 3 / int 3              (unreachable: not listed)
        // +0x10:  ret
        // +0x11:  jmp to outside the range (tail call, not followed) — unreachable here anyway
        let mut c = FakeCtx::default();
        c.module(0x40_0000, 0x1000, "t")
            .sym(0x40_0200, "t!f")
            .sym(0x40_0300, "t!g")
            .map_hex(0x40_0200, "33c0 03c1 ffc9 75fa 85c0 7404 ff20 cccc c3");
        assert_eq!(
            unassemble_function(0x40_0200, 0x40_0211, &c),
            "t!f:\n\
             00000000`00400200 33c0            xor     eax,eax\n\
             \n\
             t!f+0x2:\n\
             00000000`00400202 03c1            add     eax,ecx\n\
             00000000`00400204 ffc9            dec     ecx\n\
             00000000`00400206 75fa            jne     t!f+0x2 (00000000`00400202)  Branch\n\
             \n\
             t!f+0x8:\n\
             00000000`00400208 85c0            test    eax,eax\n\
             00000000`0040020a 7404            je      t!f+0x10 (00000000`00400210)  Branch\n\
             \n\
             t!f+0xc:\n\
             00000000`0040020c ff20            jmp     qword ptr [rax]  Branch\n\
             \n\
             t!f+0x10:\n\
             00000000`00400210 c3              ret\n"
        );
        // A jump out of the range is marked but not followed.
        let mut c = FakeCtx::default();
        c.module(0x40_0000, 0x1000, "t")
            .sym(0x40_0200, "t!f")
            .sym(0x40_0300, "t!g")
            .map_hex(0x40_0200, "4883ec28 e9f7000000")
            .map_hex(0x40_0300, "c3");
        assert_eq!(
            unassemble_function(0x40_0200, 0x40_0209, &c),
            "t!f:\n\
             00000000`00400200 4883ec28        sub     rsp,28h\n\
             00000000`00400204 e9f7000000      jmp     t!g (00000000`00400300)  Branch\n"
        );
    }

    // --------------------------------------------------------------------------------------------
    // Robustness
    // --------------------------------------------------------------------------------------------

    /// Small deterministic PRNG (xorshift64*), so the test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..400 {
            let len = 1 + (rng.next() % 96) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let base = match round % 4 {
                0 => 0x1000,
                1 => 0x7ff6_0000_0000 + (rng.next() & 0xffff),
                2 => u64::MAX - len as u64 + 1,
                _ => rng.next(),
            };
            let base = base.min(u64::MAX - len as u64 + 1);
            let mut c = FakeCtx::default();
            c.module(base & !0xffff, 0x2_0000, "rnd")
                .sym(base, "rnd!f")
                .map(base, &bytes);
            let regs = FakeRegs {
                regs: [
                    Register::RAX,
                    Register::RBX,
                    Register::RCX,
                    Register::RDX,
                    Register::RSI,
                    Register::RDI,
                    Register::RSP,
                    Register::RBP,
                    Register::R8,
                    Register::R12,
                ]
                .into_iter()
                .map(|r| (r, rng.next()))
                .collect(),
                rflags: rng.next(),
                gs: rng.next(),
                fs: rng.next(),
            };
            let opts = DisasmOptions {
                segment_base_in_annotation: round % 2 == 0,
            };
            let mut a = base;
            for _ in 0..len {
                let (l, n) = format_instruction_ex(a, &c, Some(&regs), &opts);
                assert!(l.len() > 34 && (1..=15).contains(&n), "{l}");
                a = match a.checked_add(n as u64) {
                    Some(x) => x,
                    None => break,
                };
            }
            let _ = format_current(base, &c, &regs);
            let _ = unassemble(base, 16, &c);
            let end = base.saturating_add(len as u64);
            let _ = unassemble_backwards(end, 8, &c);
            let _ = unassemble_backwards(base.saturating_add(len as u64 / 2), 3, &c);
            let _ = unassemble_function(base, end, &c);
            let _ = unassemble_function(base, 0, &c);
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(format_address(0x7ff6_7762_b890), "00007ff6`7762b890");
        assert!(is_symbol_start("ntdll!RtlAllocateHeap"));
        assert!(is_symbol_start("windbg_leak!ILT+905(_RTC_CheckStackVars)"));
        assert!(is_symbol_start("allocate!operator+"));
        assert!(!is_symbol_start("ntdll!LdrpDoDebuggerBreak+0x30"));
        assert!(!is_symbol_start("sym+0x11b0"));
        assert!(is_symbol_start("sym+0x0"));
    }
}
