//! Time, from the deterministic emulated clock.

use crate::process::clock::QPC_FREQUENCY;
use crate::process::memory::GuestMemory;
use crate::process::Process;
use crate::system::{ApiResult, ApiTable};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "QueryPerformanceCounter", query_performance_counter);
    t.simple(MODULE, "QueryPerformanceFrequency", query_performance_frequency);
    t.simple(MODULE, "GetSystemTimeAsFileTime", get_system_time_as_file_time);
    t.simple(MODULE, "GetSystemTimePreciseAsFileTime", get_system_time_as_file_time);
    t.simple(MODULE, "GetTickCount", get_tick_count);
    t.simple(MODULE, "GetTickCount64", get_tick_count64);
    t.simple(MODULE, "Sleep", sleep);
}

fn put_u64(p: &mut Process, addr: u64, v: u64) -> ApiResult {
    ApiResult::Return(u64::from(p.cpu.write_u64(addr, v).is_ok()))
}

fn query_performance_counter(p: &mut Process) -> ApiResult {
    let v = p.clock.performance_counter();
    put_u64(p, p.arg(0), v)
}

fn query_performance_frequency(p: &mut Process) -> ApiResult {
    put_u64(p, p.arg(0), QPC_FREQUENCY)
}

fn get_system_time_as_file_time(p: &mut Process) -> ApiResult {
    let v = p.clock.filetime();
    let _ = p.cpu.write_u64(p.arg(0), v);
    ApiResult::Return(0)
}

fn get_tick_count(p: &mut Process) -> ApiResult {
    ApiResult::Return(p.clock.tick_count_ms() & 0xffff_ffff)
}

fn get_tick_count64(p: &mut Process) -> ApiResult {
    ApiResult::Return(p.clock.tick_count_ms())
}

/// Sleep advances emulated time only; the host does not wait.
fn sleep(p: &mut Process) -> ApiResult {
    let ms = p.arg(0) as u32;
    p.clock.advance_ms(u64::from(ms.min(86_400_000)));
    ApiResult::Return(0)
}
