//! `u`, `ub`, `uf`: unassemble.

use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run_u(_s: &mut Session, c: &Command) -> CmdResult {
    Err(CmdError::Text(format!("crtlab: '{}' is not supported yet", c.name)))
}

pub fn run_ub(s: &mut Session, c: &Command) -> CmdResult {
    run_u(s, c)
}

pub fn run_uf(s: &mut Session, c: &Command) -> CmdResult {
    run_u(s, c)
}
