// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// expand.cpp - _expand (grow or shrink a block where it is) and
// _expand_base (the same on a Windows heap block).

#include "../internal/corecrt_internal.h"

extern "C" void* __cdecl _expand(void* const block, size_t const size)
{
    return _expand_dbg(block, size, _NORMAL_BLOCK, nullptr, 0);
}

extern "C" void* __cdecl _expand_base(void* const block, size_t const size)
{
    _VALIDATE_RETURN(block != nullptr, EINVAL, nullptr);
    if (size > _HEAP_MAXREQ)
    {
        errno = ENOMEM;
        return nullptr;
    }
    size_t const new_size = size == 0 ? 1 : size;
    void* const new_block = HeapReAlloc(__acrt_heap, HEAP_REALLOC_IN_PLACE_ONLY, block, new_size);
    if (new_block == nullptr)
    {
        errno = ENOMEM;
    }
    return new_block;
}
