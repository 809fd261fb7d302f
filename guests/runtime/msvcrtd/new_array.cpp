// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new_array.cpp - operator new[](size_t): the same as operator new.

#include "vcstartup_internal.h"

void* __CRTDECL operator new[](size_t const size)
{
    return operator new(size);
}
