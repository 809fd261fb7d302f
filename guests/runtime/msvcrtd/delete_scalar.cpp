// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delete_scalar.cpp - operator delete(void*) in a Debug program:
// _free_dbg with _UNKNOWN_BLOCK, which frees the block as whatever type its
// header says (a normal block from `new T`, a client block from the debug
// operator new).

#include "vcstartup_internal.h"

void __CRTDECL operator delete(void* const block) noexcept
{
    _free_dbg(block, _UNKNOWN_BLOCK);
}
