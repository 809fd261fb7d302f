//! `?`: evaluate a MASM expression; `?` alone prints the command help.

use super::super::expr::format_evaluate;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let e = c.args.trim();
    if e.is_empty() {
        return Ok(super::help::HELP.to_string());
    }
    let lead = c.args.len() - c.args.trim_start().len();
    let v = super::eval(s, e).map_err(|err| match err {
        // Trailing junk: the caret form, under the last character that was consumed.
        super::super::expr::EvalError::ExtraCharacter(i) => CmdError::caret("Extra character", c.at(lead + i.saturating_sub(1))),
        other => CmdError::Eval(other),
    })?;
    Ok(format_evaluate(v) + "\n")
}
