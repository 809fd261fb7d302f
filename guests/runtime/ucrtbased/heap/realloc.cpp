// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// realloc.cpp - realloc and _recalloc in the debug CRT.

#include "../internal/corecrt_internal.h"

extern "C" void* __cdecl realloc(void* const block, size_t const size)
{
    return _realloc_dbg(block, size, _NORMAL_BLOCK, nullptr, 0);
}

extern "C" void* __cdecl _recalloc(void* const block, size_t const count, size_t const size)
{
    return _recalloc_dbg(block, count, size, _NORMAL_BLOCK, nullptr, 0);
}
