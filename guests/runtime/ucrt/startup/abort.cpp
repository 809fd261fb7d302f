// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// abort.cpp - abort, which ends the process with exit code 3.
//
// MSVC's release abort() raises SIGABRT and, when no handler takes it, ends
// the process with exit code 3 without running atexit functions. crtlab's
// runtime has no signals, so it goes straight to the exit code.

#include <stdlib.h>
#include "../../internal/crtlab_internal.h"

extern "C" void __cdecl abort()
{
    __crtlab_fatal_error("abort() has been called\n", 3);
}
