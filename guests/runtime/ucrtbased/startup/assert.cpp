// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// assert.cpp - what <assert.h>'s assert() calls when its expression is
// false. In a console program the message goes to stderr:
//     Assertion failed: p != NULL, file C:\crtlab\x.c, line 12
// and then abort() runs (which, in the debug CRT, reports
// "abort() has been called").

#include "../internal/corecrt_internal.h"

extern "C" void __cdecl _wassert(wchar_t const* const message, wchar_t const* const file_name, unsigned const line)
{
    char text[1024];
    char message_narrow[512];
    char file_narrow[MAX_PATH + 1];
    size_t i = 0;
    for (; message != nullptr && message[i] != 0 && i + 1 < sizeof(message_narrow); ++i)
    {
        message_narrow[i] = message[i] < 0x100 ? static_cast<char>(message[i]) : '?';
    }
    message_narrow[i] = '\0';
    for (i = 0; file_name != nullptr && file_name[i] != 0 && i + 1 < sizeof(file_narrow); ++i)
    {
        file_narrow[i] = file_name[i] < 0x100 ? static_cast<char>(file_name[i]) : '?';
    }
    file_narrow[i] = '\0';
    int const length =
        sprintf_s(text, sizeof(text), "Assertion failed: %s, file %s, line %u\n", message_narrow, file_narrow, line);
    if (length > 0)
    {
        __acrt_write_console(2, text, static_cast<size_t>(length));
    }
    abort();
}

extern "C" void __cdecl _assert(char const* const message, char const* const file_name, unsigned const line)
{
    char text[1024];
    int const length = sprintf_s(text, sizeof(text), "Assertion failed: %s, file %s, line %u\n",
                                 message != nullptr ? message : "", file_name != nullptr ? file_name : "", line);
    if (length > 0)
    {
        __acrt_write_console(2, text, static_cast<size_t>(length));
    }
    abort();
}
