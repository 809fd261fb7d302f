// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_debug.cpp - the placement delete that matches the debug operator
// new. The compiler calls it only when a constructor called from
// new (_CLIENT_BLOCK, __FILE__, __LINE__) T throws.

#include "vcstartup_internal.h"

void __CRTDECL operator delete(void* const block, int const block_use, char const* const file_name,
                               int const line_number) noexcept
{
    (void)file_name;
    (void)line_number;
    _free_dbg(block, block_use);
}

void __CRTDECL operator delete[](void* const block, int const block_use, char const* const file_name,
                                 int const line_number) noexcept
{
    operator delete(block, block_use, file_name, line_number);
}
