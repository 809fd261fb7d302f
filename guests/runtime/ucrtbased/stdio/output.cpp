// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// output.cpp - the formatting engine behind printf, sprintf, fprintf, the
// debug reports and their wide forms, and the __stdio_common_* entry points
// that the inline functions of <stdio.h> call.
//
// It follows the Microsoft C runtime's conversion rules:
//   flags       - + space # 0
//   width       digits or *        precision   .digits or .*
//   length      hh h l ll L w j z t I I32 I64
//   conversion  d i u o x X c C s S p n e E f F g G a A %
// with MSVC's particulars: %p prints 16 upper-case hex digits on x64, %hs is
// always a narrow string and %ls/%ws always a wide one, %S and %C are the
// "other" width, a null string prints as "(null)", %n is refused (an
// invalid parameter, as in the UCRT), and exponents have at least two
// digits. Floating point is converted exactly (a double is a dyadic
// rational, so every digit it has can be computed) and rounded to nearest,
// ties to even, as the UCRT does.

#include "../internal/corecrt_internal.h"

//-----------------------------------------------------------------------------
// Output sinks
//-----------------------------------------------------------------------------

namespace {

// Where formatted characters go: a caller's buffer (keeping what fits) or a
// stream (in chunks). count is the number of characters the whole output
// has, whether it fitted or not.
template <typename Ch>
struct sink
{
    Ch* buffer = nullptr;
    size_t capacity = 0; // characters the buffer can take, not counting room for a terminator
    size_t count = 0;
    FILE* stream = nullptr;
    Ch chunk[512];
    size_t chunk_used = 0;
    bool failed = false;

    void put(Ch const c)
    {
        if (stream != nullptr)
        {
            chunk[chunk_used++] = c;
            if (chunk_used == sizeof(chunk) / sizeof(chunk[0]))
            {
                flush();
            }
        }
        else if (count < capacity)
        {
            buffer[count] = c;
        }
        ++count;
    }

    void repeat(Ch const c, long n)
    {
        for (; n > 0; --n)
        {
            put(c);
        }
    }

    void flush();
};

} // namespace

// Writes the stream output of one printf call. stdout and stderr are
// attached to the console, which the UCRT does not buffer between calls, so
// every printf call ends with its text written (one WriteFile, for output up
// to the chunk size).
template <>
void sink<char>::flush()
{
    if (chunk_used != 0)
    {
        if (fwrite(chunk, 1, chunk_used, stream) != chunk_used)
        {
            failed = true;
        }
        chunk_used = 0;
    }
}

template <>
void sink<wchar_t>::flush()
{
    // Wide output to a narrow stream: characters past Latin-1 cannot be
    // converted in the "C" locale and are written as '?'.
    char narrow[sizeof(chunk) / sizeof(chunk[0])];
    for (size_t i = 0; i != chunk_used; ++i)
    {
        narrow[i] = chunk[i] < 0x100 ? static_cast<char>(chunk[i]) : '?';
    }
    if (chunk_used != 0 && fwrite(narrow, 1, chunk_used, stream) != chunk_used)
    {
        failed = true;
    }
    chunk_used = 0;
}

//-----------------------------------------------------------------------------
// Big integers for exact floating-point conversion
//-----------------------------------------------------------------------------

namespace {

// An unsigned integer of up to 5120 bits, little-endian 32-bit limbs. A
// double times a power of ten up to 10^1100 fits.
struct big
{
    static int const max_limbs = 160;
    unsigned limbs[max_limbs];
    int used;

    void set(unsigned long long const v)
    {
        used = 0;
        if (v != 0)
        {
            limbs[used++] = static_cast<unsigned>(v);
            if (v >> 32)
            {
                limbs[used++] = static_cast<unsigned>(v >> 32);
            }
        }
    }

    bool is_zero() const
    {
        return used == 0;
    }

    void multiply_small(unsigned const m)
    {
        unsigned long long carry = 0;
        for (int i = 0; i != used; ++i)
        {
            unsigned long long const p = static_cast<unsigned long long>(limbs[i]) * m + carry;
            limbs[i] = static_cast<unsigned>(p);
            carry = p >> 32;
        }
        if (carry != 0 && used < max_limbs)
        {
            limbs[used++] = static_cast<unsigned>(carry);
        }
    }

    void add_small(unsigned const a)
    {
        unsigned long long carry = a;
        for (int i = 0; i != used && carry != 0; ++i)
        {
            unsigned long long const s = static_cast<unsigned long long>(limbs[i]) + carry;
            limbs[i] = static_cast<unsigned>(s);
            carry = s >> 32;
        }
        if (carry != 0 && used < max_limbs)
        {
            limbs[used++] = static_cast<unsigned>(carry);
        }
    }

    void multiply_pow10(int n)
    {
        while (n >= 9)
        {
            multiply_small(1000000000u);
            n -= 9;
        }
        static unsigned const small_powers[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
        if (n > 0)
        {
            multiply_small(small_powers[n]);
        }
    }

    void shift_left(int const bits)
    {
        if (used == 0 || bits == 0)
        {
            return;
        }
        int const words = bits / 32;
        int const rest = bits % 32;
        int new_used = used + words + 1;
        if (new_used > max_limbs)
        {
            new_used = max_limbs;
        }
        for (int i = new_used - 1; i >= 0; --i)
        {
            int const src = i - words;
            unsigned long long v = 0;
            if (src >= 0 && src < used)
            {
                v = static_cast<unsigned long long>(limbs[src]) << rest;
            }
            if (rest != 0 && src - 1 >= 0 && src - 1 < used)
            {
                v |= limbs[src - 1] >> (32 - rest);
            }
            limbs[i] = static_cast<unsigned>(v);
        }
        used = new_used;
        trim();
    }

    // Shifts right; *sticky becomes true if a 1 bit was shifted out.
    void shift_right(int const bits, bool* const sticky)
    {
        if (bits == 0)
        {
            return;
        }
        int const words = bits / 32;
        int const rest = bits % 32;
        for (int i = 0; i != used && i < words; ++i)
        {
            if (limbs[i] != 0)
            {
                *sticky = true;
            }
        }
        if (words < used && rest != 0 && (limbs[words] & ((1u << rest) - 1)) != 0)
        {
            *sticky = true;
        }
        for (int i = 0; i < used; ++i)
        {
            int const src = i + words;
            unsigned long long v = 0;
            if (src < used)
            {
                v = limbs[src] >> rest;
            }
            if (rest != 0 && src + 1 < used)
            {
                v |= static_cast<unsigned long long>(limbs[src + 1]) << (32 - rest);
            }
            limbs[i] = static_cast<unsigned>(v);
        }
        used = used > words ? used - words : 0;
        trim();
    }

    // Divides by d; returns the remainder.
    unsigned divide_small(unsigned const d)
    {
        unsigned long long remainder = 0;
        for (int i = used - 1; i >= 0; --i)
        {
            unsigned long long const v = (remainder << 32) | limbs[i];
            limbs[i] = static_cast<unsigned>(v / d);
            remainder = v % d;
        }
        trim();
        return static_cast<unsigned>(remainder);
    }

    void divide_pow10(int n, bool* const sticky)
    {
        while (n >= 9)
        {
            if (divide_small(1000000000u) != 0)
            {
                *sticky = true;
            }
            n -= 9;
        }
        static unsigned const small_powers[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
        if (n > 0 && divide_small(small_powers[n]) != 0)
        {
            *sticky = true;
        }
    }

    void trim()
    {
        while (used > 0 && limbs[used - 1] == 0)
        {
            --used;
        }
    }

    // Writes the decimal digits (most significant first) into out, which
    // must have room for 1600 characters; returns how many. Zero is "0".
    int to_decimal(char* const out) const
    {
        big copy = *this;
        char reversed[1600];
        int n = 0;
        while (!copy.is_zero())
        {
            unsigned chunk = copy.divide_small(1000000000u);
            for (int i = 0; i != 9; ++i)
            {
                reversed[n++] = static_cast<char>('0' + chunk % 10);
                chunk /= 10;
            }
        }
        while (n > 1 && reversed[n - 1] == '0')
        {
            --n;
        }
        if (n == 0)
        {
            reversed[n++] = '0';
        }
        for (int i = 0; i != n; ++i)
        {
            out[i] = reversed[n - 1 - i];
        }
        return n;
    }
};

// |value| = mantissa * 2^exponent, for a finite non-zero double.
void decompose(double const value, unsigned long long* const mantissa, int* const exponent)
{
    unsigned long long bits;
    memcpy(&bits, &value, sizeof(bits));
    int const biased = static_cast<int>((bits >> 52) & 0x7ff);
    unsigned long long const fraction = bits & ((1ull << 52) - 1);
    if (biased == 0)
    {
        *mantissa = fraction;
        *exponent = -1074;
    }
    else
    {
        *mantissa = fraction | (1ull << 52);
        *exponent = biased - 1075;
    }
}

big scaled_digits_scratch;

// round(|value| * 10^scale), ties to even, as decimal digits in out.
// Returns the number of digits.
int scaled_digits(double const value, int const scale, char* const out)
{
    unsigned long long mantissa;
    int exponent;
    decompose(value, &mantissa, &exponent);

    // Computes floor(2 * value * 10^scale), remembering whether anything was
    // lost, then rounds on the last bit.
    big& n = scaled_digits_scratch; // large: kept off the stack
    n.set(mantissa);
    bool sticky = false;
    if (scale >= 0)
    {
        n.multiply_pow10(scale);
    }
    int const shift = exponent + 1;
    if (shift >= 0)
    {
        n.shift_left(shift);
    }
    else
    {
        n.shift_right(-shift, &sticky);
    }
    if (scale < 0)
    {
        n.divide_pow10(-scale, &sticky);
    }
    bool const round_bit = !n.is_zero() && (n.limbs[0] & 1) != 0;
    bool round_bit_shifted_out = false;
    n.shift_right(1, &round_bit_shifted_out);
    if (round_bit && (sticky || (!n.is_zero() && (n.limbs[0] & 1) != 0)))
    {
        n.add_small(1);
    }
    return n.to_decimal(out);
}

// The decimal exponent of |value| (floor(log10)), possibly off by one; the
// callers correct it.
int estimate_exponent(double const value)
{
    unsigned long long mantissa;
    int exponent;
    decompose(value, &mantissa, &exponent);
    int bits = 0;
    while ((mantissa >> bits) != 0)
    {
        ++bits;
    }
    long long const log2 = static_cast<long long>(exponent) + bits - 1;
    // log10(2) ~ 0.30103 = 30103 / 100000
    long long e = (log2 * 30103) / 100000;
    if (log2 < 0 && (log2 * 30103) % 100000 != 0)
    {
        --e;
    }
    return static_cast<int>(e);
}

// The first significant digits of |value|, rounded: *decimal_exponent is the
// exponent of the first digit. count >= 1.
void significant_digits(double const value, int const count, char* const out, int* const decimal_exponent)
{
    int e = estimate_exponent(value);
    for (int attempt = 0; attempt != 3; ++attempt)
    {
        int const n = scaled_digits(value, count - 1 - e, out);
        if (n == count)
        {
            *decimal_exponent = e;
            return;
        }
        // Too many digits: the estimate was low (or rounding carried into a
        // new digit); too few: it was high.
        e += n > count ? 1 : -1;
    }
    // Rounding carried (9.99 -> 10.0): the digits are 1 followed by zeros.
    int const n = scaled_digits(value, count - 1 - e, out);
    if (n > count)
    {
        ++e;
    }
    *decimal_exponent = e;
}

} // namespace

//-----------------------------------------------------------------------------
// The formatter
//-----------------------------------------------------------------------------

namespace {

enum length_modifier
{
    length_none,
    length_hh,
    length_h,
    length_l,
    length_ll,
    length_L,
    length_j,
    length_z,
    length_t,
    length_w,
    length_I32,
    length_I64,
    length_I, // pointer-sized
};

struct spec
{
    bool left = false;
    bool plus = false;
    bool space = false;
    bool alternate = false;
    bool zero = false;
    int width = 0;
    int precision = -1;
    length_modifier length = length_none;
};

template <typename Ch>
void emit_padded(sink<Ch>& out, spec const& s, char const* prefix, char const* body, int body_length, int zeros)
{
    int const prefix_length = static_cast<int>(strlen(prefix));
    int const total = prefix_length + zeros + body_length;
    if (!s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - total);
    }
    for (int i = 0; i != prefix_length; ++i)
    {
        out.put(static_cast<Ch>(prefix[i]));
    }
    out.repeat(static_cast<Ch>('0'), zeros);
    for (int i = 0; i != body_length; ++i)
    {
        out.put(static_cast<Ch>(static_cast<unsigned char>(body[i])));
    }
    if (s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - total);
    }
}

template <typename Ch>
void format_integer(sink<Ch>& out, spec s, unsigned long long const magnitude, bool const negative, unsigned const radix,
                    bool const upper, char const* sign_prefix_override)
{
    char digits[70];
    int n = 0;
    char const* const alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (unsigned long long v = magnitude; v != 0; v /= radix)
    {
        digits[n++] = alphabet[v % radix];
    }
    char body[70];
    for (int i = 0; i != n; ++i)
    {
        body[i] = digits[n - 1 - i];
    }

    int precision = s.precision < 0 ? 1 : s.precision;
    int zeros = precision > n ? precision - n : 0;

    char prefix[4] = "";
    if (sign_prefix_override != nullptr)
    {
        strcpy_s(prefix, sizeof(prefix), sign_prefix_override);
    }
    else if (negative)
    {
        strcpy_s(prefix, sizeof(prefix), "-");
    }
    else if (s.plus)
    {
        strcpy_s(prefix, sizeof(prefix), "+");
    }
    else if (s.space)
    {
        strcpy_s(prefix, sizeof(prefix), " ");
    }

    if (s.alternate && radix == 8 && zeros == 0 && (n == 0 || body[0] != '0'))
    {
        zeros = 1;
    }
    if (s.alternate && radix == 16 && magnitude != 0)
    {
        strcat_s(prefix, sizeof(prefix), upper ? "0X" : "0x");
    }

    // The 0 flag pads with zeros, unless a precision was given or the
    // field is left-aligned.
    if (s.zero && !s.left && s.precision < 0)
    {
        int const used = static_cast<int>(strlen(prefix)) + zeros + n;
        if (s.width > used)
        {
            zeros += s.width - used;
        }
    }
    emit_padded(out, s, prefix, body, n, zeros);
}

template <typename Ch>
void format_special(sink<Ch>& out, spec const& s, bool const negative, char const* text)
{
    char prefix[2] = "";
    if (negative)
    {
        prefix[0] = '-';
    }
    else if (s.plus)
    {
        prefix[0] = '+';
    }
    else if (s.space)
    {
        prefix[0] = ' ';
    }
    emit_padded(out, s, prefix, text, static_cast<int>(strlen(text)), 0);
}

// The body (without sign) of a number in fixed notation with `precision`
// digits after the point.
int fixed_body(double const value, int precision, bool const alternate, char* const body)
{
    static char digits[1700];
    int n;
    if (value == 0)
    {
        digits[0] = '0';
        n = 1;
    }
    else
    {
        n = scaled_digits(value, precision, digits);
    }
    int length = 0;
    int const integer_digits = n > precision ? n - precision : 0;
    if (integer_digits == 0)
    {
        body[length++] = '0';
    }
    for (int i = 0; i < integer_digits; ++i)
    {
        body[length++] = digits[i];
    }
    if (precision > 0 || alternate)
    {
        body[length++] = '.';
    }
    // Leading zeros of the fraction that the integer does not show.
    int const shown_fraction = n - integer_digits;
    for (int i = 0; i < precision - shown_fraction; ++i)
    {
        body[length++] = '0';
    }
    for (int i = integer_digits; i < n; ++i)
    {
        body[length++] = digits[i];
    }
    return length;
}

int exponent_text(int exponent, bool const upper, bool const three_digits, char* const out)
{
    int length = 0;
    out[length++] = upper ? 'E' : 'e';
    out[length++] = exponent < 0 ? '-' : '+';
    if (exponent < 0)
    {
        exponent = -exponent;
    }
    char digits[8];
    int n = 0;
    do
    {
        digits[n++] = static_cast<char>('0' + exponent % 10);
        exponent /= 10;
    } while (exponent != 0);
    int const minimum = three_digits ? 3 : 2;
    for (int i = n; i < minimum; ++i)
    {
        out[length++] = '0';
    }
    for (int i = n - 1; i >= 0; --i)
    {
        out[length++] = digits[i];
    }
    return length;
}

// The body of a number in exponent notation with `precision` digits after
// the point.
int exponent_body(double const value, int const precision, bool const alternate, bool const upper,
                  bool const three_digits, char* const body)
{
    static char digits[1700];
    int exponent = 0;
    if (value == 0)
    {
        for (int i = 0; i <= precision; ++i)
        {
            digits[i] = '0';
        }
    }
    else
    {
        significant_digits(value, precision + 1, digits, &exponent);
    }
    int length = 0;
    body[length++] = digits[0];
    if (precision > 0 || alternate)
    {
        body[length++] = '.';
    }
    for (int i = 1; i <= precision; ++i)
    {
        body[length++] = digits[i];
    }
    length += exponent_text(exponent, upper, three_digits, body + length);
    return length;
}

// %g: exponent notation if the exponent is below -4 or not below the
// precision, fixed otherwise; trailing zeros removed unless #.
int general_body(double const value, int precision, bool const alternate, bool const upper, bool const three_digits,
                 char* const body)
{
    if (precision == 0)
    {
        precision = 1;
    }
    int exponent = 0;
    if (value != 0)
    {
        static char digits[1700];
        significant_digits(value, precision, digits, &exponent);
    }
    int length;
    if (exponent < -4 || exponent >= precision)
    {
        length = exponent_body(value, precision - 1, alternate, upper, three_digits, body);
    }
    else
    {
        length = fixed_body(value, precision - 1 - exponent, alternate, body);
    }
    if (!alternate)
    {
        // Strip zeros at the end of the fraction (before any exponent).
        int exponent_start = length;
        for (int i = 0; i != length; ++i)
        {
            if (body[i] == 'e' || body[i] == 'E')
            {
                exponent_start = i;
                break;
            }
        }
        int point = -1;
        for (int i = 0; i != exponent_start; ++i)
        {
            if (body[i] == '.')
            {
                point = i;
            }
        }
        if (point >= 0)
        {
            int end = exponent_start;
            while (end > point + 1 && body[end - 1] == '0')
            {
                --end;
            }
            if (end == point + 1)
            {
                end = point;
            }
            memmove(body + end, body + exponent_start, static_cast<size_t>(length - exponent_start));
            length = end + (length - exponent_start);
        }
    }
    return length;
}

// %a: 0x1.hhhhp+d, with as many hex digits as needed (or the precision).
int hex_body(double const value, int const precision, bool const alternate, bool const upper, char* const body)
{
    unsigned long long bits;
    memcpy(&bits, &value, sizeof(bits));
    int const biased = static_cast<int>((bits >> 52) & 0x7ff);
    unsigned long long fraction = bits & ((1ull << 52) - 1);
    int lead = biased == 0 ? 0 : 1;
    int exponent = biased == 0 ? (fraction == 0 ? 0 : -1022) : biased - 1023;

    // MSVC prints all 13 hex digits of the fraction unless a precision is
    // given.
    int digits = 13;
    if (precision >= 0 && precision < 13)
    {
        // Round the 52 fraction bits to 4 * precision, ties to even.
        int const drop = 52 - 4 * precision;
        unsigned long long const half = 1ull << (drop - 1);
        unsigned long long const rest = fraction & ((1ull << drop) - 1);
        fraction >>= drop;
        if (rest > half || (rest == half && (fraction & 1)))
        {
            ++fraction;
            if (fraction >> (4 * precision))
            {
                fraction &= (1ull << (4 * precision)) - 1;
                ++lead;
            }
        }
        fraction <<= drop;
        digits = precision;
    }
    else if (precision > 13)
    {
        digits = precision;
    }

    char const* const alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int length = 0;
    body[length++] = static_cast<char>('0' + lead);
    if (digits > 0 || alternate)
    {
        body[length++] = '.';
    }
    for (int i = 0; i < digits; ++i)
    {
        body[length++] = i < 13 ? alphabet[(fraction >> (48 - 4 * i)) & 0xf] : '0';
    }
    body[length++] = upper ? 'P' : 'p';
    body[length++] = exponent < 0 ? '-' : '+';
    unsigned magnitude = static_cast<unsigned>(exponent < 0 ? -exponent : exponent);
    char reversed[8];
    int n = 0;
    do
    {
        reversed[n++] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    while (n > 0)
    {
        body[length++] = reversed[--n];
    }
    return length;
}

template <typename Ch>
void format_float(sink<Ch>& out, spec s, double const value, char const conversion, unsigned long long const options)
{
    unsigned long long bits;
    memcpy(&bits, &value, sizeof(bits));
    bool const negative = (bits >> 63) != 0;
    int const biased = static_cast<int>((bits >> 52) & 0x7ff);
    unsigned long long const fraction = bits & ((1ull << 52) - 1);
    bool const upper = conversion == 'E' || conversion == 'F' || conversion == 'G' || conversion == 'A';

    if (biased == 0x7ff)
    {
        char const* text;
        if (fraction == 0)
        {
            text = upper ? "INF" : "inf";
        }
        else if ((fraction >> 51) == 0)
        {
            text = upper ? "NAN(SNAN)" : "nan(snan)";
        }
        else if (negative && fraction == (1ull << 51))
        {
            text = upper ? "NAN(IND)" : "nan(ind)";
        }
        else
        {
            text = upper ? "NAN" : "nan";
        }
        s.zero = false;
        format_special(out, s, negative, text);
        return;
    }

    double const magnitude = negative ? -value : value;
    bool const three_digits = (options & _CRT_INTERNAL_PRINTF_LEGACY_THREE_DIGIT_EXPONENTS) != 0;
    int precision = s.precision;
    if (precision > 1100)
    {
        precision = 1100;
    }

    static char body[2400];
    int length = 0;
    char prefix[4] = "";
    if (negative)
    {
        strcpy_s(prefix, sizeof(prefix), "-");
    }
    else if (s.plus)
    {
        strcpy_s(prefix, sizeof(prefix), "+");
    }
    else if (s.space)
    {
        strcpy_s(prefix, sizeof(prefix), " ");
    }

    switch (conversion)
    {
    case 'f':
    case 'F':
        length = fixed_body(magnitude, precision < 0 ? 6 : precision, s.alternate, body);
        break;
    case 'e':
    case 'E':
        length = exponent_body(magnitude, precision < 0 ? 6 : precision, s.alternate, upper, three_digits, body);
        break;
    case 'g':
    case 'G':
        length = general_body(magnitude, precision < 0 ? 6 : precision, s.alternate, upper, three_digits, body);
        break;
    default: // a, A
        strcat_s(prefix, sizeof(prefix), upper ? "0X" : "0x");
        length = hex_body(magnitude, precision, s.alternate, upper, body);
        break;
    }

    int zeros = 0;
    if (s.zero && !s.left)
    {
        int const used = static_cast<int>(strlen(prefix)) + length;
        if (s.width > used)
        {
            zeros = s.width - used;
        }
    }
    emit_padded(out, s, prefix, body, length, zeros);
}

template <typename Ch, typename Arg>
void format_string(sink<Ch>& out, spec const& s, Arg const* string)
{
    static Arg const null_text[] = {'(', 'n', 'u', 'l', 'l', ')', 0};
    if (string == nullptr)
    {
        string = null_text;
    }
    int length = 0;
    while ((s.precision < 0 || length < s.precision) && string[length] != 0)
    {
        ++length;
    }
    if (!s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - length);
    }
    for (int i = 0; i != length; ++i)
    {
        unsigned const c = sizeof(Arg) == 1 ? static_cast<unsigned char>(string[i])
                                            : static_cast<unsigned short>(string[i]);
        out.put(static_cast<Ch>(sizeof(Ch) == 1 && c > 0xff ? '?' : c));
    }
    if (s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - length);
    }
}

template <typename Ch>
void format_character(sink<Ch>& out, spec const& s, unsigned const c)
{
    if (!s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - 1);
    }
    out.put(static_cast<Ch>(sizeof(Ch) == 1 && c > 0xff ? '?' : c));
    if (s.left)
    {
        out.repeat(static_cast<Ch>(' '), s.width - 1);
    }
}

// Formats format with arguments into out. Returns false on an invalid format.
template <typename Ch>
bool format(sink<Ch>& out, unsigned long long const options, Ch const* format, va_list arguments)
{
    bool const wide_output = sizeof(Ch) != 1;
    bool const legacy_wide = (options & _CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS) != 0;

    for (Ch const* p = format; *p != 0; ++p)
    {
        if (*p != '%')
        {
            out.put(*p);
            continue;
        }
        ++p;
        spec s;

        for (;; ++p)
        {
            if (*p == '-')
                s.left = true;
            else if (*p == '+')
                s.plus = true;
            else if (*p == ' ')
                s.space = true;
            else if (*p == '#')
                s.alternate = true;
            else if (*p == '0')
                s.zero = true;
            else
                break;
        }

        if (*p == '*')
        {
            s.width = va_arg(arguments, int);
            if (s.width < 0)
            {
                s.left = true;
                s.width = -s.width;
            }
            ++p;
        }
        else
        {
            while (*p >= '0' && *p <= '9')
            {
                s.width = s.width * 10 + (*p++ - '0');
            }
        }

        if (*p == '.')
        {
            ++p;
            if (*p == '*')
            {
                s.precision = va_arg(arguments, int);
                if (s.precision < 0)
                {
                    s.precision = -1;
                }
                ++p;
            }
            else
            {
                s.precision = 0;
                while (*p >= '0' && *p <= '9')
                {
                    s.precision = s.precision * 10 + (*p++ - '0');
                }
            }
        }

        switch (*p)
        {
        case 'h':
            ++p;
            s.length = *p == 'h' ? (++p, length_hh) : length_h;
            break;
        case 'l':
            ++p;
            s.length = *p == 'l' ? (++p, length_ll) : length_l;
            break;
        case 'L':
            ++p;
            s.length = length_L;
            break;
        case 'j':
            ++p;
            s.length = length_j;
            break;
        case 'z':
            ++p;
            s.length = length_z;
            break;
        case 't':
            ++p;
            s.length = length_t;
            break;
        case 'w':
            ++p;
            s.length = length_w;
            break;
        case 'I':
            ++p;
            if (p[0] == '3' && p[1] == '2')
            {
                p += 2;
                s.length = length_I32;
            }
            else if (p[0] == '6' && p[1] == '4')
            {
                p += 2;
                s.length = length_I64;
            }
            else
            {
                s.length = length_I;
            }
            break;
        default:
            break;
        }

        Ch const conversion = *p;
        switch (conversion)
        {
        case '%':
            out.put(static_cast<Ch>('%'));
            break;

        case 'd':
        case 'i':
        {
            long long v;
            switch (s.length)
            {
            case length_hh:
                v = static_cast<signed char>(va_arg(arguments, int));
                break;
            case length_h:
                v = static_cast<short>(va_arg(arguments, int));
                break;
            case length_ll:
            case length_j:
            case length_z:
            case length_t:
            case length_I:
            case length_I64:
                v = va_arg(arguments, long long);
                break;
            default:
                v = va_arg(arguments, int);
                break;
            }
            unsigned long long const magnitude =
                v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
            format_integer(out, s, magnitude, v < 0, 10, false, nullptr);
            break;
        }

        case 'u':
        case 'o':
        case 'x':
        case 'X':
        {
            unsigned long long v;
            switch (s.length)
            {
            case length_hh:
                v = static_cast<unsigned char>(va_arg(arguments, unsigned));
                break;
            case length_h:
                v = static_cast<unsigned short>(va_arg(arguments, unsigned));
                break;
            case length_ll:
            case length_j:
            case length_z:
            case length_t:
            case length_I:
            case length_I64:
                v = va_arg(arguments, unsigned long long);
                break;
            default:
                v = va_arg(arguments, unsigned);
                break;
            }
            unsigned const radix = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
            s.plus = false;
            s.space = false;
            format_integer(out, s, v, false, radix, conversion == 'X', nullptr);
            break;
        }

        case 'p':
        {
            void* const v = va_arg(arguments, void*);
            spec pointer_spec = s;
            pointer_spec.precision = 16;
            pointer_spec.plus = false;
            pointer_spec.space = false;
            pointer_spec.alternate = false;
            format_integer(out, pointer_spec, reinterpret_cast<unsigned long long>(v), false, 16, true, nullptr);
            break;
        }

        case 'c':
        case 'C':
        {
            // Which width is "natural": c is the output's own in the legacy
            // mode, and always narrow in the ISO mode; C is the other one.
            bool wide_argument;
            if (s.length == length_h)
                wide_argument = false;
            else if (s.length == length_l || s.length == length_w)
                wide_argument = true;
            else if (conversion == 'C')
                wide_argument = !(wide_output && legacy_wide);
            else
                wide_argument = wide_output && legacy_wide;
            unsigned const v = va_arg(arguments, unsigned);
            format_character(out, s, wide_argument ? (v & 0xffff) : (v & 0xff));
            break;
        }

        case 's':
        case 'S':
        {
            bool wide_argument;
            if (s.length == length_h)
                wide_argument = false;
            else if (s.length == length_l || s.length == length_w)
                wide_argument = true;
            else if (conversion == 'S')
                wide_argument = !(wide_output && legacy_wide);
            else
                wide_argument = wide_output && legacy_wide;
            if (wide_argument)
            {
                format_string(out, s, va_arg(arguments, wchar_t const*));
            }
            else
            {
                format_string(out, s, va_arg(arguments, char const*));
            }
            break;
        }

        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            format_float(out, s, va_arg(arguments, double), static_cast<char>(conversion), options);
            break;

        case 'n':
            // The UCRT does not support %n unless a program turns it on
            // with _set_printf_count_output; crtlab's never does.
            _invalid_parameter(L"(\"'n' format specifier disabled\", 0)", nullptr, nullptr, 0, 0);
            return false;

        default:
            // An unknown conversion: the UCRT treats it as an invalid
            // parameter.
            _invalid_parameter(L"(\"Invalid format specifier\", 0)", nullptr, nullptr, 0, 0);
            return false;
        }
    }
    return true;
}

} // namespace

//-----------------------------------------------------------------------------
// Entry points
//-----------------------------------------------------------------------------

extern "C" int __cdecl __acrt_format_narrow(char* const buffer, size_t const buffer_count, char const* const format,
                                            va_list arguments)
{
    sink<char> out;
    out.buffer = buffer;
    out.capacity = buffer_count == 0 ? 0 : buffer_count - 1;
    bool const ok = ::format(out, _CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS, format, arguments);
    if (buffer_count != 0)
    {
        buffer[out.count < out.capacity ? out.count : out.capacity] = '\0';
    }
    return ok ? static_cast<int>(out.count) : -1;
}

template <typename Ch>
static int common_vfprintf(unsigned long long const options, FILE* const stream, Ch const* const format_string,
                           va_list arguments)
{
    _VALIDATE_RETURN(stream != nullptr, EINVAL, -1);
    _VALIDATE_RETURN(format_string != nullptr, EINVAL, -1);

    sink<Ch> out;
    out.stream = stream;
    bool const ok = format(out, options, format_string, arguments);
    out.flush();
    if (!ok || out.failed)
    {
        return -1;
    }
    return static_cast<int>(out.count);
}

extern "C" int __cdecl __stdio_common_vfprintf(unsigned long long const options, FILE* const stream,
                                               char const* const format_string, _locale_t const locale,
                                               va_list arguments)
{
    (void)locale;
    return common_vfprintf(options, stream, format_string, arguments);
}

extern "C" int __cdecl __stdio_common_vfwprintf(unsigned long long const options, FILE* const stream,
                                                wchar_t const* const format_string, _locale_t const locale,
                                                va_list arguments)
{
    (void)locale;
    return common_vfprintf(options, stream, format_string, arguments);
}

// sprintf, _snprintf and snprintf (and their wide forms), told apart by the
// options: with STANDARD_SNPRINTF_BEHAVIOR the result is the length of the
// whole output and the buffer is always terminated (C99 snprintf);
// otherwise output that does not fit gives -1 (or, when it fills the buffer
// exactly, the length without a terminator, as _snprintf does).
template <typename Ch>
static int common_vsprintf(unsigned long long const options, Ch* const buffer, size_t const buffer_count,
                           Ch const* const format_string, va_list arguments)
{
    _VALIDATE_RETURN(format_string != nullptr, EINVAL, -1);
    _VALIDATE_RETURN(buffer_count == 0 || buffer != nullptr, EINVAL, -1);

    sink<Ch> out;
    out.buffer = buffer;
    out.capacity = buffer_count;
    if (!format(out, options, format_string, arguments))
    {
        if (buffer_count != 0)
        {
            buffer[0] = 0;
        }
        return -1;
    }

    size_t const length = out.count;
    if (options & _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR)
    {
        if (buffer_count != 0)
        {
            buffer[length < buffer_count ? length : buffer_count - 1] = 0;
        }
        return static_cast<int>(length);
    }
    if (length < buffer_count)
    {
        buffer[length] = 0;
        return static_cast<int>(length);
    }
    if (length == buffer_count && !(options & _CRT_INTERNAL_PRINTF_LEGACY_VSPRINTF_NULL_TERMINATION))
    {
        return static_cast<int>(length);
    }
    if (buffer_count != 0 && (options & _CRT_INTERNAL_PRINTF_LEGACY_VSPRINTF_NULL_TERMINATION))
    {
        buffer[buffer_count - 1] = 0;
    }
    return -1;
}

extern "C" int __cdecl __stdio_common_vsprintf(unsigned long long const options, char* const buffer,
                                               size_t const buffer_count, char const* const format_string,
                                               _locale_t const locale, va_list arguments)
{
    (void)locale;
    return common_vsprintf(options, buffer, buffer_count, format_string, arguments);
}

extern "C" int __cdecl __stdio_common_vswprintf(unsigned long long const options, wchar_t* const buffer,
                                                size_t const buffer_count, wchar_t const* const format_string,
                                                _locale_t const locale, va_list arguments)
{
    (void)locale;
    return common_vsprintf(options, buffer, buffer_count, format_string, arguments);
}

// What the secure functions do with output that does not fit: the check
// the UCRT writes as _VALIDATE_RETURN(("Buffer too small", 0), ERANGE, -1).
static int buffer_too_small()
{
    _ASSERT_EXPR(0, L"(\"Buffer too small\", 0)");
    errno = ERANGE;
    _invalid_parameter(L"(\"Buffer too small\", 0)", nullptr, _CRT_WIDE(__FILE__), __LINE__, 0);
    return -1;
}

// sprintf_s: the output must fit (with its terminator), or it is an invalid
// parameter ("Buffer too small").
template <typename Ch>
static int common_vsprintf_s(unsigned long long const options, Ch* const buffer, size_t const buffer_count,
                             Ch const* const format_string, va_list arguments)
{
    _VALIDATE_RETURN(format_string != nullptr, EINVAL, -1);
    _VALIDATE_RETURN(buffer != nullptr && buffer_count > 0, EINVAL, -1);

    sink<Ch> out;
    out.buffer = buffer;
    out.capacity = buffer_count;
    if (!format(out, options, format_string, arguments))
    {
        buffer[0] = 0;
        return -1;
    }
    if (out.count >= buffer_count)
    {
        buffer[0] = 0;
        return buffer_too_small();
    }
    buffer[out.count] = 0;
    return static_cast<int>(out.count);
}

extern "C" int __cdecl __stdio_common_vsprintf_s(unsigned long long const options, char* const buffer,
                                                 size_t const buffer_count, char const* const format_string,
                                                 _locale_t const locale, va_list arguments)
{
    (void)locale;
    return common_vsprintf_s(options, buffer, buffer_count, format_string, arguments);
}

extern "C" int __cdecl __stdio_common_vswprintf_s(unsigned long long const options, wchar_t* const buffer,
                                                  size_t const buffer_count, wchar_t const* const format_string,
                                                  _locale_t const locale, va_list arguments)
{
    (void)locale;
    return common_vsprintf_s(options, buffer, buffer_count, format_string, arguments);
}

// _snprintf_s: at most max_count characters (_TRUNCATE: as many as fit),
// always terminated. Returns -1 if the output was cut short.
template <typename Ch>
static int common_vsnprintf_s(unsigned long long const options, Ch* const buffer, size_t const buffer_count,
                              size_t const max_count, Ch const* const format_string, va_list arguments)
{
    _VALIDATE_RETURN(format_string != nullptr, EINVAL, -1);
    if (max_count == 0 && buffer == nullptr && buffer_count == 0)
    {
        return 0;
    }
    _VALIDATE_RETURN(buffer != nullptr && buffer_count > 0, EINVAL, -1);

    size_t const limit = max_count < buffer_count - 1 ? max_count : buffer_count - 1;
    sink<Ch> out;
    out.buffer = buffer;
    out.capacity = limit;
    if (!format(out, options, format_string, arguments))
    {
        buffer[0] = 0;
        return -1;
    }
    if (out.count <= limit)
    {
        buffer[out.count] = 0;
        return static_cast<int>(out.count);
    }
    if (max_count == _TRUNCATE || max_count < buffer_count)
    {
        buffer[limit] = 0;
        return -1;
    }
    buffer[0] = 0;
    return buffer_too_small();
}

extern "C" int __cdecl __stdio_common_vsnprintf_s(unsigned long long const options, char* const buffer,
                                                  size_t const buffer_count, size_t const max_count,
                                                  char const* const format_string, _locale_t const locale,
                                                  va_list arguments)
{
    (void)locale;
    return common_vsnprintf_s(options, buffer, buffer_count, max_count, format_string, arguments);
}

extern "C" int __cdecl __stdio_common_vsnwprintf_s(unsigned long long const options, wchar_t* const buffer,
                                                   size_t const buffer_count, size_t const max_count,
                                                   wchar_t const* const format_string, _locale_t const locale,
                                                   va_list arguments)
{
    (void)locale;
    return common_vsnprintf_s(options, buffer, buffer_count, max_count, format_string, arguments);
}

// printf_s and fprintf_s: printf with the format checked; crtlab's engine
// checks every format, so these are the same.
extern "C" int __cdecl __stdio_common_vfprintf_s(unsigned long long const options, FILE* const stream,
                                                 char const* const format_string, _locale_t const locale,
                                                 va_list arguments)
{
    (void)locale;
    return common_vfprintf(options, stream, format_string, arguments);
}

extern "C" int __cdecl __stdio_common_vfwprintf_s(unsigned long long const options, FILE* const stream,
                                                  wchar_t const* const format_string, _locale_t const locale,
                                                  va_list arguments)
{
    (void)locale;
    return common_vfprintf(options, stream, format_string, arguments);
}
