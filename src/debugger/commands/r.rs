//! `r`: display or set registers. `r` alone dumps the x64 integer registers in WinDbg's
//! layout followed by the current instruction.

use unicorn_engine::RegisterX86;

use super::super::session::{CmdError, CmdResult, Session};
use super::{Command, skip_ws};

/// WinDbg's x64 flag mnemonics. Note PF: every x64 WinDbg capture prints `po` when the
/// parity flag is set and `pe` when it is clear (the reverse of x86 and of the Intel
/// names); crtlab reproduces what WinDbg prints.
fn flags(efl: u64) -> String {
    let f = |bit: u32, set: &'static str, clear: &'static str| if efl & (1 << bit) != 0 { set } else { clear };
    [
        f(11, "ov", "nv"),
        f(10, "dn", "up"),
        f(9, "ei", "di"),
        f(7, "ng", "pl"),
        f(6, "zr", "nz"),
        f(4, "ac", "na"),
        f(2, "po", "pe"),
        f(0, "cy", "nc"),
    ]
    .join(" ")
}

pub fn full_dump(s: &Session) -> String {
    let cpu = &s.process.cpu;
    let r = |x: RegisterX86| cpu.reg(x);
    use RegisterX86::*;
    let efl = r(EFLAGS);
    let mut out = String::new();
    out.push_str(&format!("rax={:016x} rbx={:016x} rcx={:016x}\n", r(RAX), r(RBX), r(RCX)));
    out.push_str(&format!("rdx={:016x} rsi={:016x} rdi={:016x}\n", r(RDX), r(RSI), r(RDI)));
    out.push_str(&format!("rip={:016x} rsp={:016x} rbp={:016x}\n", r(RIP), r(RSP), r(RBP)));
    out.push_str(&format!(" r8={:016x}  r9={:016x} r10={:016x}\n", r(R8), r(R9), r(R10)));
    out.push_str(&format!("r11={:016x} r12={:016x} r13={:016x}\n", r(R11), r(R12), r(R13)));
    out.push_str(&format!("r14={:016x} r15={:016x}\n", r(R14), r(R15)));
    out.push_str(&format!("{:<15}{}\n", format!("iopl={}", (efl >> 12) & 3), flags(efl)));
    out.push_str(&format!("cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl={:08x}\n", efl & 0xffff_ffff));
    out.push_str(&s.current_instruction());
    out
}

/// One `name=value` item; the width follows the register's size.
fn show(s: &Session, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with('$') {
        let v = s.register_value(&lower)?;
        return Some(format!("{lower}={v:016x}"));
    }
    if let Some(v) = super::super::context::selector(&lower) {
        return Some(format!("{lower}={v:04x}"));
    }
    let (v, bits) = s.process.cpu.read_named(&lower)?;
    let width = (bits / 4) as usize;
    Some(format!("{lower}={v:0width$x}"))
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'$' || c == b'_'
}

pub fn run(s: &mut Session, c: &Command) -> CmdResult {
    let a = c.args;
    let b = a.as_bytes();
    let mut i = skip_ws(a, 0);
    if i >= a.len() {
        return Ok(full_dump(s));
    }
    let mut shown = Vec::new();
    loop {
        if i < b.len() && b[i] == b'@' {
            i += 1;
        }
        let start = i;
        while i < b.len() && is_name_char(b[i]) {
            i += 1;
        }
        if start == i {
            return Err(CmdError::syntax(c.at(i.min(a.len().saturating_sub(1)))));
        }
        let name = &a[start..i];
        let known = s.register_value(name).is_some() || is_writable_pseudo(name);
        if !known {
            return Err(CmdError::caret("Bad register", c.at(i - 1)));
        }
        let j = skip_ws(a, i);
        if j < b.len() && b[j] == b'=' {
            let rest = &a[j + 1..];
            if rest.trim().is_empty() {
                return Err(CmdError::syntax(c.last()));
            }
            let v = super::eval(s, rest).map_err(CmdError::Eval)?;
            if !write(s, name, v) {
                return Err(CmdError::caret("Bad register", c.at(i - 1)));
            }
            return Ok(String::new());
        }
        shown.push(show(s, name).ok_or_else(|| CmdError::caret("Bad register", c.at(i - 1)))?);
        i = j;
        if i >= b.len() {
            break;
        }
        if b[i] == b',' {
            i = skip_ws(a, i + 1);
            continue;
        }
        if is_name_char(b[i]) || b[i] == b'@' {
            continue;
        }
        // Anything else after a register name (`r rsp+28`): the caret goes under the
        // name's last character.
        return Err(CmdError::syntax(c.at(start + name.len() - 1)));
    }
    Ok(shown.join(" ") + "\n")
}

fn is_writable_pseudo(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.strip_prefix("$t").and_then(|t| t.parse::<usize>().ok()).is_some_and(|i| i < 20)
}

fn write(s: &mut Session, name: &str, v: u64) -> bool {
    let n = name.to_ascii_lowercase();
    if let Some(t) = n.strip_prefix("$t") {
        if let Ok(i) = t.parse::<usize>()
            && i < 20 {
                s.user_registers[i] = v;
                return true;
            }
        return false;
    }
    if n.starts_with('$') {
        return false;
    }
    s.process.cpu.write_named(&n, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_mnemonics_match_x64_windbg() {
        assert_eq!(flags(0x202), "nv up ei pl nz na pe nc");
        assert_eq!(flags(0x206), "nv up ei pl nz na po nc");
        assert_eq!(flags(0x246), "nv up ei pl zr na po nc");
    }
}
