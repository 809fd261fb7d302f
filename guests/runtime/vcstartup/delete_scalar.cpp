// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_scalar.cpp - operator delete(void*), which frees what operator new
// allocated. Deleting a null pointer does nothing (free ignores it).

#include <malloc.h>

void __cdecl operator delete(void* const block) noexcept
{
    free(block);
}
