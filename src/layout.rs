//! The fixed address layout of every emulated process. These numbers reproduce the
//! system-side values of the exercise transcript (seeds/000), so that a student sees
//! the same ntdll addresses, heap handles and stack pointers as on the original machine.
//! Nothing here is randomised: same guest, same addresses, every run.

/// Where the program image is loaded (relocated if its preferred base differs).
pub const MAIN_IMAGE_BASE: u64 = 0x0000_7ff6_7762_0000;

/// Synthetic ntdll.dll. `ntdll!RtlAllocateHeap` is at base + 0x6b870 = 00007ff8`9f3fb870,
/// `ntdll!RtlUserThreadStart` at base + 0x9ceb0 (its call returns to +0x21 = ...ced1).
pub const NTDLL_BASE: u64 = 0x0000_7ff8_9f39_0000;
pub const NTDLL_SIZE: u64 = 0x1f_5000;

/// Synthetic KERNEL32.dll. `KERNEL32!BaseThreadInitThunk` is at base + 0x17bc0 and its
/// call of the entry point returns to +0x14 = 00007ff8`9e3c7bd4.
pub const KERNEL32_BASE: u64 = 0x0000_7ff8_9e3b_0000;
pub const KERNEL32_SIZE: u64 = 0xc_0000;

/// Further DLLs (crtlab's ucrtbase/vcruntime stand-ins) are placed from here downwards.
pub const DLL_AREA_TOP: u64 = 0x0000_7ff8_9e00_0000;

/// The process heap (first row of `!heap`, `rcx` at RtlAllocateHeap in the seed).
pub const PROCESS_HEAP: u64 = 0x0000_0267_a06f_0000;
/// The second NT heap that Windows creates at start-up (HEAP_CLASS_8, 64 KB).
pub const SECOND_HEAP: u64 = 0x0000_0267_a053_0000;
/// Heaps created by HeapCreate/RtlCreateHeap are placed from here upwards, 64 KB aligned.
pub const HEAP_CREATE_AREA: u64 = 0x0000_0267_a080_0000;
/// VirtualAlloc allocations (and large heap blocks) are placed from here upwards.
pub const VIRTUAL_ALLOC_AREA: u64 = 0x0000_0267_c000_0000;

/// The main thread's stack: reserved [STACK_LIMIT, STACK_BASE).
pub const STACK_BASE: u64 = 0x0000_0097_89f8_0000;
pub const STACK_RESERVE: u64 = 0x10_0000;
/// rsp at the entry of ntdll!RtlUserThreadStart: its `sub rsp,78h` puts its Child-SP at
/// 00000097`89f7fb90, as in the seed's last `k` row.
pub const THREAD_START_RSP: u64 = 0x0000_0097_89f7_fc08;

/// PEB and the main thread's TEB (gs base).
pub const PEB: u64 = 0x0000_0097_89d2_b000;
pub const TEB: u64 = 0x0000_0097_89d2_c000;

/// KUSER_SHARED_DATA, read-only, as on every x64 Windows.
pub const SHARED_USER_DATA: u64 = 0x0000_0000_7ffe_0000;

/// Process and thread ids shown in event lines: `(1a2c.3f4)`.
pub const PID: u32 = 0x1a2c;
pub const TID: u32 = 0x3f4;
