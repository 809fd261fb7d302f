// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// atexit.cpp - atexit, which registers a function for exit() to call.
//
// The compiler also uses atexit to register the destructors of C++ globals
// right after their constructors have run. The functions are called in
// reverse order of registration.

#include <stdlib.h>
#include "../internal/crtlab_internal.h"

extern "C" int __cdecl atexit(_PVFV const function)
{
    return _register_onexit_function(&__acrt_atexit_table, function) == 0 ? 0 : -1;
}
