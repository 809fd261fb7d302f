// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// environment_initialization.cpp - the environment a program sees (envp,
// _environ, getenv), made from the process's environment block.
//
// As in the UCRT, each variable is a CRT block of its own, and so is the
// array of pointers; variables whose name starts with '=' (the per-drive
// current directories, "=C:=C:\crtlab") are left out. The narrow copy of the
// block that the variables are made from is a CRT block too, freed again at
// once. That is why a Debug program's first own allocation has a request
// number well above 1.

#include "../internal/corecrt_internal.h"

extern "C" {
char** _environ_table = nullptr;
wchar_t** _wenviron_table = nullptr;
}

static char** initial_narrow_environment = nullptr;
static wchar_t** initial_wide_environment = nullptr;

template <typename Ch>
static size_t length_of(Ch const* const s)
{
    size_t n = 0;
    while (s[n] != 0)
    {
        ++n;
    }
    return n;
}

// Builds the array of variables (each a CRT block) from a block of
// NUL-terminated strings that ends with an empty one.
template <typename Ch>
static Ch** create_environment(Ch const* const block)
{
    size_t count = 0;
    for (Ch const* it = block; *it != 0; it += length_of(it) + 1)
    {
        if (*it != '=')
        {
            ++count;
        }
    }

    Ch** const environment = static_cast<Ch**>(_calloc_crt(count + 1, sizeof(Ch*)));
    if (environment == nullptr)
    {
        return nullptr;
    }

    Ch** out = environment;
    for (Ch const* it = block; *it != 0; it += length_of(it) + 1)
    {
        size_t const length = length_of(it);
        if (*it == '=')
        {
            continue;
        }
        Ch* const variable = static_cast<Ch*>(_calloc_crt(length + 1, sizeof(Ch)));
        if (variable == nullptr)
        {
            for (Ch** p = environment; *p != nullptr; ++p)
            {
                _free_crt(*p);
            }
            _free_crt(environment);
            return nullptr;
        }
        memcpy(variable, it, (length + 1) * sizeof(Ch));
        *out++ = variable;
    }
    *out = nullptr;
    return environment;
}

template <typename Ch>
static void free_environment(Ch** const environment)
{
    if (environment == nullptr)
    {
        return;
    }
    for (Ch** p = environment; *p != nullptr; ++p)
    {
        _free_crt(*p);
    }
    _free_crt(environment);
}

// The process's environment block, narrowed (the "C" locale: Latin-1) into
// a CRT block.
static char* get_narrow_environment_from_os()
{
    wchar_t* const os_environment = GetEnvironmentStringsW();
    if (os_environment == nullptr)
    {
        return nullptr;
    }
    size_t length = 0;
    while (os_environment[length] != 0 || os_environment[length + 1] != 0)
    {
        ++length;
    }
    length += 2;

    char* const narrow = static_cast<char*>(_malloc_crt(length));
    if (narrow != nullptr)
    {
        for (size_t i = 0; i != length; ++i)
        {
            narrow[i] = os_environment[i] < 0x100 ? static_cast<char>(os_environment[i]) : '?';
        }
    }
    FreeEnvironmentStringsW(os_environment);
    return narrow;
}

extern "C" int __cdecl _initialize_narrow_environment()
{
    if (_environ_table != nullptr)
    {
        return 0;
    }
    char* const os_environment = get_narrow_environment_from_os();
    if (os_environment == nullptr)
    {
        return -1;
    }
    char** const environment = create_environment(os_environment);
    _free_crt(os_environment);
    if (environment == nullptr)
    {
        return -1;
    }
    initial_narrow_environment = environment;
    _environ_table = environment;
    return 0;
}

extern "C" int __cdecl _initialize_wide_environment()
{
    if (_wenviron_table != nullptr)
    {
        return 0;
    }
    wchar_t* const os_environment = GetEnvironmentStringsW();
    if (os_environment == nullptr)
    {
        return -1;
    }
    wchar_t** const environment = create_environment(os_environment);
    FreeEnvironmentStringsW(os_environment);
    if (environment == nullptr)
    {
        return -1;
    }
    initial_wide_environment = environment;
    _wenviron_table = environment;
    return 0;
}

extern "C" char** __cdecl _get_initial_narrow_environment()
{
    return initial_narrow_environment;
}

extern "C" wchar_t** __cdecl _get_initial_wide_environment()
{
    return initial_wide_environment;
}

extern "C" char*** __cdecl __p__environ()
{
    return &_environ_table;
}

extern "C" wchar_t*** __cdecl __p__wenviron()
{
    return &_wenviron_table;
}

extern "C" void __cdecl __acrt_uninitialize_environment()
{
    free_environment(_environ_table);
    _environ_table = nullptr;
    initial_narrow_environment = nullptr;
    free_environment(_wenviron_table);
    _wenviron_table = nullptr;
    initial_wide_environment = nullptr;
}

// The value of a variable (names compare without regard to case), or null.
extern "C" char* __cdecl getenv(char const* const name)
{
    _VALIDATE_RETURN(name != nullptr, EINVAL, nullptr);
    if (_environ_table == nullptr)
    {
        return nullptr;
    }
    size_t const name_length = strlen(name);
    for (char** p = _environ_table; *p != nullptr; ++p)
    {
        char const* const variable = *p;
        bool match = true;
        for (size_t i = 0; i != name_length; ++i)
        {
            char a = variable[i];
            char b = name[i];
            if (a >= 'a' && a <= 'z')
                a = static_cast<char>(a - 32);
            if (b >= 'a' && b <= 'z')
                b = static_cast<char>(b - 32);
            if (a != b || a == '\0')
            {
                match = false;
                break;
            }
        }
        if (match && variable[name_length] == '=')
        {
            return const_cast<char*>(variable + name_length + 1);
        }
    }
    return nullptr;
}
