// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// calloc.cpp - calloc, a jump to _calloc_base.

#include <malloc.h>

extern "C" void* __cdecl calloc(size_t const count, size_t const size)
{
    [[clang::musttail]] return _calloc_base(count, size);
}
