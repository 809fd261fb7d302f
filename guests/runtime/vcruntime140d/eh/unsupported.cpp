// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unsupported.cpp - the exception-handling entry points of VCRUNTIME140D.dll.
//
// crtlab reports exceptions in the debugger and runs no handlers, so C++
// throw/catch, structured exception handlers, longjmp and RTTI casts are not
// available. The entry points exist, so that programs that import them load
// (every __try and every function with objects to destroy on unwinding
// refers to __C_specific_handler or __CxxFrameHandler3), and calling one
// reports it by name and ends the program.
//
// No CRT headers here: the stubs take no parameters, whatever the real
// functions take.

extern "C" __declspec(noreturn) void __cdecl __vcrt_unsupported(char const* function_name);

#define UNSUPPORTED(name)                   \
    extern "C" void __cdecl name()          \
    {                                       \
        __vcrt_unsupported(#name);          \
    }

UNSUPPORTED(__C_specific_handler)
UNSUPPORTED(__C_specific_handler_noexcept)
UNSUPPORTED(__CxxFrameHandler)
UNSUPPORTED(__CxxFrameHandler2)
UNSUPPORTED(__CxxFrameHandler3)
UNSUPPORTED(_CxxThrowException)
UNSUPPORTED(__CxxDetectRethrow)
UNSUPPORTED(__CxxExceptionFilter)
UNSUPPORTED(__CxxQueryExceptionSize)
UNSUPPORTED(__CxxRegisterExceptionObject)
UNSUPPORTED(__CxxUnregisterExceptionObject)
UNSUPPORTED(__DestructExceptionObject)
UNSUPPORTED(__AdjustPointer)
UNSUPPORTED(__BuildCatchObject)
UNSUPPORTED(__BuildCatchObjectHelper)
UNSUPPORTED(__TypeMatch)
UNSUPPORTED(__FrameUnwindFilter)
UNSUPPORTED(__GetPlatformExceptionInfo)
UNSUPPORTED(_CreateFrameInfo)
UNSUPPORTED(_FindAndUnlinkFrame)
UNSUPPORTED(_IsExceptionObjectToBeDestroyed)
UNSUPPORTED(_is_exception_typeof)
UNSUPPORTED(_SetWinRTOutOfMemoryExceptionCallback)
UNSUPPORTED(__NLG_Dispatch2)
UNSUPPORTED(__NLG_Return2)
UNSUPPORTED(_NLG_Dispatch2)
UNSUPPORTED(_NLG_Return)
UNSUPPORTED(_NLG_Return2)
UNSUPPORTED(_local_unwind)
UNSUPPORTED(longjmp)
UNSUPPORTED(__intrinsic_setjmp)
UNSUPPORTED(__intrinsic_setjmpex)
UNSUPPORTED(__RTDynamicCast)
UNSUPPORTED(__RTtypeid)
UNSUPPORTED(__RTCastToVoid)
UNSUPPORTED(__std_type_info_name)
UNSUPPORTED(__unDName)
UNSUPPORTED(__unDNameEx)
UNSUPPORTED(__report_gsfailure)
UNSUPPORTED(_set_se_translator)
UNSUPPORTED(set_unexpected)
UNSUPPORTED(unexpected)
