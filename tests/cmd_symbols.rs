//! `lm`, `x`, `ln` and `dt` against allocate.exe, stopped at the manual break in main
//! (windbg-formats §13, §14).

mod common;

fn run(commands: &str) -> String {
    common::after_start("guests/allocate.exe", &format!("g\n{commands}"))
}

#[test]
fn lm_forms() {
    insta::assert_snapshot!(run("lm
lm m nt*
lm m NT*
lmvm allocate
lmv m KERNEL32
lm v m ntdll
lmDvmallocate
lm a allocate!main
lma @$peb
lm sm
lm 1m
lm e
lm o l
lm m nosuch
lmvM *.exe
lm z
lm s
lm m
lm a
lm f"));
}

#[test]
fn x_forms() {
    insta::assert_snapshot!(run("x allocate!*alloc*
x allocate!alloc*
x *!RtlAllocateHeap
x ntdll!Rtl*
x ntdll!Rtl*Heap
x KERNEL32!Heap*
x allocate!main
x allocate!operator*
x allocate!*errno*
x allocate!__acrt_new_*
x allocate!__security_cookie*
x allocate!_imp_*Heap*
x /n allocate!alloc*
x /N allocate!alloc*
x /A allocate!alloc*
x /2 allocate!alloc*
x /1 allocate!alloc*
x /0 allocate!alloc*
x /p allocate!alloc_new
x nomodule!foo
x nomod*!foo
x allocate!no_such_symbol
x alloc*
x /v allocate!main"));
}

#[test]
fn ln_forms() {
    insta::assert_snapshot!(run("ln allocate!main+0x17
ln allocate!main
ln ntdll!RtlAllocateHeap
ln ntdll!RtlAllocateHeap+3
ln allocate!malloc
ln allocate!_malloc_base+4
ln 0
ln @$peb
ln
ln nosuch!sym"));
}

#[test]
fn dt_types() {
    insta::assert_snapshot!(run("dt _HEAP
dt _HEAP_ENTRY
dt ntdll!_HEAP_SEGMENT
dt _LIST_ENTRY
dt _UNICODE_STRING
dt nt!_teb
dt _PEB_LDR_DATA
dt _LDR_DATA_TABLE_ENTRY
dt _RTL_USER_PROCESS_PARAMETERS
dt nosuchtype
dt allocate!_PEB
dt nosuch!_PEB
dt
dt -r _PEB"));
}

#[test]
fn dt_values() {
    insta::assert_snapshot!(run("dt _heap 267a06f0000
dt _HEAP_ENTRY 00000267a06f0850
dt _HEAP_ENTRY poi(@$peb+30)+740
dt ntdll!_PEB @$peb
dt _PEB @$peb ProcessHeap
dt ntdll!_PEB @$peb BeingDebugged
dt _PEB @$peb Process*
dt _PEB @$peb Ldr ProcessHeap
dt _PEB @$peb NoSuchField
dt _TEB @$teb
dt nt!_teb @$teb NtTib
dt _NT_TIB @$teb
dt _CLIENT_ID @$teb+40
dt _LIST_ENTRY 267a06f0150
dt _PEB_LDR_DATA poi(@$peb+18)
dt _LDR_DATA_TABLE_ENTRY poi(poi(@$peb+18)+10)
dt _UNICODE_STRING poi(@$peb+20)+60
dt _RTL_USER_PROCESS_PARAMETERS poi(@$peb+20)
dt _HEAP_ENTRY 10
dt _UNICODE_STRING nosuch!sym"));
}

/// Odd argument strings must give output or an error, never a panic, before and after
/// the process exits.
#[test]
fn odd_arguments_never_panic() {
    let odd = [
        "", " ", "!", "!!", "*", "?", "*!*x", "(", ")", "poi(", "0x", "`", "-", "--", "/", "/z", "m", "a", "a (", "@$",
        "\"", "ntdll!", "!_PEB", "_PEB 0 0 0", "_PEB @$peb *", "ffffffffffffffff", "_HEAP ffffffffffffffff",
        "_LIST_ENTRY fffffffffffffff8", "_UNICODE_STRING 1", "\u{e9}\u{e9}", "m \u{e9}", "a \u{e9}", "_PEB \u{e9}",
        "allocate!\u{e9}*", "1m", "sm", "s", "v m", "Dvm", "M", "[", "]*", "_TEB @$teb Tls*",
    ];
    let mut script = String::from("g\n");
    for phase in 0..2 {
        for cmd in ["lm", "lmv", "lm ", "x ", "ln ", "dt "] {
            for arg in odd {
                script.push_str(&format!("{cmd}{arg}\n"));
            }
        }
        if phase == 0 {
            // Run to the end: the exit-process break, then past it.
            script.push_str("bc *\ng\ng\n");
        }
    }
    let t = common::after_start("guests/allocate.exe", &script);
    assert!(t.contains("0:000> dt _TEB @$teb Tls*"), "{t}");
}

#[test]
fn output_is_deterministic() {
    let cmds = "lmvm allocate\nx allocate!*\nln allocate!main\ndt _PEB @$peb\ndt _TEB @$teb";
    assert_eq!(run(cmds), run(cmds));
}

/// `dt _HEAP_ENTRY addr` and the heap extension's own formatter agree, line for line.
#[test]
fn dt_heap_entry_agrees_with_the_heap_extension() {
    use crtlab::debugger::{Session, SessionOptions};
    use crtlab::process::loader::Program;
    let program = Program::from_path(&common::guest("guests/allocate.exe")).expect("guest file");
    let (mut s, _) = Session::start(program, SessionOptions::default()).expect("guest loads");
    s.execute("g");
    for addr in [0x267_a06f_0000u64, 0x267_a06f_0740, 0x267_a06f_0850, 0x267_a06f_0880] {
        let ours = s.execute(&format!("dt _HEAP_ENTRY {addr:x}"));
        let ext = crtlab::heap::ext::format_dt_heap_entry(&s.process.cpu, Some(addr));
        assert_eq!(ours, ext, "entry at {addr:x}");
    }
}

/// `dt` on types from a module's PDB (the debug runtime's block header), not only the
/// ntdll tables.
#[test]
fn dt_pdb_types() {
    insta::assert_snapshot!(common::after_start(
        "guests/allocate_d.exe",
        "g\nbp allocate_d!alloc_malloc\ng\nbp ntdll!RtlAllocateHeap\ng\nbc *\ngu\ngu\ndt ucrtbased!_CrtMemBlockHeader\ndt _CrtMemBlockHeader @rax-30\ndt ucrtbased!_crtmemstate\ndt _CrtMemBlockHeader @rax-30 _data_size _request_number\ndt nosuch!_Foo\ndt allocate_d!_NoSuchType"
    ));
}
