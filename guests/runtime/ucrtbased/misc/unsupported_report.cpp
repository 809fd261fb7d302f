// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unsupported_report.cpp - what a call of a UCRT function that crtlab's
// runtime does not implement does (the functions themselves are in
// unsupported.cpp): a "Debug Error!" report that names the function, a
// break into the debugger (Retry), and then the end of the process with
// exit code 3, as after abort().

#include "../internal/corecrt_internal.h"

extern "C" void __cdecl __crtlab_unsupported(char const* const function_name)
{
    if (_CrtDbgReport(_CRT_ERROR, nullptr, 0, nullptr,
                      "crtlab: %s is not supported by crtlab's C runtime (ucrtbased.dll).\n"
                      "The program cannot continue.\n",
                      function_name) == 1)
    {
        _CrtDbgBreak();
    }
    _exit(3);
}
