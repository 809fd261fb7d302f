//! Exceptions and the unwinding primitives the C runtime uses. crtlab's debugger reports
//! exceptions and dispatches none to the program's handlers (RtlUnwindEx and the
//! exception dispatcher are not implemented), so what is here is what MSVC's code calls
//! outside of dispatching: RaiseException (C++ `throw`, which then reaches the debugger as
//! WinDbg shows it: `C++ EH exception - code e06d7363`), UnhandledExceptionFilter, and the
//! capture-and-unwind sequence of `__report_gsfailure` and `__scrt_fastfail`
//! (RtlCaptureContext, RtlLookupFunctionEntry, RtlVirtualUnwind), which walks the real
//! `.pdata`/UNWIND_INFO in guest memory.

use unicorn_engine::RegisterX86;

use crate::process::Process;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "RaiseException", raise_exception);
    t.simple(MODULE, "UnhandledExceptionFilter", unhandled_exception_filter);
    t.simple(MODULE, "RtlCaptureContext", rtl_capture_context);
    t.simple(MODULE, "RtlLookupFunctionEntry", rtl_lookup_function_entry);
    t.simple(MODULE, "RtlVirtualUnwind", rtl_virtual_unwind);
    t.simple(MODULE, "RtlPcToFileHeader", rtl_pc_to_file_header);
}

/// STATUS_BAD_FUNCTION_TABLE: what Windows raises when unwind data cannot be used.
pub const BAD_FUNCTION_TABLE: u32 = 0xC000_00FF;
const EXCEPTION_MAXIMUM_PARAMETERS: u64 = 15;

/// RaiseException(dwExceptionCode, dwExceptionFlags, nNumberOfArguments, lpArguments):
/// raises a software exception with up to 15 arguments (more are cut to 15, as Windows
/// does). The debugger reports it first-chance at RaiseException, as WinDbg shows
/// `KERNELBASE!RaiseException+0x..`, with the caller the next frame of `k`; since no handler
/// runs, continuing gives the second-chance event and then the end of the process.
fn raise_exception(p: &mut Process) -> ApiResult {
    let (code, count, args) = (p.arg(0) as u32, p.arg(2) as u32 as u64, p.arg(3));
    let n = if args == 0 { 0 } else { count.min(EXCEPTION_MAXIMUM_PARAMETERS) };
    let params = (0..n).map(|i| p.cpu.read_u64(args + 8 * i).unwrap_or(0)).collect();
    ApiResult::Raise { code, params }
}

/// UnhandledExceptionFilter(ExceptionInfo): a process that is being debugged gets
/// EXCEPTION_CONTINUE_SEARCH (0), so that the debugger sees the exception second-chance;
/// a crtlab guest always is being debugged.
fn unhandled_exception_filter(_p: &mut Process) -> ApiResult {
    ApiResult::Return(0)
}

// CONTEXT (x64) offsets.
const CTX_FLAGS: u64 = 0x30;
const CTX_MXCSR: u64 = 0x34;
const CTX_SEGCS: u64 = 0x38;
const CTX_EFLAGS: u64 = 0x44;
/// Rax..R15 in register-number order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15).
const CTX_GPR: u64 = 0x78;
const CTX_RIP: u64 = 0xf8;
const CTX_FLTSAVE: u64 = 0x100;
/// Xmm0..Xmm15 (inside FltSave).
const CTX_XMM: u64 = 0x1a0;
const CONTEXT_SIZE: usize = 0x4d0;
const RSP: usize = 4;

const GPRS: [RegisterX86; 16] = [
    RegisterX86::RAX,
    RegisterX86::RCX,
    RegisterX86::RDX,
    RegisterX86::RBX,
    RegisterX86::RSP,
    RegisterX86::RBP,
    RegisterX86::RSI,
    RegisterX86::RDI,
    RegisterX86::R8,
    RegisterX86::R9,
    RegisterX86::R10,
    RegisterX86::R11,
    RegisterX86::R12,
    RegisterX86::R13,
    RegisterX86::R14,
    RegisterX86::R15,
];

/// RtlCaptureContext(ContextRecord): the caller's context as it will be after the call
/// returns: Rip = the return address, Rsp above it, every integer and XMM register, the
/// flags, MXCSR and the segment selectors; ContextFlags = CONTEXT_CONTROL |
/// CONTEXT_INTEGER | CONTEXT_SEGMENTS | CONTEXT_FLOATING_POINT (0x10000f).
fn rtl_capture_context(p: &mut Process) -> ApiResult {
    let ctx = p.arg(0);
    let mut b = vec![0u8; CONTEXT_SIZE];
    let put = |b: &mut [u8], off: u64, v: &[u8]| b[off as usize..off as usize + v.len()].copy_from_slice(v);
    let rsp = p.cpu.rsp();
    let mxcsr = p.cpu.reg(RegisterX86::MXCSR) as u32;
    put(&mut b, CTX_FLAGS, &0x0010_000fu32.to_le_bytes());
    put(&mut b, CTX_MXCSR, &mxcsr.to_le_bytes());
    // SegCs, SegDs, SegEs, SegFs, SegGs, SegSs as on x64 Windows.
    for (i, sel) in [0x33u16, 0x2b, 0x2b, 0x53, 0x2b, 0x2b].iter().enumerate() {
        put(&mut b, CTX_SEGCS + 2 * i as u64, &sel.to_le_bytes());
    }
    put(&mut b, CTX_EFLAGS, &(p.cpu.reg(RegisterX86::EFLAGS) as u32).to_le_bytes());
    for (i, r) in GPRS.iter().enumerate() {
        let v = if i == RSP { rsp + 8 } else { p.cpu.reg(*r) };
        put(&mut b, CTX_GPR + 8 * i as u64, &v.to_le_bytes());
    }
    put(&mut b, CTX_RIP, &p.cpu.read_u64(rsp).unwrap_or(0).to_le_bytes());
    // FltSave: ControlWord 0x27f, MxCsr, MxCsr_Mask, the XMM registers.
    put(&mut b, CTX_FLTSAVE, &0x27fu16.to_le_bytes());
    put(&mut b, CTX_FLTSAVE + 0x18, &mxcsr.to_le_bytes());
    put(&mut b, CTX_FLTSAVE + 0x1c, &0xffffu32.to_le_bytes());
    for i in 0..16 {
        put(&mut b, CTX_XMM + 16 * i as u64, &p.cpu.xmm(i));
    }
    if p.cpu.write(ctx, &b).is_err() {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![1, ctx] };
    }
    ApiResult::Return(0)
}

/// The exception directory (RVA and size) of the image mapped at `base`, from its headers
/// in guest memory.
fn exception_directory(p: &Process, base: u64) -> Option<(u32, u32)> {
    let pe = base + u64::from(p.cpu.read_u32(base + 0x3c).ok()?);
    let opt = pe + 24;
    if p.cpu.read_u16(opt).ok()? != 0x20b || p.cpu.read_u32(opt + 108).ok()? < 4 {
        return None;
    }
    let dir = opt + 112 + 3 * 8;
    Some((p.cpu.read_u32(dir).ok()?, p.cpu.read_u32(dir + 4).ok()?))
}

/// The RUNTIME_FUNCTION entry (its guest address) that covers `pc`, and the image base.
pub fn lookup_function_entry(p: &Process, pc: u64) -> (Option<u64>, u64) {
    let Some(base) = p.module_at(pc).map(|m| m.base) else { return (None, 0) };
    let Some((rva, size)) = exception_directory(p, base) else { return (None, base) };
    let target = pc - base;
    let (mut lo, mut hi) = (0u64, u64::from(size) / 12);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let entry = base + u64::from(rva) + 12 * mid;
        let (Ok(begin), Ok(end)) = (p.cpu.read_u32(entry), p.cpu.read_u32(entry + 4)) else { return (None, base) };
        if target < u64::from(begin) {
            hi = mid;
        } else if target >= u64::from(end) {
            lo = mid + 1;
        } else {
            return (Some(entry), base);
        }
    }
    (None, base)
}

/// RtlLookupFunctionEntry(ControlPc, ImageBase, HistoryTable): the RUNTIME_FUNCTION in the
/// `.pdata` of the module containing ControlPc that covers it, by binary search, with
/// *ImageBase set to the module's base; NULL for a leaf function (no entry) or an address
/// outside every module (*ImageBase then 0). The history table is not used.
fn rtl_lookup_function_entry(p: &mut Process) -> ApiResult {
    let (pc, base_out) = (p.arg(0), p.arg(1));
    let (entry, base) = lookup_function_entry(p, pc);
    if base_out != 0 {
        let _ = p.cpu.write_u64(base_out, base);
    }
    ApiResult::Return(entry.unwrap_or(0))
}

/// RtlPcToFileHeader(PcValue, BaseOfImage): the base of the module containing PcValue
/// (also stored in *BaseOfImage), or NULL. `_CxxThrowException` uses it to find the image
/// its throw information is relative to.
fn rtl_pc_to_file_header(p: &mut Process) -> ApiResult {
    let (pc, out) = (p.arg(0), p.arg(1));
    let base = p.module_at(pc).map(|m| m.base).unwrap_or(0);
    let _ = p.cpu.write_u64(out, base);
    ApiResult::Return(base)
}

/// A CONTEXT being unwound, with the addresses each register was restored from.
struct Unwinding {
    gpr: [u64; 16],
    xmm: [[u8; 16]; 16],
    rip: u64,
    gpr_from: [Option<u64>; 16],
    xmm_from: [Option<u64>; 16],
}

#[derive(Debug)]
pub struct BadUnwindData;

fn r8(p: &Process, a: u64) -> Result<u8, BadUnwindData> {
    p.cpu.read_u8(a).map_err(|_| BadUnwindData)
}
fn r16(p: &Process, a: u64) -> Result<u16, BadUnwindData> {
    p.cpu.read_u16(a).map_err(|_| BadUnwindData)
}
fn r32(p: &Process, a: u64) -> Result<u32, BadUnwindData> {
    p.cpu.read_u32(a).map_err(|_| BadUnwindData)
}
fn r64(p: &Process, a: u64) -> Result<u64, BadUnwindData> {
    p.cpu.read_u64(a).map_err(|_| BadUnwindData)
}

impl Unwinding {
    fn restore_gpr(&mut self, p: &Process, reg: usize, from: u64) -> Result<(), BadUnwindData> {
        self.gpr[reg] = r64(p, from)?;
        self.gpr_from[reg] = Some(from);
        Ok(())
    }

    fn restore_xmm(&mut self, p: &Process, reg: usize, from: u64) -> Result<(), BadUnwindData> {
        let v = p.cpu.read_vec(from, 16).map_err(|_| BadUnwindData)?;
        self.xmm[reg].copy_from_slice(&v);
        self.xmm_from[reg] = Some(from);
        Ok(())
    }

    /// If `pc` is in an epilogue (`add rsp,n` or `lea rsp,[reg+n]`, pops, then `ret` or a
    /// jump out of the function), executes the rest of it and returns true.
    fn try_epilog(&mut self, p: &Process, pc: u64, func: (u64, u64)) -> Result<bool, BadUnwindData> {
        let Some(mut code) = [64usize, 16].iter().find_map(|n| p.cpu.read_vec(pc, *n).ok()) else { return Err(BadUnwindData) };
        code.resize(64, 0);
        let mut i = 0;
        let mut rsp = self.gpr[RSP];
        // add rsp, imm8 / imm32
        if code[0] == 0x48 && code[1] == 0x83 && code[2] == 0xc4 {
            rsp = rsp.wrapping_add(code[3] as i8 as i64 as u64);
            i = 4;
        } else if code[0] == 0x48 && code[1] == 0x81 && code[2] == 0xc4 {
            rsp = rsp.wrapping_add(i32::from_le_bytes(code[3..7].try_into().unwrap()) as i64 as u64);
            i = 7;
        } else if (code[0] & 0xfe) == 0x48 && code[1] == 0x8d && (code[2] & 0x38) == 0x20 && (code[2] & 7) != 4 {
            // lea rsp, [reg + disp8/disp32]
            let reg = usize::from(code[2] & 7) + if code[0] & 1 != 0 { 8 } else { 0 };
            let (disp, len) = match code[2] >> 6 {
                1 => (code[3] as i8 as i64, 4),
                2 => (i32::from_le_bytes(code[3..7].try_into().unwrap()) as i64, 7),
                _ => return Ok(false),
            };
            rsp = self.gpr[reg].wrapping_add(disp as u64);
            i = len;
        }
        let mut pops = Vec::new();
        loop {
            match (code[i], code.get(i + 1).copied().unwrap_or(0)) {
                (0x58..=0x5f, _) => {
                    pops.push(usize::from(code[i] - 0x58));
                    i += 1;
                }
                (0x41, 0x58..=0x5f) => {
                    pops.push(usize::from(code[i + 1] - 0x58) + 8);
                    i += 2;
                }
                _ => break,
            }
        }
        let is_exit = match code[i] {
            0xc3 => true,
            0xf3 | 0xc2 => code[i] == 0xc2 || code[i + 1] == 0xc3,
            0xe9 => {
                let target = (pc + i as u64 + 5).wrapping_add(i32::from_le_bytes(code[i + 1..i + 5].try_into().unwrap()) as i64 as u64);
                target < func.0 || target >= func.1
            }
            0xff => code[i + 1] == 0x25,
            0x48 => code[i + 1] == 0xff && code[i + 2] == 0x25,
            _ => false,
        };
        if !is_exit {
            return Ok(false);
        }
        for reg in pops {
            self.restore_gpr(p, reg, rsp)?;
            rsp += 8;
        }
        self.rip = r64(p, rsp)?;
        self.gpr[RSP] = rsp + 8;
        Ok(true)
    }
}

/// What RtlVirtualUnwind computed.
struct Unwound {
    handler: u64,
    handler_data: u64,
    establisher: u64,
}

/// Unwinds one frame by the function's UNWIND_INFO (version 1 or 2, chained entries
/// included), as the Windows x64 unwinder does: in an epilogue the rest of it is executed;
/// in the prologue only the operations already done are undone; otherwise all of them,
/// then the return address is popped. Returns the language handler of `handler_type`
/// (UNW_FLAG_EHANDLER 1, UNW_FLAG_UHANDLER 2), if the function has one and pc is past its
/// prologue.
fn virtual_unwind(
    p: &Process,
    handler_type: u32,
    base: u64,
    pc: u64,
    entry: u64,
    cx: &mut Unwinding,
) -> Result<Unwound, BadUnwindData> {
    let mut function = entry;
    let mut prolog_offset = None;
    let mut establisher = cx.gpr[RSP];
    let mut primary = true;
    let mut mach_frame = None;
    loop {
        let begin = base + u64::from(r32(p, function)?);
        let end = base + u64::from(r32(p, function + 4)?);
        let mut unwind_data = u64::from(r32(p, function + 8)?);
        if unwind_data & 1 != 0 {
            // An indirect entry: the data is another RUNTIME_FUNCTION.
            function = base + (unwind_data & !1);
            unwind_data = u64::from(r32(p, function + 8)?);
        }
        let info = base + unwind_data;
        let header = r8(p, info)?;
        let (version, flags) = (header & 7, header >> 3);
        if version != 1 && version != 2 {
            return Err(BadUnwindData);
        }
        let prolog_size = u64::from(r8(p, info + 1)?);
        let count = u64::from(r8(p, info + 2)?);
        let frame = r8(p, info + 3)?;
        let (frame_reg, frame_offset) = (usize::from(frame & 0xf), u64::from(frame >> 4) * 16);
        if primary {
            if pc >= begin && pc < begin + prolog_size {
                prolog_offset = Some(pc - begin);
            } else if cx.try_epilog(p, pc, (begin, end))? {
                return Ok(Unwound { handler: 0, handler_data: 0, establisher: cx.gpr[RSP] });
            }
        }
        let done = |op_offset: u64| prolog_offset.is_none_or(|po| op_offset <= po);
        // The frame the SAVE_* operations are relative to: the frame register, less its
        // offset, once the prologue has set it; otherwise rsp.
        let mut fp_set = false;
        let mut k = 0;
        while k < count {
            let code = info + 4 + 2 * k;
            let (off, op) = (u64::from(r8(p, code)?), r8(p, code + 1)?);
            let (opcode, op_info) = (op & 0xf, op >> 4);
            if opcode == 3 && done(off) {
                fp_set = true;
            }
            k += match opcode {
                1 => if op_info == 0 { 2 } else { 3 },
                4 | 8 => 2,
                5 | 9 => 3,
                _ => 1,
            };
        }
        let frame_base = if frame_reg != 0 && fp_set { cx.gpr[frame_reg].wrapping_sub(frame_offset) } else { cx.gpr[RSP] };
        if primary {
            establisher = frame_base;
        }
        let mut k = 0;
        while k < count {
            let code = info + 4 + 2 * k;
            let (off, op) = (u64::from(r8(p, code)?), r8(p, code + 1)?);
            let (opcode, op_info) = (op & 0xf, usize::from(op >> 4));
            let slot16 = |i: u64| r16(p, code + 2 * i).map(u64::from);
            let slot32 = || -> Result<u64, BadUnwindData> { Ok(u64::from(r16(p, code + 2)?) | (u64::from(r16(p, code + 4)?) << 16)) };
            let size = match opcode {
                1 => if op_info == 0 { 2 } else { 3 },
                4 | 8 => 2,
                5 | 9 => 3,
                _ => 1,
            };
            if done(off) || !primary {
                match opcode {
                    0 => {
                        // UWOP_PUSH_NONVOL
                        let rsp = cx.gpr[RSP];
                        cx.restore_gpr(p, op_info, rsp)?;
                        cx.gpr[RSP] = rsp + 8;
                    }
                    1 => {
                        // UWOP_ALLOC_LARGE
                        let n = if op_info == 0 { slot16(1)? * 8 } else { slot32()? };
                        cx.gpr[RSP] = cx.gpr[RSP].wrapping_add(n);
                    }
                    2 => cx.gpr[RSP] = cx.gpr[RSP].wrapping_add(op_info as u64 * 8 + 8), // UWOP_ALLOC_SMALL
                    3 => cx.gpr[RSP] = frame_base,                                           // UWOP_SET_FPREG
                    4 => cx.restore_gpr(p, op_info, frame_base + slot16(1)? * 8)?,          // UWOP_SAVE_NONVOL
                    5 => cx.restore_gpr(p, op_info, frame_base + slot32()?)?,               // UWOP_SAVE_NONVOL_FAR
                    6 => {}                                                                  // UWOP_EPILOG (version 2)
                    8 => cx.restore_xmm(p, op_info, frame_base + slot16(1)? * 16)?,         // UWOP_SAVE_XMM128
                    9 => cx.restore_xmm(p, op_info, frame_base + slot32()?)?,               // UWOP_SAVE_XMM128_FAR
                    10 => mach_frame = Some(op_info),                                        // UWOP_PUSH_MACHFRAME
                    _ => return Err(BadUnwindData),
                }
            }
            k += size;
        }
        if flags & 4 == 0 {
            // Not chained: this is where the handler (if any) is recorded.
            let after_codes = info + 4 + 2 * (count + (count & 1));
            if let Some(error_code) = mach_frame {
                let rsp = cx.gpr[RSP] + if error_code != 0 { 8 } else { 0 };
                cx.rip = r64(p, rsp)?;
                cx.gpr[RSP] = r64(p, rsp + 24)?;
            } else {
                let rsp = cx.gpr[RSP];
                cx.rip = r64(p, rsp)?;
                cx.gpr[RSP] = rsp + 8;
            }
            if flags & 3 & handler_type as u8 == 0 || prolog_offset.is_some() {
                return Ok(Unwound { handler: 0, handler_data: 0, establisher });
            }
            return Ok(Unwound { handler: base + u64::from(r32(p, after_codes)?), handler_data: after_codes + 4, establisher });
        }
        function = info + 4 + 2 * (count + (count & 1));
        primary = false;
    }
}

/// RtlVirtualUnwind(HandlerType, ImageBase, ControlPc, FunctionEntry, ContextRecord,
/// HandlerData, EstablisherFrame, ContextPointers): unwinds ContextRecord by one frame
/// (see [`virtual_unwind`]), fills *EstablisherFrame, the KNONVOLATILE_CONTEXT_POINTERS if
/// given, and returns the exception or termination handler (with *HandlerData) or NULL.
/// Unwind data crtlab cannot read (an unknown version or operation, unmapped memory)
/// raises STATUS_BAD_FUNCTION_TABLE (c00000ff) at the call, so the debugger shows where.
fn rtl_virtual_unwind(p: &mut Process) -> ApiResult {
    let (handler_type, base, pc, entry) = (p.arg(0) as u32, p.arg(1), p.arg(2), p.arg(3));
    let (ctx, data_out, frame_out, pointers) = (p.arg(4), p.arg(5), p.arg(6), p.arg(7));
    let mut cx = Unwinding { gpr: [0; 16], xmm: [[0; 16]; 16], rip: 0, gpr_from: [None; 16], xmm_from: [None; 16] };
    for i in 0..16 {
        cx.gpr[i] = p.cpu.read_u64(ctx + CTX_GPR + 8 * i as u64).unwrap_or(0);
        if let Ok(v) = p.cpu.read_vec(ctx + CTX_XMM + 16 * i as u64, 16) {
            cx.xmm[i].copy_from_slice(&v);
        }
    }
    let unwound = if entry == 0 {
        // A leaf function: the return address is at rsp.
        let rsp = cx.gpr[RSP];
        match p.cpu.read_u64(rsp) {
            Ok(ra) => {
                cx.rip = ra;
                cx.gpr[RSP] = rsp + 8;
                Ok(Unwound { handler: 0, handler_data: 0, establisher: rsp })
            }
            Err(_) => Err(BadUnwindData),
        }
    } else {
        virtual_unwind(p, handler_type, base, pc, entry, &mut cx)
    };
    let Ok(unwound) = unwound else {
        return ApiResult::Raise { code: BAD_FUNCTION_TABLE, params: vec![] };
    };
    for i in 0..16 {
        let _ = p.cpu.write_u64(ctx + CTX_GPR + 8 * i as u64, cx.gpr[i]);
        let _ = p.cpu.write(ctx + CTX_XMM + 16 * i as u64, &cx.xmm[i]);
    }
    let _ = p.cpu.write_u64(ctx + CTX_RIP, cx.rip);
    if frame_out != 0 {
        let _ = p.cpu.write_u64(frame_out, unwound.establisher);
    }
    if data_out != 0 && unwound.handler != 0 {
        let _ = p.cpu.write_u64(data_out, unwound.handler_data);
    }
    if pointers != 0 {
        // FloatingContext[16] then IntegerContext[16].
        for i in 0..16 {
            if let Some(a) = cx.xmm_from[i] {
                let _ = p.cpu.write_u64(pointers + 8 * i as u64, a);
            }
            if let Some(a) = cx.gpr_from[i] {
                let _ = p.cpu.write_u64(pointers + 0x80 + 8 * i as u64, a);
            }
        }
    }
    ApiResult::Return(unwound.handler)
}
