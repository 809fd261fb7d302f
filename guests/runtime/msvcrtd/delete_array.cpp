// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_array.cpp - operator delete[](void*): the same as operator delete.

#include "vcstartup_internal.h"

void __CRTDECL operator delete[](void* const block) noexcept
{
    operator delete(block);
}
