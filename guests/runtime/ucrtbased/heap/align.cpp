// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// align.cpp - _aligned_malloc and friends. In the debug CRT they are the
// _dbg forms (debug_heap.cpp) without a file and line.

#include "../internal/corecrt_internal.h"

extern "C" void* __cdecl _aligned_offset_malloc_dbg(size_t, size_t, size_t, char const*, int);
extern "C" void* __cdecl _aligned_malloc_dbg(size_t, size_t, char const*, int);
extern "C" void __cdecl _aligned_free_dbg(void*);
extern "C" size_t __cdecl _aligned_msize_dbg(void*, size_t, size_t);
extern "C" void* __cdecl _aligned_offset_realloc_dbg(void*, size_t, size_t, size_t, char const*, int);
extern "C" void* __cdecl _aligned_realloc_dbg(void*, size_t, size_t, char const*, int);
extern "C" void* __cdecl _aligned_offset_recalloc_dbg(void*, size_t, size_t, size_t, size_t, char const*, int);
extern "C" void* __cdecl _aligned_recalloc_dbg(void*, size_t, size_t, size_t, char const*, int);

extern "C" void* __cdecl _aligned_malloc(size_t const size, size_t const alignment)
{
    return _aligned_malloc_dbg(size, alignment, nullptr, 0);
}

extern "C" void* __cdecl _aligned_offset_malloc(size_t const size, size_t const alignment, size_t const offset)
{
    return _aligned_offset_malloc_dbg(size, alignment, offset, nullptr, 0);
}

extern "C" void __cdecl _aligned_free(void* const block)
{
    _aligned_free_dbg(block);
}

extern "C" size_t __cdecl _aligned_msize(void* const block, size_t const alignment, size_t const offset)
{
    return _aligned_msize_dbg(block, alignment, offset);
}

extern "C" void* __cdecl _aligned_realloc(void* const block, size_t const size, size_t const alignment)
{
    return _aligned_realloc_dbg(block, size, alignment, nullptr, 0);
}

extern "C" void* __cdecl _aligned_offset_realloc(void* const block, size_t const size, size_t const alignment,
                                                 size_t const offset)
{
    return _aligned_offset_realloc_dbg(block, size, alignment, offset, nullptr, 0);
}

extern "C" void* __cdecl _aligned_recalloc(void* const block, size_t const count, size_t const size,
                                           size_t const alignment)
{
    return _aligned_recalloc_dbg(block, count, size, alignment, nullptr, 0);
}

extern "C" void* __cdecl _aligned_offset_recalloc(void* const block, size_t const count, size_t const size,
                                                  size_t const alignment, size_t const offset)
{
    return _aligned_offset_recalloc_dbg(block, count, size, alignment, offset, nullptr, 0);
}
