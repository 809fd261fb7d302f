// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// strdup.cpp - _strdup and _wcsdup, and their _dbg forms that record the
// block type, file and line.

#include "../internal/corecrt_internal.h"

extern "C" char* __cdecl _strdup_dbg(char const* const string, int const block_use, char const* const file_name,
                                     int const line_number)
{
    if (string == nullptr)
    {
        return nullptr;
    }
    size_t const size = strlen(string) + 1;
    char* const copy = static_cast<char*>(_malloc_dbg(size, block_use, file_name, line_number));
    if (copy != nullptr)
    {
        memcpy(copy, string, size);
    }
    return copy;
}

extern "C" char* __cdecl _strdup(char const* const string)
{
    return _strdup_dbg(string, _NORMAL_BLOCK, nullptr, 0);
}

extern "C" wchar_t* __cdecl _wcsdup_dbg(wchar_t const* const string, int const block_use,
                                        char const* const file_name, int const line_number)
{
    if (string == nullptr)
    {
        return nullptr;
    }
    size_t const size = (wcslen(string) + 1) * sizeof(wchar_t);
    wchar_t* const copy = static_cast<wchar_t*>(_malloc_dbg(size, block_use, file_name, line_number));
    if (copy != nullptr)
    {
        memcpy(copy, string, size);
    }
    return copy;
}

extern "C" wchar_t* __cdecl _wcsdup(wchar_t const* const string)
{
    return _wcsdup_dbg(string, _NORMAL_BLOCK, nullptr, 0);
}
