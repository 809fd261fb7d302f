// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// malloc_base.cpp - _malloc_base, _calloc_base, _realloc_base and
// _free_base: the release allocator, straight on the process heap with no
// debug header. The debug heap gets its blocks from HeapAlloc directly and
// gives them back with _free_base; the DLL exports these for programs that
// call them by name.

#include "../internal/corecrt_internal.h"
#include <new.h>

extern "C" void* __cdecl _malloc_base(size_t const size)
{
    if (size > _HEAP_MAXREQ)
    {
        errno = ENOMEM;
        return nullptr;
    }
    size_t const actual_size = size == 0 ? 1 : size;
    for (;;)
    {
        if (void* const block = HeapAlloc(__acrt_heap, 0, actual_size))
        {
            return block;
        }
        if (_query_new_mode() == 0 || !_callnewh(actual_size))
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}

extern "C" void* __cdecl _calloc_base(size_t const count, size_t const size)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || _HEAP_MAXREQ / count >= size, ENOMEM, nullptr);
    size_t const requested = count * size;
    size_t const actual_size = requested == 0 ? 1 : requested;
    for (;;)
    {
        if (void* const block = HeapAlloc(__acrt_heap, HEAP_ZERO_MEMORY, actual_size))
        {
            return block;
        }
        if (_query_new_mode() == 0 || !_callnewh(actual_size))
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}

extern "C" void* __cdecl _realloc_base(void* const block, size_t const size)
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
        if (_query_new_mode() == 0 || !_callnewh(size))
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}

extern "C" void __cdecl _free_base(void* const block)
{
    if (block == nullptr)
    {
        return;
    }
    if (!HeapFree(__acrt_heap, 0, block))
    {
        errno = ENOMEM;
    }
}
