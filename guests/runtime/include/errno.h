// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// errno.h - errno for crtlab's single-threaded static runtime.

#pragma once

#define EINVAL 22
#define ENOMEM 12
#define ERANGE 34

#ifdef __cplusplus
extern "C" {
#endif

int* __cdecl _errno(void);
#define errno (*_errno())

#ifdef __cplusplus
}
#endif
