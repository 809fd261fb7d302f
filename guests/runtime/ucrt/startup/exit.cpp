// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exit.cpp - exit, _exit, _cexit and _c_exit.
//
// exit() is what __scrt_common_main_seh calls with main's result. It runs the
// functions registered with atexit (last registered first, which includes the
// destructors of C++ globals), then the pre-terminators and terminators in
// the .CRT$XP* and .CRT$XT* sections, and finally ends the process with
// ExitProcess, whose argument becomes the process exit code.

#include <stdlib.h>
#include "../../internal/crtlab_internal.h"

// Set once the cleanup has run, so that a call to exit() from an atexit
// function (or a second exit) does not run the functions again.
static bool c_termination_complete = false;

static void __cdecl run_c_termination()
{
    if (c_termination_complete)
    {
        return;
    }
    c_termination_complete = true;
    _execute_onexit_table(&__acrt_atexit_table);
    _initterm(__xp_a, __xp_z);
    _initterm(__xt_a, __xt_z);
}

extern "C" void __cdecl exit(int const return_code)
{
    run_c_termination();
    ExitProcess(static_cast<unsigned int>(return_code));
}

// Ends the process at once, without atexit functions or terminators.
extern "C" void __cdecl _exit(int const return_code)
{
    ExitProcess(static_cast<unsigned int>(return_code));
}

// Runs the cleanup of exit() but returns to the caller.
extern "C" void __cdecl _cexit()
{
    run_c_termination();
}

// The cleanup of _exit(), which is nothing, returning to the caller.
extern "C" void __cdecl _c_exit()
{
}
