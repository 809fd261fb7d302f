// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// throw_bad_alloc.cpp - what operator new does when it has to give up: throw
// std::bad_alloc (or std::bad_array_new_length). A throw goes through
// VCRUNTIME140D!_CxxThrowException, which crtlab does not support (it runs
// no exception handlers): the call reports itself by name and ends the
// program. The warning before it says which exception it was.

#include "vcstartup_internal.h"

extern "C" __declspec(dllimport) __declspec(noreturn) void __stdcall _CxxThrowException(void* exception_object,
                                                                                          void* throw_info);

extern "C" void __cdecl __scrt_throw_std_bad_alloc()
{
    _RPT0(_CRT_WARN, "operator new: out of memory: throwing std::bad_alloc\n");
    _CxxThrowException(nullptr, nullptr);
}

extern "C" void __cdecl __scrt_throw_std_bad_array_new_length()
{
    _RPT0(_CRT_WARN, "operator new[]: array too large: throwing std::bad_array_new_length\n");
    _CxxThrowException(nullptr, nullptr);
}
