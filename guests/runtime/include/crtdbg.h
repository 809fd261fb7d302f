// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// crtdbg.h - the CRT debug heap and debug reporting, as MSVC's crtdbg.h
// declares them (names, constants, signatures and macros).
//
// In a Debug build (_DEBUG), the functions live in ucrtbased.dll, crtlab's
// stand-in for the debug UCRT (guests/runtime/ucrtbased). Without _DEBUG
// the API turns into macros that do nothing, as in MSVC, so a program can
// keep its _CrtSetDbgFlag calls in a Release build.
//
// _CRTDBG_MAP_ALLOC maps malloc, calloc, realloc, free, _msize, _expand,
// _recalloc and _strdup to their _dbg forms with __FILE__ and __LINE__, so
// that leak dumps name the line of each allocation. Include this header
// after <stdlib.h> and <malloc.h>.

#pragma once

#include <corecrt.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void* _HFILE;

// Report types.
#define _CRT_WARN 0
#define _CRT_ERROR 1
#define _CRT_ASSERT 2
#define _CRT_ERRCNT 3

// Report modes: a report can go to a file, to the debugger
// (OutputDebugString) and to a message box, in any combination.
#define _CRTDBG_MODE_FILE 0x1
#define _CRTDBG_MODE_DEBUG 0x2
#define _CRTDBG_MODE_WNDW 0x4
#define _CRTDBG_REPORT_MODE -1

#define _CRTDBG_INVALID_HFILE ((_HFILE)(long long)-1)
#define _CRTDBG_HFILE_ERROR ((_HFILE)(long long)-2)
#define _CRTDBG_FILE_STDOUT ((_HFILE)(long long)-4)
#define _CRTDBG_FILE_STDERR ((_HFILE)(long long)-5)
#define _CRTDBG_REPORT_FILE ((_HFILE)(long long)-6)

// Hooks.
typedef int(__CRTDECL* _CRT_REPORT_HOOK)(int, char*, int*);
typedef int(__CRTDECL* _CRT_REPORT_HOOKW)(int, wchar_t*, int*);

#define _CRT_RPTHOOK_INSTALL 0
#define _CRT_RPTHOOK_REMOVE 1

typedef int(__CRTDECL* _CRT_ALLOC_HOOK)(int, void*, size_t, int, long, unsigned char const*, int);

#define _HOOK_ALLOC 1
#define _HOOK_REALLOC 2
#define _HOOK_FREE 3

// The bits of _crtDbgFlag.
#define _CRTDBG_ALLOC_MEM_DF 0x01      // debug allocation on (default)
#define _CRTDBG_DELAY_FREE_MEM_DF 0x02 // keep freed blocks in the list as _FREE_BLOCK
#define _CRTDBG_CHECK_ALWAYS_DF 0x04   // _CrtCheckMemory at every allocation and free
#define _CRTDBG_RESERVED_DF 0x08
#define _CRTDBG_CHECK_CRT_DF 0x10  // include _CRT_BLOCKs in leak checks and differences
#define _CRTDBG_LEAK_CHECK_DF 0x20 // _CrtDumpMemoryLeaks at exit

// Check frequencies, in the high 16 bits.
#define _CRTDBG_CHECK_EVERY_16_DF 0x00100000
#define _CRTDBG_CHECK_EVERY_128_DF 0x00800000
#define _CRTDBG_CHECK_EVERY_1024_DF 0x04000000
#define _CRTDBG_CHECK_DEFAULT_DF 0

#define _CRTDBG_REPORT_FLAG -1

#define _BLOCK_TYPE(block) (block & 0xFFFF)
#define _BLOCK_SUBTYPE(block) (block >> 16 & 0xFFFF)

// Block types.
#define _FREE_BLOCK 0
#define _NORMAL_BLOCK 1
#define _CRT_BLOCK 2
#define _IGNORE_BLOCK 3
#define _CLIENT_BLOCK 4
#define _MAX_BLOCKS 5

// "Use the type recorded in the block header" (operator delete passes it).
#define _UNKNOWN_BLOCK (-1)

typedef void(__CRTDECL* _CRT_DUMP_CLIENT)(void*, size_t);

struct _CrtMemBlockHeader;

// A snapshot of the debug heap (_CrtMemCheckpoint), or the difference of two
// (_CrtMemDifference). 0x60 bytes on x64.
typedef struct _CrtMemState {
    struct _CrtMemBlockHeader* pBlockHeader;
    size_t lCounts[_MAX_BLOCKS];
    size_t lSizes[_MAX_BLOCKS];
    size_t lHighWaterCount;
    size_t lTotalCount;
} _CrtMemState;

#ifndef _DEBUG

#define _CrtGetAllocHook() ((_CRT_ALLOC_HOOK)0)
#define _CrtSetAllocHook(f) ((_CRT_ALLOC_HOOK)0)
#define _CrtGetDumpClient() ((_CRT_DUMP_CLIENT)0)
#define _CrtSetDumpClient(f) ((_CRT_DUMP_CLIENT)0)
#define _CrtCheckMemory() ((int)1)
#define _CrtDoForAllClientObjects(f, c) ((void)0)
#define _CrtDumpMemoryLeaks() ((int)0)
#define _CrtIsMemoryBlock(p, t, r, f, l) ((int)1)
#define _CrtIsValidHeapPointer(p) ((int)1)
#define _CrtIsValidPointer(p, n, r) ((int)1)
#define _CrtMemCheckpoint(s) ((void)0)
#define _CrtMemDifference(s1, s2, s3) ((int)0)
#define _CrtMemDumpAllObjectsSince(s) ((void)0)
#define _CrtMemDumpStatistics(s) ((void)0)
#define _CrtReportBlockType(p) ((int)-1)
#define _CrtSetBreakAlloc(a) ((long)0)
#define _CrtSetDbgFlag(f) ((int)0)

#define _calloc_dbg(c, s, t, f, l) calloc(c, s)
#define _expand_dbg(p, s, t, f, l) _expand(p, s)
#define _free_dbg(p, t) free(p)
#define _malloc_dbg(s, t, f, l) malloc(s)
#define _msize_dbg(p, t) _msize(p)
#define _realloc_dbg(p, s, t, f, l) realloc(p, s)
#define _recalloc_dbg(p, c, s, t, f, l) _recalloc(p, c, s)

#define _CrtSetReportFile(t, f) ((_HFILE)0)
#define _CrtSetReportMode(t, f) ((int)0)
#define _CrtGetReportHook() ((_CRT_REPORT_HOOK)0)
#define _CrtSetReportHook(f) ((_CRT_REPORT_HOOK)0)
#define _CrtSetReportHook2(t, f) ((int)0)
#define _CrtSetReportHookW2(t, f) ((int)0)

#define _CrtDbgBreak() ((void)0)
#define _ASSERT_EXPR(expr, msg) ((void)0)
#define _ASSERT(expr) ((void)0)
#define _ASSERTE(expr) ((void)0)
#define _RPT0(rptno, msg)
#define _RPTN(rptno, msg, ...)
#define _RPTW0(rptno, msg)
#define _RPTWN(rptno, msg, ...)
#define _RPTF0(rptno, msg)
#define _RPTFN(rptno, msg, ...)
#define _RPTFW0(rptno, msg)
#define _RPTFWN(rptno, msg, ...)

#else // _DEBUG

// The debug heap's flags and break-on-allocation number live in the DLL;
// these return their addresses. (ucrtbased.dll also exports the variables
// themselves, so a debugger can set `ucrtbased!_crtBreakAlloc`.)
_ACRTIMP int* __cdecl __p__crtDbgFlag(void);
_ACRTIMP long* __cdecl __p__crtBreakAlloc(void);
#define _crtDbgFlag (*__p__crtDbgFlag())
#define _crtBreakAlloc (*__p__crtBreakAlloc())

_ACRTIMP _CRT_ALLOC_HOOK __cdecl _CrtGetAllocHook(void);
_ACRTIMP _CRT_ALLOC_HOOK __cdecl _CrtSetAllocHook(_CRT_ALLOC_HOOK new_hook);
_ACRTIMP _CRT_DUMP_CLIENT __cdecl _CrtGetDumpClient(void);
_ACRTIMP _CRT_DUMP_CLIENT __cdecl _CrtSetDumpClient(_CRT_DUMP_CLIENT new_dump_client);

_ACRTIMP int __cdecl _CrtCheckMemory(void);

typedef void(__cdecl* _CrtDoForAllClientObjectsCallback)(void*, void*);
_ACRTIMP void __cdecl _CrtDoForAllClientObjects(_CrtDoForAllClientObjectsCallback callback, void* context);

_ACRTIMP int __cdecl _CrtDumpMemoryLeaks(void);
_ACRTIMP int __cdecl _CrtIsMemoryBlock(void const* block, unsigned int size, long* request_number, char** file_name,
                                       int* line_number);
_ACRTIMP int __cdecl _CrtIsValidHeapPointer(void const* pointer);
_ACRTIMP int __cdecl _CrtIsValidPointer(void const* pointer, unsigned int size, int read_write);
_ACRTIMP void __cdecl _CrtMemCheckpoint(_CrtMemState* state);
_ACRTIMP int __cdecl _CrtMemDifference(_CrtMemState* state, _CrtMemState const* old_state,
                                       _CrtMemState const* new_state);
_ACRTIMP void __cdecl _CrtMemDumpAllObjectsSince(_CrtMemState const* state);
_ACRTIMP void __cdecl _CrtMemDumpStatistics(_CrtMemState const* state);
_ACRTIMP int __cdecl _CrtReportBlockType(void const* block);
_ACRTIMP long __cdecl _CrtSetBreakAlloc(long new_value);
_ACRTIMP int __cdecl _CrtSetDbgFlag(int new_flag);
_ACRTIMP void __cdecl _CrtSetDbgBlockType(void* block, int block_use);
_ACRTIMP int __cdecl _CrtSetCheckCount(int check_count);
_ACRTIMP int __cdecl _CrtGetCheckCount(void);

#ifdef _CRTDBG_MAP_ALLOC
#define calloc(c, s) _calloc_dbg(c, s, _NORMAL_BLOCK, __FILE__, __LINE__)
#define _expand(p, s) _expand_dbg(p, s, _NORMAL_BLOCK, __FILE__, __LINE__)
#define free(p) _free_dbg(p, _NORMAL_BLOCK)
#define malloc(s) _malloc_dbg(s, _NORMAL_BLOCK, __FILE__, __LINE__)
#define _msize(p) _msize_dbg(p, _NORMAL_BLOCK)
#define realloc(p, s) _realloc_dbg(p, s, _NORMAL_BLOCK, __FILE__, __LINE__)
#define _recalloc(p, c, s) _recalloc_dbg(p, c, s, _NORMAL_BLOCK, __FILE__, __LINE__)
#define _strdup(s) _strdup_dbg(s, _NORMAL_BLOCK, __FILE__, __LINE__)
#endif

_ACRTIMP void* __cdecl _calloc_dbg(size_t count, size_t size, int block_use, char const* file_name, int line_number);
_ACRTIMP void* __cdecl _expand_dbg(void* block, size_t size, int block_use, char const* file_name, int line_number);
_ACRTIMP void __cdecl _free_dbg(void* block, int block_use);
_ACRTIMP void* __cdecl _malloc_dbg(size_t size, int block_use, char const* file_name, int line_number);
_ACRTIMP size_t __cdecl _msize_dbg(void* block, int block_use);
_ACRTIMP void* __cdecl _realloc_dbg(void* block, size_t size, int block_use, char const* file_name, int line_number);
_ACRTIMP void* __cdecl _recalloc_dbg(void* block, size_t count, size_t size, int block_use, char const* file_name,
                                     int line_number);
_ACRTIMP void* __cdecl _aligned_malloc_dbg(size_t size, size_t alignment, char const* file_name, int line_number);
_ACRTIMP void* __cdecl _aligned_realloc_dbg(void* block, size_t size, size_t alignment, char const* file_name,
                                            int line_number);
_ACRTIMP void __cdecl _aligned_free_dbg(void* block);
_ACRTIMP size_t __cdecl _aligned_msize_dbg(void* block, size_t alignment, size_t offset);
_ACRTIMP char* __cdecl _strdup_dbg(char const* string, int block_use, char const* file_name, int line_number);
_ACRTIMP wchar_t* __cdecl _wcsdup_dbg(wchar_t const* string, int block_use, char const* file_name, int line_number);

_ACRTIMP int __cdecl _CrtDbgReport(int report_type, char const* file_name, int line_number, char const* module_name,
                                   char const* format, ...);
_ACRTIMP int __cdecl _CrtDbgReportW(int report_type, wchar_t const* file_name, int line_number,
                                    wchar_t const* module_name, wchar_t const* format, ...);
_ACRTIMP int __cdecl _VCrtDbgReportA(int report_type, void* return_address, char const* file_name, int line_number,
                                     char const* module_name, char const* format, va_list arguments);
_ACRTIMP int __cdecl _VCrtDbgReportW(int report_type, void* return_address, wchar_t const* file_name,
                                     int line_number, wchar_t const* module_name, wchar_t const* format,
                                     va_list arguments);

_ACRTIMP _HFILE __cdecl _CrtSetReportFile(int report_type, _HFILE report_file);
_ACRTIMP int __cdecl _CrtSetReportMode(int report_type, int report_mode);
_ACRTIMP _CRT_REPORT_HOOK __cdecl _CrtGetReportHook(void);
_ACRTIMP _CRT_REPORT_HOOK __cdecl _CrtSetReportHook(_CRT_REPORT_HOOK new_hook);
_ACRTIMP int __cdecl _CrtSetReportHook2(int mode, _CRT_REPORT_HOOK new_hook);
_ACRTIMP int __cdecl _CrtSetReportHookW2(int mode, _CRT_REPORT_HOOKW new_hook);
_ACRTIMP size_t __cdecl _CrtSetDebugFillThreshold(size_t new_threshold);
_ACRTIMP size_t __cdecl _CrtGetDebugFillThreshold(void);

#define _CrtDbgBreak() __debugbreak()

#define _ASSERT_EXPR(expr, msg)                                                                                 \
    (void)((!!(expr)) || (1 != _CrtDbgReportW(_CRT_ASSERT, _CRT_WIDE(__FILE__), __LINE__, NULL, L"%ls", msg)) || \
           (_CrtDbgBreak(), 0))
#define _ASSERT(expr) _ASSERT_EXPR((expr), NULL)
#define _ASSERTE(expr) _ASSERT_EXPR((expr), _CRT_WIDE(#expr))

#define _RPT_BASE(...) (void)((1 != _CrtDbgReport(__VA_ARGS__)) || (_CrtDbgBreak(), 0))
#define _RPT_BASE_W(...) (void)((1 != _CrtDbgReportW(__VA_ARGS__)) || (_CrtDbgBreak(), 0))

#define _RPT0(rptno, msg) _RPT_BASE(rptno, NULL, 0, NULL, "%s", msg)
#define _RPTN(rptno, msg, ...) _RPT_BASE(rptno, NULL, 0, NULL, msg, __VA_ARGS__)
#define _RPTW0(rptno, msg) _RPT_BASE_W(rptno, NULL, 0, NULL, L"%ls", msg)
#define _RPTWN(rptno, msg, ...) _RPT_BASE_W(rptno, NULL, 0, NULL, msg, __VA_ARGS__)
#define _RPTF0(rptno, msg) _RPT_BASE(rptno, __FILE__, __LINE__, NULL, "%s", msg)
#define _RPTFN(rptno, msg, ...) _RPT_BASE(rptno, __FILE__, __LINE__, NULL, msg, __VA_ARGS__)
#define _RPTFW0(rptno, msg) _RPT_BASE_W(rptno, _CRT_WIDE(__FILE__), __LINE__, NULL, L"%ls", msg)
#define _RPTFWN(rptno, msg, ...) _RPT_BASE_W(rptno, _CRT_WIDE(__FILE__), __LINE__, NULL, msg, __VA_ARGS__)

#endif // _DEBUG

#define _RPT1 _RPTN
#define _RPT2 _RPTN
#define _RPT3 _RPTN
#define _RPT4 _RPTN
#define _RPT5 _RPTN
#define _RPTF1 _RPTFN
#define _RPTF2 _RPTFN
#define _RPTF3 _RPTFN
#define _RPTF4 _RPTFN
#define _RPTF5 _RPTFN

#ifdef __cplusplus
} // extern "C"

#ifdef _DEBUG
// The debug forms of operator new and delete: the block type, file and line
// go into the block header. They are part of the program (crtlab's
// msvcrtd library, as MSVC's new_debug.cpp is part of msvcrtd.lib), and
// call _malloc_dbg/_free_dbg in the DLL.
void* __CRTDECL operator new(size_t size, int block_use, char const* file_name, int line_number);
void* __CRTDECL operator new[](size_t size, int block_use, char const* file_name, int line_number);
void __CRTDECL operator delete(void* block, int block_use, char const* file_name, int line_number) noexcept;
void __CRTDECL operator delete[](void* block, int block_use, char const* file_name, int line_number) noexcept;
#endif

#endif // __cplusplus
