//! `ln [address]`: the symbols nearest an address, in cdb's layout (WinDbg's GUI adds
//! the DML lines `Browse module` and `Set bu breakpoint` and a blank line first):
//!
//! ```text
//! (00007ff6`77621020)   allocate!alloc_malloc+0x13   |  (00007ff6`77621040)   allocate!alloc_new
//! ```
//!
//! With source lines the row starts with ` [file @ line] `. At a symbol's first byte the
//! row is followed by `Exact matches:` and one `    module!name (params)` line per
//! symbol there, described as `x` describes it. An address outside every module, or
//! before a module's first symbol, prints nothing. Without an address, `ln` looks up
//! the current instruction.

use super::super::expr::format_address;
use super::super::session::{CmdResult, Session};
use super::Command;

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let args = c.args.trim();
    let addr = if args.is_empty() { s.process.cpu.rip() } else { super::eval(s, args)? };
    let Some((idx, sym, off)) = s.symbols.nearest(addr) else { return Ok(String::new()) };
    let module = &s.symbols.modules()[idx];
    let (name, base) = (module.name.clone(), module.base);
    let start = base + u64::from(sym.rva);
    let mut line = String::new();
    if let Some(f) = s.symbols.source_frames(addr).into_iter().next()
        && let (Some(file), Some(l)) = (f.file, f.line)
    {
        line.push_str(&format!(" [{file} @ {l}] "));
    }
    let here = if off == 0 { format!("{name}!{}", sym.name) } else { format!("{name}!{}+0x{off:x}", sym.name) };
    line.push_str(&format!("({})   {here}", format_address(start)));
    if let Some((_, next)) = s.symbols.next_after(addr) {
        line.push_str(&format!("   |  ({})   {name}!{}", format_address(base + u64::from(next.rva)), next.name));
    }
    let mut out = line + "\n";
    if off == 0 {
        out.push_str("Exact matches:\n");
        for info in s.symbols.symbol_infos(idx).iter().filter(|i| i.rva == sym.rva) {
            out.push_str(&format!("    {name}!{}{}\n", info.name, super::x::describe(s, start, info, true)));
        }
    }
    Ok(out)
}
