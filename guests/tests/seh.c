// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// seh.c - structured exception handling, as a program built with Visual
// Studio sees it on x64 Windows: __try/__except/__finally, filters that look
// at GetExceptionCode() and GetExceptionInformation(), RaiseException with
// parameters, EXCEPTION_CONTINUE_EXECUTION, hardware faults (an access
// violation, a division by zero), handlers in called functions, an exception
// raised in a filter (a nested exception) and one raised in a __finally
// while the stack unwinds (a collided unwind). Each case prints one PASS or
// FAIL line; main returns the number of failures.
//
// Built with clang's -fasync-exceptions, so that a __try covers faulting
// instructions in its own body too, as MSVC's __try always does. Every
// exception stops in the debugger first (first chance); `g` passes it on to
// these handlers.
//
// Run with the argument "unhandled", it instead makes an access violation
// that no handler takes: first chance, second chance, then the end of the
// process with exit code c0000005, as without any handler. With "break", it
// executes a __debugbreak() inside a __try (see break_instruction).

#include <excpt.h>

#include "guest_io.h"

__declspec(dllimport) void WINAPI RaiseException(DWORD dwExceptionCode, DWORD dwExceptionFlags, DWORD nNumberOfArguments,
                                                 ULONG_PTR const* lpArguments);

#define STATUS_ACCESS_VIOLATION 0xC0000005u
#define STATUS_INTEGER_DIVIDE_BY_ZERO 0xC0000094u
#define STATUS_NONCONTINUABLE_EXCEPTION 0xC0000025u

// Writing through these faults: nothing is mapped at the bottom of the
// address space.
#define BAD_POINTER(n) ((int volatile*)(ULONG_PTR)(n))

static int passed = 0;
static int failed = 0;

static void print_dec(unsigned value)
{
    char buffer[12];
    int i = 11;
    buffer[i] = '\0';
    do
    {
        buffer[--i] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    print(buffer + i);
}

static void check(int ok, char const* name)
{
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print("\n");
    if (ok)
    {
        ++passed;
    }
    else
    {
        ++failed;
    }
}

// The order in which filters, __finally blocks and __except blocks ran.
static char trace[32];
static int trace_length = 0;

static void mark(char c)
{
    if (trace_length < (int)sizeof(trace) - 1)
    {
        trace[trace_length++] = c;
        trace[trace_length] = '\0';
    }
}

static int trace_is(char const* expected)
{
    int i = 0;
    while (expected[i] != '\0' && trace[i] == expected[i])
    {
        ++i;
    }
    return expected[i] == '\0' && trace[i] == '\0';
}

static void trace_reset(void)
{
    trace_length = 0;
    trace[0] = '\0';
}

// Called first thing in an __except block (a place for a breakpoint: by then
// the stack has been unwound to the function of the __try).
static __declspec(noinline) void in_except_block(DWORD code)
{
    (void)code;
}

// 1. An access violation in a __try, caught by __except(EXCEPTION_EXECUTE_HANDLER).
static void access_violation_caught(void)
{
    DWORD volatile code = 0;
    __try
    {
        *BAD_POINTER(0x10) = 1;
        print("seh: the write did not fault\n");
    }
    __except (EXCEPTION_EXECUTE_HANDLER)
    {
        in_except_block(GetExceptionCode());
        code = GetExceptionCode();
    }
    check(code == STATUS_ACCESS_VIOLATION, "access violation caught by __except(EXCEPTION_EXECUTE_HANDLER)");
}

// 2. A filter that looks at the exception and passes it on to an outer __try.
static DWORD seen_code;
static DWORD seen_parameters;
static ULONG_PTR seen_kind;
static ULONG_PTR seen_address;
static int seen_rip_is_the_address;
static int inner_filter_calls;

static int inspecting_filter(DWORD code, EXCEPTION_POINTERS* info)
{
    ++inner_filter_calls;
    seen_code = code;
    seen_parameters = info->ExceptionRecord->NumberParameters;
    seen_kind = info->ExceptionRecord->ExceptionInformation[0];
    seen_address = info->ExceptionRecord->ExceptionInformation[1];
    seen_rip_is_the_address = info->ContextRecord->Rip == (ULONG_PTR)info->ExceptionRecord->ExceptionAddress;
    return EXCEPTION_CONTINUE_SEARCH;
}

static void filter_passes_it_on(void)
{
    int volatile outer = 0;
    __try
    {
        __try
        {
            *BAD_POINTER(0x18) = 2;
        }
        __except (inspecting_filter(GetExceptionCode(), GetExceptionInformation()))
        {
            print("seh: the inner __except ran\n");
        }
    }
    __except (EXCEPTION_EXECUTE_HANDLER)
    {
        outer = 1;
    }
    check(outer == 1 && inner_filter_calls == 1 && seen_code == STATUS_ACCESS_VIOLATION && seen_parameters == 2 &&
              seen_kind == 1 && seen_address == 0x18 && seen_rip_is_the_address,
          "filter sees the code, a write to 0x18 and the context, returns EXCEPTION_CONTINUE_SEARCH, outer __except runs");
}

// 3. __finally blocks: on the normal way out, and while an exception unwinds.
static void finally_blocks(void)
{
    trace_reset();
    __try
    {
        mark('a');
    }
    __finally
    {
        mark(AbnormalTermination() ? 'X' : 'b');
    }
    __try
    {
        __try
        {
            mark('c');
            *BAD_POINTER(0x20) = 3;
            mark('!');
        }
        __finally
        {
            mark(AbnormalTermination() ? 'e' : 'Y');
        }
    }
    __except (mark('d'), EXCEPTION_EXECUTE_HANDLER)
    {
        mark('f');
    }
    check(trace_is("abcdef"), "__finally runs on the normal exit, and after the filter while the stack unwinds");
}

// 4. RaiseException with parameters.
static int raise_record_ok;

static int raise_filter(EXCEPTION_POINTERS* info)
{
    EXCEPTION_RECORD const* r = info->ExceptionRecord;
    raise_record_ok = r->ExceptionCode == 0xE0000001 && r->ExceptionFlags == 0 && r->ExceptionRecord == 0 &&
                      r->NumberParameters == 3 && r->ExceptionInformation[0] == 0x1111 &&
                      r->ExceptionInformation[1] == 0x2222 && r->ExceptionInformation[2] == 0x3333;
    return EXCEPTION_EXECUTE_HANDLER;
}

static void raise_exception_caught(void)
{
    DWORD volatile code = 0;
    __try
    {
        ULONG_PTR const arguments[3] = {0x1111, 0x2222, 0x3333};
        RaiseException(0xE0000001, 0, 3, arguments);
        print("seh: RaiseException returned\n");
    }
    __except (raise_filter(GetExceptionInformation()))
    {
        code = GetExceptionCode();
    }
    check(code == 0xE0000001 && raise_record_ok, "RaiseException(0xe0000001) caught with its 3 parameters");
}

// 5. EXCEPTION_CONTINUE_EXECUTION: after repairing the context, and after
// RaiseException; a non-continuable exception cannot be continued.
static int volatile repaired_target = 0;

static int repairing_filter(EXCEPTION_POINTERS* info)
{
    if (info->ExceptionRecord->ExceptionCode != STATUS_ACCESS_VIOLATION)
    {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    // The write went through a pointer holding the faulting address: point
    // the register that holds it at a real variable and retry the write.
    ULONG_PTR const bad = info->ExceptionRecord->ExceptionInformation[1];
    unsigned long long* registers = &info->ContextRecord->Rax;
    int repaired = 0;
    for (int i = 0; i != 16; ++i)
    {
        if (registers[i] == bad)
        {
            registers[i] = (ULONG_PTR)&repaired_target;
            ++repaired;
        }
    }
    return repaired ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_EXECUTE_HANDLER;
}

static int noncontinuable_ok;

static int noncontinuable_filter(EXCEPTION_POINTERS* info)
{
    EXCEPTION_RECORD const* r = info->ExceptionRecord;
    noncontinuable_ok = r->ExceptionCode == STATUS_NONCONTINUABLE_EXCEPTION && r->ExceptionRecord != 0 &&
                        r->ExceptionRecord->ExceptionCode == 0xE0000003;
    return EXCEPTION_EXECUTE_HANDLER;
}

static void continue_execution(void)
{
    int volatile* volatile pointer = BAD_POINTER(0x28);
    __try
    {
        *pointer = 0x1234;
    }
    __except (repairing_filter(GetExceptionInformation()))
    {
        print("seh: the repairing filter did not repair\n");
    }
    check(repaired_target == 0x1234, "filter repairs the context and returns EXCEPTION_CONTINUE_EXECUTION: the write is retried");

    int volatile returned = 0;
    __try
    {
        RaiseException(0xE0000002, 0, 0, 0);
        returned = 1;
    }
    __except (GetExceptionCode() == 0xE0000002 ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_EXECUTE_HANDLER)
    {
        print("seh: __except ran for a continued exception\n");
    }
    check(returned == 1, "EXCEPTION_CONTINUE_EXECUTION makes RaiseException return");

    DWORD volatile code = 0;
    __try
    {
        __try
        {
            RaiseException(0xE0000003, EXCEPTION_NONCONTINUABLE, 0, 0);
            print("seh: a non-continuable exception was continued\n");
        }
        __except (GetExceptionCode() == 0xE0000003 ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_CONTINUE_SEARCH)
        {
            print("seh: the inner __except ran\n");
        }
    }
    __except (noncontinuable_filter(GetExceptionInformation()))
    {
        code = GetExceptionCode();
    }
    check(code == STATUS_NONCONTINUABLE_EXCEPTION && noncontinuable_ok,
          "continuing a non-continuable exception raises c0000025, chained to it");
}

// 6. A division by zero.
static int volatile zero = 0;

static void divide_by_zero_caught(void)
{
    DWORD volatile code = 0;
    int volatile result = 0;
    __try
    {
        result = 100 / zero;
    }
    __except (GetExceptionCode() == STATUS_INTEGER_DIVIDE_BY_ZERO ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH)
    {
        code = GetExceptionCode();
    }
    check(code == STATUS_INTEGER_DIVIDE_BY_ZERO && result == 0, "integer division by zero caught");
}

// 7. Handlers in called functions: the innermost filter declines, the
// __finally of the middle function runs while the stack unwinds to the
// outermost, whose __except block runs last.
static __declspec(noinline) void level3(void)
{
    __try
    {
        RaiseException(0xE0000004, 0, 0, 0);
    }
    __except (mark('1'), GetExceptionCode() == 0xE0000999 ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH)
    {
        mark('!');
    }
}

static __declspec(noinline) void level2(void)
{
    __try
    {
        level3();
        mark('!');
    }
    __finally
    {
        mark(AbnormalTermination() ? '3' : '?');
    }
}

static __declspec(noinline) void level1(void)
{
    __try
    {
        level2();
        mark('!');
    }
    __except (mark('2'), GetExceptionCode() == 0xE0000004 ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH)
    {
        mark('4');
    }
}

static void nested_functions(void)
{
    trace_reset();
    level1();
    check(trace_is("1234"), "nested __try in called functions: filters inside out, then __finally, then __except");
}

// 8. An exception in a filter: a nested exception. The filter faults the
// first time; the nested access violation is offered to it again (marked
// EXCEPTION_NESTED_CALL), it declines, and the outer __except takes it.
static int faulting_filter_calls;
static int nested_flag_seen;

static int faulting_filter(EXCEPTION_POINTERS* info)
{
    if (++faulting_filter_calls == 1)
    {
        *BAD_POINTER(0x30) = 5;
        return EXCEPTION_EXECUTE_HANDLER;
    }
    nested_flag_seen = info->ExceptionRecord->ExceptionCode == STATUS_ACCESS_VIOLATION &&
                       (info->ExceptionRecord->ExceptionFlags & EXCEPTION_NESTED_CALL) != 0;
    return EXCEPTION_CONTINUE_SEARCH;
}

static void exception_in_a_filter(void)
{
    DWORD volatile code = 0;
    __try
    {
        __try
        {
            RaiseException(0xE0000005, 0, 0, 0);
        }
        __except (faulting_filter(GetExceptionInformation()))
        {
            print("seh: the faulting filter's __except ran\n");
        }
    }
    __except (EXCEPTION_EXECUTE_HANDLER)
    {
        code = GetExceptionCode();
    }
    check(code == STATUS_ACCESS_VIOLATION && faulting_filter_calls == 2 && nested_flag_seen,
          "an exception in a filter is a nested exception; the outer __except takes it");
}

// 9. An exception in a __finally while the stack unwinds for another one,
// taken by an outer __except: the second unwind collides with the first and
// takes over from where it was.
static void exception_in_a_finally(void)
{
    DWORD volatile code = 0;
    trace_reset();
    __try
    {
        __try
        {
            __try
            {
                *BAD_POINTER(0x38) = 6;
            }
            __finally
            {
                mark('f');
                if (AbnormalTermination())
                {
                    RaiseException(0xE0000006, 0, 0, 0);
                }
            }
        }
        __except (mark('m'), GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER
                                                                            : EXCEPTION_CONTINUE_SEARCH)
        {
            mark('!');
        }
    }
    __except (mark('o'), GetExceptionCode() == 0xE0000006 ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH)
    {
        code = GetExceptionCode();
        mark('x');
    }
    check(code == 0xE0000006 && trace_is("mfmox"), "an exception in a __finally during an unwind (a collided unwind)");
}

// With the argument "break": a __debugbreak() in a __try. `g` continues past it
// (WinDbg handles a break instruction itself); `gn` passes it on, and the
// __except block takes it, with the context's Rip at the int 3.
static void break_instruction(void)
{
    __try
    {
        __debugbreak();
        print("seh: continued after the break instruction\n");
    }
    __except (GetExceptionCode() == 0x80000003 &&
                      (ULONG_PTR)(GetExceptionInformation())->ExceptionRecord->ExceptionAddress ==
                          (GetExceptionInformation())->ContextRecord->Rip
                  ? EXCEPTION_EXECUTE_HANDLER
                  : EXCEPTION_CONTINUE_SEARCH)
    {
        print("seh: the __except block took the break instruction\n");
    }
}

static void unhandled(void)
{
    print("seh: an access violation that no handler takes\n");
    *BAD_POINTER(0x40) = 7;
    print("seh: the write did not fault\n");
}

int main(int argc, char** argv)
{
    if (argc > 1 && argv[1][0] == 'u')
    {
        unhandled();
        return 0;
    }
    if (argc > 1 && argv[1][0] == 'b')
    {
        break_instruction();
        return 0;
    }
    access_violation_caught();
    filter_passes_it_on();
    finally_blocks();
    raise_exception_caught();
    continue_execution();
    divide_by_zero_caught();
    nested_functions();
    exception_in_a_filter();
    exception_in_a_finally();
    print("seh: ");
    print_dec((unsigned)passed);
    print(" passed, ");
    print_dec((unsigned)failed);
    print(" failed\n");
    return failed;
}
