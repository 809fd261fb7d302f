// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// stdlib.h - the part of <stdlib.h> that crtlab's runtimes provide: the
// heap functions, process exit, the new mode and (in the DLL runtime) a few
// conversions. Declarations carry _ACRTIMP, so a program built against the
// DLL runtime (-D_DLL) calls them through its import address table.

#pragma once

#include <corecrt.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fff

// <crtdbg.h> with _CRTDBG_MAP_ALLOC defines these names as macros; keep the
// declarations below intact if it was included first.
#pragma push_macro("malloc")
#undef malloc
#pragma push_macro("calloc")
#undef calloc
#pragma push_macro("realloc")
#undef realloc
#pragma push_macro("free")
#undef free
#pragma push_macro("_msize")
#undef _msize
#pragma push_macro("_expand")
#undef _expand
#pragma push_macro("_recalloc")
#undef _recalloc

#ifdef __cplusplus
extern "C" {
#endif

_ACRTIMP void* __cdecl malloc(size_t size);
_ACRTIMP void* __cdecl calloc(size_t count, size_t size);
_ACRTIMP void* __cdecl realloc(void* block, size_t size);
_ACRTIMP void __cdecl free(void* block);
_ACRTIMP size_t __cdecl _msize(void* block);
_ACRTIMP void* __cdecl _expand(void* block, size_t size);
_ACRTIMP void* __cdecl _recalloc(void* block, size_t count, size_t size);

_ACRTIMP __declspec(noreturn) void __cdecl exit(int return_code);
_ACRTIMP __declspec(noreturn) void __cdecl _exit(int return_code);
_ACRTIMP __declspec(noreturn) void __cdecl abort(void);
int __cdecl atexit(void(__cdecl* function)(void));

_ACRTIMP int __cdecl _set_new_mode(int new_mode);
_ACRTIMP int __cdecl _query_new_mode(void);

_ACRTIMP int __cdecl atoi(char const* string);
_ACRTIMP long __cdecl atol(char const* string);
_ACRTIMP long __cdecl strtol(char const* string, char** end, int radix);
_ACRTIMP unsigned long __cdecl strtoul(char const* string, char** end, int radix);
_ACRTIMP long long __cdecl strtoll(char const* string, char** end, int radix);
_ACRTIMP unsigned long long __cdecl strtoull(char const* string, char** end, int radix);
_ACRTIMP int __cdecl abs(int value);
_ACRTIMP long __cdecl labs(long value);
_ACRTIMP long long __cdecl llabs(long long value);
_ACRTIMP int __cdecl rand(void);
_ACRTIMP void __cdecl srand(unsigned int seed);
_ACRTIMP void __cdecl qsort(void* base, size_t count, size_t size, int(__cdecl* compare)(void const*, void const*));
_ACRTIMP errno_t __cdecl _itoa_s(int value, char* buffer, size_t buffer_count, int radix);
_ACRTIMP char* __cdecl getenv(char const* name);

#ifdef __cplusplus
}
#endif

#pragma pop_macro("malloc")
#pragma pop_macro("calloc")
#pragma pop_macro("realloc")
#pragma pop_macro("free")
#pragma pop_macro("_msize")
#pragma pop_macro("_expand")
#pragma pop_macro("_recalloc")
