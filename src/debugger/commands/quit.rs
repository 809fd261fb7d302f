//! `q`: end the session (and the process).

use super::super::session::{CmdResult, Session, StopState};
use super::Command;

pub fn run(s: &mut Session, _c: &Command) -> CmdResult {
    if !matches!(s.stop, StopState::Terminated(_) | StopState::Exiting(_)) {
        s.process.terminate(0);
    }
    s.finished = true;
    Ok("quit:\n".into())
}
