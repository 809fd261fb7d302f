// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// realloc.cpp - realloc, a jump to _realloc_base.

#include <malloc.h>

extern "C" void* __cdecl realloc(void* const block, size_t const size)
{
    [[clang::musttail]] return _realloc_base(block, size);
}
