// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// initialization.cpp - __acrt_initialize, the startup of the ucrt part of
// crtlab's runtime. It runs before any initializer in the .CRT sections, so
// the heap is ready when C++ constructors of globals call operator new.

#include "../../internal/crtlab_internal.h"

extern "C" bool __cdecl __acrt_initialize()
{
    return __acrt_initialize_heap();
}
