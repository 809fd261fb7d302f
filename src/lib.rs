//! crtlab: a user-mode x86-64 emulator for small Windows PE programs with a
//! WinDbg-compatible debugger prompt. Layers, top to bottom: `frontend` (CLI, REPL,
//! scripts) → `debugger` (commands in, text out) → `process` (loader, memory, threads) and
//! `system` (emulated ntdll/KERNEL32) → `heap` (the NT heap in guest memory) → unicorn.

pub mod debugger;
pub mod frontend;
pub mod heap;
pub mod layout;
pub mod process;
pub mod system;
