//! The guest's console: what it writes to stdout/stderr and to the debugger
//! (OutputDebugString), in order, for the debugger to show in its transcript. The guest's
//! stdin is empty unless the front end supplies bytes; the host terminal is never read.

/// Pseudo handles returned by GetStdHandle (fixed, so transcripts do not change).
pub const STDIN_HANDLE: u64 = 0x50;
pub const STDOUT_HANDLE: u64 = 0x54;
pub const STDERR_HANDLE: u64 = 0x58;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// OutputDebugString text, shown by the debugger as-is.
    Debug(String),
}

/// Where guest output goes as soon as it is written (the interactive front end streams it
/// to the terminal); without one it is kept until the debugger drains it.
pub type OutputSink = Box<dyn FnMut(&Output)>;

#[derive(Default)]
pub struct Console {
    pending: Vec<Output>,
    sink: Option<OutputSink>,
    stdin: Vec<u8>,
    stdin_pos: usize,
    /// Total bytes written, to bound a guest that prints forever.
    written: u64,
}

/// Guest output beyond this many bytes is dropped (with a note) so a runaway guest cannot
/// fill the host's memory or disk.
pub const OUTPUT_LIMIT: u64 = 64 << 20;

impl Console {
    pub fn set_stdin(&mut self, bytes: Vec<u8>) {
        self.stdin = bytes;
        self.stdin_pos = 0;
    }

    pub fn write(&mut self, handle: u64, data: &[u8]) -> bool {
        let out = match handle {
            STDOUT_HANDLE => Output::Stdout(data.to_vec()),
            STDERR_HANDLE => Output::Stderr(data.to_vec()),
            _ => return false,
        };
        self.push(out);
        true
    }

    pub fn debug_string(&mut self, s: String) {
        self.push(Output::Debug(s));
    }

    /// Streams output to `sink` from now on.
    pub fn set_sink(&mut self, sink: OutputSink) {
        self.sink = Some(sink);
    }

    fn push(&mut self, out: Output) {
        let len = match &out {
            Output::Stdout(b) | Output::Stderr(b) => b.len() as u64,
            Output::Debug(s) => s.len() as u64,
        };
        if self.written >= OUTPUT_LIMIT {
            return;
        }
        self.written += len;
        if let Some(sink) = &mut self.sink {
            sink(&out);
            return;
        }
        // Merge consecutive writes to the same stream.
        match (self.pending.last_mut(), out) {
            (Some(Output::Stdout(a)), Output::Stdout(b)) => a.extend_from_slice(&b),
            (Some(Output::Stderr(a)), Output::Stderr(b)) => a.extend_from_slice(&b),
            (_, o) => self.pending.push(o),
        }
    }

    pub fn read_stdin(&mut self, max: usize) -> Vec<u8> {
        let end = (self.stdin_pos + max).min(self.stdin.len());
        let v = self.stdin[self.stdin_pos..end].to_vec();
        self.stdin_pos = end;
        v
    }

    /// Takes everything written since the last call.
    pub fn drain(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.pending)
    }
}
