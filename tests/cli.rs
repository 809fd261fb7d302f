//! The command-line program end to end: bad input gives one line and a non-zero exit,
//! batch runs end with the guest's exit code, commands come from -c, a script or stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;

fn crtlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crtlab")).args(args).current_dir(common::root()).output().expect("crtlab runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// One line on stderr, starting with `crtlab: error:`, exit code 1, no panic.
fn assert_one_line_error(o: &Output, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {e}");
    assert_eq!(e.lines().count(), 1, "one line expected, got: {e}");
    assert!(e.starts_with("crtlab: error: "), "{e}");
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn missing_file() {
    let o = crtlab(&["run", "guests/no-such-program.exe", "-c", "q"]);
    assert_one_line_error(&o, "cannot read 'guests/no-such-program.exe': no such file");
}

#[test]
fn not_a_pe_file() {
    let o = crtlab(&["run", "Cargo.toml", "-c", "q"]);
    assert_one_line_error(&o, "'Cargo.toml' is not a PE image (no MZ signature)");
}

#[test]
fn mz_without_pe_header() {
    let dir = std::env::temp_dir().join(format!("crtlab-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("mzonly.exe");
    let mut bytes = vec![0u8; 0x100];
    bytes[0] = b'M';
    bytes[1] = b'Z';
    bytes[0x3c] = 0x80;
    std::fs::write(&p, &bytes).unwrap();
    let o = crtlab(&["run", p.to_str().unwrap(), "-c", "q"]);
    assert_one_line_error(&o, "is not a PE image (no PE signature)");
}

#[test]
fn truncated_pe() {
    let dir = std::env::temp_dir().join(format!("crtlab-test-trunc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(common::guest("guests/allocate.exe")).unwrap();
    for cut in [0x40usize, 0x100, 0x300, 0x1000, bytes.len() - 100] {
        let p = dir.join(format!("cut{cut}.exe"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let o = crtlab(&["run", p.to_str().unwrap(), "-c", "q"]);
        assert_one_line_error(&o, "truncated");
    }
}

#[test]
fn x86_image() {
    let o = crtlab(&["run", "guests/tests/bad/x86.exe", "-c", "q"]);
    assert_one_line_error(&o, "is a 32-bit (x86) image; crtlab runs x64 images only");
}

#[test]
fn arm64_image() {
    let o = crtlab(&["run", "guests/tests/bad/arm64.exe", "-c", "q"]);
    assert_one_line_error(&o, "is an ARM64 image; crtlab runs x64 images only");
}

#[test]
fn dll_as_program() {
    let o = crtlab(&["run", "guests/tests/bad/lib.dll", "-c", "q"]);
    assert_one_line_error(&o, "'lib.dll' is a DLL, not a program");
}

#[test]
fn directory_as_program() {
    let o = crtlab(&["run", "guests", "-c", "q"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn g_and_big_g_stop_only_at_the_manual_break_and_exit_with_the_guest_code() {
    let o = crtlab(&["run", "guests/allocate.exe", "-g", "-G", "-c", "g"]);
    let out = stdout(&o);
    assert_eq!(out.matches("Break instruction exception").count(), 1, "{out}");
    assert!(out.contains("allocate!main+"), "{out}");
    assert!(!out.contains("LdrpDoDebuggerBreak"), "{out}");
    assert!(!out.contains("NtTerminateProcess"), "{out}");
    assert_eq!(o.status.code(), Some(0));

    let o = crtlab(&["run", "guests/tests/hello.exe", "-g", "-G", "-c", "g"]);
    assert!(stdout(&o).contains("Hello from the guest\n"));
    assert_eq!(o.status.code(), Some(3), "hello.exe returns 3 from main");
}

#[test]
fn process_exit_is_shown_without_big_g() {
    let o = crtlab(&["run", "guests/allocate.exe", "-c", "g; g; q"]);
    let out = stdout(&o);
    assert!(out.contains("ntdll!NtTerminateProcess+0x14:\n"), "{out}");
    assert!(out.ends_with("0:000> q\nquit:\n"), "{out}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn commands_from_a_script_and_from_stdin_give_the_same_transcript() {
    let dir = std::env::temp_dir().join(format!("crtlab-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("cmds.txt");
    std::fs::write(&script, "g\nk\nr rcx\n").unwrap();
    let a = crtlab(&["run", "guests/allocate.exe", "--script", script.to_str().unwrap()]);
    let b = crtlab(&["run", "guests/allocate.exe", "-c", "g; k; r rcx"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_crtlab"))
        .args(["run", "guests/allocate.exe"])
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"g\nk\nr rcx\n").unwrap();
    let c = child.wait_with_output().unwrap();
    assert_eq!(stdout(&a), stdout(&b));
    assert_eq!(stdout(&a), stdout(&c));
    assert!(stdout(&a).contains("0:000> r rcx\nrcx="));
}

#[test]
fn access_violation_is_an_event_and_the_prompt_comes_back() {
    let o = crtlab(&["run", "guests/tests/fault_av.exe", "-g", "-c", "g; r rip; g; g"]);
    let out = stdout(&o);
    assert!(out.contains("(1a2c.3f4): Access violation - code c0000005 (first chance)\n"), "{out}");
    assert!(out.contains("ds:00000000`00000010=??\n"), "{out}");
    assert!(out.contains("0:000> r rip\nrip="), "{out}");
    assert!(out.contains("Access violation - code c0000005 (!!! second chance !!!)"), "{out}");
    // The process ends with the exception code; a Unix exit status keeps its low 8 bits.
    let code = o.status.code().unwrap();
    assert!(code == 0xc0000005u32 as i32 || code == 0x05, "exit code {code:#x}");
}

#[test]
fn unimplemented_api_names_the_function_and_its_caller() {
    let o = crtlab(&["run", "guests/tests/unimplemented.exe", "-g", "-c", "g"]);
    let out = stdout(&o);
    assert!(out.contains("crtlab: KERNEL32!Beep is not implemented (called from unimplemented!call_beep+0x"), "{out}");
    assert!(out.contains("KERNEL32!Beep:\n"), "{out}");
}

#[test]
fn guest_output_reaches_the_terminal() {
    // Without -g the session stops at the initial break; `g` runs the program.
    let o = crtlab(&["run", "guests/tests/hello.exe", "-c", "g"]);
    assert!(stdout(&o).contains("0:000> g\nHello from the guest\nntdll!NtTerminateProcess+0x14:"), "{}", stdout(&o));
    // With -g the program runs to its first event (here: its exit) before the prompt.
    let o = crtlab(&["run", "guests/tests/hello.exe", "-g", "-c", "g"]);
    assert!(stdout(&o).contains("KERNEL32.DLL\nHello from the guest\nntdll!NtTerminateProcess+0x14:"), "{}", stdout(&o));
}

#[test]
fn unknown_subcommand_and_missing_program_are_usage_errors() {
    let o = crtlab(&["frobnicate"]);
    assert_ne!(o.status.code(), Some(0));
    let o = crtlab(&["run"]);
    assert_ne!(o.status.code(), Some(0));
}

#[test]
fn tls_template_index_and_callback() {
    let o = crtlab(&["run", "guests/tests/tls.exe", "-g", "-G", "-c", "g"]);
    let out = stdout(&o);
    assert!(out.contains("tls: callback ran before main\ntls: thread-local counter 0x000000000000002b\ntls: ok\n"), "{out}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn check_passes_identical_transcripts_and_diffs_others() {
    let dir = std::env::temp_dir().join(format!("crtlab-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let expected = dir.join("expected.txt");
    let e = expected.to_str().unwrap();
    let o = crtlab(&["check", "guests/allocate.exe", "--script", "lessons/01-allocations/commands.txt", "--expect", e, "--bless"]);
    assert_eq!(o.status.code(), Some(0));
    // The blessed transcript is exactly what `crtlab run --script` prints.
    let run = crtlab(&["run", "guests/allocate.exe", "--script", "lessons/01-allocations/commands.txt"]);
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), stdout(&run));
    let o = crtlab(&["check", "guests/allocate.exe", "--script", "lessons/01-allocations/commands.txt", "--expect", e]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("PASS"));
    let tampered = std::fs::read_to_string(&expected).unwrap().replacen("r8=0000000000000008", "r8=0000000000000010", 1);
    std::fs::write(&expected, tampered).unwrap();
    let o = crtlab(&["check", "guests/allocate.exe", "--script", "lessons/01-allocations/commands.txt", "--expect", e]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("FAIL"), "{out}");
    assert!(out.contains("-r8=0000000000000010\n+r8=0000000000000008\n"), "{out}");
}
