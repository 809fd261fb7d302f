// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// argv_parsing.cpp - __argc and __argv, parsed from GetCommandLineA().
//
// The rules are those of the Microsoft C runtime:
//  * The program name (argv[0]) ends at the first space or tab, or, if it
//    starts with a double quote, at the next double quote. Backslashes in it
//    are taken literally.
//  * Arguments are separated by spaces and tabs outside double quotes.
//  * 2n backslashes followed by a double quote give n backslashes, and the
//    quote opens or closes a quoted part; 2n+1 backslashes followed by a
//    double quote give n backslashes and a literal double quote. Backslashes
//    not followed by a double quote are literal.
//  * Inside a quoted part, two double quotes in a row give one literal
//    double quote.
// As in the UCRT, argv lives in one heap block: the pointer array followed
// by the argument strings.

#include <malloc.h>
#include "../../internal/crtlab_internal.h"

extern "C" int __argc = 0;
extern "C" char** __argv = nullptr;

static bool is_blank(char const c)
{
    return c == ' ' || c == '\t';
}

// Parses command_line. With argv and args null, only counts: on return
// *argument_count is the number of arguments and *character_count the bytes
// needed for the strings, terminators included. Otherwise also stores the
// argument pointers in argv (followed by a null entry) and the strings in
// args.
static void parse_command_line(char const* p, char** argv, char* args, size_t* const argument_count,
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
    for (; *p != '\0'; ++p)
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
        *args++ = '\0';
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
        if (*p == '\0')
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
                        ++p; // "" inside quotes: a literal double quote
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
            if (*p == '\0' || (!in_quotes && is_blank(*p)))
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
            *args++ = '\0';
        }
        ++*character_count;
    }
    if (argv != nullptr)
    {
        *argv = nullptr;
    }
}

// Parses the command line into __argc and __argv. Returns 0 on success or
// ENOMEM if the argv block cannot be allocated.
extern "C" int __cdecl _configure_narrow_argv()
{
    char const* const command_line = GetCommandLineA();
    char const* const p = command_line != nullptr ? command_line : "";

    size_t argument_count = 0;
    size_t character_count = 0;
    parse_command_line(p, nullptr, nullptr, &argument_count, &character_count);

    size_t const pointer_bytes = (argument_count + 1) * sizeof(char*);
    char** const argv = static_cast<char**>(_malloc_base(pointer_bytes + character_count));
    if (argv == nullptr)
    {
        return 12; // ENOMEM
    }
    parse_command_line(p, argv, reinterpret_cast<char*>(argv) + pointer_bytes, &argument_count, &character_count);

    __argc = static_cast<int>(argument_count);
    __argv = argv;
    return 0;
}
