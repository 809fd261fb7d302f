// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// free.cpp - free in the debug CRT: checks the block's guards and fills it
// with DD before the Windows heap gets it back.

#include "../internal/corecrt_internal.h"

extern "C" void __cdecl free(void* const block)
{
    _free_dbg(block, _NORMAL_BLOCK);
}
