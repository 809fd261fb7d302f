// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// errno.cpp - errno storage. crtlab's guests are single-threaded, so one
// static int serves instead of the per-thread value of the UCRT.

#include <errno.h>

static int errno_value = 0;

extern "C" int* __cdecl _errno()
{
    return &errno_value;
}
