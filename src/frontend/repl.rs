//! The interactive prompt (rustyline): history kept between runs, tab completion of
//! command names and `module!symbol`, Ctrl-C interrupts a running `g`, Ctrl-D quits.

use std::path::PathBuf;

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::debugger::{Session, PROMPT};

const COMMANDS: &[&str] = &[
    "bp", "bu", "bm", "bl", "bd", "be", "bc", "g", "gu", "p", "t", "k", "kb", "kc", "kf", "kn", "kv", "r", "u", "ub", "uf",
    "db", "dw", "dd", "dq", "dp", "dps", "dc", "da", "du", "eb", "ew", "ed", "eq", "ea", "eu", "lm", "x", "ln", "dt", "?",
    "q", ".cls", ".help", "!heap", "!crtheap",
];

struct CrtHelper {
    symbols: Vec<String>,
}

impl Completer for CrtHelper {
    type Candidate = String;
    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before.rfind([' ', ',', '(']).map(|i| i + 1).unwrap_or(0);
        let word = &before[start..];
        let lower = word.to_ascii_lowercase();
        let candidates: Vec<String> = if start == 0 {
            COMMANDS.iter().filter(|c| c.starts_with(&lower)).map(|c| c.to_string()).collect()
        } else {
            self.symbols.iter().filter(|s| s.to_ascii_lowercase().starts_with(&lower)).take(200).cloned().collect()
        };
        Ok((start, candidates))
    }
}

impl Hinter for CrtHelper {
    type Hint = String;
}
impl Highlighter for CrtHelper {}
impl Validator for CrtHelper {}
impl Helper for CrtHelper {}

/// `$XDG_STATE_HOME/crtlab/history`, else `~/.local/state/crtlab/history`, else
/// `%APPDATA%\crtlab\history` on Windows.
fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
    Some(base.join("crtlab").join("history"))
}

/// Runs the prompt until `q`, Ctrl-D or the end of the session.
pub fn run(session: &mut Session) -> anyhow::Result<()> {
    let mut symbols = Vec::new();
    for (_, name) in crate::debugger::symbols::matching(&session.symbols, "*!*", false) {
        symbols.push(name);
    }
    for m in session.symbols.modules() {
        symbols.push(format!("{}!", m.name));
    }
    symbols.sort();
    symbols.dedup();
    let mut rl: Editor<CrtHelper, DefaultHistory> = Editor::new()?;
    rl.set_helper(Some(CrtHelper { symbols }));
    let hist = history_path();
    if let Some(h) = &hist {
        let _ = rl.load_history(h);
    }
    let mut last = String::new();
    loop {
        if session.is_finished() {
            break;
        }
        match rl.readline(PROMPT) {
            Ok(line) => {
                // An empty line repeats the last command, as in WinDbg.
                let line = if line.trim().is_empty() { last.clone() } else { line };
                if line.trim().is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line.as_str());
                if line.trim() == ".cls" {
                    print!("\x1b[2J\x1b[H");
                }
                print!("{}", session.execute(&line));
                last = line;
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => {
                print!("{}", session.execute("q"));
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(h) = &hist {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(h);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(h: &CrtHelper, line: &str) -> (usize, Vec<String>) {
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        h.complete(line, line.len(), &ctx).unwrap()
    }

    #[test]
    fn completes_commands_and_symbols() {
        let h = CrtHelper { symbols: vec!["ntdll!RtlAllocateHeap".into(), "ntdll!RtlFreeHeap".into(), "allocate!main".into()] };
        let (start, c) = complete(&h, "b");
        assert_eq!(start, 0);
        assert_eq!(c, vec!["bp", "bu", "bm", "bl", "bd", "be", "bc"]);
        let (start, c) = complete(&h, "bp ntdll!rtla");
        assert_eq!(start, 3);
        assert_eq!(c, vec!["ntdll!RtlAllocateHeap"]);
        let (_, c) = complete(&h, "u poi(alloc");
        assert_eq!(c, vec!["allocate!main"]);
        assert!(complete(&h, "zz").1.is_empty());
    }
}
