// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exit.cpp - how a process ends: exit, _exit, quick_exit, _cexit, _c_exit,
// abort and terminate, and the tables of functions that run at exit.
//
// A program built against the DLL runtime registers its atexit functions
// (and the destructors of its C++ globals) here with _crt_atexit. exit()
// runs them, last registered first, and calls ExitProcess. ExitProcess then
// notifies the DLLs (DLL_PROCESS_DETACH); ucrtbased's notification dumps
// the memory leaks if _CRTDBG_LEAK_CHECK_DF is set (dll/dll_main.cpp).

#include "../internal/corecrt_internal.h"

typedef void(__cdecl* _PVFV)(void);
typedef int(__cdecl* _PIFV)(void);
typedef void(__stdcall* _tls_callback_type)(void*, unsigned long, void*);

struct _onexit_table_t
{
    _PVFV* _first;
    _PVFV* _last;
    _PVFV* _end;
};

extern "C" {

_onexit_table_t __acrt_atexit_table = {nullptr, nullptr, nullptr};
_onexit_table_t __acrt_at_quick_exit_table = {nullptr, nullptr, nullptr};
bool __acrt_exit_in_progress = false;

// Makes table empty (and its storage unallocated).
int __cdecl _initialize_onexit_table(_onexit_table_t* const table)
{
    if (table == nullptr)
    {
        return -1;
    }
    if (table->_first != table->_end)
    {
        return 0; // already initialized
    }
    table->_first = nullptr;
    table->_last = nullptr;
    table->_end = nullptr;
    return 0;
}

// Appends function. The storage is a CRT block: 32 entries at first, then
// doubled (by at most 512 entries at a time).
int __cdecl _register_onexit_function(_onexit_table_t* const table, _PVFV const function)
{
    if (table == nullptr)
    {
        return -1;
    }
    if (table->_last == table->_end)
    {
        size_t const count = static_cast<size_t>(table->_end - table->_first);
        size_t const growth = count == 0 ? 32 : (count > 512 ? 512 : count);
        _PVFV* const new_first =
            static_cast<_PVFV*>(_recalloc_dbg(table->_first, count + growth, sizeof(_PVFV), _CRT_BLOCK, __FILE__,
                                              __LINE__));
        if (new_first == nullptr)
        {
            return -1;
        }
        table->_last = new_first + (table->_last - table->_first);
        table->_first = new_first;
        table->_end = new_first + count + growth;
    }
    *table->_last++ = function;
    return 0;
}

// Calls the functions, last registered first, then frees the table. A
// function may register more functions while this runs; they run too.
int __cdecl _execute_onexit_table(_onexit_table_t* const table)
{
    if (table == nullptr)
    {
        return -1;
    }
    _PVFV* first = table->_first;
    _PVFV* last = table->_last;
    if (first == nullptr || last == nullptr)
    {
        return 0;
    }
    for (;;)
    {
        while (--last >= first && *last == nullptr)
        {
        }
        if (last < first)
        {
            break;
        }
        _PVFV const function = *last;
        *last = nullptr;
        function();
        if (table->_first != first || table->_last != last + 1)
        {
            // The table was reallocated or grew: start again from its end.
            first = table->_first;
            last = table->_last;
        }
    }
    _free_crt(table->_first);
    table->_first = nullptr;
    table->_last = nullptr;
    table->_end = nullptr;
    return 0;
}

int __cdecl _crt_atexit(_PVFV const function)
{
    return _register_onexit_function(&__acrt_atexit_table, function);
}

int __cdecl _crt_at_quick_exit(_PVFV const function)
{
    return _register_onexit_function(&__acrt_at_quick_exit_table, function);
}

} // extern "C"

// The destructors of thread_local variables of the program, called at exit.
static _tls_callback_type thread_local_exit_callback = nullptr;

extern "C" void __cdecl _register_thread_local_exe_atexit_callback(_tls_callback_type const callback)
{
    if (thread_local_exit_callback != nullptr)
    {
        // It may be set only once.
        __fastfail(FAST_FAIL_INVALID_ARG);
    }
    thread_local_exit_callback = callback;
}

enum class cleanup_kind
{
    full,  // atexit functions and terminators
    quick, // at_quick_exit functions
    none,
};

// Runs the functions that the kind of exit asks for (once, even if an
// atexit function calls exit again).
static void __cdecl run_exit_functions(cleanup_kind const cleanup)
{
    if (__acrt_exit_in_progress)
    {
        return;
    }
    __acrt_exit_in_progress = true;
    if (cleanup == cleanup_kind::full && thread_local_exit_callback != nullptr)
    {
        thread_local_exit_callback(nullptr, DLL_PROCESS_DETACH, nullptr);
    }
    if (cleanup == cleanup_kind::full)
    {
        _execute_onexit_table(&__acrt_atexit_table);
    }
    else if (cleanup == cleanup_kind::quick)
    {
        _execute_onexit_table(&__acrt_at_quick_exit_table);
    }
}

extern "C" void __cdecl exit(int const return_code)
{
    run_exit_functions(cleanup_kind::full);
    ExitProcess(static_cast<unsigned int>(return_code));
}

extern "C" void __cdecl _exit(int const return_code)
{
    __acrt_exit_in_progress = true;
    ExitProcess(static_cast<unsigned int>(return_code));
}

extern "C" void __cdecl _Exit(int const return_code)
{
    _exit(return_code);
}

extern "C" void __cdecl quick_exit(int const return_code)
{
    run_exit_functions(cleanup_kind::quick);
    ExitProcess(static_cast<unsigned int>(return_code));
}

// The cleanup of exit(), returning to the caller.
extern "C" void __cdecl _cexit()
{
    run_exit_functions(cleanup_kind::full);
}

// The cleanup of _exit() (none), returning to the caller.
extern "C" void __cdecl _c_exit()
{
    __acrt_exit_in_progress = true;
}

//-----------------------------------------------------------------------------
// abort and terminate
//-----------------------------------------------------------------------------

#define _WRITE_ABORT_MSG 0x1
#define _CALL_REPORTFAULT 0x2

static unsigned int abort_behavior = _WRITE_ABORT_MSG | _CALL_REPORTFAULT;

extern "C" unsigned int __cdecl _set_abort_behavior(unsigned int const flags, unsigned int const mask)
{
    unsigned int const old_behavior = abort_behavior;
    abort_behavior = (old_behavior & ~mask) | (flags & mask);
    return old_behavior;
}

typedef void(__cdecl* signal_handler)(int);
extern "C" signal_handler __cdecl __acrt_get_sigabrt_handler();
extern "C" int __cdecl raise(int);

// The debug CRT reports "abort() has been called" (a "Debug Error!" box),
// raises SIGABRT if the program handles it, and then fails fast, which a
// debugger sees as exception c0000409, or exits with code 3.
extern "C" void __cdecl abort()
{
    if (abort_behavior & _WRITE_ABORT_MSG)
    {
        __acrt_report_runtime_error(L"abort() has been called");
    }
    if (__acrt_get_sigabrt_handler() != nullptr)
    {
        raise(22); // SIGABRT
    }
    if ((abort_behavior & _CALL_REPORTFAULT) && IsProcessorFeaturePresent(PF_FASTFAIL_AVAILABLE))
    {
        __fastfail(FAST_FAIL_FATAL_APP_EXIT);
    }
    _exit(3);
}

typedef void(__cdecl* terminate_handler)(void);
static terminate_handler current_terminate_handler = nullptr;

extern "C" terminate_handler __cdecl set_terminate(terminate_handler const handler)
{
    terminate_handler const old_handler = current_terminate_handler;
    current_terminate_handler = handler;
    return old_handler;
}

extern "C" terminate_handler __cdecl _get_terminate()
{
    return current_terminate_handler;
}

// std::terminate: the terminate handler, then abort().
extern "C" void __cdecl terminate()
{
    if (current_terminate_handler != nullptr)
    {
        current_terminate_handler();
    }
    abort();
}
