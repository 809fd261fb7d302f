// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// memory.cpp - the memory and string search functions that VCRUNTIME140D.dll
// exports: memset, memcpy, memmove, memcmp, memchr, strchr, strrchr, strstr,
// wcschr, wcsrchr, wcsstr. Plain loops, easy to step through; the DLL is
// built with -ffreestanding, so the compiler does not turn them back into
// calls to themselves.

#include "../internal.h"

extern "C" void* __cdecl memset(void* const destination, int const value, size_t const count)
{
    unsigned char* const d = static_cast<unsigned char*>(destination);
    for (size_t i = 0; i != count; ++i)
    {
        d[i] = static_cast<unsigned char>(value);
    }
    return destination;
}

extern "C" void* __cdecl memcpy(void* const destination, void const* const source, size_t const count)
{
    unsigned char* const d = static_cast<unsigned char*>(destination);
    unsigned char const* const s = static_cast<unsigned char const*>(source);
    for (size_t i = 0; i != count; ++i)
    {
        d[i] = s[i];
    }
    return destination;
}

extern "C" void* __cdecl memmove(void* const destination, void const* const source, size_t const count)
{
    unsigned char* const d = static_cast<unsigned char*>(destination);
    unsigned char const* const s = static_cast<unsigned char const*>(source);
    if (d < s)
    {
        for (size_t i = 0; i != count; ++i)
        {
            d[i] = s[i];
        }
    }
    else
    {
        for (size_t i = count; i != 0; --i)
        {
            d[i - 1] = s[i - 1];
        }
    }
    return destination;
}

extern "C" int __cdecl memcmp(void const* const left, void const* const right, size_t const count)
{
    unsigned char const* const l = static_cast<unsigned char const*>(left);
    unsigned char const* const r = static_cast<unsigned char const*>(right);
    for (size_t i = 0; i != count; ++i)
    {
        if (l[i] != r[i])
        {
            return l[i] < r[i] ? -1 : 1;
        }
    }
    return 0;
}

extern "C" void* __cdecl memchr(void const* const buffer, int const value, size_t const count)
{
    unsigned char const* const b = static_cast<unsigned char const*>(buffer);
    for (size_t i = 0; i != count; ++i)
    {
        if (b[i] == static_cast<unsigned char>(value))
        {
            return const_cast<unsigned char*>(b + i);
        }
    }
    return nullptr;
}

template <typename Ch>
static Ch* find_first(Ch const* s, Ch const c)
{
    for (;; ++s)
    {
        if (*s == c)
        {
            return const_cast<Ch*>(s);
        }
        if (*s == 0)
        {
            return nullptr;
        }
    }
}

template <typename Ch>
static Ch* find_last(Ch const* s, Ch const c)
{
    Ch const* found = nullptr;
    for (;; ++s)
    {
        if (*s == c)
        {
            found = s;
        }
        if (*s == 0)
        {
            return const_cast<Ch*>(found);
        }
    }
}

template <typename Ch>
static Ch* find_substring(Ch const* const s, Ch const* const sub)
{
    if (*sub == 0)
    {
        return const_cast<Ch*>(s);
    }
    for (Ch const* p = s; *p != 0; ++p)
    {
        size_t i = 0;
        while (sub[i] != 0 && p[i] == sub[i])
        {
            ++i;
        }
        if (sub[i] == 0)
        {
            return const_cast<Ch*>(p);
        }
    }
    return nullptr;
}

extern "C" char* __cdecl strchr(char const* const string, int const character)
{
    return find_first(string, static_cast<char>(character));
}

extern "C" char* __cdecl strrchr(char const* const string, int const character)
{
    return find_last(string, static_cast<char>(character));
}

extern "C" char* __cdecl strstr(char const* const string, char const* const substring)
{
    return find_substring(string, substring);
}

extern "C" wchar_t* __cdecl wcschr(wchar_t const* const string, wchar_t const character)
{
    return find_first(string, character);
}

extern "C" wchar_t* __cdecl wcsrchr(wchar_t const* const string, wchar_t const character)
{
    return find_last(string, character);
}

extern "C" wchar_t* __cdecl wcsstr(wchar_t const* const string, wchar_t const* const substring)
{
    return find_substring(string, substring);
}
