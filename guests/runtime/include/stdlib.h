// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// stdlib.h - the part of <stdlib.h> that crtlab's static runtime provides:
// the heap functions, process exit and the new mode.

#pragma once

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#ifdef __cplusplus
extern "C" {
#endif

void* __cdecl malloc(size_t size);
void* __cdecl calloc(size_t count, size_t size);
void* __cdecl realloc(void* block, size_t size);
void __cdecl free(void* block);
size_t __cdecl _msize(void* block);

__declspec(noreturn) void __cdecl exit(int return_code);
__declspec(noreturn) void __cdecl _exit(int return_code);
__declspec(noreturn) void __cdecl abort(void);
int __cdecl atexit(void(__cdecl* function)(void));

int __cdecl _set_new_mode(int new_mode);
int __cdecl _query_new_mode(void);

#ifdef __cplusplus
}
#endif
