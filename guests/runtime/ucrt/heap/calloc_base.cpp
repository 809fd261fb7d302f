// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// calloc_base.cpp - _calloc_base, which allocates a zeroed array.
//
// The zeroing is left to the heap (HEAP_ZERO_MEMORY), as in the UCRT.

#include <errno.h>
#include <malloc.h>
#include <new.h>
#include "../../internal/crtlab_internal.h"

// Allocates count * size zeroed bytes. Fails with ENOMEM if the product
// overflows or exceeds _HEAP_MAXREQ; otherwise behaves like _malloc_base.
extern "C" __attribute__((disable_tail_calls)) void* __cdecl _calloc_base(size_t const count, size_t const size)
{
    if (count != 0 && _HEAP_MAXREQ / count < size)
    {
        errno = ENOMEM;
        return nullptr;
    }
    size_t const requested_size = count * size;
    size_t const actual_size = requested_size == 0 ? 1 : requested_size;
    for (;;)
    {
        if (void* const block = HeapAlloc(__acrt_heap, HEAP_ZERO_MEMORY, actual_size))
        {
            return block;
        }
        if (_query_new_mode() == 0 || _callnewh(actual_size) == 0)
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}
