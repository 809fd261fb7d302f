//! WinDbg commands, one module each. `dispatch` splits a command into its name and
//! argument text and calls the handler, which returns the text WinDbg would print.

pub mod bl;
pub mod bp;
pub mod bstate;
pub mod crtheap;
pub mod d;
pub mod dt;
pub mod e;
pub mod eval;
pub mod go;
pub mod heap;
pub mod help;
pub mod k;
pub mod ln;
pub mod lm;
pub mod quit;
pub mod r;
pub mod range;
pub mod step;
pub mod u;
pub mod x;

use super::expr::{self, EvalError};
use super::session::{CmdError, CmdResult, Session};

/// A parsed command: the name as typed, and the rest.
pub struct Command<'a> {
    /// The full command text (what error messages quote).
    pub text: &'a str,
    pub name: &'a str,
    /// Everything after the name (not trimmed).
    pub args: &'a str,
    /// Byte offset of `args` within `text`.
    pub args_offset: usize,
}

impl Command<'_> {
    /// Byte index within the command text of `i` within args.
    pub fn at(&self, i: usize) -> usize {
        self.args_offset + i
    }

    /// Index of the last character of the command (caret position for errors that
    /// consumed everything).
    pub fn last(&self) -> usize {
        self.text.len().saturating_sub(1)
    }
}

type Handler = fn(&mut Session, &Command) -> CmdResult;

/// Commands whose name is followed directly by arguments or options.
const TABLE: &[(&str, Handler)] = &[
    ("bp", bp::run_bp),
    ("bu", bp::run_bu),
    ("bm", bp::run_bm),
    ("bl", bl::run),
    ("bd", bstate::run_bd),
    ("be", bstate::run_be),
    ("bc", bstate::run_bc),
    ("g", go::run_g),
    ("gu", go::run_gu),
    ("gh", go::run_g),
    ("gn", go::run_g),
    ("p", step::run_p),
    ("t", step::run_t),
    ("r", r::run),
    ("u", u::run_u),
    ("ub", u::run_ub),
    ("uf", u::run_uf),
    ("d", d::run),
    ("db", d::run),
    ("dw", d::run),
    ("dd", d::run),
    ("dq", d::run),
    ("dp", d::run),
    ("dc", d::run),
    ("da", d::run),
    ("du", d::run),
    ("dps", d::run),
    ("dqs", d::run),
    ("dds", d::run),
    ("eb", e::run),
    ("ew", e::run),
    ("ed", e::run),
    ("eq", e::run),
    ("ep", e::run),
    ("ea", e::run),
    ("eu", e::run),
    ("eza", e::run),
    ("ezu", e::run),
    ("x", x::run),
    ("ln", ln::run),
    ("dt", dt::run),
    ("?", eval::run),
    ("q", quit::run),
    ("qq", quit::run),
    ("qd", quit::run),
    (".cls", help::run_cls),
    (".help", help::run_help),
    ("!heap", heap::run),
    ("!crtheap", crtheap::run),
];

/// Splits off the command name: extension (`!heap`) and meta (`.cls`) names run to the
/// first blank; `?`/`??` stand alone; otherwise the leading letters.
fn split_name(text: &str) -> (&str, usize) {
    let b = text.as_bytes();
    if text.starts_with("??") {
        return (&text[..2], 2);
    }
    if text.starts_with('?') {
        return (&text[..1], 1);
    }
    if b[0] == b'!' || b[0] == b'.' {
        let end = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
        return (&text[..end], end);
    }
    let end = text.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(text.len());
    (&text[..end], end)
}

pub fn dispatch(s: &mut Session, text: &str) -> CmdResult {
    let (word, end) = split_name(text);
    let lower = word.to_ascii_lowercase();
    // `k` takes option letters glued to it (kb, kn, kc, kv, kp, kP, kf, kL).
    if lower.starts_with('k') && word[1..].chars().all(|c| "bcnvpPfLMd".contains(c)) {
        let cmd = Command { text, name: word, args: &text[end..], args_offset: end };
        return k::run(s, &cmd);
    }
    // `lm` takes option letters glued to it (lmv, lmvm name).
    if lower.starts_with("lm") {
        let cmd = Command { text, name: word, args: &text[end..], args_offset: end };
        return lm::run(s, &cmd);
    }
    // `bp0`, `bu12`: an id glued to the name (the digits stay in args).
    if let Some((_, h)) = TABLE.iter().find(|(n, _)| *n == lower) {
        let cmd = Command { text, name: word, args: &text[end..], args_offset: end };
        return h(s, &cmd);
    }
    if let Some(ext) = word.strip_prefix('!') {
        return Err(CmdError::Text(format!("No export {ext} found")));
    }
    Err(CmdError::syntax(word.len().saturating_sub(1)))
}

/// Evaluates the expression at the start of `text`; returns value and bytes consumed.
pub fn eval_prefix(s: &Session, text: &str) -> Result<(u64, usize), EvalError> {
    expr::evaluate_prefix(text, s)
}

/// Evaluates a whole expression.
pub fn eval(s: &Session, text: &str) -> Result<u64, EvalError> {
    expr::evaluate(text, s)
}

/// Skips blanks; returns the new index.
pub fn skip_ws(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}
