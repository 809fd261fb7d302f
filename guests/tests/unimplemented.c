// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unimplemented.c - calls KERNEL32!Beep, which crtlab does not implement.
// Loading the image must still work; the call itself must stop the session
// with an event that names Beep and its caller, call_beep. The guest is
// linked with /debug, so unimplemented.pdb gives call_beep its name.

#include "guest_io.h"

// Beep is not in crtlab's windows.h, precisely because crtlab lacks it.
__declspec(dllimport) BOOL WINAPI Beep(DWORD dwFreq, DWORD dwDuration);

void call_beep(void)
{
    Beep(750, 300);
}

int main(void)
{
    print("unimplemented: calling Beep\n");
    call_beep();
    print("unimplemented: Beep returned\n");
    return 0;
}
