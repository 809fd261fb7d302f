//! `!heap`: the NT heaps of the process, read from guest memory (PEB.ProcessHeaps).

use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let heaps = crate::system::ntdll::heap::process_heaps(&s.process);
    // Addresses are MASM expressions (`!heap -x @rax`).
    let eval = |t: &str| super::eval(s, t).map_err(|e| e.to_string());
    let out = crate::heap::ext::command_with(&s.process.cpu, &heaps, c.args.trim(), &eval);
    out.map_err(CmdError::Text)
}
