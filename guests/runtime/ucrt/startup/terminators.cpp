// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// terminators.cpp - the section markers of the pre-terminator (.CRT$XP*)
// and terminator (.CRT$XT*) tables that exit() runs after the atexit
// functions. Each marker is a single null entry; the linker places the
// entries of .CRT$XPB..XPY between __xp_a and __xp_z, and so on.

// crtlab_internal.h declares the markers without a section, so this file
// defines its own pointer types rather than include it (a section must be
// given on the first declaration).
typedef void(__cdecl* _PVFV)(void);

#pragma section(".CRT$XPA", long, read)
#pragma section(".CRT$XPZ", long, read)
#pragma section(".CRT$XTA", long, read)
#pragma section(".CRT$XTZ", long, read)

extern "C" __declspec(allocate(".CRT$XPA")) _PVFV __xp_a[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XPZ")) _PVFV __xp_z[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XTA")) _PVFV __xt_a[] = {nullptr};
extern "C" __declspec(allocate(".CRT$XTZ")) _PVFV __xt_z[] = {nullptr};

// The tables are read-only data; MSVC's linker merges them into .rdata too.
#pragma comment(linker, "/merge:.CRT=.rdata")
