// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// msize.cpp - _msize (the size recorded in the debug header) and
// _msize_base (the size of a Windows heap block).

#include "../internal/corecrt_internal.h"

extern "C" size_t __cdecl _msize(void* const block)
{
    return _msize_dbg(block, _NORMAL_BLOCK);
}

extern "C" size_t __cdecl _msize_base(void* const block)
{
    _VALIDATE_RETURN(block != nullptr, EINVAL, static_cast<size_t>(-1));
    return HeapSize(__acrt_heap, 0, block);
}
