//! What a real Visual Studio x64 console program needs beyond crtlab's own guests: the
//! KERNEL32 surface of MSVC's C runtime (guests/tests/win32_surface.c calls each function
//! the way that code does and prints PASS/FAIL lines), a C++ `throw` as RaiseException
//! shows it in the debugger, and a Release (/MD) program that imports the UCRT through the
//! api-ms-win-crt-* api sets and VCRUNTIME140.dll (guests/release/release_md.cpp), bound
//! to crtlab's ucrtbase.dll and VCRUNTIME140.dll.

mod common;

use crtlab::debugger::SessionOptions;
use crtlab::process::ProcessOptions;

/// `crtlab run -g -G <guest> -c <commands> -- <args>`.
fn run_g_g(rel: &str, commands: &str, args: &[&str]) -> String {
    let options = SessionOptions {
        skip_initial_break: true,
        skip_final_break: true,
        process: ProcessOptions { args: args.iter().map(|a| a.to_string()).collect(), ..Default::default() },
        ..Default::default()
    };
    common::transcript_with(&common::guest(rel), commands, options)
}

#[test]
fn win32_surface_passes_every_check() {
    let t = run_g_g("guests/tests/win32_surface.exe", "", &[]);
    assert!(!t.contains("FAIL "), "{t}");
    assert!(t.contains("win32_surface: 44 passed, 0 failed"), "{t}");
    // OutputDebugStringW reaches the debugger's transcript.
    assert!(t.contains("win32_surface: OutputDebugStringW reaches the debugger"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn cpp_throw_is_a_first_chance_cpp_eh_exception() {
    let options = SessionOptions {
        skip_initial_break: true,
        process: ProcessOptions { args: vec!["raise".into()], ..Default::default() },
        ..Default::default()
    };
    let t = common::transcript_with(&common::guest("guests/tests/win32_surface.exe"), "k\ng\ng\ng", options);
    assert!(t.contains("C++ EH exception - code e06d7363 (first chance)"), "{t}");
    assert!(t.contains("C++ EH exception - code e06d7363 (!!! second chance !!!)"), "{t}");
    assert!(t.contains("win32_surface!throw_cpp_exception+0x"), "{t}");
    assert!(!t.contains("RaiseException returned"), "{t}");
    insta::assert_snapshot!(t);
}

#[test]
fn release_md_program_runs() {
    let t = run_g_g("guests/release/release_md.exe", "", &[]);
    for line in [
        "ModLoad: 00007ff8`9dfe0000 00007ff8`9dffe000   C:\\crtlab\\ucrtbase.dll",
        "release_md: global constructor ran before main",
        "release_md: malloc(32) -> \"Hello, release\" (14 characters), on the process heap: yes",
        "release_md: new/delete of 3 nodes, sum 60",
        "release_md: atexit function registered second runs first",
        "release_md: global destructor ran after the atexit functions",
    ] {
        assert!(t.contains(line), "missing {line:?} in\n{t}");
    }
    insta::assert_snapshot!(t);
}

/// The exercise's question for a Release /MD build: malloc goes from the program to
/// ucrtbase!_malloc_base to ntdll!RtlAllocateHeap, with no debug header (r8 = the size).
#[test]
fn release_md_malloc_reaches_rtlallocateheap_through_ucrtbase() {
    let t = common::after_start(
        "guests/release/release_md.exe",
        "bp release_md!alloc_malloc\ng\nbp ntdll!RtlAllocateHeap\ng\nk\nr r8\nlm\nx ucrtbase!_malloc_base\nq",
    );
    assert!(t.contains("ucrtbase!_malloc_base+0x"), "{t}");
    assert!(t.contains("r8=0000000000000020"), "{t}");
    insta::assert_snapshot!(t);
}
