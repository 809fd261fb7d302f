// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// initterm.cpp - _initterm and _initterm_e: call each non-null function
// pointer of a table (the program's .CRT$XI*/.CRT$XC* initializers, which
// its startup code passes here).

#include "../internal/corecrt_internal.h"

typedef void(__cdecl* _PVFV)(void);
typedef int(__cdecl* _PIFV)(void);

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

// The functions return 0 for success; the first failure stops the walk and
// is returned.
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
