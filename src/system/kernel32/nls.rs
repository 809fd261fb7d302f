//! National language support: code pages, conversions between them and UTF-16, character
//! types, case mapping, string comparison and the locale. The guest's machine is an en-US
//! Windows: the ANSI code page is 1252, the OEM code page 437, the only locale en-US (LCID
//! 0x409), whatever the host's settings, so the same program gives the same bytes
//! everywhere. The C runtime builds its `ctype` and case tables from these functions at
//! start-up (`_setmbcp`), and `printf` to the console goes through WideCharToMultiByte.

use crate::process::Process;
use crate::process::memory::GuestMemory;
use crate::system::{ApiResult, ApiTable, status};

use super::MODULE;

pub fn register(t: &mut ApiTable) {
    t.simple(MODULE, "GetACP", get_acp);
    t.simple(MODULE, "GetOEMCP", get_oemcp);
    t.simple(MODULE, "IsValidCodePage", is_valid_code_page);
    t.simple(MODULE, "GetCPInfo", get_cp_info);
    t.simple(MODULE, "MultiByteToWideChar", multi_byte_to_wide_char);
    t.simple(MODULE, "WideCharToMultiByte", wide_char_to_multi_byte);
    t.simple(MODULE, "GetStringTypeW", get_string_type_w);
    t.simple(MODULE, "LCMapStringW", lc_map_string_w);
    t.simple(MODULE, "LCMapStringEx", lc_map_string_ex);
    t.simple(MODULE, "CompareStringW", compare_string_w);
    t.simple(MODULE, "CompareStringEx", compare_string_ex);
    t.simple(MODULE, "CompareStringOrdinal", compare_string_ordinal);
    t.simple(MODULE, "GetLocaleInfoW", get_locale_info_w);
    t.simple(MODULE, "GetLocaleInfoEx", get_locale_info_ex);
    t.simple(MODULE, "GetUserDefaultLCID", get_user_default_lcid);
    t.simple(MODULE, "GetSystemDefaultLCID", get_user_default_lcid);
    t.simple(MODULE, "GetUserDefaultLocaleName", get_user_default_locale_name);
    t.simple(MODULE, "IsValidLocale", is_valid_locale);
    t.simple(MODULE, "IsValidLocaleName", is_valid_locale_name);
    t.simple(MODULE, "LocaleNameToLCID", locale_name_to_lcid);
    t.simple(MODULE, "LCIDToLocaleName", lcid_to_locale_name);
}

pub const ANSI_CODE_PAGE: u32 = 1252;
pub const OEM_CODE_PAGE: u32 = 437;
pub const UTF8_CODE_PAGE: u32 = 65001;
/// en-US.
pub const LCID_EN_US: u32 = 0x409;

const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
const ERROR_INVALID_FLAGS: u32 = 1004;
const ERROR_NO_UNICODE_TRANSLATION: u32 = 1113;

// ---------------------------------------------------------------------------------------
// Code pages (pure helpers, unit-tested below)
// ---------------------------------------------------------------------------------------

/// Windows-1252 bytes 0x80..0x9f. The five bytes the code page leaves undefined (0x81, 0x8d,
/// 0x8f, 0x90, 0x9d) map to the C1 control with the same value, as Windows maps them.
const CP1252_80: [u16; 32] = [
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d,
    0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
    0x0153, 0x009d, 0x017e, 0x0178,
];

/// OEM code page 437 (the US console), bytes 0x80..0xff.
const CP437_80: [u16; 128] = [
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec,
    0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00a2,
    0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310,
    0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c,
    0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580, 0x03b1, 0x00df,
    0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2,
    0x25a0, 0x00a0,
];

/// The code page a CP_* value stands for: CP_ACP (0) and CP_THREAD_ACP (3) are 1252,
/// CP_OEMCP (1) is 437. None for code pages crtlab does not have.
pub fn resolve_code_page(cp: u32) -> Option<u32> {
    match cp {
        0 | 3 | ANSI_CODE_PAGE => Some(ANSI_CODE_PAGE),
        1 | OEM_CODE_PAGE => Some(OEM_CODE_PAGE),
        UTF8_CODE_PAGE => Some(UTF8_CODE_PAGE),
        _ => None,
    }
}

/// One byte of a single-byte code page as UTF-16.
pub fn sbcs_to_unicode(cp: u32, b: u8) -> u16 {
    match (cp, b) {
        (_, 0..=0x7f) => u16::from(b),
        (OEM_CODE_PAGE, _) => CP437_80[usize::from(b - 0x80)],
        (_, 0x80..=0x9f) => CP1252_80[usize::from(b - 0x80)],
        _ => u16::from(b),
    }
}

/// The byte a UTF-16 unit has in a single-byte code page, if it has one (no best-fit
/// mapping: `Ā` has none in 1252).
pub fn unicode_to_sbcs(cp: u32, u: u16) -> Option<u8> {
    if u < 0x80 {
        return Some(u as u8);
    }
    if cp == OEM_CODE_PAGE {
        return CP437_80.iter().position(|&c| c == u).map(|i| 0x80 + i as u8);
    }
    if let Some(i) = CP1252_80.iter().position(|&c| c == u) {
        return Some(0x80 + i as u8);
    }
    (0xa0..=0xff).contains(&u).then_some(u as u8)
}

/// Why a conversion failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertError {
    /// MB_ERR_INVALID_CHARS / WC_ERR_INVALID_CHARS and the input has an invalid sequence.
    NoTranslation,
}

/// Bytes in `cp` to UTF-16, as MultiByteToWideChar converts them. Invalid UTF-8 becomes
/// U+FFFD (one per maximal invalid subpart, as Windows does), or an error with `strict`.
pub fn multibyte_to_utf16(cp: u32, bytes: &[u8], strict: bool) -> Result<Vec<u16>, ConvertError> {
    if cp != UTF8_CODE_PAGE {
        return Ok(bytes.iter().map(|&b| sbcs_to_unicode(cp, b)).collect());
    }
    let mut out = Vec::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.extend(chunk.valid().encode_utf16());
        if !chunk.invalid().is_empty() {
            if strict {
                return Err(ConvertError::NoTranslation);
            }
            out.push(0xfffd);
        }
    }
    Ok(out)
}

/// UTF-16 to bytes in `cp`, as WideCharToMultiByte converts them. In a single-byte code
/// page a character without a byte becomes `default` (and the bool says that happened); in
/// UTF-8 an unpaired surrogate becomes U+FFFD, or an error with `strict`.
pub fn utf16_to_multibyte(cp: u32, units: &[u16], default: u8, strict: bool) -> Result<(Vec<u8>, bool), ConvertError> {
    if cp == UTF8_CODE_PAGE {
        let mut out = Vec::with_capacity(units.len());
        for r in char::decode_utf16(units.iter().copied()) {
            let c = match r {
                Ok(c) => c,
                Err(_) if strict => return Err(ConvertError::NoTranslation),
                Err(_) => '\u{fffd}',
            };
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        return Ok((out, false));
    }
    let mut used_default = false;
    let out = units
        .iter()
        .map(|&u| {
            unicode_to_sbcs(cp, u).unwrap_or_else(|| {
                used_default = true;
                default
            })
        })
        .collect();
    Ok((out, used_default))
}

/// Upper case of one UTF-16 unit, for ASCII, Latin-1 and Latin Extended-A (which covers
/// every letter of code page 1252). `ß` and `ÿ`-like letters without a one-unit upper case
/// in that range stay as they are, except `ÿ` → `Ÿ` (U+0178) and `µ` → `Μ` (U+039C), as
/// Windows maps them.
pub fn to_upper(u: u16) -> u16 {
    match u {
        0x61..=0x7a => u - 0x20,
        0xb5 => 0x39c,
        0xe0..=0xfe if u != 0xf7 => u - 0x20,
        0xff => 0x178,
        0x100..=0x17f => match latin_ext_a_pair(u) {
            Some((upper, _)) => upper,
            None => u,
        },
        _ => u,
    }
}

/// Lower case of one UTF-16 unit (the inverse of [`to_upper`]).
pub fn to_lower(u: u16) -> u16 {
    match u {
        0x41..=0x5a => u + 0x20,
        0xc0..=0xde if u != 0xd7 => u + 0x20,
        0x178 => 0xff,
        0x100..=0x17f => match latin_ext_a_pair(u) {
            Some((_, lower)) => lower,
            None => u,
        },
        _ => u,
    }
}

/// The (upper, lower) pair a Latin Extended-A letter belongs to.
fn latin_ext_a_pair(u: u16) -> Option<(u16, u16)> {
    match u {
        // Pairs with the capital at the even code point.
        0x100..=0x12f | 0x132..=0x137 | 0x14a..=0x177 => Some((u & !1, u | 1)),
        // İ and ı have no partner in this range.
        0x130 | 0x131 | 0x138 | 0x149 | 0x17f => None,
        // Pairs with the capital at the odd code point.
        0x139..=0x148 | 0x179..=0x17e => {
            let upper = if u % 2 == 1 { u } else { u - 1 };
            Some((upper, upper + 1))
        }
        0x178 => Some((0x178, 0xff)),
        _ => None,
    }
}

/// CT_CTYPE1 bits.
pub const C1_UPPER: u16 = 0x1;
pub const C1_LOWER: u16 = 0x2;
pub const C1_DIGIT: u16 = 0x4;
pub const C1_SPACE: u16 = 0x8;
pub const C1_PUNCT: u16 = 0x10;
pub const C1_CNTRL: u16 = 0x20;
pub const C1_BLANK: u16 = 0x40;
pub const C1_XDIGIT: u16 = 0x80;
pub const C1_ALPHA: u16 = 0x100;
pub const C1_DEFINED: u16 = 0x200;

/// GetStringTypeW's CT_CTYPE1 classification of one UTF-16 unit: exact for ASCII and
/// Latin-1 (the values Windows gives), and from Unicode's general categories above.
pub fn ctype1(u: u16) -> u16 {
    let t = match u {
        0x09 => C1_CNTRL | C1_SPACE | C1_BLANK,
        0x0a..=0x0d | 0x85 => C1_CNTRL | C1_SPACE,
        0x00..=0x1f | 0x7f..=0x9f => C1_CNTRL,
        0x20 | 0xa0 => C1_SPACE | C1_BLANK,
        0x30..=0x39 => C1_DIGIT | C1_XDIGIT,
        0x41..=0x46 => C1_UPPER | C1_XDIGIT | C1_ALPHA,
        0x61..=0x66 => C1_LOWER | C1_XDIGIT | C1_ALPHA,
        0x47..=0x5a | 0xc0..=0xd6 | 0xd8..=0xde => C1_UPPER | C1_ALPHA,
        0x67..=0x7a | 0xaa | 0xb5 | 0xba | 0xdf..=0xf6 | 0xf8..=0xff => C1_LOWER | C1_ALPHA,
        0xb2 | 0xb3 | 0xb9 => C1_DIGIT | C1_PUNCT,
        0x21..=0x2f | 0x3a..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e | 0xa1..=0xbf | 0xd7 | 0xf7 => C1_PUNCT,
        0xd800..=0xdfff => 0,
        _ => match char::from_u32(u32::from(u)) {
            Some(c) if c.is_uppercase() => C1_UPPER | C1_ALPHA,
            Some(c) if c.is_lowercase() => C1_LOWER | C1_ALPHA,
            Some(c) if c.is_alphabetic() => C1_ALPHA,
            Some(c) if c.is_numeric() => C1_DIGIT,
            Some(c) if c.is_whitespace() => C1_SPACE,
            Some(c) if c.is_control() => C1_CNTRL,
            Some(_) => C1_PUNCT,
            None => 0,
        },
    };
    t | C1_DEFINED
}

/// CompareString's order for en-US without a linguistic table: letters compare without
/// regard to case first (so "apple" < "Banana"), and only equal strings are then told apart
/// by case, lower case first ("a" < "A"), as Windows' word sort does. NORM_IGNORECASE (or
/// LINGUISTIC_IGNORECASE) skips the second step. Returns CSTR_LESS_THAN (1), CSTR_EQUAL (2)
/// or CSTR_GREATER_THAN (3).
pub fn compare_strings(a: &[u16], b: &[u16], ignore_case: bool) -> u32 {
    let fold = |s: &[u16]| s.iter().map(|&u| to_lower(u)).collect::<Vec<u16>>();
    let order = fold(a).cmp(&fold(b)).then_with(|| {
        if ignore_case {
            return std::cmp::Ordering::Equal;
        }
        // Lower case sorts before upper case: compare the case of each position.
        let rank = |u: u16| u32::from(to_lower(u) != u);
        a.iter().map(|&u| rank(u)).cmp(b.iter().map(|&u| rank(u)))
    });
    match order {
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Equal => 2,
        std::cmp::Ordering::Greater => 3,
    }
}

// ---------------------------------------------------------------------------------------
// Guest memory helpers
// ---------------------------------------------------------------------------------------

fn fail(p: &mut Process, err: u32) -> ApiResult {
    p.set_last_error(err);
    ApiResult::Return(0)
}

/// Reads `count` UTF-16 units, or up to and including the terminator when `count` is -1
/// (`include_nul`) or up to it (`!include_nul`).
fn read_units(p: &Process, addr: u64, count: i32, include_nul: bool) -> Option<Vec<u16>> {
    if count >= 0 {
        let raw = p.cpu.read_vec(addr, count as usize * 2).ok()?;
        return Some(raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect());
    }
    let mut out = Vec::new();
    for i in 0..(1u64 << 24) {
        let u = p.cpu.read_u16(addr + 2 * i).ok()?;
        if u == 0 {
            if include_nul {
                out.push(0);
            }
            return Some(out);
        }
        out.push(u);
    }
    None
}

/// Writes a result that has a size in units: with `capacity` 0 only the size is returned,
/// a buffer too small fails with ERROR_INSUFFICIENT_BUFFER.
fn write_units(p: &mut Process, addr: u64, capacity: i32, units: &[u16]) -> ApiResult {
    if capacity == 0 {
        return ApiResult::Return(units.len() as u64);
    }
    if (capacity as usize) < units.len() {
        return fail(p, ERROR_INSUFFICIENT_BUFFER);
    }
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    if p.cpu.write(addr, &bytes).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(units.len() as u64)
}

/// A NUL-terminated result string (GetLocaleInfo and friends): the size counts the NUL.
fn write_wstr(p: &mut Process, addr: u64, capacity: i32, s: &str) -> ApiResult {
    let units: Vec<u16> = s.encode_utf16().chain(std::iter::once(0)).collect();
    write_units(p, addr, capacity, &units)
}

// ---------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------

/// GetACP(): the ANSI code page, 1252 (Western European, as on an en-US Windows).
fn get_acp(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(ANSI_CODE_PAGE))
}

/// GetOEMCP(): the OEM code page, 437 (the US console's).
fn get_oemcp(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(OEM_CODE_PAGE))
}

/// IsValidCodePage(CodePage): TRUE for the code pages crtlab converts: 1252, 437 and
/// 65001 (UTF-8). The CP_* aliases are not code pages here, as on Windows.
fn is_valid_code_page(p: &mut Process) -> ApiResult {
    let cp = p.arg(0) as u32;
    ApiResult::Return(u64::from(matches!(cp, ANSI_CODE_PAGE | OEM_CODE_PAGE | UTF8_CODE_PAGE)))
}

/// GetCPInfo(CodePage, lpCPInfo): CPINFO {MaxCharSize, DefaultChar[2], LeadByte[12]}. The
/// single-byte code pages have no lead bytes; UTF-8 has MaxCharSize 4. The default
/// character is `?`.
fn get_cp_info(p: &mut Process) -> ApiResult {
    let (cp, out) = (p.arg(0) as u32, p.arg(1));
    let Some(cp) = resolve_code_page(cp) else { return fail(p, status::ERROR_INVALID_PARAMETER) };
    let mut info = [0u8; 20];
    info[0..4].copy_from_slice(&(if cp == UTF8_CODE_PAGE { 4u32 } else { 1 }).to_le_bytes());
    info[4] = b'?';
    if p.cpu.write(out, &info).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(1)
}

/// MultiByteToWideChar(CodePage, dwFlags, lpMultiByteStr, cbMultiByte, lpWideCharStr,
/// cchWideChar): cbMultiByte -1 converts up to and including the terminator;
/// cchWideChar 0 returns the size needed. MB_ERR_INVALID_CHARS makes invalid UTF-8 fail
/// with ERROR_NO_UNICODE_TRANSLATION (otherwise it becomes U+FFFD); UTF-8 accepts no other
/// flag (ERROR_INVALID_FLAGS).
fn multi_byte_to_wide_char(p: &mut Process) -> ApiResult {
    let (cp, flags, src, count, dst, capacity) =
        (p.arg(0) as u32, p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    let Some(cp) = resolve_code_page(cp) else { return fail(p, status::ERROR_INVALID_PARAMETER) };
    const MB_ERR_INVALID_CHARS: u32 = 0x8;
    let allowed = if cp == UTF8_CODE_PAGE { MB_ERR_INVALID_CHARS } else { 0xf };
    if flags & !allowed != 0 {
        return fail(p, ERROR_INVALID_FLAGS);
    }
    if src == 0 || count == 0 || count < -1 || capacity < 0 || (capacity > 0 && dst == 0) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let bytes = if count == -1 {
        p.cpu.read_cstr(src, 1 << 24).map(|mut b| {
            b.push(0);
            b
        })
    } else {
        p.cpu.read_vec(src, count as usize)
    };
    let Ok(bytes) = bytes else { return fail(p, 998) };
    match multibyte_to_utf16(cp, &bytes, flags & MB_ERR_INVALID_CHARS != 0) {
        Ok(units) => write_units(p, dst, capacity, &units),
        Err(ConvertError::NoTranslation) => fail(p, ERROR_NO_UNICODE_TRANSLATION),
    }
}

/// WideCharToMultiByte(CodePage, dwFlags, lpWideCharStr, cchWideChar, lpMultiByteStr,
/// cbMultiByte, lpDefaultChar, lpUsedDefaultChar): cchWideChar -1 converts up to and
/// including the terminator; cbMultiByte 0 returns the size needed. In 1252 and 437 a
/// character without a byte becomes the default character (`?` or *lpDefaultChar) and sets
/// *lpUsedDefaultChar; there is no best-fit mapping. For UTF-8 the two default-character
/// parameters must be NULL, and WC_ERR_INVALID_CHARS makes an unpaired surrogate fail with
/// ERROR_NO_UNICODE_TRANSLATION (otherwise it becomes U+FFFD).
fn wide_char_to_multi_byte(p: &mut Process) -> ApiResult {
    let (cp, flags, src, count, dst, capacity) =
        (p.arg(0) as u32, p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    let (default_ptr, used_ptr) = (p.arg(6), p.arg(7));
    let Some(cp) = resolve_code_page(cp) else { return fail(p, status::ERROR_INVALID_PARAMETER) };
    const WC_ERR_INVALID_CHARS: u32 = 0x80;
    if cp == UTF8_CODE_PAGE {
        if flags & !WC_ERR_INVALID_CHARS != 0 {
            return fail(p, ERROR_INVALID_FLAGS);
        }
        if default_ptr != 0 || used_ptr != 0 {
            return fail(p, status::ERROR_INVALID_PARAMETER);
        }
    }
    if src == 0 || count == 0 || count < -1 || capacity < 0 || (capacity > 0 && dst == 0) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let Some(units) = read_units(p, src, count, true) else { return fail(p, 998) };
    let default = if default_ptr != 0 { p.cpu.read_u8(default_ptr).unwrap_or(b'?') } else { b'?' };
    let (bytes, used_default) = match utf16_to_multibyte(cp, &units, default, flags & WC_ERR_INVALID_CHARS != 0) {
        Ok(r) => r,
        Err(ConvertError::NoTranslation) => return fail(p, ERROR_NO_UNICODE_TRANSLATION),
    };
    if used_ptr != 0 {
        let _ = p.cpu.write_u32(used_ptr, u32::from(used_default));
    }
    if capacity == 0 {
        return ApiResult::Return(bytes.len() as u64);
    }
    if (capacity as usize) < bytes.len() {
        return fail(p, ERROR_INSUFFICIENT_BUFFER);
    }
    if p.cpu.write(dst, &bytes).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(bytes.len() as u64)
}

/// GetStringTypeW(dwInfoType, lpSrcStr, cchSrc, lpCharType): one WORD of flags per
/// character. Only CT_CTYPE1 (the `isalpha`/`isdigit`/... classes) is provided; CT_CTYPE2
/// and CT_CTYPE3 fail with ERROR_INVALID_FLAGS.
fn get_string_type_w(p: &mut Process) -> ApiResult {
    let (kind, src, count, out) = (p.arg(0) as u32, p.arg(1), p.arg(2) as u32 as i32, p.arg(3));
    if kind != 1 {
        return fail(p, ERROR_INVALID_FLAGS);
    }
    if src == 0 || out == 0 || count == 0 || count < -1 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let Some(units) = read_units(p, src, count, true) else { return fail(p, 998) };
    let types: Vec<u8> = units.iter().flat_map(|&u| ctype1(u).to_le_bytes()).collect();
    if p.cpu.write(out, &types).is_err() {
        return fail(p, 998);
    }
    ApiResult::Return(1)
}

const LCMAP_LOWERCASE: u32 = 0x100;
const LCMAP_UPPERCASE: u32 = 0x200;
const LCMAP_LINGUISTIC_CASING: u32 = 0x0100_0000;

/// The common part of LCMapStringW and LCMapStringEx: LCMAP_LOWERCASE or LCMAP_UPPERCASE
/// (with or without LCMAP_LINGUISTIC_CASING), over ASCII, Latin-1 and Latin Extended-A
/// (see [`to_upper`]). Sort keys and the other mappings fail with ERROR_INVALID_FLAGS.
fn lc_map(p: &mut Process, flags: u32, src: u64, count: i32, dst: u64, capacity: i32) -> ApiResult {
    let case = flags & !LCMAP_LINGUISTIC_CASING;
    if case != LCMAP_LOWERCASE && case != LCMAP_UPPERCASE {
        return fail(p, ERROR_INVALID_FLAGS);
    }
    if src == 0 || count == 0 || count < -1 || capacity < 0 || (capacity > 0 && dst == 0) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let Some(units) = read_units(p, src, count, true) else { return fail(p, 998) };
    let map = if case == LCMAP_UPPERCASE { to_upper } else { to_lower };
    let mapped: Vec<u16> = units.iter().map(|&u| map(u)).collect();
    write_units(p, dst, capacity, &mapped)
}

/// LCMapStringW(Locale, dwMapFlags, lpSrcStr, cchSrc, lpDestStr, cchDest): case mapping
/// in the en-US locale (every locale maps like en-US in crtlab).
fn lc_map_string_w(p: &mut Process) -> ApiResult {
    let (flags, src, count, dst, capacity) =
        (p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    lc_map(p, flags, src, count, dst, capacity)
}

/// LCMapStringEx(lpLocaleName, dwMapFlags, lpSrcStr, cchSrc, lpDestStr, cchDest, ...): as
/// LCMapStringW, for a locale given by name.
fn lc_map_string_ex(p: &mut Process) -> ApiResult {
    let (flags, src, count, dst, capacity) =
        (p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    lc_map(p, flags, src, count, dst, capacity)
}

/// NORM_IGNORECASE and LINGUISTIC_IGNORECASE.
const IGNORE_CASE_FLAGS: u32 = 0x1 | 0x10;

fn compare(p: &mut Process, flags: u32, s1: u64, n1: i32, s2: u64, n2: i32) -> ApiResult {
    if s1 == 0 || s2 == 0 || n1 < -1 || n2 < -1 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let (Some(a), Some(b)) = (read_units(p, s1, n1, false), read_units(p, s2, n2, false)) else {
        return fail(p, 998);
    };
    ApiResult::Return(u64::from(compare_strings(&a, &b, flags & IGNORE_CASE_FLAGS != 0)))
}

/// CompareStringW(Locale, dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2):
/// CSTR_LESS_THAN (1), CSTR_EQUAL (2) or CSTR_GREATER_THAN (3), in the order described at
/// [`compare_strings`]; -1 counts mean NUL-terminated.
fn compare_string_w(p: &mut Process) -> ApiResult {
    let (flags, s1, n1, s2, n2) = (p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    compare(p, flags, s1, n1, s2, n2)
}

/// CompareStringEx(lpLocaleName, dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2,
/// ...): as CompareStringW, for a locale given by name.
fn compare_string_ex(p: &mut Process) -> ApiResult {
    let (flags, s1, n1, s2, n2) = (p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4), p.arg(5) as u32 as i32);
    compare(p, flags, s1, n1, s2, n2)
}

/// CompareStringOrdinal(lpString1, cchCount1, lpString2, cchCount2, bIgnoreCase): code
/// unit by code unit (after upper-casing both with bIgnoreCase), CSTR_* as above.
fn compare_string_ordinal(p: &mut Process) -> ApiResult {
    let (s1, n1, s2, n2, ignore) = (p.arg(0), p.arg(1) as u32 as i32, p.arg(2), p.arg(3) as u32 as i32, p.arg(4) as u32);
    if s1 == 0 || s2 == 0 || n1 < -1 || n2 < -1 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let (Some(a), Some(b)) = (read_units(p, s1, n1, false), read_units(p, s2, n2, false)) else {
        return fail(p, 998);
    };
    let key = |s: &[u16]| s.iter().map(|&u| if ignore != 0 { to_upper(u) } else { u }).collect::<Vec<u16>>();
    ApiResult::Return(match key(&a).cmp(&key(&b)) {
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Equal => 2,
        std::cmp::Ordering::Greater => 3,
    })
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/// Monday first, as LOCALE_SDAYNAME1 is Monday.
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The en-US value of a LCTYPE (without its modifier flags): a string, or a number for
/// LOCALE_RETURN_NUMBER.
fn locale_info(lctype: u32) -> Option<(String, Option<u32>)> {
    let s = |v: &str| Some((v.to_string(), None));
    let n = |v: u32, text: &str| Some((text.to_string(), Some(v)));
    match lctype {
        0x01 => n(0x409, "0409"),       // LOCALE_ILANGUAGE
        0x02 => s("English (United States)"), // LOCALE_SLANGUAGE (localized)
        0x03 => s("ENU"),               // LOCALE_SABBREVLANGNAME
        0x04 => s("English"),           // LOCALE_SNATIVELANGNAME
        0x05 => n(1, "1"),              // LOCALE_ICOUNTRY
        0x06 => s("United States"),     // LOCALE_SCOUNTRY
        0x07 => s("USA"),               // LOCALE_SABBREVCTRYNAME
        0x08 => s("United States"),     // LOCALE_SNATIVECTRYNAME
        0x0b => n(OEM_CODE_PAGE, "437"), // LOCALE_IDEFAULTCODEPAGE
        0x0c => s(","),                 // LOCALE_SLIST
        0x0d => n(1, "1"),              // LOCALE_IMEASURE (U.S.)
        0x0e => s("."),                 // LOCALE_SDECIMAL
        0x0f => s(","),                 // LOCALE_STHOUSAND
        0x10 => s("3;0"),               // LOCALE_SGROUPING
        0x11 => n(2, "2"),              // LOCALE_IDIGITS
        0x12 => n(1, "1"),              // LOCALE_ILZERO
        0x14 => s("$"),                 // LOCALE_SCURRENCY
        0x15 => s("USD"),               // LOCALE_SINTLSYMBOL
        0x16 => s("."),                 // LOCALE_SMONDECIMALSEP
        0x17 => s(","),                 // LOCALE_SMONTHOUSANDSEP
        0x18 => s("3;0"),               // LOCALE_SMONGROUPING
        0x19 => n(2, "2"),              // LOCALE_ICURRDIGITS
        0x1b => n(0, "0"),              // LOCALE_ICURRENCY
        0x1c => n(0, "0"),              // LOCALE_INEGCURR
        0x1d => s("/"),                 // LOCALE_SDATE
        0x1e => s(":"),                 // LOCALE_STIME
        0x1f => s("M/d/yyyy"),          // LOCALE_SSHORTDATE
        0x20 => s("dddd, MMMM d, yyyy"), // LOCALE_SLONGDATE
        0x21 => n(0, "0"),              // LOCALE_IDATE (M/D/Y)
        0x23 => n(0, "0"),              // LOCALE_ITIME (12-hour)
        0x28 => s("AM"),                // LOCALE_S1159
        0x29 => s("PM"),                // LOCALE_S2359
        0x2a..=0x30 => s(DAYS[(lctype - 0x2a) as usize]),
        0x31..=0x37 => s(&DAYS[(lctype - 0x31) as usize][..3]),
        0x38..=0x43 => s(MONTHS[(lctype - 0x38) as usize]),
        0x44..=0x4f => s(&MONTHS[(lctype - 0x44) as usize][..3]),
        0x50 => s(""),                  // LOCALE_SPOSITIVESIGN
        0x51 => s("-"),                 // LOCALE_SNEGATIVESIGN
        0x59 => s("en"),                // LOCALE_SISO639LANGNAME
        0x5a => s("US"),                // LOCALE_SISO3166CTRYNAME
        0x5c => s("en-US"),             // LOCALE_SNAME
        0x1001 => s("English"),         // LOCALE_SENGLISHLANGUAGENAME
        0x1002 => s("United States"),   // LOCALE_SENGLISHCOUNTRYNAME
        0x1003 => s("h:mm:ss tt"),      // LOCALE_STIMEFORMAT
        0x1004 => n(ANSI_CODE_PAGE, "1252"), // LOCALE_IDEFAULTANSICODEPAGE
        0x100c => n(6, "6"),            // LOCALE_IFIRSTDAYOFWEEK (Sunday)
        0x100d => n(0, "0"),            // LOCALE_IFIRSTWEEKOFYEAR
        0x1011 => n(10000, "10000"),    // LOCALE_IDEFAULTMACCODEPAGE
        _ => None,
    }
}

fn locale_info_common(p: &mut Process, lctype: u32, out: u64, capacity: i32) -> ApiResult {
    const LOCALE_NOUSEROVERRIDE: u32 = 0x8000_0000;
    const LOCALE_USE_CP_ACP: u32 = 0x4000_0000;
    const LOCALE_RETURN_NUMBER: u32 = 0x2000_0000;
    let base = lctype & !(LOCALE_NOUSEROVERRIDE | LOCALE_USE_CP_ACP | LOCALE_RETURN_NUMBER);
    if capacity < 0 || (capacity > 0 && out == 0) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let Some((text, number)) = locale_info(base) else { return fail(p, ERROR_INVALID_FLAGS) };
    if lctype & LOCALE_RETURN_NUMBER != 0 {
        let Some(v) = number else { return fail(p, ERROR_INVALID_FLAGS) };
        // The number takes two WCHARs.
        if capacity == 0 {
            return ApiResult::Return(2);
        }
        if capacity < 2 {
            return fail(p, ERROR_INSUFFICIENT_BUFFER);
        }
        let _ = p.cpu.write_u32(out, v);
        return ApiResult::Return(2);
    }
    write_wstr(p, out, capacity, &text)
}

/// The LCIDs that mean en-US here: 0x409 itself, LOCALE_USER_DEFAULT (0x400),
/// LOCALE_SYSTEM_DEFAULT (0x800), LOCALE_INVARIANT (0x7f, which has the same formats) and
/// LOCALE_NEUTRAL (0).
fn is_en_us_lcid(lcid: u32) -> bool {
    matches!(lcid, 0 | 0x7f | 0x400 | 0x409 | 0x800)
}

/// The locale names that mean en-US here: NULL (LOCALE_NAME_USER_DEFAULT), "" (the
/// invariant locale), "en-US" in any case and "!x-sys-default-locale".
fn is_en_us_name(p: &Process, name: u64) -> bool {
    if name == 0 {
        return true;
    }
    let s = p.read_wstr(name, 85).unwrap_or_else(|_| "?".into());
    s.is_empty() || s.eq_ignore_ascii_case("en-US") || s == "!x-sys-default-locale"
}

/// GetLocaleInfoW(Locale, LCType, lpLCData, cchData): the fixed en-US value of LCType
/// (see [`locale_info`]); cchData 0 returns the size with the terminator;
/// LOCALE_RETURN_NUMBER gives numeric values as a DWORD. Other locales fail with
/// ERROR_INVALID_PARAMETER, unknown LCTypes with ERROR_INVALID_FLAGS.
fn get_locale_info_w(p: &mut Process) -> ApiResult {
    let (lcid, lctype, out, capacity) = (p.arg(0) as u32, p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32);
    if !is_en_us_lcid(lcid) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    locale_info_common(p, lctype, out, capacity)
}

/// GetLocaleInfoEx(lpLocaleName, LCType, lpLCData, cchData): as GetLocaleInfoW, for a
/// locale given by name.
fn get_locale_info_ex(p: &mut Process) -> ApiResult {
    let (name, lctype, out, capacity) = (p.arg(0), p.arg(1) as u32, p.arg(2), p.arg(3) as u32 as i32);
    if !is_en_us_name(p, name) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    locale_info_common(p, lctype, out, capacity)
}

/// GetUserDefaultLCID() and GetSystemDefaultLCID(): 0x409 (en-US).
fn get_user_default_lcid(_p: &mut Process) -> ApiResult {
    ApiResult::Return(u64::from(LCID_EN_US))
}

/// GetUserDefaultLocaleName(lpLocaleName, cchLocaleName): "en-US"; returns the length
/// with the terminator, 0 with ERROR_INSUFFICIENT_BUFFER if it does not fit.
fn get_user_default_locale_name(p: &mut Process) -> ApiResult {
    let (out, capacity) = (p.arg(0), p.arg(1) as u32 as i32);
    if capacity <= 0 || out == 0 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    write_wstr(p, out, capacity, "en-US")
}

/// IsValidLocale(Locale, dwFlags): TRUE for the en-US LCIDs (see [`is_en_us_lcid`]).
fn is_valid_locale(p: &mut Process) -> ApiResult {
    let lcid = p.arg(0) as u32;
    ApiResult::Return(u64::from(lcid == LCID_EN_US || lcid == 0x7f))
}

/// IsValidLocaleName(lpLocaleName): TRUE for "en-US" and "" (invariant).
fn is_valid_locale_name(p: &mut Process) -> ApiResult {
    let name = p.arg(0);
    ApiResult::Return(u64::from(name != 0 && is_en_us_name(p, name)))
}

/// LocaleNameToLCID(lpName, dwFlags): 0x409 for en-US (and the user default), 0x7f for
/// the invariant locale (""), 0 with ERROR_INVALID_PARAMETER otherwise.
fn locale_name_to_lcid(p: &mut Process) -> ApiResult {
    let name = p.arg(0);
    if !is_en_us_name(p, name) {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    let invariant = name != 0 && p.cpu.read_u16(name).ok() == Some(0);
    ApiResult::Return(if invariant { 0x7f } else { u64::from(LCID_EN_US) })
}

/// LCIDToLocaleName(Locale, lpName, cchName, dwFlags): "en-US" for the en-US LCIDs ("" for
/// LOCALE_INVARIANT); cchName 0 returns the size with the terminator.
fn lcid_to_locale_name(p: &mut Process) -> ApiResult {
    let (lcid, out, capacity) = (p.arg(0) as u32, p.arg(1), p.arg(2) as u32 as i32);
    if !is_en_us_lcid(lcid) || capacity < 0 {
        return fail(p, status::ERROR_INVALID_PARAMETER);
    }
    write_wstr(p, out, capacity, if lcid == 0x7f { "" } else { "en-US" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn cp1252_round_trips_every_byte() {
        for b in 0..=255u8 {
            let u = sbcs_to_unicode(ANSI_CODE_PAGE, b);
            assert_eq!(unicode_to_sbcs(ANSI_CODE_PAGE, u), Some(b), "byte {b:#x}");
        }
        assert_eq!(sbcs_to_unicode(ANSI_CODE_PAGE, 0x80), 0x20ac); // €
        assert_eq!(sbcs_to_unicode(ANSI_CODE_PAGE, 0x81), 0x81); // undefined: C1 control
        assert_eq!(sbcs_to_unicode(ANSI_CODE_PAGE, 0xe9), 0xe9); // é
        assert_eq!(unicode_to_sbcs(ANSI_CODE_PAGE, 0x100), None); // Ā: no best fit
    }

    #[test]
    fn cp437_round_trips_every_byte() {
        for b in 0..=255u8 {
            let u = sbcs_to_unicode(OEM_CODE_PAGE, b);
            assert_eq!(unicode_to_sbcs(OEM_CODE_PAGE, u), Some(b), "byte {b:#x}");
        }
        assert_eq!(sbcs_to_unicode(OEM_CODE_PAGE, 0x82), 0xe9); // é
        assert_eq!(sbcs_to_unicode(OEM_CODE_PAGE, 0xc9), 0x2554); // ╔
        assert_eq!(unicode_to_sbcs(OEM_CODE_PAGE, 0x20ac), None); // no € in 437
    }

    #[test]
    fn code_page_aliases() {
        assert_eq!(resolve_code_page(0), Some(1252));
        assert_eq!(resolve_code_page(1), Some(437));
        assert_eq!(resolve_code_page(3), Some(1252));
        assert_eq!(resolve_code_page(65001), Some(65001));
        assert_eq!(resolve_code_page(2), None); // CP_MACCP
        assert_eq!(resolve_code_page(65000), None); // UTF-7
    }

    #[test]
    fn utf8_conversions() {
        assert_eq!(multibyte_to_utf16(UTF8_CODE_PAGE, "héllo €".as_bytes(), false).unwrap(), utf16("héllo €"));
        // Each invalid subpart becomes one U+FFFD; strict mode refuses.
        assert_eq!(multibyte_to_utf16(UTF8_CODE_PAGE, b"a\xffb\xe2\x82", false).unwrap(), vec![0x61, 0xfffd, 0x62, 0xfffd]);
        assert_eq!(multibyte_to_utf16(UTF8_CODE_PAGE, b"a\xff", true), Err(ConvertError::NoTranslation));
        assert_eq!(utf16_to_multibyte(UTF8_CODE_PAGE, &utf16("€😀"), b'?', false).unwrap().0, "€😀".as_bytes());
        assert_eq!(utf16_to_multibyte(UTF8_CODE_PAGE, &[0x41, 0xd800], b'?', false).unwrap().0, b"A\xef\xbf\xbd");
        assert_eq!(utf16_to_multibyte(UTF8_CODE_PAGE, &[0xd800], b'?', true), Err(ConvertError::NoTranslation));
    }

    #[test]
    fn single_byte_conversions_use_the_default_character() {
        assert_eq!(multibyte_to_utf16(ANSI_CODE_PAGE, b"caf\xe9 \x80", true).unwrap(), utf16("café €"));
        let (bytes, used) = utf16_to_multibyte(ANSI_CODE_PAGE, &utf16("café Ω"), b'?', false).unwrap();
        assert_eq!((bytes.as_slice(), used), (&b"caf\xe9 ?"[..], true));
        let (bytes, used) = utf16_to_multibyte(OEM_CODE_PAGE, &utf16("café Ω"), b'#', false).unwrap();
        assert_eq!((bytes.as_slice(), used), (&b"caf\x82 \xea"[..], false));
        let (_, used) = utf16_to_multibyte(ANSI_CODE_PAGE, &utf16("plain"), b'?', false).unwrap();
        assert!(!used);
    }

    #[test]
    fn case_mapping() {
        let upper: String = char::decode_utf16("straße àéîõü ÿ µ šœž".encode_utf16().map(to_upper)).map(|c| c.unwrap()).collect();
        assert_eq!(upper, "STRAßE ÀÉÎÕÜ Ÿ Μ ŠŒŽ");
        let lower: String = char::decode_utf16("ÀÉÎÕÜ Ÿ ŠŒŽ ĹĽ Ā".encode_utf16().map(to_lower)).map(|c| c.unwrap()).collect();
        assert_eq!(lower, "àéîõü ÿ šœž ĺľ ā");
        // × and ÷ are not letters; İ and ı have no partner here.
        assert_eq!((to_lower(0xd7), to_upper(0xf7), to_lower(0x130), to_upper(0x131)), (0xd7, 0xf7, 0x130, 0x131));
        for u in 0..0x180u16 {
            let (up, low) = (to_upper(u), to_lower(u));
            if up != u && up < 0x180 {
                assert_eq!(to_lower(up), u, "{u:#x}");
            }
            if low != u {
                assert_eq!(to_upper(low), u, "{u:#x}");
            }
        }
    }

    #[test]
    fn ctype1_matches_windows_for_latin1() {
        assert_eq!(ctype1(b'A'.into()), 0x381);
        assert_eq!(ctype1(b'z'.into()), 0x302);
        assert_eq!(ctype1(b'7'.into()), 0x284);
        assert_eq!(ctype1(b' '.into()), 0x248);
        assert_eq!(ctype1(b'\t'.into()), 0x268);
        assert_eq!(ctype1(b'\n'.into()), 0x228);
        assert_eq!(ctype1(b'!'.into()), 0x210);
        assert_eq!(ctype1(0x7f), 0x220);
        assert_eq!(ctype1(0xa0), 0x248);
        assert_eq!(ctype1(0xc9), 0x301); // É
        assert_eq!(ctype1(0xdf), 0x302); // ß
        assert_eq!(ctype1(0xd7), 0x210); // ×
        assert_eq!(ctype1(0xb2), 0x214); // ²
        assert_eq!(ctype1(0x3a9), 0x301); // Ω
    }

    #[test]
    fn comparison_is_case_insensitive_first() {
        assert_eq!(compare_strings(&utf16("apple"), &utf16("Banana"), false), 1);
        assert_eq!(compare_strings(&utf16("a"), &utf16("A"), false), 1);
        assert_eq!(compare_strings(&utf16("A"), &utf16("a"), false), 3);
        assert_eq!(compare_strings(&utf16("HeLLo"), &utf16("hello"), true), 2);
        assert_eq!(compare_strings(&utf16("abc"), &utf16("abcd"), true), 1);
    }
}
