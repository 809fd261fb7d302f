//! Memory commands against allocate.exe: `u`/`ub`/`uf` (reference §9), the `d*` displays
//! (§11) and the `e*` writes (§12), with their error forms (§19). Every snapshot was checked
//! by eye against the captured WinDbg layouts.

mod common;

use crtlab::debugger::{Session, SessionOptions};
use crtlab::process::loader::Program;

fn run(commands: &str) -> String {
    common::after_start("guests/allocate.exe", commands)
}

#[test]
fn unassemble_forward() {
    insta::assert_snapshot!(run("u
g
u
u
u . L3
u allocate!main L5
u ntdll!RtlAllocateHeap L5
u allocate!alloc_malloc allocate!alloc_malloc+9
u allocate!main L-3"));
}

#[test]
fn unassemble_backward() {
    insta::assert_snapshot!(run("g
ub
ub . L3
ub allocate!alloc_new
u . L2
ub"));
}

/// `alloc_heap` and `alloc_malloc` have no size in the symbols, so `uf` takes their extent
/// from `.pdata`.
#[test]
fn unassemble_function() {
    insta::assert_snapshot!(run("g
uf allocate!main
uf ntdll!RtlUserThreadStart
uf allocate!operator new
uf ntdll!RtlUserThreadStart+0x29
uf allocate!alloc_heap
uf allocate!alloc_malloc+9"));
}

#[test]
fn unassemble_errors() {
    insta::assert_snapshot!(run("g
u 0
u nosuch
u nosuch L5
u kernel32!RaiseFailFastException
ub 1000 2000
u . L0xffffffff
u . L3 9
uf 0
uf nosuch
uf . 9
uf /c ."));
}

#[test]
fn unassemble_restarts_at_the_ip_after_running() {
    insta::assert_snapshot!(run("g
bp allocate!alloc_malloc
u . L2
g
u"));
}

#[test]
fn display_stack() {
    insta::assert_snapshot!(run("g
db @rsp
dw @rsp L10
dd @rsp
dq @rsp L7
dc @rsp L6
dp @rsp L4
dps @rsp L8
dqs @rsp L2
dds @rsp L3
db @rsp @rsp+5
dd @rsp @rsp+8
db rsp L6
dd @rsp+2 L4
db /c 0n10 @rsp L14
dq /c1 @rsp L3"));
}

#[test]
fn display_continues() {
    insta::assert_snapshot!(run("g
db @rsp L10
d
dd
d
d @rsp L2
dq L2
dps
d"));
}

#[test]
fn display_strings() {
    insta::assert_snapshot!(run("du poi(poi(@$peb+20)+78)
du poi(poi(@$peb+20)+78) L5
du /c 10 poi(poi(@$peb+20)+78)
da allocate+4e
da allocate+3000
da allocate+3000 L8
da allocate+3000 allocate+3003
da allocate!main
dps allocate!_imp_HeapFree L2"));
}

#[test]
fn display_unreadable_memory() {
    insta::assert_snapshot!(run("db 0
dd 0 L5
dq 0 L3
dc 0 L3
dps 0 L2
da 0
du 0
db 7ffe0ff8 L20"));
}

#[test]
fn display_errors() {
    insta::assert_snapshot!(run("db @$ip L0xffffffff
db @$ip L?20
dd rsp L8 9
db rsp L
dq nosuch L2
dq nosuch
db 2000 1000
db 10 L-20
db /x rsp
db /c 0 rsp"));
}

#[test]
fn enter_numbers() {
    insta::assert_snapshot!(run("g
eb @rsp 11 22 33 44
db @rsp L8
ed @rsp deadbeef 0n10
dd @rsp L3
eq @rsp 0x1122334455667788
dq @rsp L1
ew @rsp 1 2 3
dw @rsp L4
ep @rsp 0 (0-1)
dp @rsp L2
ed @rsp 'TAG1'
db @rsp L4
eb @rsp 'h' 'i'
db @rsp L4"));
}

#[test]
fn enter_strings() {
    insta::assert_snapshot!(run("g
eq @rsp 0; eq @rsp+8 0
ea @rsp \"Hello world\"
db @rsp L10
eza @rsp \"Hi\"
db @rsp L4
da @rsp
eu @rsp \"AB\"
db @rsp L6
ezu @rsp \"AB\"
db @rsp L6
du @rsp"));
}

#[test]
fn enter_errors() {
    insta::assert_snapshot!(run("eb 0 1
ed 0 1 2
ea 0 \"x\"
eb rsp 100
eb rsp
eb
eb nosuch 1
eb rsp nosuch
ea rsp hello
ea rsp \"x\" y
eb rsp 'x
ea rsp \"unterminated"));
}

/// `eb` patches read-only code, and the patch runs even where the code ran before.
#[test]
fn enter_patches_code() {
    insta::assert_snapshot!(run("g
bp allocate!alloc_new
g
eb allocate!_malloc_base cc
u allocate!_malloc_base L2
g
eb ntdll!RtlAllocateHeap cc
u ntdll!RtlAllocateHeap L1
eb ntdll!RtlAllocateHeap 48
u ntdll!RtlAllocateHeap L1"));
}

fn start() -> Session {
    let program = Program::from_path(&common::guest("guests/allocate.exe")).expect("guest file");
    Session::start(program, SessionOptions::default()).expect("guest loads").0
}

#[test]
fn code_pages_stay_read_only_after_a_debugger_write() {
    let mut s = start();
    let addr = s.symbols.lookup("ntdll!RtlAllocateHeap").expect("symbol");
    let writable = |s: &Session| {
        s.process.cpu.regions().iter().find(|(b, e, _)| *b <= addr && addr <= *e).map(|r| r.2.write)
    };
    assert_eq!(writable(&s), Some(false), "ntdll's code is mapped read-only");
    assert_eq!(s.execute("eb ntdll!RtlAllocateHeap cc"), "");
    assert!(s.execute("db ntdll!RtlAllocateHeap L1").contains(" cc "));
    assert_eq!(writable(&s), Some(false));
}

/// Odd argument text never panics, and the session keeps working after it.
#[test]
fn odd_arguments_never_panic() {
    let mut s = start();
    let commands = [
        "u", "ub", "uf", "d", "db", "dw", "dd", "dq", "dp", "dc", "da", "du", "dps", "dqs", "dds", "eb", "ew",
        "ed", "eq", "ep", "ea", "eu", "eza", "ezu",
    ];
    let args = [
        "", " ", " L", " L?", " L-", " l 0", " 0 L-1", " 0 L0", " ffffffffffffffff", " ffffffffffffffff L?10",
        " ffffffffffffffff L?ffffffffffffffff", " 0 ffffffffffffffff", " ffffffffffffffff 0", " -1 L?-1", " /c",
        " /c 0", " /c ffffffff", " /", " /c1 /c2", " \"", " \"\"", " . \"", " . \"a", " 'x", " ''", " . ''",
        " . 'abcdefghij'", " ((((", " )", " é", " . é", " . \"é€\"", " ;", " L8 L8", " . L8 L8", " . . .",
        " @", " @$", " poi(0)", " . 100000000", " . -1", " 0n", " `", " . `", "\t.\tL\t2",
    ];
    for c in commands {
        for a in args {
            let text = format!("{c}{a}");
            let _ = s.execute_one(&text);
        }
    }
    assert!(s.execute("r rip").starts_with("rip="));
}
