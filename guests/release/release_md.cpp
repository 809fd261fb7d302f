// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// release_md.cpp - a Release program that uses the DLL runtime, the
// equivalent of
//     cl /MD /O2 /EHsc /nologo /std:c++17 /W4 release_md.cpp
// It imports the UCRT the way a Visual Studio 2019/2022 build does, through
// the api sets (api-ms-win-crt-runtime-l1-1-0.dll, -heap-, -stdio-,
// -string-, ...), which crtlab binds to its ucrtbase.dll, and the compiler
// support library from VCRUNTIME140.dll. The startup code is crtlab's
// msvcrt library (guests/runtime/msvcrtd built without _DEBUG).
//
// It does what typical code does: printf, malloc/free, new/delete, a C++
// global with a constructor and destructor, atexit, strings and
// conversions. Every line it prints is checked by tests/win32_surface.rs.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

struct Greeter
{
    Greeter()
    {
        printf("release_md: global constructor ran before main\n");
    }
    ~Greeter()
    {
        printf("release_md: global destructor ran after the atexit functions\n");
    }
};

static Greeter greeter;

static void at_exit_first()
{
    printf("release_md: atexit function registered first runs last\n");
}

static void at_exit_second()
{
    printf("release_md: atexit function registered second runs first\n");
}

struct Node
{
    int value;
    Node* next;
};

__declspec(noinline) void* alloc_malloc(size_t size)
{
    return malloc(size);
}

__declspec(noinline) Node* alloc_new(int value, Node* next)
{
    return new Node{value, next};
}

int main(int argc, char** argv)
{
    printf("release_md: main(argc=%d, argv[0]=%s)\n", argc, argv[0]);
    atexit(at_exit_first);
    atexit(at_exit_second);

    // malloc -> ucrtbase!_malloc_base -> HeapAlloc (ntdll!RtlAllocateHeap)
    // on the process heap, with no debug header: r8 is the size asked for.
    char* text = static_cast<char*>(alloc_malloc(32));
    strcpy_s(text, 32, "Hello, ");
    strcat_s(text, 32, "release");
    printf("release_md: malloc(32) -> \"%s\" (%zu characters), on the process heap: %s\n", text, strlen(text),
           HeapSize(GetProcessHeap(), 0, text) == 32 ? "yes" : "no");
    free(text);

    Node* list = nullptr;
    for (int i = 1; i <= 3; ++i)
    {
        list = alloc_new(i * 10, list);
    }
    int sum = 0;
    while (list != nullptr)
    {
        Node* next = list->next;
        sum += list->value;
        delete list;
        list = next;
    }
    printf("release_md: new/delete of 3 nodes, sum %d\n", sum);

    char number[32];
    _itoa_s(-12345, number, sizeof(number), 10);
    printf("release_md: atoi(\"%s\") = %d, strtoul(\"ff\", 16) = %lu, strcmp = %d\n", number, atoi(number),
           strtoul("ff", nullptr, 16), strcmp("release", "release"));
    printf("release_md: %5.2f%% %-6s| %08x %c\n", 99.5, "done", 0xc0ffee, 'Z');
    return 0;
}
