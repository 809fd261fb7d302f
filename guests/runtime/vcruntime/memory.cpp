// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// memory.cpp - memset, memcpy, memmove and memcmp.
//
// The compiler emits calls to these on its own (for large copies and
// zeroing), so every guest needs them even if it never calls them. They are
// plain byte loops: guests are small, and simple code is easy to step through.
// The runtime is built with -ffreestanding, which keeps the optimizer from
// turning these loops back into calls to themselves.

#include <string.h>

extern "C" void* __cdecl memset(void* const destination, int const value, size_t const count)
{
    unsigned char* d = static_cast<unsigned char*>(destination);
    for (size_t i = 0; i != count; ++i)
    {
        d[i] = static_cast<unsigned char>(value);
    }
    return destination;
}

extern "C" void* __cdecl memcpy(void* const destination, void const* const source, size_t const count)
{
    unsigned char* d = static_cast<unsigned char*>(destination);
    unsigned char const* s = static_cast<unsigned char const*>(source);
    for (size_t i = 0; i != count; ++i)
    {
        d[i] = s[i];
    }
    return destination;
}

extern "C" void* __cdecl memmove(void* const destination, void const* const source, size_t const count)
{
    unsigned char* d = static_cast<unsigned char*>(destination);
    unsigned char const* s = static_cast<unsigned char const*>(source);
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
    unsigned char const* l = static_cast<unsigned char const*>(left);
    unsigned char const* r = static_cast<unsigned char const*>(right);
    for (size_t i = 0; i != count; ++i)
    {
        if (l[i] != r[i])
        {
            return l[i] < r[i] ? -1 : 1;
        }
    }
    return 0;
}
