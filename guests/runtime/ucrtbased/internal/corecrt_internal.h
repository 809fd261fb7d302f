// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// corecrt_internal.h - declarations shared by the parts of ucrtbased.dll,
// crtlab's stand-in for the debug Universal CRT, but not exported to
// programs.
//
// ucrtbased.dll is built like Microsoft builds its debug CRT: with _DEBUG,
// without optimization and with full debug information, so that a student
// can step into _malloc_dbg with `t` and watch it write the guard bytes,
// and so that every frame in `k` has a source line. The DLL is
// single-threaded: crtlab runs one thread, so the CRT's locks are left out.

#pragma once

#if !defined(_DEBUG) && !defined(_CRTLAB_UCRTBASE)
#error ucrtbased.dll is the debug CRT: build it with -D_DEBUG (or -D_CRTLAB_UCRTBASE for ucrtbase.dll)
#endif

#include <corecrt.h>
#include <crtdbg.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

// The Windows heap every CRT allocation comes from: the process heap, taken
// once when the DLL is loaded (heap/heap_handle.cpp).
extern HANDLE __acrt_heap;
bool __cdecl __acrt_initialize_heap(void);

// The CRT's own allocations. In the debug CRT they are _CRT_BLOCKs with the
// file and line of the allocation, so they show in `!crtheap` and, with
// _CRTDBG_CHECK_CRT_DF, in leak dumps, but not in a program's own leak dumps.
#define _malloc_crt(size) _malloc_dbg((size), _CRT_BLOCK, __FILE__, __LINE__)
#define _calloc_crt(count, size) _calloc_dbg((count), (size), _CRT_BLOCK, __FILE__, __LINE__)
#define _realloc_crt(block, size) _realloc_dbg((block), (size), _CRT_BLOCK, __FILE__, __LINE__)
#define _free_crt(block) _free_dbg((block), _CRT_BLOCK)

// Start-up and shut-down of the DLL's parts (dll/dll_main.cpp).
bool __cdecl __acrt_initialize(void);
bool __cdecl __acrt_uninitialize(bool terminating);
bool __cdecl __acrt_initialize_stdio(void);
void __cdecl __acrt_uninitialize_stdio(void);
void __cdecl __acrt_uninitialize_environment(void);
void __cdecl __acrt_uninitialize_command_line(void);
void __cdecl __acrt_uninitialize_heap(void);

// The process's exit code once exit() has started (startup/exit.cpp).
extern bool __acrt_exit_in_progress;

// Reports a run-time error the way the debug CRT does: as a _CRT_ERROR
// report ("Debug Error!"), breaking into the debugger on Retry.
void __cdecl __acrt_report_runtime_error(wchar_t const* message);

// The body of every export that crtlab's runtime cannot support (misc/
// unsupported.cpp): reports which function was called and aborts.
__declspec(noreturn) void __cdecl __crtlab_unsupported(char const* function_name);

// The formatting engine behind every printf-style function (stdio/
// output.cpp). Writes at most buffer_count - 1 characters and a
// terminator; returns the length the whole output has, or -1 on a bad
// format.
int __cdecl __acrt_format_narrow(char* buffer, size_t buffer_count, char const* format, va_list arguments);

// Writes bytes to a standard stream handle (1 = stdout, 2 = stderr).
void __cdecl __acrt_write_console(int fd, char const* data, size_t size);

// The invalid parameter handler and the checks that call it. In the debug
// CRT a failed check is first reported as an assertion ("Debug Assertion
// Failed! ... Expression: ..."), then the invalid parameter handler runs:
// by default it ends the process with __fastfail(FAST_FAIL_INVALID_ARG).
_ACRTIMP void __cdecl _invalid_parameter(wchar_t const* expression, wchar_t const* function_name,
                                         wchar_t const* file_name, unsigned int line_number, uintptr_t reserved);
_ACRTIMP void __cdecl _invalid_parameter_noinfo(void);
_ACRTIMP __declspec(noreturn) void __cdecl _invalid_parameter_noinfo_noreturn(void);

#define _VALIDATE_RETURN(expr, errorcode, retexpr)                                                     \
    do {                                                                                               \
        int const _Expr_val = !!(expr);                                                                \
        _ASSERT_EXPR((_Expr_val), _CRT_WIDE(#expr));                                                   \
        if (!_Expr_val) {                                                                              \
            errno = (errorcode);                                                                       \
            _invalid_parameter(_CRT_WIDE(#expr), nullptr, _CRT_WIDE(__FILE__), __LINE__, 0);          \
            return (retexpr);                                                                          \
        }                                                                                              \
    } while (0)

#define _VALIDATE_RETURN_VOID(expr, errorcode)                                                         \
    do {                                                                                               \
        int const _Expr_val = !!(expr);                                                                \
        _ASSERT_EXPR((_Expr_val), _CRT_WIDE(#expr));                                                   \
        if (!_Expr_val) {                                                                              \
            errno = (errorcode);                                                                       \
            _invalid_parameter(_CRT_WIDE(#expr), nullptr, _CRT_WIDE(__FILE__), __LINE__, 0);          \
            return;                                                                                    \
        }                                                                                              \
    } while (0)

// Checks that fail without a report, setting errno only.
#define _VALIDATE_RETURN_NOEXC(expr, errorcode, retexpr) \
    do {                                                 \
        if (!(expr)) {                                   \
            errno = (errorcode);                         \
            return (retexpr);                            \
        }                                                \
    } while (0)

#define FAST_FAIL_INVALID_ARG 5
#define FAST_FAIL_FATAL_APP_EXIT 7

#ifndef _DEBUG
// ucrtbase.dll, the release UCRT, is the same sources built without _DEBUG
// (guests/runtime/ucrtbase has the few parts that only it has). There is
// no debug heap: <crtdbg.h> turns the _dbg calls into the plain ones, and
// here they become the base allocator, as in Microsoft's release CRT, so
// malloc -> _malloc_base -> HeapAlloc (= ntdll!RtlAllocateHeap). Failed
// parameter checks call the invalid parameter handler without a report.
void* __cdecl _recalloc_base(void* block, size_t count, size_t size);
#undef _malloc_dbg
#undef _calloc_dbg
#undef _realloc_dbg
#undef _recalloc_dbg
#undef _free_dbg
#undef _msize_dbg
#undef _expand_dbg
#define __acrt_ignore_dbg_args(t, f, l) ((void)(t), (void)(f), (void)(l))
#define _malloc_dbg(s, t, f, l) (__acrt_ignore_dbg_args(t, f, l), _malloc_base(s))
#define _calloc_dbg(c, s, t, f, l) (__acrt_ignore_dbg_args(t, f, l), _calloc_base(c, s))
#define _realloc_dbg(p, s, t, f, l) (__acrt_ignore_dbg_args(t, f, l), _realloc_base(p, s))
#define _recalloc_dbg(p, c, s, t, f, l) (__acrt_ignore_dbg_args(t, f, l), _recalloc_base(p, c, s))
#define _free_dbg(p, t) ((void)(t), _free_base(p))
#define _msize_dbg(p, t) ((void)(t), _msize_base(p))
#define _expand_dbg(p, s, t, f, l) (__acrt_ignore_dbg_args(t, f, l), _expand_base(p, s))
#endif

#ifdef __cplusplus
}
#endif
