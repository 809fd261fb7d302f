//! `bl`: the breakpoint list, in WinDbg's DML layout (`Disable Clear` link text).

use super::super::breakpoints::{Location, parse_id_list};
use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let ids = if c.args.trim().is_empty() {
        s.breakpoints.ids()
    } else {
        parse_id_list(c.args, &s.breakpoints.ids()).map_err(|i| CmdError::syntax(c.at(i)))?
    };
    let mut out = String::new();
    for id in ids {
        let Some(bp) = s.breakpoints.get(id) else { continue };
        let (state, link) = if bp.enabled { ('e', "Disable Clear") } else { ('d', "Enable Clear") };
        let passes = format!("{:04x} ({:04x})", bp.passes_left, bp.passes);
        let line = match bp.location {
            Location::Resolved(a) => {
                let sym = s.symbols.format(a).unwrap_or_default();
                format!("{:>6} {} {}  {}     {}  0:**** {}", bp.id, state, link, format_address(a), passes, sym)
            }
            Location::Deferred => {
                format!("{:>6} {} {} u{}{} ({})", bp.id, state, link, " ".repeat(22), passes, bp.expression.trim_end())
            }
        };
        out.push_str(&line);
        if let Some(cmd) = &bp.command {
            out.push_str(&format!(" \"{cmd}\""));
        }
        out.push('\n');
    }
    Ok(out)
}
