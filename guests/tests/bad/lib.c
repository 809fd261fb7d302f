// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// lib.c - the bad image lib.dll: a valid x64 DLL with one export and no
// entry point. crtlab must refuse to run a DLL as the program.

__declspec(dllexport) int crtlab_lib_function(int value)
{
    return value + 1;
}
