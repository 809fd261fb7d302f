// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// misc.cpp - small parts of the UCRT that Debug programs call from their
// startup code or commonly use: the floating-point control word, the
// debugger hook, the printf %n switch, the process id.

#include "../internal/corecrt_internal.h"

// The compiler refers to _fltused in every object that uses floating
// point; the CRT defines it.
extern "C" int _fltused = 0x9875;

// The x64 default: all exceptions masked, round to nearest, 53-bit
// precision (the _MCW_*/_RC_*/_PC_* encoding of _controlfp).
static unsigned int control_word = 0x0008001F;

extern "C" errno_t __cdecl _controlfp_s(unsigned int* const current, unsigned int const new_value,
                                        unsigned int const mask)
{
    control_word = (control_word & ~mask) | (new_value & mask);
    if (current != nullptr)
    {
        *current = control_word;
    }
    return 0;
}

extern "C" unsigned int __cdecl _controlfp(unsigned int const new_value, unsigned int const mask)
{
    control_word = (control_word & ~mask) | (new_value & mask);
    return control_word;
}

extern "C" unsigned int __cdecl _control87(unsigned int const new_value, unsigned int const mask)
{
    return _controlfp(new_value, mask);
}

extern "C" unsigned int __cdecl _clearfp()
{
    return 0;
}

extern "C" unsigned int __cdecl _statusfp()
{
    return 0;
}

extern "C" void __cdecl _fpreset()
{
    control_word = 0x0008001F;
}

// Called where the CRT is about to report a fatal error, so that a debugger
// can stop there; nothing to do without one that hooks it.
extern "C" void __cdecl _crt_debugger_hook(int const reserved)
{
    (void)reserved;
}

static int printf_count_output = 0;

extern "C" int __cdecl _set_printf_count_output(int const value)
{
    int const old_value = printf_count_output;
    printf_count_output = value;
    return old_value;
}

extern "C" int __cdecl _get_printf_count_output()
{
    return printf_count_output;
}

extern "C" int __cdecl _getpid()
{
    return static_cast<int>(GetCurrentProcessId());
}


// The "C" locale is the only one: setlocale accepts "C" and "" (which on
// Windows would pick the user's locale; crtlab keeps "C" so that output is
// the same on every machine) and refuses every other name.
extern "C" char* __cdecl setlocale(int const category, char const* const locale)
{
    _VALIDATE_RETURN(category >= 0 && category <= 5, EINVAL, nullptr);
    if (locale == nullptr || locale[0] == '\0' || strcmp(locale, "C") == 0)
    {
        return const_cast<char*>("C");
    }
    return nullptr;
}
