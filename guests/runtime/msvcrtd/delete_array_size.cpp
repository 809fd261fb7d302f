// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_array_size.cpp - the sized operator delete[].

#include "vcstartup_internal.h"

void __CRTDECL operator delete[](void* const block, size_t const size) noexcept
{
    (void)size;
    operator delete[](block);
}
