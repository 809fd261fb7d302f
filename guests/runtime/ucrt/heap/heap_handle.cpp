// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// heap_handle.cpp - __acrt_heap, the Windows heap behind the CRT heap.
//
// The UCRT always allocates from the process heap; it takes the handle once
// at startup and keeps it. crtlab's runtime does the same, so malloc, operator
// new and HeapAlloc(GetProcessHeap(), ...) all pass the same handle (rcx) to
// ntdll!RtlAllocateHeap.

#include "../../internal/crtlab_internal.h"

extern "C" HANDLE __acrt_heap = nullptr;

extern "C" bool __cdecl __acrt_initialize_heap()
{
    __acrt_heap = GetProcessHeap();
    return __acrt_heap != nullptr;
}
