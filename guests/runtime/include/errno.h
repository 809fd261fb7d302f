// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// errno.h - errno for crtlab's single-threaded runtimes.

#pragma once

#include <corecrt.h>

#define EPERM 1
#define ENOENT 2
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EINVAL 22
#define EMFILE 24
#define ENOSPC 28
#define ERANGE 34
#define EILSEQ 42
#define STRUNCATE 80

#ifdef __cplusplus
extern "C" {
#endif

_ACRTIMP int* __cdecl _errno(void);
#define errno (*_errno())

#ifdef __cplusplus
}
#endif
