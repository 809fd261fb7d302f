//! Front ends: they drive a debugger session and print its text. `transcript` runs
//! commands from `-c`, a script or piped stdin and echoes each after the prompt, the way
//! the exercise transcript looks; `repl` is the interactive prompt.

pub mod check;
pub mod cli;
pub mod lesson;
pub mod repl;
pub mod transcript;
