// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exe_common.inl - the startup code of crtlab's Debug (/MDd) programs,
// linked into the program from crtlab's msvcrtd library.
//
// A Debug program starts like this:
//
//   KERNEL32!BaseThreadInitThunk calls
//   mainCRTStartup (exe_main.cpp), which calls
//   __scrt_common_main, which sets up the /GS cookie and calls
//   __scrt_common_main_seh, which initializes the CRT, runs the C and C++
//     initializers (the first ones are below: they configure ucrtbased.dll
//     for this program: console application, argv, environment), and calls
//   invoke_main, which calls main and returns its result to
//   __scrt_common_main_seh, which passes it to exit() in ucrtbased.dll.
//
// Unlike the /MT runtime (guests/runtime/vcstartup), this code is built
// without optimization, as msvcrtd.lib's is, so every function above keeps
// a frame of its own, and a stack in main shows the same rows and source
// lines as a program built by Visual Studio 2019 or 2022:
//
//   invoke_main+0x..            [...\exe_common.inl @ 79]
//   __scrt_common_main_seh+0x.. [...\exe_common.inl @ 288]
//   __scrt_common_main+0x..     [...\exe_common.inl @ 331]
//   mainCRTStartup+0x..         [...\exe_main.cpp @ 17]
//
// Keep those four calls on those lines when editing (the runs of empty
// comment lines are there to put them there).

#include "vcstartup_internal.h"

// main may be declared with fewer parameters: on x64 extra arguments are
// harmless. (main is never name-mangled.)
extern "C" int __cdecl main(int argc, char** argv, char** envp);

enum class __scrt_native_startup_state
{
    uninitialized,
    initializing,
    initialized
};

static __scrt_native_startup_state __scrt_current_native_startup_state = __scrt_native_startup_state::uninitialized;

// A program may define _matherr to handle math errors; crtlab's msvcrtd has
// no hook to tell whether it did, so it never hands one to the CRT.
static bool __cdecl __scrt_is_user_matherr_present()
{
    return false;
}

// The destructor callback of thread_local variables, if the program has
// any: set by the compiler through the TLS directory on Windows. crtlab's
// guests have none.
static _tls_callback_type __scrt_dyn_tls_dtor_callback = nullptr;

//-----------------------------------------------------------------------------
// Calling main
//-----------------------------------------------------------------------------

// Calls main with the argument count, the argument vector and the initial
// environment, all of them kept by ucrtbased.dll (this program reaches them
// through __p___argc, __p___argv and _get_initial_narrow_environment).
//
//
//
//
//
//
//
//
//
//
//
//
static int __cdecl invoke_main()
{
    return main(__argc, __argv, _get_initial_narrow_environment());
}

//-----------------------------------------------------------------------------
// The first initializers
//-----------------------------------------------------------------------------

// Runs first among the C initializers (.CRT$XIAA sorts right after the
// __xi_a marker): tells ucrtbased.dll what kind of program this is and has
// it parse the command line and copy the environment. The environment
// copy and argv are the program's first blocks on the debug heap: CRT
// blocks, which is why main's first malloc does not get request number 1.
static int __cdecl pre_c_initialization()
{
    _set_app_type(_crt_console_app);
    _set_fmode(_O_TEXT);
    *__p__commode() = 0;

    if (!__scrt_initialize_onexit_tables(__scrt_module_type_exe))
    {
        __scrt_fastfail(FAST_FAIL_FATAL_APP_EXIT);
    }

    if (_configure_narrow_argv(_crt_argv_unexpanded_arguments) != 0)
    {
        __scrt_fastfail(FAST_FAIL_FATAL_APP_EXIT);
    }

    if (__scrt_is_user_matherr_present())
    {
        __setusermatherr(nullptr);
    }

    _configthreadlocale(0);
    _initialize_narrow_environment();
    return 0;
}

// Runs first among the C++ initializers: malloc does not call the new
// handler unless the program asks for it with _set_new_mode(1).
static void __cdecl pre_cpp_initialization()
{
    _set_new_mode(0);
}

#pragma section(".CRT$XIAA", long, read)
#pragma section(".CRT$XCAA", long, read)

__declspec(allocate(".CRT$XIAA")) __attribute__((used)) static _PIFV pre_c_initializer = pre_c_initialization;
__declspec(allocate(".CRT$XCAA")) __attribute__((used)) static _PVFV pre_cpp_initializer = pre_cpp_initialization;

//-----------------------------------------------------------------------------
// The common main
//-----------------------------------------------------------------------------

// Initializes the CRT, runs the initializers, calls main and exits with its
// result. The body runs under __try: an exception that nothing else handles
// would reach _seh_filter_exe (in ucrtbased.dll), which turns the ones it
// knows into signals. crtlab dispatches exceptions as Windows does, after the
// debugger's first chance; this filter declines the ones it does not know. The
// __try is why a Debug program imports VCRUNTIME140D!__C_specific_handler.
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
//
static __declspec(noinline) int __cdecl __scrt_common_main_seh()
{
    if (!__scrt_initialize_crt(__scrt_module_type_exe))
    {
        __scrt_fastfail(FAST_FAIL_FATAL_APP_EXIT);
    }

    bool has_cctor = false;
    __try
    {
        if (__scrt_current_native_startup_state == __scrt_native_startup_state::initializing)
        {
            __scrt_fastfail(FAST_FAIL_FATAL_APP_EXIT);
        }
        else if (__scrt_current_native_startup_state == __scrt_native_startup_state::uninitialized)
        {
            __scrt_current_native_startup_state = __scrt_native_startup_state::initializing;

            if (_initterm_e(__xi_a, __xi_z) != 0)
            {
                return 255;
            }
            _initterm(__xc_a, __xc_z);

            __scrt_current_native_startup_state = __scrt_native_startup_state::initialized;
        }
        else
        {
            has_cctor = true;
        }

        // Destructors of thread_local variables run at exit, before the
        // atexit functions.
        if (__scrt_dyn_tls_dtor_callback != nullptr)
        {
            _register_thread_local_exe_atexit_callback(__scrt_dyn_tls_dtor_callback);
        }

        // Initialization is complete: call main.
        int const main_result = invoke_main();

        // A native program exits here: exit() runs the atexit functions and
        // ends the process.
        if (!__scrt_is_managed_app())
        {
            exit(main_result);
        }

        if (!has_cctor)
        {
            _cexit();
        }
        __scrt_uninitialize_crt(true, false);
        return main_result;
    }
    __except (_seh_filter_exe(_exception_code(), static_cast<struct _EXCEPTION_POINTERS*>(_exception_info())))
    {
        int const main_result = static_cast<int>(_exception_code());
        if (!__scrt_is_managed_app())
        {
            _exit(main_result);
        }
        if (!has_cctor)
        {
            _c_exit();
        }
        return main_result;
    }
}

// The /GS cookie must be set up before any function that checks it runs,
// so this comes first of all; then the common main.
//
//
//
//
//
//
//
static int __cdecl __scrt_common_main()
{
    __security_init_cookie();
    return __scrt_common_main_seh();
}
