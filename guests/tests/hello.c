// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// hello.c - the smallest useful guest: it writes one line to stdout and
// returns 3 from main, so the process exit code is 3. Tests use it to check
// the loader, the startup code, console capture and the exit code.

#include <windows.h>

int main(void)
{
    static char const message[] = "Hello from the guest\n";
    DWORD written = 0;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), message, sizeof(message) - 1, &written, NULL);
    return 3;
}
