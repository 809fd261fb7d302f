//! The CRT debug heap (issue 4): Debug (/MDd) guests linked against crtlab's ucrtbased.dll
//! and VCRUNTIME140D.dll, as whole transcripts.
//!
//! Two kinds of runs:
//! - interactive ones, as a student would type them (`bp ntdll!RtlAllocateHeap`, `k`, `r r8`,
//!   `!crtheap`);
//! - `-g -G` runs (no initial or final break), whose transcript is what the program and the
//!   CRT print, the way the debugger's output window shows it on Windows. A report that
//!   would open a message box prints the box's text and breaks (Retry); the tests answer
//!   with `k`, `!crtheap` and `g` (Ignore).

mod common;

use crtlab::debugger::SessionOptions;

/// `crtlab run -g -G <guest> -c <commands>`.
fn run_g_g(rel: &str, commands: &str) -> String {
    let options = SessionOptions { skip_initial_break: true, skip_final_break: true, ..Default::default() };
    common::transcript_with(&common::guest(rel), commands, options)
}

/// What the tests type at a break: the stack, the debug heap, then on.
const AT_A_BREAK: &str = "k\n!crtheap\ng\nk\n!crtheap\ng";

#[test]
fn allocate_d_seed_sequence() {
    let t = common::transcript("guests/allocate_d.exe", &(common::seed_commands("allocate_d") + "\n!crtheap\n!heap"));
    // malloc(8) and new(8) ask the Windows heap for 8 + 0x30 + 4 bytes; HeapAlloc for 8.
    assert_eq!(t.matches("r8=000000000000003c").count(), 2, "{t}");
    assert_eq!(t.matches("r8=0000000000000008").count(), 1, "{t}");
    assert!(t.contains("ucrtbased!heap_alloc_dbg_internal+0x"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn allocate_d_steps_into_malloc_dbg() {
    let t = common::transcript(
        "guests/allocate_d.exe",
        "g
bp allocate_d!alloc_malloc
g
t
t
t
t
t
t
t
t
t
t
t
t
k
bc 0
bp ntdll!RtlAllocateHeap
g
gu
gu
gu
!crtheap @rax",
    );
    assert!(t.contains("ucrtbased!malloc:\n"), "{t}");
    assert!(t.contains("ucrtbased!_malloc_dbg:\n"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn dll_entry_points_run_before_the_program_and_at_exit() {
    let t = common::transcript(
        "guests/allocate_d.exe",
        "bp ucrtbased!_DllMainCRTStartup
bp VCRUNTIME140D!_DllMainCRTStartup
bp allocate_d!mainCRTStartup
g
r rdx
r r8
g
r rdx
g
g
bc 2
g
r rdx
k
g
r rdx
g",
    );
    insta::assert_snapshot!(t);
}

#[test]
fn overrun_g_g() {
    let t = run_g_g("guests/debug/overrun.exe", AT_A_BREAK);
    assert!(t.contains(
        "HEAP CORRUPTION DETECTED: after Normal block (#18) at 0x00000267A06F1940.\n\
         CRT detected that the application wrote to memory after end of heap buffer.\n"
    ));
    insta::assert_snapshot!(t);
}

#[test]
fn underrun_g_g() {
    let t = run_g_g("guests/debug/underrun.exe", AT_A_BREAK);
    assert!(t.contains("HEAP CORRUPTION DETECTED: before Normal block (#18)"));
    assert!(t.contains("\nMemory allocated at C:\\crtlab\\guests\\debug\\underrun.cpp(20).\n"));
    insta::assert_snapshot!(t);
}

#[test]
fn double_free_g_g() {
    // At the assertion's break: the stack, and the block is no longer in the list. Going on
    // (Ignore) is undefined, as on Windows, so the transcript stops there.
    let t = run_g_g("guests/debug/double_free.exe", "k\n!crtheap -s");
    assert!(t.contains("Line: 904\n\nExpression: _CrtIsValidHeapPointer(block)\n"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn leak_g_g() {
    let t = run_g_g("guests/debug/leak.exe", AT_A_BREAK);
    assert!(t.contains("Detected memory leaks!\nDumping objects ->\n"));
    assert!(t.ends_with("Object dump complete.\n"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn break_alloc_g_g() {
    let t = run_g_g("guests/debug/break_alloc.exe", AT_A_BREAK);
    assert!(t.contains("ucrtbased!heap_alloc_dbg_internal+0x"));
    insta::assert_snapshot!(t);
}

#[test]
fn client_blocks_g_g() {
    let t = run_g_g("guests/debug/client_blocks.exe", AT_A_BREAK);
    assert!(t.contains("client block at 0x"));
    assert!(t.contains("   a point: (640, 480)\n"));
    insta::assert_snapshot!(t);
}

#[test]
fn delay_free_g_g() {
    let t = run_g_g("guests/debug/delay_free.exe", AT_A_BREAK);
    assert!(t.contains(
        "HEAP CORRUPTION DETECTED: on top of Free block at 0x00000267A06F1940.\n\
         CRT detected that the application wrote to a heap buffer that was freed.\n"
    ));
    assert!(t.contains("written after free"), "!crtheap sees the write: {t}");
    insta::assert_snapshot!(t);
}

#[test]
fn checkpoint_g_g() {
    let t = run_g_g("guests/debug/checkpoint.exe", AT_A_BREAK);
    assert!(t.contains("32 bytes in 1 Normal Blocks.\n"));
    insta::assert_snapshot!(t);
}

#[test]
fn check_always_g_g() {
    let t = run_g_g("guests/debug/check_always.exe", AT_A_BREAK);
    assert!(t.contains("Expression: _CrtCheckMemory()"));
    assert!(t.contains("crt block at 0x"), "CHECK_CRT_DF lists the CRT's blocks: {t}");
    insta::assert_snapshot!(t);
}

#[test]
fn unsupported_call_g_g() {
    let t = run_g_g("guests/debug/unsupported_call.exe", AT_A_BREAK);
    assert!(t.contains("crtlab: fopen is not supported by crtlab's C runtime (ucrtbased.dll).\n"));
    insta::assert_snapshot!(t);
}

/// The runtime's own unit tests, run in the emulator: every check must pass.
#[test]
fn crt_selftest_passes() {
    let t = run_g_g("guests/debug/crt_selftest.exe", "");
    let failures: Vec<&str> = t.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(failures.is_empty(), "failed checks:\n{}\n\n{t}", failures.join("\n"));
    assert!(t.contains(" checks, 0 failures\n"), "{t}");
    assert!(t.lines().filter(|l| l.starts_with("PASS")).count() >= 100, "{t}");
}

#[test]
fn crtheap_explains_itself_and_its_limits() {
    let release = common::after_start("guests/allocate.exe", "!crtheap");
    assert!(release.contains("ucrtbased.dll is not loaded"), "{release}");
    let t = common::after_start("guests/allocate_d.exe", "g\n!crtheap -x\n!crtheap -?\n!crtheap -s\n!crtheap 1");
    insta::assert_snapshot!(t);
}

#[test]
fn debug_transcripts_are_deterministic() {
    let a = run_g_g("guests/debug/check_always.exe", AT_A_BREAK);
    let b = run_g_g("guests/debug/check_always.exe", AT_A_BREAK);
    assert_eq!(a, b);
}

#[test]
fn crtheap_shows_the_damage_in_detail() {
    // At the break in free: the block's second guard starts with the 'X' the program wrote.
    let t = common::after_start("guests/debug/overrun.exe", "g\n!crtheap 00000267`a06f1948\n!crtheap -s");
    assert!(t.contains("after 00000267`a06f1948 : 58 fd fd fd (DAMAGED)"), "{t}");
    insta::assert_snapshot!(t);
}

/// The article's other way to break on an allocation: set `_crtBreakAlloc` from the debugger.
/// In allocate_d, main's malloc is allocation {18} and its `new` is {19}.
#[test]
fn crt_break_alloc_set_from_the_debugger() {
    let t = common::after_start(
        "guests/allocate_d.exe",
        "g\ndd ucrtbased!_crtBreakAlloc L1\ned ucrtbased!_crtBreakAlloc 0n19\ng\nk\n!crtheap -s",
    );
    assert!(t.contains("allocate_d!alloc_new+0x"), "{t}");
    insta::assert_snapshot!(t);
}
