//! How WinDbg announces events: the `(pid.tid): <description> - code <code> (first
//! chance)` header, the first-chance note, and the two-line current-instruction display.

use super::disasm;
use super::session::Session;
use crate::layout::{PID, TID};
use crate::process::ExceptionEvent;
use crate::system::status;

/// WinDbg's description of an exception code.
pub fn exception_name(code: u32) -> &'static str {
    match code {
        status::BREAKPOINT => "Break instruction exception",
        status::SINGLE_STEP => "Single step exception",
        0x8000_0002 => "Data misaligned",
        status::ACCESS_VIOLATION => "Access violation",
        0xC000_0006 => "In-page I/O error",
        status::ILLEGAL_INSTRUCTION => "Illegal instruction",
        0xC000_0025 => "Cannot continue",
        0xC000_008C => "Array bounds exceeded",
        0xC000_008E => "Floating-point division-by-zero",
        status::INTEGER_DIVIDE_BY_ZERO => "Integer divide-by-zero",
        status::INTEGER_OVERFLOW => "Integer overflow",
        status::PRIVILEGED_INSTRUCTION => "Privileged instruction",
        status::STACK_OVERFLOW => "Stack overflow",
        status::STACK_BUFFER_OVERRUN => "Security check failure or stack buffer overrun",
        status::CPP_EH_EXCEPTION => "C++ EH exception",
        0x4001_0005 => "Control-C exception",
        _ => "Unknown exception",
    }
}

/// `(1a2c.3f4): Access violation - code c0000005 (first chance)`.
pub fn exception_header(code: u32, second_chance: bool) -> String {
    let chance = if second_chance { "(!!! second chance !!!)" } else { "(first chance)" };
    format!("({:x}.{:x}): {} - code {:08x} {}\n", PID, TID, exception_name(code), code, chance)
}

impl Session {
    /// The symbol line and the disassembly line of the current instruction.
    pub fn current_instruction(&self) -> String {
        let rip = self.process.cpu.rip();
        disasm::format_current(rip, self, self)
    }

    /// The full report of an exception event.
    pub fn exception_report(&self, ev: &ExceptionEvent, second_chance: bool) -> String {
        let mut out = String::new();
        if let Some((module, name, caller)) = &ev.unimplemented {
            let from = self.symbols.format(*caller).unwrap_or_else(|| super::expr::format_address(*caller));
            out.push_str(&format!("crtlab: {module}!{name} is not implemented (called from {from})\n"));
        }
        out.push_str(&exception_header(ev.code, second_chance));
        if !second_chance && ev.code != status::BREAKPOINT && ev.code != 0x4001_0005 {
            out.push_str("First chance exceptions are reported before any exception handling.\n");
            out.push_str("This exception may be expected and handled.\n");
        }
        out.push_str(&self.current_instruction());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(exception_header(0x80000003, false), "(1a2c.3f4): Break instruction exception - code 80000003 (first chance)\n");
        assert_eq!(exception_header(0xc0000005, true), "(1a2c.3f4): Access violation - code c0000005 (!!! second chance !!!)\n");
        assert_eq!(exception_name(0xc0000374), "Unknown exception");
    }
}
