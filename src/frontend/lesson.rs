//! The lesson player: plays a lesson's `commands.txt` against its guest and shows the
//! lesson's prose (its README.md) between the commands, so the student reads the
//! explanation right before the live output it talks about. Interactively it pauses
//! before each section.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::debugger::{PROMPT, Session, SessionOptions};
use crate::process::loader::Program;

/// A README split into prose and the commands of each code block.
#[derive(Debug, PartialEq, Eq)]
pub enum Segment {
    Prose(String),
    /// The commands shown in a code block (lines that start with the prompt).
    Commands(Vec<String>),
}

pub fn segments(readme: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut block: Option<Vec<String>> = None;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            match block.take() {
                Some(cmds) => out.push(Segment::Commands(cmds)),
                None => {
                    if !prose.trim().is_empty() {
                        out.push(Segment::Prose(std::mem::take(&mut prose)));
                    }
                    prose.clear();
                    block = Some(Vec::new());
                }
            }
            continue;
        }
        match &mut block {
            Some(cmds) => {
                if let Some(c) = line.strip_prefix(PROMPT) {
                    cmds.push(c.to_string());
                }
            }
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    if !prose.trim().is_empty() {
        out.push(Segment::Prose(prose));
    }
    out
}

/// The guest named by a `* guest: <path>` line of commands.txt (relative to the
/// repository, i.e. the lessons folder's parent).
fn guest_of(commands: &str, lesson_dir: &Path) -> anyhow::Result<PathBuf> {
    let rel = commands
        .lines()
        .find_map(|l| l.trim().strip_prefix("* guest:").map(|g| g.trim().to_string()))
        .context("commands.txt has no '* guest: <path>' line")?;
    let root = lesson_dir.parent().and_then(Path::parent).unwrap_or(Path::new("."));
    Ok(root.join(rel))
}

/// Plays the lesson in `dir`; `out` receives everything shown. With `pause`, waits for
/// Enter on stdin before each prose section.
pub fn play(dir: &Path, pause: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let readme = std::fs::read_to_string(dir.join("README.md")).with_context(|| format!("cannot read {}/README.md", dir.display()))?;
    let script = std::fs::read_to_string(dir.join("commands.txt")).with_context(|| format!("cannot read {}/commands.txt", dir.display()))?;
    let guest = guest_of(&script, dir)?;
    let commands = super::transcript::command_lines(&script);
    let (mut session, banner) = Session::start(Program::from_path(&guest)?, SessionOptions::default())?;
    out.write_all(banner.as_bytes())?;
    let mut next = 0;
    let stdin = std::io::stdin();
    for seg in segments(&readme) {
        match seg {
            Segment::Prose(text) => {
                if pause {
                    write!(out, "\n-- press Enter --")?;
                    out.flush()?;
                    let mut line = String::new();
                    stdin.lock().read_line(&mut line)?;
                }
                writeln!(out, "\n{}", text.trim_end())?;
                writeln!(out)?;
            }
            Segment::Commands(shown) => {
                // Run the script up to and including the block's last command.
                for want in shown {
                    loop {
                        let Some(cmd) = commands.get(next) else {
                            bail!("the README shows '{want}', which commands.txt does not run at this point");
                        };
                        next += 1;
                        write!(out, "{PROMPT}{cmd}\n{}", session.execute_one(cmd))?;
                        if *cmd == want {
                            break;
                        }
                    }
                }
            }
        }
    }
    for cmd in &commands[next..] {
        write!(out, "{PROMPT}{cmd}\n{}", session.execute_one(cmd))?;
    }
    Ok(())
}

/// `crtlab lesson DIR`: pauses between sections when stdin is a terminal.
pub fn run(dir: &Path) -> anyhow::Result<()> {
    let pause = std::io::stdin().is_terminal();
    let mut stdout = std::io::stdout().lock();
    play(dir, pause, &mut stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_segments() {
        let s = segments("# T\n\ntext\n\n```\n0:000> g\nout\n0:000> k\n```\nmore\n");
        assert_eq!(
            s,
            vec![
                Segment::Prose("# T\n\ntext\n\n".into()),
                Segment::Commands(vec!["g".into(), "k".into()]),
                Segment::Prose("more\n".into())
            ]
        );
    }
}
