// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// check_always.cpp - _CRTDBG_CHECK_ALWAYS_DF and _CRTDBG_CHECK_CRT_DF.
//
// With _CRTDBG_CHECK_ALWAYS_DF, every allocation and free first checks the
// whole debug heap (_CrtCheckMemory), so an overrun is caught at the next
// heap call, not only when the damaged block is freed: the check reports
// the damage with _CRT_WARN and its _ASSERTE fails in
// validate_heap_if_required_nolock. With _CRTDBG_CHECK_CRT_DF, the CRT's
// own blocks count in leak dumps: the exit-time dump lists the
// environment, argv and the stream table as "crt block"s.

#include <crtdbg.h>
#include <stdio.h>
#include <stdlib.h>

int main()
{
    _CrtSetDbgFlag(_CRTDBG_ALLOC_MEM_DF | _CRTDBG_CHECK_ALWAYS_DF | _CRTDBG_CHECK_CRT_DF | _CRTDBG_LEAK_CHECK_DF);

    unsigned char* const block = static_cast<unsigned char*>(malloc(10));
    printf("check_always: 10 bytes at %p\n", static_cast<void*>(block));
    block[10] = 0;
    printf("check_always: overran the block by one byte; allocating again\n");

    void* const other = malloc(20);
    printf("check_always: the allocation returned %p\n", other);

    // No more checks on every call; the damaged block is left alone (and
    // leaked), so that the exit-time dump is the only report left. It
    // includes the CRT's own blocks.
    _CrtSetDbgFlag(_CRTDBG_ALLOC_MEM_DF | _CRTDBG_CHECK_CRT_DF | _CRTDBG_LEAK_CHECK_DF);
    free(other);
    printf("check_always: exiting\n");
    return 0;
}
