// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// runtime.cpp - the parts of VCRUNTIME140D.dll that a Debug program's
// startup and shutdown code calls, and the small pieces of C++ support that
// work without exceptions: std::exception's message copies, type_info
// hashing and comparison, pure virtual calls, the "current exception"
// slots (always empty here), and the wrappers the run-time checks use to
// reach KERNEL32.

#include "../internal.h"

//-----------------------------------------------------------------------------
// Exception state: crtlab dispatches no exceptions, so there is never a
// current one.
//-----------------------------------------------------------------------------

static void* current_exception = nullptr;
static void* current_exception_context = nullptr;
static int processing_throw = 0;

extern "C" void** __cdecl __current_exception()
{
    return &current_exception;
}

extern "C" void** __cdecl __current_exception_context()
{
    return &current_exception_context;
}

extern "C" int* __cdecl __processing_throw()
{
    return &processing_throw;
}

extern "C" bool __cdecl __uncaught_exception()
{
    return false;
}

extern "C" int __cdecl __uncaught_exceptions()
{
    return 0;
}

// std::terminate.
extern "C" void __cdecl __std_terminate()
{
    abort();
}

//-----------------------------------------------------------------------------
// std::exception
//-----------------------------------------------------------------------------

struct __std_exception_data
{
    char const* _What;
    bool _DoFree;
};

// Copies the message, into a CRT block of its own when the source owns
// its copy.
extern "C" void __cdecl __std_exception_copy(__std_exception_data const* const from, __std_exception_data* const to)
{
    if (!from->_DoFree || from->_What == nullptr)
    {
        to->_What = from->_What;
        to->_DoFree = false;
        return;
    }
    size_t const size = strlen(from->_What) + 1;
    char* const copy = static_cast<char*>(_malloc_dbg(size, _CRT_BLOCK, __FILE__, __LINE__));
    if (copy == nullptr)
    {
        to->_What = nullptr;
        to->_DoFree = false;
        return;
    }
    memcpy(copy, from->_What, size);
    to->_What = copy;
    to->_DoFree = true;
}

extern "C" void __cdecl __std_exception_destroy(__std_exception_data* const data)
{
    if (data->_DoFree)
    {
        _free_dbg(const_cast<char*>(data->_What), _CRT_BLOCK);
    }
    data->_What = nullptr;
    data->_DoFree = false;
}

//-----------------------------------------------------------------------------
// type_info
//-----------------------------------------------------------------------------

// The layout of type_info's data: the cached undecorated name, then the
// decorated name (".?AVfoo@@").
struct __std_type_info_data
{
    char const* _UndecoratedName;
    char const _DecoratedName[1];
};

extern "C" int __cdecl __std_type_info_compare(__std_type_info_data const* const left,
                                               __std_type_info_data const* const right)
{
    if (left == right)
    {
        return 0;
    }
    return strcmp(left->_DecoratedName + 1, right->_DecoratedName + 1);
}

// FNV-1a over the decorated name, as the Visual C++ runtime computes it.
extern "C" size_t __cdecl __std_type_info_hash(__std_type_info_data const* const data)
{
    unsigned long long hash = 14695981039346656037ull;
    for (char const* p = data->_DecoratedName + 1; *p != '\0'; ++p)
    {
        hash ^= static_cast<unsigned char>(*p);
        hash *= 1099511628211ull;
    }
    return static_cast<size_t>(hash);
}

// Frees the undecorated names that __std_type_info_name cached. crtlab's
// __std_type_info_name is not supported, so the list is always empty.
extern "C" void __cdecl __std_type_info_destroy_list(void* const root_node)
{
    (void)root_node;
}

//-----------------------------------------------------------------------------
// Pure virtual calls
//-----------------------------------------------------------------------------

typedef void(__cdecl* _purecall_handler)(void);
static _purecall_handler purecall_handler = nullptr;

extern "C" _purecall_handler __cdecl _set_purecall_handler(_purecall_handler const handler)
{
    _purecall_handler const old_handler = purecall_handler;
    purecall_handler = handler;
    return old_handler;
}

extern "C" _purecall_handler __cdecl _get_purecall_handler()
{
    return purecall_handler;
}

// A call of a pure virtual function (through the vtable of an object whose
// constructor or destructor is running): the handler, then abort().
extern "C" int __cdecl _purecall()
{
    if (purecall_handler != nullptr)
    {
        purecall_handler();
    }
    abort();
}

typedef void(__cdecl* unexpected_handler)(void);

extern "C" unexpected_handler __cdecl _get_unexpected()
{
    return nullptr;
}

//-----------------------------------------------------------------------------
// Startup support
//-----------------------------------------------------------------------------

// Visual Studio's telemetry hooks around main; they record nothing here.
extern "C" void __cdecl __telemetry_main_invoke_trigger(void* const instance)
{
    (void)instance;
}

extern "C" void __cdecl __telemetry_main_return_trigger(void* const instance)
{
    (void)instance;
}

// The KERNEL32 functions the run-time checks (/RTC) call, reached through
// the runtime so that programs need not import them.
extern "C" HMODULE __cdecl __vcrt_GetModuleHandleW(wchar_t const* const name)
{
    return GetModuleHandleW(name);
}

extern "C" DWORD __cdecl __vcrt_GetModuleFileNameW(HMODULE const module, wchar_t* const buffer, DWORD const size)
{
    return GetModuleFileNameW(module, buffer, size);
}

extern "C" HMODULE __cdecl __vcrt_LoadLibraryExW(wchar_t const* const name, HANDLE const file, DWORD const flags)
{
    return LoadLibraryExW(name, file, flags);
}

// A critical section needs no setup with one thread.
extern "C" BOOL __cdecl __vcrt_InitializeCriticalSectionEx(void* const critical_section, DWORD const spin_count,
                                                          DWORD const flags)
{
    (void)spin_count;
    (void)flags;
    memset(critical_section, 0, 40); // sizeof(CRITICAL_SECTION) on x64
    return TRUE;
}

//-----------------------------------------------------------------------------
// Reporting unsupported entry points
//-----------------------------------------------------------------------------

extern "C" void __cdecl __vcrt_unsupported(char const* const function_name)
{
    if (_CrtDbgReport(_CRT_ERROR, nullptr, 0, nullptr,
                      "crtlab: %s is not supported by crtlab's C runtime (VCRUNTIME140D.dll): "
                      "crtlab's runtime has no C++ exception handling.\n"
                      "The program cannot continue.\n",
                      function_name) == 1)
    {
        _CrtDbgBreak();
    }
    _exit(3);
}
