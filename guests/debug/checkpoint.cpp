// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// checkpoint.cpp - heap state snapshots: _CrtMemCheckpoint,
// _CrtMemDifference, _CrtMemDumpStatistics and _CrtMemDumpAllObjectsSince.
//
// A snapshot (_CrtMemState) counts the blocks of each type and their bytes.
// The difference of two says what a piece of code allocated and did not
// free: here, process_records leaks one of the three records it allocates.

#define _CRTDBG_MAP_ALLOC
#include <stdlib.h>
#include <crtdbg.h>
#include <stdio.h>

struct record
{
    int id;
    char name[28];
};

static record* kept = nullptr;

static void process_records()
{
    for (int i = 0; i != 3; ++i)
    {
        record* const r = static_cast<record*>(malloc(sizeof(record)));
        r->id = 100 + i;
        r->name[0] = '\0';
        if (i == 1)
        {
            kept = r; // meant to be freed later, and forgotten
        }
        else
        {
            free(r);
        }
    }
}

int main()
{
    _CrtMemState before;
    _CrtMemState after;
    _CrtMemState difference;

    _CrtMemCheckpoint(&before);
    process_records();
    _CrtMemCheckpoint(&after);

    if (_CrtMemDifference(&difference, &before, &after))
    {
        printf("checkpoint: process_records changed the heap\n");
        _CrtMemDumpStatistics(&difference);
        _CrtMemDumpAllObjectsSince(&before);
    }

    printf("checkpoint: statistics of the whole heap\n");
    _CrtMemDumpStatistics(&after);

    free(kept);
    _CrtMemCheckpoint(&after);
    printf("checkpoint: after freeing the record: %s\n",
           _CrtMemDifference(&difference, &before, &after) ? "different" : "the same as before");
    return 0;
}
