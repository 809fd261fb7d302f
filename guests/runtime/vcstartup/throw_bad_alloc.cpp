// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// throw_bad_alloc.cpp - what operator new does when it has to give up.
//
// In MSVC's CRT these functions throw std::bad_alloc and
// std::bad_array_new_length. crtlab's runtime is built without exceptions,
// so they report the exception that would have been thrown and end the
// process with exit code 3, the code of an uncaught exception's abort().

#include "../internal/crtlab_internal.h"

extern "C" void __cdecl __scrt_throw_std_bad_alloc()
{
    __crtlab_fatal_error("bad_alloc: operator new could not allocate memory\n", 3);
}

extern "C" void __cdecl __scrt_throw_std_bad_array_new_length()
{
    __crtlab_fatal_error("bad_array_new_length: operator new[] was asked for too many elements\n", 3);
}
