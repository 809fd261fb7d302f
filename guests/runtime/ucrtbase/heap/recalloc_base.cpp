// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// recalloc_base.cpp - _recalloc_base: realloc that zeroes the part of the
// block that grows. In the release CRT, _recalloc (ucrtbased/heap/
// realloc.cpp built without _DEBUG) and the CRT's own growing tables (the
// atexit table) come here.

#include "../../ucrtbased/internal/corecrt_internal.h"

extern "C" void* __cdecl _recalloc_base(void* const block, size_t const count, size_t const size)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || _HEAP_MAXREQ / count >= size, ENOMEM, nullptr);

    size_t const old_size = block != nullptr ? _msize_base(block) : 0;
    size_t const new_size = count * size;
    void* const new_block = _realloc_base(block, new_size);
    if (new_block != nullptr && old_size < new_size)
    {
        memset(static_cast<unsigned char*>(new_block) + old_size, 0, new_size - old_size);
    }
    return new_block;
}
