// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// riscchandler.cpp - __C_specific_handler, the language handler of every x64
// function with __try/__except or __try/__finally, and _local_unwind.
//
// The compiler puts __C_specific_handler's RVA in the UNWIND_INFO of such a
// function, followed by its scope table (excpt.h, SCOPE_TABLE_AMD64): one
// record per __try, innermost first. ntdll's exception dispatcher calls the
// handler once per frame while it looks for a handler, and again while
// RtlUnwindEx unwinds the frame:
//
// * Looking for a handler, each __except whose __try covers the frame's pc
//   has its filter called as filter(&pointers, EstablisherFrame). The filter
//   says EXCEPTION_EXECUTE_HANDLER (> 0): RtlUnwindEx then unwinds the stack
//   to this frame (running the __finally blocks on the way) and continues at
//   the __except block with the exception code in eax, for GetExceptionCode;
//   EXCEPTION_CONTINUE_SEARCH (0): the next scope, then the next frame;
//   EXCEPTION_CONTINUE_EXECUTION (< 0): the thread continues in the
//   (possibly modified) context.
// * Unwinding, each __finally whose __try covers the pc runs as
//   handler(TRUE, EstablisherFrame), up to the scope of the __except that is
//   the unwind's target. DispatcherContext->ScopeIndex records how far it got,
//   so that a collided unwind does not run a block twice.
//
// This is the algorithm of Microsoft's vcruntime (riscchandler.cpp there).
// The static runtime (/MT) links this file; VCRUNTIME140.dll and
// VCRUNTIME140D.dll export it.

#include <excpt.h>

typedef long(__cdecl* exception_filter)(EXCEPTION_POINTERS* pointers, void* establisher_frame);
typedef void(__cdecl* termination_handler)(unsigned char abnormal_termination, void* establisher_frame);

extern "C" __declspec(dllimport) void __stdcall RtlUnwindEx(void* target_frame, void* target_ip,
                                                           EXCEPTION_RECORD* exception_record, void* return_value,
                                                           CONTEXT* context_record, void* history_table);

extern "C" EXCEPTION_DISPOSITION __cdecl __C_specific_handler(EXCEPTION_RECORD* const exception_record,
                                                              void* const establisher_frame,
                                                              CONTEXT* const context_record,
                                                              DISPATCHER_CONTEXT* const dispatcher_context)
{
    unsigned long long const image_base = dispatcher_context->ImageBase;
    unsigned long long const control_pc = dispatcher_context->ControlPc - image_base;
    SCOPE_TABLE_AMD64 const* const scope_table = static_cast<SCOPE_TABLE_AMD64 const*>(dispatcher_context->HandlerData);
    unsigned long const count = scope_table->Count;

    if ((exception_record->ExceptionFlags & EXCEPTION_UNWIND) == 0)
    {
        // Looking for a handler: the filters of the __excepts around the pc.
        for (unsigned long i = dispatcher_context->ScopeIndex; i < count; ++i)
        {
            auto const& scope = scope_table->ScopeRecord[i];
            if (control_pc < scope.BeginAddress || control_pc >= scope.EndAddress || scope.JumpTarget == 0)
            {
                continue;
            }
            if (scope.HandlerAddress != EXCEPTION_EXECUTE_HANDLER)
            {
                EXCEPTION_POINTERS pointers = {exception_record, context_record};
                exception_filter const filter = reinterpret_cast<exception_filter>(image_base + scope.HandlerAddress);
                long const verdict = filter(&pointers, establisher_frame);
                if (verdict < 0)
                {
                    return ExceptionContinueExecution;
                }
                if (verdict == 0)
                {
                    continue;
                }
            }
            // Unwind to this frame and go on in the __except block, with the code
            // as the return value. RtlUnwindEx does not return.
            RtlUnwindEx(establisher_frame, reinterpret_cast<void*>(image_base + scope.JumpTarget), exception_record,
                        reinterpret_cast<void*>(static_cast<unsigned long long>(exception_record->ExceptionCode)),
                        dispatcher_context->ContextRecord, dispatcher_context->HistoryTable);
        }
        return ExceptionContinueSearch;
    }

    // Unwinding: the __finally blocks around the pc, up to the target's scope.
    unsigned long long const target_pc = dispatcher_context->TargetIp - image_base;
    bool const target_unwind = (exception_record->ExceptionFlags & EXCEPTION_TARGET_UNWIND) != 0;
    for (unsigned long i = dispatcher_context->ScopeIndex; i < count; ++i)
    {
        auto const& scope = scope_table->ScopeRecord[i];
        if (control_pc < scope.BeginAddress || control_pc >= scope.EndAddress)
        {
            continue;
        }
        if (target_unwind)
        {
            // In the target frame, a scope that also covers the target is one the
            // unwind stays inside of: stop there.
            unsigned long j = 0;
            for (; j < count; ++j)
            {
                auto const& other = scope_table->ScopeRecord[j];
                if (target_pc >= other.BeginAddress && target_pc < other.EndAddress &&
                    other.JumpTarget == scope.JumpTarget && other.HandlerAddress == scope.HandlerAddress)
                {
                    break;
                }
            }
            if (j != count)
            {
                break;
            }
        }
        if (scope.JumpTarget != 0)
        {
            // An __except: the one being unwound to ends the walk.
            if (target_unwind && target_pc == scope.JumpTarget)
            {
                break;
            }
            continue;
        }
        dispatcher_context->ScopeIndex = i + 1;
        termination_handler const handler = reinterpret_cast<termination_handler>(image_base + scope.HandlerAddress);
        handler(1, establisher_frame);
    }
    return ExceptionContinueSearch;
}

// _local_unwind(frame, target): leaves a __try of the function whose frame
// this is (a goto or return out of it), running the __finally blocks in
// between, and continues at target.
extern "C" void __cdecl _local_unwind(void* const frame, void* const target)
{
    CONTEXT context;
    RtlUnwindEx(frame, target, nullptr, nullptr, &context, nullptr);
}
