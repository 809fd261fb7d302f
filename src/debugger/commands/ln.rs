//! Placeholder: being implemented.

use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run(_s: &mut Session, c: &Command) -> CmdResult {
    Err(CmdError::Text(format!("crtlab: '{}' is not supported yet", c.name)))
}
