//! `bd`, `be`, `bc`: disable, enable, clear breakpoints by id list. Silent on success.

use super::super::breakpoints::parse_id_list;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

fn ids(s: &Session, c: &Command) -> Result<Vec<u32>, CmdError> {
    if c.args.trim().is_empty() {
        return Err(CmdError::syntax(c.last()));
    }
    parse_id_list(c.args, &s.breakpoints.ids()).map_err(|i| CmdError::syntax(c.at(i)))
}

pub fn run_bd(s: &mut Session, c: &Command) -> CmdResult {
    for id in ids(s, c)? {
        if let Some(b) = s.breakpoints.get_mut(id) {
            b.enabled = false;
        }
    }
    Ok(String::new())
}

pub fn run_be(s: &mut Session, c: &Command) -> CmdResult {
    for id in ids(s, c)? {
        if let Some(b) = s.breakpoints.get_mut(id) {
            b.enabled = true;
        }
    }
    Ok(String::new())
}

pub fn run_bc(s: &mut Session, c: &Command) -> CmdResult {
    for id in ids(s, c)? {
        s.breakpoints.remove(id);
    }
    Ok(String::new())
}
