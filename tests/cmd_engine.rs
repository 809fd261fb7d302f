//! Whole-transcript snapshots of the engine's own commands and of every kind of event.
//! Each snapshot was checked by hand against reference/windbg-formats.md.

mod common;

use common::{after_start, transcript};

#[test]
fn breakpoints() {
    insta::assert_snapshot!(after_start(
        "guests/allocate.exe",
        "g
bp allocate!alloc_malloc
bp ALLOCATE!ALLOC_NEW
bp allocate!alloc_heap+0x4
bp 00007ff6`776210a0
bp 00007ff6776210b2
bp @rip
bp ntdll!rtlallocateheap
bp allocate!alloc_malloc
bp1 allocate!alloc_new
bu allocate!nosuchfunction
bp nosuchmodule!f
bm allocate!alloc_*
bl
bl 1 3
bd 1,2
bd 4-6
bl
be *
bc 0 2
bl
bp allocate!alloc_new 2 \"k\"
bl
g
g
bl
bc *
bl
bp allocate!alloc_new 00007ff6`77621040
bd
bd x
bp allocate!alloc_new 3 junk"
    ));
}

#[test]
fn registers() {
    insta::assert_snapshot!(after_start(
        "guests/allocate.exe",
        "g
r
r rcx
r rcx, rdx
r rcx,rdx,r8
r eax
r ax
r al
r ah
r r8d
r r8w
r r8b
r rip
r @rsp
r efl
r cs
r $ip
r $csp
r $retreg
r $peb
r $teb
r $tpid
r $tid
r $exentry
r rax=5
r rax
r rax = 0x10 + 2
r rax
r eax=ffffffff
r rax
r $t3=allocate!main
r $t3
r rsp+28
r rcs
r $nosuch
r rax=
r rax=nosym
r ,"
    ));
}

#[test]
fn stepping() {
    insta::assert_snapshot!(after_start(
        "guests/allocate.exe",
        "g
t
t
t
p
p
p
p
t
t
gu
p 3
bp ntdll!RtlAllocateHeap
g
t
p
gu
gu"
    ));
}

#[test]
fn stack_variants() {
    insta::assert_snapshot!(after_start(
        "guests/allocate.exe",
        "g
bp ntdll!RtlAllocateHeap
g
k
kn
kc
kb
kv
kf
kL
k 3
kn 2
k 0"
    ));
}

#[test]
fn evaluator() {
    insta::assert_snapshot!(after_start(
        "guests/allocate.exe",
        "g
? 1+2
? 0n10
? -0x208
? 10*10
? allocate!main
? ntdll!RtlAllocateHeap - ntdll
? poi(@rsp)
? poi(0)
? @rip - allocate!main
? kernel32!GetProcAddress
? 1+
? (1+1
? @foo
? 1/0
? 0x00007ff6`7762b890
? 1+1)
?"
    ));
}

#[test]
fn unknown_commands_and_quit() {
    insta::assert_snapshot!(after_start("guests/allocate.exe", "foo\n(0x88-0x70)\n.nosuch\n!nosuch\n.help\nq\ng"));
}

#[test]
fn initial_break_and_exit() {
    insta::assert_snapshot!(transcript("guests/allocate.exe", "k\ng\ng\nk\ng\ng\nk\nr\nq"));
}

#[test]
fn event_access_violation() {
    insta::assert_snapshot!(after_start("guests/tests/fault_av.exe", "g\nk\ng\ng\ng"));
}

#[test]
fn event_divide_by_zero() {
    insta::assert_snapshot!(after_start("guests/tests/divide_zero.exe", "g\nr\ng\ng"));
}

#[test]
fn event_break_instructions() {
    insta::assert_snapshot!(after_start("guests/tests/int3.exe", "g\nk\ng\ng\ng"));
}

#[test]
fn event_unimplemented_api() {
    insta::assert_snapshot!(after_start("guests/tests/unimplemented.exe", "g\nk\ng\ng"));
}

#[test]
fn event_heap_corruption() {
    insta::assert_snapshot!(after_start("guests/tests/heap_overrun.exe", "g\nk\n!heap -a 267a06f0000\ng\ng\ng"));
}

#[test]
fn guest_output_and_exit_code() {
    insta::assert_snapshot!(after_start("guests/tests/hello.exe", "g\nk\nr rcx\ng"));
}

/// No input makes the engine panic: every command with odd arguments.
#[test]
fn odd_arguments_never_panic() {
    let commands = [
        "bp", "bu", "bm", "bl", "bd", "be", "bc", "g", "gu", "p", "t", "k", "kb", "kc", "kn", "kv", "kf", "r", "u", "ub", "uf", "db",
        "dw", "dd", "dq", "dp", "dps", "da", "du", "dc", "eb", "ed", "eq", "ea", "lm", "x", "ln", "dt", "?", "!heap", ".help",
    ];
    let args = ["", " ", " *", " -", " 0", " ffffffffffffffff", " @", " \"", " (", " L", " L?", " 1 2 3 4 5", " ,,,", " !", " @$", " ``"];
    let mut script = String::from("g\n");
    for c in commands {
        for a in args {
            script.push_str(&format!("{c}{a}\n"));
        }
    }
    let t = after_start("guests/allocate.exe", &script);
    assert!(t.contains("0:000> !heap ``"));
}

#[test]
fn instruction_budget_stops_a_runaway_guest_deterministically() {
    let options = crtlab::debugger::SessionOptions { max_instructions: Some(1_000_000), ..Default::default() };
    let a = common::transcript_with(&common::guest("guests/tests/loop.exe"), "g\nr rip\ng", options.clone());
    let b = common::transcript_with(&common::guest("guests/tests/loop.exe"), "g\nr rip\ng", options);
    assert_eq!(a, b);
    insta::assert_snapshot!(a);
}
