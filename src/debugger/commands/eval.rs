//! `?`: evaluate a MASM expression; `?` alone prints the command help.

use super::super::expr::format_evaluate;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let e = c.args.trim();
    if e.is_empty() {
        return Ok(super::help::HELP.to_string());
    }
    let v = super::eval(s, e).map_err(CmdError::Eval)?;
    Ok(format_evaluate(v) + "\n")
}
