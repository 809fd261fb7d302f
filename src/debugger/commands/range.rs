//! WinDbg's address-range argument, shared by `u`/`ub` and the `d*` commands
//! (reference §11.1 and the "Address and Address Range Syntax" page):
//!
//! * nothing: the command's default start (where the last display ended, or the IP);
//! * `addr`: the command's default length from `addr`;
//! * `addr L count`, `addr L?count`, `addr L-count`: `count` elements (hex by default, any
//!   MASM expression; blanks allowed after `L`). `L-` ends the range at `addr`; plain `L`
//!   refuses more than 256 MB (`Range error`, as dbgeng does to catch typos) and `L?`
//!   lifts that limit;
//! * `addr1 addr2`: from `addr1` through `addr2`, both ends included (`db 2c0000 2c0005`
//!   shows six bytes).
//!
//! A word starting with `L`/`l` after the address is always a length, as in dbgeng, so a
//! second address that is a symbol starting with L needs a `module!` prefix.
//!
//! Parsing only needs an [`EvalContext`], so it is tested here without a session.

use super::super::expr::{self, EvalContext, EvalError};
use super::super::session::CmdError;
use super::Command;

/// dbgeng's typo guard for `L` counts and `addr1 addr2` spans, in bytes.
pub const RANGE_LIMIT: u64 = 0x1000_0000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// No argument: the command continues where it left off.
    Default,
    /// A start address only: the command's default length.
    Address(u64),
    /// `addr L count` / `addr L?count` / `addr L-count` (`backwards`).
    Count { addr: u64, count: u64, backwards: bool },
    /// `addr1 addr2`, end included.
    Span { start: u64, end: u64 },
}

impl Range {
    /// Start address and element count for a command whose elements are `elem` bytes,
    /// given its default start and count. `Span` counts every element that starts at or
    /// before the end address.
    pub fn resolve(self, default_start: u64, default_count: u64, elem: u64) -> (u64, u64) {
        match self {
            Range::Default => (default_start, default_count),
            Range::Address(a) => (a, default_count),
            Range::Count { addr, count, backwards: false } => (addr, count),
            Range::Count { addr, count, backwards: true } => {
                (addr.wrapping_sub(count.wrapping_mul(elem)), count)
            }
            Range::Span { start, end } => (start, (end - start) / elem.max(1) + 1),
        }
    }
}

/// A parsed range and how far the parser got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub range: Range,
    /// Index (in the parsed text) of the last character consumed, for caret errors that
    /// come later (`Memory access error`); None when the text was blank.
    pub last: Option<usize>,
}

/// Why a range did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// An evaluator error (printed without a caret).
    Eval(EvalError),
    /// A command-parser error: kind and caret index in the parsed text.
    Caret(&'static str, usize),
}

impl From<EvalError> for RangeError {
    fn from(e: EvalError) -> Self {
        RangeError::Eval(e)
    }
}

impl RangeError {
    /// The error as the command prints it; `base` is where the parsed text starts within
    /// the command's arguments.
    pub fn into_cmd(self, c: &Command, base: usize) -> CmdError {
        match self {
            RangeError::Eval(e) => CmdError::Eval(e),
            RangeError::Caret(kind, i) => CmdError::caret(kind, c.at(base + i)),
        }
    }
}

/// Where a caret goes for an error found after the range was parsed: under the last
/// character of the range, or under the command name when there was no range.
pub fn caret_index(c: &Command, base: usize, parsed: &Parsed) -> usize {
    match parsed.last {
        Some(l) => c.at(base + l),
        None => c.name.len().saturating_sub(1),
    }
}

fn skip_ws(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// Evaluates the expression at `text[i..]`; returns the value and the index just past it.
fn expression(text: &str, i: usize, ctx: &dyn EvalContext) -> Result<(u64, usize), RangeError> {
    let (v, n) = expr::evaluate_prefix(&text[i..], ctx)?;
    if n == 0 {
        // Nothing the evaluator could use (it reports most of these itself).
        return Err(RangeError::Caret("Syntax", i));
    }
    Ok((v, i + n))
}

/// Parses a whole range argument (`text` holds nothing else). `elem` is the size in bytes
/// of one element, for the 256 MB check; commands that count instructions pass 1.
pub fn parse(text: &str, ctx: &dyn EvalContext, elem: u64) -> Result<Parsed, RangeError> {
    let b = text.as_bytes();
    let i = skip_ws(text, 0);
    if i >= b.len() {
        return Ok(Parsed { range: Range::Default, last: None });
    }
    let (addr, end) = expression(text, i, ctx)?;
    let mut last = end - 1;
    let j = skip_ws(text, end);
    let range = if j >= b.len() {
        Range::Address(addr)
    } else if b[j] == b'L' || b[j] == b'l' {
        let mut k = j + 1;
        let mut unlimited = false;
        let mut backwards = false;
        if k < b.len() && b[k] == b'?' {
            unlimited = true;
            k += 1;
        }
        if k < b.len() && b[k] == b'-' {
            backwards = true;
            k += 1;
        }
        k = skip_ws(text, k);
        if k >= b.len() {
            return Err(RangeError::Caret("Syntax", text.trim_end().len() - 1));
        }
        let (count, after) = expression(text, k, ctx)?;
        last = after - 1;
        let too_big = count.checked_mul(elem.max(1)).is_none_or(|bytes| bytes > RANGE_LIMIT);
        if too_big && !unlimited {
            return Err(RangeError::Caret("Range", last));
        }
        if backwards && count.checked_mul(elem.max(1)).is_none_or(|bytes| bytes > addr) {
            return Err(RangeError::Caret("Range", last));
        }
        Range::Count { addr, count, backwards }
    } else {
        let (end_addr, after) = expression(text, j, ctx)?;
        last = after - 1;
        if end_addr < addr || end_addr - addr >= RANGE_LIMIT {
            return Err(RangeError::Caret("Range", last));
        }
        Range::Span { start: addr, end: end_addr }
    };
    let rest = skip_ws(text, last + 1);
    if rest < b.len() {
        // dbgeng has consumed the blanks before the stray text when it notices it.
        return Err(RangeError::Caret("Extra character", rest - 1));
    }
    Ok(Parsed { range, last: Some(last) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Registers `rsp` = 0x1000 and `rip` = 0x2000, symbol `m!f` = 0x3000, all memory 0.
    struct Fake;

    impl EvalContext for Fake {
        fn register(&self, name: &str) -> Option<u64> {
            match name {
                "rsp" => Some(0x1000),
                "rip" | "$ip" => Some(0x2000),
                _ => None,
            }
        }
        fn symbol(&self, name: &str) -> Option<u64> {
            name.eq_ignore_ascii_case("m!f").then_some(0x3000)
        }
        fn read_memory(&self, _addr: u64, _size: usize) -> Option<u64> {
            Some(0)
        }
        fn current_ip(&self) -> u64 {
            0x2000
        }
    }

    fn p(text: &str) -> Result<Parsed, RangeError> {
        parse(text, &Fake, 1)
    }

    #[test]
    fn blank_is_the_default() {
        assert_eq!(p("").unwrap(), Parsed { range: Range::Default, last: None });
        assert_eq!(p("   ").unwrap().range, Range::Default);
    }

    #[test]
    fn single_address() {
        assert_eq!(p(" rsp").unwrap(), Parsed { range: Range::Address(0x1000), last: Some(3) });
        assert_eq!(p(" m!f ").unwrap(), Parsed { range: Range::Address(0x3000), last: Some(3) });
        assert_eq!(p(" .").unwrap().range, Range::Address(0x2000));
        assert_eq!(p(" rsp+28").unwrap().range, Range::Address(0x1028));
    }

    #[test]
    fn counts() {
        let c = |addr, count, backwards| Range::Count { addr, count, backwards };
        assert_eq!(p(" rsp L8").unwrap(), Parsed { range: c(0x1000, 8, false), last: Some(6) });
        assert_eq!(p(" rsp l 10").unwrap().range, c(0x1000, 0x10, false));
        assert_eq!(p(" rsp L0n10").unwrap().range, c(0x1000, 10, false));
        assert_eq!(p(" rsp L?20000000").unwrap().range, c(0x1000, 0x2000_0000, false));
        assert_eq!(p(" rsp L-5").unwrap().range, c(0x1000, 5, true));
        assert_eq!(p(" m!f L(2*2)").unwrap().range, c(0x3000, 4, false));
    }

    #[test]
    fn spans_include_their_end() {
        assert_eq!(p(" 1000 1005").unwrap(), Parsed { range: Range::Span { start: 0x1000, end: 0x1005 }, last: Some(9) });
        assert_eq!(p(" rsp rsp+8").unwrap().range.resolve(0, 0, 4), (0x1000, 3));
        assert_eq!(p(" 1000 1007").unwrap().range.resolve(0, 0, 4), (0x1000, 2));
        assert_eq!(p(" 1000 1000").unwrap().range.resolve(0, 0, 1), (0x1000, 1));
    }

    #[test]
    fn resolve_applies_defaults_and_backwards_counts() {
        assert_eq!(Range::Default.resolve(0x10, 0x80, 1), (0x10, 0x80));
        assert_eq!(Range::Address(0x20).resolve(0x10, 0x20, 4), (0x20, 0x20));
        assert_eq!(Range::Count { addr: 0x2c0005, count: 5, backwards: true }.resolve(0, 0, 1), (0x2c0000, 5));
        assert_eq!(Range::Count { addr: 0x80000000, count: 0x20, backwards: true }.resolve(0, 0, 1), (0x7fffffe0, 0x20));
    }

    #[test]
    fn range_errors_point_at_the_end_of_the_count() {
        // `db @$ip L0xffffffff`: the caret goes under the count's last digit.
        assert_eq!(p(" rsp L0xffffffff"), Err(RangeError::Caret("Range", 15)));
        assert_eq!(parse(" rsp L2000001", &Fake, 8), Err(RangeError::Caret("Range", 12)));
        assert!(parse(" rsp L2000000", &Fake, 8).is_ok());
        assert_eq!(p(" 2000 1000"), Err(RangeError::Caret("Range", 9)));
        assert_eq!(p(" 10 L-20"), Err(RangeError::Caret("Range", 7)));
    }

    #[test]
    fn evaluator_errors_pass_through() {
        assert_eq!(p(" nosuch L1"), Err(RangeError::Eval(EvalError::CouldntResolve("nosuch ".into()))));
        assert!(matches!(p(" rsp L"), Err(RangeError::Caret("Syntax", 5))));
        assert!(matches!(p(" rsp L nosuch"), Err(RangeError::Eval(EvalError::CouldntResolve(_)))));
    }

    #[test]
    fn stray_text_after_a_range() {
        assert_eq!(p(" rsp L8 9"), Err(RangeError::Caret("Extra character", 7)));
        assert_eq!(p(" 1000 2000 3000"), Err(RangeError::Caret("Extra character", 10)));
    }
}
