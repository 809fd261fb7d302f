//! `bp`, `bu`, `bm`: set breakpoints. Success prints nothing, as in WinDbg.

use super::super::breakpoints::{Breakpoint, Location};
use super::super::expr::EvalError;
use super::super::session::{CmdError, CmdResult, Session};
use super::{Command, skip_ws};

struct Parsed {
    id: Option<u32>,
    one_shot: bool,
    /// The address expression as typed (empty for the current IP).
    expression: String,
    address: Result<u64, EvalError>,
    passes: u32,
    command: Option<String>,
}

fn parse(s: &Session, c: &Command) -> Result<Parsed, CmdError> {
    let a = c.args;
    let b = a.as_bytes();
    let mut i = 0;
    // `bp0`: an id glued to the command name.
    let mut id = None;
    let id_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i > id_start {
        id = Some(a[id_start..i].parse::<u32>().map_err(|_| CmdError::caret("Range", c.at(i - 1)))?);
    }
    let mut one_shot = false;
    loop {
        i = skip_ws(a, i);
        if a[i..].starts_with("/1") {
            one_shot = true;
            i += 2;
        } else if a[i..].starts_with('/') {
            // Other options (/c, /C, /w) take an argument; accept and ignore them.
            let end = a[i..].find(' ').map(|e| i + e).unwrap_or(a.len());
            i = skip_ws(a, end);
            let arg_end = a[i..].find(' ').map(|e| i + e).unwrap_or(a.len());
            i = arg_end;
        } else {
            break;
        }
    }
    i = skip_ws(a, i);
    let (expression, address) = if i >= a.len() || b[i] == b'"' {
        (String::new(), Ok(s.process.cpu.rip()))
    } else {
        match super::eval_prefix(s, &a[i..]) {
            Ok((v, n)) => {
                let e = a[i..i + n].to_string();
                i += n;
                (e, Ok(v))
            }
            Err(EvalError::CouldntResolve(text)) => {
                // The expression ends where the next token starts.
                let len = text.len().min(a.len() - i);
                let e = a[i..i + len].to_string();
                i += len;
                (e, Err(EvalError::CouldntResolve(text)))
            }
            Err(e) => return Err(CmdError::Eval(e)),
        }
    };
    i = skip_ws(a, i);
    let mut passes = 1;
    if i < a.len() && b[i] != b'"' {
        let (v, n) = super::eval_prefix(s, &a[i..]).map_err(CmdError::Eval)?;
        i += n;
        if v == 0 || v > 0xffff_ffff {
            return Err(CmdError::caret("Range", c.at(i - 1)));
        }
        passes = v as u32;
        i = skip_ws(a, i);
    }
    let mut command = None;
    if i < a.len() && b[i] == b'"' {
        let rest = &a[i + 1..];
        let end = rest.find('"').ok_or_else(|| CmdError::syntax(c.last()))?;
        command = Some(rest[..end].to_string());
        i += end + 2;
        i = skip_ws(a, i);
    }
    if i < a.len() {
        return Err(CmdError::syntax(c.at(i)));
    }
    Ok(Parsed { id, one_shot, expression, address, passes, command })
}

fn set(s: &mut Session, c: &Command, deferred_only: bool) -> CmdResult {
    let p = parse(s, c)?;
    let mut out = String::new();
    let location = match (&p.address, deferred_only) {
        (Ok(a), false) => Location::Resolved(*a),
        (Ok(a), true) => {
            // `bu` on something that resolves now still keeps the expression.
            let _ = a;
            Location::Resolved(*p.address.as_ref().unwrap())
        }
        (Err(_), _) => {
            if !deferred_only {
                out.push_str(&format!("Bp expression '{}' could not be resolved, adding deferred bp\n", p.expression));
            }
            Location::Deferred
        }
    };
    let existing = match (&location, p.id) {
        (_, Some(id)) => {
            if s.breakpoints.get(id).is_some() {
                out.push_str(&format!("breakpoint {id} exists, redefining\n"));
            }
            id
        }
        (Location::Resolved(a), None) => match s.breakpoints.at_address(*a) {
            Some(id) => {
                out.push_str(&format!("breakpoint {id} redefined\n"));
                id
            }
            None => s.breakpoints.free_id(),
        },
        (Location::Deferred, None) => match s.breakpoints.with_expression(&p.expression) {
            Some(id) => {
                out.push_str(&format!("breakpoint {id} redefined\n"));
                id
            }
            None => s.breakpoints.free_id(),
        },
    };
    s.breakpoints.put(Breakpoint {
        id: existing,
        enabled: true,
        location,
        expression: p.expression,
        passes_left: p.passes,
        passes: p.passes,
        command: p.command,
        one_shot: p.one_shot,
    });
    Ok(out)
}

pub fn run_bp(s: &mut Session, c: &Command) -> CmdResult {
    set(s, c, false)
}

pub fn run_bu(s: &mut Session, c: &Command) -> CmdResult {
    set(s, c, true)
}

/// `bm pattern`: a breakpoint on every function matching the pattern.
pub fn run_bm(s: &mut Session, c: &Command) -> CmdResult {
    let pattern = c.args.trim();
    if pattern.is_empty() {
        return Err(CmdError::syntax(c.last()));
    }
    let matches = super::super::symbols::matching(&s.symbols, pattern, true);
    let mut out = String::new();
    for (addr, name) in matches {
        let id = match s.breakpoints.at_address(addr) {
            Some(id) => {
                out.push_str(&format!("breakpoint {id} redefined\n"));
                id
            }
            None => s.breakpoints.free_id(),
        };
        s.breakpoints.put(Breakpoint {
            id,
            enabled: true,
            location: Location::Resolved(addr),
            expression: name.clone(),
            passes_left: 1,
            passes: 1,
            command: None,
            one_shot: false,
        });
        out.push_str(&format!("{:>3}: {:<17} @!\"{}\"\n", id, super::super::expr::format_address(addr), name));
    }
    if out.is_empty() {
        out.push_str(&format!("No matching code symbols found, no breakpoints set.\n  If you are using public symbols, '{pattern}' may not be a function name.\n"));
    }
    Ok(out)
}
