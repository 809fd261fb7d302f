// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_debug.cpp - the debug operator new, which <crtdbg.h> declares for
// Debug builds: new (_CLIENT_BLOCK, __FILE__, __LINE__) T allocates a block
// of the given type (with a client subtype, _CLIENT_BLOCK | n << 16), and
// records the file and line in its header, where leak dumps and `!crtheap`
// show them. As MSVC does, it is part of the program (msvcrtd.lib), not of
// the DLL, and calls ucrtbased!_malloc_dbg.

#include "vcstartup_internal.h"
#include <stdint.h>

void* __CRTDECL operator new(size_t const size, int const block_use, char const* const file_name,
                             int const line_number)
{
    for (;;)
    {
        if (void* const block = _malloc_dbg(size, block_use, file_name, line_number))
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

void* __CRTDECL operator new[](size_t const size, int const block_use, char const* const file_name,
                               int const line_number)
{
    return operator new(size, block_use, file_name, line_number);
}
