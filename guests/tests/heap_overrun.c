// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// heap_overrun.c - a heap buffer overrun that the NT heap detects.
//
// Two 8-byte blocks are allocated from the process heap; on a fresh heap the
// second one directly follows the first (each takes 0x20 bytes: a 16-byte
// _HEAP_ENTRY header and 16 bytes of data). The program then writes 32 bytes
// of 0x41 past the end of the first block: over the 8 unused bytes of its
// data, the whole header of the second block and the first 8 bytes of the
// second block's data. Then it frees both blocks. The NT heap must notice
// the damaged header and raise heap corruption (c0000374), as on Windows.

#include "guest_io.h"

int main(void)
{
    HANDLE const heap = GetProcessHeap();
    char* const first = (char*)HeapAlloc(heap, 0, 8);
    char* const second = (char*)HeapAlloc(heap, 0, 8);
    print("heap_overrun: first block  ");
    print_hex((unsigned long long)first);
    print("\nheap_overrun: second block ");
    print_hex((unsigned long long)second);
    print("\n");

    print("heap_overrun: writing 32 bytes past the end of the first block\n");
    volatile char* const past_end = first + 8;
    for (int i = 0; i != 32; ++i)
    {
        past_end[i] = 0x41;
    }

    print("heap_overrun: freeing the first block\n");
    HeapFree(heap, 0, first);
    print("heap_overrun: freeing the second block\n");
    HeapFree(heap, 0, second);
    print("heap_overrun: no corruption was detected\n");
    return 0;
}
