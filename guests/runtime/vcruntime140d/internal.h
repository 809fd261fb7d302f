// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// internal.h - declarations shared by the parts of VCRUNTIME140D.dll,
// crtlab's stand-in for the debug Visual C++ runtime: the compiler support
// library that sits next to the UCRT (memset and friends, the exception
// handling entry points, type_info support). It is built like ucrtbased.dll:
// -D_DEBUG, no optimization, full debug information.

#pragma once

#if !defined(_DEBUG) && !defined(_CRTLAB_VCRUNTIME140)
#error VCRUNTIME140D.dll is a debug DLL: build it with -D_DEBUG (or -D_CRTLAB_VCRUNTIME140 for VCRUNTIME140.dll)
#endif

#include <corecrt.h>
#include <crtdbg.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

// What a call of an unsupported entry point does: a "Debug Error!" report
// naming it (break on Retry), then the end of the process (exit code 3).
extern "C" __declspec(noreturn) void __cdecl __vcrt_unsupported(char const* function_name);

#ifndef _DEBUG
// VCRUNTIME140.dll, the release runtime, is the same sources built without
// _DEBUG (<crtdbg.h> turns the _dbg allocations into malloc and free),
// importing ucrtbase.dll. The release CRT has no report window: the one
// report the runtime makes, for an unsupported entry point, is written to
// stderr instead (guests/runtime/vcruntime140/report.cpp).
extern "C" int __cdecl __vcrt_report_unsupported(char const* function_name);
#define _CrtDbgReport(type, file, line, module, format, function_name) __vcrt_report_unsupported(function_name)
#endif
