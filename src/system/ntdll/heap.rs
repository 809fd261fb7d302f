//! The Rtl heap API over the NT heap in guest memory (crate::heap::nt). KERNEL32's
//! HeapAlloc/HeapFree/HeapReAlloc/HeapSize are forwarders to these.

use crate::heap::nt;
use crate::heap::HeapError;
use crate::layout::{PEB, PROCESS_HEAP, SECOND_HEAP};
use crate::process::environment::{PEB_NUMBER_OF_HEAPS, PEB_PROCESS_HEAP, PEB_PROCESS_HEAPS};
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{status, Api, ApiResult, ApiTable};

use super::{MODULE, RVA_RTL_ALLOCATE_HEAP};

/// `mov qword ptr [rsp+8],rbx`: RtlAllocateHeap's first instruction on Windows 10 x64.
const RTL_ALLOCATE_HEAP_FIRST: &[u8] = &[0x48, 0x89, 0x5c, 0x24, 0x08];

const HEAP_GENERATE_EXCEPTIONS: u32 = 0x4;

pub fn register(t: &mut ApiTable) {
    t.add(Api {
        module: MODULE,
        name: "RtlAllocateHeap",
        handler: rtl_allocate_heap,
        first: Some(RTL_ALLOCATE_HEAP_FIRST),
        rva: Some(RVA_RTL_ALLOCATE_HEAP),
        nt_number: None,
        internal: false,
    });
    t.simple(MODULE, "RtlFreeHeap", rtl_free_heap);
    t.simple(MODULE, "RtlReAllocateHeap", rtl_reallocate_heap);
    t.simple(MODULE, "RtlSizeHeap", rtl_size_heap);
    t.simple(MODULE, "RtlCreateHeap", rtl_create_heap);
    t.simple(MODULE, "RtlDestroyHeap", rtl_destroy_heap);
    t.simple(MODULE, "RtlValidateHeap", rtl_validate_heap);
    t.simple(MODULE, "RtlGetProcessHeaps", rtl_get_process_heaps);
}

/// Creates the process heap and the second start-up heap at the transcript's addresses,
/// and records them in the PEB (ProcessHeap, NumberOfHeaps, ProcessHeaps).
pub fn create_process_heaps(p: &mut Process) -> Result<(), String> {
    let array = p.system_symbol("ntdll", "RtlpProcessHeapsListBuffer").ok_or("no heap list in ntdll")?;
    let mut host = p.heap_host();
    let h1 = nt::create(&mut host, Some(PROCESS_HEAP), 0x2, 0x10_0000, 0x2000, 1).map_err(|e| e.to_string())?;
    let h2 = nt::create(&mut host, Some(SECOND_HEAP), 0x8000, 0x1_0000, 0x1000, 2).map_err(|e| e.to_string())?;
    let cpu = &mut p.cpu;
    let w = |r: Result<(), crate::process::memory::MemError>| r.map_err(|e| e.to_string());
    w(cpu.write_u64(array, h1))?;
    w(cpu.write_u64(array + 8, h2))?;
    w(cpu.write_u64(PEB + PEB_PROCESS_HEAP, h1))?;
    w(cpu.write_u32(PEB + PEB_NUMBER_OF_HEAPS, 2))?;
    w(cpu.write_u64(PEB + PEB_PROCESS_HEAPS, array))
}

/// The heaps listed in PEB.ProcessHeaps.
pub fn process_heaps(p: &Process) -> Vec<u64> {
    let n = p.cpu.read_u32(PEB + PEB_NUMBER_OF_HEAPS).unwrap_or(0).min(64);
    let array = p.cpu.read_u64(PEB + PEB_PROCESS_HEAPS).unwrap_or(0);
    (0..u64::from(n)).filter_map(|i| p.cpu.read_u64(array + 8 * i).ok()).collect()
}

/// Appends a new heap to PEB.ProcessHeaps; None when the list (16 entries) is full.
pub fn add_process_heap(p: &mut Process, heap: u64) -> Option<()> {
    let heaps = process_heaps(p);
    if heaps.len() >= 16 {
        return None;
    }
    let array = p.cpu.read_u64(PEB + PEB_PROCESS_HEAPS).ok()?;
    p.cpu.write_u64(array + 8 * heaps.len() as u64, heap).ok()?;
    p.cpu.write_u32(PEB + PEB_NUMBER_OF_HEAPS, heaps.len() as u32 + 1).ok()
}

/// Destroys a heap created by HeapCreate/RtlCreateHeap and drops it from PEB.ProcessHeaps.
/// The process heap and unknown handles are refused.
pub fn destroy_process_heap(p: &mut Process, heap: u64) -> bool {
    let heaps = process_heaps(p);
    if heaps.first() == Some(&heap) || !heaps.contains(&heap) {
        return false;
    }
    if nt::destroy(&mut p.heap_host(), heap).is_err() {
        return false;
    }
    let rest: Vec<u64> = heaps.into_iter().filter(|h| *h != heap).collect();
    let array = p.cpu.read_u64(PEB + PEB_PROCESS_HEAPS).unwrap_or(0);
    for (i, h) in rest.iter().chain(std::iter::once(&0)).enumerate() {
        let _ = p.cpu.write_u64(array + 8 * i as u64, *h);
    }
    let _ = p.cpu.write_u32(PEB + PEB_NUMBER_OF_HEAPS, rest.len() as u32);
    true
}

/// Creates a private heap and lists it in the PEB.
pub fn create_private_heap(p: &mut Process, flags: u32, reserve: u64, commit: u64) -> Option<u64> {
    let index = process_heaps(p).len();
    if index >= 16 {
        return None;
    }
    let h = nt::create(&mut p.heap_host(), None, flags, reserve, commit, index as u16 + 1).ok()?;
    add_process_heap(p, h)?;
    Some(h)
}

/// Heap corruption ends the process on 64-bit Windows: ntdll reports a critical failure
/// (which breaks into the debugger) and then raises STATUS_HEAP_CORRUPTION.
fn corruption(err: &HeapError) -> ApiResult {
    let _ = err;
    ApiResult::CriticalFailure { code: status::HEAP_CORRUPTION, message: format!("Critical error detected {:08x}\n", status::HEAP_CORRUPTION) }
}

/// RtlAllocateHeap(HeapHandle, Flags, Size)
fn rtl_allocate_heap(p: &mut Process) -> ApiResult {
    let (heap, flags, size) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    match nt::allocate(&mut p.heap_host(), heap, flags, size) {
        Ok(ptr) => ApiResult::Return(ptr),
        Err(e @ HeapError::Corruption { .. }) => corruption(&e),
        Err(_) if flags & HEAP_GENERATE_EXCEPTIONS != 0 => ApiResult::Raise { code: status::NO_MEMORY, params: vec![] },
        Err(_) => ApiResult::Return(0),
    }
}

/// RtlFreeHeap(HeapHandle, Flags, BaseAddress) → BOOLEAN
fn rtl_free_heap(p: &mut Process) -> ApiResult {
    let (heap, flags, ptr) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    match nt::free(&mut p.heap_host(), heap, flags, ptr) {
        Ok(()) => ApiResult::Return(1),
        Err(e @ HeapError::Corruption { .. }) => corruption(&e),
        Err(_) => {
            p.set_last_error(status::ERROR_INVALID_PARAMETER);
            ApiResult::Return(0)
        }
    }
}

/// RtlReAllocateHeap(HeapHandle, Flags, BaseAddress, Size)
fn rtl_reallocate_heap(p: &mut Process) -> ApiResult {
    let (heap, flags, ptr, size) = (p.arg(0), p.arg(1) as u32, p.arg(2), p.arg(3));
    match nt::reallocate(&mut p.heap_host(), heap, flags, ptr, size) {
        Ok(v) => ApiResult::Return(v),
        Err(e @ HeapError::Corruption { .. }) => corruption(&e),
        Err(_) if flags & HEAP_GENERATE_EXCEPTIONS != 0 => ApiResult::Raise { code: status::NO_MEMORY, params: vec![] },
        Err(_) => ApiResult::Return(0),
    }
}

/// RtlSizeHeap(HeapHandle, Flags, BaseAddress) → the requested size, or (SIZE_T)-1.
fn rtl_size_heap(p: &mut Process) -> ApiResult {
    let (heap, flags, ptr) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    match nt::size(&mut p.heap_host(), heap, flags, ptr) {
        Ok(v) => ApiResult::Return(v),
        Err(e @ HeapError::Corruption { .. }) => corruption(&e),
        Err(_) => ApiResult::Return(u64::MAX),
    }
}

/// RtlCreateHeap(Flags, HeapBase, ReserveSize, CommitSize, Lock, Parameters): a reserve
/// of 0 makes a growable heap.
fn rtl_create_heap(p: &mut Process) -> ApiResult {
    let (flags, base, reserve, commit) = (p.arg(0) as u32, p.arg(1), p.arg(2), p.arg(3));
    if base != 0 {
        // Heaps in caller-supplied memory are not modelled.
        return ApiResult::Return(0);
    }
    let flags = flags | if reserve == 0 { 0x2 } else { 0 };
    ApiResult::Return(create_private_heap(p, flags, reserve, commit).unwrap_or(0))
}

/// RtlDestroyHeap(HeapHandle) → NULL on success, the handle on failure.
fn rtl_destroy_heap(p: &mut Process) -> ApiResult {
    let heap = p.arg(0);
    ApiResult::Return(if destroy_process_heap(p, heap) { 0 } else { heap })
}

/// RtlValidateHeap(HeapHandle, Flags, BaseAddress) → BOOLEAN
fn rtl_validate_heap(p: &mut Process) -> ApiResult {
    let (heap, flags, ptr) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    let ptr = if ptr == 0 { None } else { Some(ptr) };
    ApiResult::Return(u64::from(nt::validate(&mut p.heap_host(), heap, flags, ptr)))
}

/// RtlGetProcessHeaps(NumberOfHeaps, ProcessHeaps) → total number of heaps.
fn rtl_get_process_heaps(p: &mut Process) -> ApiResult {
    let (n, out) = (p.arg(0) as u32, p.arg(1));
    let heaps = process_heaps(p);
    for (i, h) in heaps.iter().take(n as usize).enumerate() {
        let _ = p.cpu.write_u64(out + 8 * i as u64, *h);
    }
    ApiResult::Return(heaps.len() as u64)
}
