// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// vcstartup_internal.h - declarations for crtlab's msvcrtd library: the
// part of a Debug (/MDd) program's C runtime that is linked into the
// program itself, as MSVC links it from msvcrtd.lib. It holds the entry
// point (mainCRTStartup), the startup and shutdown logic around main, the
// /GS cookie, atexit, and operator new and delete, including their debug
// forms. Everything else lives in the DLLs, and this code reaches it through
// the import address table: ucrtbased.dll and VCRUNTIME140D.dll.
//
// The library is built like msvcrtd.lib's startup objects: _DEBUG, no
// optimization, full debug information. Nothing is inlined, so a stack
// in main reads, from the bottom:
//     mainCRTStartup -> __scrt_common_main -> __scrt_common_main_seh
//     -> invoke_main -> main

#pragma once

#if !defined(_DEBUG) && !defined(_CRTLAB_MSVCRT)
#error crtlab's msvcrtd library is built with _DEBUG (msvcrt, its release twin, with -D_CRTLAB_MSVCRT)
#endif

#include <corecrt.h>
#include <crtdbg.h>
#include <malloc.h>
#include <new.h>
#include <stdint.h>
#include <stdlib.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void(__cdecl* _PVFV)(void);
typedef int(__cdecl* _PIFV)(void);
typedef int(__cdecl* _onexit_t)(void);
typedef void(__stdcall* _tls_callback_type)(void*, unsigned long, void*);

typedef struct _onexit_table_t {
    _PVFV* _first;
    _PVFV* _last;
    _PVFV* _end;
} _onexit_table_t;

// The section markers of the initializer tables (initializers.cpp).
extern _PIFV __xi_a[];
extern _PIFV __xi_z[];
extern _PVFV __xc_a[];
extern _PVFV __xc_z[];

// What the startup code asks of ucrtbased.dll.
#define _crt_console_app 1
#define _crt_argv_unexpanded_arguments 1
#define _O_TEXT 0x4000
#define _DISABLE_PER_THREAD_LOCALE 2

_ACRTIMP void __cdecl _set_app_type(int app_type);
_ACRTIMP errno_t __cdecl _set_fmode(int mode);
_ACRTIMP int* __cdecl __p__commode(void);
_ACRTIMP errno_t __cdecl _configure_narrow_argv(int mode);
_ACRTIMP int __cdecl _initialize_narrow_environment(void);
_ACRTIMP char** __cdecl _get_initial_narrow_environment(void);
_ACRTIMP int* __cdecl __p___argc(void);
_ACRTIMP char*** __cdecl __p___argv(void);
_ACRTIMP int __cdecl _configthreadlocale(int mode);
_ACRTIMP void __cdecl __setusermatherr(int(__cdecl* handler)(struct _exception*));
_ACRTIMP void __cdecl _initterm(_PVFV* first, _PVFV* last);
_ACRTIMP int __cdecl _initterm_e(_PIFV* first, _PIFV* last);
_ACRTIMP void __cdecl _cexit(void);
_ACRTIMP void __cdecl _c_exit(void);
_ACRTIMP int __cdecl _seh_filter_exe(unsigned long code, struct _EXCEPTION_POINTERS* pointers);
_ACRTIMP int __cdecl _crt_atexit(_PVFV function);
_ACRTIMP int __cdecl _crt_at_quick_exit(_PVFV function);
_ACRTIMP int __cdecl _initialize_onexit_table(_onexit_table_t* table);
_ACRTIMP int __cdecl _register_onexit_function(_onexit_table_t* table, _onexit_t function);
_ACRTIMP int __cdecl _execute_onexit_table(_onexit_table_t* table);
_ACRTIMP void __cdecl _register_thread_local_exe_atexit_callback(_tls_callback_type callback);

#define __argc (*__p___argc())
#define __argv (*__p___argv())

// The /GS cookie (guests/runtime/vcstartup/gs_support.cpp).
void __cdecl __security_init_cookie(void);

// utility.cpp
enum __scrt_module_type
{
    __scrt_module_type_dll,
    __scrt_module_type_exe,
};
bool __cdecl __scrt_initialize_crt(enum __scrt_module_type module_type);
bool __cdecl __scrt_uninitialize_crt(bool is_terminating, bool from_exit);
bool __cdecl __scrt_initialize_onexit_tables(enum __scrt_module_type module_type);
bool __cdecl __scrt_is_managed_app(void);
__declspec(noreturn) void __cdecl __scrt_fastfail(unsigned code);

__declspec(noreturn) void __cdecl __scrt_throw_std_bad_alloc(void);
__declspec(noreturn) void __cdecl __scrt_throw_std_bad_array_new_length(void);

#define FAST_FAIL_FATAL_APP_EXIT 7

#ifdef __cplusplus
}
#endif
