//! Structured exception handling in the guest (guests/tests/seh.c): a first-chance
//! exception that the user continues is dispatched to the program's `__try`/`__except`/
//! `__finally` handlers through ntdll!KiUserExceptionDispatcher, as on Windows x64; one
//! that no handler takes comes back second chance and ends the process as before.

mod common;

use crtlab::debugger::{Session, SessionOptions};
use crtlab::frontend::transcript;
use crtlab::process::ProcessOptions;
use crtlab::process::loader::Program;

const SEH: &str = "guests/tests/seh.exe";

/// The first-chance exceptions seh.exe raises when it runs every case.
const FIRST_CHANCES: usize = 14;

/// The transcript and the guest's exit code.
fn run(rel: &str, commands: &str, options: SessionOptions) -> (String, Option<u32>) {
    let program = Program::from_path(&common::guest(rel)).expect("guest file");
    let (mut session, banner) = Session::start(program, options).expect("guest loads");
    let mut out = banner;
    transcript::run_commands(&mut session, transcript::command_lines(commands), |t| out.push_str(t));
    (out, session.exit_code())
}

fn g_g(args: &[&str]) -> SessionOptions {
    SessionOptions {
        skip_initial_break: true,
        skip_final_break: true,
        process: ProcessOptions { args: args.iter().map(|a| a.to_string()).collect(), ..Default::default() },
        ..Default::default()
    }
}

/// `crtlab run -g -G seh.exe` with a `g` at every first-chance exception: every case
/// passes, and the program exits with 0 failures.
#[test]
fn every_case_passes_g_g() {
    let (t, code) = run(SEH, &"g\n".repeat(FIRST_CHANCES), g_g(&[]));
    assert!(!t.contains("FAIL "), "{t}");
    assert!(!t.contains("second chance"), "{t}");
    assert!(t.contains("seh: 11 passed, 0 failed\n"), "{t}");
    assert_eq!(t.matches("(first chance)").count(), FIRST_CHANCES, "{t}");
    assert_eq!(code, Some(0), "{t}");
    insta::assert_snapshot!(t);
}

/// The first access violation, step by step: the first-chance event, `k` at the fault,
/// `g` passing it on, a breakpoint in the `__except` block (the stack is unwound to the
/// function of the `__try`), then a filter called by the dispatcher, with the dispatcher's
/// frames and the faulting frame below it in `k`.
#[test]
fn from_the_first_chance_into_the_handler() {
    let t = common::transcript(
        SEH,
        "g
k
bp seh!in_except_block
g
k
r rcx
bp seh!inspecting_filter
g
g
k
r rcx
dq @rdx L2
q",
    );
    assert!(t.contains("Access violation - code c0000005 (first chance)"), "{t}");
    assert!(t.contains("Breakpoint 0 hit\nseh!in_except_block:"), "{t}");
    assert!(t.contains("rcx=00000000c0000005"), "{t}");
    assert!(t.contains("seh!filter_passes_it_on$filt$0+0x"), "{t}");
    assert!(t.contains("ntdll!KiUserExceptionDispatcher+0x"), "{t}");
    assert!(t.contains("ntdll!RtlpExecuteHandlerForException+0x"), "{t}");
    insta::assert_snapshot!(t);
}

/// `t` at a first-chance exception: the exception is passed on, and the first instruction
/// the thread runs is KiUserExceptionDispatcher's, with the CONTEXT at rsp and the
/// EXCEPTION_RECORD at rsp+0x4f0 (code, flags, chained record, address, 2 parameters).
#[test]
fn a_step_at_a_first_chance_exception_enters_the_dispatcher() {
    let t = common::after_start(SEH, "g\nt\nk\ndd @rsp+4f0 L8\ndq @rsp+510 L2\n? poi(@rsp+f8)\n? poi(@rsp+98)\nt\nq");
    assert!(t.contains("ntdll!KiUserExceptionDispatcher:\n"), "{t}");
    insta::assert_snapshot!(t);
}

/// No handler takes it: first chance, second chance, then the end of the process with
/// the exception code, as for a program without handlers.
#[test]
fn an_unhandled_exception_ends_the_process_as_before() {
    let options = SessionOptions { skip_initial_break: true, process: ProcessOptions { args: vec!["unhandled".into()], ..Default::default() }, ..Default::default() };
    let (t, code) = run(SEH, "k\ng\nk\ng\ng", options);
    assert!(t.contains("Access violation - code c0000005 (first chance)"), "{t}");
    assert!(t.contains("Access violation - code c0000005 (!!! second chance !!!)"), "{t}");
    assert!(!t.contains("the write did not fault"), "{t}");
    assert_eq!(code, Some(0xc000_0005));
    insta::assert_snapshot!(t);
}

/// A Debug program's startup runs main under `__try`/`__except(_seh_filter_exe(...))`:
/// `gn` passes its `__debugbreak()` on, VCRUNTIME140D!__C_specific_handler calls the
/// filter, which declines a breakpoint, and the exception comes back second chance.
#[test]
fn gn_passes_a_break_instruction_to_the_debug_runtimes_filter() {
    let t = common::after_start(
        "guests/allocate_d.exe",
        "g\nbp ucrtbased!_seh_filter_exe\ngn\nk\nr rcx\ng\ng",
    );
    assert!(t.contains("VCRUNTIME140D!__C_specific_handler+0x"), "{t}");
    assert!(t.contains("allocate_d!__scrt_common_main_seh$filt$0+0x"), "{t}");
    assert!(t.contains("Break instruction exception - code 80000003 (!!! second chance !!!)"), "{t}");
    insta::assert_snapshot!(t);
}

/// `gh` continues an exception as handled: after a fault, at the faulting instruction,
/// which faults again.
#[test]
fn gh_retries_the_faulting_instruction() {
    let t = common::after_start(SEH, "g\ngh\nq");
    assert_eq!(t.matches("Access violation - code c0000005 (first chance)").count(), 2, "{t}");
    assert_eq!(t.matches("seh!access_violation_caught+0x15:").count(), 2, "{t}");
}

/// A `__debugbreak()` inside a `__try`: `g` continues past it, as WinDbg handles a break
/// instruction itself; `gn` passes it on, and the `__except` block takes it.
#[test]
fn a_break_instruction_reaches_the_program_only_with_gn() {
    let (g, _) = run(SEH, "g", g_g(&["break"]));
    assert!(g.contains("seh: continued after the break instruction\n"), "{g}");
    assert!(!g.contains("__except block"), "{g}");
    let (gn, code) = run(SEH, "gn", g_g(&["break"]));
    assert!(gn.contains("seh: the __except block took the break instruction\n"), "{gn}");
    assert!(!gn.contains("continued after"), "{gn}");
    assert_eq!(code, Some(0));
}
