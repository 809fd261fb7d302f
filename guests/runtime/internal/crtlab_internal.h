// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// crtlab_internal.h - declarations shared by the pieces of crtlab's static
// runtime (startup, heap, exit) but not meant for guest programs.
//
// The runtime follows the shape of MSVC's static CRT (/MT): a "vcstartup"
// part that is linked into every executable (mainCRTStartup, operator new,
// the section markers for initializers) and a "ucrt" part (malloc, free,
// exit, argv). The names below are the ones MSVC's CRT uses, so that stack
// traces and symbol lists in crtlab look like those of a real /MT program.

#pragma once

#include <stddef.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

// Function pointer types of the initializer and terminator tables.
typedef void(__cdecl* _PVFV)(void);
typedef int(__cdecl* _PIFV)(void);

// Section markers (vcstartup/initializers.cpp, ucrt/startup/terminators.cpp).
// The linker sorts .CRT$XIA < .CRT$XIU < .CRT$XIZ and so on, so everything
// that the compiler or the runtime puts between a marker pair is run in turn.
extern _PIFV __xi_a[]; // C initializers, .CRT$XIA
extern _PIFV __xi_z[]; // .CRT$XIZ
extern _PVFV __xc_a[]; // C++ dynamic initializers, .CRT$XCA
extern _PVFV __xc_z[]; // .CRT$XCZ
extern _PVFV __xp_a[]; // pre-terminators, .CRT$XPA
extern _PVFV __xp_z[]; // .CRT$XPZ
extern _PVFV __xt_a[]; // terminators, .CRT$XTA
extern _PVFV __xt_z[]; // .CRT$XTZ

void __cdecl _initterm(_PVFV* first, _PVFV* last);
int __cdecl _initterm_e(_PIFV* first, _PIFV* last);

// The heap that every CRT allocation comes from: the process heap.
extern HANDLE __acrt_heap;
bool __cdecl __acrt_initialize_heap(void);

// Startup of the ucrt part, called once from __scrt_common_main_seh.
bool __cdecl __acrt_initialize(void);

// Command line and environment, set up before the C initializers run.
extern int __argc;
extern char** __argv;
int __cdecl _configure_narrow_argv(void);
char** __cdecl _get_initial_narrow_environment(void);

// atexit table, run by exit() in reverse order of registration.
typedef struct _onexit_table_t {
    _PVFV* _first;
    _PVFV* _last;
    _PVFV* _end;
} _onexit_table_t;

int __cdecl _register_onexit_function(_onexit_table_t* table, _PVFV function);
int __cdecl _execute_onexit_table(_onexit_table_t* table);
extern _onexit_table_t __acrt_atexit_table;

void __cdecl _cexit(void);

// /GS support. Nothing in crtlab's guests is built with stack cookies, but
// mainCRTStartup initializes the cookie as MSVC's startup does.
extern ULONG_PTR __security_cookie;
extern ULONG_PTR __security_cookie_complement;
void __cdecl __security_init_cookie(void);

// Writes a message to the standard error handle and ends the process with
// the given exit code. Used where MSVC's CRT would raise an exception or
// fail fast, which crtlab's runtime cannot do.
__declspec(noreturn) void __cdecl __crtlab_fatal_error(char const* message, unsigned int exit_code);

__declspec(noreturn) void __cdecl __scrt_throw_std_bad_alloc(void);
__declspec(noreturn) void __cdecl __scrt_throw_std_bad_array_new_length(void);

#ifdef __cplusplus
}
#endif
