//! A damaged image never panics crtlab: it loads and runs to its first event, or it is
//! refused with a one-line error. Mutations are deterministic (a fixed xorshift seed).

mod common;

use crtlab::debugger::{Session, SessionOptions};
use crtlab::process::loader::Program;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn try_load(bytes: Vec<u8>) -> Result<(), String> {
    let program = Program { file_name: "mutant.exe".into(), bytes, host_dir: None };
    let options = SessionOptions { max_instructions: Some(2_000_000), ..Default::default() };
    match Session::start(program, options) {
        Ok((mut s, _)) => {
            // Let it run a little: a broken image must end in an event, not a panic.
            let _ = s.execute("g");
            let _ = s.execute("k");
            Ok(())
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one-line error expected: {msg}");
            Err(msg)
        }
    }
}

#[test]
fn mutated_images_load_or_are_refused_cleanly() {
    let original = std::fs::read(common::guest("guests/allocate.exe")).unwrap();
    let mut rng = XorShift(0x5eed_c0de_1234_5678);
    let (mut loaded, mut refused) = (0, 0);
    for round in 0..300 {
        let mut bytes = original.clone();
        // Concentrate on the headers and directories (the first 0x400 bytes), where the
        // loader's parsing lives, and sprinkle the rest.
        let edits = 1 + rng.next() % 8;
        for _ in 0..edits {
            let limit = if rng.next().is_multiple_of(4) { bytes.len() } else { 0x400 };
            let at = (rng.next() as usize) % limit;
            bytes[at] = rng.next() as u8;
        }
        if round % 10 == 0 {
            let cut = (rng.next() as usize) % bytes.len();
            bytes.truncate(cut);
        }
        let r = std::panic::catch_unwind(|| try_load(bytes.clone()));
        match r {
            Ok(Ok(())) => loaded += 1,
            Ok(Err(_)) => refused += 1,
            Err(_) => panic!("round {round}: crtlab panicked on a damaged image"),
        }
    }
    eprintln!("mutated images: {loaded} loaded, {refused} refused");
    assert!(loaded > 0 && refused > 0);
}

#[test]
fn random_command_lines_never_panic() {
    let start = || {
        Session::start(
            Program::from_path(&common::guest("guests/allocate.exe")).unwrap(),
            SessionOptions { max_instructions: Some(50_000_000), ..Default::default() },
        )
        .unwrap()
        .0
    };
    let mut s = start();
    let mut sessions = 1;
    let alphabet: Vec<char> = "bpludgkrtxqemn!?.@$*-+/()[]`'\" ,;:0123456789abcdefLw~|&^<>=\\ \t".chars().collect();
    let words = ["bp", "bl", "bd", "k", "kb", "r", "u", "db", "dq", "dt", "x", "ln", "lm", "?", "!heap", "eb", "g", "p", "t", "!crtheap", "uf"];
    let mut rng = XorShift(0xfeed_f00d_dead_beef);
    for _ in 0..3000 {
        let mut line = String::from(words[(rng.next() as usize) % words.len()]);
        let n = rng.next() % 24;
        for _ in 0..n {
            line.push(alphabet[(rng.next() as usize) % alphabet.len()]);
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.execute(&line)));
        assert!(r.is_ok(), "panic on command line: {line:?}");
        if s.is_finished() {
            s = start();
            sessions += 1;
        }
    }
    eprintln!("random command lines: {sessions} sessions");
}
