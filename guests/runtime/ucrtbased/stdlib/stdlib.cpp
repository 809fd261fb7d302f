// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// stdlib.cpp - abs and friends, rand/srand (the same sequence as the
// Microsoft C runtime: a linear congruential generator), qsort and bsearch.

#include "../internal/corecrt_internal.h"

extern "C" int __cdecl abs(int const value)
{
    return value < 0 ? -value : value;
}

extern "C" long __cdecl labs(long const value)
{
    return value < 0 ? -value : value;
}

extern "C" long long __cdecl llabs(long long const value)
{
    return value < 0 ? -value : value;
}

extern "C" long long __cdecl _abs64(long long const value)
{
    return value < 0 ? -value : value;
}

static unsigned int random_state = 1;

extern "C" void __cdecl srand(unsigned int const seed)
{
    random_state = seed;
}

extern "C" int __cdecl rand()
{
    random_state = random_state * 214013u + 2531011u;
    return static_cast<int>((random_state >> 16) & 0x7fff);
}

typedef int(__cdecl* compare_function)(void const*, void const*);

static void swap_bytes(unsigned char* const a, unsigned char* const b, size_t const size)
{
    for (size_t i = 0; i != size; ++i)
    {
        unsigned char const t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

// An insertion sort: the guests sort few elements, and the order of equal
// elements then stays as it was (which qsort does not promise).
extern "C" void __cdecl qsort(void* const base, size_t const count, size_t const size, compare_function const compare)
{
    _VALIDATE_RETURN_VOID(base != nullptr || count == 0, EINVAL);
    _VALIDATE_RETURN_VOID(size > 0, EINVAL);
    _VALIDATE_RETURN_VOID(compare != nullptr, EINVAL);

    unsigned char* const bytes = static_cast<unsigned char*>(base);
    for (size_t i = 1; i < count; ++i)
    {
        for (size_t j = i; j > 0 && compare(bytes + (j - 1) * size, bytes + j * size) > 0; --j)
        {
            swap_bytes(bytes + (j - 1) * size, bytes + j * size, size);
        }
    }
}

extern "C" void* __cdecl bsearch(void const* const key, void const* const base, size_t const count, size_t const size,
                                 compare_function const compare)
{
    _VALIDATE_RETURN(base != nullptr || count == 0, EINVAL, nullptr);
    _VALIDATE_RETURN(size > 0, EINVAL, nullptr);
    _VALIDATE_RETURN(compare != nullptr, EINVAL, nullptr);

    unsigned char const* const bytes = static_cast<unsigned char const*>(base);
    size_t low = 0;
    size_t high = count;
    while (low < high)
    {
        size_t const middle = low + (high - low) / 2;
        int const result = compare(key, bytes + middle * size);
        if (result == 0)
        {
            return const_cast<unsigned char*>(bytes + middle * size);
        }
        if (result < 0)
        {
            high = middle;
        }
        else
        {
            low = middle + 1;
        }
    }
    return nullptr;
}
