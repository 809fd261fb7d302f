// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// argv_parsing.cpp - the command line, and __argc/__argv parsed from it.
//
// The rules are those of the Microsoft C runtime:
//  * The program name (argv[0]) ends at the first space or tab, or, if it
//    starts with a double quote, at the next double quote.
//  * Arguments are separated by spaces and tabs outside double quotes.
//  * 2n backslashes followed by a double quote give n backslashes, and the
//    quote opens or closes a quoted part; 2n+1 backslashes followed by a
//    double quote give n backslashes and a literal double quote. Other
//    backslashes are literal.
//  * Inside a quoted part, two double quotes in a row give one literal
//    double quote.
// As in the UCRT, argv lives in one CRT heap block: the pointer array
// followed by the strings.

#include "../internal/corecrt_internal.h"

extern "C" {
int __argc = 0;
char** __argv = nullptr;
wchar_t** __wargv = nullptr;
char* _acmdln = nullptr;
wchar_t* _wcmdln = nullptr;
char* _pgmptr = nullptr;
wchar_t* _wpgmptr = nullptr;
}

static char program_name[MAX_PATH + 1];
static wchar_t wide_program_name[MAX_PATH + 1];

// Called when the DLL is loaded.
extern "C" bool __cdecl __acrt_initialize_command_line()
{
    _acmdln = GetCommandLineA();
    _wcmdln = GetCommandLineW();
    return true;
}

extern "C" void __cdecl __acrt_uninitialize_command_line()
{
    _free_crt(__argv);
    __argv = nullptr;
    _free_crt(__wargv);
    __wargv = nullptr;
}

template <typename Ch>
static bool is_blank(Ch const c)
{
    return c == ' ' || c == '\t';
}

// With argv and args null, only counts: *argument_count arguments and
// *character_count characters, terminators included. Otherwise also stores
// the pointers (and a null one) in argv and the strings in args.
template <typename Ch>
static void parse_command_line(Ch const* p, Ch** argv, Ch* args, size_t* const argument_count,
                               size_t* const character_count)
{
    *argument_count = 0;
    *character_count = 0;

    // The program name.
    if (argv != nullptr)
    {
        *argv++ = args;
    }
    ++*argument_count;
    bool in_quotes = false;
    for (; *p != 0; ++p)
    {
        if (*p == '"')
        {
            in_quotes = !in_quotes;
            continue;
        }
        if (!in_quotes && is_blank(*p))
        {
            break;
        }
        if (args != nullptr)
        {
            *args++ = *p;
        }
        ++*character_count;
    }
    if (args != nullptr)
    {
        *args++ = 0;
    }
    ++*character_count;

    // The arguments.
    in_quotes = false;
    for (;;)
    {
        while (is_blank(*p))
        {
            ++p;
        }
        if (*p == 0)
        {
            break;
        }
        if (argv != nullptr)
        {
            *argv++ = args;
        }
        ++*argument_count;
        for (;;)
        {
            bool copy_char = true;
            size_t backslash_count = 0;
            while (*p == '\\')
            {
                ++p;
                ++backslash_count;
            }
            if (*p == '"')
            {
                if (backslash_count % 2 == 0)
                {
                    if (in_quotes && p[1] == '"')
                    {
                        ++p;
                    }
                    else
                    {
                        copy_char = false;
                        in_quotes = !in_quotes;
                    }
                }
                backslash_count /= 2;
            }
            for (; backslash_count != 0; --backslash_count)
            {
                if (args != nullptr)
                {
                    *args++ = '\\';
                }
                ++*character_count;
            }
            if (*p == 0 || (!in_quotes && is_blank(*p)))
            {
                break;
            }
            if (copy_char)
            {
                if (args != nullptr)
                {
                    *args++ = *p;
                }
                ++*character_count;
            }
            ++p;
        }
        if (args != nullptr)
        {
            *args++ = 0;
        }
        ++*character_count;
    }
    if (argv != nullptr)
    {
        *argv = nullptr;
    }
}

// _crt_argv_mode: 0 = no arguments, 1 = as typed, 2 = with wildcards
// expanded (crtlab has no files to expand them against, so as typed).
template <typename Ch>
static int configure_argv(int const mode, Ch const* const command_line, Ch const* const fallback, Ch*** const out)
{
    if (mode == 0)
    {
        return 0;
    }
    _VALIDATE_RETURN(mode == 1 || mode == 2, EINVAL, EINVAL);

    Ch const* const p = command_line == nullptr || command_line[0] == 0 ? fallback : command_line;

    size_t argument_count = 0;
    size_t character_count = 0;
    parse_command_line<Ch>(p, nullptr, nullptr, &argument_count, &character_count);

    size_t const pointer_bytes = (argument_count + 1) * sizeof(Ch*);
    Ch** const argv = static_cast<Ch**>(_calloc_crt(pointer_bytes + character_count * sizeof(Ch), 1));
    if (argv == nullptr)
    {
        errno = ENOMEM;
        return ENOMEM;
    }
    parse_command_line<Ch>(p, argv, reinterpret_cast<Ch*>(reinterpret_cast<char*>(argv) + pointer_bytes),
                           &argument_count, &character_count);
    __argc = static_cast<int>(argument_count);
    *out = argv;
    return 0;
}

extern "C" errno_t __cdecl _configure_narrow_argv(int const mode)
{
    GetModuleFileNameA(nullptr, program_name, MAX_PATH);
    _pgmptr = program_name;
    return configure_argv<char>(mode, _acmdln, program_name, &__argv);
}

extern "C" errno_t __cdecl _configure_wide_argv(int const mode)
{
    GetModuleFileNameW(nullptr, wide_program_name, MAX_PATH);
    _wpgmptr = wide_program_name;
    return configure_argv<wchar_t>(mode, _wcmdln, wide_program_name, &__wargv);
}

extern "C" int* __cdecl __p___argc()
{
    return &__argc;
}

extern "C" char*** __cdecl __p___argv()
{
    return &__argv;
}

extern "C" wchar_t*** __cdecl __p___wargv()
{
    return &__wargv;
}

extern "C" char** __cdecl __p__acmdln()
{
    return &_acmdln;
}

extern "C" wchar_t** __cdecl __p__wcmdln()
{
    return &_wcmdln;
}

extern "C" char** __cdecl __p__pgmptr()
{
    return &_pgmptr;
}

extern "C" wchar_t** __cdecl __p__wpgmptr()
{
    return &_wpgmptr;
}

extern "C" errno_t __cdecl _get_pgmptr(char** const result)
{
    _VALIDATE_RETURN(result != nullptr, EINVAL, EINVAL);
    *result = _pgmptr;
    return 0;
}

extern "C" errno_t __cdecl _get_wpgmptr(wchar_t** const result)
{
    _VALIDATE_RETURN(result != nullptr, EINVAL, EINVAL);
    *result = _wpgmptr;
    return 0;
}
