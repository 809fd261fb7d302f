//! `.help` (and `?` alone): what crtlab supports. `.cls` clears the screen in the
//! interactive front end and prints nothing in a transcript.

use super::super::session::{CmdResult, Session};
use super::Command;

pub const HELP: &str = "\
crtlab supports these WinDbg commands:
  bp [addr] [passes] [\"cmds\"]   set a breakpoint (bu: deferred, bm: by pattern)
  bl / bd / be / bc <ids|*>     list, disable, enable, clear breakpoints
  g, gu                         go; go up (to the return address)
  gh, gn                        go with the exception handled / not handled
  p [count], t [count]          step over, trace into
  k, kb, kc, kf, kn, kv, kL     stack backtrace
  r [reg[=value][, reg]]        registers ($ip, $csp, $retreg, $peb, $teb, $t0-$t19)
  u, ub, uf [addr] [L count]    unassemble
  db, dw, dd, dq, dp, dps, dc, da, du [range]   display memory
  eb, ew, ed, eq, ea, eu, eza, ezu addr values   edit memory
  lm, x mod!pattern, ln addr    modules and symbols
  dt [mod!]type [addr]          display a type (_PEB, _TEB, _HEAP, _HEAP_ENTRY, ...)
  ? expr                        evaluate a MASM expression
  !heap [-s|-a|-h|-x addr]      NT heaps of the process
  !crtheap [-v] [addr] | -s     the CRT debug heap of a Debug (/MDd) program
  .cls, .help, q                clear screen, this help, quit
";

pub fn run_help(_s: &mut Session, _c: &Command) -> CmdResult {
    Ok(HELP.to_string())
}

pub fn run_cls(_s: &mut Session, _c: &Command) -> CmdResult {
    Ok(String::new())
}
