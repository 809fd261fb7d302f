// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// app_settings.cpp - the settings a program's startup code hands to the CRT
// before main: the application type, the default file and commit modes, the
// thread locale mode and the user's _matherr.

#include "../internal/corecrt_internal.h"

static int app_type = 0; // _crt_unknown_app; 1 = console, 2 = GUI
static int fmode = 0x4000; // _O_TEXT
static int commode = 0;
static int thread_locale_mode = 2; // _DISABLE_PER_THREAD_LOCALE
typedef int(__cdecl* matherr_handler)(struct _exception*);
static matherr_handler user_matherr = nullptr;

extern "C" void __cdecl _set_app_type(int const new_app_type)
{
    app_type = new_app_type;
}

extern "C" int __cdecl _query_app_type()
{
    return app_type;
}

extern "C" errno_t __cdecl _set_fmode(int const mode)
{
    _VALIDATE_RETURN(mode == 0x4000 || mode == 0x8000 || mode == 0x10000 || mode == 0x20000 || mode == 0x40000,
                     EINVAL, EINVAL);
    fmode = mode;
    return 0;
}

extern "C" errno_t __cdecl _get_fmode(int* const mode)
{
    _VALIDATE_RETURN(mode != nullptr, EINVAL, EINVAL);
    *mode = fmode;
    return 0;
}

extern "C" int* __cdecl __p__fmode()
{
    return &fmode;
}

extern "C" int* __cdecl __p__commode()
{
    return &commode;
}

// -1 asks; 1 = per-thread locale, 2 = global. Returns the previous mode.
extern "C" int __cdecl _configthreadlocale(int const mode)
{
    int const old_mode = thread_locale_mode;
    if (mode == -1)
    {
        return old_mode;
    }
    _VALIDATE_RETURN(mode == 0 || mode == 1 || mode == 2, EINVAL, -1);
    if (mode != 0)
    {
        thread_locale_mode = mode;
    }
    return old_mode;
}

extern "C" void __cdecl __setusermatherr(matherr_handler const handler)
{
    user_matherr = handler;
}
