//! WinDbg's MASM expression evaluator (64-bit target), as used by `?`, `bp`, `u`, `d*`, `r x=...`.
//!
//! Reference: `windbg-formats.md` §15 (the `?` command and MASM rules), §19 (error texts),
//! §8.4 (pseudo-registers), §11.1 (ranges) and §2.1 (bp address forms).
//!
//! # Grammar (precedence high → low)
//!
//! | level | operators |
//! |---|---|
//! | unary | `+ - not hi low by wo dwo qwo poi` and the physical forms `pby pwo pdw(o) pqo/pqwo`, `$pby $pwo $pdwo $pqwo $ppoi` |
//! | multiplicative | `* / mod %` |
//! | additive | `+ -` |
//! | shift | `<< >> >>>` |
//! | comparison | `= == < > <= >= !=` (result 1 or 0) |
//! | and | `and &` |
//! | xor | `xor ^` |
//! | or | `or \|` |
//!
//! Binary operators of equal precedence associate left to right. Unary operators bind tighter
//! than any binary operator, so `poi rsp+8` is `(poi rsp)+8`. All arithmetic is wrapping
//! unsigned 64-bit (`/`, `mod` and the comparisons are unsigned; MASM "treats all numbers as
//! ULONG64"). `>>` is a logical shift. `>>>` is *also* a logical shift here: the Microsoft docs
//! call it "arithmetic right shift", but the reference value we reproduce (§15.2, from
//! DbgEng-derived tests) is `-8 >>> 2` = `0x3FFFFFFFFFFFFFFE`, which only a logical shift gives.
//! Shift counts are taken modulo 64 (what the x64 `shl`/`shr` instructions do).
//!
//! # Terms
//!
//! * Numbers: default radix 16; `0x` hex, `0n` decimal, `0t` octal, `0y` binary (prefix alone =
//!   0), suffix `h` hex; backtick is a digit separator (`00007ff6`7762b890`, `1`` = 1) but may
//!   not start a number. A word made only of hex digits (optionally + `h`) is a **number first**:
//!   `a` = 10, `ah` = 10, `add` = 0xadd (use `@ah` for the register).
//! * `@name` — register or pseudo-register only (`@rip`, `@$ip`, `@$t0`); unknown →
//!   "Bad register error". `$name` — pseudo-register (then symbol); unknown → "Bad register error".
//! * `module!symbol`, `!symbol`, `Class::member`, templates `ns::f<int>`, destructors `A::~A`,
//!   `` mod!`anonymous namespace'::f ``, `mod!operator new`, `mod!operator new[]`,
//!   `mod!operator delete`, `A::operator==` … — symbols only. `@!"any text"` is a quoted symbol.
//! * A plain word: the common x64 registers (`rax`…`r15`, `rip`, `efl`, and the x86 names
//!   `eax`…`eip`) are tried as registers first; then the word is looked up as a symbol (a bare
//!   module name gives its base); finally as a less common register (`r8d`, `cl`, `cs`, …).
//!   This is the order the Microsoft "Register Syntax" page documents.
//! * `.` — the current instruction pointer.
//! * `` `[[Module!]Filename][:LineNumber]` `` — a source line, via [`EvalContext::source_line`]
//!   (line decimal unless `0x`); a backtick with no closing one is `Syntax error at '`1'`.
//! * `( … )`, `@@masm( … )`. (`@@c++( … )` is not supported and gives a syntax error.)
//! * Functions: `$vvalid(addr, len)`, `$iment(base)`, `$scmp("a", "b")`, `$sicmp("a", "b")`,
//!   `$spat("string", "pattern")` (strings: `"…"` with C escapes, or `@"…"` literal).
//!
//! # Errors
//!
//! Evaluator errors print as `<Kind> error at '<rest>'` (no caret) — see [`EvalError`]. `<rest>`
//! is the text from the start of the offending token to the end of the expression's *region*:
//! for [`evaluate`] that is the end of the text; for [`evaluate_prefix`] it is where the next
//! token after the expression starts (so the expression's trailing blanks are included, exactly
//! as in `dd KiGlobalTimerResolutionRequests L1` → `Couldn't resolve error at
//! 'KiGlobalTimerResolutionRequests '`). An empty rest prints as `<EOL>`. When parsing cannot
//! finish (a syntax error), the region is the whole remaining text.
//!
//! As in DbgEng, which evaluates while it parses, the *first* error in left-to-right order wins:
//! an unresolved symbol before a later syntax error reports the symbol.

/// What the evaluator needs from the debugger. All lookups are case-insensitive on the caller side.
pub trait EvalContext {
    /// Register or pseudo-register by name without '@' (e.g. "rax", "eax", "al", "r8d", "rip",
    /// "$ip", "$t0", "$peb"). None = no such register.
    fn register(&self, name: &str) -> Option<u64>;
    /// Symbol by name: "module!symbol", "symbol", or a bare module name (→ its base).
    /// None = unresolved. (`!symbol` is passed without its leading `!`.)
    fn symbol(&self, name: &str) -> Option<u64>;
    /// Read `size` (1,2,4,8) bytes little-endian; None if unreadable.
    fn read_memory(&self, addr: u64, size: usize) -> Option<u64>;
    /// Current instruction pointer (for `.`).
    fn current_ip(&self) -> u64;
    /// Source-line expression `` `[[Module!]Filename][:LineNumber]` `` → address of the code for
    /// that line. `module`/`file` are `None`/empty when omitted (current module / current file);
    /// `line` is `None` when omitted (start of the file's code). Default: no line information.
    fn source_line(&self, module: Option<&str>, file: &str, line: Option<u64>) -> Option<u64> {
        let _ = (module, file, line);
        None
    }
}

/// An evaluator error. `Display` gives WinDbg's exact text (evaluator family, no caret), e.g.
/// `Couldn't resolve error at 'kernel32!GetProcAddress'`. The `String` is the quoted part
/// (`<EOL>` when nothing is left).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// `Couldn't resolve error at '<rest>'` — unknown symbol / module.
    #[error("Couldn't resolve error at '{0}'")]
    CouldntResolve(String),
    /// `Syntax error at '<rest>'` — leading backtick, bad number, missing `)`, unknown character.
    #[error("Syntax error at '{0}'")]
    Syntax(String),
    /// `Numeric expression missing from '<rest>'` — a term was expected (`1+`, `*1`, empty text).
    #[error("Numeric expression missing from '{0}'")]
    NumericMissing(String),
    /// `Bad register error at '<rest>'` — `@foo`, unknown `$pseudo`.
    #[error("Bad register error at '{0}'")]
    BadRegister(String),
    /// `Memory access error at '<rest>'` — `poi`/`by`/… on unreadable memory; the quoted part
    /// starts at the operand (`poi 1` → `'1'`).
    #[error("Memory access error at '{0}'")]
    MemoryAccess(String),
    /// `Divide by zero error at '<rest>'` — `/`, `%` or `mod` by zero; quoted from the divisor.
    #[error("Divide by zero error at '{0}'")]
    DivideByZero(String),
    /// `Overflow error at '<rest>'` — a number literal that does not fit in 64 bits.
    #[error("Overflow error at '{0}'")]
    Overflow(String),
    /// Only from [`evaluate`]: the expression ended but text remains. Carries the byte index
    /// (in the evaluated text) of the first extra character. WinDbg prints this one in the
    /// command (caret) family: `<spaces>^ Extra character error in '<command>'`; build it with
    /// [`caret_error`] and [`EvalError::kind`].
    #[error("Extra character error")]
    ExtraCharacter(usize),
}

impl EvalError {
    /// The `<Kind>` word(s) WinDbg uses for this error, for the caret form
    /// `^ <Kind> error in '<command>'` (see [`caret_error`]).
    pub fn kind(&self) -> &'static str {
        match self {
            EvalError::CouldntResolve(_) => "Couldn't resolve",
            EvalError::Syntax(_) => "Syntax",
            EvalError::NumericMissing(_) => "Numeric expression missing",
            EvalError::BadRegister(_) => "Bad register",
            EvalError::MemoryAccess(_) => "Memory access",
            EvalError::DivideByZero(_) => "Divide by zero",
            EvalError::Overflow(_) => "Overflow",
            EvalError::ExtraCharacter(_) => "Extra character",
        }
    }
}

/// Command-parser (caret) error line, §19.2: `caret_index` is the index in `command` of the last
/// character consumed; the caret goes in column `prompt_len + caret_index`.
/// `caret_error(7, 4, "Syntax", "r rsp+28")` → `"           ^ Syntax error in 'r rsp+28'"`.
pub fn caret_error(prompt_len: usize, caret_index: usize, kind: &str, command: &str) -> String {
    format!(
        "{}^ {} error in '{}'",
        " ".repeat(prompt_len + caret_index),
        kind,
        command
    )
}

/// Evaluate a whole MASM expression. Leading/trailing blanks are allowed; anything else left
/// over is [`EvalError::ExtraCharacter`] (index of the first extra character).
pub fn evaluate(text: &str, ctx: &dyn EvalContext) -> Result<u64, EvalError> {
    run(text, ctx, true).map(|(v, _)| v)
}

/// Parse the longest expression at the start of `text` and return its value and the number of
/// bytes consumed: the index just past the expression's last character (leading blanks counted,
/// trailing blanks not). The expression ends where the next token cannot continue it:
/// `rsp L8` → `rsp`, `rsp L?10` → `rsp`, `addr "cmd"` → `addr`,
/// ``00007ff6`0fb61e90 windbg_leak!overflowTest`` → the first address.
pub fn evaluate_prefix(text: &str, ctx: &dyn EvalContext) -> Result<(u64, usize), EvalError> {
    run(text, ctx, false)
}

/// `Evaluate expression: <signed decimal> = <hhhhhhhh`hhhhhhhh>` (§15.1).
pub fn format_evaluate(value: u64) -> String {
    format!(
        "Evaluate expression: {} = {}",
        value as i64,
        format_address(value)
    )
}

/// A 64-bit address as WinDbg prints it: 16 lower-case hex digits with a backtick after the
/// first 8 (`00007ff6`7762b890`).
pub fn format_address(value: u64) -> String {
    format!("{:08x}`{:08x}", value >> 32, value & 0xffff_ffff)
}

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

/// Deepest nesting of parentheses / unary operators accepted (guards the native stack).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resolve,
    Syntax,
    Missing,
    BadReg,
    Memory,
    DivZero,
    Overflow,
}

/// An error with the byte position its quoted text starts at.
#[derive(Debug, Clone, Copy)]
struct Fail {
    kind: Kind,
    pos: usize,
}

type PResult = Result<u64, Fail>;

fn run(text: &str, ctx: &dyn EvalContext, whole: bool) -> Result<(u64, usize), EvalError> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        last_end: 0,
        ctx,
        first: None,
        depth: 0,
    };
    p.skip_ws();
    let result = p.parse_expr();
    let len = text.len();
    match result {
        Err(f) => {
            // An evaluation error recorded earlier in the text wins over the syntax error.
            let f = p.first.unwrap_or(f);
            Err(make_error(text, f, len))
        }
        Ok(v) => {
            let end = p.last_end;
            p.skip_ws();
            let next = p.pos;
            if whole {
                if let Some(f) = p.first {
                    return Err(make_error(text, f, len));
                }
                if next < len {
                    return Err(EvalError::ExtraCharacter(next));
                }
            } else if let Some(f) = p.first {
                return Err(make_error(text, f, next));
            }
            Ok((v, end))
        }
    }
}

fn make_error(text: &str, f: Fail, region_end: usize) -> EvalError {
    let end = region_end.max(f.pos).min(text.len());
    let rest = text.get(f.pos..end).unwrap_or("");
    let rest = if rest.is_empty() {
        "<EOL>".to_string()
    } else {
        rest.to_string()
    };
    match f.kind {
        Kind::Resolve => EvalError::CouldntResolve(rest),
        Kind::Syntax => EvalError::Syntax(rest),
        Kind::Missing => EvalError::NumericMissing(rest),
        Kind::BadReg => EvalError::BadRegister(rest),
        Kind::Memory => EvalError::MemoryAccess(rest),
        Kind::DivZero => EvalError::DivideByZero(rest),
        Kind::Overflow => EvalError::Overflow(rest),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinOp {
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    Shl,
    Shr,
    Sar,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Xor,
    Or,
}

impl BinOp {
    /// Binding strength: higher binds tighter.
    fn level(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Mod => 7,
            BinOp::Add | BinOp::Sub => 6,
            BinOp::Shl | BinOp::Shr | BinOp::Sar => 5,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::And => 3,
            BinOp::Xor => 2,
            BinOp::Or => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unary {
    Not,
    Hi,
    Low,
    Read(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Vvalid,
    Iment,
    Scmp,
    Sicmp,
    Spat,
}

/// Registers that MASM accepts bare *before* trying symbols (docs: "certain very common
/// registers"); any other register name is tried after the symbol lookup.
const COMMON_REGISTERS: &[&str] = &[
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "r8", "r9", "r10", "r11", "r12",
    "r13", "r14", "r15", "efl", "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip",
];

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'?' | b'@' | b'.')
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || matches!(c, b'_' | b'$' | b'?' | b'!' | b'~')
}

fn unary_keyword(word: &str) -> Option<Unary> {
    let w = word.to_ascii_lowercase();
    Some(match w.as_str() {
        "not" => Unary::Not,
        "hi" => Unary::Hi,
        "low" => Unary::Low,
        "by" | "pby" | "$pby" => Unary::Read(1),
        "wo" | "pwo" | "$pwo" => Unary::Read(2),
        "dwo" | "pdw" | "pdwo" | "$pdwo" => Unary::Read(4),
        "qwo" | "pqo" | "pqwo" | "$pqwo" | "poi" | "ppoi" | "$ppoi" => Unary::Read(8),
        _ => return None,
    })
}

fn is_binary_keyword(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "and" | "or" | "xor" | "mod"
    )
}

fn function_keyword(word: &str) -> Option<Func> {
    Some(match word.to_ascii_lowercase().as_str() {
        "$vvalid" => Func::Vvalid,
        "$iment" => Func::Iment,
        "$scmp" => Func::Scmp,
        "$sicmp" => Func::Sicmp,
        "$spat" => Func::Spat,
        _ => return None,
    })
}

/// C++ operator spellings accepted right after `operator` in a symbol name (longest first).
const CPP_OPERATORS: &[&str] = &[
    "->*", "<<=", ">>=", "<=>", "()", "[]", "->", "<<", ">>", "==", "!=", "<=", ">=", "&&", "||",
    "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%", "^", "&",
    "|", "~", "!", "=", "<", ">", ",",
];

/// Parse a number token (no leading backtick). Default radix 16.
fn parse_number(tok: &str) -> Result<u64, Kind> {
    let s: String = tok
        .chars()
        .filter(|&c| c != '`')
        .collect::<String>()
        .to_ascii_lowercase();
    let (radix, digits): (u32, &str) = if let Some(r) = s.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = s.strip_prefix("0n") {
        (10, r)
    } else if let Some(r) = s.strip_prefix("0t") {
        (8, r)
    } else if let Some(r) = s.strip_prefix("0y") {
        (2, r)
    } else if s.len() > 1 && s.ends_with('h') {
        (16, &s[..s.len() - 1])
    } else {
        (16, s.as_str())
    };
    if digits.is_empty() && s.len() < 2 {
        return Err(Kind::Syntax);
    }
    let mut v: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(Kind::Syntax)?;
        v = v
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(d as u64))
            .ok_or(Kind::Overflow)?;
    }
    Ok(v)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Index just past the last character of the last token consumed.
    last_end: usize,
    ctx: &'a dyn EvalContext,
    /// First evaluation (non-syntax) error; parsing continues to find the expression's extent.
    first: Option<Fail>,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.text.get(a..b).unwrap_or("")
    }

    fn consume_to(&mut self, end: usize) {
        self.pos = end;
        self.last_end = end;
    }

    fn fail(&self, kind: Kind, pos: usize) -> Fail {
        Fail { kind, pos }
    }

    /// Record an evaluation error (first one wins) and keep parsing with a dummy value.
    fn soft(&mut self, kind: Kind, pos: usize) -> u64 {
        if self.first.is_none() {
            self.first = Some(Fail { kind, pos });
        }
        0
    }

    fn failed(&self) -> bool {
        self.first.is_some()
    }

    fn read(&mut self, addr: u64, size: usize, pos: usize) -> u64 {
        if self.failed() {
            return 0;
        }
        match self.ctx.read_memory(addr, size) {
            Some(v) => mask(v, size),
            None => self.soft(Kind::Memory, pos),
        }
    }

    // ---- binary levels -----------------------------------------------------------------------

    fn parse_expr(&mut self) -> PResult {
        self.parse_binary(1)
    }

    fn parse_binary(&mut self, min_level: u8) -> PResult {
        let mut lhs = self.parse_unary()?;
        loop {
            let save = self.pos;
            self.skip_ws();
            let Some((op, len)) = self.peek_binop() else {
                self.pos = save;
                return Ok(lhs);
            };
            let level = op.level();
            if level < min_level {
                self.pos = save;
                return Ok(lhs);
            }
            self.consume_to(self.pos + len);
            self.skip_ws();
            let rhs_pos = self.pos;
            let rhs = self.parse_binary(level + 1)?;
            lhs = self.apply(op, lhs, rhs, rhs_pos);
        }
    }

    fn apply(&mut self, op: BinOp, l: u64, r: u64, rhs_pos: usize) -> u64 {
        match op {
            BinOp::Mul => l.wrapping_mul(r),
            BinOp::Div | BinOp::Mod => {
                if r == 0 {
                    self.soft(Kind::DivZero, rhs_pos)
                } else if op == BinOp::Div {
                    l / r
                } else {
                    l % r
                }
            }
            BinOp::Add => l.wrapping_add(r),
            BinOp::Sub => l.wrapping_sub(r),
            BinOp::Shl => l.wrapping_shl((r & 63) as u32),
            // Both right shifts are logical; see the module docs (`-8 >>> 2` = 0x3FFFFFFFFFFFFFFE).
            BinOp::Shr | BinOp::Sar => l.wrapping_shr((r & 63) as u32),
            BinOp::Eq => (l == r) as u64,
            BinOp::Ne => (l != r) as u64,
            BinOp::Lt => (l < r) as u64,
            BinOp::Gt => (l > r) as u64,
            BinOp::Le => (l <= r) as u64,
            BinOp::Ge => (l >= r) as u64,
            BinOp::And => l & r,
            BinOp::Xor => l ^ r,
            BinOp::Or => l | r,
        }
    }

    /// Binary operator at the current position (no whitespace skipping): (op, length).
    fn peek_binop(&self) -> Option<(BinOp, usize)> {
        let c = self.peek()?;
        let c1 = self.at(self.pos + 1);
        let c2 = self.at(self.pos + 2);
        Some(match c {
            b'*' => (BinOp::Mul, 1),
            b'/' => (BinOp::Div, 1),
            b'%' => (BinOp::Mod, 1),
            b'+' => (BinOp::Add, 1),
            b'-' => (BinOp::Sub, 1),
            b'<' => match c1 {
                Some(b'<') => (BinOp::Shl, 2),
                Some(b'=') => (BinOp::Le, 2),
                _ => (BinOp::Lt, 1),
            },
            b'>' => match (c1, c2) {
                (Some(b'>'), Some(b'>')) => (BinOp::Sar, 3),
                (Some(b'>'), _) => (BinOp::Shr, 2),
                (Some(b'='), _) => (BinOp::Ge, 2),
                _ => (BinOp::Gt, 1),
            },
            b'=' => match c1 {
                Some(b'=') => (BinOp::Eq, 2),
                _ => (BinOp::Eq, 1),
            },
            b'!' => match c1 {
                Some(b'=') => (BinOp::Ne, 2),
                _ => return None,
            },
            b'&' => (BinOp::And, 1),
            b'^' => (BinOp::Xor, 1),
            b'|' => (BinOp::Or, 1),
            c if c.is_ascii_alphabetic() => {
                let mut e = self.pos;
                while matches!(self.at(e), Some(c) if c.is_ascii_alphabetic()) {
                    e += 1;
                }
                // The word must end here (`order` is not `or`, `and!x` is not `and`).
                if matches!(self.at(e), Some(c) if is_word_char(c) || c == b'!' || c == b':' || c == b'`')
                {
                    return None;
                }
                let w = self.slice(self.pos, e).to_ascii_lowercase();
                let op = match w.as_str() {
                    "mod" => BinOp::Mod,
                    "and" => BinOp::And,
                    "xor" => BinOp::Xor,
                    "or" => BinOp::Or,
                    _ => return None,
                };
                (op, e - self.pos)
            }
            _ => return None,
        })
    }

    // ---- unary level and terms ---------------------------------------------------------------

    fn parse_unary(&mut self) -> PResult {
        self.skip_ws();
        if self.depth >= MAX_DEPTH {
            return Err(self.fail(Kind::Syntax, self.pos));
        }
        self.depth += 1;
        let r = self.parse_unary_inner();
        self.depth -= 1;
        r
    }

    fn parse_unary_inner(&mut self) -> PResult {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.fail(Kind::Missing, start));
        };
        match c {
            b'+' => {
                self.consume_to(start + 1);
                self.parse_unary()
            }
            b'-' => {
                self.consume_to(start + 1);
                Ok(self.parse_unary()?.wrapping_neg())
            }
            b'(' => {
                self.consume_to(start + 1);
                self.parse_paren_rest()
            }
            b'.' => {
                if matches!(self.at(start + 1), Some(c) if is_word_char(c)) {
                    return Err(self.fail(Kind::Syntax, start));
                }
                self.consume_to(start + 1);
                Ok(self.ctx.current_ip())
            }
            b'@' => self.parse_at(),
            b'`' => self.parse_source_line(),
            b'\'' => self.parse_char_constant(),
            b'0'..=b'9' => self.parse_number_token(),
            c if is_word_start(c) => self.parse_word(),
            b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'&' | b'^' | b'|' | b')' => {
                Err(self.fail(Kind::Missing, start))
            }
            _ => Err(self.fail(Kind::Syntax, start)),
        }
    }

    /// A character constant: `'A'` = 0x41, up to 8 characters, the first one in the most
    /// significant byte (`'TAG1'` = 0x54414731), as MASM reads them.
    fn parse_char_constant(&mut self) -> PResult {
        let start = self.pos;
        let Some(end) = self.find_byte(start + 1, b'\'') else {
            return Err(self.fail(Kind::Syntax, start));
        };
        let body = &self.text.as_bytes()[start + 1..end];
        if body.is_empty() || body.len() > 8 {
            return Err(self.fail(Kind::Syntax, start));
        }
        self.consume_to(end + 1);
        Ok(body.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
    }

    /// After `(`: expression then `)`.
    fn parse_paren_rest(&mut self) -> PResult {
        let v = self.parse_expr()?;
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.consume_to(self.pos + 1);
            Ok(v)
        } else {
            Err(self.fail(Kind::Syntax, self.pos))
        }
    }

    fn parse_at(&mut self) -> PResult {
        let start = self.pos;
        let mut i = start + 1;
        match self.at(i) {
            Some(b'@') => {
                // @@masm( ... ), @@c++( ... ), @@( ... )
                i += 1;
                let mut e = i;
                while matches!(self.at(e), Some(c) if c.is_ascii_alphanumeric() || c == b'+') {
                    e += 1;
                }
                let which = self.slice(i, e).to_ascii_lowercase();
                if which == "masm" && self.at(e) == Some(b'(') {
                    self.consume_to(e + 1);
                    return self.parse_paren_rest();
                }
                Err(self.fail(Kind::Syntax, start))
            }
            Some(b'!') => {
                // @!"symbol text"
                if self.at(i + 1) != Some(b'"') {
                    return Err(self.fail(Kind::Syntax, start));
                }
                let open = i + 1;
                let Some(close) = self.find_byte(open + 1, b'"') else {
                    return Err(self.fail(Kind::Syntax, start));
                };
                let name = self.slice(open + 1, close);
                self.consume_to(close + 1);
                if self.failed() {
                    return Ok(0);
                }
                Ok(match self.ctx.symbol(name) {
                    Some(v) => v,
                    None => self.soft(Kind::Resolve, start),
                })
            }
            _ => {
                while matches!(self.at(i), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
                {
                    i += 1;
                }
                let name = self.slice(start + 1, i);
                self.consume_to(i);
                if self.failed() {
                    return Ok(0);
                }
                if name.is_empty() {
                    return Ok(self.soft(Kind::BadReg, start));
                }
                Ok(match self.ctx.register(name) {
                    Some(v) => v,
                    None => self.soft(Kind::BadReg, start),
                })
            }
        }
    }

    /// `` `[[Module!]Filename][:LineNumber]` ``. A backtick without a closing one is a syntax
    /// error (`` `1 `` → `Syntax error at '`1'`). The line number is decimal unless `0x`.
    fn parse_source_line(&mut self) -> PResult {
        let start = self.pos;
        let close = match self.find_byte(start + 1, b'`') {
            Some(c) if !self.slice(start + 1, c).contains(['"', ';', '\n', '\r']) => c,
            _ => return Err(self.fail(Kind::Syntax, start)),
        };
        let spec = self.slice(start + 1, close);
        let (module, rest) = match spec.split_once('!') {
            Some((m, r)) => (Some(m), r),
            None => (None, spec),
        };
        // The line number follows the last ':' (a drive letter's ':' is followed by '\\' or '/').
        let (file, line) = match rest.rsplit_once(':') {
            Some((f, l)) if !l.starts_with(['\\', '/']) => {
                let l = l.trim();
                let parsed = if let Some(h) = l.strip_prefix("0x").or_else(|| l.strip_prefix("0X"))
                {
                    u64::from_str_radix(h, 16).ok()
                } else {
                    l.parse::<u64>().ok()
                };
                match parsed {
                    Some(n) => (f, Some(n)),
                    None => return Err(self.fail(Kind::Syntax, start)),
                }
            }
            _ => (rest, None),
        };
        self.consume_to(close + 1);
        if self.failed() {
            return Ok(0);
        }
        Ok(match self.ctx.source_line(module, file, line) {
            Some(v) => v,
            None => self.soft(Kind::Resolve, start),
        })
    }

    fn find_byte(&self, from: usize, byte: u8) -> Option<usize> {
        self.b
            .get(from..)?
            .iter()
            .position(|&c| c == byte)
            .map(|p| p + from)
    }

    /// A token starting with a digit.
    fn parse_number_token(&mut self) -> PResult {
        let start = self.pos;
        let mut e = start;
        while matches!(self.at(e), Some(c) if c.is_ascii_alphanumeric() || c == b'`') {
            e += 1;
        }
        // `7zip!main`: a module whose name starts with a digit.
        if self.at(e) == Some(b'!') || (self.at(e) == Some(b'_')) {
            return self.parse_word();
        }
        let tok = self.slice(start, e);
        self.consume_to(e);
        match parse_number(tok) {
            Ok(v) => Ok(v),
            Err(Kind::Overflow) => Ok(self.soft(Kind::Overflow, start)),
            Err(k) => Err(self.fail(k, start)),
        }
    }

    /// End of a word that is a hex number (`a`, `ah`, `dead`beef`), if the whole word is one.
    fn hex_word_end(&self, start: usize) -> Option<usize> {
        if !matches!(self.at(start), Some(c) if c.is_ascii_hexdigit()) {
            return None;
        }
        let mut e = start;
        while matches!(self.at(e), Some(c) if c.is_ascii_hexdigit() || c == b'`') {
            e += 1;
        }
        if matches!(self.at(e), Some(b'h' | b'H')) {
            e += 1;
        }
        let continues = match self.at(e) {
            Some(c) if is_word_char(c) || c == b'!' || c == b'~' => true,
            Some(b':') => self.at(e + 1) == Some(b':'),
            _ => false,
        };
        if continues { None } else { Some(e) }
    }

    /// Scan a symbol-ish word starting at `start`. Returns (end, name, qualified) where
    /// `qualified` means it contains `!`, `::` or other C++ decoration, so it can only be a symbol.
    fn scan_word(&self, start: usize, allow_template: bool) -> (usize, String, bool) {
        let mut i = start;
        let mut bang = false;
        let mut qualified = false;
        let mut name = String::new();
        if self.at(i) == Some(b'!') {
            bang = true;
            qualified = true;
            i += 1;
        }
        let mut seg_start = i; // start of the current name segment (after `!` or `::`)
        while let Some(c) = self.at(i) {
            if is_word_char(c) {
                i += 1;
            } else if c == b'!' && !bang {
                bang = true;
                qualified = true;
                i += 1;
                seg_start = i;
            } else if c == b':' && self.at(i + 1) == Some(b':') {
                qualified = true;
                i += 2;
                seg_start = i;
            } else if c == b'~' {
                qualified = true;
                i += 1;
            } else if bang && c == b'`' {
                // `anonymous namespace' / `string': quoted segment, may contain blanks.
                match self.find_byte(i + 1, b'\'') {
                    Some(q) if !self.slice(i + 1, q).contains(['"', ';', '`']) => i = q + 1,
                    _ => i += 1,
                }
            } else if bang && c == b'\'' {
                i += 1;
            } else if c == b'<' && allow_template && qualified {
                match self.template_end(i) {
                    Some(e) => i = e,
                    None => break,
                }
            } else {
                break;
            }
            // `operator` + C++ operator spelling.
            if self.slice(seg_start, i) == "operator"
                && !matches!(self.at(i), Some(c) if is_word_char(c))
                && let Some(e) = self.operator_suffix(i, &mut name, start)
            {
                return (e, name, true);
            }
        }
        name.push_str(self.slice(start, i));
        (i, name, qualified)
    }

    /// After `...operator` at `i`: `new`, `new[]`, `delete`, `delete[]` (after blanks) or an
    /// operator spelling directly. Fills `name` with the normalised symbol text.
    fn operator_suffix(&self, i: usize, name: &mut String, start: usize) -> Option<usize> {
        let rest = self.text.get(i..)?;
        for op in CPP_OPERATORS {
            if rest.starts_with(op) {
                // `operator<` followed by a template argument list is left alone.
                name.push_str(self.slice(start, i + op.len()));
                return Some(i + op.len());
            }
        }
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let blanks = rest.len() - trimmed.len();
        if blanks == 0 {
            return None;
        }
        for word in ["new", "delete"] {
            if let Some(after) = trimmed.strip_prefix(word) {
                if matches!(after.bytes().next(), Some(c) if is_word_char(c)) {
                    continue;
                }
                let mut e = i + blanks + word.len();
                let mut text = format!("{} {}", self.slice(start, i), word);
                if after.starts_with("[]") {
                    e += 2;
                    text.push_str("[]");
                }
                name.push_str(&text);
                return Some(e);
            }
        }
        None
    }

    /// Balanced `<...>` starting at `i` (which holds `<`); returns the index after the matching `>`.
    fn template_end(&self, i: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut j = i;
        while let Some(c) = self.at(j) {
            match c {
                b'<' => depth += 1,
                b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                b'"' | b';' | b'\n' | b'\r' => return None,
                _ => {}
            }
            j += 1;
        }
        None
    }

    fn parse_word(&mut self) -> PResult {
        let start = self.pos;
        if let Some(e) = self.hex_word_end(start) {
            let tok = self.slice(start, e);
            self.consume_to(e);
            return match parse_number(tok) {
                Ok(v) => Ok(v),
                Err(Kind::Overflow) => Ok(self.soft(Kind::Overflow, start)),
                Err(k) => Err(self.fail(k, start)),
            };
        }
        let (end, name, qualified) = self.scan_word(start, true);
        if end == start {
            return Err(self.fail(Kind::Syntax, start));
        }
        if qualified {
            self.consume_to(end);
            if self.failed() {
                return Ok(0);
            }
            let lookup = name.strip_prefix('!').unwrap_or(&name);
            if let Some(v) = self.ctx.symbol(lookup) {
                return Ok(v);
            }
            // `mod!a<b>...` that is really a comparison: retry without the template glue.
            let (end2, name2, _) = self.scan_word(start, false);
            if end2 != end {
                let lookup2 = name2.strip_prefix('!').unwrap_or(&name2);
                if let Some(v) = self.ctx.symbol(lookup2) {
                    self.consume_to(end2);
                    return Ok(v);
                }
            }
            return Ok(self.soft(Kind::Resolve, start));
        }
        if let Some(op) = unary_keyword(&name) {
            self.consume_to(end);
            self.skip_ws();
            let operand_pos = self.pos;
            let v = self.parse_unary()?;
            return Ok(match op {
                Unary::Not => (v == 0) as u64,
                Unary::Hi => (v >> 16) & 0xffff,
                Unary::Low => v & 0xffff,
                Unary::Read(size) => self.read(v, size, operand_pos),
            });
        }
        if is_binary_keyword(&name) {
            return Err(self.fail(Kind::Missing, start));
        }
        if let Some(func) = function_keyword(&name) {
            let mut j = end;
            while matches!(self.at(j), Some(c) if c.is_ascii_whitespace()) {
                j += 1;
            }
            if self.at(j) == Some(b'(') {
                self.consume_to(j + 1);
                return self.parse_function(func);
            }
        }
        self.consume_to(end);
        if self.failed() {
            return Ok(0);
        }
        if name.starts_with('$') {
            if let Some(v) = self.ctx.register(&name) {
                return Ok(v);
            }
            if let Some(v) = self.ctx.symbol(&name) {
                return Ok(v);
            }
            return Ok(self.soft(Kind::BadReg, start));
        }
        let common = COMMON_REGISTERS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&name));
        if common && let Some(v) = self.ctx.register(&name) {
            return Ok(v);
        }
        if let Some(v) = self.ctx.symbol(&name) {
            return Ok(v);
        }
        if !common && let Some(v) = self.ctx.register(&name) {
            return Ok(v);
        }
        Ok(self.soft(Kind::Resolve, start))
    }

    // ---- $functions --------------------------------------------------------------------------

    /// After `$name(`.
    fn parse_function(&mut self, func: Func) -> PResult {
        let v = match func {
            Func::Vvalid => {
                let addr = self.parse_expr()?;
                self.expect(b',')?;
                let len = self.parse_expr()?;
                self.vvalid(addr, len)
            }
            Func::Iment => {
                self.skip_ws();
                let arg_pos = self.pos;
                let base = self.parse_expr()?;
                self.iment(base, arg_pos)
            }
            Func::Scmp | Func::Sicmp | Func::Spat => {
                let a = self.parse_string()?;
                self.expect(b',')?;
                let b = self.parse_string()?;
                match func {
                    Func::Scmp => ord_value(a.cmp(&b)),
                    Func::Sicmp => ord_value(a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase())),
                    _ => wildcard_match(&a, &b) as u64,
                }
            }
        };
        self.expect(b')')?;
        Ok(v)
    }

    fn expect(&mut self, byte: u8) -> Result<(), Fail> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.consume_to(self.pos + 1);
            Ok(())
        } else {
            Err(self.fail(Kind::Syntax, self.pos))
        }
    }

    /// `"text"` (C escapes) or `@"text"` (literal).
    fn parse_string(&mut self) -> Result<String, Fail> {
        self.skip_ws();
        let start = self.pos;
        let literal = self.peek() == Some(b'@');
        let open = if literal { start + 1 } else { start };
        if self.at(open) != Some(b'"') {
            return Err(self.fail(Kind::Syntax, start));
        }
        let mut out = String::new();
        let mut i = open + 1;
        loop {
            let Some(c) = self.at(i) else {
                return Err(self.fail(Kind::Syntax, start));
            };
            if c == b'"' {
                break;
            }
            if c == b'\\' && !literal {
                let Some(n) = self.at(i + 1) else {
                    return Err(self.fail(Kind::Syntax, start));
                };
                out.push(match n {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'0' => '\0',
                    b'a' => '\x07',
                    b'b' => '\x08',
                    other if other.is_ascii() => other as char,
                    _ => {
                        // Non-ASCII after a backslash: keep the whole character.
                        i += 1;
                        continue;
                    }
                });
                i += 2;
                continue;
            }
            // Copy one (possibly multi-byte) character.
            let ch_len = utf8_len(c);
            out.push_str(self.slice(i, (i + ch_len).min(self.b.len())));
            i += ch_len;
        }
        self.consume_to(i + 1);
        Ok(out)
    }

    fn vvalid(&mut self, addr: u64, len: u64) -> u64 {
        if self.failed() {
            return 0;
        }
        if len == 0 {
            return 1;
        }
        let Some(last) = addr.checked_add(len - 1) else {
            return 0;
        };
        // Probe the first byte, every page start inside, and the last byte.
        const PAGE: u64 = 0x1000;
        const MAX_PROBES: u64 = 1 << 20;
        if (last / PAGE) - (addr / PAGE) > MAX_PROBES {
            return 0;
        }
        if self.ctx.read_memory(addr, 1).is_none() || self.ctx.read_memory(last, 1).is_none() {
            return 0;
        }
        let mut page = (addr / PAGE + 1) * PAGE;
        while page <= last {
            if self.ctx.read_memory(page, 1).is_none() {
                return 0;
            }
            page = match page.checked_add(PAGE) {
                Some(p) => p,
                None => break,
            };
        }
        1
    }

    fn iment(&mut self, base: u64, pos: usize) -> u64 {
        if self.failed() {
            return 0;
        }
        let lfanew = self.read(base.wrapping_add(0x3c), 4, pos);
        if self.failed() {
            return 0;
        }
        let entry = self.read(base.wrapping_add(lfanew).wrapping_add(0x28), 4, pos);
        if self.failed() {
            return 0;
        }
        base.wrapping_add(entry)
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

fn mask(v: u64, size: usize) -> u64 {
    match size {
        1 => v & 0xff,
        2 => v & 0xffff,
        4 => v & 0xffff_ffff,
        _ => v,
    }
}

fn ord_value(o: std::cmp::Ordering) -> u64 {
    match o {
        std::cmp::Ordering::Less => u64::MAX, // -1
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// WinDbg string wildcard syntax (case-insensitive): `*` any run, `?` any one character,
/// `[abc]` / `[a-z]` a set, `#` zero or more of the preceding item, `+` one or more of the
/// preceding item; a backslash makes a following `# ? [ ] * +` literal (and is literal itself
/// before any other character).
fn wildcard_match(s: &str, pat: &str) -> bool {
    #[derive(Debug, Clone)]
    enum Atom {
        Any,
        Star,
        Char(char),
        Set(Vec<(char, char)>),
    }
    #[derive(Debug, Clone)]
    struct Item {
        atom: Atom,
        min: usize,
        many: bool,
    }
    let p: Vec<char> = pat.to_lowercase().chars().collect();
    let mut items: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        i += 1;
        let atom = match c {
            '*' => Atom::Star,
            '?' => Atom::Any,
            '\\' if i < p.len() && matches!(p[i], '#' | '?' | '[' | ']' | '*' | '+') => {
                i += 1;
                Atom::Char(p[i - 1])
            }
            '#' | '+' if !items.is_empty() => {
                if let Some(last) = items.last_mut() {
                    last.many = true;
                    last.min = if c == '#' { 0 } else { 1 };
                }
                continue;
            }
            '[' => {
                let mut ranges = Vec::new();
                while i < p.len() && p[i] != ']' {
                    let lo = p[i];
                    if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                        ranges.push((lo, p[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((lo, lo));
                        i += 1;
                    }
                }
                i += 1; // skip ']'
                Atom::Set(ranges)
            }
            other => Atom::Char(other),
        };
        items.push(Item {
            atom,
            min: 1,
            many: false,
        });
    }
    fn one(atom: &Atom, c: char) -> bool {
        match atom {
            Atom::Any | Atom::Star => true,
            Atom::Char(x) => *x == c,
            Atom::Set(r) => r.iter().any(|&(lo, hi)| lo <= c && c <= hi),
        }
    }
    let s: Vec<char> = s.to_lowercase().chars().collect();
    // Iterative DP over (item index, string index).
    let n = items.len();
    let m = s.len();
    let mut reach = vec![vec![false; m + 1]; n + 1];
    reach[0][0] = true;
    for k in 0..n {
        for j in 0..=m {
            if !reach[k][j] {
                continue;
            }
            let it = &items[k];
            let (min, unbounded) = match it.atom {
                Atom::Star => (0, true),
                _ => (it.min, it.many),
            };
            if min == 0 {
                reach[k + 1][j] = true;
            }
            let mut jj = j;
            let mut count = 0;
            while jj < m && one(&it.atom, s[jj]) {
                jj += 1;
                count += 1;
                if count >= min {
                    reach[k + 1][jj] = true;
                }
                if !unbounded {
                    break;
                }
            }
        }
    }
    reach[n][m]
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fake {
        regs: HashMap<String, u64>,
        syms: HashMap<String, u64>,
        mem: HashMap<u64, u8>,
        ip: u64,
    }

    impl Fake {
        fn new() -> Fake {
            let mut regs = HashMap::new();
            for (k, v) in [
                ("rsp", 0x0000_003c_1e7a_edd8u64),
                ("rip", 0x0000_7ff9_6bb4_0770),
                ("rcx", 0x0000_0267_a06f_0000),
                ("rax", 0x1122_3344_5566_7788),
                ("eax", 0x5566_7788),
                ("ah", 0x77),
                ("al", 0x88),
                ("r10", 0),
                ("r8d", 0x8),
                ("esi", 0x032c_7c68),
                ("$ip", 0x0000_7ff9_6bb4_0770),
                ("$t0", 0x42),
                ("$teb", 0x0000_008e_ed57_b000),
                ("$peb", 0x0000_004a_69bb_6000),
                ("$csp", 0x0000_003c_1e7a_edd8),
            ] {
                regs.insert(k.to_string(), v);
            }
            let mut syms = HashMap::new();
            for (k, v) in [
                ("allocate!alloc_malloc", 0x0000_7ff6_7762_b890u64),
                ("alloc_malloc", 0x0000_7ff6_7762_b890),
                ("allocate", 0x0000_7ff6_7762_0000),
                ("ntdll", 0x0000_7ff8_9f39_0000),
                ("ntdll!rtlallocateheap", 0x0000_7ff8_9f3f_b870),
                ("allocate!operator new", 0x0000_7ff6_7763_0000),
                ("allocate!operator new[]", 0x0000_7ff6_7763_0100),
                ("allocate!operator delete", 0x0000_7ff6_7763_0200),
                ("allocate!foo::operator==", 0x0000_7ff6_7763_0300),
                ("trap!base::base", 0x0000_7ff6_1000_0000),
                ("trap!base::~base", 0x0000_7ff6_1000_0100),
                (
                    "trap!std::vector<int,std::allocator<int> >::push_back",
                    0x0000_7ff6_1000_0200,
                ),
                ("trap!`anonymous namespace'::helper", 0x0000_7ff6_1000_0300),
                ("trap!?foo@@yaxxz", 0x0000_7ff6_1000_0400),
                ("windbg_leak!overflowtest", 0x0000_7ff6_0fb6_1e90),
                ("foo.bar", 0x20),
                ("kernel32", 0x0000_7ff8_9e3b_0000),
                ("main", 0x0000_7ff6_7762_1000),
                ("x", 5),
            ] {
                syms.insert(k.to_string(), v);
            }
            let mut mem = HashMap::new();
            let mut put = |addr: u64, bytes: &[u8]| {
                for (i, b) in bytes.iter().enumerate() {
                    mem.insert(addr + i as u64, *b);
                }
            };
            // CurrentLocale at $teb+0x108 = 0x409 (and the following dword 0).
            put(0x0000_008e_ed57_b108, &[0x09, 0x04, 0, 0, 0, 0, 0, 0]);
            // A pointer on the stack: [rsp] = 00007ff6`7762b890.
            put(
                0x0000_003c_1e7a_edd8,
                &0x0000_7ff6_7762_b890u64.to_le_bytes(),
            );
            // A fake PE header at the allocate base: e_lfanew = 0xf8, AddressOfEntryPoint = 0x1234.
            put(0x0000_7ff6_7762_0000, b"MZ");
            put(0x0000_7ff6_7762_003c, &0xf8u32.to_le_bytes());
            put(0x0000_7ff6_7762_00f8 + 0x28, &0x1234u32.to_le_bytes());
            // A two-page readable range for $vvalid.
            for a in 0x1000_0000u64..0x1000_2000 {
                mem.entry(a).or_insert(0xcc);
            }
            Fake {
                regs,
                syms,
                mem,
                ip: 0x0000_7ff9_6bb4_0770,
            }
        }
    }

    impl EvalContext for Fake {
        fn register(&self, name: &str) -> Option<u64> {
            self.regs.get(&name.to_ascii_lowercase()).copied()
        }
        fn symbol(&self, name: &str) -> Option<u64> {
            self.syms.get(&name.to_ascii_lowercase()).copied()
        }
        fn read_memory(&self, addr: u64, size: usize) -> Option<u64> {
            let mut v = 0u64;
            for i in 0..size {
                let b = *self.mem.get(&addr.checked_add(i as u64)?)?;
                v |= (b as u64) << (8 * i);
            }
            Some(v)
        }
        fn current_ip(&self) -> u64 {
            self.ip
        }
        fn source_line(&self, module: Option<&str>, file: &str, line: Option<u64>) -> Option<u64> {
            match (module, file, line) {
                (None, "main.cpp", Some(19)) => Some(0x0000_7ff6_7762_1900),
                (Some("allocate"), "c:\\src\\main.cpp", Some(0x20)) => Some(0x0000_7ff6_7762_2000),
                (None, "main.cpp", None) => Some(0x0000_7ff6_7762_1000),
                (None, "", Some(5)) => Some(0x0000_7ff6_7762_0500),
                _ => None,
            }
        }
    }

    fn ev(s: &str) -> u64 {
        let f = Fake::new();
        match evaluate(s, &f) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} -> {e}"),
        }
    }

    fn err(s: &str) -> String {
        let f = Fake::new();
        match evaluate(s, &f) {
            Ok(v) => panic!("{s:?} unexpectedly = {v:#x}"),
            Err(e) => e.to_string(),
        }
    }

    fn pre(s: &str) -> (u64, usize) {
        let f = Fake::new();
        match evaluate_prefix(s, &f) {
            Ok(v) => v,
            Err(e) => panic!("{s:?} -> {e}"),
        }
    }

    fn pre_err(s: &str) -> String {
        let f = Fake::new();
        match evaluate_prefix(s, &f) {
            Ok(v) => panic!("{s:?} unexpectedly = {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    // ---- §15.1 output format ------------------------------------------------------------------

    #[test]
    fn section_15_1_examples() {
        assert_eq!(
            format_evaluate(ev("000004e3af90000 - 0000004e3af81000")),
            "Evaluate expression: 61440 = 00000000`0000f000"
        );
        assert_eq!(
            format_evaluate(ev("0000003c1e7b0000 - rsp")),
            "Evaluate expression: 4648 = 00000000`00001228"
        );
        assert_eq!(
            format_evaluate(ev("-0x208")),
            "Evaluate expression: -520 = ffffffff`fffffdf8"
        );
        assert_eq!(
            format_evaluate(ev("@rip")),
            "Evaluate expression: 140709230544752 = 00007ff9`6bb40770"
        );
        assert_eq!(
            format_evaluate(ev("@rip + 8")),
            "Evaluate expression: 140709230544760 = 00007ff9`6bb40778"
        );
    }

    #[test]
    fn format_helpers() {
        assert_eq!(format_address(0x0000_7ff6_7762_b890), "00007ff6`7762b890");
        assert_eq!(format_address(0), "00000000`00000000");
        assert_eq!(format_address(u64::MAX), "ffffffff`ffffffff");
        assert_eq!(
            format_evaluate(0),
            "Evaluate expression: 0 = 00000000`00000000"
        );
        assert_eq!(
            format_evaluate(u64::MAX),
            "Evaluate expression: -1 = ffffffff`ffffffff"
        );
        assert_eq!(
            format_evaluate(0x8000_0000_0000_0000),
            "Evaluate expression: -9223372036854775808 = 80000000`00000000"
        );
        assert_eq!(
            caret_error(7, 4, "Syntax", "r rsp+28"),
            "           ^ Syntax error in 'r rsp+28'"
        );
    }

    // ---- §15.2 MASM rules ---------------------------------------------------------------------

    #[test]
    fn section_15_2_examples() {
        assert_eq!(ev("@r10 + 0x10 + 0t10 + 0y10"), 26);
        assert_eq!(ev("1ah"), 0x1a);
        assert_eq!(ev("00007ff6`7762b890"), 0x0000_7ff6_7762_b890);
        assert_eq!(ev("1`1"), 0x11);
        assert_eq!(ev("1`"), 1);
        assert_eq!(err("`1"), "Syntax error at '`1'");
        assert_eq!(ev("a"), 10);
        assert_eq!(ev("ah"), 10);
        assert_eq!(ev("@ah"), 0x77);
        assert_eq!(ev("rsp"), 0x0000_003c_1e7a_edd8);
        assert_eq!(ev("esi"), 0x032c_7c68);
        assert_eq!(ev("@esi"), 0x032c_7c68);
        assert_eq!(ev("@$peb"), 0x0000_004a_69bb_6000);
        assert_eq!(ev("kernel32"), 0x0000_7ff8_9e3b_0000);
        assert_eq!(ev("."), 0x0000_7ff9_6bb4_0770);
        assert_eq!(ev("allocate!alloc_malloc"), 0x0000_7ff6_7762_b890);
        assert_eq!(ev("allocate!alloc_malloc+0x13"), 0x0000_7ff6_7762_b8a3);
        assert_eq!(ev("ntdll + 0x1000"), 0x0000_7ff8_9f39_1000);
        assert_eq!(ev("ntdll!RtlAllocateHeap"), 0x0000_7ff8_9f3f_b870);
        assert_eq!(ev("NTDLL!rtlallocateheap"), 0x0000_7ff8_9f3f_b870);
        // memory operators (S1 doc examples)
        assert_eq!(
            format_evaluate(ev("@$teb + 0x108")),
            "Evaluate expression: 613867303176 = 0000008e`ed57b108"
        );
        assert_eq!(
            format_evaluate(ev("poi(0000008e`ed57b108)")),
            "Evaluate expression: 1033 = 00000000`00000409"
        );
        assert_eq!(ev("poi(@$teb + 0x108)"), 0x409);
        assert_eq!(
            format_evaluate(ev("by(0000008e`ed57b108)")),
            "Evaluate expression: 9 = 00000000`00000009"
        );
        assert_eq!(ev("wo(0000008e`ed57b108)"), 0x409);
        assert_eq!(ev("dwo(0000008e`ed57b108)"), 0x409);
        assert_eq!(ev("qwo(0000008e`ed57b108)"), 0x409);
        assert_eq!(
            format_evaluate(ev("poi(@$teb + 0x108)==0x409")),
            "Evaluate expression: 1 = 00000000`00000001"
        );
        assert_eq!(ev("-8 >>> 2"), 0x3FFF_FFFF_FFFF_FFFE);
    }

    #[test]
    fn numbers_and_radix() {
        assert_eq!(ev("0x"), 0);
        assert_eq!(ev("0n"), 0);
        assert_eq!(ev("0xa"), 10);
        assert_eq!(ev("0X4aB3"), 0x4ab3);
        assert_eq!(ev("4AB3h"), 0x4ab3);
        assert_eq!(ev("4aB3H"), 0x4ab3);
        assert_eq!(ev("0n10"), 10);
        assert_eq!(ev("0t10"), 8);
        assert_eq!(ev("0y10"), 2);
        assert_eq!(ev("10"), 0x10);
        assert_eq!(ev("0n1`000"), 1000);
        assert_eq!(ev("ffffffff`ffffffff"), u64::MAX);
        assert_eq!(ev("dead`beef"), 0xdead_beef);
        assert_eq!(err("0n1a"), "Syntax error at '0n1a'");
        assert_eq!(err("0t8"), "Syntax error at '0t8'");
        assert_eq!(err("0y2"), "Syntax error at '0y2'");
        assert_eq!(err("12z + 1"), "Syntax error at '12z + 1'");
        assert_eq!(
            err("1ffffffffffffffff"),
            "Overflow error at '1ffffffffffffffff'"
        );
    }

    #[test]
    fn hex_first_rule() {
        assert_eq!(ev("add"), 0xadd);
        assert_eq!(ev("bad"), 0xbad);
        assert_eq!(ev("bh"), 0xb);
        assert_eq!(ev("ch"), 0xc);
        assert_eq!(ev("cafeh"), 0xcafe);
        assert_eq!(ev("f+1"), 0x10);
        // Not hex: register, then symbol.
        assert_eq!(ev("al"), 0x88);
        assert_eq!(ev("r8d"), 8);
        assert_eq!(ev("main"), 0x0000_7ff6_7762_1000);
        // Hex word followed by module separator is a symbol.
        assert_eq!(err("bad!foo"), "Couldn't resolve error at 'bad!foo'");
        assert_eq!(ev("!main"), 0x0000_7ff6_7762_1000);
        // `!` forces a symbol even for a hex-looking name.
        assert_eq!(err("!a"), "Couldn't resolve error at '!a'");
    }

    #[test]
    fn bang_forces_symbol() {
        let f = Fake::new();
        // `!x` is the symbol x (5), not anything else.
        assert_eq!(evaluate("!x", &f), Ok(5));
        assert_eq!(err("!1"), "Couldn't resolve error at '!1'");
        assert_eq!(err("ntdll!1"), "Couldn't resolve error at 'ntdll!1'");
    }

    #[test]
    fn registers_and_pseudo_registers() {
        assert_eq!(ev("rcx"), 0x0000_0267_a06f_0000);
        assert_eq!(ev("RCX"), 0x0000_0267_a06f_0000);
        assert_eq!(ev("@rcx+8"), 0x0000_0267_a06f_0008);
        assert_eq!(ev("$ip"), 0x0000_7ff9_6bb4_0770);
        assert_eq!(ev("@$ip"), 0x0000_7ff9_6bb4_0770);
        assert_eq!(ev("@$t0 * 2"), 0x84);
        assert_eq!(ev("$t0"), 0x42);
        assert_eq!(ev("@$csp"), ev("rsp"));
        assert_eq!(err("@foo"), "Bad register error at '@foo'");
        assert_eq!(err("@foo + 1"), "Bad register error at '@foo + 1'");
        assert_eq!(err("@"), "Bad register error at '@'");
        assert_eq!(err("$s7"), "Bad register error at '$s7'");
        assert_eq!(err("@$s7"), "Bad register error at '@$s7'");
    }

    #[test]
    fn symbols_cpp_names() {
        assert_eq!(ev("foo.bar"), 0x20);
        assert_eq!(ev("allocate!operator new"), 0x0000_7ff6_7763_0000);
        assert_eq!(ev("allocate!operator  new + 4"), 0x0000_7ff6_7763_0004);
        assert_eq!(ev("allocate!operator new[]"), 0x0000_7ff6_7763_0100);
        assert_eq!(ev("allocate!operator delete"), 0x0000_7ff6_7763_0200);
        assert_eq!(ev("allocate!foo::operator=="), 0x0000_7ff6_7763_0300);
        assert_eq!(ev("trap!Base::Base+0x19"), 0x0000_7ff6_1000_0019);
        assert_eq!(ev("trap!Base::~Base"), 0x0000_7ff6_1000_0100);
        assert_eq!(
            ev("trap!std::vector<int,std::allocator<int> >::push_back"),
            0x0000_7ff6_1000_0200
        );
        assert_eq!(
            ev("trap!`anonymous namespace'::helper"),
            0x0000_7ff6_1000_0300
        );
        assert_eq!(ev("trap!?foo@@YAXXZ"), 0x0000_7ff6_1000_0400);
        assert_eq!(ev("@!\"allocate!operator new\""), 0x0000_7ff6_7763_0000);
        assert_eq!(err("@!\"nope\""), "Couldn't resolve error at '@!\"nope\"'");
        // A template-looking comparison falls back to the comparison.
        assert_eq!(ev("allocate!alloc_malloc<5 or rcx>3"), 1);
        assert_eq!(ev("allocate!alloc_malloc < 5"), 0);
    }

    #[test]
    fn precedence() {
        assert_eq!(ev("1+1"), 2);
        assert_eq!(ev("1 + 2 * 3"), 7);
        assert_eq!(ev("(1+1) * 2"), 4);
        assert_eq!(ev("1 + (1 * 2)"), 3);
        assert_eq!(ev("1 + 2 * 3 + 4"), 11);
        assert_eq!(ev("1 + 2 * 3 / 4"), 2);
        assert_eq!(ev("10 - 2 - 3"), 0xb);
        assert_eq!(ev("100 / 10 / 2"), 8);
        assert_eq!(ev("1 << 4 + 1"), 0x20);
        assert_eq!(ev("1 + 1 == 2"), 1);
        assert_eq!(ev("3 & 1 == 1"), 1); // == binds tighter than &
        assert_eq!(ev("1 | 2 ^ 3"), 1 | (2 ^ 3));
        assert_eq!(ev("6 ^ 3 & 1"), 6 ^ (3 & 1));
        assert_eq!(ev("1 or 2"), 3);
        assert_eq!(ev("2 and 6"), 2);
        assert_eq!(ev("6 xor 3"), 5);
        assert_eq!(ev("7 mod 3"), 1);
        assert_eq!(ev("7 % 3"), 1);
        assert_eq!(ev("7 MOD 3"), 1);
        assert_eq!(ev("poi rsp+8"), 0x0000_7ff6_7762_b898); // unary binds tighter
        assert_eq!(ev("poi(rsp)"), 0x0000_7ff6_7762_b890);
        assert_eq!(ev("poi @rsp"), 0x0000_7ff6_7762_b890);
        assert_eq!(ev("-1"), u64::MAX);
        assert_eq!(ev("+1"), 1);
        assert_eq!(ev("+-1"), u64::MAX);
        assert_eq!(ev("--1"), 1);
        assert_eq!(ev("- 8 + 10"), 8);
        assert_eq!(ev("not 0"), 1);
        assert_eq!(ev("not 5"), 0);
        assert_eq!(ev("not 0 + 1"), 2);
        assert_eq!(ev("hi 12345678"), 0x1234);
        assert_eq!(ev("low 12345678"), 0x5678);
        assert_eq!(ev("by rsp"), 0x90);
        assert_eq!(ev("wo(rsp)"), 0xb890);
        assert_eq!(ev("dwo(rsp)"), 0x7762_b890);
        assert_eq!(ev("pby rsp"), 0x90);
        assert_eq!(ev("$ppoi rsp"), 0x0000_7ff6_7762_b890);
    }

    #[test]
    fn comparisons_and_shifts() {
        assert_eq!(ev("1 = 1"), 1);
        assert_eq!(ev("1 == 2"), 0);
        assert_eq!(ev("1 != 2"), 1);
        assert_eq!(ev("1 < 2"), 1);
        assert_eq!(ev("2 > 1"), 1);
        assert_eq!(ev("2 <= 2"), 1);
        assert_eq!(ev("2 >= 3"), 0);
        assert_eq!(ev("-1 > 0"), 1); // unsigned
        assert_eq!(ev("1 << 3"), 8);
        assert_eq!(ev("-8 >> 2"), 0x3FFF_FFFF_FFFF_FFFE);
        assert_eq!(ev("80 >>> 4"), 8);
        assert_eq!(ev("1 << 0n64"), 1); // count mod 64
        assert_eq!(ev("ffffffff`ffffffff + 2"), 1); // wrapping
        assert_eq!(ev("2 * 80000000`00000000"), 0);
        assert_eq!(ev("-8 / 2"), 0x7FFF_FFFF_FFFF_FFFC); // unsigned division
    }

    #[test]
    fn functions() {
        assert_eq!(ev("$scmp(\"abc\", \"abd\")"), u64::MAX);
        assert_eq!(ev("$scmp(\"abc\", \"abc\")"), 0);
        assert_eq!(ev("$scmp(\"b\", \"a\")"), 1);
        assert_eq!(ev("$sicmp(\"ABC\", \"abc\")"), 0);
        assert_eq!(ev("$spat(\"kernel32.dll\", \"KERNEL*\")"), 1);
        assert_eq!(ev("$spat(\"kernel32.dll\", \"ntdll*\")"), 0);
        assert_eq!(ev("$spat(\"abc\", \"a?c\")"), 1);
        assert_eq!(ev("$spat(\"a1c\", \"a[0-9]c\")"), 1);
        assert_eq!(ev("$spat(@\"c:\\dir\\x\", @\"c:\\dir*\")"), 1);
        assert_eq!(ev("$spat(\"a*b\", \"a\\\\*b\")"), 1); // pattern a\*b: literal star
        assert_eq!(ev("$spat(\"axb\", \"a\\\\*b\")"), 0);
        assert_eq!(ev("$vvalid(10000000, 2000)"), 1);
        assert_eq!(ev("$vvalid(10000000, 2001)"), 0);
        assert_eq!(ev("$vvalid(0, 0)"), 1);
        assert_eq!(ev("$iment(allocate)"), 0x0000_7ff6_7762_1234);
        assert_eq!(err("$iment(1)"), "Memory access error at '1)'");
        assert_eq!(err("$scmp(\"a\" \"b\")"), "Syntax error at '\"b\")'");
        assert_eq!(ev("@@masm(1+2)*2"), 6);
        assert_eq!(err("@@c++(1)"), "Syntax error at '@@c++(1)'");
    }

    // ---- §15.3 / §19 error texts --------------------------------------------------------------

    #[test]
    fn error_texts() {
        assert_eq!(
            err("kernel32!GetProcAddress"),
            "Couldn't resolve error at 'kernel32!GetProcAddress'"
        );
        assert_eq!(err("foo"), "Couldn't resolve error at 'foo'");
        assert_eq!(err("1+"), "Numeric expression missing from '<EOL>'");
        assert_eq!(err("1*"), "Numeric expression missing from '<EOL>'");
        assert_eq!(err("*1"), "Numeric expression missing from '*1'");
        assert_eq!(err(""), "Numeric expression missing from '<EOL>'");
        assert_eq!(err("   "), "Numeric expression missing from '<EOL>'");
        assert_eq!(err("poi"), "Numeric expression missing from '<EOL>'");
        assert_eq!(err("and 1"), "Numeric expression missing from 'and 1'");
        assert_eq!(err("@foo"), "Bad register error at '@foo'");
        assert_eq!(err("poi 1"), "Memory access error at '1'");
        assert_eq!(err("poi(1)+2"), "Memory access error at '(1)+2'");
        assert_eq!(err("(1+1"), "Syntax error at '<EOL>'");
        assert_eq!(err("(1+1 "), "Syntax error at '<EOL>'");
        assert_eq!(err("1/0"), "Divide by zero error at '0'");
        assert_eq!(err("1 mod (2-2)"), "Divide by zero error at '(2-2)'");
        assert_eq!(err("#"), "Syntax error at '#'");
        assert_eq!(err("\"abc\""), "Syntax error at '\"abc\"'");
        assert_eq!(err(".foo"), "Syntax error at '.foo'");
        // The first error in the text wins, and the quoted part runs to the end of the text.
        assert_eq!(err("foo + 5"), "Couldn't resolve error at 'foo + 5'");
        assert_eq!(err("foo + @bar"), "Couldn't resolve error at 'foo + @bar'");
        assert_eq!(err("1 + (foo"), "Couldn't resolve error at 'foo'");
        assert_eq!(err("foo )"), "Couldn't resolve error at 'foo )'");
        assert_eq!(err("poi 1 / 0"), "Memory access error at '1 / 0'");
    }

    #[test]
    fn error_kinds() {
        let f = Fake::new();
        assert_eq!(evaluate("1+1)", &f), Err(EvalError::ExtraCharacter(3)));
        assert_eq!(evaluate("'A'", &f), Ok(0x41));
        assert_eq!(evaluate("'TAG1'", &f), Ok(0x5441_4731));
        assert_eq!(evaluate("'A'+1", &f), Ok(0x42));
        assert!(evaluate("''", &f).is_err());
        assert!(evaluate("'abc", &f).is_err());
        assert_eq!(evaluate("1 2", &f), Err(EvalError::ExtraCharacter(2)));
        assert_eq!(evaluate("rsp L8", &f), Err(EvalError::ExtraCharacter(4)));
        assert_eq!(EvalError::ExtraCharacter(3).kind(), "Extra character");
        assert_eq!(EvalError::Syntax("x".into()).kind(), "Syntax");
        assert_eq!(
            evaluate("nope", &f),
            Err(EvalError::CouldntResolve("nope".into()))
        );
        assert_eq!(
            evaluate("1+", &f),
            Err(EvalError::NumericMissing("<EOL>".into()))
        );
        assert_eq!(
            evaluate("@zz", &f),
            Err(EvalError::BadRegister("@zz".into()))
        );
        assert_eq!(
            evaluate("by 0", &f),
            Err(EvalError::MemoryAccess("0".into()))
        );
        assert_eq!(
            evaluate("4/0", &f),
            Err(EvalError::DivideByZero("0".into()))
        );
        assert_eq!(evaluate("`1", &f), Err(EvalError::Syntax("`1".into())));
    }

    // ---- evaluate_prefix ----------------------------------------------------------------------

    #[test]
    fn prefix_stops_at_range_and_strings() {
        assert_eq!(pre("rsp L8"), (0x0000_003c_1e7a_edd8, 3));
        assert_eq!(pre("rsp l8"), (0x0000_003c_1e7a_edd8, 3));
        assert_eq!(pre("rsp L?10000"), (0x0000_003c_1e7a_edd8, 3));
        assert_eq!(pre("rsp+28 L6"), (0x0000_003c_1e7a_ee00, 6));
        assert_eq!(pre("  rip L10"), (0x0000_7ff9_6bb4_0770, 5));
        assert_eq!(
            pre("allocate!alloc_malloc \"r rcx; g\""),
            (0x0000_7ff6_7762_b890, 21)
        );
        assert_eq!(
            pre("allocate!alloc_malloc 5 \"kb\""),
            (0x0000_7ff6_7762_b890, 21)
        );
        assert_eq!(
            pre("00007ff6`0fb61e90 windbg_leak!overflowTest"),
            (0x0000_7ff6_0fb6_1e90, 17)
        );
        assert_eq!(pre("00007ff6`0fb61e90"), (0x0000_7ff6_0fb6_1e90, 17));
        assert_eq!(pre("poi(rsp) L1"), (0x0000_7ff6_7762_b890, 8));
        assert_eq!(pre("1 2"), (1, 1));
        assert_eq!(pre("1+1)"), (2, 3));
        assert_eq!(pre("5 order"), (5, 1));
        assert_eq!(pre(". L4"), (0x0000_7ff9_6bb4_0770, 1));
        assert_eq!(pre("rsp - 8 L2"), (0x0000_003c_1e7a_edd0, 7));
        assert_eq!(pre("1 or 2 L2"), (3, 6));
    }

    #[test]
    fn prefix_error_region() {
        // §15.3: the quoted part runs from the bad token to where the next token starts.
        assert_eq!(
            pre_err("KiGlobalTimerResolutionRequests L1"),
            "Couldn't resolve error at 'KiGlobalTimerResolutionRequests '"
        );
        assert_eq!(
            pre_err("spiModule_x64!Spiintopen \"kb\""),
            "Couldn't resolve error at 'spiModule_x64!Spiintopen '"
        );
        assert_eq!(
            pre_err("kernel32!GetProcAddress"),
            "Couldn't resolve error at 'kernel32!GetProcAddress'"
        );
        assert_eq!(pre_err("foo+8 L2"), "Couldn't resolve error at 'foo+8 '");
        assert_eq!(pre_err("poi 1 L2"), "Memory access error at '1 '");
        assert_eq!(pre_err("@foo L2"), "Bad register error at '@foo '");
        assert_eq!(pre_err(""), "Numeric expression missing from '<EOL>'");
        assert_eq!(pre_err("L8"), "Couldn't resolve error at 'L8'");
        assert_eq!(pre_err("(1 L8"), "Syntax error at 'L8'");
    }

    #[test]
    fn source_lines() {
        assert_eq!(ev("`main.cpp:19`"), 0x0000_7ff6_7762_1900);
        assert_eq!(ev("`main.cpp:19`+4"), 0x0000_7ff6_7762_1904);
        assert_eq!(
            ev("`allocate!c:\\src\\main.cpp:0x20`"),
            0x0000_7ff6_7762_2000
        );
        assert_eq!(ev("`main.cpp`"), 0x0000_7ff6_7762_1000);
        assert_eq!(ev("`:5`"), 0x0000_7ff6_7762_0500);
        assert_eq!(
            err("`nope.cpp:1`"),
            "Couldn't resolve error at '`nope.cpp:1`'"
        );
        assert_eq!(err("`main.cpp:x`"), "Syntax error at '`main.cpp:x`'");
        assert_eq!(pre("`main.cpp:19` \"kb\""), (0x0000_7ff6_7762_1900, 13));
        assert_eq!(err("`1"), "Syntax error at '`1'");
    }

    #[test]
    fn blanks() {
        assert_eq!(ev("  1  "), 1);
        assert_eq!(pre("  1  "), (1, 3));
        assert_eq!(ev("\t1\t+\t2"), 3);
        assert_eq!(ev("( 1 + 2 ) * ( 3 )"), 9);
        assert_eq!(ev("poi ( rsp )"), 0x0000_7ff6_7762_b890);
    }

    #[test]
    fn sym_plus_offset() {
        let mut f = Fake::new();
        f.syms.insert("sym".into(), 0x1000);
        assert_eq!(evaluate("sym + 11b0", &f), Ok(0x21b0));
        assert_eq!(evaluate_prefix("sym+0x13 5", &f), Ok((0x1013, 8)));
    }

    // ---- robustness ---------------------------------------------------------------------------

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = "(".repeat(100_000) + "1";
        assert!(matches!(err(&deep).as_str(), s if s.starts_with("Syntax error at '")));
        let minus = "-".repeat(100_000) + "1";
        assert!(err(&minus).starts_with("Syntax error at '"));
        let ok = "(".repeat(50) + "1" + &")".repeat(50);
        assert_eq!(ev(&ok), 1);
    }

    #[test]
    fn wildcard() {
        assert!(wildcard_match("abc", "*"));
        assert!(wildcard_match("", "*"));
        assert!(!wildcard_match("", "?"));
        assert!(wildcard_match("aaab", "a#b"));
        assert!(wildcard_match("b", "a#b"));
        assert!(!wildcard_match("b", "a+b"));
        assert!(wildcard_match("aab", "a+b"));
        assert!(wildcard_match("x*y", "x\\*y"));
        assert!(!wildcard_match("xzy", "x\\*y"));
        assert!(wildcard_match("program", "prog[er-t7]am"));
        assert!(wildcard_match("prog7am", "prog[er-t7]am"));
        assert!(!wildcard_match("progxam", "prog[er-t7]am"));
        assert!(wildcard_match("miain", "m[ia]#n"));
        assert!(wildcard_match("mn", "m[ia]#n"));
        assert!(!wildcard_match("mn", "m[ia]+n"));
        assert!(!wildcard_match("ab", "a?+b"));
        assert!(wildcard_match("axb", "a?+b"));
        assert!(wildcard_match("a\\d", "a\\d")); // backslash before an ordinary char is literal
    }

    #[test]
    fn no_panics_on_odd_input() {
        let f = Fake::new();
        let alphabet: Vec<&str> = vec![
            "0",
            "1",
            "a",
            "f",
            "h",
            "x",
            "n",
            "t",
            "y",
            "`",
            "'",
            "!",
            "@",
            "@@",
            "$",
            "$t0",
            "?",
            ".",
            ":",
            "::",
            "<",
            ">",
            ">>>",
            "<<",
            "=",
            "==",
            "!=",
            "&",
            "^",
            "|",
            "+",
            "-",
            "*",
            "/",
            "%",
            "(",
            ")",
            "[",
            "]",
            "\"",
            "\\",
            " ",
            "\t",
            "poi",
            "by",
            "not",
            "hi",
            "low",
            "mod",
            "and",
            "or",
            "xor",
            "rsp",
            "rip",
            "ntdll",
            "!",
            "allocate!",
            "operator",
            " new",
            "[]",
            "~",
            "$scmp(",
            "$spat(",
            "$vvalid(",
            "$iment(",
            "@!\"",
            "@\"",
            ",",
            "é",
            "€",
            "😀",
            "\u{0}",
            "L8",
            "ffffffff`ffffffff",
            "0x",
            "0n",
            "0t",
            "0y",
            "masm(",
            "c++(",
            "<int>",
            "_",
        ];
        let mut seed: u64 = 0x1234_5678_9abc_def0;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 12) as usize;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            let _ = evaluate(&s, &f);
            if let Ok((_, used)) = evaluate_prefix(&s, &f) {
                assert!(used <= s.len() && s.is_char_boundary(used), "{s:?} {used}");
            }
            if let Err(EvalError::ExtraCharacter(i)) = evaluate(&s, &f) {
                assert!(i < s.len() && s.is_char_boundary(i), "{s:?} {i}");
            }
        }
        // Raw bytes as (lossy) text.
        for _ in 0..5_000 {
            let n = (next() % 16) as usize;
            let bytes: Vec<u8> = (0..n).map(|_| (next() & 0xff) as u8).collect();
            let s = String::from_utf8_lossy(&bytes);
            let _ = evaluate(&s, &f);
            let _ = evaluate_prefix(&s, &f);
        }
    }
}
