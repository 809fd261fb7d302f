// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_scalar.cpp - operator new(size_t), the allocation behind `new T`, in a
// Debug (/MDd) program: malloc from ucrtbased.dll, so a `new` block is a
// _NORMAL_BLOCK of the debug heap. When malloc fails, the new handler may
// free memory and ask for a retry; otherwise std::bad_alloc is thrown.

#include "vcstartup_internal.h"
#include <stdint.h>

void* __CRTDECL operator new(size_t const size)
{
    for (;;)
    {
        if (void* const block = malloc(size))
        {
            return block;
        }
        if (_callnewh(size) == 0)
        {
            if (size == SIZE_MAX)
            {
                __scrt_throw_std_bad_array_new_length();
            }
            __scrt_throw_std_bad_alloc();
        }
    }
}
