// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// dll_main.cpp - the entry point of VCRUNTIME140D.dll. The runtime keeps no
// state that needs setting up: crtlab runs one thread, and the exception
// machinery is not supported (eh/unsupported.cpp).

#include "../internal.h"

extern "C" BOOL WINAPI _DllMainCRTStartup(HMODULE const instance, DWORD const reason, void* const reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
