// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_array.cpp - operator delete[](void*), the counterpart of
// operator new[].

#include <stddef.h>

void __cdecl operator delete[](void* const block) noexcept
{
    operator delete(block);
}
