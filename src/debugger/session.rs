//! A debugging session: one emulated process, its breakpoints and symbols, and the state
//! of the last event. `execute` takes one command line and returns its output.

use thiserror::Error;

use super::breakpoints::BreakpointList;
use super::commands;
use super::expr::{EvalError, caret_error};
use super::symbols::SymbolEngine;
use super::unwind::StackWalker;
use super::PROMPT;
use crate::process::loader::image::LoadError;
use crate::process::loader::{Program, create_process};
use crate::process::{ExceptionEvent, Process, ProcessOptions};

#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// cdb `-g`: do not stop at the loader's initial breakpoint.
    pub skip_initial_break: bool,
    /// cdb `-G`: do not stop when the process exits; the session ends with it.
    pub skip_final_break: bool,
    /// Stop the guest after this many instructions (batch runs are bounded by default).
    pub max_instructions: Option<u64>,
    pub process: ProcessOptions,
}

#[derive(Debug, Error)]
pub enum SessionError {
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Why the target is stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopState {
    /// Created, not yet run to its first event.
    NotStarted,
    Breakpoint(u32),
    Exception { event: ExceptionEvent, second_chance: bool },
    Step,
    Interrupted,
    /// Stopped in NtTerminateProcess with this exit code (the exit-process event).
    Exiting(u32),
    /// The process is gone.
    Terminated(u32),
}

/// A command failure, printed the way WinDbg prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// `<spaces>^ <kind> error in '<command>'`, caret under byte `index` of the command.
    Caret { kind: String, index: usize },
    /// An expression-evaluator error (no caret).
    Eval(EvalError),
    /// Free text, printed as is.
    Text(String),
}

impl CmdError {
    pub fn caret(kind: &str, index: usize) -> CmdError {
        CmdError::Caret { kind: kind.to_string(), index }
    }
    pub fn syntax(index: usize) -> CmdError {
        CmdError::caret("Syntax", index)
    }
    pub fn render(&self, command: &str) -> String {
        match self {
            CmdError::Caret { kind, index } => caret_error(PROMPT.len(), *index, kind, command) + "\n",
            CmdError::Eval(e) => format!("{e}\n"),
            CmdError::Text(t) => {
                if t.ends_with('\n') {
                    t.clone()
                } else {
                    format!("{t}\n")
                }
            }
        }
    }
}

impl From<EvalError> for CmdError {
    fn from(e: EvalError) -> Self {
        CmdError::Eval(e)
    }
}

pub type CmdResult = Result<String, CmdError>;

pub struct Session {
    pub process: Process,
    pub symbols: SymbolEngine,
    pub breakpoints: BreakpointList,
    pub walker: StackWalker,
    pub options: SessionOptions,
    pub stop: StopState,
    /// `q` was given, or the process ended under `-G`.
    pub finished: bool,
    /// `$t0`..`$t19`.
    pub user_registers: [u64; 20],
    /// Where a bare `d*` / `u` continues, and the last display kind.
    pub next_dump: Option<(u64, String)>,
    pub next_unassemble: Option<u64>,
    /// Set while the initial breakpoint has not been seen yet.
    pub initial_break_pending: bool,
}

impl Session {
    /// Loads the program and runs it to the initial breakpoint (or, with `-g`, to the
    /// first event after it). Returns the session and the start-up text.
    pub fn start(program: Program, options: SessionOptions) -> Result<(Session, String), SessionError> {
        let mut process = create_process(program, options.process.clone())?;
        if let Some(limit) = options.max_instructions {
            process.cpu.set_instruction_budget(limit).map_err(|e| SessionError::Load(LoadError::Map("process".into(), e)))?;
        }
        let symbols = SymbolEngine::new(process.modules.clone());
        let walker = StackWalker::new(&process);
        let mut s = Session {
            process,
            symbols,
            breakpoints: BreakpointList::default(),
            walker,
            options,
            stop: StopState::NotStarted,
            finished: false,
            user_registers: [0; 20],
            next_dump: None,
            next_unassemble: None,
            initial_break_pending: true,
        };
        let mut out = s.banner();
        out.push_str(&s.resume(super::execution::RunMode::Go));
        Ok((s, out))
    }

    fn banner(&self) -> String {
        let mut out = format!("crtlab {} - WinDbg-compatible debugger for emulated x64 Windows programs\n\n", env!("CARGO_PKG_VERSION"));
        out.push_str(&format!("CommandLine: {}\n", self.process.command_line));
        let mut mods: Vec<&crate::process::module::Module> = self.process.modules.iter().collect();
        // Load order as Windows reports it: the program, ntdll, then the rest.
        mods.sort_by_key(|m| match m.kind {
            crate::process::module::ModuleKind::Main => 0,
            _ if m.name == "ntdll" => 1,
            _ => 2,
        });
        for m in mods {
            let shown = match m.kind {
                crate::process::module::ModuleKind::Main => m.file_name.clone(),
                _ if m.name == "ntdll" => m.file_name.clone(),
                _ => m.guest_path.clone(),
            };
            out.push_str(&format!(
                "ModLoad: {} {}   {}\n",
                super::expr::format_address(m.base),
                super::expr::format_address(m.base + m.size),
                shown
            ));
        }
        out
    }

    /// The guest's exit code once the process has ended.
    pub fn exit_code(&self) -> Option<u32> {
        match self.stop {
            StopState::Exiting(c) | StopState::Terminated(c) => Some(c),
            _ => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Runs one command line (which may hold several `;`-separated commands) and returns
    /// everything it printed.
    pub fn execute(&mut self, line: &str) -> String {
        let mut out = String::new();
        for cmd in split_commands(line) {
            if self.finished {
                break;
            }
            out.push_str(&self.execute_one(&cmd));
        }
        out
    }

    /// Runs a single command (no `;` splitting).
    pub fn execute_one(&mut self, cmd: &str) -> String {
        let trimmed = cmd.trim();
        if trimmed.is_empty() {
            return String::new();
        }
        match commands::dispatch(self, trimmed) {
            Ok(s) => s,
            Err(e) => e.render(trimmed),
        }
    }

    /// Guest output since the last call, ready for the transcript.
    pub fn drain_output(&mut self) -> String {
        let mut out = String::new();
        for o in self.process.console.drain() {
            match o {
                crate::process::console::Output::Stdout(b) | crate::process::console::Output::Stderr(b) => {
                    out.push_str(&String::from_utf8_lossy(&b));
                }
                crate::process::console::Output::Debug(s) => out.push_str(&s),
            }
        }
        out
    }
}

/// Splits a command line at `;` outside double quotes (a breakpoint's command string
/// keeps its own `;`).
pub fn split_commands(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => {
                out.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_respects_quotes() {
        assert_eq!(split_commands("g; g; q"), vec!["g", "g", "q"]);
        assert_eq!(split_commands(r#"bp foo "r rax; g"; bl"#), vec![r#"bp foo "r rax; g""#, "bl"]);
        assert!(split_commands(" ; ").is_empty());
    }
}
