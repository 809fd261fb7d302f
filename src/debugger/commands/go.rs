//! `g` (go), `gh`/`gn` (go with the exception handled / not handled) and `gu` (go up:
//! run to the return address of the current function).

use super::super::execution::{Continuation, RunMode};
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run_g(s: &mut Session, c: &Command) -> CmdResult {
    s.require_runnable()?;
    if !c.args.trim().is_empty() {
        return Err(CmdError::Text(format!("crtlab: '{}' with arguments is not supported; set a breakpoint and use g", c.name)));
    }
    let how = match c.name.to_ascii_lowercase().as_str() {
        "gh" => Continuation::Handled,
        "gn" => Continuation::NotHandled,
        _ => Continuation::Default,
    };
    Ok(s.resume_as(RunMode::Go, how))
}

pub fn run_gu(s: &mut Session, c: &Command) -> CmdResult {
    s.require_runnable()?;
    if !c.args.trim().is_empty() {
        return Err(CmdError::syntax(c.at(super::skip_ws(c.args, 0))));
    }
    Ok(s.resume(RunMode::GoUp))
}
