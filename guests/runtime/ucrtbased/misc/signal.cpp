// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// signal.cpp - signal and raise, and the exception filters that map a
// structured exception to a signal (_seh_filter_exe, _seh_filter_dll).
//
// crtlab dispatches no exceptions to the program (the debugger reports
// them), so the filters only run if a program calls them itself; raise
// works as in the UCRT.

#include "../internal/corecrt_internal.h"

typedef void(__cdecl* signal_handler)(int);

#define SIGINT 2
#define SIGILL 4
#define SIGABRT_COMPAT 6
#define SIGFPE 8
#define SIGSEGV 11
#define SIGTERM 15
#define SIGBREAK 21
#define SIGABRT 22
#define SIG_DFL ((signal_handler)0)
#define SIG_IGN ((signal_handler)1)
#define SIG_ERR ((signal_handler)-1)

static signal_handler handlers[23] = {};

static bool is_supported(int const signal_number)
{
    switch (signal_number)
    {
    case SIGINT:
    case SIGILL:
    case SIGABRT_COMPAT:
    case SIGFPE:
    case SIGSEGV:
    case SIGTERM:
    case SIGBREAK:
    case SIGABRT:
        return true;
    default:
        return false;
    }
}

static int slot(int const signal_number)
{
    return signal_number == SIGABRT_COMPAT ? SIGABRT : signal_number;
}

extern "C" signal_handler __cdecl signal(int const signal_number, signal_handler const action)
{
    if (!is_supported(signal_number))
    {
        _ASSERT_EXPR(0, L"(\"Invalid signal or error\", 0)");
        errno = EINVAL;
        _invalid_parameter(L"(\"Invalid signal or error\", 0)", nullptr, _CRT_WIDE(__FILE__), __LINE__, 0);
        return SIG_ERR;
    }
    signal_handler const old_action = handlers[slot(signal_number)];
    handlers[slot(signal_number)] = action;
    return old_action;
}

extern "C" int __cdecl raise(int const signal_number)
{
    _VALIDATE_RETURN(is_supported(signal_number), EINVAL, -1);
    signal_handler const action = handlers[slot(signal_number)];
    if (action == SIG_IGN)
    {
        return 0;
    }
    if (action == SIG_DFL)
    {
        _exit(3);
    }
    // A handler runs once; the signal goes back to its default action.
    handlers[slot(signal_number)] = SIG_DFL;
    action(signal_number);
    return 0;
}

extern "C" signal_handler __cdecl __acrt_get_sigabrt_handler()
{
    return handlers[SIGABRT];
}

static int filter(unsigned long const code)
{
    int signal_number;
    switch (code)
    {
    case 0xC0000005: // access violation
        signal_number = SIGSEGV;
        break;
    case 0xC000001D: // illegal instruction
    case 0xC0000096: // privileged instruction
        signal_number = SIGILL;
        break;
    case 0xC000008D:
    case 0xC000008E:
    case 0xC000008F:
    case 0xC0000090:
    case 0xC0000091:
    case 0xC0000092:
    case 0xC0000093:
    case 0xC00002B4:
    case 0xC00002B5:
        signal_number = SIGFPE;
        break;
    default:
        return 0; // EXCEPTION_CONTINUE_SEARCH
    }
    signal_handler const action = handlers[signal_number];
    if (action == SIG_DFL)
    {
        return 0;
    }
    if (action == SIG_IGN)
    {
        return -1; // EXCEPTION_CONTINUE_EXECUTION
    }
    handlers[signal_number] = SIG_DFL;
    action(signal_number);
    return -1;
}

extern "C" int __cdecl _seh_filter_exe(unsigned long const code, struct _EXCEPTION_POINTERS* const pointers)
{
    (void)pointers;
    return filter(code);
}

extern "C" int __cdecl _seh_filter_dll(unsigned long const code, struct _EXCEPTION_POINTERS* const pointers)
{
    (void)pointers;
    return filter(code);
}
