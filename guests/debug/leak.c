/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright (C) 2026 The crtlab authors.
 *
 * leak.c - a C program that forgets to free three blocks, with
 * _CRTDBG_MAP_ALLOC so that each leak is reported with its file and line,
 * and _CRTDBG_LEAK_CHECK_DF so that the CRT reports them when the program
 * exits:
 *     Detected memory leaks!
 *     Dumping objects ->
 *     C:\crtlab\guests\debug\leak.c(NN) : {N} normal block at 0x..., 32 bytes long.
 *      Data: <Hello, leak     > 48 65 6C 6C 6F 2C 20 6C 65 61 6B 00 CD CD CD CD
 *     ...
 *     Object dump complete.
 * The dump lists the newest block first. The blocks the CRT allocated for
 * itself before main (_CRT_BLOCKs: the environment, argv, the stream table)
 * are not leaks and are not listed.
 */

#define _CRTDBG_MAP_ALLOC
#include <stdlib.h>
#include <crtdbg.h>
#include <stdio.h>
#include <string.h>

static char* make_greeting(void)
{
    char* const greeting = (char*)malloc(32);
    strcpy_s(greeting, 32, "Hello, leak");
    return greeting;
}

int main(void)
{
    _CrtSetDbgFlag(_CrtSetDbgFlag(_CRTDBG_REPORT_FLAG) | _CRTDBG_LEAK_CHECK_DF);

    char* const greeting = make_greeting();
    int* const counters = (int*)calloc(4, sizeof(int));
    char* const copy = _strdup("a copy");
    char* const freed = (char*)malloc(100);

    printf("leak: %s, %d, %s\n", greeting, counters[0], copy);
    free(freed);
    printf("leak: returning from main without freeing three blocks\n");
    return 0;
}
