// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// tiny.c - the whole program of the bad images x86.exe and arm64.exe: an
// entry point that returns 0, with no runtime and no imports. crtlab must
// refuse both images with a clear error (it emulates x64 only).

int entry(void)
{
    return 0;
}
