// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// stdio.h - the part of <stdio.h> that crtlab's DLL runtime (ucrtbased.dll)
// provides: the three standard streams and formatted and unformatted output
// and input on them.
//
// As in the UCRT, printf, sprintf and their relatives are inline functions
// of this header: each one calls one of the __stdio_common_* entry points of
// the DLL with an options word, so a program that calls printf imports
// __stdio_common_vfprintf and __acrt_iob_func, and a debugger shows a
// `printf` frame inside the program itself.
//
// Files other than stdin, stdout and stderr cannot be opened in crtlab: the
// guest has no file system.

#pragma once

#include <corecrt.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _FILE_DEFINED
#define _FILE_DEFINED
typedef struct _iobuf {
    void* _Placeholder;
} FILE;
#endif

#define EOF (-1)
#define BUFSIZ 512
#define _IOFBF 0x0000
#define _IOLBF 0x0040
#define _IONBF 0x0004

_ACRTIMP FILE* __cdecl __acrt_iob_func(unsigned index);

#define stdin (__acrt_iob_func(0))
#define stdout (__acrt_iob_func(1))
#define stderr (__acrt_iob_func(2))

// Bits of the options word of the __stdio_common_* functions.
#define _CRT_INTERNAL_PRINTF_LEGACY_VSPRINTF_NULL_TERMINATION (1ULL << 0)
#define _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR (1ULL << 1)
#define _CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS (1ULL << 2)
#define _CRT_INTERNAL_PRINTF_LEGACY_MSVCRT_COMPATIBILITY (1ULL << 3)
#define _CRT_INTERNAL_PRINTF_LEGACY_THREE_DIGIT_EXPONENTS (1ULL << 4)

_ACRTIMP int __cdecl __stdio_common_vfprintf(unsigned long long options, FILE* stream, char const* format,
                                             _locale_t locale, va_list arguments);
_ACRTIMP int __cdecl __stdio_common_vfwprintf(unsigned long long options, FILE* stream, wchar_t const* format,
                                              _locale_t locale, va_list arguments);
_ACRTIMP int __cdecl __stdio_common_vsprintf(unsigned long long options, char* buffer, size_t buffer_count,
                                             char const* format, _locale_t locale, va_list arguments);
_ACRTIMP int __cdecl __stdio_common_vsprintf_s(unsigned long long options, char* buffer, size_t buffer_count,
                                               char const* format, _locale_t locale, va_list arguments);
_ACRTIMP int __cdecl __stdio_common_vsnprintf_s(unsigned long long options, char* buffer, size_t buffer_count,
                                                size_t max_count, char const* format, _locale_t locale,
                                                va_list arguments);
_ACRTIMP int __cdecl __stdio_common_vswprintf(unsigned long long options, wchar_t* buffer, size_t buffer_count,
                                              wchar_t const* format, _locale_t locale, va_list arguments);

_ACRTIMP int __cdecl fputc(int character, FILE* stream);
_ACRTIMP int __cdecl putc(int character, FILE* stream);
_ACRTIMP int __cdecl putchar(int character);
_ACRTIMP int __cdecl fputs(char const* string, FILE* stream);
_ACRTIMP int __cdecl puts(char const* string);
_ACRTIMP size_t __cdecl fwrite(void const* buffer, size_t element_size, size_t element_count, FILE* stream);
_ACRTIMP int __cdecl fflush(FILE* stream);
_ACRTIMP int __cdecl fgetc(FILE* stream);
_ACRTIMP int __cdecl getc(FILE* stream);
_ACRTIMP int __cdecl getchar(void);
_ACRTIMP char* __cdecl fgets(char* buffer, int max_count, FILE* stream);
_ACRTIMP int __cdecl _fileno(FILE* stream);
_ACRTIMP int __cdecl setvbuf(FILE* stream, char* buffer, int mode, size_t size);
_ACRTIMP int __cdecl _flushall(void);

// The options every printf call passes: MSVC's default (the legacy meaning
// of %s and %c in the wide functions).
#ifdef __cplusplus
#define _CRT_STDIO_INLINE inline
#else
#define _CRT_STDIO_INLINE static __inline
#endif

_CRT_STDIO_INLINE unsigned long long* __CRTDECL __local_stdio_printf_options(void)
{
    static unsigned long long options = _CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS;
    return &options;
}
#define _CRT_INTERNAL_LOCAL_PRINTF_OPTIONS (*__local_stdio_printf_options())

_CRT_STDIO_INLINE int __CRTDECL vfprintf(FILE* stream, char const* format, va_list arguments)
{
    return __stdio_common_vfprintf(_CRT_INTERNAL_LOCAL_PRINTF_OPTIONS, stream, format, NULL, arguments);
}

_CRT_STDIO_INLINE int __CRTDECL vprintf(char const* format, va_list arguments)
{
    return vfprintf(stdout, format, arguments);
}

_CRT_STDIO_INLINE int __CRTDECL fprintf(FILE* stream, char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vfprintf(stream, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

_CRT_STDIO_INLINE int __CRTDECL printf(char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vfprintf(stdout, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

_CRT_STDIO_INLINE int __CRTDECL vsnprintf(char* buffer, size_t buffer_count, char const* format, va_list arguments)
{
    int const result = __stdio_common_vsprintf(
        _CRT_INTERNAL_LOCAL_PRINTF_OPTIONS | _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR, buffer, buffer_count,
        format, NULL, arguments);
    return result < 0 ? -1 : result;
}

_CRT_STDIO_INLINE int __CRTDECL snprintf(char* buffer, size_t buffer_count, char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vsnprintf(buffer, buffer_count, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

// _snprintf: -1 when the output does not fit (then the buffer is not
// terminated).
_CRT_STDIO_INLINE int __CRTDECL _vsnprintf(char* buffer, size_t buffer_count, char const* format, va_list arguments)
{
    int const result = __stdio_common_vsprintf(
        _CRT_INTERNAL_LOCAL_PRINTF_OPTIONS | _CRT_INTERNAL_PRINTF_LEGACY_VSPRINTF_NULL_TERMINATION, buffer,
        buffer_count, format, NULL, arguments);
    return result < 0 ? -1 : result;
}

_CRT_STDIO_INLINE int __CRTDECL _snprintf(char* buffer, size_t buffer_count, char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = _vsnprintf(buffer, buffer_count, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

_CRT_STDIO_INLINE int __CRTDECL vsprintf_s(char* buffer, size_t buffer_count, char const* format, va_list arguments)
{
    int const result = __stdio_common_vsprintf_s(_CRT_INTERNAL_LOCAL_PRINTF_OPTIONS, buffer, buffer_count, format,
                                                  NULL, arguments);
    return result < 0 ? -1 : result;
}

_CRT_STDIO_INLINE int __CRTDECL sprintf_s(char* buffer, size_t buffer_count, char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vsprintf_s(buffer, buffer_count, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

_CRT_STDIO_INLINE int __CRTDECL vsprintf(char* buffer, char const* format, va_list arguments)
{
    int const result = __stdio_common_vsprintf(
        _CRT_INTERNAL_LOCAL_PRINTF_OPTIONS | _CRT_INTERNAL_PRINTF_LEGACY_VSPRINTF_NULL_TERMINATION, buffer,
        (size_t)-1, format, NULL, arguments);
    return result < 0 ? -1 : result;
}

_CRT_STDIO_INLINE int __CRTDECL sprintf(char* buffer, char const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vsprintf(buffer, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

_CRT_STDIO_INLINE int __CRTDECL vfwprintf(FILE* stream, wchar_t const* format, va_list arguments)
{
    return __stdio_common_vfwprintf(_CRT_INTERNAL_LOCAL_PRINTF_OPTIONS, stream, format, NULL, arguments);
}

_CRT_STDIO_INLINE int __CRTDECL wprintf(wchar_t const* format, ...)
{
    va_list arguments;
    __builtin_va_start(arguments, format);
    int const result = vfwprintf(stdout, format, arguments);
    __builtin_va_end(arguments);
    return result;
}

#ifdef __cplusplus
}
#endif
