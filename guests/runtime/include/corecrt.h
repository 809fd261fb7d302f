// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// corecrt.h - the macros and types that every header of crtlab's C runtime
// shares, with the names MSVC's headers use.
//
// A program built against the DLL CRT (/MD, /MDd: the compiler defines
// _DLL, and crtlab's build.sh passes -D_DLL) calls the CRT through the
// import address table: its declarations carry __declspec(dllimport), so
// that `malloc(8)` compiles to `call qword ptr [__imp_malloc]` as it does
// with MSVC. The static runtime (/MT) and the DLLs themselves (_CRTBLD)
// declare the same functions without it.
//
//   _ACRTIMP   functions of the UCRT (ucrtbase.dll / ucrtbased.dll)
//   _VCRTIMP   functions of VCRUNTIME140.dll / VCRUNTIME140D.dll
//
// _CORECRT_BUILD is defined while building ucrtbased.dll (which carries its
// own private copies of memset and friends) and _VCRT_BUILD while building
// VCRUNTIME140D.dll.

#pragma once

#include <stddef.h>

#ifndef _ACRTIMP
#if defined(_DLL) && !defined(_CORECRT_BUILD)
#define _ACRTIMP __declspec(dllimport)
#else
#define _ACRTIMP
#endif
#endif

#ifndef _VCRTIMP
#if defined(_DLL) && !defined(_VCRT_BUILD) && !defined(_CORECRT_BUILD)
#define _VCRTIMP __declspec(dllimport)
#else
#define _VCRTIMP
#endif
#endif

#ifndef __CRTDECL
#define __CRTDECL __cdecl
#endif

#define _CRT_WIDE_(s) L##s
#define _CRT_WIDE(s) _CRT_WIDE_(s)

#ifndef _ERRNO_T_DEFINED
#define _ERRNO_T_DEFINED
typedef int errno_t;
#endif

#ifndef _WCTYPE_T_DEFINED
#define _WCTYPE_T_DEFINED
typedef unsigned short wint_t;
typedef unsigned short wctype_t;
#endif

#ifndef _VA_LIST_DEFINED
#define _VA_LIST_DEFINED
typedef __builtin_va_list va_list;
#endif

// The locale argument of the _l functions. crtlab's runtime has only the
// "C" locale, so the argument is accepted and ignored.
typedef struct __crt_locale_pointers* _locale_t;

#define _TRUNCATE ((size_t)-1)
