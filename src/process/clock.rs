//! Emulated time. Every query advances a counter by a fixed step, so a program that
//! measures time sees it pass, but the same run always sees the same values.

/// 2024-01-01 00:00:00 UTC as a FILETIME (100 ns units since 1601).
pub const START_FILETIME: u64 = 133_485_408_000_000_000;
/// QueryPerformanceFrequency, as on current Windows.
pub const QPC_FREQUENCY: u64 = 10_000_000;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Emulated time since process start, in 100 ns units.
    elapsed: u64,
}

impl Clock {
    /// Advance by one query step (1 µs).
    fn tick(&mut self) -> u64 {
        self.elapsed += 10;
        self.elapsed
    }
    pub fn advance_ms(&mut self, ms: u64) {
        self.elapsed += ms * 10_000;
    }
    pub fn performance_counter(&mut self) -> u64 {
        // Windows' QPC starts well above zero.
        1_000_000_000 + self.tick()
    }
    pub fn filetime(&mut self) -> u64 {
        START_FILETIME + self.tick()
    }
    pub fn tick_count_ms(&mut self) -> u64 {
        // Boot was "one hour ago".
        3_600_000 + self.tick() / 10_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_moves_forward_the_same_way_every_run() {
        let mut a = Clock::default();
        let mut b = Clock::default();
        let x = (a.performance_counter(), a.filetime(), a.tick_count_ms());
        let y = (b.performance_counter(), b.filetime(), b.tick_count_ms());
        assert_eq!(x, y);
        assert!(a.performance_counter() > x.0);
    }
}
