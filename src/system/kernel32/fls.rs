//! Thread local storage (TlsAlloc and friends) and fiber local storage (FlsAlloc and
//! friends) for the one thread. TLS values live where Windows keeps them, in the TEB's
//! TlsSlots (gs:[1480h + 8*index]), so code that reads the TEB directly sees them; the
//! slots the loader uses for static TLS (`__declspec(thread)`) are never handed out. FLS
//! values and callbacks are kept by crtlab (Windows keeps them outside the TEB too).

use crate::layout::TEB;
use crate::process::Process;
use crate::process::environment::TEB_TLS_SLOTS;
use crate::process::memory::GuestMemory;
use crate::system::{Api, ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "TlsAlloc", tls_alloc);
    t.simple(MODULE, "TlsGetValue", tls_get_value);
    t.simple(MODULE, "TlsSetValue", tls_set_value);
    t.simple(MODULE, "TlsFree", tls_free);
    t.simple(MODULE, "FlsAlloc", fls_alloc);
    t.simple(MODULE, "FlsGetValue", fls_get_value);
    t.simple(MODULE, "FlsSetValue", fls_set_value);
    // FlsFree itself is code (kernel32::spec): it calls this, then the slot's callback.
    t.add(Api { module: MODULE, name: "FlsFreeSlot", handler: fls_free_slot, first: None, rva: None, nt_number: None, internal: true });
}

/// TEB.TlsSlots has 64 entries (the TlsExpansionSlots beyond them are not modelled).
pub const TLS_SLOTS: u32 = 64;
/// FLS indexes crtlab hands out (Windows has 4080 per process).
pub const FLS_SLOTS: u32 = 128;
const TLS_OUT_OF_INDEXES: u64 = 0xffff_ffff;
const ERROR_NO_MORE_ITEMS: u32 = 259;

/// The allocation state of TLS and FLS indexes.
#[derive(Debug, Clone, Default)]
pub struct LocalStorage {
    /// TLS indexes handed out by TlsAlloc (bit i = index i).
    tls_used: u64,
    /// FLS slots: None = free; Some((callback, value)).
    fls: Vec<Option<(u64, u64)>>,
}

fn tls_slot(index: u32) -> u64 {
    TEB + TEB_TLS_SLOTS + 8 * u64::from(index)
}

/// TlsAlloc(): the lowest free TLS index, its value 0; TLS_OUT_OF_INDEXES with
/// ERROR_NO_MORE_ITEMS when all 64 are taken. Indexes below the loader's static TLS count
/// belong to the images' `__declspec(thread)` data.
fn tls_alloc(p: &mut Process) -> ApiResult {
    let reserved = p.next_tls_index;
    let used = p.kernel32.storage.tls_used;
    match (reserved..TLS_SLOTS).find(|i| used & (1 << i) == 0) {
        Some(i) => {
            p.kernel32.storage.tls_used |= 1 << i;
            let _ = p.cpu.write_u64(tls_slot(i), 0);
            ApiResult::Return(u64::from(i))
        }
        None => {
            p.set_last_error(ERROR_NO_MORE_ITEMS);
            ApiResult::Return(TLS_OUT_OF_INDEXES)
        }
    }
}

fn tls_index_ok(p: &Process, index: u64) -> bool {
    index < u64::from(TLS_SLOTS) && p.kernel32.storage.tls_used & (1 << index) != 0
}

/// TlsGetValue(dwTlsIndex): the slot's value; clears the last error on success (so a
/// stored 0 can be told from a failure). A bad index fails with ERROR_INVALID_PARAMETER.
fn tls_get_value(p: &mut Process) -> ApiResult {
    let index = p.arg(0) as u32 as u64;
    if !tls_index_ok(p, index) {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    p.set_last_error(status::ERROR_SUCCESS);
    ApiResult::Return(p.cpu.read_u64(tls_slot(index as u32)).unwrap_or(0))
}

/// TlsSetValue(dwTlsIndex, lpTlsValue): stores the value in TEB.TlsSlots.
fn tls_set_value(p: &mut Process) -> ApiResult {
    let (index, value) = (p.arg(0) as u32 as u64, p.arg(1));
    if !tls_index_ok(p, index) {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    let _ = p.cpu.write_u64(tls_slot(index as u32), value);
    ApiResult::Return(1)
}

/// TlsFree(dwTlsIndex): frees the index and clears its value.
fn tls_free(p: &mut Process) -> ApiResult {
    let index = p.arg(0) as u32 as u64;
    if !tls_index_ok(p, index) {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    p.kernel32.storage.tls_used &= !(1 << index);
    let _ = p.cpu.write_u64(tls_slot(index as u32), 0);
    ApiResult::Return(1)
}

/// FlsAlloc(lpCallback): the lowest free FLS index from 1 up, its value NULL; the callback
/// (may be NULL) runs when FlsFree frees a slot whose value is not NULL. FLS_OUT_OF_INDEXES
/// with ERROR_NO_MORE_ITEMS when none is left.
fn fls_alloc(p: &mut Process) -> ApiResult {
    let callback = p.arg(0);
    let fls = &mut p.kernel32.storage.fls;
    if fls.is_empty() {
        fls.resize(FLS_SLOTS as usize, None);
    }
    match (1..FLS_SLOTS as usize).find(|&i| fls[i].is_none()) {
        Some(i) => {
            fls[i] = Some((callback, 0));
            ApiResult::Return(i as u64)
        }
        None => {
            p.set_last_error(ERROR_NO_MORE_ITEMS);
            ApiResult::Return(TLS_OUT_OF_INDEXES)
        }
    }
}

fn fls_slot(p: &mut Process, index: u64) -> Option<&mut (u64, u64)> {
    p.kernel32.storage.fls.get_mut(usize::try_from(index).ok()?)?.as_mut()
}

/// FlsGetValue(dwFlsIndex): the slot's value; a bad index fails with
/// ERROR_INVALID_PARAMETER.
fn fls_get_value(p: &mut Process) -> ApiResult {
    let index = p.arg(0) as u32 as u64;
    match fls_slot(p, index) {
        Some(slot) => ApiResult::Return(slot.1),
        None => {
            p.set_last_error(status::ERROR_INVALID_PARAMETER);
            ApiResult::Return(0)
        }
    }
}

/// FlsSetValue(dwFlsIndex, lpFlsData): stores the value.
fn fls_set_value(p: &mut Process) -> ApiResult {
    let (index, value) = (p.arg(0) as u32 as u64, p.arg(1));
    match fls_slot(p, index) {
        Some(slot) => {
            slot.1 = value;
            ApiResult::Return(1)
        }
        None => {
            p.set_last_error(status::ERROR_INVALID_PARAMETER);
            ApiResult::Return(0)
        }
    }
}

/// The first half of FlsFree(dwFlsIndex): frees the slot and returns TRUE with the
/// callback to run in rdx and its argument (the slot's value) in r8, rdx = 0 when there is
/// nothing to call (no callback, or a NULL value). A bad index fails with
/// ERROR_INVALID_PARAMETER. KERNEL32!FlsFree then calls the callback, as Windows does.
fn fls_free_slot(p: &mut Process) -> ApiResult {
    use unicorn_engine::RegisterX86;
    let index = p.arg(0) as u32 as u64;
    let Some(&mut (callback, value)) = fls_slot(p, index) else {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    };
    p.kernel32.storage.fls[index as usize] = None;
    let call = if value != 0 { callback } else { 0 };
    p.cpu.set_reg(RegisterX86::RDX, call);
    p.cpu.set_reg(RegisterX86::R8, value);
    ApiResult::Return(1)
}
