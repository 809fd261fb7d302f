// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// exe_common.inl - the startup code of crtlab's executables.
//
// Part of crtlab's static runtime. MSVC's CRT shares a file of this name
// between its four executable entry points (main, wmain, WinMain, wWinMain);
// crtlab's guests are console programs with main, so exe_main.cpp is the only
// file that includes it. A program starts like a /MT program does:
//
//   KERNEL32!BaseThreadInitThunk calls
//   mainCRTStartup, which initializes the /GS cookie and jumps to
//   __scrt_common_main_seh, which initializes the CRT, runs the C and C++
//     initializers, calls main through
//   invoke_main (inlined), and passes main's result to
//   exit, which runs the atexit functions and calls ExitProcess.
//
// MSVC wraps the body of __scrt_common_main_seh in __try/__except, hence the
// name. crtlab's runtime has no structured exception handling: an exception
// that main does not handle is reported by the debugger instead.
//
// The stack traces of crtlab's lessons go through this file. The call of main
// must stay on line 78, the call of invoke_main on line 288, and the frame of
// __scrt_common_main_seh at 0x38 bytes; guests/README.md explains why.

#include <stdlib.h>
#include "../internal/crtlab_internal.h"

// The program's main. It may be declared with fewer parameters: on x64 the
// caller owns the argument registers, so extra arguments are harmless. That
// is how MSVC's CRT calls it too. (main is never name-mangled, so the C
// declaration matches a C++ main.)
extern "C" int __cdecl main(int argc, char** argv, char** envp);

//-----------------------------------------------------------------------------
// Startup state
//-----------------------------------------------------------------------------

// Where this module is in its startup. The initializers must run exactly
// once; MSVC uses the same state machine for DLLs, where a module can be
// entered again while it is still initializing.
enum class __scrt_native_startup_state
{
    uninitialized,
    initializing,
    initialized
};

static __scrt_native_startup_state __scrt_current_native_startup_state = __scrt_native_startup_state::uninitialized;

// The exit code of a program whose startup failed before main could run: the
// C initializers could not set up the command line, for example.
static int const __scrt_startup_failure_exit_code = 255;

// Reports a failure of the startup code and ends the process. MSVC fails fast
// here (int 29h); crtlab's runtime writes the reason to stderr instead, which
// a student can read in the transcript.
__declspec(noreturn) static void __cdecl __scrt_startup_failure(char const* const reason)
{
    __crtlab_fatal_error(reason, static_cast<unsigned int>(__scrt_startup_failure_exit_code));
}

//-----------------------------------------------------------------------------
// Calling main
//-----------------------------------------------------------------------------

// Calls main with the arguments parsed from the command line and with the
// initial environment. __argc and __argv are set by pre_c_initialization
// (below), which runs among the C initializers before main is called.
//
// invoke_main is always inlined into __scrt_common_main_seh. It therefore has
// no frame of its own: the PDB describes it with an S_INLINESITE record, and a
// debugger shows it as an "(Inline Function)" row in the stack, between main
// and __scrt_common_main_seh, the same as for a program built by MSVC. The
// line numbers of both calls are fixed, see the top of this file.
static __forceinline int __cdecl invoke_main()
{
    return main(__argc, __argv, _get_initial_narrow_environment());
}

//-----------------------------------------------------------------------------
// Initializers that the startup code registers for itself
//-----------------------------------------------------------------------------

// The initializer and terminator tables are arrays of function pointers that
// the linker assembles from sections named .CRT$X<table><order>. It sorts the
// sections of one name by the text after the '$', so within a table the
// order is set by the letters that follow:
//
//   .CRT$XIA    __xi_a, the start of the C initializers (initializers.cpp)
//   .CRT$XIAA   pre_c_initialization, below
//   .CRT$XIC..  C initializers of the runtime and the program
//   .CRT$XIZ    __xi_z, the end of the C initializers
//   .CRT$XCA    __xc_a, the start of the C++ initializers
//   .CRT$XCAA   pre_cpp_initialization, below
//   .CRT$XCU    the dynamic initializers of C++ globals, in link order
//   .CRT$XCZ    __xc_z, the end of the C++ initializers
//   .CRT$XP*    pre-terminators and .CRT$XT* terminators, run by exit()
//
// The whole .CRT section is read-only data (merged into .rdata), so in a
// debugger `dqs` on __xc_a lists the constructors a program will run.

// Runs first among the C initializers (.CRT$XIAA sorts right after the
// __xi_a marker in .CRT$XIA): parses the command line into __argc and
// __argv, which main receives. MSVC's version also sets up the environment
// and the floating-point state here.
static int __cdecl pre_c_initialization()
{
    if (_configure_narrow_argv() != 0)
    {
        return __scrt_startup_failure_exit_code;
    }
    return 0;
}

// Runs first among the C++ initializers, before the constructors of globals.
// MSVC's CRT installs an unhandled-exception filter here, which turns an
// uncaught C++ exception into std::terminate. crtlab's runtime has no
// exceptions, so all that is left is the default new mode: malloc does not
// call the new handler unless the program asks for it with _set_new_mode(1).
static void __cdecl pre_cpp_initialization()
{
    _set_new_mode(0);
}

#pragma section(".CRT$XIAA", long, read)
#pragma section(".CRT$XCAA", long, read)

// Nothing refers to these two entries by name; `used` keeps the compiler from
// dropping them.
__declspec(allocate(".CRT$XIAA")) __attribute__((used)) static _PIFV pre_c_initializer = pre_c_initialization;
__declspec(allocate(".CRT$XCAA")) __attribute__((used)) static _PVFV pre_cpp_initializer = pre_cpp_initialization;

//-----------------------------------------------------------------------------
// Initialization and uninitialization of the CRT
//-----------------------------------------------------------------------------

// Initializes the parts of the CRT that must be ready before any initializer
// runs: today only the heap handle (__acrt_heap). Returns false on failure.
static bool __cdecl __scrt_initialize_crt()
{
    return __acrt_initialize();
}

// The counterpart of __scrt_initialize_crt, called when main returns to a
// managed caller. crtlab's runtime keeps no state that needs tearing down:
// the process ends right after, and the heap goes with it.
static void __cdecl __scrt_uninitialize_crt()
{
}

//-----------------------------------------------------------------------------
// Managed applications
//-----------------------------------------------------------------------------

// Offsets into the image headers that __scrt_is_managed_app reads. They are
// those of the PE/COFF specification for PE32+ images.
static unsigned short const image_dos_signature = 0x5A4D;      // "MZ"
static unsigned int const image_nt_signature = 0x00004550;     // "PE\0\0"
static unsigned short const image_nt_optional_hdr64_magic = 0x20B;
static unsigned int const dos_header_e_lfanew_offset = 0x3C;
static unsigned int const nt_headers_optional_header_offset = 0x18;
static unsigned int const optional_header_number_of_rva_and_sizes_offset = 0x6C;
static unsigned int const optional_header_data_directory_offset = 0x70;
static unsigned int const image_directory_entry_com_descriptor = 14;

template <typename T>
static T read_image(unsigned char const* const address)
{
    T value;
    __builtin_memcpy(&value, address, sizeof(value));
    return value;
}

// Returns true if the executable is a managed (.NET) application, that is,
// if its image has a COM descriptor (CLR header) directory. A managed program
// must not call exit() when main returns, because the CLR still has work to
// do; a native program always calls exit(). crtlab's guests are all native,
// but the check reads the image through GetModuleHandleW(nullptr) as MSVC's
// startup code does, and so exercises the emulator's loader.
static bool __cdecl __scrt_is_managed_app()
{
    unsigned char const* const image = reinterpret_cast<unsigned char const*>(GetModuleHandleW(nullptr));
    if (image == nullptr)
    {
        return false;
    }
    if (read_image<unsigned short>(image) != image_dos_signature)
    {
        return false;
    }

    unsigned char const* const nt_headers = image + read_image<unsigned int>(image + dos_header_e_lfanew_offset);
    if (read_image<unsigned int>(nt_headers) != image_nt_signature)
    {
        return false;
    }

    unsigned char const* const optional_header = nt_headers + nt_headers_optional_header_offset;
    if (read_image<unsigned short>(optional_header) != image_nt_optional_hdr64_magic)
    {
        return false;
    }
    if (read_image<unsigned int>(optional_header + optional_header_number_of_rva_and_sizes_offset) <=
        image_directory_entry_com_descriptor)
    {
        return false;
    }

    // Each data directory is an RVA and a size, 4 bytes each.
    unsigned char const* const com_descriptor =
        optional_header + optional_header_data_directory_offset + image_directory_entry_com_descriptor * 8;
    return read_image<unsigned int>(com_descriptor) != 0;
}

//-----------------------------------------------------------------------------
// The common main
//-----------------------------------------------------------------------------

// Initializes the CRT, runs the C and C++ initializers, calls main and
// exits with main's result. It never returns to mainCRTStartup for a native
// program: exit() ends the process.
//
// The function must not be inlined into mainCRTStartup: mainCRTStartup jumps
// to it, so a stack trace taken in main shows __scrt_common_main_seh right
// under main (and the inline invoke_main), and mainCRTStartup not at all.
// Stopped in a function that main called, WinDbg's `k` shows:
//
//    # Child-SP          RetAddr           Call Site
//   00 ........`........ ........`........ allocate!alloc_malloc
//   01 ........`........ ........`........ allocate!main+0x..
//   02 (Inline Function) --------`-------- allocate!invoke_main+0x.. [...\exe_common.inl @ 78]
//   03 ........`........ ........`........ allocate!__scrt_common_main_seh+0x.. [...\exe_common.inl @ 288]
//   04 ........`........ ........`........ KERNEL32!BaseThreadInitThunk+0x14
//   05 ........`........ 00000000`00000000 ntdll!RtlUserThreadStart+0x21
//
// Row 02 has no stack pointer because invoke_main has no frame: its code is
// part of __scrt_common_main_seh, and only the debug information (the
// S_INLINESITE record) tells where it begins and ends. Row 03 returns into
// KERNEL32: BaseThreadInitThunk called mainCRTStartup, which then jumped to
// __scrt_common_main_seh and left no frame of its own.
static __declspec(noinline) int __cdecl __scrt_common_main_seh()
{
    // First the parts of the CRT that the initializers themselves depend on
    // (the heap). If that fails, the CRT cannot report anything itself, so
    // the failure goes straight to stderr.
    if (!__scrt_initialize_crt())
    {
        __scrt_startup_failure("crtlab runtime: the CRT could not be initialized\n");
    }

    // A module that is already initialized (which cannot happen for an
    // executable, but can for a DLL sharing this logic) must not run its
    // initializers again, and must not run the C termination either.
    bool has_cctor = false;
    if (__scrt_current_native_startup_state == __scrt_native_startup_state::initializing)
    {
        __scrt_startup_failure("crtlab runtime: startup code entered twice\n");
    }
    else if (__scrt_current_native_startup_state == __scrt_native_startup_state::uninitialized)
    {
        __scrt_current_native_startup_state = __scrt_native_startup_state::initializing;

        // The C initializers can fail (a non-zero result), the C++ ones
        // cannot.
        if (_initterm_e(__xi_a, __xi_z) != 0)
        {
            return __scrt_startup_failure_exit_code;
        }
        _initterm(__xc_a, __xc_z);

        __scrt_current_native_startup_state = __scrt_native_startup_state::initialized;
    }
    else
    {
        has_cctor = true;
    }

    // MSVC's startup code would now run the TLS callbacks of thread_local
    // variables with dynamic initialization and register their destructors.
    // crtlab's guests have no such variables, and the loader runs the image's
    // own TLS callbacks (IMAGE_TLS_DIRECTORY) before the entry point.

    // Call main. From here on the program is in control; when main returns,
    // its result becomes the process exit code through exit(). In a stack
    // trace this call is line 288 of this file, and the inlined invoke_main
    // shows up as its own row at line 78.
    int const main_result = invoke_main();

    // main has returned. A native program exits here, running the atexit
    // functions and terminators; exit() does not return.
    if (!__scrt_is_managed_app())
    {
        exit(main_result);
    }

    // A managed program returns to its caller after the C termination.
    if (!has_cctor)
    {
        _cexit();
    }
    __scrt_uninitialize_crt();
    return main_result;
}
