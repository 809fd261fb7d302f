// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// environment.cpp - the initial environment passed to main as envp.
//
// crtlab does not pass the host's environment into a guest (transcripts must
// not depend on the machine they are made on), and its KERNEL32 has no
// GetEnvironmentStrings. The environment is therefore empty: envp holds only
// the terminating null pointer.

#include "../../internal/crtlab_internal.h"

static char* initial_narrow_environment[] = {nullptr};

extern "C" char** __cdecl _get_initial_narrow_environment()
{
    return initial_narrow_environment;
}
