// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// initializers.cpp - the section markers of the initializer tables.
//
// The compiler puts a pointer to the dynamic initializer of every C++ global
// into .CRT$XCU; C initializers go into .CRT$XI*. The linker sorts the
// .CRT$ sections by name, so the entries end up between the null entries
// defined here, and __scrt_common_main_seh runs them with _initterm_e
// (__xi_a..__xi_z) and _initterm (__xc_a..__xc_z) before main.

// crtlab_internal.h declares the markers without a section, so this file
// defines its own pointer types rather than include it (a section must be
// given on the first declaration).
typedef void(__cdecl* _PVFV)(void);
typedef int(__cdecl* _PIFV)(void);

#pragma section(".CRT$XIA", long, read)
#pragma section(".CRT$XIZ", long, read)
#pragma section(".CRT$XCA", long, read)
#pragma section(".CRT$XCZ", long, read)

extern "C" __declspec(allocate(".CRT$XIA")) _PIFV __xi_a[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XIZ")) _PIFV __xi_z[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XCA")) _PVFV __xc_a[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XCZ")) _PVFV __xc_z[] = {nullptr};

// The tables are read-only data; MSVC's linker merges them into .rdata too.
#pragma comment(linker, "/merge:.CRT=.rdata")
