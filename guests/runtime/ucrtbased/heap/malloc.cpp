// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// malloc.cpp - malloc in the debug CRT: a _NORMAL_BLOCK from the debug heap,
// with no file and line (define _CRTDBG_MAP_ALLOC in the program to record
// them: <crtdbg.h> then maps malloc to _malloc_dbg directly).
//
//   malloc -> _malloc_dbg -> heap_alloc_dbg -> heap_alloc_dbg_internal
//          -> HeapAlloc (= ntdll!RtlAllocateHeap) with size + 0x34

#include "../internal/corecrt_internal.h"

extern "C" void* __cdecl malloc(size_t const size)
{
    return _malloc_dbg(size, _NORMAL_BLOCK, nullptr, 0);
}
