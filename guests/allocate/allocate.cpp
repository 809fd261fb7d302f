// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// allocate.cpp - the program of crtlab's heap allocation exercise.
//
// It allocates 8 bytes three ways: with malloc, with operator new and with
// HeapAlloc on the process heap (GetProcessHeap()). In the debugger, a breakpoint on
// ntdll!RtlAllocateHeap shows that all three end up in the same function
// with the same heap handle, and `k` shows the C/C++ runtime layers
// (malloc -> _malloc_base, operator new -> malloc -> _malloc_base) that the
// first two go through.
//
// The exercise builds it with
//     cl /EHsc /nologo /std:c++17 /W4 allocate.cpp /link /DEBUG
// so it is compiled without optimization and without line information, and
// linked against the static CRT. guests/build.sh does the same with clang
// and crtlab's runtime; see guests/README.md.

#include <stdlib.h>
#include <windows.h>

// The process heap, the heap that GetProcessHeap() returns. It is taken once,
// before main runs, as the C runtime does for malloc. (It also keeps
// alloc_heap's frame as small as the exercise's: clang evaluates call
// arguments right to left, so HeapAlloc(GetProcessHeap(), 0, size) would
// need an extra stack slot to keep size across the GetProcessHeap call.)
static HANDLE const process_heap = GetProcessHeap();

void* alloc_malloc(size_t size)
{
    return malloc(size);
}

void* alloc_new(size_t size)
{
    // Scalar operator new, as `new T` calls it. Without optimization the
    // local gets a stack slot, which gives alloc_new the 0x38-byte frame of
    // the exercise's build.
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
