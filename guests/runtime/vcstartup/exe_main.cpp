// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exe_main.cpp - mainCRTStartup, the entry point of crtlab's console guests.
//
// The image's entry point. KERNEL32!BaseThreadInitThunk calls it on the main
// thread once the loader has mapped the image and resolved its imports. It
// sets up the /GS security cookie and then jumps (a tail call, not a call) to
// __scrt_common_main_seh in exe_common.inl, so it leaves no frame behind: a
// stack trace taken in main goes straight from __scrt_common_main_seh to
// BaseThreadInitThunk, as for a program built with MSVC.

#include "exe_common.inl"

extern "C" int __cdecl mainCRTStartup()
{
    __security_init_cookie();
    [[clang::musttail]] return __scrt_common_main_seh();
}
