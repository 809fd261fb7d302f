// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_scalar_size.cpp - the sized operator delete(void*, size_t) that
// C++14 compilers call when they know the size of the deleted object. The
// heap knows the size anyway, so the argument is ignored.

#include <stddef.h>

void __cdecl operator delete(void* const block, size_t) noexcept
{
    operator delete(block);
}
