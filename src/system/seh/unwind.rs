//! The x64 unwinder of ntdll, over `.pdata`/UNWIND_INFO read from guest memory:
//! RtlLookupFunctionEntry and RtlVirtualUnwind with the full nonvolatile context (every
//! integer and XMM register, and where each was restored from). The exception dispatcher,
//! RtlUnwindEx and KERNEL32's exported RtlVirtualUnwind all use it.

use super::context::{Context, RSP};
use crate::process::memory::GuestMemory;

pub const UNW_FLAG_NHANDLER: u32 = 0;
pub const UNW_FLAG_EHANDLER: u32 = 1;
pub const UNW_FLAG_UHANDLER: u32 = 2;

/// Unwind data crtlab cannot use: an unknown version or operation, or unmapped memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUnwindData;

type R<T> = Result<T, BadUnwindData>;

fn r8(m: &(impl GuestMemory + ?Sized), a: u64) -> R<u8> {
    m.read_u8(a).map_err(|_| BadUnwindData)
}
fn r16(m: &(impl GuestMemory + ?Sized), a: u64) -> R<u16> {
    m.read_u16(a).map_err(|_| BadUnwindData)
}
fn r32(m: &(impl GuestMemory + ?Sized), a: u64) -> R<u32> {
    m.read_u32(a).map_err(|_| BadUnwindData)
}
fn r64(m: &(impl GuestMemory + ?Sized), a: u64) -> R<u64> {
    m.read_u64(a).map_err(|_| BadUnwindData)
}

/// The exception directory (RVA and size) of the image mapped at `base`, from its headers.
pub fn exception_directory(m: &(impl GuestMemory + ?Sized), base: u64) -> Option<(u32, u32)> {
    let pe = base + u64::from(m.read_u32(base + 0x3c).ok()?);
    let opt = pe + 24;
    if m.read_u16(opt).ok()? != 0x20b || m.read_u32(opt + 108).ok()? < 4 {
        return None;
    }
    let dir = opt + 112 + 3 * 8;
    Some((m.read_u32(dir).ok()?, m.read_u32(dir + 4).ok()?))
}

/// The RUNTIME_FUNCTION entry (its guest address) of the image at `base` that covers `pc`,
/// by binary search of its `.pdata`; None for a leaf function.
pub fn lookup_function_entry(m: &(impl GuestMemory + ?Sized), base: u64, pc: u64) -> Option<u64> {
    let (rva, size) = exception_directory(m, base)?;
    let target = pc.checked_sub(base)?;
    let (mut lo, mut hi) = (0u64, u64::from(size) / 12);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let entry = base + u64::from(rva) + 12 * mid;
        let (Ok(begin), Ok(end)) = (m.read_u32(entry), m.read_u32(entry + 4)) else { return None };
        if target < u64::from(begin) {
            hi = mid;
        } else if target >= u64::from(end) {
            lo = mid + 1;
        } else {
            return Some(entry);
        }
    }
    None
}

/// Where RtlVirtualUnwind restored each register from (KNONVOLATILE_CONTEXT_POINTERS).
#[derive(Debug, Clone, Default)]
pub struct ContextPointers {
    pub gpr: [Option<u64>; 16],
    pub xmm: [Option<u64>; 16],
}

/// What RtlVirtualUnwind computed besides the unwound context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unwound {
    /// The language handler of the requested type, or 0.
    pub handler: u64,
    /// Its HandlerData (the address right after the handler's RVA in UNWIND_INFO).
    pub handler_data: u64,
    pub establisher: u64,
}

/// A CONTEXT being unwound, with the addresses each register was restored from.
struct Unwinding<'a> {
    cx: &'a mut Context,
    ptrs: ContextPointers,
}

impl Unwinding<'_> {
    fn gpr(&self, i: usize) -> u64 {
        self.cx.gpr(i)
    }
    fn set_gpr(&mut self, i: usize, v: u64) {
        self.cx.set_gpr(i, v);
    }

    fn restore_gpr(&mut self, m: &(impl GuestMemory + ?Sized), reg: usize, from: u64) -> R<()> {
        let v = r64(m, from)?;
        self.cx.set_gpr(reg, v);
        self.ptrs.gpr[reg] = Some(from);
        Ok(())
    }

    fn restore_xmm(&mut self, m: &(impl GuestMemory + ?Sized), reg: usize, from: u64) -> R<()> {
        let v = m.read_vec(from, 16).map_err(|_| BadUnwindData)?;
        self.cx.set_xmm(reg, &v.try_into().unwrap());
        self.ptrs.xmm[reg] = Some(from);
        Ok(())
    }

    /// If `pc` is in an epilogue (`add rsp,n` or `lea rsp,[reg+n]`, pops, then `ret` or a
    /// jump out of the function), executes the rest of it and returns true.
    fn try_epilog(&mut self, m: &(impl GuestMemory + ?Sized), pc: u64, func: (u64, u64)) -> R<bool> {
        let Some(mut code) = [64usize, 16].iter().find_map(|n| m.read_vec(pc, *n).ok()) else { return Err(BadUnwindData) };
        code.resize(64, 0);
        let mut i = 0;
        let mut rsp = self.gpr(RSP);
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
            rsp = self.gpr(reg).wrapping_add(disp as u64);
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
            self.restore_gpr(m, reg, rsp)?;
            rsp += 8;
        }
        let ra = r64(m, rsp)?;
        self.cx.set_rip(ra);
        self.set_gpr(RSP, rsp + 8);
        Ok(true)
    }
}

/// RtlVirtualUnwind: unwinds `cx` by one frame, as the Windows x64 unwinder does. With
/// `entry` = 0 the function is a leaf (the return address is at rsp). Otherwise its
/// UNWIND_INFO (version 1 or 2, chained entries included) is applied: in an epilogue the
/// rest of it is executed; in the prologue only the operations already done are undone;
/// otherwise all of them, then the return address is popped. Returns the language handler
/// of `handler_type` (UNW_FLAG_EHANDLER, UNW_FLAG_UHANDLER), if the function has one and
/// pc is past its prologue and not in an epilogue, and the establisher frame.
pub fn virtual_unwind(
    m: &(impl GuestMemory + ?Sized),
    handler_type: u32,
    base: u64,
    pc: u64,
    entry: u64,
    cx: &mut Context,
    pointers: Option<&mut ContextPointers>,
) -> R<Unwound> {
    let mut u = Unwinding { cx, ptrs: ContextPointers::default() };
    let result = if entry == 0 {
        let rsp = u.gpr(RSP);
        let ra = r64(m, rsp)?;
        u.cx.set_rip(ra);
        u.set_gpr(RSP, rsp + 8);
        Unwound { handler: 0, handler_data: 0, establisher: rsp }
    } else {
        unwind_by_info(m, handler_type, base, pc, entry, &mut u)?
    };
    if let Some(p) = pointers {
        *p = u.ptrs;
    }
    Ok(result)
}

fn unwind_by_info(m: &(impl GuestMemory + ?Sized), handler_type: u32, base: u64, pc: u64, entry: u64, cx: &mut Unwinding) -> R<Unwound> {
    let mut function = entry;
    let mut prolog_offset = None;
    let mut establisher = cx.gpr(RSP);
    let mut primary = true;
    let mut mach_frame = None;
    loop {
        let begin = base + u64::from(r32(m, function)?);
        let end = base + u64::from(r32(m, function + 4)?);
        let mut unwind_data = u64::from(r32(m, function + 8)?);
        if unwind_data & 1 != 0 {
            // An indirect entry: the data is another RUNTIME_FUNCTION.
            function = base + (unwind_data & !1);
            unwind_data = u64::from(r32(m, function + 8)?);
        }
        let info = base + unwind_data;
        let header = r8(m, info)?;
        let (version, flags) = (header & 7, header >> 3);
        if version != 1 && version != 2 {
            return Err(BadUnwindData);
        }
        let prolog_size = u64::from(r8(m, info + 1)?);
        let count = u64::from(r8(m, info + 2)?);
        let frame = r8(m, info + 3)?;
        let (frame_reg, frame_offset) = (usize::from(frame & 0xf), u64::from(frame >> 4) * 16);
        if primary {
            if pc >= begin && pc < begin + prolog_size {
                prolog_offset = Some(pc - begin);
            } else if cx.try_epilog(m, pc, (begin, end))? {
                return Ok(Unwound { handler: 0, handler_data: 0, establisher: cx.gpr(RSP) });
            }
        }
        let done = |op_offset: u64| prolog_offset.is_none_or(|po| op_offset <= po);
        // The frame the SAVE_* operations are relative to: the frame register, less its
        // offset, once the prologue has set it; otherwise rsp.
        let mut fp_set = false;
        let mut k = 0;
        while k < count {
            let code = info + 4 + 2 * k;
            let (off, op) = (u64::from(r8(m, code)?), r8(m, code + 1)?);
            let (opcode, op_info) = (op & 0xf, op >> 4);
            if opcode == 3 && done(off) {
                fp_set = true;
            }
            k += slots(opcode, op_info);
        }
        let frame_base = if frame_reg != 0 && fp_set { cx.gpr(frame_reg).wrapping_sub(frame_offset) } else { cx.gpr(RSP) };
        if primary {
            establisher = frame_base;
        }
        let mut k = 0;
        while k < count {
            let code = info + 4 + 2 * k;
            let (off, op) = (u64::from(r8(m, code)?), r8(m, code + 1)?);
            let (opcode, op_info) = (op & 0xf, op >> 4);
            let slot16 = |i: u64| r16(m, code + 2 * i).map(u64::from);
            let slot32 = || -> R<u64> { Ok(u64::from(r16(m, code + 2)?) | (u64::from(r16(m, code + 4)?) << 16)) };
            let reg = usize::from(op_info);
            if done(off) || !primary {
                match opcode {
                    0 => {
                        // UWOP_PUSH_NONVOL
                        let rsp = cx.gpr(RSP);
                        cx.restore_gpr(m, reg, rsp)?;
                        cx.set_gpr(RSP, rsp + 8);
                    }
                    1 => {
                        // UWOP_ALLOC_LARGE
                        let n = if op_info == 0 { slot16(1)? * 8 } else { slot32()? };
                        cx.set_gpr(RSP, cx.gpr(RSP).wrapping_add(n));
                    }
                    2 => cx.set_gpr(RSP, cx.gpr(RSP).wrapping_add(u64::from(op_info) * 8 + 8)), // UWOP_ALLOC_SMALL
                    3 => cx.set_gpr(RSP, frame_base),                                             // UWOP_SET_FPREG
                    4 => cx.restore_gpr(m, reg, frame_base + slot16(1)? * 8)?,                   // UWOP_SAVE_NONVOL
                    5 => cx.restore_gpr(m, reg, frame_base + slot32()?)?,                        // UWOP_SAVE_NONVOL_FAR
                    6 => {}                                                                       // UWOP_EPILOG (version 2)
                    8 => cx.restore_xmm(m, reg, frame_base + slot16(1)? * 16)?,                  // UWOP_SAVE_XMM128
                    9 => cx.restore_xmm(m, reg, frame_base + slot32()?)?,                        // UWOP_SAVE_XMM128_FAR
                    10 => mach_frame = Some(op_info),                                             // UWOP_PUSH_MACHFRAME
                    _ => return Err(BadUnwindData),
                }
            }
            k += slots(opcode, op_info);
        }
        if flags & 4 == 0 {
            // Not chained: this is where the handler (if any) is recorded.
            let after_codes = info + 4 + 2 * (count + (count & 1));
            if let Some(error_code) = mach_frame {
                // A machine frame (the kernel's exception or interrupt frame): Rip, then Rsp
                // three slots up, after the error code if there is one.
                let rsp = cx.gpr(RSP) + if error_code != 0 { 8 } else { 0 };
                let rip = r64(m, rsp)?;
                cx.cx.set_rip(rip);
                let new_rsp = r64(m, rsp + 24)?;
                cx.set_gpr(RSP, new_rsp);
            } else {
                let rsp = cx.gpr(RSP);
                let ra = r64(m, rsp)?;
                cx.cx.set_rip(ra);
                cx.set_gpr(RSP, rsp + 8);
            }
            if u32::from(flags & 3) & handler_type == 0 || prolog_offset.is_some() {
                return Ok(Unwound { handler: 0, handler_data: 0, establisher });
            }
            return Ok(Unwound { handler: base + u64::from(r32(m, after_codes)?), handler_data: after_codes + 4, establisher });
        }
        function = info + 4 + 2 * (count + (count & 1));
        primary = false;
    }
}

/// Number of UNWIND_CODE slots an operation takes.
fn slots(opcode: u8, op_info: u8) -> u64 {
    match opcode {
        1 => {
            if op_info == 0 {
                2
            } else {
                3
            }
        }
        4 | 8 => 2,
        5 | 9 => 3,
        _ => 1,
    }
}
