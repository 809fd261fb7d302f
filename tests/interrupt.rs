//! Ctrl-C during `g`: the front end sets the process's interrupt flag and stops the CPU;
//! the session reports a Control-C break and the prompt comes back.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use crtlab::debugger::{Session, SessionOptions};
use crtlab::process::loader::Program;

#[test]
fn ctrl_c_breaks_into_a_running_guest() {
    let path = common::guest("guests/tests/loop.exe");
    let (mut s, _) = Session::start(Program::from_path(&path).unwrap(), SessionOptions::default()).unwrap();
    let flag = s.process.interrupt.clone();
    let handle = s.process.cpu.stop_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
        handle.stop();
    });
    let out = s.execute("g");
    t.join().unwrap();
    assert!(out.starts_with("(1a2c.3f4): Control-C exception - code 40010005 (first chance)\nloop+0x"), "{out}");
    // The guest continues where it was and finishes.
    let out = s.execute("g");
    assert!(out.contains("loop: checksum 0xaff13612b819f080"), "{out}");
}
