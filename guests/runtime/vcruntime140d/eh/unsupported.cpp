// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// unsupported.cpp - the C++ exception-handling entry points of
// VCRUNTIME140D.dll.
//
// crtlab dispatches structured exceptions to a program's handlers
// (__C_specific_handler is in vcruntime/riscchandler.cpp), but its runtime
// has no C++ exception handling: throw/catch, longjmp and RTTI casts are not
// available. The entry points exist, so that programs that import them load
// (every function with objects to destroy on unwinding refers to
// __CxxFrameHandler3), and calling one reports it by name and ends the
// program.
//
// The frame handlers are called for every frame an exception passes, C++ or
// not. A structured exception (an access violation, RaiseException with a
// code of its own) that is still looking for its handler passes a C++ frame
// untouched, as it does under /EHsc, where catch clauses catch only C++
// exceptions; only a C++ exception, or unwinding through the frame (which
// would have to run its destructors), reports that it is not supported.
//
// No CRT headers here: the stubs take no parameters, whatever the real
// functions take.

extern "C" __declspec(noreturn) void __cdecl __vcrt_unsupported(char const* function_name);

// The first two fields of EXCEPTION_RECORD.
struct exception_record_head
{
    unsigned long code;
    unsigned long flags;
};

#define FRAME_HANDLER(name)                                                                              \
    extern "C" int __cdecl name(exception_record_head* const record, void*, void*, void*)                \
    {                                                                                                    \
        /* EXCEPTION_UNWIND (0x66) clear: dispatching; 0xe06d7363: a C++ exception. */                    \
        if ((record->flags & 0x66) == 0 && record->code != 0xe06d7363)                                   \
        {                                                                                                \
            return 1; /* ExceptionContinueSearch */                                                      \
        }                                                                                                \
        __vcrt_unsupported(#name);                                                                       \
    }

#define UNSUPPORTED(name)                   \
    extern "C" void __cdecl name()          \
    {                                       \
        __vcrt_unsupported(#name);          \
    }

UNSUPPORTED(__C_specific_handler_noexcept)
FRAME_HANDLER(__CxxFrameHandler)
FRAME_HANDLER(__CxxFrameHandler2)
FRAME_HANDLER(__CxxFrameHandler3)
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
