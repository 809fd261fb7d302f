// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// string.h - the memory and string primitives of crtlab's static runtime.
// The compiler may also call memset, memcpy and memmove on its own.

#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void* __cdecl memset(void* destination, int value, size_t count);
void* __cdecl memcpy(void* destination, void const* source, size_t count);
void* __cdecl memmove(void* destination, void const* source, size_t count);
int __cdecl memcmp(void const* left, void const* right, size_t count);
size_t __cdecl strlen(char const* string);

#ifdef __cplusplus
}
#endif
