// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// int3.c - two breakpoint instructions compiled into the program, with
// output before, between and after them. Each __debugbreak() must stop the
// debugger with a break instruction exception (80000003) after the output
// before it has been written; `g` continues after the int 3.

#include "guest_io.h"

int main(void)
{
    print("int3: before the first break\n");
    __debugbreak();
    print("int3: between the breaks\n");
    __debugbreak();
    print("int3: after the second break\n");
    return 0;
}
