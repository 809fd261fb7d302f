// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// msize.cpp - _msize, the usable size of a heap block.

#include <errno.h>
#include <malloc.h>
#include "../../internal/crtlab_internal.h"

// Returns the size that was requested for block, as the NT heap records it
// (HeapSize), or (size_t)-1 with errno EINVAL for a null pointer.
extern "C" size_t __cdecl _msize_base(void* const block)
{
    if (block == nullptr)
    {
        errno = EINVAL;
        return static_cast<size_t>(-1);
    }
    return HeapSize(__acrt_heap, 0, block);
}

extern "C" size_t __cdecl _msize(void* const block)
{
    [[clang::musttail]] return _msize_base(block);
}
