// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// allocate_d.cpp - the heap allocation exercise (see ../allocate), built as
// a Debug program: the equivalent of
//     cl /MDd /Zi /Od /EHsc /nologo /std:c++17 /W4 allocate_d.cpp /link /DEBUG
// so malloc and operator new go to the debug heap of ucrtbased.dll, and
// the program imports ucrtbased.dll and VCRUNTIME140D.dll.
//
// It allocates 8 bytes three ways, as allocate.exe does. With a breakpoint
// on ntdll!RtlAllocateHeap, `k` now shows the debug CRT between the program
// and the Windows heap:
//     ntdll!RtlAllocateHeap
//     ucrtbased!heap_alloc_dbg_internal
//     ucrtbased!heap_alloc_dbg
//     ucrtbased!_malloc_dbg
//     ucrtbased!malloc
//     allocate_d!alloc_malloc
// and `r r8` shows what the debug heap asks for: 8 + 0x30 (the
// _CrtMemBlockHeader) + 4 (the guard after the data) = 0x3c. HeapAlloc on
// the process heap is not affected: r8 is 8 there.

#include <stdlib.h>
#include <windows.h>

// The process heap, taken once before main runs (as in allocate.cpp).
static HANDLE const process_heap = GetProcessHeap();

void* alloc_malloc(size_t size)
{
    return malloc(size);
}

void* alloc_new(size_t size)
{
    void* block = ::operator new(size);
    return block;
}

void* alloc_heap(size_t size)
{
    return HeapAlloc(process_heap, 0, size);
}

int main()
{
    // Stop here, so that the breakpoints can be set before the allocations.
    __debugbreak();

    void* from_malloc = alloc_malloc(8);
    void* from_new = alloc_new(8);
    void* from_heap = alloc_heap(8);

    free(from_malloc);
    ::operator delete(from_new);
    HeapFree(process_heap, 0, from_heap);
    return 0;
}
