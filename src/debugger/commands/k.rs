//! `k` and its variants: the call stack, one row per frame, inline frames included, in
//! the exercise transcript's layout (frame numbers, 18-character RetAddr column).

use super::super::expr::format_address;
use super::super::session::{CmdError, CmdResult, Session};
use super::Command;
use crate::process::memory::GuestMemory;

/// A row of the backtrace: a physical frame, or an inline frame inside one.
struct Row {
    inline: bool,
    sp: u64,
    ret: u64,
    site: String,
    clean: String,
    source: Option<(String, u32)>,
    /// Home-space arguments for kb/kv.
    args: [u64; 4],
}

fn rows(s: &Session, max: usize) -> Vec<Row> {
    let frames = s.walker.walk(&s.process, max);
    let mut out = Vec::new();
    for (n, f) in frames.iter().enumerate() {
        // Return addresses are looked up one byte back, inside the call.
        let lookup = if n == 0 || f.exact { f.ip } else { f.ip.saturating_sub(1) };
        let src = s.symbols.source_frames(lookup);
        let starts = if src.len() > 1 { s.symbols.inline_starts(lookup) } else { vec![] };
        let module = s.symbols.module_index_at(f.ip).map(|i| s.symbols.modules()[i].name.clone());
        let next_sp = frames.get(n + 1).map(|x| x.sp).unwrap_or(f.sp + 8);
        let mut args = [0u64; 4];
        for (k, a) in args.iter_mut().enumerate() {
            *a = s.process.cpu.read_u64(next_sp + 8 * k as u64).unwrap_or(0);
        }
        for (j, inl) in src.iter().enumerate().take(src.len().saturating_sub(1)) {
            let name = inl.function.clone().unwrap_or_else(|| "<unknown>".into());
            let m = module.clone().unwrap_or_default();
            let off = starts.get(j).map(|st| f.ip.saturating_sub(*st)).unwrap_or(0);
            let site = if off == 0 { format!("{m}!{name}") } else { format!("{m}!{name}+0x{off:x}") };
            out.push(Row {
                inline: true,
                sp: 0,
                ret: 0,
                site,
                clean: format!("{m}!{name}"),
                source: inl.file.clone().zip(inl.line),
                args: [0; 4],
            });
        }
        let site = s.symbols.format(f.ip).unwrap_or_else(|| format!("0x{}", format_address(f.ip)));
        let clean = match s.symbols.nearest(f.ip) {
            Some((i, sym, _)) => format!("{}!{}", s.symbols.modules()[i].name, sym.name),
            None => site.clone(),
        };
        let source = src.last().and_then(|l| l.file.clone().zip(l.line));
        out.push(Row { inline: false, sp: f.sp, ret: f.ret, site, clean, source, args });
    }
    out
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let opts = &c.name[1..];
    let args = c.args.trim();
    let count = if args.is_empty() {
        0x14
    } else {
        match super::eval(s, args) {
            Ok(v) if v > 0 && v <= 0xffff => v as usize,
            Ok(_) => return Err(CmdError::caret("Range", c.last())),
            Err(e) => return Err(CmdError::Eval(e)),
        }
    };
    if s.process.has_exited() && matches!(s.stop, super::super::session::StopState::Terminated(_)) {
        return Err(CmdError::caret("No runnable debuggees", 0));
    }
    let b = opts.contains('b') || opts.contains('v');
    let v = opts.contains('v');
    let clean = opts.contains('c');
    let memory = opts.contains('f');
    let no_source = opts.contains('L');
    let rows = rows(s, count);
    let mut out = String::new();
    if clean {
        out.push_str(" # Call Site\n");
    } else if b {
        if v {
            out.push_str(" # Child-SP          RetAddr           : Args to Child                                                           : Call Site\n");
        } else {
            out.push_str(" # RetAddr           : Args to Child                                                           : Call Site\n");
        }
    } else if memory {
        out.push_str(" #   Memory  Child-SP          RetAddr           Call Site\n");
    } else {
        out.push_str(" # Child-SP          RetAddr           Call Site\n");
    }
    let mut prev_sp: Option<u64> = None;
    for (n, r) in rows.iter().enumerate() {
        let mut line = format!("{n:02x} ");
        if clean {
            line.push_str(&r.clean);
            out.push_str(&line);
            out.push('\n');
            continue;
        }
        if memory {
            let mem = match (prev_sp, r.inline) {
                (Some(p), false) => format!("{:>8x}", r.sp - p),
                _ => " ".repeat(8),
            };
            line.push_str(&mem);
            line.push_str("  ");
        }
        let (sp, ret) = if r.inline {
            ("(Inline Function)".to_string(), "--------`--------".to_string())
        } else {
            (format_address(r.sp), format_address(r.ret))
        };
        if b {
            if v {
                line.push_str(&format!("{sp} "));
            }
            line.push_str(&format!("{ret} : "));
            if r.inline {
                line.push_str(&["--------`--------"; 4].join(" "));
            } else {
                line.push_str(&r.args.iter().map(|a| format_address(*a)).collect::<Vec<_>>().join(" "));
            }
            line.push_str(" : ");
        } else {
            line.push_str(&format!("{sp} {ret} "));
        }
        line.push_str(&r.site);
        if let (Some((file, l)), false) = (&r.source, no_source) {
            line.push_str(&format!(" [{file} @ {l}] "));
        }
        if !r.inline {
            prev_sp = Some(r.sp);
        }
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}
