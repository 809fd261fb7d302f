//! Non-interactive sessions: every command is echoed after the prompt, so the output is
//! a transcript that can be diffed against a stored one.

use crate::debugger::{Session, PROMPT};

/// Runs `commands` (already split into lines; each may hold `;`-separated commands) and
/// returns the transcript that follows the start-up text. Stops at `q` or when the
/// session ends; the end of the commands ends the session as `q` does.
pub fn run_commands<I: IntoIterator<Item = String>>(session: &mut Session, commands: I, mut sink: impl FnMut(&str)) {
    for line in commands {
        for cmd in crate::debugger::session::split_commands(&line) {
            if session.is_finished() {
                return;
            }
            sink(&format!("{PROMPT}{cmd}\n"));
            let out = session.execute_one(&cmd);
            sink(&out);
        }
    }
}

/// Splits a `-c` argument or script text into commands: one per line, and `;` within a
/// line (quotes respected).
pub fn command_lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty() && !l.starts_with('*')).collect()
}
