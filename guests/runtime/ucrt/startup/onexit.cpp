// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// onexit.cpp - the table of functions that exit() runs.
//
// atexit (vcstartup/atexit.cpp) appends to __acrt_atexit_table; exit() runs
// the table backwards. The table starts in static storage and moves to the
// CRT heap only if a program registers more than its initial capacity.

#include <malloc.h>
#include <string.h>
#include "../../internal/crtlab_internal.h"

static _PVFV initial_atexit_functions[32];

extern "C" _onexit_table_t __acrt_atexit_table = {
    initial_atexit_functions,
    initial_atexit_functions,
    initial_atexit_functions + sizeof(initial_atexit_functions) / sizeof(initial_atexit_functions[0]),
};

// Appends function to table. Returns 0 on success and -1 if the table is
// full and cannot grow.
extern "C" int __cdecl _register_onexit_function(_onexit_table_t* const table, _PVFV const function)
{
    if (table->_last == table->_end)
    {
        size_t const count = static_cast<size_t>(table->_last - table->_first);
        size_t const new_count = count * 2;
        _PVFV* const new_first = static_cast<_PVFV*>(_malloc_base(new_count * sizeof(_PVFV)));
        if (new_first == nullptr)
        {
            return -1;
        }
        memcpy(new_first, table->_first, count * sizeof(_PVFV));
        if (table->_first != initial_atexit_functions)
        {
            _free_base(table->_first);
        }
        table->_first = new_first;
        table->_last = new_first + count;
        table->_end = new_first + new_count;
    }
    *table->_last++ = function;
    return 0;
}

// Calls the functions in table, last registered first, and empties it. A
// function may register further functions while the table runs; they are
// called too.
extern "C" int __cdecl _execute_onexit_table(_onexit_table_t* const table)
{
    while (table->_last != table->_first)
    {
        _PVFV const function = *--table->_last;
        if (function != nullptr)
        {
            function();
        }
    }
    return 0;
}
