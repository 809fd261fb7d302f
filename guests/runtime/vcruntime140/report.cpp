// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// report.cpp - the release VCRUNTIME140.dll's report of an entry point that
// crtlab's runtime does not support (vcruntime140d/eh/unsupported.cpp):
// the debug DLL shows a "Debug Error!" box; the release one writes the same
// text to stderr. __vcrt_unsupported (vcruntime140d/misc/runtime.cpp) then
// ends the process with exit code 3.

#include "../vcruntime140d/internal.h"
#include <stdio.h>

extern "C" int __cdecl __vcrt_report_unsupported(char const* const function_name)
{
    char text[256];
    if (sprintf_s(text, sizeof(text),
                  "crtlab: %s is not supported by crtlab's C runtime (VCRUNTIME140.dll): "
                  "crtlab's runtime has no C++ exception handling.\n"
                  "The program cannot continue.\n",
                  function_name) > 0)
    {
        fputs(text, stderr);
    }
    return 0;
}
