// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// heap_handle.cpp - __acrt_heap, the Windows heap behind the CRT heap.
//
// The UCRT always uses the process heap; it is taken once, when the DLL is
// loaded, before any allocation.

#include "../internal/corecrt_internal.h"

extern "C" HANDLE __acrt_heap = nullptr;

extern "C" bool __cdecl __acrt_initialize_heap()
{
    __acrt_heap = GetProcessHeap();
    return __acrt_heap != nullptr;
}

extern "C" void __cdecl __acrt_uninitialize_heap()
{
    // The process heap belongs to the process, not to the CRT.
}

extern "C" long long __cdecl _get_heap_handle()
{
    return reinterpret_cast<long long>(__acrt_heap);
}
