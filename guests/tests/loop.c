// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// loop.c - a tight loop of 100 million iterations for crtlab's speed
// benchmarks. Each iteration updates a checksum that depends on the previous
// one, so the loop cannot be skipped. The program always prints
//     loop: checksum 0xaff13612b819f080
// and exits with 0. Built like the other guests without optimization, an
// iteration is ten instructions, so the whole run is about a billion guest
// instructions.

#include "guest_io.h"

int main(void)
{
    unsigned long long checksum = 0;
    for (unsigned int i = 0; i != 100000000u; ++i)
    {
        checksum = checksum * 31 + i;
    }
    print("loop: checksum ");
    print_hex(checksum);
    print("\n");
    return 0;
}
