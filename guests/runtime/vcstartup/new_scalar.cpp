// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_scalar.cpp - operator new(size_t), the allocation behind `new T`.
//
// Part of crtlab's static runtime, in the shape of MSVC's: operator new
// takes its memory from malloc (and so from _malloc_base and the process
// heap). When malloc fails, the new handler may free memory and ask for a
// retry. If it cannot, MSVC throws std::bad_alloc; crtlab's runtime has no
// exceptions, so it reports bad_alloc on stderr and ends the process with
// exit code 3, as an uncaught exception would.
//
// operator new shows up in the stack traces of crtlab's lessons: the malloc
// call must stay on line 35 and the frame at 0x28 bytes. See
// guests/README.md before changing this function.

#include <malloc.h>
#include <new.h>
#include <stdint.h>
#include "../internal/crtlab_internal.h"

// Returns a block of at least size bytes; never returns nullptr. Tail calls
// are disabled so that this frame always stays on the stack under the
// allocation, even if a later change leaves the malloc call in tail
// position.
//
// The loop runs once when memory is available. It repeats only while the new
// handler reports that it has freed something. A request for SIZE_MAX bytes
// can only come from an array size computation that overflowed; it is
// reported as bad_array_new_length rather than bad_alloc, as in MSVC.
__attribute__((disable_tail_calls)) void* __cdecl operator new(size_t const size)
{
    for (;;)
    {
        if (void* const block = malloc(size))
        {
            return block;
        }
        if (_callnewh(size) == 0)
        {
            if (size == SIZE_MAX)
            {
                __scrt_throw_std_bad_array_new_length();
            }
            __scrt_throw_std_bad_alloc();
        }
    }
}
