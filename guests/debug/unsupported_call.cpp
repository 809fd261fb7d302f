// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unsupported_call.cpp - a Debug program calls a CRT function that crtlab's
// runtime does not implement: fopen (the guest has no file system).
//
// The program loads (ucrtbased.dll exports fopen), and the call reports
// itself as a "Debug Error!" naming the function, breaks into the debugger
// (Retry), and ends the program with exit code 3 when continued.

#include <stdio.h>

extern "C" __declspec(dllimport) FILE* __cdecl fopen(char const* file_name, char const* mode);

int main()
{
    printf("unsupported_call: opening a file\n");
    FILE* const file = fopen("notes.txt", "r");
    printf("unsupported_call: fopen returned %p\n", static_cast<void*>(file));
    return 0;
}
