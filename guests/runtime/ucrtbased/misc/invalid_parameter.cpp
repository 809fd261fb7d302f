// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// invalid_parameter.cpp - what happens when a program passes a CRT function
// an argument it cannot work with (a null pointer, a buffer too small).
//
// The debug CRT first reports the failed check as an assertion (see the
// _VALIDATE_RETURN macros). Then the invalid parameter handler runs: the
// program's, if it set one with _set_invalid_parameter_handler, otherwise
// "Watson": the process ends at once with __fastfail(FAST_FAIL_INVALID_ARG),
// which a debugger reports as a security check failure (c0000409).

#include "../internal/corecrt_internal.h"

typedef void(__cdecl* _invalid_parameter_handler)(wchar_t const*, wchar_t const*, wchar_t const*, unsigned int,
                                                  uintptr_t);

static _invalid_parameter_handler global_handler = nullptr;
static _invalid_parameter_handler thread_local_handler = nullptr;

extern "C" __declspec(noreturn) void __cdecl _invoke_watson(wchar_t const* const expression,
                                                            wchar_t const* const function_name,
                                                            wchar_t const* const file_name,
                                                            unsigned int const line_number, uintptr_t const reserved)
{
    (void)expression;
    (void)function_name;
    (void)file_name;
    (void)line_number;
    (void)reserved;
    if (IsProcessorFeaturePresent(PF_FASTFAIL_AVAILABLE))
    {
        __fastfail(FAST_FAIL_INVALID_ARG);
    }
    TerminateProcess(GetCurrentProcess(), 0xC0000417); // STATUS_INVALID_CRUNTIME_PARAMETER
    for (;;)
    {
    }
}

extern "C" void __cdecl _invalid_parameter(wchar_t const* const expression, wchar_t const* const function_name,
                                           wchar_t const* const file_name, unsigned int const line_number,
                                           uintptr_t const reserved)
{
    if (thread_local_handler != nullptr)
    {
        thread_local_handler(expression, function_name, file_name, line_number, reserved);
        return;
    }
    if (global_handler != nullptr)
    {
        global_handler(expression, function_name, file_name, line_number, reserved);
        return;
    }
    _invoke_watson(expression, function_name, file_name, line_number, reserved);
}

extern "C" void __cdecl _invalid_parameter_noinfo()
{
    _invalid_parameter(nullptr, nullptr, nullptr, 0, 0);
}

extern "C" void __cdecl _invalid_parameter_noinfo_noreturn()
{
    _invalid_parameter(nullptr, nullptr, nullptr, 0, 0);
    _invoke_watson(nullptr, nullptr, nullptr, 0, 0);
}

extern "C" _invalid_parameter_handler __cdecl _set_invalid_parameter_handler(_invalid_parameter_handler const handler)
{
    _invalid_parameter_handler const old_handler = global_handler;
    global_handler = handler;
    return old_handler;
}

extern "C" _invalid_parameter_handler __cdecl _get_invalid_parameter_handler()
{
    return global_handler;
}

extern "C" _invalid_parameter_handler __cdecl _set_thread_local_invalid_parameter_handler(
    _invalid_parameter_handler const handler)
{
    _invalid_parameter_handler const old_handler = thread_local_handler;
    thread_local_handler = handler;
    return old_handler;
}

extern "C" _invalid_parameter_handler __cdecl _get_thread_local_invalid_parameter_handler()
{
    return thread_local_handler;
}
