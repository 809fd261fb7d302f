// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// malloc.cpp - malloc, the public face of the CRT heap.
//
// As in MSVC's release CRT, malloc does nothing but pass the request on to
// _malloc_base. With optimization this is a single jmp, so no malloc frame
// ever shows up in a stack trace: the caller's return address sits directly
// above _malloc_base's frame.

#include <malloc.h>

extern "C" void* __cdecl malloc(size_t const size)
{
    [[clang::musttail]] return _malloc_base(size);
}
