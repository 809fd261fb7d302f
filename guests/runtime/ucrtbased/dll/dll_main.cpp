// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// dll_main.cpp - the entry point of ucrtbased.dll: initialization when the
// process loads it (before the program's entry point runs), and the end of
// the run when the process exits.
//
// At the end, with _CRTDBG_LEAK_CHECK_DF set, the debug CRT reports the
// blocks that were never freed: _CrtDumpMemoryLeaks, whose "Detected memory
// leaks!" dump goes to the debugger. This runs in DLL_PROCESS_DETACH, after
// the program's atexit functions and the destructors of its globals, and
// before the CRT frees its own blocks (the environment, argv, the stream
// table), which would otherwise show up as leaks with _CRTDBG_CHECK_CRT_DF.

#include "../internal/corecrt_internal.h"

extern "C" bool __cdecl __acrt_initialize_command_line();
extern "C" void __cdecl __acrt_initialize_clock();

extern "C" bool __cdecl __acrt_initialize()
{
    if (!__acrt_initialize_heap())
    {
        return false;
    }
    if (!__acrt_initialize_command_line())
    {
        return false;
    }
    if (!__acrt_initialize_stdio())
    {
        return false;
    }
    __acrt_initialize_clock();
    return true;
}

static void __cdecl report_memory_leaks()
{
    if (_CrtSetDbgFlag(_CRTDBG_REPORT_FLAG) & _CRTDBG_LEAK_CHECK_DF)
    {
        // The program's dump client may be gone by now; dump the raw bytes.
        _CrtSetDumpClient(nullptr);
        _CrtDumpMemoryLeaks();
    }
}

static void __cdecl uninitialize_allocated_memory()
{
    __acrt_uninitialize_environment();
    __acrt_uninitialize_command_line();
    __acrt_uninitialize_stdio();
}

extern "C" bool __cdecl __acrt_uninitialize(bool const terminating)
{
    (void)terminating;
    report_memory_leaks();
    uninitialize_allocated_memory();
    __acrt_uninitialize_heap();
    return true;
}

extern "C" BOOL WINAPI _DllMainCRTStartup(HMODULE const instance, DWORD const reason, void* const reserved)
{
    (void)instance;
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        return __acrt_initialize() ? TRUE : FALSE;
    case DLL_PROCESS_DETACH:
        // reserved is non-null when the whole process is ending.
        return __acrt_uninitialize(reserved != nullptr) ? TRUE : FALSE;
    default:
        return TRUE;
    }
}
