// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// malloc.h - the heap entry points of crtlab's runtimes, including the
// _base functions that sit between the public names and the process heap.

#pragma once

#include <corecrt.h>

// The largest request the heap functions accept (as in the UCRT on x64).
#define _HEAP_MAXREQ 0xFFFFFFFFFFFFFFE0ull

// <crtdbg.h> with _CRTDBG_MAP_ALLOC defines these names as macros; keep the
// declarations below intact if it was included first.
#pragma push_macro("malloc")
#undef malloc
#pragma push_macro("calloc")
#undef calloc
#pragma push_macro("realloc")
#undef realloc
#pragma push_macro("free")
#undef free
#pragma push_macro("_msize")
#undef _msize
#pragma push_macro("_expand")
#undef _expand

#ifdef __cplusplus
extern "C" {
#endif

_ACRTIMP void* __cdecl malloc(size_t size);
_ACRTIMP void* __cdecl calloc(size_t count, size_t size);
_ACRTIMP void* __cdecl realloc(void* block, size_t size);
_ACRTIMP void __cdecl free(void* block);
_ACRTIMP size_t __cdecl _msize(void* block);
_ACRTIMP void* __cdecl _expand(void* block, size_t size);

_ACRTIMP void* __cdecl _malloc_base(size_t size);
_ACRTIMP void* __cdecl _calloc_base(size_t count, size_t size);
_ACRTIMP void* __cdecl _realloc_base(void* block, size_t size);
_ACRTIMP void __cdecl _free_base(void* block);
_ACRTIMP size_t __cdecl _msize_base(void* block);
_ACRTIMP void* __cdecl _expand_base(void* block, size_t size);

_ACRTIMP void* __cdecl _aligned_malloc(size_t size, size_t alignment);
_ACRTIMP void* __cdecl _aligned_offset_malloc(size_t size, size_t alignment, size_t offset);
_ACRTIMP void* __cdecl _aligned_realloc(void* block, size_t size, size_t alignment);
_ACRTIMP size_t __cdecl _aligned_msize(void* block, size_t alignment, size_t offset);
_ACRTIMP void __cdecl _aligned_free(void* block);

// The Windows heap behind the CRT heap: the process heap.
_ACRTIMP long long __cdecl _get_heap_handle(void);

#ifdef __cplusplus
}
#endif

#pragma pop_macro("malloc")
#pragma pop_macro("calloc")
#pragma pop_macro("realloc")
#pragma pop_macro("free")
#pragma pop_macro("_msize")
#pragma pop_macro("_expand")
