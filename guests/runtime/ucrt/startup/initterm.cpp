// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// initterm.cpp - _initterm and _initterm_e, which walk a table of function
// pointers between two section markers and call each non-null entry.

#include "../../internal/crtlab_internal.h"

extern "C" void __cdecl _initterm(_PVFV* const first, _PVFV* const last)
{
    for (_PVFV* it = first; it != last; ++it)
    {
        if (*it != nullptr)
        {
            (**it)();
        }
    }
}

// Like _initterm, but the functions return an int, and the first non-zero
// result stops the walk and is returned.
extern "C" int __cdecl _initterm_e(_PIFV* const first, _PIFV* const last)
{
    for (_PIFV* it = first; it != last; ++it)
    {
        if (*it == nullptr)
        {
            continue;
        }
        int const result = (**it)();
        if (result != 0)
        {
            return result;
        }
    }
    return 0;
}
