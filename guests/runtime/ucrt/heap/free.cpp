// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// free.cpp - free, which returns a block to the CRT heap.
//
// Like malloc, free is only a jump to its _base function.

#include <malloc.h>

extern "C" void __cdecl free(void* const block)
{
    [[clang::musttail]] return _free_base(block);
}
