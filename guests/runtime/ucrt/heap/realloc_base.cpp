// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// realloc_base.cpp - _realloc_base, which resizes a block on the CRT heap.

#include <errno.h>
#include <malloc.h>
#include <new.h>
#include "../../internal/crtlab_internal.h"

// Resizes block to size bytes, moving it if the heap cannot grow it in
// place. realloc(nullptr, n) is malloc(n); realloc(p, 0) frees p and
// returns nullptr. On failure the old block is left untouched.
extern "C" __attribute__((disable_tail_calls)) void* __cdecl _realloc_base(void* const block, size_t const size)
{
    if (block == nullptr)
    {
        return _malloc_base(size);
    }
    if (size == 0)
    {
        _free_base(block);
        return nullptr;
    }
    if (size > _HEAP_MAXREQ)
    {
        errno = ENOMEM;
        return nullptr;
    }
    for (;;)
    {
        if (void* const new_block = HeapReAlloc(__acrt_heap, 0, block, size))
        {
            return new_block;
        }
        if (_query_new_mode() == 0 || _callnewh(size) == 0)
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}
