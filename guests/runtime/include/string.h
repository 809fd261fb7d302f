// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// string.h - the memory and string primitives of crtlab's runtimes. The
// compiler may also call memset, memcpy and memmove on its own. With the
// DLL runtime the mem* functions (and strchr, strrchr, strstr) come from
// VCRUNTIME140D.dll and the rest from ucrtbased.dll, as with MSVC.

#pragma once

#include <corecrt.h>

// <crtdbg.h> with _CRTDBG_MAP_ALLOC defines these names as macros; keep the
// declarations below intact if it was included first.
#pragma push_macro("_strdup")
#undef _strdup

#ifdef __cplusplus
extern "C" {
#endif

_VCRTIMP void* __cdecl memset(void* destination, int value, size_t count);
_VCRTIMP void* __cdecl memcpy(void* destination, void const* source, size_t count);
_VCRTIMP void* __cdecl memmove(void* destination, void const* source, size_t count);
_VCRTIMP int __cdecl memcmp(void const* left, void const* right, size_t count);
_VCRTIMP void* __cdecl memchr(void const* buffer, int value, size_t count);
_VCRTIMP char* __cdecl strchr(char const* string, int character);
_VCRTIMP char* __cdecl strrchr(char const* string, int character);
_VCRTIMP char* __cdecl strstr(char const* string, char const* substring);

_ACRTIMP size_t __cdecl strlen(char const* string);
_ACRTIMP size_t __cdecl strnlen(char const* string, size_t max_count);
_ACRTIMP int __cdecl strcmp(char const* left, char const* right);
_ACRTIMP int __cdecl strncmp(char const* left, char const* right, size_t count);
_ACRTIMP char* __cdecl strcpy(char* destination, char const* source);
_ACRTIMP char* __cdecl strncpy(char* destination, char const* source, size_t count);
_ACRTIMP char* __cdecl strcat(char* destination, char const* source);
_ACRTIMP char* __cdecl strncat(char* destination, char const* source, size_t count);
_ACRTIMP errno_t __cdecl strcpy_s(char* destination, size_t size, char const* source);
_ACRTIMP errno_t __cdecl strcat_s(char* destination, size_t size, char const* source);
_ACRTIMP errno_t __cdecl strncpy_s(char* destination, size_t size, char const* source, size_t count);
_ACRTIMP char* __cdecl _strdup(char const* string);
_ACRTIMP size_t __cdecl wcslen(wchar_t const* string);
_ACRTIMP int __cdecl wcscmp(wchar_t const* left, wchar_t const* right);
_ACRTIMP errno_t __cdecl wcscpy_s(wchar_t* destination, size_t size, wchar_t const* source);
_ACRTIMP errno_t __cdecl wcscat_s(wchar_t* destination, size_t size, wchar_t const* source);

#ifdef __cplusplus
}
#endif

#pragma pop_macro("_strdup")
