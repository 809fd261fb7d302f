// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// crt_selftest.cpp - unit tests of crtlab's debug CRT (ucrtbased.dll), run
// as a guest: tests/crt_debug_heap.rs runs it under crtlab and requires
// every line to say PASS.
//
// It checks what a transcript shows only in part: the exact bytes of the
// block header and guards, request numbering, the fill patterns, realloc
// and _expand, ignore blocks, hooks, the check frequency, and the exact
// text of every kind of report, captured with a report hook (which also
// keeps the reports from opening their message boxes). It also checks the
// printf engine against the Microsoft C runtime's output.

#include <crtdbg.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

typedef void(__cdecl* invalid_parameter_handler)(wchar_t const*, wchar_t const*, wchar_t const*, unsigned int,
                                                 uintptr_t);
extern "C" __declspec(dllimport) invalid_parameter_handler __cdecl _set_invalid_parameter_handler(
    invalid_parameter_handler handler);

//-----------------------------------------------------------------------------
// A tiny test framework
//-----------------------------------------------------------------------------

static int failures = 0;
static int checks = 0;

static void check(bool const ok, char const* const name, char const* const detail = "")
{
    ++checks;
    if (ok)
    {
        printf("PASS %s\n", name);
    }
    else
    {
        ++failures;
        printf("FAIL %s %s\n", name, detail);
    }
}

static void check_text(char const* const actual, char const* const expected, char const* const name)
{
    bool const ok = strcmp(actual, expected) == 0;
    ++checks;
    if (ok)
    {
        printf("PASS %s\n", name);
    }
    else
    {
        ++failures;
        printf("FAIL %s\n  expected: [%s]\n  actual:   [%s]\n", name, expected, actual);
    }
}

//-----------------------------------------------------------------------------
// Capturing reports
//-----------------------------------------------------------------------------

static char captured[8192];
static int captured_types = 0; // bit per report type seen

// Takes every report: its text is appended to `captured`, and it counts as
// handled (no output, no message box, no break).
static int __cdecl capture_hook(int const report_type, char* const message, int* const return_value)
{
    strcat_s(captured, sizeof(captured), message);
    captured_types |= 1 << report_type;
    *return_value = 0;
    return TRUE;
}

static void start_capture()
{
    captured[0] = '\0';
    captured_types = 0;
}

static int invalid_parameter_calls = 0;

static void __cdecl count_invalid_parameter(wchar_t const*, wchar_t const*, wchar_t const*, unsigned int, uintptr_t)
{
    ++invalid_parameter_calls;
}

//-----------------------------------------------------------------------------
// The block header, read the way a debugger sees it
//-----------------------------------------------------------------------------

struct header_view
{
    void* next;
    void* prev;
    char const* file_name;
    int line_number;
    int block_use;
    size_t data_size;
    long request_number;
    unsigned char gap[4];
};

static header_view* header_of(void* const block)
{
    return reinterpret_cast<header_view*>(static_cast<unsigned char*>(block) - 0x30);
}

static bool all_bytes(void const* const p, unsigned char const value, size_t const n)
{
    unsigned char const* const b = static_cast<unsigned char const*>(p);
    for (size_t i = 0; i != n; ++i)
    {
        if (b[i] != value)
        {
            return false;
        }
    }
    return true;
}

static char text[1024];

//-----------------------------------------------------------------------------
// Tests
//-----------------------------------------------------------------------------

static void test_layout()
{
    unsigned char* const p = static_cast<unsigned char*>(malloc(8));
    header_view* const h = header_of(p);
    check(sizeof(header_view) == 0x30, "layout: the header is 0x30 bytes");
    check((reinterpret_cast<uintptr_t>(p) & 15) == 0, "layout: the block is 16-byte aligned");
    check(h->block_use == _NORMAL_BLOCK, "layout: malloc makes a normal block");
    check(h->data_size == 8, "layout: _data_size is the requested size");
    check(h->file_name == nullptr && h->line_number == 0, "layout: malloc records no file or line");
    check(h->prev == nullptr, "layout: the newest block has no previous block");
    check(all_bytes(h->gap, 0xFD, 4), "layout: FD FD FD FD before the data");
    check(all_bytes(p, 0xCD, 8), "layout: the data is filled with CD");
    check(all_bytes(p + 8, 0xFD, 4), "layout: FD FD FD FD after the data");
    check(_msize(p) == 8, "layout: _msize gives the requested size");
    long request = 0;
    check(_CrtIsMemoryBlock(p, 8, &request, nullptr, nullptr) && request == h->request_number,
          "layout: _CrtIsMemoryBlock finds the request number");
    check(!_CrtIsMemoryBlock(p, 9, nullptr, nullptr, nullptr), "layout: _CrtIsMemoryBlock checks the size");
    check(_CrtIsValidHeapPointer(p), "layout: _CrtIsValidHeapPointer accepts a heap block");
    int local = 0;
    check(!_CrtIsValidHeapPointer(&local + 16), "layout: _CrtIsValidHeapPointer refuses a stack address");
    check(_CrtReportBlockType(p) == _NORMAL_BLOCK, "layout: _CrtReportBlockType");
    free(p);

    char* const q = static_cast<char*>(_malloc_dbg(3, _NORMAL_BLOCK, "where.cpp", 42));
    char* file = nullptr;
    int line = 0;
    check(_CrtIsMemoryBlock(q, 3, nullptr, &file, &line) && strcmp(file, "where.cpp") == 0 && line == 42,
          "layout: _malloc_dbg records the file and line");
    free(q);
}

static void test_request_numbers()
{
    void* const a = malloc(1);
    void* const b = malloc(1);
    long ra = header_of(a)->request_number;
    long rb = header_of(b)->request_number;
    check(rb == ra + 1, "requests: consecutive allocations get consecutive numbers");
    check(header_of(a)->prev == header_of(b) && header_of(b)->next == header_of(a),
          "requests: the newest block is at the head of the list");

    errno = 0;
    void* const huge = malloc(SIZE_MAX - 8);
    check(huge == nullptr && errno == ENOMEM, "requests: an impossible size fails with ENOMEM");
    void* const c = malloc(1);
    check(header_of(c)->request_number == rb + 1, "requests: a failed allocation uses no number");

    free(a);
    void* const d = malloc(1);
    check(header_of(d)->request_number == rb + 2, "requests: free uses no number");
    free(b);
    free(c);
    free(d);
}

static void test_calloc_realloc_expand()
{
    unsigned char* const z = static_cast<unsigned char*>(calloc(3, 5));
    check(all_bytes(z, 0, 15) && all_bytes(z + 15, 0xFD, 4), "calloc: exactly count*size bytes are zeroed");
    free(z);

    unsigned char* p = static_cast<unsigned char*>(malloc(4));
    memcpy(p, "abcd", 4);
    long const before = header_of(p)->request_number;
    p = static_cast<unsigned char*>(realloc(p, 12));
    check(memcmp(p, "abcd", 4) == 0, "realloc: the data is kept");
    check(all_bytes(p + 4, 0xCD, 8) && all_bytes(p + 12, 0xFD, 4), "realloc: the new part is CD, then FD");
    check(header_of(p)->request_number > before && header_of(p)->data_size == 12,
          "realloc: the block gets a new request number and size");
    _CrtMemState state;
    _CrtMemCheckpoint(&state);
    check(state.pBlockHeader == reinterpret_cast<_CrtMemBlockHeader*>(header_of(p)), "realloc: the block is newest");
    p = static_cast<unsigned char*>(realloc(p, 2));
    check(header_of(p)->data_size == 2 && all_bytes(p + 2, 0xFD, 4), "realloc: shrinking moves the guard");
    void* const same = _expand(p, 2);
    check(same == p, "_expand: a block stays where it is");
    check(realloc(p, 0) == nullptr, "realloc: size 0 frees");

    void* const r = _recalloc(nullptr, 2, 4);
    check(r != nullptr && all_bytes(r, 0, 8), "_recalloc: zeroed");
    free(r);
}

static void test_fills_and_delay_free()
{
    int const old_flags = _CrtSetDbgFlag(_CRTDBG_REPORT_FLAG);
    check(old_flags == _CRTDBG_ALLOC_MEM_DF, "flags: the default is _CRTDBG_ALLOC_MEM_DF");
    check(_CrtSetDbgFlag(old_flags | _CRTDBG_DELAY_FREE_MEM_DF) == old_flags, "flags: _CrtSetDbgFlag returns the old flags");

    _CrtMemState s1;
    _CrtMemCheckpoint(&s1);
    unsigned char* const p = static_cast<unsigned char*>(malloc(6));
    free(p);
    check(header_of(p)->block_use == _FREE_BLOCK, "delay free: the block becomes a free block");
    check(all_bytes(p, 0xDD, 6), "delay free: the data is filled with DD");
    check(all_bytes(p + 6, 0xFD, 4), "delay free: the guards stay");
    _CrtMemState s2;
    _CrtMemCheckpoint(&s2);
    check(s2.lCounts[_FREE_BLOCK] == s1.lCounts[_FREE_BLOCK] + 1 && s2.lSizes[_FREE_BLOCK] == s1.lSizes[_FREE_BLOCK] + 6,
          "delay free: checkpoints count free blocks");
    check(_CrtCheckMemory(), "delay free: an untouched free block passes the check");

    start_capture();
    p[2] = 0;
    check(!_CrtCheckMemory(), "delay free: a write to a free block fails the check");
    sprintf_s(text, sizeof(text),
              "HEAP CORRUPTION DETECTED: on top of Free block at 0x%p.\n"
              "CRT detected that the application wrote to a heap buffer that was freed.\n"
              "DAMAGED located at 0x%p is 6 bytes long.\n",
              static_cast<void*>(p), static_cast<void*>(p));
    // "DAMAGED", not "Free": as in Microsoft's CRT, the statistics line names
    // the type only if it is a valid type for an allocated block.
    check_text(captured, text, "delay free: the report text");
    check(captured_types == 1 << _CRT_WARN, "delay free: the check reports with _CRT_WARN");
    p[2] = 0xDD;

    _CrtSetDbgFlag(old_flags);
}

static void test_ignore_blocks()
{
    int const old_flags = _CrtSetDbgFlag(_CRTDBG_REPORT_FLAG);
    _CrtMemState s1;
    _CrtMemCheckpoint(&s1);
    void* const first = malloc(1);
    long const next = header_of(first)->request_number + 1;
    _CrtSetDbgFlag(old_flags & ~_CRTDBG_ALLOC_MEM_DF);
    unsigned char* const p = static_cast<unsigned char*>(malloc(5));
    header_view* const h = header_of(p);
    check(h->block_use == _IGNORE_BLOCK && h->request_number == 0 && h->line_number == static_cast<int>(0xFEDCBABC),
          "ignore: with ALLOC_MEM_DF off, blocks are ignore blocks");
    check(h->next == nullptr && h->prev == nullptr, "ignore: ignore blocks are not linked");
    check(all_bytes(h->gap, 0xFD, 4) && all_bytes(p, 0xCD, 5) && all_bytes(p + 5, 0xFD, 4),
          "ignore: ignore blocks still get guards and fill");
    void* const crt = _malloc_dbg(1, _CRT_BLOCK, nullptr, 0);
    check(header_of(crt)->block_use == _CRT_BLOCK, "ignore: CRT blocks are never ignored");
    _CrtSetDbgFlag(old_flags);
    void* const after = malloc(1);
    check(header_of(after)->request_number == next + 2, "ignore: ignore blocks use request numbers");
    free(p);
    _free_dbg(crt, _CRT_BLOCK);
    free(after);
    free(first);
    _CrtMemState s2;
    _CrtMemState d;
    _CrtMemCheckpoint(&s2);
    check(!_CrtMemDifference(&d, &s1, &s2), "ignore: everything was freed");
}

static void test_corruption_reports()
{
    start_capture();
    unsigned char* const p = static_cast<unsigned char*>(malloc(8));
    long const request = header_of(p)->request_number;
    p[8] = 'X';
    check(!_CrtCheckMemory(), "corruption: _CrtCheckMemory finds an overrun");
    sprintf_s(text, sizeof(text),
              "HEAP CORRUPTION DETECTED: after Normal block (#%ld) at 0x%p.\n"
              "CRT detected that the application wrote to memory after end of heap buffer.\n"
              "Normal located at 0x%p is 8 bytes long.\n",
              request, static_cast<void*>(p), static_cast<void*>(p));
    check_text(captured, text, "corruption: _CrtCheckMemory report after");

    start_capture();
    free(p);
    sprintf_s(text, sizeof(text),
              "HEAP CORRUPTION DETECTED: after Normal block (#%ld) at 0x%p.\n"
              "CRT detected that the application wrote to memory after end of heap buffer.\n",
              request, static_cast<void*>(p));
    check_text(captured, text, "corruption: free report after");
    check(captured_types == 1 << _CRT_ERROR, "corruption: free reports with _CRT_ERROR");

    start_capture();
    char* const q = static_cast<char*>(_malloc_dbg(4, _CLIENT_BLOCK | (7 << 16), "client.cpp", 9));
    long const q_request = header_of(q)->request_number;
    q[-1] = 0;
    _free_dbg(q, _CLIENT_BLOCK | (7 << 16));
    sprintf_s(text, sizeof(text),
              "HEAP CORRUPTION DETECTED: before Client block (#%ld) at 0x%p.\n"
              "CRT detected that the application wrote to memory before start of heap buffer.\n"
              "\nMemory allocated at client.cpp(9).\n",
              q_request, static_cast<void*>(q));
    check_text(captured, text, "corruption: free report before, with file and line");

    start_capture();
    void* const clean = malloc(1);
    check(clean != nullptr && _CrtCheckMemory() && captured[0] == '\0', "corruption: the heap is clean again");
    free(clean);
}

static void test_dumps()
{
    _CrtMemState s1;
    _CrtMemCheckpoint(&s1);
    char* const a = static_cast<char*>(_malloc_dbg(20, _NORMAL_BLOCK, "dump.cpp", 5));
    strcpy_s(a, 20, "Hello\x01world");
    unsigned char* const b = static_cast<unsigned char*>(malloc(3));
    void* const c = _malloc_dbg(2, _CLIENT_BLOCK | (0x12 << 16), nullptr, 0);
    memset(c, 'z', 2);

    start_capture();
    _CrtMemDumpAllObjectsSince(&s1);
    sprintf_s(text, sizeof(text),
              "Dumping objects ->\n"
              "{%ld} client block at 0x%p, subtype 12, 2 bytes long.\n"
              " Data: <zz> 7A 7A \n"
              "{%ld} normal block at 0x%p, 3 bytes long.\n"
              " Data: <   > CD CD CD \n"
              "dump.cpp(5) : {%ld} normal block at 0x%p, 20 bytes long.\n"
              " Data: <Hello world     > 48 65 6C 6C 6F 01 77 6F 72 6C 64 00 CD CD CD CD \n"
              "Object dump complete.\n",
              header_of(c)->request_number, c, header_of(b)->request_number, static_cast<void*>(b),
              header_of(a)->request_number, static_cast<void*>(a));
    check_text(captured, text, "dumps: _CrtMemDumpAllObjectsSince");

    _CrtMemState s2;
    _CrtMemState d;
    _CrtMemCheckpoint(&s2);
    check(_CrtMemDifference(&d, &s1, &s2), "dumps: _CrtMemDifference sees the new blocks");
    start_capture();
    _CrtMemDumpStatistics(&d);
    sprintf_s(text, sizeof(text),
              "0 bytes in 0 Free Blocks.\n"
              "23 bytes in 2 Normal Blocks.\n"
              "0 bytes in 0 CRT Blocks.\n"
              "0 bytes in 0 Ignore Blocks.\n"
              "2 bytes in 1 Client Blocks.\n"
              "Largest number used: %Id bytes.\n"
              "Total allocations: 25 bytes.\n",
              d.lHighWaterCount);
    check_text(captured, text, "dumps: _CrtMemDumpStatistics");

    int clients = 0;
    _CrtDoForAllClientObjects([](void*, void* context) { ++*static_cast<int*>(context); }, &clients);
    check(clients == 1, "dumps: _CrtDoForAllClientObjects visits the client block");

    start_capture();
    check(_CrtDumpMemoryLeaks() == TRUE, "dumps: _CrtDumpMemoryLeaks finds the blocks");
    check(strncmp(captured, "Detected memory leaks!\nDumping objects ->\n{", 43) == 0,
          "dumps: the leak dump starts with its header");
    free(a);
    free(b);
    _free_dbg(c, _CLIENT_BLOCK);
    start_capture();
    check(_CrtDumpMemoryLeaks() == FALSE && captured[0] == '\0', "dumps: no leaks, no output");

    // CRT blocks count only with _CRTDBG_CHECK_CRT_DF.
    _CrtMemState s3;
    _CrtMemCheckpoint(&s3);
    check(s3.lCounts[_CRT_BLOCK] > 0, "dumps: the CRT's own blocks are in the list");
    int const flags = _CrtSetDbgFlag(_CRTDBG_REPORT_FLAG);
    _CrtSetDbgFlag(flags | _CRTDBG_CHECK_CRT_DF);
    start_capture();
    check(_CrtDumpMemoryLeaks() == TRUE && strstr(captured, "crt block at 0x") != nullptr,
          "dumps: with CHECK_CRT_DF the CRT's blocks are leaks");
    _CrtSetDbgFlag(flags);
}

static int hook_calls = 0;
static int hook_last_type = 0;

static int __cdecl refusing_alloc_hook(int const type, void*, size_t, int, long, unsigned char const*, int)
{
    ++hook_calls;
    hook_last_type = type;
    return type != _HOOK_ALLOC;
}

static void test_hooks_and_flags()
{
    _CrtSetAllocHook(refusing_alloc_hook);
    start_capture();
    void* const p = malloc(4);
    check(p == nullptr && hook_calls == 1 && hook_last_type == _HOOK_ALLOC, "hooks: an alloc hook can refuse");
    check_text(captured, "Client hook allocation failure.\n", "hooks: the refusal is reported");
    start_capture();
    void* const q = _malloc_dbg(4, _NORMAL_BLOCK, "h.cpp", 3);
    check_text(captured, "Client hook allocation failure at file h.cpp line 3.\n", "hooks: with file and line");
    (void)q;
    _CrtSetAllocHook(nullptr);
    void* const r = malloc(4);
    _CrtSetAllocHook(refusing_alloc_hook);
    free(r);
    check(hook_last_type == _HOOK_FREE, "hooks: the hook sees frees");
    _CrtSetAllocHook(nullptr);

    check(_CrtSetBreakAlloc(12345) == -1 && _CrtSetBreakAlloc(-1) == 12345, "flags: _CrtSetBreakAlloc returns the old value");
    check(*__p__crtBreakAlloc() == -1, "flags: _crtBreakAlloc is -1 by default");

    // An invalid flag is an invalid parameter: first an assertion (taken by
    // the hook here), then the handler.
    _set_invalid_parameter_handler(count_invalid_parameter);
    start_capture();
    errno = 0;
    int const current = _CrtSetDbgFlag(_CRTDBG_REPORT_FLAG);
    check(_CrtSetDbgFlag(0x100) == current && errno == EINVAL && invalid_parameter_calls == 1,
          "flags: an unknown flag is refused");
    check(captured_types == 1 << _CRT_ASSERT && strstr(captured, "Assertion failed: ") != nullptr,
          "flags: the refusal asserts first");
    _set_invalid_parameter_handler(nullptr);

    // Every 16th heap call checks the heap.
    unsigned char* const damaged = static_cast<unsigned char*>(malloc(1));
    damaged[1] = 0;
    _CrtSetDbgFlag(current | _CRTDBG_CHECK_EVERY_16_DF);
    start_capture();
    void* blocks[15];
    for (int i = 0; i != 15; ++i)
    {
        blocks[i] = malloc(1);
    }
    check(captured[0] == '\0', "flags: no check in the first 15 calls");
    void* const sixteenth = malloc(1);
    check(strstr(captured, "HEAP CORRUPTION DETECTED: after Normal block") != nullptr &&
              (captured_types & (1 << _CRT_ASSERT)) != 0,
          "flags: the 16th call checks and asserts");
    _CrtSetDbgFlag(current);
    damaged[1] = 0xFD;
    free(damaged);
    free(sixteenth);
    for (void* b : blocks)
    {
        free(b);
    }
}

static void test_reports()
{
    int const old_mode = _CrtSetReportMode(_CRT_ASSERT, _CRTDBG_REPORT_MODE);
    check(old_mode == _CRTDBG_MODE_WNDW, "reports: asserts open a window by default");
    check(_CrtSetReportMode(_CRT_WARN, _CRTDBG_REPORT_MODE) == _CRTDBG_MODE_DEBUG, "reports: warnings go to the debugger");

    start_capture();
    _CrtDbgReport(_CRT_WARN, "file.c", 12, nullptr, "x=%d\n", 5);
    check_text(captured, "file.c(12) : x=5\n", "reports: file and line come first");
    start_capture();
    _CrtDbgReport(_CRT_ASSERT, "file.c", 13, nullptr, "%s", "p != 0");
    check_text(captured, "file.c(13) : Assertion failed: p != 0\n", "reports: assertions");
    start_capture();
    _CrtDbgReportW(_CRT_WARN, nullptr, 0, nullptr, L"%ls %d\n", L"wide", 7);
    check_text(captured, "wide 7\n", "reports: wide reports");
}

static void test_printf()
{
    char b[128];
#define T(expected, ...)                       \
    sprintf_s(b, sizeof(b), __VA_ARGS__);      \
    check_text(b, expected, "printf: " #__VA_ARGS__)

    T("-5|00042|  042|2a    |0x2a|052|+7| 7", "%d|%05d|%5.3d|%-6x|%#x|%#o|%+d|% d", -5, 42, 42, 42, 42, 42, 7, 7);
    T("0000000012345678|00000000DEADBEEF", "%p|%p", reinterpret_cast<void*>(0x12345678), reinterpret_cast<void*>(0xdeadbeefull));
    T("18446744073709551615|-9223372036854775808|4294967295", "%Iu|%lld|%u", SIZE_MAX, -9223372036854775807ll - 1, 0xffffffffu);
    T("-1|255|65535|ffff", "%hhd|%hhu|%hu|%hx", 255, 255, -1, 0x1ffff);
    T("(null)|ab|  abc|abc  |x|wide|%", "%s|%.2s|%5s|%-5s|%c|%ls|%%", static_cast<char*>(nullptr), "abc", "abc", "abc", 'x', L"wide");
    T("3.141590|3.14|   3.142|3.14159", "%f|%.2f|%8.3f|%g", 3.14159, 3.14159, 3.14159, 3.14159);
    T("0|2|2|-0|0.001", "%.0f|%.0f|%.0f|%.0f|%.3f", 0.5, 1.5, 2.5, -0.4, 0.0005);
    T("1.234568e+04|1.234568E-05|1e+100", "%e|%E|%.0e", 12345.678, 0.000012345678, 1e100);
    T("0.0001|1e-05|1.23457e+08|100000|1e+06|0.5", "%g|%g|%g|%g|%g|%g", 0.0001, 0.00001, 123456789.0, 100000.0, 1000000.0, 0.5);
    T("0.10000000000000000555|0.3000000000000000444", "%.20f|%.19f", 0.1, 0.1 + 0.2);
    T("0x1.0000000000000p+0|0x1.8p+1|-0x1.999999999999ap-4", "%a|%.1a|%a", 1.0, 3.0, -0.1);
    T("inf|-inf|nan|-nan(ind)|INF", "%f|%f|%f|%f|%F", __builtin_inf(), -__builtin_inf(), __builtin_nan(""), -__builtin_nan(""), __builtin_inf());
    T("+1.50|  -2.2|0001.5|2.4", "%+.2f|%6.1f|%06.1f|%.1f", 1.5, -2.25, 1.5, 2.35);
    T("123456789012345683968.000000", "%f", 123456789012345678901.0);
#undef T

    char small[4];
    check(_snprintf(small, sizeof(small), "%s", "abcdef") == -1, "printf: _snprintf returns -1 when it truncates");
    check(snprintf(small, sizeof(small), "%s", "abcdef") == 6 && strcmp(small, "abc") == 0,
          "printf: snprintf returns the full length and terminates");
    check(sprintf(b, "%d", 123) == 3 && strcmp(b, "123") == 0, "printf: sprintf");
}

static void test_conversions()
{
    char* end = nullptr;
    check(strtol("  -0x1fz", &end, 0) == -31 && *end == 'z', "convert: strtol base 0 hex");
    check(strtol("0777", nullptr, 0) == 511, "convert: strtol base 0 octal");
    errno = 0;
    check(strtol("99999999999", nullptr, 10) == 2147483647 && errno == ERANGE, "convert: strtol overflow");
    check(strtoul("-1", nullptr, 10) == 4294967295ul, "convert: strtoul of a negative number");
    check(atoi("42abc") == 42, "convert: atoi");
    char digits[40];
    check(_itoa_s(-255, digits, sizeof(digits), 10) == 0 && strcmp(digits, "-255") == 0, "convert: _itoa_s decimal");
    check(_itoa_s(-1, digits, sizeof(digits), 16) == 0 && strcmp(digits, "ffffffff") == 0, "convert: _itoa_s hex");
    char buffer[8];
    check(strcpy_s(buffer, sizeof(buffer), "1234567") == 0 && strcat_s(buffer, sizeof(buffer), "") == 0,
          "convert: strcpy_s and strcat_s that fit");
}

extern "C" __declspec(dllimport) HMODULE __cdecl __vcrt_LoadLibraryExW(wchar_t const* name, HANDLE file, DWORD flags);

// The KERNEL32 functions behind the report window and the __vcrt_* wrappers.
static void test_modules()
{
    HMODULE const ucrt = GetModuleHandleW(L"ucrtbased.dll");
    HMODULE from_address = nullptr;
    check(ucrt != nullptr && GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                                                reinterpret_cast<LPCWSTR>(&malloc), &from_address) &&
              from_address == ucrt,
          "modules: GetModuleHandleExW finds the DLL that contains an address");
    check(__vcrt_LoadLibraryExW(L"UCRTBASED", nullptr, 0) == ucrt, "modules: LoadLibraryExW of a loaded DLL");
    check(__vcrt_LoadLibraryExW(L"dbghelp.dll", nullptr, 0) == nullptr && GetLastError() == ERROR_MOD_NOT_FOUND,
          "modules: LoadLibraryExW of any other DLL fails");
    check(FreeLibrary(ucrt), "modules: FreeLibrary");
}

static void test_aligned()
{
    unsigned char* const p = static_cast<unsigned char*>(_aligned_malloc(40, 64));
    check((reinterpret_cast<uintptr_t>(p) & 63) == 0, "aligned: the block is aligned");
    check(all_bytes(p - 8, 0xED, 8), "aligned: ED ED ... below the block");
    check(_aligned_msize(p, 64, 0) == 40, "aligned: _aligned_msize");
    _aligned_free(p);
}

int main()
{
    _CrtSetReportHook2(_CRT_RPTHOOK_INSTALL, capture_hook);

    test_layout();
    test_request_numbers();
    test_calloc_realloc_expand();
    test_fills_and_delay_free();
    test_ignore_blocks();
    test_corruption_reports();
    test_dumps();
    test_hooks_and_flags();
    test_reports();
    test_printf();
    test_conversions();
    test_aligned();
    test_modules();

    _CrtSetReportHook2(_CRT_RPTHOOK_REMOVE, capture_hook);
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
