// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// time.cpp - time() and clock(). crtlab's clock is emulated and
// deterministic, so a program sees the same times on every run.

#include "../internal/corecrt_internal.h"

// 100-ns intervals between 1601-01-01 and 1970-01-01.
static long long const epoch_difference = 116444736000000000ll;

extern "C" long long __cdecl _time64(long long* const result)
{
    FILETIME now = {};
    GetSystemTimeAsFileTime(&now);
    long long const ticks =
        (static_cast<long long>(now.dwHighDateTime) << 32) | static_cast<long long>(now.dwLowDateTime);
    long long const seconds = (ticks - epoch_difference) / 10000000;
    if (result != nullptr)
    {
        *result = seconds;
    }
    return seconds;
}

extern "C" long __cdecl _time32(long* const result)
{
    long const seconds = static_cast<long>(_time64(nullptr));
    if (result != nullptr)
    {
        *result = seconds;
    }
    return seconds;
}

// Milliseconds (CLOCKS_PER_SEC = 1000) since the process started.
static long long start_counter = 0;
static long long counter_frequency = 0;

extern "C" long __cdecl clock()
{
    LARGE_INTEGER now = {};
    QueryPerformanceCounter(&now);
    if (counter_frequency == 0)
    {
        LARGE_INTEGER frequency = {};
        QueryPerformanceFrequency(&frequency);
        counter_frequency = frequency.QuadPart;
        start_counter = now.QuadPart;
    }
    return static_cast<long>((now.QuadPart - start_counter) * 1000 / counter_frequency);
}

extern "C" void __cdecl __acrt_initialize_clock()
{
    clock();
}
