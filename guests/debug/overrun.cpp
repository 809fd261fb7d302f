// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// overrun.cpp - a Debug program writes one byte past the end of a block.
//
// The debug heap puts 4 bytes of 0xFD after every block ("no man's land").
// free() checks them: here the first one is 'X', so free reports
//     HEAP CORRUPTION DETECTED: after Normal block (#N) at 0x...
//     CRT detected that the application wrote to memory after end of heap buffer.
// as a _CRT_ERROR ("Debug Error!" box; in crtlab the box's text goes to the
// debugger and the answer is Retry, a break in free_dbg_nolock). Continuing
// (Ignore) frees the block anyway.

#include <crtdbg.h>
#include <stdio.h>
#include <stdlib.h>

int main()
{
    char* const buffer = static_cast<char*>(malloc(8));
    printf("overrun: 8 bytes at %p\n", static_cast<void*>(buffer));

    // Eight characters fit; the ninth goes into the guard after the block.
    for (int i = 0; i <= 8; ++i)
    {
        buffer[i] = 'X';
    }
    printf("overrun: wrote 9 bytes; freeing the block\n");

    free(buffer);
    printf("overrun: free returned\n");
    return 0;
}
