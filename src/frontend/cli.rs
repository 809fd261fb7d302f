//! Command-line interface (clap).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::debugger::{Session, SessionOptions};
use crate::process::loader::Program;
use crate::process::ProcessOptions;
use crate::process::console::Output;

#[derive(Parser)]
#[command(name = "crtlab", version, about = "Run and debug small Windows x64 programs with a WinDbg-compatible prompt")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start a program under the debugger.
    Run(RunArgs),
    /// Play a lesson: its explanation, with its commands run live in between.
    Lesson {
        /// The lesson's folder (e.g. lessons/01-allocations).
        dir: PathBuf,
    },
    /// Grade an assignment: run a program with a command script and compare the
    /// transcript with the expected one (exit 0 if identical, 1 with a diff otherwise).
    Check(CheckArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The program (.exe) to run.
    pub program: PathBuf,
    /// The command script (one command per line).
    #[arg(long, value_name = "FILE")]
    pub script: PathBuf,
    /// The expected transcript.
    #[arg(long, value_name = "FILE")]
    pub expect: PathBuf,
    /// Write the transcript to --expect instead of comparing (for instructors).
    #[arg(long)]
    pub bless: bool,
    /// Instruction budget; 0 = no limit (default: the batch default).
    #[arg(long, value_name = "N")]
    pub max_instructions: Option<u64>,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// The program (.exe) to run.
    pub program: PathBuf,
    /// Commands to run, separated by `;` (as cdb -c); the session ends after them.
    #[arg(short = 'c', value_name = "COMMANDS")]
    pub commands: Option<String>,
    /// A file of commands, one per line.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Do not stop at the initial breakpoint (cdb -g).
    #[arg(short = 'g')]
    pub skip_initial: bool,
    /// Do not stop at process exit; the session ends with the process (cdb -G).
    #[arg(short = 'G')]
    pub skip_final: bool,
    /// Stop the guest after this many instructions; 0 = no limit. Non-interactive runs
    /// default to 10 billion so that a runaway guest cannot hang a grader.
    #[arg(long, value_name = "N")]
    pub max_instructions: Option<u64>,
    /// A file whose bytes the program reads from its stdin.
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,
    /// Arguments passed to the program.
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// The instruction budget of a non-interactive run unless `--max-instructions` says
/// otherwise (about a minute of emulation).
pub const DEFAULT_BATCH_BUDGET: u64 = 10_000_000_000;

/// Runs the CLI; returns the process exit code for crtlab itself.
pub fn main_with(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run(a) => run(a),
        Command::Check(a) => check(a),
        Command::Lesson { dir } => super::lesson::run(&dir).map(|_| 0),
    }
}

fn run(a: RunArgs) -> anyhow::Result<i32> {
    let program = Program::from_path(&a.program)?;
    let stdin_bytes = match &a.stdin {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read '{}'", p.display()))?,
        None => Vec::new(),
    };
    let script = match &a.script {
        Some(p) => Some(std::fs::read_to_string(p).with_context(|| format!("cannot read script '{}'", p.display()))?),
        None => None,
    };
    let interactive = a.commands.is_none() && script.is_none() && std::io::stdin().is_terminal();
    let max_instructions = match a.max_instructions {
        Some(0) => None,
        Some(n) => Some(n),
        None if interactive => None,
        None => Some(DEFAULT_BATCH_BUDGET),
    };
    let options = SessionOptions {
        skip_initial_break: a.skip_initial,
        skip_final_break: a.skip_final,
        max_instructions,
        process: ProcessOptions { args: a.args.clone(), stdin: stdin_bytes },
    };
    let (mut session, banner) = Session::start(program, options)?;
    install_ctrl_c(&session);
    // Guest output reaches the terminal as it is written, not at the next event.
    session.process.console.set_sink(Box::new(|o| {
        let mut out = std::io::stdout().lock();
        let _ = match o {
            Output::Stdout(b) | Output::Stderr(b) => out.write_all(b),
            Output::Debug(s) => out.write_all(s.as_bytes()),
        };
        let _ = out.flush();
    }));
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(banner.as_bytes())?;
    if interactive {
        drop(stdout);
        super::repl::run(&mut session)?;
        return Ok(0);
    }
    let mut lines = Vec::new();
    if let Some(c) = &a.commands {
        lines.extend(super::transcript::command_lines(c));
    }
    if let Some(s) = &script {
        lines.extend(super::transcript::command_lines(s));
    }
    if a.commands.is_none() && script.is_none() {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input)?;
        lines.extend(super::transcript::command_lines(&input));
    }
    super::transcript::run_commands(&mut session, lines, |t| {
        let _ = stdout.write_all(t.as_bytes());
        let _ = stdout.flush();
    });
    // The end of the commands ends the session as `q` does.
    let code = session.exit_code();
    if !session.is_finished() {
        session.execute("q");
    }
    Ok(code.map(|c| c as i32).unwrap_or(0))
}

fn check(a: CheckArgs) -> anyhow::Result<i32> {
    let budget = match a.max_instructions {
        Some(0) => None,
        Some(n) => Some(n),
        None => Some(DEFAULT_BATCH_BUDGET),
    };
    match super::check::check(&a.program, &a.script, &a.expect, a.bless, budget)? {
        super::check::Verdict::Pass => {
            println!("PASS: the transcript matches {}", a.expect.display());
            Ok(0)
        }
        super::check::Verdict::Blessed => {
            println!("wrote {}", a.expect.display());
            Ok(0)
        }
        super::check::Verdict::Fail(diff) => {
            println!("FAIL: the transcript differs from {}\n{diff}", a.expect.display());
            Ok(1)
        }
    }
}

fn install_ctrl_c(session: &Session) {
    let flag = session.process.interrupt.clone();
    let handle = session.process.cpu.stop_handle();
    let _ = ctrlc::set_handler(move || {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        handle.stop();
    });
}
