// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exe_main.cpp - mainCRTStartup, the entry point of crtlab's Debug (/MDd)
// console programs. KERNEL32!BaseThreadInitThunk calls it once the loader
// has mapped the program and its DLLs and run their DllMain functions.
// The call below stays on line 17 (see exe_common.inl).

#include "exe_common.inl"

// The entry point receives the PEB address, which it does not use.
//
//
extern "C" DWORD __cdecl mainCRTStartup(void* const parameter)
{
    (void)parameter;
    return static_cast<DWORD>(__scrt_common_main());
}
