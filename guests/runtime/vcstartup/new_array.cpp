// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_array.cpp - operator new[](size_t), the allocation behind `new T[n]`.
// It is operator new under another name, as in MSVC.

#include <stddef.h>

void* __cdecl operator new[](size_t const size)
{
    return operator new(size);
}
