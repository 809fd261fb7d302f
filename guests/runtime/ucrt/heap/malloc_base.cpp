// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// malloc_base.cpp - _malloc_base, the allocator behind malloc and operator new.
//
// Part of crtlab's static runtime, written in the shape of the UCRT's release
// heap: malloc() jumps straight here, and this function passes the request to
// the process heap with HeapAlloc, a KERNEL32 forwarder to ntdll's
// RtlAllocateHeap. This layer only checks the size and runs the new handler.
//
// crtlab's lessons and snapshots show this file in stack traces: the
// HeapAlloc call must stay on line 34 and the frame at 0x28 bytes. See
// guests/README.md before moving code around.

#include <errno.h>
#include <malloc.h>
#include <new.h>
#include "../../internal/crtlab_internal.h"

static __declspec(noinline) void* __cdecl heap_alloc_with_new_handler(size_t size);

// Allocates size bytes from the CRT heap. A request above _HEAP_MAXREQ fails
// with ENOMEM without calling the new handler; a request for 0 bytes becomes
// 1 byte, so each successful call returns a distinct block. Tail calls are
// disabled so that this frame stays on the stack under RtlAllocateHeap.
extern "C" __attribute__((disable_tail_calls)) void* __cdecl _malloc_base(size_t const size)
{
    if (size > _HEAP_MAXREQ)
    {
        errno = ENOMEM;
        return nullptr;
    }
    size_t const actual_size = size == 0 ? 1 : size;
    if (void* const block = HeapAlloc(__acrt_heap, 0, actual_size))
    {
        return block;
    }
    return heap_alloc_with_new_handler(actual_size);
}

// The slow path, taken when the heap is exhausted. In new mode 1
// (_set_new_mode(1)) the new handler may free memory; retry for as long as
// it says it did. Otherwise fail with ENOMEM.
//
// The retry loop lives here rather than in _malloc_base so that the fast path
// keeps a small frame: in a loop, the compiler would keep the address of
// HeapAlloc in a second callee-saved register.
static __declspec(noinline) void* __cdecl heap_alloc_with_new_handler(size_t const size)
{
    while (_query_new_mode() != 0 && _callnewh(size) != 0)
    {
        if (void* const block = HeapAlloc(__acrt_heap, 0, size))
        {
            return block;
        }
    }
    errno = ENOMEM;
    return nullptr;
}
