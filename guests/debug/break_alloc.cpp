// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// break_alloc.cpp - break into the debugger just before a given allocation.
//
// Every debug heap allocation has a request number, {N} in the dumps. Once a
// dump has told you which allocation leaked, _CrtSetBreakAlloc(N) (or, from
// the debugger, `ed ucrtbased!_crtBreakAlloc 0nN`) stops the program right
// before that allocation: a breakpoint exception inside the debug heap, and
// `k` shows who is allocating. This program finds out the number of its
// first block with _CrtIsMemoryBlock and asks to break two allocations
// later, at the third of five blocks that make_list allocates.

#include <crtdbg.h>
#include <stdio.h>
#include <stdlib.h>

struct node
{
    node* next;
    int value;
};

static node* make_list(int const count)
{
    node* head = nullptr;
    for (int i = 0; i != count; ++i)
    {
        node* const n = new node;
        n->next = head;
        n->value = i;
        head = n;
    }
    return head;
}

int main()
{
    void* const first = malloc(16);
    long request = 0;
    if (!_CrtIsMemoryBlock(first, 16, &request, nullptr, nullptr))
    {
        printf("break_alloc: not a debug heap block?\n");
        return 1;
    }
    printf("break_alloc: the first block is allocation {%ld}\n", request);

    long const target = request + 3;
    long const previous = _CrtSetBreakAlloc(target);
    printf("break_alloc: _CrtSetBreakAlloc(%ld) (was %ld)\n", target, previous);

    node* list = make_list(5);
    printf("break_alloc: the list is complete\n");

    while (list != nullptr)
    {
        node* const next = list->next;
        delete list;
        list = next;
    }
    free(first);
    return 0;
}
