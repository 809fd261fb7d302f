// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// guest_io.h - output helpers for crtlab's test guests.
//
// crtlab's runtime has no stdio; the test guests write to the standard output
// handle with WriteFile, which the emulator captures.

#pragma once

#include <stddef.h>
#include <windows.h>

static inline void print(char const* text)
{
    DWORD written = 0;
    DWORD length = 0;
    while (text[length] != '\0')
    {
        ++length;
    }
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, length, &written, NULL);
}

// Prints value as 0x followed by 16 hexadecimal digits.
static inline void print_hex(unsigned long long value)
{
    char buffer[19];
    buffer[0] = '0';
    buffer[1] = 'x';
    for (int i = 0; i != 16; ++i)
    {
        buffer[2 + i] = "0123456789abcdef"[(value >> (60 - 4 * i)) & 0xf];
    }
    buffer[18] = '\0';
    print(buffer);
}
