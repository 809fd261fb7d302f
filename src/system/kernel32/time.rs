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

pub fn register_calendar(t: &mut ApiTable) {
    t.simple(MODULE, "GetSystemTime", get_system_time);
    t.simple(MODULE, "GetLocalTime", get_system_time);
    t.simple(MODULE, "GetTimeZoneInformation", get_time_zone_information);
    t.simple(MODULE, "GetDateFormatW", get_date_format_w);
    t.simple(MODULE, "GetDateFormatEx", get_date_format_ex);
    t.simple(MODULE, "GetTimeFormatW", get_time_format_w);
    t.simple(MODULE, "GetTimeFormatEx", get_time_format_ex);
}

/// A SYSTEMTIME: year, month, day of week (0 = Sunday), day, hour, minute, second, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemTime {
    pub year: u16,
    pub month: u16,
    pub day_of_week: u16,
    pub day: u16,
    pub hour: u16,
    pub minute: u16,
    pub second: u16,
    pub milliseconds: u16,
}

impl SystemTime {
    /// The calendar time of a FILETIME (100 ns units since 1601-01-01, UTC).
    pub fn from_filetime(ft: u64) -> SystemTime {
        let ms_total = ft / 10_000;
        let days = ms_total / 86_400_000;
        let ms_of_day = ms_total % 86_400_000;
        // 1601-01-01 is 134774 days before 1970-01-01, and a Monday.
        let (y, m, d) = civil_from_days(days as i64 - 134_774);
        SystemTime {
            year: y as u16,
            month: m as u16,
            day_of_week: ((days + 1) % 7) as u16,
            day: d as u16,
            hour: (ms_of_day / 3_600_000) as u16,
            minute: (ms_of_day / 60_000 % 60) as u16,
            second: (ms_of_day / 1000 % 60) as u16,
            milliseconds: (ms_of_day % 1000) as u16,
        }
    }

    pub fn to_bytes(self) -> [u8; 16] {
        let f = [self.year, self.month, self.day_of_week, self.day, self.hour, self.minute, self.second, self.milliseconds];
        let mut b = [0u8; 16];
        for (i, v) in f.iter().enumerate() {
            b[2 * i..2 * i + 2].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    pub fn from_bytes(b: &[u8]) -> SystemTime {
        let w = |i: usize| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]);
        SystemTime { year: w(0), month: w(1), day_of_week: w(2), day: w(3), hour: w(4), minute: w(5), second: w(6), milliseconds: w(7) }
    }
}

/// (year, month, day) from days since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn read_system_time(p: &Process, addr: u64) -> Option<SystemTime> {
    p.cpu.read_vec(addr, 16).ok().map(|b| SystemTime::from_bytes(&b))
}

/// GetSystemTime(lpSystemTime) and GetLocalTime(lpSystemTime): the emulated clock's
/// current time (2024-01-01 00:00 UTC plus what the process has used); local time is UTC.
fn get_system_time(p: &mut Process) -> ApiResult {
    let out = p.arg(0);
    let now = SystemTime::from_filetime(p.clock.filetime());
    let _ = p.cpu.write(out, &now.to_bytes());
    ApiResult::Return(0)
}

/// GetTimeZoneInformation(lpTimeZoneInformation): the machine runs on UTC: Bias 0, both
/// names "Coordinated Universal Time", no daylight saving; returns TIME_ZONE_ID_UNKNOWN
/// (0), as Windows does for a zone without daylight saving time.
fn get_time_zone_information(p: &mut Process) -> ApiResult {
    let out = p.arg(0);
    let mut tzi = [0u8; 172];
    let name: Vec<u8> = "Coordinated Universal Time".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    tzi[4..4 + name.len()].copy_from_slice(&name); // StandardName[32]
    tzi[88..88 + name.len()].copy_from_slice(&name); // DaylightName[32]
    if p.cpu.write(out, &tzi).is_err() {
        p.set_last_error(998);
        return ApiResult::Return(0xffff_ffff);
    }
    ApiResult::Return(0)
}

const MONTH_NAMES: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_NAMES: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Expands a date or time picture (en-US names): d dd ddd dddd, M MM MMM MMMM, y yy yyyy,
/// g/gg (era "A.D."), h hh H HH, m mm, s ss, t tt, and 'quoted text'.
pub fn format_picture(picture: &str, t: &SystemTime) -> String {
    let chars: Vec<char> = picture.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let hour12 = if t.hour.is_multiple_of(12) { 12 } else { t.hour % 12 };
        let two = |v: u16| format!("{v:02}");
        let piece = match c {
            'd' => match n {
                1 => t.day.to_string(),
                2 => two(t.day),
                3 => DAY_NAMES[usize::from(t.day_of_week % 7)][..3].to_string(),
                _ => DAY_NAMES[usize::from(t.day_of_week % 7)].to_string(),
            },
            'M' => {
                let m = usize::from(t.month.clamp(1, 12) - 1);
                match n {
                    1 => t.month.to_string(),
                    2 => two(t.month),
                    3 => MONTH_NAMES[m][..3].to_string(),
                    _ => MONTH_NAMES[m].to_string(),
                }
            }
            'y' => match n {
                1 => (t.year % 100).to_string(),
                2 => two(t.year % 100),
                _ => format!("{:04}", t.year),
            },
            'g' => "A.D.".to_string(),
            'h' => if n == 1 { hour12.to_string() } else { two(hour12) },
            'H' => if n == 1 { t.hour.to_string() } else { two(t.hour) },
            'm' => if n == 1 { t.minute.to_string() } else { two(t.minute) },
            's' => if n == 1 { t.second.to_string() } else { two(t.second) },
            't' => {
                let marker = if t.hour < 12 { "AM" } else { "PM" };
                if n == 1 { marker[..1].to_string() } else { marker.to_string() }
            }
            _ => std::iter::repeat_n(c, n).collect(),
        };
        out.push_str(&piece);
        i += n;
    }
    out
}

/// Writes a formatted result: cch 0 returns the size with the terminator; too small a
/// buffer fails with ERROR_INSUFFICIENT_BUFFER.
fn put_formatted(p: &mut Process, out: u64, cch: i32, text: &str) -> ApiResult {
    let units: Vec<u16> = text.encode_utf16().chain(std::iter::once(0)).collect();
    if cch == 0 {
        return ApiResult::Return(units.len() as u64);
    }
    if cch < 0 || (cch as usize) < units.len() || out == 0 {
        p.set_last_error(if cch < 0 || out == 0 { 87 } else { 122 });
        return ApiResult::Return(0);
    }
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let _ = p.cpu.write(out, &bytes);
    ApiResult::Return(units.len() as u64)
}

/// The time a formatting function formats: *lpTime, or now (the emulated clock).
fn time_arg(p: &mut Process, addr: u64) -> SystemTime {
    match addr {
        0 => SystemTime::from_filetime(p.clock.filetime()),
        a => read_system_time(p, a).unwrap_or_else(|| SystemTime::from_filetime(p.clock.filetime())),
    }
}

fn date_format(p: &mut Process, flags: u32, date: u64, picture: u64, out: u64, cch: i32) -> ApiResult {
    const DATE_LONGDATE: u32 = 0x2;
    let t = time_arg(p, date);
    let picture = if picture != 0 {
        p.read_wstr(picture, 256).unwrap_or_default()
    } else if flags & DATE_LONGDATE != 0 {
        "dddd, MMMM d, yyyy".to_string()
    } else {
        "M/d/yyyy".to_string()
    };
    let text = format_picture(&picture, &t);
    put_formatted(p, out, cch, &text)
}

/// GetDateFormatW(Locale, dwFlags, lpDate, lpFormat, lpDateStr, cchDate): the date (or
/// today, from the emulated clock) in the en-US short date "M/d/yyyy", the long date
/// "dddd, MMMM d, yyyy" (DATE_LONGDATE) or the picture lpFormat; returns the length with
/// the terminator.
fn get_date_format_w(p: &mut Process) -> ApiResult {
    let (flags, date, picture, out, cch) = (p.arg(1) as u32, p.arg(2), p.arg(3), p.arg(4), p.arg(5) as u32 as i32);
    date_format(p, flags, date, picture, out, cch)
}

/// GetDateFormatEx(lpLocaleName, dwFlags, lpDate, lpFormat, lpDateStr, cchDate,
/// lpCalendar): as GetDateFormatW (every locale is en-US, the calendar Gregorian).
fn get_date_format_ex(p: &mut Process) -> ApiResult {
    get_date_format_w(p)
}

fn time_format(p: &mut Process, flags: u32, time: u64, picture: u64, out: u64, cch: i32) -> ApiResult {
    const TIME_NOMINUTESORSECONDS: u32 = 0x1;
    const TIME_NOSECONDS: u32 = 0x2;
    const TIME_NOTIMEMARKER: u32 = 0x4;
    const TIME_FORCE24HOURFORMAT: u32 = 0x8;
    let t = time_arg(p, time);
    let mut picture = if picture != 0 { p.read_wstr(picture, 256).unwrap_or_default() } else { "h:mm:ss tt".to_string() };
    if flags & TIME_FORCE24HOURFORMAT != 0 {
        picture = picture.replace('h', "H");
    }
    if flags & TIME_NOTIMEMARKER != 0 {
        picture = picture.replace(" tt", "").replace('t', "");
    }
    if flags & TIME_NOMINUTESORSECONDS != 0 {
        picture = picture.replace(":mm", "").replace(":ss", "");
    } else if flags & TIME_NOSECONDS != 0 {
        picture = picture.replace(":ss", "");
    }
    let text = format_picture(&picture, &t);
    put_formatted(p, out, cch, &text)
}

/// GetTimeFormatW(Locale, dwFlags, lpTime, lpFormat, lpTimeStr, cchTime): the time (or
/// now, from the emulated clock) in the en-US format "h:mm:ss tt" or the picture lpFormat,
/// with the TIME_NOSECONDS, TIME_NOMINUTESORSECONDS, TIME_NOTIMEMARKER and
/// TIME_FORCE24HOURFORMAT flags; returns the length with the terminator.
fn get_time_format_w(p: &mut Process) -> ApiResult {
    let (flags, time, picture, out, cch) = (p.arg(1) as u32, p.arg(2), p.arg(3), p.arg(4), p.arg(5) as u32 as i32);
    time_format(p, flags, time, picture, out, cch)
}

/// GetTimeFormatEx(lpLocaleName, dwFlags, lpTime, lpFormat, lpTimeStr, cchTime): as
/// GetTimeFormatW.
fn get_time_format_ex(p: &mut Process) -> ApiResult {
    get_time_format_w(p)
}

#[cfg(test)]
mod calendar_tests {
    use super::*;
    use crate::process::clock::START_FILETIME;

    #[test]
    fn filetime_to_calendar() {
        let t = SystemTime::from_filetime(START_FILETIME);
        assert_eq!((t.year, t.month, t.day, t.day_of_week, t.hour), (2024, 1, 1, 1, 0)); // a Monday
        let t = SystemTime::from_filetime(0);
        assert_eq!((t.year, t.month, t.day, t.day_of_week), (1601, 1, 1, 1));
        // 2024-02-29 13:05:09.250
        let ft = START_FILETIME + ((59 * 86_400 + 13 * 3600 + 5 * 60 + 9) * 1000 + 250) * 10_000;
        let t = SystemTime::from_filetime(ft);
        assert_eq!((t.month, t.day, t.hour, t.minute, t.second, t.milliseconds, t.day_of_week), (2, 29, 13, 5, 9, 250, 4));
        assert_eq!(SystemTime::from_bytes(&t.to_bytes()), t);
    }

    #[test]
    fn pictures() {
        let t = SystemTime { year: 2024, month: 3, day_of_week: 2, day: 5, hour: 14, minute: 7, second: 9, milliseconds: 0 };
        assert_eq!(format_picture("M/d/yyyy", &t), "3/5/2024");
        assert_eq!(format_picture("dddd, MMMM d, yyyy", &t), "Tuesday, March 5, 2024");
        assert_eq!(format_picture("ddd dd MMM yy", &t), "Tue 05 Mar 24");
        assert_eq!(format_picture("h:mm:ss tt", &t), "2:07:09 PM");
        assert_eq!(format_picture("HH'h'mm 'o''clock'", &t), "14h07 o'clock");
    }
}
