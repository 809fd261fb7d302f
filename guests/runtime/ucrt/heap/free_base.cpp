// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// free_base.cpp - _free_base, which hands a block back to the process heap.

#include <errno.h>
#include <malloc.h>
#include "../../internal/crtlab_internal.h"

// Frees a block that came from _malloc_base, _calloc_base or _realloc_base.
// A null pointer is ignored. If the heap rejects the pointer, errno becomes
// EINVAL (MSVC maps GetLastError() here; crtlab's runtime does not import
// it). A corrupted heap is detected, and reported, by the NT heap itself.
extern "C" void __cdecl _free_base(void* const block)
{
    if (block == nullptr)
    {
        return;
    }
    if (!HeapFree(__acrt_heap, 0, block))
    {
        errno = EINVAL;
    }
}
