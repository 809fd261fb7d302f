// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exact.cpp - the math functions whose result is exact (or, for sqrt,
// correctly rounded by the processor): fabs, sqrt, floor, ceil, trunc,
// round, fmod, ldexp, frexp, modf. The transcendental functions (sin, exp,
// pow, ...) are not implemented (misc/unsupported.cpp).

#include "../internal/corecrt_internal.h"

static unsigned long long bits_of(double const x)
{
    unsigned long long b;
    memcpy(&b, &x, sizeof(b));
    return b;
}

static double from_bits(unsigned long long const b)
{
    double x;
    memcpy(&x, &b, sizeof(x));
    return x;
}

extern "C" double __cdecl fabs(double const x)
{
    return from_bits(bits_of(x) & ~(1ull << 63));
}

extern "C" double __cdecl sqrt(double const x)
{
    return __builtin_sqrt(x);
}

// x with its fraction bits cleared: rounding toward zero.
extern "C" double __cdecl trunc(double const x)
{
    unsigned long long const b = bits_of(x);
    int const exponent = static_cast<int>((b >> 52) & 0x7ff) - 1023;
    if (exponent >= 52)
    {
        return x; // already an integer, or inf/nan
    }
    if (exponent < 0)
    {
        return from_bits(b & (1ull << 63)); // +-0
    }
    return from_bits(b & ~((1ull << (52 - exponent)) - 1));
}

extern "C" double __cdecl floor(double const x)
{
    double const t = trunc(x);
    return t > x ? t - 1.0 : t;
}

extern "C" double __cdecl ceil(double const x)
{
    double const t = trunc(x);
    return t < x ? t + 1.0 : t;
}

// Halfway cases away from zero.
extern "C" double __cdecl round(double const x)
{
    double const t = trunc(x);
    double const rest = x - t;
    if (rest >= 0.5)
    {
        return t + 1.0;
    }
    if (rest <= -0.5)
    {
        return t - 1.0;
    }
    return t;
}

extern "C" double __cdecl ldexp(double x, int exponent)
{
    // Multiply in steps that stay within the exponent range.
    while (exponent > 1000)
    {
        x *= from_bits(static_cast<unsigned long long>(1000 + 1023) << 52);
        exponent -= 1000;
    }
    while (exponent < -1000)
    {
        x *= from_bits(static_cast<unsigned long long>(-1000 + 1023) << 52);
        exponent += 1000;
    }
    return x * from_bits(static_cast<unsigned long long>(exponent + 1023) << 52);
}

extern "C" double __cdecl frexp(double const x, int* const exponent)
{
    *exponent = 0;
    unsigned long long b = bits_of(x);
    int biased = static_cast<int>((b >> 52) & 0x7ff);
    if (biased == 0x7ff || x == 0)
    {
        return x;
    }
    double y = x;
    if (biased == 0)
    {
        y = x * from_bits(static_cast<unsigned long long>(54 + 1023) << 52);
        *exponent = -54;
        b = bits_of(y);
        biased = static_cast<int>((b >> 52) & 0x7ff);
    }
    *exponent += biased - 1022;
    return from_bits((b & ~(0x7ffull << 52)) | (1022ull << 52));
}

extern "C" double __cdecl modf(double const x, double* const integer_part)
{
    double const t = trunc(x);
    *integer_part = t;
    return x - t;
}

// x - n*y with n = trunc(x / y), computed exactly by long division of the
// binary significands.
extern "C" double __cdecl fmod(double const x, double const y)
{
    if (y == 0 || x != x || y != y || fabs(x) == __builtin_inf())
    {
        return __builtin_nan("");
    }
    double r = fabs(x);
    double const d = fabs(y);
    while (r >= d)
    {
        double m = d;
        while (m <= r / 2)
        {
            m *= 2;
        }
        r -= m;
    }
    return x < 0 ? -r : r;
}
