// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// windows.h - the few Win32 declarations that crtlab's guests use.
//
// crtlab builds its guests without the Windows SDK. This header declares,
// with the SDK's names and x64 signatures, exactly the KERNEL32.dll functions
// that the emulator implements (see guests/README.md). A guest that wants
// anything else has to declare it itself, which keeps the list honest: a call
// to an API that crtlab lacks stops the session with an "unimplemented API"
// event instead of working by accident.

#pragma once

#include <stddef.h>

typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned short WORD;
typedef unsigned long DWORD;
typedef long LONG;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG;
typedef unsigned long long SIZE_T;
typedef unsigned long long ULONG_PTR;
typedef void* HANDLE;
typedef void* LPVOID;
typedef void const* LPCVOID;
typedef char* LPSTR;
typedef wchar_t WCHAR;
typedef WCHAR const* LPCWSTR;
typedef DWORD* LPDWORD;
typedef struct HINSTANCE__* HMODULE;

#define WINAPI __stdcall
#define TRUE 1
#define FALSE 0

#define STD_INPUT_HANDLE ((DWORD)-10)
#define STD_OUTPUT_HANDLE ((DWORD)-11)
#define STD_ERROR_HANDLE ((DWORD)-12)
#define INVALID_HANDLE_VALUE ((HANDLE)(LONGLONG)-1)

// Heap flags accepted by HeapAlloc, HeapReAlloc and HeapFree.
#define HEAP_NO_SERIALIZE 0x00000001
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#define HEAP_ZERO_MEMORY 0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010

typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME, *LPFILETIME;

typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER;

typedef struct _OVERLAPPED OVERLAPPED, *LPOVERLAPPED;

typedef char const* LPCSTR;
typedef WCHAR* LPWSTR;
typedef long long (WINAPI* FARPROC)(void);

#ifdef __cplusplus
extern "C" {
#endif

__declspec(dllimport) HANDLE WINAPI GetProcessHeap(void);
__declspec(dllimport) LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes);
__declspec(dllimport) BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem);
__declspec(dllimport) LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes);
__declspec(dllimport) SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);

__declspec(dllimport) __declspec(noreturn) void WINAPI ExitProcess(unsigned int uExitCode);
__declspec(dllimport) LPSTR WINAPI GetCommandLineA(void);
__declspec(dllimport) HMODULE WINAPI GetModuleHandleW(LPCWSTR lpModuleName);

__declspec(dllimport) HANDLE WINAPI GetStdHandle(DWORD nStdHandle);
__declspec(dllimport) BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                                            LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped);

__declspec(dllimport) BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER* lpPerformanceCount);
__declspec(dllimport) void WINAPI GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
__declspec(dllimport) DWORD WINAPI GetCurrentProcessId(void);
__declspec(dllimport) DWORD WINAPI GetCurrentThreadId(void);
__declspec(dllimport) DWORD WINAPI GetTickCount(void);

// Used by crtlab's DLL runtime (ucrtbased.dll, VCRUNTIME140D.dll).
#define MAX_PATH 260
#define GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT 0x00000002
#define GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS 0x00000004
#define PF_FASTFAIL_AVAILABLE 23
#define FILE_TYPE_UNKNOWN 0x0000
#define FILE_TYPE_DISK 0x0001
#define FILE_TYPE_CHAR 0x0002
#define FILE_TYPE_PIPE 0x0003
#define DLL_PROCESS_DETACH 0
#define DLL_PROCESS_ATTACH 1
#define DLL_THREAD_ATTACH 2
#define DLL_THREAD_DETACH 3
#define ERROR_MOD_NOT_FOUND 126L
#define MEM_COMMIT 0x00001000
#define PAGE_NOACCESS 0x01
#define PAGE_GUARD 0x100

typedef struct _MEMORY_BASIC_INFORMATION {
    LPVOID BaseAddress;
    LPVOID AllocationBase;
    DWORD AllocationProtect;
    WORD PartitionId;
    SIZE_T RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
} MEMORY_BASIC_INFORMATION;

__declspec(dllimport) SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, MEMORY_BASIC_INFORMATION* lpBuffer,
                                                 SIZE_T dwLength);

__declspec(dllimport) BOOL WINAPI HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);
__declspec(dllimport) void WINAPI OutputDebugStringA(LPCSTR lpOutputString);
__declspec(dllimport) void WINAPI OutputDebugStringW(LPCWSTR lpOutputString);
__declspec(dllimport) BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                                           LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped);
__declspec(dllimport) DWORD WINAPI GetFileType(HANDLE hFile);
__declspec(dllimport) HANDLE WINAPI GetCurrentProcess(void);
__declspec(dllimport) BOOL WINAPI TerminateProcess(HANDLE hProcess, unsigned int uExitCode);
__declspec(dllimport) DWORD WINAPI GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize);
__declspec(dllimport) DWORD WINAPI GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize);
__declspec(dllimport) BOOL WINAPI GetModuleHandleExW(DWORD dwFlags, LPCWSTR lpModuleName, HMODULE* phModule);
__declspec(dllimport) HMODULE WINAPI LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags);
__declspec(dllimport) BOOL WINAPI FreeLibrary(HMODULE hLibModule);
__declspec(dllimport) FARPROC WINAPI GetProcAddress(HMODULE hModule, LPCSTR lpProcName);
__declspec(dllimport) LPWSTR WINAPI GetCommandLineW(void);
__declspec(dllimport) LPWSTR WINAPI GetEnvironmentStringsW(void);
__declspec(dllimport) BOOL WINAPI FreeEnvironmentStringsW(LPWSTR penv);
__declspec(dllimport) BOOL WINAPI IsDebuggerPresent(void);
__declspec(dllimport) BOOL WINAPI IsProcessorFeaturePresent(DWORD ProcessorFeature);
__declspec(dllimport) DWORD WINAPI GetLastError(void);
__declspec(dllimport) void WINAPI SetLastError(DWORD dwErrCode);
__declspec(dllimport) BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER* lpFrequency);

#ifdef __cplusplus
}
#endif
