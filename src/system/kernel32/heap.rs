//! KERNEL32's own heap functions (the allocation ones are forwarders to ntdll).

use crate::layout::PEB;
use crate::process::environment::PEB_PROCESS_HEAP;
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::ntdll::heap::{create_private_heap, destroy_process_heap, process_heaps};
use crate::system::{status, ApiResult, ApiTable};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetProcessHeap", get_process_heap);
    t.simple(MODULE, "GetProcessHeaps", get_process_heaps);
    t.simple(MODULE, "HeapCreate", heap_create);
    t.simple(MODULE, "HeapDestroy", heap_destroy);
    t.simple(MODULE, "HeapValidate", heap_validate);
}

/// GetProcessHeap() = NtCurrentPeb()->ProcessHeap.
fn get_process_heap(p: &mut Process) -> ApiResult {
    ApiResult::Return(p.cpu.read_u64(PEB + PEB_PROCESS_HEAP).unwrap_or(0))
}

fn get_process_heaps(p: &mut Process) -> ApiResult {
    let (n, out) = (p.arg(0) as u32, p.arg(1));
    let heaps = process_heaps(p);
    for (i, h) in heaps.iter().take(n as usize).enumerate() {
        let _ = p.cpu.write_u64(out + 8 * i as u64, *h);
    }
    ApiResult::Return(heaps.len() as u64)
}

/// HeapCreate(flOptions, dwInitialSize, dwMaximumSize): a private heap (HEAP_CLASS_1);
/// dwMaximumSize 0 = growable.
fn heap_create(p: &mut Process) -> ApiResult {
    let (opts, initial, maximum) = (p.arg(0) as u32, p.arg(1), p.arg(2));
    let flags = (opts & 0x0004_0005) | 0x1000 | if maximum == 0 { 0x2 } else { 0 };
    match create_private_heap(p, flags, maximum, initial) {
        Some(h) => ApiResult::Return(h),
        None => {
            p.set_last_error(status::ERROR_NOT_ENOUGH_MEMORY);
            ApiResult::Return(0)
        }
    }
}

fn heap_destroy(p: &mut Process) -> ApiResult {
    let heap = p.arg(0);
    if destroy_process_heap(p, heap) {
        return ApiResult::Return(1);
    }
    p.set_last_error(status::ERROR_INVALID_HANDLE);
    ApiResult::Return(0)
}

fn heap_validate(p: &mut Process) -> ApiResult {
    let (heap, flags, ptr) = (p.arg(0), p.arg(1) as u32, p.arg(2));
    let ptr = if ptr == 0 { None } else { Some(ptr) };
    ApiResult::Return(u64::from(crate::heap::nt::validate(&mut p.heap_host(), heap, flags, ptr)))
}
