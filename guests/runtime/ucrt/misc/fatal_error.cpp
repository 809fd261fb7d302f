// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// fatal_error.cpp - __crtlab_fatal_error, the runtime's last resort.
//
// Where MSVC's CRT would throw an exception that nobody catches (bad_alloc
// from operator new), fail fast or abort, crtlab's runtime writes a short
// message to the standard error handle and ends the process. The exit code
// is the one the MSVC program would end with, e.g. 3 for abort().

#include <string.h>
#include "../../internal/crtlab_internal.h"

extern "C" void __cdecl __crtlab_fatal_error(char const* const message, unsigned int const exit_code)
{
    HANDLE const error_handle = GetStdHandle(STD_ERROR_HANDLE);
    if (error_handle != nullptr && error_handle != INVALID_HANDLE_VALUE)
    {
        DWORD written = 0;
        WriteFile(error_handle, message, static_cast<DWORD>(strlen(message)), &written, nullptr);
    }
    ExitProcess(exit_code);
}
