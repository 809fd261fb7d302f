// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// fault_av.c - writes a byte through a bad pointer. The debugger must report
// an access violation (c0000005) on the write to address 0x10 and give the
// prompt back.

#include "guest_io.h"

int main(void)
{
    print("fault_av: writing to address 0x10\n");
    *(volatile char*)0x10 = 0x31;
    print("fault_av: the write did not fault\n");
    return 0;
}
