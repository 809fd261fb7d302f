// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// utility.cpp - helpers of the startup code: CRT initialization for a
// program that uses the DLL runtime (nothing to do: the DLLs initialized
// themselves in DllMain before the entry point ran), the test for a managed
// program, the atexit tables, and fail-fast.

#include "vcstartup_internal.h"

// The compiler refers to _fltused in every object that uses floating
// point; MSVC defines it in the program's static CRT.
extern "C" int _fltused = 0x9875;

extern "C" bool __cdecl __scrt_initialize_crt(__scrt_module_type const module_type)
{
    (void)module_type;
    return true;
}

extern "C" bool __cdecl __scrt_uninitialize_crt(bool const is_terminating, bool const from_exit)
{
    (void)is_terminating;
    (void)from_exit;
    return true;
}

extern "C" void __cdecl __scrt_fastfail(unsigned const code)
{
    __fastfail(code);
}

// Offsets into the image headers (PE/COFF, PE32+).
static unsigned short const image_dos_signature = 0x5A4D;  // "MZ"
static unsigned int const image_nt_signature = 0x00004550; // "PE\0\0"
static unsigned short const image_nt_optional_hdr64_magic = 0x20B;

template <typename T>
static T read_image(unsigned char const* const address)
{
    T value;
    __builtin_memcpy(&value, address, sizeof(value));
    return value;
}

// True if the program is a .NET program (its image has a CLR header). A
// managed program returns from main to the CLR instead of calling exit().
extern "C" bool __cdecl __scrt_is_managed_app()
{
    unsigned char const* const image = reinterpret_cast<unsigned char const*>(GetModuleHandleW(nullptr));
    if (image == nullptr || read_image<unsigned short>(image) != image_dos_signature)
    {
        return false;
    }
    unsigned char const* const nt_headers = image + read_image<unsigned int>(image + 0x3C);
    if (read_image<unsigned int>(nt_headers) != image_nt_signature)
    {
        return false;
    }
    unsigned char const* const optional_header = nt_headers + 0x18;
    if (read_image<unsigned short>(optional_header) != image_nt_optional_hdr64_magic)
    {
        return false;
    }
    if (read_image<unsigned int>(optional_header + 0x6C) <= 14) // NumberOfRvaAndSizes
    {
        return false;
    }
    return read_image<unsigned int>(optional_header + 0x70 + 14 * 8) != 0; // the COM descriptor
}

//-----------------------------------------------------------------------------
// atexit
//-----------------------------------------------------------------------------

// A DLL keeps its own atexit table, run when it is unloaded. A program
// uses the CRT's global table (through _crt_atexit): its module tables are
// set to -1 to say so.
static _onexit_table_t __acrt_module_atexit_table = {};
static _onexit_table_t __acrt_module_at_quick_exit_table = {};

extern "C" bool __cdecl __scrt_initialize_onexit_tables(__scrt_module_type const module_type)
{
    if (module_type == __scrt_module_type_dll)
    {
        return _initialize_onexit_table(&__acrt_module_atexit_table) == 0 &&
               _initialize_onexit_table(&__acrt_module_at_quick_exit_table) == 0;
    }
    _PVFV* const invalid = reinterpret_cast<_PVFV*>(static_cast<intptr_t>(-1));
    __acrt_module_atexit_table = {invalid, invalid, invalid};
    __acrt_module_at_quick_exit_table = {invalid, invalid, invalid};
    return true;
}

static bool uses_global_table(_onexit_table_t const& table)
{
    return table._first == reinterpret_cast<_PVFV*>(static_cast<intptr_t>(-1));
}

extern "C" _onexit_t __cdecl _onexit(_onexit_t const function)
{
    if (uses_global_table(__acrt_module_atexit_table))
    {
        return _crt_atexit(reinterpret_cast<_PVFV>(function)) == 0 ? function : nullptr;
    }
    return _register_onexit_function(&__acrt_module_atexit_table, function) == 0 ? function : nullptr;
}

extern "C" int __cdecl atexit(_PVFV const function)
{
    return _onexit(reinterpret_cast<_onexit_t>(function)) != nullptr ? 0 : -1;
}

extern "C" int __cdecl at_quick_exit(_PVFV const function)
{
    if (uses_global_table(__acrt_module_at_quick_exit_table))
    {
        return _crt_at_quick_exit(function);
    }
    return _register_onexit_function(&__acrt_module_at_quick_exit_table, reinterpret_cast<_onexit_t>(function));
}
