// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// conversions.cpp - numbers from strings (atoi, strtol and relatives),
// numbers to strings (_itoa_s and relatives) and the character
// classification of the "C" locale (isalpha, toupper, ...).

#include "../internal/corecrt_internal.h"

static bool is_space(int const c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_value(int const c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

// The common part of the strto* functions: parses an optionally signed
// number in base radix (0: decimal, 0x hex or 0 octal) and clamps it to
// [min_value, max_value] (ERANGE). For the unsigned forms min_value is 0
// and a minus sign negates the result, as C requires.
template <typename Ch>
static unsigned long long parse(Ch const* const string, Ch** const end, int radix, bool const is_signed,
                                unsigned long long const max_magnitude_positive,
                                unsigned long long const max_magnitude_negative, bool* const negative_out)
{
    Ch const* p = string;
    if (end != nullptr)
    {
        *end = const_cast<Ch*>(string);
    }
    if (!(radix == 0 || (radix >= 2 && radix <= 36)))
    {
        errno = EINVAL;
        return 0;
    }
    while (is_space(*p))
    {
        ++p;
    }
    bool negative = false;
    if (*p == '-' || *p == '+')
    {
        negative = *p == '-';
        ++p;
    }
    if ((radix == 0 || radix == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16)
    {
        p += 2;
        radix = 16;
    }
    else if (radix == 0)
    {
        radix = p[0] == '0' ? 8 : 10;
    }

    unsigned long long value = 0;
    bool overflow = false;
    bool any = false;
    unsigned long long const limit = negative && is_signed ? max_magnitude_negative : max_magnitude_positive;
    for (;; ++p)
    {
        int const d = digit_value(*p);
        if (d >= radix)
        {
            break;
        }
        any = true;
        if (value > (limit - static_cast<unsigned>(d)) / static_cast<unsigned>(radix))
        {
            overflow = true;
        }
        else
        {
            value = value * static_cast<unsigned>(radix) + static_cast<unsigned>(d);
        }
    }
    if (!any)
    {
        return 0;
    }
    if (end != nullptr)
    {
        *end = const_cast<Ch*>(p);
    }
    if (overflow)
    {
        errno = ERANGE;
        value = limit;
        if (!is_signed)
        {
            negative = false;
        }
    }
    *negative_out = negative;
    return value;
}

template <typename Ch>
static long long parse_signed(Ch const* const string, Ch** const end, int const radix, long long const max_value)
{
    bool negative = false;
    unsigned long long const magnitude =
        parse(string, end, radix, true, static_cast<unsigned long long>(max_value),
              static_cast<unsigned long long>(max_value) + 1, &negative);
    return negative ? static_cast<long long>(0ull - magnitude) : static_cast<long long>(magnitude);
}

template <typename Ch>
static unsigned long long parse_unsigned(Ch const* const string, Ch** const end, int const radix,
                                         unsigned long long const max_value)
{
    bool negative = false;
    unsigned long long const magnitude = parse(string, end, radix, false, max_value, max_value, &negative);
    return negative ? (0ull - magnitude) & max_value : magnitude;
}

extern "C" long __cdecl strtol(char const* const s, char** const end, int const radix)
{
    return static_cast<long>(parse_signed(s, end, radix, 0x7fffffffll));
}

extern "C" unsigned long __cdecl strtoul(char const* const s, char** const end, int const radix)
{
    return static_cast<unsigned long>(parse_unsigned(s, end, radix, 0xffffffffull));
}

extern "C" long long __cdecl strtoll(char const* const s, char** const end, int const radix)
{
    return parse_signed(s, end, radix, 0x7fffffffffffffffll);
}

extern "C" unsigned long long __cdecl strtoull(char const* const s, char** const end, int const radix)
{
    return parse_unsigned(s, end, radix, 0xffffffffffffffffull);
}

extern "C" long long __cdecl _strtoi64(char const* const s, char** const end, int const radix)
{
    return strtoll(s, end, radix);
}

extern "C" unsigned long long __cdecl _strtoui64(char const* const s, char** const end, int const radix)
{
    return strtoull(s, end, radix);
}

extern "C" long __cdecl wcstol(wchar_t const* const s, wchar_t** const end, int const radix)
{
    return static_cast<long>(parse_signed(s, end, radix, 0x7fffffffll));
}

extern "C" unsigned long __cdecl wcstoul(wchar_t const* const s, wchar_t** const end, int const radix)
{
    return static_cast<unsigned long>(parse_unsigned(s, end, radix, 0xffffffffull));
}

extern "C" int __cdecl atoi(char const* const s)
{
    return static_cast<int>(strtol(s, nullptr, 10));
}

extern "C" long __cdecl atol(char const* const s)
{
    return strtol(s, nullptr, 10);
}

extern "C" long long __cdecl atoll(char const* const s)
{
    return strtoll(s, nullptr, 10);
}

extern "C" long long __cdecl _atoi64(char const* const s)
{
    return strtoll(s, nullptr, 10);
}

extern "C" int __cdecl _wtoi(wchar_t const* const s)
{
    return static_cast<int>(wcstol(s, nullptr, 10));
}

extern "C" long __cdecl _wtol(wchar_t const* const s)
{
    return wcstol(s, nullptr, 10);
}

// Writes value in the given radix; negative only for radix 10 signed
// conversions, as in the UCRT.
template <typename Ch>
static errno_t to_string_s(unsigned long long value, bool const negative, Ch* const buffer, size_t const size,
                           int const radix)
{
    _VALIDATE_RETURN(buffer != nullptr && size > 0, EINVAL, EINVAL);
    buffer[0] = 0;
    _VALIDATE_RETURN(size > static_cast<size_t>(negative ? 2 : 1), ERANGE, ERANGE);
    _VALIDATE_RETURN(radix >= 2 && radix <= 36, EINVAL, EINVAL);

    Ch digits[70];
    size_t n = 0;
    do
    {
        unsigned const d = static_cast<unsigned>(value % static_cast<unsigned>(radix));
        digits[n++] = static_cast<Ch>(d < 10 ? '0' + d : 'a' + d - 10);
        value /= static_cast<unsigned>(radix);
    } while (value != 0);
    size_t const needed = n + (negative ? 1 : 0) + 1;
    if (needed > size)
    {
        buffer[0] = 0;
        _VALIDATE_RETURN(size >= needed, ERANGE, ERANGE);
    }
    size_t i = 0;
    if (negative)
    {
        buffer[i++] = '-';
    }
    while (n > 0)
    {
        buffer[i++] = digits[--n];
    }
    buffer[i] = 0;
    return 0;
}

template <typename Ch>
static errno_t signed_to_string_s(long long const value, Ch* const buffer, size_t const size, int const radix)
{
    bool const negative = radix == 10 && value < 0;
    unsigned long long const magnitude =
        negative ? 0ull - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
    return to_string_s(magnitude, negative, buffer, size, radix);
}

extern "C" errno_t __cdecl _itoa_s(int const value, char* const buffer, size_t const size, int const radix)
{
    return radix == 10 ? signed_to_string_s<char>(value, buffer, size, radix)
                       : to_string_s<char>(static_cast<unsigned>(value), false, buffer, size, radix);
}

extern "C" errno_t __cdecl _ltoa_s(long const value, char* const buffer, size_t const size, int const radix)
{
    return _itoa_s(value, buffer, size, radix);
}

extern "C" errno_t __cdecl _ultoa_s(unsigned long const value, char* const buffer, size_t const size, int const radix)
{
    return to_string_s<char>(value, false, buffer, size, radix);
}

extern "C" errno_t __cdecl _i64toa_s(long long const value, char* const buffer, size_t const size, int const radix)
{
    return signed_to_string_s<char>(value, buffer, size, radix);
}

extern "C" errno_t __cdecl _ui64toa_s(unsigned long long const value, char* const buffer, size_t const size,
                                      int const radix)
{
    return to_string_s<char>(value, false, buffer, size, radix);
}

extern "C" errno_t __cdecl _itow_s(int const value, wchar_t* const buffer, size_t const size, int const radix)
{
    return radix == 10 ? signed_to_string_s<wchar_t>(value, buffer, size, radix)
                       : to_string_s<wchar_t>(static_cast<unsigned>(value), false, buffer, size, radix);
}

extern "C" char* __cdecl _itoa(int const value, char* const buffer, int const radix)
{
    _itoa_s(value, buffer, 33, radix);
    return buffer;
}

//-----------------------------------------------------------------------------
// Character classification, "C" locale
//-----------------------------------------------------------------------------

extern "C" int __cdecl isdigit(int const c)
{
    return c >= '0' && c <= '9';
}

extern "C" int __cdecl isupper(int const c)
{
    return c >= 'A' && c <= 'Z';
}

extern "C" int __cdecl islower(int const c)
{
    return c >= 'a' && c <= 'z';
}

extern "C" int __cdecl isalpha(int const c)
{
    return isupper(c) || islower(c);
}

extern "C" int __cdecl isalnum(int const c)
{
    return isalpha(c) || isdigit(c);
}

extern "C" int __cdecl isxdigit(int const c)
{
    return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

extern "C" int __cdecl isspace(int const c)
{
    return is_space(c);
}

extern "C" int __cdecl iscntrl(int const c)
{
    return (c >= 0 && c < 0x20) || c == 0x7f;
}

extern "C" int __cdecl isprint(int const c)
{
    return c >= 0x20 && c < 0x7f;
}

extern "C" int __cdecl isgraph(int const c)
{
    return c > 0x20 && c < 0x7f;
}

extern "C" int __cdecl ispunct(int const c)
{
    return isgraph(c) && !isalnum(c);
}

extern "C" int __cdecl isblank(int const c)
{
    return c == ' ' || c == '\t';
}

extern "C" int __cdecl toupper(int const c)
{
    return islower(c) ? c - 32 : c;
}

extern "C" int __cdecl tolower(int const c)
{
    return isupper(c) ? c + 32 : c;
}

extern "C" int __cdecl iswspace(wint_t const c)
{
    return is_space(c);
}

extern "C" int __cdecl iswdigit(wint_t const c)
{
    return c >= '0' && c <= '9';
}

extern "C" int __cdecl iswalpha(wint_t const c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

extern "C" wint_t __cdecl towupper(wint_t const c)
{
    return c >= 'a' && c <= 'z' ? static_cast<wint_t>(c - 32) : c;
}

extern "C" wint_t __cdecl towlower(wint_t const c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<wint_t>(c + 32) : c;
}
