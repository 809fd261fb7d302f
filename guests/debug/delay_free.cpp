// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// delay_free.cpp - writing to memory after freeing it, caught because freed
// blocks are kept.
//
// With _CRTDBG_DELAY_FREE_MEM_DF, free() does not give a block back to the
// Windows heap: it fills it with 0xDD and keeps it in the debug heap's list
// as a _FREE_BLOCK. _CrtCheckMemory checks that the fill is intact, so a
// write through a dangling pointer shows up as
//     HEAP CORRUPTION DETECTED: on top of Free block at 0x...
//     CRT detected that the application wrote to a heap buffer that was freed.
// _CrtCheckMemory reports with _CRT_WARN (debugger output only) and returns
// FALSE; the program's _ASSERTE then fails ("Debug Assertion Failed!").

#include <crtdbg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main()
{
    _CrtSetDbgFlag(_CrtSetDbgFlag(_CRTDBG_REPORT_FLAG) | _CRTDBG_DELAY_FREE_MEM_DF);

    char* const message = static_cast<char*>(malloc(24));
    strcpy_s(message, 24, "still in use?");
    printf("delay_free: 24 bytes at %p: %s\n", static_cast<void*>(message), message);
    free(message);

    printf("delay_free: heap check after free: %s\n", _CrtCheckMemory() ? "ok" : "damaged");

    // A dangling pointer: the block is freed, but the pointer is still used.
    message[0] = 'S';
    printf("delay_free: wrote to the freed block\n");

    _ASSERTE(_CrtCheckMemory());
    printf("delay_free: done\n");
    return 0;
}
