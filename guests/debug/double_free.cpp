// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// double_free.cpp - a Debug program frees a block twice.
//
// The first free fills the whole block (header included) with 0xDD and gives
// it back to the Windows heap. The second free finds that the header is no
// longer a busy block of the process heap (HeapValidate says no) and fails
// the debug heap's best-known assertion:
//     Debug Assertion Failed!
//     File: ...\debug_heap.cpp
//     Line: 904
//     Expression: _CrtIsValidHeapPointer(block)
// Going on past it (Ignore) is undefined: the next checks read the 0xDD
// header as if it were valid.

#include <stdio.h>
#include <stdlib.h>

int main()
{
    char* const name = static_cast<char*>(malloc(16));
    printf("double_free: 16 bytes at %p\n", static_cast<void*>(name));
    free(name);
    printf("double_free: freed once; freeing again\n");
    free(name);
    printf("double_free: freed twice\n");
    return 0;
}
