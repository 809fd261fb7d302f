//! Breakpoints must not slow the guest: each is a code hook on its own address, so a loop
//! that never reaches them runs at full speed. This bench runs guests/tests/loop.exe (about
//! a billion guest instructions) with no breakpoints, with ten breakpoints set elsewhere,
//! and with ten disabled ones, and prints the time ratios. Run with `cargo bench`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crtlab::debugger::{Session, SessionOptions};
use crtlab::process::loader::Program;

const BREAKPOINTS: &[&str] = &[
    "ntdll!RtlCreateHeap",
    "ntdll!RtlDestroyHeap",
    "ntdll!RtlSizeHeap",
    "ntdll!RtlValidateHeap",
    "KERNEL32!HeapCreate",
    "KERNEL32!HeapDestroy",
    "KERNEL32!VirtualAlloc",
    "KERNEL32!VirtualFree",
    "KERNEL32!Sleep",
    "KERNEL32!GetTickCount64",
];

fn run(setup: &[String]) -> Duration {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("guests/tests/loop.exe");
    let options = SessionOptions { skip_initial_break: false, skip_final_break: true, ..Default::default() };
    let (mut s, _) = Session::start(Program::from_path(&path).unwrap(), options).unwrap();
    for cmd in setup {
        let out = s.execute(cmd);
        assert!(out.is_empty(), "{cmd}: {out}");
    }
    let start = Instant::now();
    let out = s.execute("g");
    let t = start.elapsed();
    assert!(out.contains("loop: checksum 0xaff13612b819f080"), "{out}");
    assert!(!out.contains("Breakpoint"), "{out}");
    t
}

fn best_of(n: usize, setup: &[String]) -> Duration {
    (0..n).map(|_| run(setup)).min().unwrap()
}

fn main() {
    // `cargo test` builds benches too but passes no --bench flag; only run under cargo bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let set: Vec<String> = BREAKPOINTS.iter().map(|b| format!("bp {b}")).collect();
    let mut disabled = set.clone();
    disabled.push("bd *".into());
    let base = best_of(3, &[]);
    let ten = best_of(3, &set);
    let off = best_of(3, &disabled);
    let mips = 1.0e9 / base.as_secs_f64() / 1.0e6;
    println!("loop.exe, ~1e9 guest instructions (best of 3):");
    println!("  no breakpoints          {:>8.3} s  (~{mips:.0} M instructions/s)", base.as_secs_f64());
    println!("  10 breakpoints          {:>8.3} s  ratio {:.3}", ten.as_secs_f64(), ten.as_secs_f64() / base.as_secs_f64());
    println!("  10 disabled breakpoints {:>8.3} s  ratio {:.3}", off.as_secs_f64(), off.as_secs_f64() / base.as_secs_f64());
}
