//! Virtual memory: VirtualAlloc/Free/Protect/Query over the process address space.

use crate::process::address_space::RegionKind;
use crate::process::memory::{GuestMemory, Prot, PAGE_SIZE};
use crate::process::Process;
use crate::system::{status, ApiResult, ApiTable};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "VirtualAlloc", virtual_alloc);
    t.simple(MODULE, "VirtualFree", virtual_free);
    t.simple(MODULE, "VirtualProtect", virtual_protect);
    t.simple(MODULE, "VirtualQuery", virtual_query);
}

const MEM_COMMIT: u32 = 0x1000;
const MEM_RESERVE: u32 = 0x2000;
const MEM_DECOMMIT: u32 = 0x4000;
const MEM_RELEASE: u32 = 0x8000;

/// PAGE_* constant → protection; None for values crtlab does not model.
pub fn page_protection(p: u32) -> Option<Prot> {
    Some(match p & 0xff {
        0x01 => Prot::NONE,
        0x02 => Prot::R,
        0x04 | 0x08 => Prot::RW,
        0x10 | 0x20 => Prot::RX,
        0x40 | 0x80 => Prot::RWX,
        _ => return None,
    })
}

fn prot_to_page(p: Prot) -> u32 {
    match (p.read, p.write, p.exec) {
        (_, _, true) if p.write => 0x40,
        (_, _, true) => 0x20,
        (_, true, _) => 0x04,
        (true, _, _) => 0x02,
        _ => 0x01,
    }
}

fn fail(p: &mut Process, err: u32) -> ApiResult {
    p.set_last_error(err);
    ApiResult::Return(0)
}

fn commit(p: &mut Process, start: u64, size: u64, prot: Prot) -> bool {
    let mut a = start & !(PAGE_SIZE - 1);
    let end = (start + size).div_ceil(PAGE_SIZE) * PAGE_SIZE;
    while a < end {
        if !p.cpu.is_mapped(a, 1) {
            if p.cpu.map(a, PAGE_SIZE, prot).is_err() {
                return false;
            }
        } else if p.cpu.protect(a, PAGE_SIZE, prot).is_err() {
            return false;
        }
        a += PAGE_SIZE;
    }
    true
}

/// VirtualAlloc(lpAddress, dwSize, flAllocationType, flProtect)
fn virtual_alloc(p: &mut Process) -> ApiResult {
    let (addr, size, kind, protect) = (p.arg(0), p.arg(1), p.arg(2) as u32, p.arg(3) as u32);
    let Some(prot) = page_protection(protect) else { return fail(p, status::ERROR_INVALID_PARAMETER) };
    if size == 0 || kind & (MEM_COMMIT | MEM_RESERVE) == 0 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let base = if kind & MEM_RESERVE != 0 {
        let at = if addr == 0 { None } else { Some(addr & !0xffff) };
        match p.space.reserve(at, size + (addr & 0xffff), 0, RegionKind::Private) {
            Some(b) => b,
            None => return fail(p, status::ERROR_NOT_ENOUGH_MEMORY),
        }
    } else {
        match p.space.find(addr) {
            Some(r) if r.kind == RegionKind::Private => addr & !(PAGE_SIZE - 1),
            _ => return fail(p, 487), // ERROR_INVALID_ADDRESS
        }
    };
    let start = if kind & MEM_RESERVE != 0 && addr != 0 { addr & !(PAGE_SIZE - 1) } else { base };
    if kind & MEM_COMMIT != 0 && !commit(p, start, size, prot) {
        return fail(p, status::ERROR_NOT_ENOUGH_MEMORY);
    }
    ApiResult::Return(start)
}

/// VirtualFree(lpAddress, dwSize, dwFreeType)
fn virtual_free(p: &mut Process) -> ApiResult {
    let (addr, size, kind) = (p.arg(0), p.arg(1), p.arg(2) as u32);
    let Some(region) = p.space.find(addr).cloned() else { return fail(p, 487) };
    if region.kind != RegionKind::Private {
        return fail(p, 487);
    }
    let (start, len) = if kind == MEM_RELEASE {
        if size != 0 || addr != region.base {
            return fail(p, status::ERROR_INVALID_PARAMETER);
        }
        (region.base, region.size)
    } else if kind == MEM_DECOMMIT {
        (addr & !(PAGE_SIZE - 1), if size == 0 { region.base + region.size - addr } else { size })
    } else {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    };
    let mut a = start;
    while a < start + len {
        if p.cpu.is_mapped(a, 1) {
            let _ = p.cpu.unmap(a, PAGE_SIZE);
        }
        a += PAGE_SIZE;
    }
    if kind == MEM_RELEASE {
        p.space.release(region.base);
    }
    ApiResult::Return(1)
}

/// VirtualProtect(lpAddress, dwSize, flNewProtect, lpflOldProtect)
fn virtual_protect(p: &mut Process) -> ApiResult {
    let (addr, size, protect, old) = (p.arg(0), p.arg(1), p.arg(2) as u32, p.arg(3));
    let Some(prot) = page_protection(protect) else { return fail(p, status::ERROR_INVALID_PARAMETER) };
    let start = addr & !(PAGE_SIZE - 1);
    let end = (addr + size.max(1)).div_ceil(PAGE_SIZE) * PAGE_SIZE;
    if !p.cpu.is_mapped(start, end - start) {
        return fail(p, 487);
    }
    let previous = p.cpu.regions().into_iter().find(|(s, e, _)| *s <= start && start <= *e).map(|r| r.2).unwrap_or(Prot::NONE);
    if p.cpu.protect(start, end - start, prot).is_err() {
        return fail(p, 487);
    }
    if old == 0 || p.cpu.write_u32(old, prot_to_page(previous)).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(1)
}

/// VirtualQuery(lpAddress, lpBuffer, dwLength) → MEMORY_BASIC_INFORMATION (0x30 bytes).
fn virtual_query(p: &mut Process) -> ApiResult {
    let (addr, buf, len) = (p.arg(0), p.arg(1), p.arg(2));
    if len < 0x30 {
        return fail(p, 24); // ERROR_BAD_LENGTH
    }
    let page = addr & !(PAGE_SIZE - 1);
    let region = p.space.find(addr).cloned();
    let mapped = p.cpu.regions().into_iter().find(|(s, e, _)| *s <= page && page <= *e);
    let (alloc_base, state, protect, size, ty) = match (&region, mapped) {
        (Some(r), Some((_, e, prot))) => {
            let ty = match r.kind {
                RegionKind::Image => 0x100_0000,
                _ => 0x2_0000,
            };
            (r.base, MEM_COMMIT, prot_to_page(prot), (e + 1).min(r.base + r.size) - page, ty)
        }
        (Some(r), None) => (r.base, MEM_RESERVE, 0, PAGE_SIZE, 0x2_0000),
        (None, Some((_, e, prot))) => (page, MEM_COMMIT, prot_to_page(prot), e + 1 - page, 0x100_0000),
        (None, None) => (0, 0x1_0000, 1, PAGE_SIZE, 0),
    };
    let mut mbi = [0u8; 0x30];
    mbi[0..8].copy_from_slice(&page.to_le_bytes());
    mbi[8..16].copy_from_slice(&alloc_base.to_le_bytes());
    mbi[16..20].copy_from_slice(&protect.to_le_bytes());
    mbi[24..32].copy_from_slice(&size.to_le_bytes());
    mbi[32..36].copy_from_slice(&state.to_le_bytes());
    mbi[36..40].copy_from_slice(&protect.to_le_bytes());
    mbi[40..44].copy_from_slice(&(ty as u32).to_le_bytes());
    if p.cpu.write(buf, &mbi).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(0x30)
}
