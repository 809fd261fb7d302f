// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// gs_support.cpp - the /GS security cookie and its initialization.
//
// Code compiled with buffer security checks compares a copy of
// __security_cookie on its stack with the global before returning. crtlab's
// guests are built without those checks, but mainCRTStartup still sets up a
// cookie, the way MSVC's startup does, from the same kinds of inputs: the
// system time, the process and thread ids, the tick count, the performance
// counter and a stack address. In crtlab all of these are deterministic, so
// the cookie is the same on every run.

#include "../internal/crtlab_internal.h"

// The value the cookie has before initialization; a cookie must never end up
// equal to it.
#define DEFAULT_SECURITY_COOKIE 0x00002B992DDFA232ull

extern "C" ULONG_PTR __security_cookie = DEFAULT_SECURITY_COOKIE;
extern "C" ULONG_PTR __security_cookie_complement = ~DEFAULT_SECURITY_COOKIE;

static ULONG_PTR __cdecl get_entropy()
{
    FILETIME system_time = {};
    GetSystemTimeAsFileTime(&system_time);
    ULONG_PTR cookie = (static_cast<ULONG_PTR>(system_time.dwHighDateTime) << 32) | system_time.dwLowDateTime;

    cookie ^= GetCurrentThreadId();
    cookie ^= GetCurrentProcessId();
    cookie ^= GetTickCount();

    LARGE_INTEGER performance_counter = {};
    QueryPerformanceCounter(&performance_counter);
    cookie ^= (static_cast<ULONG_PTR>(performance_counter.QuadPart) << 32) ^
              static_cast<ULONG_PTR>(performance_counter.QuadPart);

    // The address of a local adds the stack layout to the mix.
    cookie ^= reinterpret_cast<ULONG_PTR>(&cookie);
    return cookie;
}

extern "C" void __cdecl __security_init_cookie()
{
    if (__security_cookie != DEFAULT_SECURITY_COOKIE)
    {
        // Already initialized.
        __security_cookie_complement = ~__security_cookie;
        return;
    }

    // The top 16 bits are cleared so that a cookie is never a valid
    // canonical kernel-mode address, and it must differ from the default.
    ULONG_PTR cookie = get_entropy() & 0x0000FFFFFFFFFFFFull;
    if (cookie == DEFAULT_SECURITY_COOKIE)
    {
        ++cookie;
    }
    __security_cookie = cookie;
    __security_cookie_complement = ~cookie;
}
