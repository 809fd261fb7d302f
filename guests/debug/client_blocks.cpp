// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// client_blocks.cpp - _CLIENT_BLOCKs, with subtypes and a dump hook.
//
// A program can tag its own allocations as client blocks, optionally with
// a subtype in the high 16 bits (_CLIENT_BLOCK | subtype << 16), either with
// _malloc_dbg or with the debug operator new that <crtdbg.h> declares:
//     new (_CLIENT_BLOCK, __FILE__, __LINE__) T
// (the article's DEBUG_CLIENTBLOCK macro). A hook installed with
// _CrtSetDumpClient then prints client blocks in the dumps in place of the
// raw bytes, and _CrtDoForAllClientObjects visits every client block.

#include <crtdbg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _DEBUG
#define DEBUG_CLIENTBLOCK new (_CLIENT_BLOCK, __FILE__, __LINE__)
#else
#define DEBUG_CLIENTBLOCK new
#endif
#define new DEBUG_CLIENTBLOCK

#define MYSUBTYPE 4

struct point
{
    int x;
    int y;
};

// The dump hook: called for each client block in a dump, with its address
// and size. It prints through _RPTN, as the CRT's own dump lines do.
static void __cdecl dump_client(void* const block, size_t const size)
{
    int const use = _CrtReportBlockType(block);
    if (_BLOCK_SUBTYPE(use) == MYSUBTYPE)
    {
        _RPTN(_CRT_WARN, "   a name: \"%s\" (%zu bytes)\n", static_cast<char const*>(block), size);
    }
    else
    {
        point const* const p = static_cast<point const*>(block);
        _RPTN(_CRT_WARN, "   a point: (%d, %d)\n", p->x, p->y);
    }
}

static void __cdecl count_client(void* const block, void* const context)
{
    (void)block;
    ++*static_cast<int*>(context);
}

int main()
{
    _CrtMemState before;
    _CrtMemCheckpoint(&before);

    point* const origin = new point{0, 0};
    point* const corner = new point{640, 480};
    char* const name = static_cast<char*>(_malloc_dbg(16, _CLIENT_BLOCK | (MYSUBTYPE << 16), __FILE__, __LINE__));
    strcpy_s(name, 16, "crtlab");
    void* const plain = malloc(8);

    int const use = _CrtReportBlockType(name);
    printf("client_blocks: name is type %d, subtype %d\n", _BLOCK_TYPE(use), _BLOCK_SUBTYPE(use));
    printf("client_blocks: plain is type %d\n", _BLOCK_TYPE(_CrtReportBlockType(plain)));

    int clients = 0;
    _CrtDoForAllClientObjects(count_client, &clients);
    printf("client_blocks: %d client blocks\n", clients);

    printf("client_blocks: dump without a hook\n");
    _CrtMemDumpAllObjectsSince(&before);

    _CrtSetDumpClient(dump_client);
    printf("client_blocks: dump with the hook\n");
    _CrtMemDumpAllObjectsSince(&before);

    delete origin;
    delete corner;
    _free_dbg(name, _CLIENT_BLOCK | (MYSUBTYPE << 16));
    free(plain);
    return 0;
}
