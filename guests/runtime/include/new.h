// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// new.h - the CRT's new handler: a function that operator new (and malloc,
// in new mode 1) calls when the heap is out of memory.

#pragma once

#include <corecrt.h>

#ifdef __cplusplus
extern "C" {
#endif

// A new handler returns non-zero if it freed memory and the allocation
// should be retried, or zero to give up.
typedef int(__cdecl* _PNH)(size_t);

_ACRTIMP _PNH __cdecl _set_new_handler(_PNH new_handler);
_ACRTIMP _PNH __cdecl _query_new_handler(void);
_ACRTIMP int __cdecl _callnewh(size_t size);

_ACRTIMP int __cdecl _set_new_mode(int new_mode);
_ACRTIMP int __cdecl _query_new_mode(void);

#ifdef __cplusplus
}
#endif
