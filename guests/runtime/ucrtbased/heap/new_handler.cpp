// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_handler.cpp - the new handler and the new mode.
//
// operator new calls _callnewh when malloc fails; if the installed handler
// returns non-zero, the allocation is retried. With _set_new_mode(1),
// malloc itself also calls the handler before it fails.

#include "../internal/corecrt_internal.h"
#include <new.h>

static _PNH __acrt_new_handler = nullptr;
static int __acrt_new_mode = 0;

extern "C" _PNH __cdecl _set_new_handler(_PNH const new_handler)
{
    _PNH const old_handler = __acrt_new_handler;
    __acrt_new_handler = new_handler;
    return old_handler;
}

extern "C" _PNH __cdecl _query_new_handler()
{
    return __acrt_new_handler;
}

// Returns 1 if the handler freed memory (retry), 0 if there is no handler or
// it gave up.
extern "C" int __cdecl _callnewh(size_t const size)
{
    _PNH const handler = __acrt_new_handler;
    if (handler == nullptr || handler(size) == 0)
    {
        return 0;
    }
    return 1;
}

extern "C" int __cdecl _set_new_mode(int const new_mode)
{
    _VALIDATE_RETURN(new_mode == 0 || new_mode == 1, EINVAL, -1);
    int const old_mode = __acrt_new_mode;
    __acrt_new_mode = new_mode;
    return old_mode;
}

extern "C" int __cdecl _query_new_mode()
{
    return __acrt_new_mode;
}
