//! The assignment checker: run a program with a command script and compare the transcript
//! with a stored one, byte for byte. Transcripts are deterministic, so a difference is a
//! real difference in what the program or the debugger did.

use std::path::Path;

use anyhow::Context as _;

use crate::debugger::{Session, SessionOptions};
use crate::process::loader::Program;

/// The transcript `crtlab run PROGRAM --script SCRIPT` prints (start-up text included).
pub fn transcript(program: &Path, script: &str, max_instructions: Option<u64>) -> anyhow::Result<String> {
    let options = SessionOptions { max_instructions, ..Default::default() };
    let (mut session, banner) = Session::start(Program::from_path(program)?, options)?;
    let mut out = banner;
    super::transcript::run_commands(&mut session, super::transcript::command_lines(script), |t| out.push_str(t));
    Ok(out)
}

/// Outcome of a check.
pub enum Verdict {
    Pass,
    /// A unified diff of expected → actual.
    Fail(String),
    /// `--bless` wrote the expected transcript.
    Blessed,
}

pub fn check(program: &Path, script_path: &Path, expected_path: &Path, bless: bool, max_instructions: Option<u64>) -> anyhow::Result<Verdict> {
    let script = std::fs::read_to_string(script_path).with_context(|| format!("cannot read script '{}'", script_path.display()))?;
    let actual = transcript(program, &script, max_instructions)?;
    if bless {
        std::fs::write(expected_path, &actual).with_context(|| format!("cannot write '{}'", expected_path.display()))?;
        return Ok(Verdict::Blessed);
    }
    let expected =
        std::fs::read_to_string(expected_path).with_context(|| format!("cannot read expected transcript '{}'", expected_path.display()))?;
    if expected == actual {
        return Ok(Verdict::Pass);
    }
    let diff = similar::TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header(&expected_path.display().to_string(), "actual")
        .to_string();
    Ok(Verdict::Fail(diff))
}
