// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// strlen.cpp - strlen for crtlab's static runtime.

#include <string.h>

extern "C" size_t __cdecl strlen(char const* const string)
{
    char const* end = string;
    while (*end != '\0')
    {
        ++end;
    }
    return static_cast<size_t>(end - string);
}
