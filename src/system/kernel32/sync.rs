//! Synchronization objects for one thread: critical sections, one-time initialization,
//! slim reader/writer locks and interlocked singly linked lists. crtlab runs a single
//! thread, so nothing ever waits; the objects still keep the fields Windows keeps, so a
//! debugger (`dt _RTL_CRITICAL_SECTION`, `dq`) and the program see sane values: an owned
//! critical section has its OwningThread, RecursionCount and LockCount.

use crate::layout::TID;
use crate::process::Process;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "InitializeCriticalSection", initialize_critical_section);
    t.simple(MODULE, "InitializeCriticalSectionAndSpinCount", initialize_critical_section_and_spin_count);
    t.simple(MODULE, "InitializeCriticalSectionEx", initialize_critical_section_ex);
    t.simple(MODULE, "EnterCriticalSection", enter_critical_section);
    t.simple(MODULE, "TryEnterCriticalSection", try_enter_critical_section);
    t.simple(MODULE, "LeaveCriticalSection", leave_critical_section);
    t.simple(MODULE, "DeleteCriticalSection", delete_critical_section);
    t.simple(MODULE, "InitOnceBeginInitialize", init_once_begin_initialize);
    t.simple(MODULE, "InitOnceComplete", init_once_complete);
    t.simple(MODULE, "InitializeSRWLock", initialize_srw_lock);
    t.simple(MODULE, "AcquireSRWLockExclusive", acquire_srw_lock_exclusive);
    t.simple(MODULE, "TryAcquireSRWLockExclusive", try_acquire_srw_lock_exclusive);
    t.simple(MODULE, "ReleaseSRWLockExclusive", release_srw_lock_exclusive);
    t.simple(MODULE, "AcquireSRWLockShared", acquire_srw_lock_shared);
    t.simple(MODULE, "ReleaseSRWLockShared", release_srw_lock_shared);
    t.simple(MODULE, "InitializeSListHead", initialize_slist_head);
    t.simple(MODULE, "InterlockedPushEntrySList", interlocked_push_entry_slist);
    t.simple(MODULE, "InterlockedPopEntrySList", interlocked_pop_entry_slist);
    t.simple(MODULE, "InterlockedFlushSList", interlocked_flush_slist);
    t.simple(MODULE, "QueryDepthSList", query_depth_slist);
    t.simple(MODULE, "SwitchToThread", switch_to_thread);
}

// RTL_CRITICAL_SECTION on x64 (0x28 bytes; LockSemaphore at 0x18 and SpinCount at 0x20 stay 0).
const CS_DEBUG_INFO: u64 = 0x00;
const CS_LOCK_COUNT: u64 = 0x08;
const CS_RECURSION_COUNT: u64 = 0x0c;
const CS_OWNING_THREAD: u64 = 0x10;
/// LockCount of a free critical section (Windows Vista and later: bit 0 set = not locked,
/// the other bits count waiters, inverted).
const CS_UNLOCKED: u32 = 0xffff_ffff;
/// LockCount while owned with no waiters (bit 0 cleared).
const CS_LOCKED: u32 = 0xffff_fffe;

/// Fills a critical section the way RtlInitializeCriticalSectionEx does on a one-processor
/// machine: no debug info (DebugInfo = -1, as Windows 8 and later leave it), free,
/// no owner, and a spin count of 0 (Windows ignores spin counts on one processor).
fn init_cs(p: &mut Process, cs: u64) -> ApiResult {
    let mut b = [0u8; 0x28];
    b[CS_DEBUG_INFO as usize..8].copy_from_slice(&u64::MAX.to_le_bytes());
    b[CS_LOCK_COUNT as usize..0xc].copy_from_slice(&CS_UNLOCKED.to_le_bytes());
    if p.cpu.write(cs, &b).is_err() {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![1, cs] };
    }
    ApiResult::Return(1)
}

/// InitializeCriticalSection(lpCriticalSection): see [`init_cs`]. Returns nothing.
fn initialize_critical_section(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    match init_cs(p, cs) {
        ApiResult::Return(_) => ApiResult::Return(0),
        other => other,
    }
}

/// InitializeCriticalSectionAndSpinCount(lpCriticalSection, dwSpinCount): TRUE; the spin
/// count is stored as 0 on the one emulated processor.
fn initialize_critical_section_and_spin_count(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    init_cs(p, cs)
}

/// InitializeCriticalSectionEx(lpCriticalSection, dwSpinCount, Flags): TRUE; the flags
/// (CRITICAL_SECTION_NO_DEBUG_INFO and friends) change nothing crtlab keeps.
fn initialize_critical_section_ex(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    init_cs(p, cs)
}

/// Takes the critical section for the one thread: the first entry sets OwningThread and
/// LockCount, later ones (recursion) count up RecursionCount.
fn take_cs(p: &mut Process, cs: u64) -> ApiResult {
    let owner = p.cpu.read_u64(cs + CS_OWNING_THREAD);
    let recursion = p.cpu.read_u32(cs + CS_RECURSION_COUNT);
    let (Ok(owner), Ok(recursion)) = (owner, recursion) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, cs] };
    };
    if owner == u64::from(TID) && recursion > 0 {
        let _ = p.cpu.write_u32(cs + CS_RECURSION_COUNT, recursion + 1);
    } else {
        let _ = p.cpu.write_u32(cs + CS_LOCK_COUNT, CS_LOCKED);
        let _ = p.cpu.write_u32(cs + CS_RECURSION_COUNT, 1);
        let _ = p.cpu.write_u64(cs + CS_OWNING_THREAD, u64::from(TID));
    }
    ApiResult::Return(1)
}

/// EnterCriticalSection(lpCriticalSection): never waits, as no other thread can own it.
fn enter_critical_section(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    match take_cs(p, cs) {
        ApiResult::Return(_) => ApiResult::Return(0),
        other => other,
    }
}

/// TryEnterCriticalSection(lpCriticalSection): always TRUE (free, or owned by this thread).
fn try_enter_critical_section(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    take_cs(p, cs)
}

/// LeaveCriticalSection(lpCriticalSection): counts RecursionCount down; at 0 the section
/// is free again (no owner, LockCount -1). Leaving a section that is not owned changes
/// nothing.
fn leave_critical_section(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    let Ok(recursion) = p.cpu.read_u32(cs + CS_RECURSION_COUNT) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, cs] };
    };
    match recursion {
        0 => {}
        1 => {
            let _ = p.cpu.write_u32(cs + CS_RECURSION_COUNT, 0);
            let _ = p.cpu.write_u64(cs + CS_OWNING_THREAD, 0);
            let _ = p.cpu.write_u32(cs + CS_LOCK_COUNT, CS_UNLOCKED);
        }
        n => {
            let _ = p.cpu.write_u32(cs + CS_RECURSION_COUNT, n - 1);
        }
    }
    ApiResult::Return(0)
}

/// DeleteCriticalSection(lpCriticalSection): releases its resources; crtlab has none, and
/// clears the structure.
fn delete_critical_section(p: &mut Process) -> ApiResult {
    let cs = p.arg(0);
    let _ = p.cpu.write(cs, &[0u8; 0x28]);
    ApiResult::Return(0)
}

// INIT_ONCE: one pointer. The low two bits are the state (RTL_RUN_ONCE), the rest the
// context of a completed initialization.
const INIT_ONCE_CHECK_ONLY: u32 = 0x1;
const INIT_ONCE_INIT_FAILED: u32 = 0x4;
const ONCE_PENDING: u64 = 1;
const ONCE_COMPLETE: u64 = 2;
const ERROR_GEN_FAILURE: u32 = 31;
const ERROR_POSSIBLE_DEADLOCK: u32 = 1131;

/// InitOnceBeginInitialize(lpInitOnce, dwFlags, fPending, lpContext): if the
/// initialization is complete, *fPending = FALSE and *lpContext gets its context;
/// otherwise the caller becomes the one initializing (*fPending = TRUE). With
/// INIT_ONCE_CHECK_ONLY an incomplete initialization fails (ERROR_GEN_FAILURE). Beginning
/// again while this thread is still initializing would wait forever on Windows; here it
/// fails with ERROR_POSSIBLE_DEADLOCK.
fn init_once_begin_initialize(p: &mut Process) -> ApiResult {
    let (once, flags, pending, context) = (p.arg(0), p.arg(1) as u32, p.arg(2), p.arg(3));
    if once == 0 || pending == 0 || flags & !(INIT_ONCE_CHECK_ONLY | 0x2) != 0 {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    let Ok(state) = p.cpu.read_u64(once) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, once] };
    };
    if state & 3 == ONCE_COMPLETE {
        let _ = p.cpu.write_u32(pending, 0);
        if context != 0 {
            let _ = p.cpu.write_u64(context, state & !3);
        }
        return ApiResult::Return(1);
    }
    if flags & INIT_ONCE_CHECK_ONLY != 0 {
        p.set_last_error(ERROR_GEN_FAILURE);
        return ApiResult::Return(0);
    }
    if state & 3 == ONCE_PENDING {
        p.set_last_error(ERROR_POSSIBLE_DEADLOCK);
        return ApiResult::Return(0);
    }
    let _ = p.cpu.write_u64(once, ONCE_PENDING);
    let _ = p.cpu.write_u32(pending, 1);
    ApiResult::Return(1)
}

/// InitOnceComplete(lpInitOnce, dwFlags, lpContext): ends an initialization begun by
/// InitOnceBeginInitialize. On success the context (its low two bits must be clear) is
/// kept for later callers; with INIT_ONCE_INIT_FAILED the object goes back to its initial
/// state. Fails with ERROR_GEN_FAILURE if no initialization is pending.
fn init_once_complete(p: &mut Process) -> ApiResult {
    let (once, flags, context) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    if context & 3 != 0 || flags & !(INIT_ONCE_INIT_FAILED | 0x2) != 0 {
        p.set_last_error(status::ERROR_INVALID_PARAMETER);
        return ApiResult::Return(0);
    }
    if p.cpu.read_u64(once).map(|s| s & 3) != Ok(ONCE_PENDING) {
        p.set_last_error(ERROR_GEN_FAILURE);
        return ApiResult::Return(0);
    }
    let state = if flags & INIT_ONCE_INIT_FAILED != 0 { 0 } else { context | ONCE_COMPLETE };
    let _ = p.cpu.write_u64(once, state);
    ApiResult::Return(1)
}

// SRWLOCK: one pointer; crtlab writes 1 while it is held exclusively and counts shared
// owners in the upper bits (value = count << 4 | 1), as Windows does without waiters.

/// InitializeSRWLock(SRWLock): an unlocked lock (0).
fn initialize_srw_lock(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    let _ = p.cpu.write_u64(lock, 0);
    ApiResult::Return(0)
}

/// AcquireSRWLockExclusive(SRWLock): marks the lock held; never waits.
fn acquire_srw_lock_exclusive(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    let _ = p.cpu.write_u64(lock, 1);
    ApiResult::Return(0)
}

/// TryAcquireSRWLockExclusive(SRWLock): TRUE (BOOLEAN) if the lock was free.
fn try_acquire_srw_lock_exclusive(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    if p.cpu.read_u64(lock).unwrap_or(1) != 0 {
        return ApiResult::Return(0);
    }
    let _ = p.cpu.write_u64(lock, 1);
    ApiResult::Return(1)
}

/// ReleaseSRWLockExclusive(SRWLock): the lock is free again.
fn release_srw_lock_exclusive(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    let _ = p.cpu.write_u64(lock, 0);
    ApiResult::Return(0)
}

/// AcquireSRWLockShared(SRWLock): one more shared owner.
fn acquire_srw_lock_shared(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    let owners = p.cpu.read_u64(lock).unwrap_or(0) >> 4;
    let _ = p.cpu.write_u64(lock, ((owners + 1) << 4) | 1);
    ApiResult::Return(0)
}

/// ReleaseSRWLockShared(SRWLock): one shared owner fewer; free at none.
fn release_srw_lock_shared(p: &mut Process) -> ApiResult {
    let lock = p.arg(0);
    let owners = (p.cpu.read_u64(lock).unwrap_or(0) >> 4).saturating_sub(1);
    let _ = p.cpu.write_u64(lock, if owners == 0 { 0 } else { (owners << 4) | 1 });
    ApiResult::Return(0)
}

// SLIST_HEADER on x64 (16 bytes, 16-byte aligned): the first quadword holds Depth (bits
// 0-15) and Sequence (bits 16-63); the second NextEntry >> 4 in bits 4-63.

fn slist_read(p: &Process, head: u64) -> Option<(u64, u64, u64)> {
    let lo = p.cpu.read_u64(head).ok()?;
    let hi = p.cpu.read_u64(head + 8).ok()?;
    Some((lo & 0xffff, lo >> 16, hi & !0xf))
}

fn slist_write(p: &mut Process, head: u64, depth: u64, sequence: u64, first: u64) {
    let _ = p.cpu.write_u64(head, (depth & 0xffff) | (sequence << 16));
    let _ = p.cpu.write_u64(head + 8, first & !0xf);
}

/// InitializeSListHead(ListHead): an empty list (the 16 bytes zeroed).
fn initialize_slist_head(p: &mut Process) -> ApiResult {
    let head = p.arg(0);
    slist_write(p, head, 0, 0, 0);
    ApiResult::Return(0)
}

/// InterlockedPushEntrySList(ListHead, ListEntry): pushes the entry (its first quadword
/// becomes the link) and returns the previous first entry.
fn interlocked_push_entry_slist(p: &mut Process) -> ApiResult {
    let (head, entry) = (p.arg(0), p.arg(1));
    let Some((depth, sequence, first)) = slist_read(p, head) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, head] };
    };
    let _ = p.cpu.write_u64(entry, first);
    slist_write(p, head, depth + 1, sequence + 1, entry);
    ApiResult::Return(first)
}

/// InterlockedPopEntrySList(ListHead): removes and returns the first entry (NULL if the
/// list is empty).
fn interlocked_pop_entry_slist(p: &mut Process) -> ApiResult {
    let head = p.arg(0);
    let Some((depth, sequence, first)) = slist_read(p, head) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, head] };
    };
    if first == 0 {
        return ApiResult::Return(0);
    }
    let next = p.cpu.read_u64(first).unwrap_or(0);
    slist_write(p, head, depth.saturating_sub(1), sequence + 1, next);
    ApiResult::Return(first)
}

/// InterlockedFlushSList(ListHead): empties the list and returns its former first entry.
fn interlocked_flush_slist(p: &mut Process) -> ApiResult {
    let head = p.arg(0);
    let Some((_, sequence, first)) = slist_read(p, head) else {
        return ApiResult::Raise { code: status::ACCESS_VIOLATION, params: vec![0, head] };
    };
    slist_write(p, head, 0, sequence, 0);
    ApiResult::Return(first)
}

/// QueryDepthSList(ListHead): the number of entries (USHORT).
fn query_depth_slist(p: &mut Process) -> ApiResult {
    let head = p.arg(0);
    ApiResult::Return(slist_read(p, head).map(|s| s.0).unwrap_or(0))
}

/// SwitchToThread(): there is no other thread to run: FALSE.
fn switch_to_thread(_p: &mut Process) -> ApiResult {
    ApiResult::Return(0)
}
