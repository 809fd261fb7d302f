//! `!heap`: the NT heaps of the process, read from guest memory (PEB.ProcessHeaps).

use super::super::session::{CmdError, CmdResult, Session};
use super::Command;
use crate::layout::PEB;
use crate::process::environment::{PEB_NUMBER_OF_HEAPS, PEB_PROCESS_HEAPS};
use crate::process::memory::GuestMemory;

/// The heap handles in PEB order.
pub fn process_heaps(s: &Session) -> Vec<u64> {
    let cpu = &s.process.cpu;
    let n = cpu.read_u32(PEB + PEB_NUMBER_OF_HEAPS).unwrap_or(0).min(64);
    let array = cpu.read_u64(PEB + PEB_PROCESS_HEAPS).unwrap_or(0);
    (0..u64::from(n)).filter_map(|i| cpu.read_u64(array + 8 * i).ok()).collect()
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let heaps = process_heaps(s);
    // Addresses are MASM expressions (`!heap -x @rax`).
    let eval = |t: &str| super::eval(s, t).map_err(|e| e.to_string());
    let out = crate::heap::ext::command_with(&s.process.cpu, &heaps, c.args.trim(), &eval);
    out.map_err(CmdError::Text)
}
