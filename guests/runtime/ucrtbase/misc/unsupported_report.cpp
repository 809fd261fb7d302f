// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unsupported_report.cpp - what a call of a UCRT function that crtlab's
// runtime does not implement does in the release CRT (the functions
// themselves are ucrtbased/misc/unsupported.cpp, built without _DEBUG): the
// release CRT has no report window, so the message goes to stderr, and the
// process ends with exit code 3, as after abort().

#include "../../ucrtbased/internal/corecrt_internal.h"

extern "C" void __cdecl __crtlab_unsupported(char const* const function_name)
{
    char text[256];
    int const length = sprintf_s(text, sizeof(text),
                                 "crtlab: %s is not supported by crtlab's C runtime (ucrtbase.dll).\n"
                                 "The program cannot continue.\n",
                                 function_name);
    if (length > 0)
    {
        __acrt_write_console(2, text, static_cast<size_t>(length));
    }
    _exit(3);
}

// The debug CRT's abort() reports "abort() has been called" in a "Debug
// Error!" box (ucrtbased/misc/dbgrpt.cpp). The release CRT's abort() writes
// no message: it raises SIGABRT and fails fast.
extern "C" void __cdecl __acrt_report_runtime_error(wchar_t const* const message)
{
    (void)message;
}
