// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// excpt.h - structured exception handling, with the names MSVC's excpt.h and
// winnt.h use: the dispositions a language handler returns, the values an
// __except filter returns, GetExceptionCode/GetExceptionInformation/
// AbnormalTermination (clang's _exception_code, _exception_info and
// _abnormal_termination), and the x64 records that __C_specific_handler and
// filters work with.

#pragma once

typedef enum _EXCEPTION_DISPOSITION
{
    ExceptionContinueExecution,
    ExceptionContinueSearch,
    ExceptionNestedException,
    ExceptionCollidedUnwind
} EXCEPTION_DISPOSITION;

#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

#define GetExceptionCode _exception_code
#define exception_code _exception_code
#define GetExceptionInformation() ((struct _EXCEPTION_POINTERS*)_exception_info())
#define exception_info() ((struct _EXCEPTION_POINTERS*)_exception_info())
#define AbnormalTermination _abnormal_termination
#define abnormal_termination _abnormal_termination

// ExceptionFlags.
#define EXCEPTION_NONCONTINUABLE 0x01
#define EXCEPTION_UNWINDING 0x02
#define EXCEPTION_EXIT_UNWIND 0x04
#define EXCEPTION_STACK_INVALID 0x08
#define EXCEPTION_NESTED_CALL 0x10
#define EXCEPTION_TARGET_UNWIND 0x20
#define EXCEPTION_COLLIDED_UNWIND 0x40
#define EXCEPTION_UNWIND 0x66

#define EXCEPTION_MAXIMUM_PARAMETERS 15

typedef struct _EXCEPTION_RECORD
{
    unsigned long ExceptionCode;
    unsigned long ExceptionFlags;
    struct _EXCEPTION_RECORD* ExceptionRecord;
    void* ExceptionAddress;
    unsigned long NumberParameters;
    unsigned long long ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

// The x64 CONTEXT (0x4d0 bytes, 16-byte aligned): the control and integer
// registers by name, the rest as bytes.
typedef struct __declspec(align(16)) _CONTEXT
{
    unsigned long long P1Home, P2Home, P3Home, P4Home, P5Home, P6Home;
    unsigned long ContextFlags;
    unsigned long MxCsr;
    unsigned short SegCs, SegDs, SegEs, SegFs, SegGs, SegSs;
    unsigned long EFlags;
    unsigned long long Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    unsigned long long Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
    unsigned long long R8, R9, R10, R11, R12, R13, R14, R15;
    unsigned long long Rip;
    unsigned char FltSave[0x200];
    unsigned char VectorRegister[26 * 16];
    unsigned long long VectorControl;
    unsigned long long DebugControl, LastBranchToRip, LastBranchFromRip, LastExceptionToRip, LastExceptionFromRip;
} CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS
{
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

typedef struct _RUNTIME_FUNCTION
{
    unsigned long BeginAddress;
    unsigned long EndAddress;
    unsigned long UnwindData;
} RUNTIME_FUNCTION, *PRUNTIME_FUNCTION;

typedef struct _DISPATCHER_CONTEXT
{
    unsigned long long ControlPc;
    unsigned long long ImageBase;
    PRUNTIME_FUNCTION FunctionEntry;
    unsigned long long EstablisherFrame;
    unsigned long long TargetIp;
    PCONTEXT ContextRecord;
    void* LanguageHandler;
    void* HandlerData;
    void* HistoryTable;
    unsigned long ScopeIndex;
    unsigned long Fill0;
} DISPATCHER_CONTEXT, *PDISPATCHER_CONTEXT;

// The table the compiler puts after __C_specific_handler's RVA in a
// function's UNWIND_INFO: one record per __try, innermost first. An
// __except has its filter (or EXCEPTION_EXECUTE_HANDLER, 1) in
// HandlerAddress and its block in JumpTarget; a __finally has its
// termination handler in HandlerAddress and JumpTarget 0.
typedef struct _SCOPE_TABLE_AMD64
{
    unsigned long Count;
    struct
    {
        unsigned long BeginAddress;
        unsigned long EndAddress;
        unsigned long HandlerAddress;
        unsigned long JumpTarget;
    } ScopeRecord[1];
} SCOPE_TABLE_AMD64, *PSCOPE_TABLE_AMD64;

#ifdef __cplusplus
extern "C" {
#endif

EXCEPTION_DISPOSITION __cdecl __C_specific_handler(struct _EXCEPTION_RECORD* ExceptionRecord, void* EstablisherFrame,
                                                   struct _CONTEXT* ContextRecord,
                                                   struct _DISPATCHER_CONTEXT* DispatcherContext);

#ifdef __cplusplus
}
#endif
