//! `t` (trace into) and `p` (step over), with an optional hex count: each step prints
//! the symbol line and the next instruction.

use super::super::execution::RunMode;
use super::super::session::{CmdError, CmdResult, Session, StopState};
use super::Command;

fn steps(s: &mut Session, c: &Command, mode: RunMode) -> CmdResult {
    s.require_runnable()?;
    let args = c.args.trim();
    let count = if args.is_empty() {
        1
    } else {
        let v = super::eval(s, args).map_err(CmdError::Eval)?;
        if v == 0 || v > 0x10_0000 {
            return Err(CmdError::caret("Range", c.last()));
        }
        v
    };
    let mut out = String::new();
    for _ in 0..count {
        out.push_str(&s.resume(mode));
        if !matches!(s.stop, StopState::Step) {
            break;
        }
    }
    Ok(out)
}

pub fn run_t(s: &mut Session, c: &Command) -> CmdResult {
    steps(s, c, RunMode::StepInto)
}

pub fn run_p(s: &mut Session, c: &Command) -> CmdResult {
    steps(s, c, RunMode::StepOver)
}
