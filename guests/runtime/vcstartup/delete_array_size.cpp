// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_array_size.cpp - the sized operator delete[](void*, size_t); the
// size is ignored.

#include <stddef.h>

void __cdecl operator delete[](void* const block, size_t) noexcept
{
    operator delete[](block);
}
