//! Shared helpers for the transcript tests: run a guest under a debugger session and
//! produce exactly what `crtlab run <guest> -c "<commands>"` prints.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crtlab::debugger::{Session, SessionOptions};
use crtlab::frontend::transcript;
use crtlab::process::loader::Program;

/// The repository root (tests run with the package root as cwd, but be explicit).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn guest(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Start-up text plus the echoed commands and their output.
pub fn transcript_with(program: &Path, commands: &str, options: SessionOptions) -> String {
    let (mut session, banner) = Session::start(Program::from_path(program).expect("guest file"), options).expect("guest loads");
    let mut out = banner;
    transcript::run_commands(&mut session, transcript::command_lines(commands), |t| out.push_str(t));
    out
}

/// `crtlab run <rel> -c <commands>` with default options.
pub fn transcript(rel: &str, commands: &str) -> String {
    transcript_with(&guest(rel), commands, SessionOptions::default())
}

/// Only the part after the start-up banner and initial break (for focused snapshots).
pub fn after_start(rel: &str, commands: &str) -> String {
    let t = transcript(rel, commands);
    match t.find("0:000> ") {
        Some(i) => t[i..].to_string(),
        None => t,
    }
}

/// The exercise's command sequence (seeds/000), starting with `g` to the manual break in
/// main, for the program module `module` (`allocate`, `allocate_d`).
pub fn seed_commands(module: &str) -> String {
    format!(
        "g
bp {module}!alloc_malloc
bp {module}!alloc_new
bp {module}!alloc_heap
bp ntdll!rtlallocateheap
bl
g
g
k
r rcx
r rdx
r r8
bd 3
bl
g
be 3
g
k
r rcx
r rdx
r r8
bd 3
g
be 3
g
k
r rcx
r rdx
r r8"
    )
}
