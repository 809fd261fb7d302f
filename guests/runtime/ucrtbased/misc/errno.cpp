// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// errno.cpp - errno and _doserrno. The UCRT keeps them per thread; crtlab
// runs one thread, so they are plain globals.

#include "../internal/corecrt_internal.h"

static int errno_value = 0;
static unsigned long doserrno_value = 0;

extern "C" int* __cdecl _errno()
{
    return &errno_value;
}

extern "C" unsigned long* __cdecl __doserrno()
{
    return &doserrno_value;
}

extern "C" errno_t __cdecl _get_errno(int* const value)
{
    _VALIDATE_RETURN(value != nullptr, EINVAL, EINVAL);
    *value = errno_value;
    return 0;
}

extern "C" errno_t __cdecl _set_errno(int const value)
{
    errno_value = value;
    return 0;
}

extern "C" errno_t __cdecl _get_doserrno(unsigned long* const value)
{
    _VALIDATE_RETURN(value != nullptr, EINVAL, EINVAL);
    *value = doserrno_value;
    return 0;
}

extern "C" errno_t __cdecl _set_doserrno(unsigned long const value)
{
    doserrno_value = value;
    return 0;
}

// The texts of strerror, indexed by errno value.
static char const* const error_texts[] = {
    "No error", "Operation not permitted", "No such file or directory", "No such process",
    "Interrupted function call", "Input/output error", "No such device or address", "Arg list too long",
    "Exec format error", "Bad file descriptor", "No child processes", "Resource temporarily unavailable",
    "Not enough space", "Permission denied", "Bad address", "Unknown error", "Resource device", "File exists",
    "Improper link", "No such device", "Not a directory", "Is a directory", "Invalid argument",
    "Too many open files in system", "Too many open files", "Inappropriate I/O control operation",
    "Unknown error", "File too large", "No space left on device", "Invalid seek", "Read-only file system",
    "Too many links", "Broken pipe", "Domain error", "Result too large", "Unknown error",
    "Resource deadlock avoided", "Unknown error", "Filename too long", "No locks available",
    "Function not implemented", "Directory not empty", "Illegal byte sequence",
};

extern "C" char* __cdecl strerror(int const error_number)
{
    size_t const count = sizeof(error_texts) / sizeof(error_texts[0]);
    if (error_number < 0 || static_cast<size_t>(error_number) >= count)
    {
        return const_cast<char*>("Unknown error");
    }
    return const_cast<char*>(error_texts[error_number]);
}
