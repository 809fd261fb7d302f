//! The debugger engine: takes WinDbg commands, returns WinDbg's text. It never prints;
//! front ends decide where the text goes.

pub mod breakpoints;
pub mod commands;
pub mod context;
pub mod disasm;
pub mod events;
pub mod execution;
pub mod expr;
pub mod pdb_types;
pub mod session;
pub mod symbol_info;
pub mod symbols;
pub mod types;
pub mod unwind;

pub use session::{Session, SessionError, SessionOptions};

/// The prompt WinDbg shows for process 0, thread 0.
pub const PROMPT: &str = "0:000> ";
