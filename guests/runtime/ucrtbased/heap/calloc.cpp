// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// calloc.cpp - calloc in the debug CRT: a zeroed _NORMAL_BLOCK.

#include "../internal/corecrt_internal.h"

extern "C" void* __cdecl calloc(size_t const count, size_t const size)
{
    return _calloc_dbg(count, size, _NORMAL_BLOCK, nullptr, 0);
}
