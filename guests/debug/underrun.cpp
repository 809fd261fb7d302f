// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// underrun.cpp - a Debug program writes one byte before the start of a
// block: into the 4 guard bytes (0xFD) at the end of the block's
// _CrtMemBlockHeader. free() reports
//     HEAP CORRUPTION DETECTED: before Normal block (#N) at 0x...
//     CRT detected that the application wrote to memory before start of heap buffer.
// The block was allocated with _CRTDBG_MAP_ALLOC in effect, so the report
// also says where:
//     Memory allocated at C:\crtlab\guests\debug\underrun.cpp(20).

#define _CRTDBG_MAP_ALLOC
#include <stdlib.h>
#include <crtdbg.h>
#include <stdio.h>

int main()
{
    int* const numbers = static_cast<int*>(malloc(4 * sizeof(int)));
    printf("underrun: 16 bytes at %p\n", static_cast<void*>(numbers));

    // An off-by-one loop that counts down one element too far.
    for (int i = 3; i >= -1; --i)
    {
        reinterpret_cast<char*>(numbers + i)[3] = static_cast<char>(i);
    }
    printf("underrun: wrote numbers[-1]; freeing the block\n");

    free(numbers);
    printf("underrun: free returned\n");
    return 0;
}
