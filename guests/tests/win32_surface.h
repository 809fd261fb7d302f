// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// win32_surface.h - the KERNEL32 declarations win32_surface.c needs beyond
// crtlab's <windows.h> (the functions and structures as the Windows SDK
// declares them, x64 layouts). The import library comes from
// kernel32_surface.def.

#pragma once

#include <windows.h>

typedef unsigned int UINT;
typedef unsigned short USHORT;
typedef unsigned char BOOLEAN;
typedef unsigned long long DWORD64;
typedef long long LPARAM;
typedef DWORD(WINAPI* PFLS_CALLBACK_FUNCTION)(void*);

typedef struct _RTL_CRITICAL_SECTION {
    void* DebugInfo;
    LONG LockCount;
    LONG RecursionCount;
    HANDLE OwningThread;
    HANDLE LockSemaphore;
    ULONG_PTR SpinCount;
} CRITICAL_SECTION;

typedef union _INIT_ONCE { void* Ptr; } INIT_ONCE;
typedef BOOL(WINAPI* PINIT_ONCE_FN)(INIT_ONCE* InitOnce, void* Parameter, void** Context);
typedef struct _RTL_SRWLOCK { void* Ptr; } SRWLOCK;

typedef struct __declspec(align(16)) _SLIST_ENTRY { struct _SLIST_ENTRY* Next; } SLIST_ENTRY;
typedef union __declspec(align(16)) _SLIST_HEADER { struct { ULONGLONG Alignment; ULONGLONG Region; } s; } SLIST_HEADER;

typedef struct _CPINFO {
    UINT MaxCharSize;
    BYTE DefaultChar[2];
    BYTE LeadByte[12];
} CPINFO;

typedef struct _SYSTEM_INFO {
    WORD wProcessorArchitecture;
    WORD wReserved;
    DWORD dwPageSize;
    void* lpMinimumApplicationAddress;
    void* lpMaximumApplicationAddress;
    ULONG_PTR dwActiveProcessorMask;
    DWORD dwNumberOfProcessors;
    DWORD dwProcessorType;
    DWORD dwAllocationGranularity;
    WORD wProcessorLevel;
    WORD wProcessorRevision;
} SYSTEM_INFO;

typedef struct _OSVERSIONINFOEXW {
    DWORD dwOSVersionInfoSize;
    DWORD dwMajorVersion;
    DWORD dwMinorVersion;
    DWORD dwBuildNumber;
    DWORD dwPlatformId;
    WCHAR szCSDVersion[128];
    WORD wServicePackMajor;
    WORD wServicePackMinor;
    WORD wSuiteMask;
    BYTE wProductType;
    BYTE wReserved;
} OSVERSIONINFOEXW;

typedef struct _SYSTEMTIME {
    WORD wYear;
    WORD wMonth;
    WORD wDayOfWeek;
    WORD wDay;
    WORD wHour;
    WORD wMinute;
    WORD wSecond;
    WORD wMilliseconds;
} SYSTEMTIME;

typedef struct _TIME_ZONE_INFORMATION {
    LONG Bias;
    WCHAR StandardName[32];
    SYSTEMTIME StandardDate;
    LONG StandardBias;
    WCHAR DaylightName[32];
    SYSTEMTIME DaylightDate;
    LONG DaylightBias;
} TIME_ZONE_INFORMATION;

typedef struct _RUNTIME_FUNCTION {
    DWORD BeginAddress;
    DWORD EndAddress;
    DWORD UnwindData;
} RUNTIME_FUNCTION;

// CONTEXT is 0x4d0 bytes, 16-byte aligned; the fields used here by offset.
typedef struct __declspec(align(16)) _CONTEXT { unsigned char bytes[0x4d0]; } CONTEXT;
#define CONTEXT_FLAGS(c) (*(DWORD*)((c)->bytes + 0x30))
#define CONTEXT_RSP(c) (*(DWORD64*)((c)->bytes + 0x98))
#define CONTEXT_RBX(c) (*(DWORD64*)((c)->bytes + 0x90))
#define CONTEXT_RIP(c) (*(DWORD64*)((c)->bytes + 0xf8))

typedef struct _EXCEPTION_RECORD {
    DWORD ExceptionCode;
    DWORD ExceptionFlags;
    struct _EXCEPTION_RECORD* ExceptionRecord;
    void* ExceptionAddress;
    DWORD NumberParameters;
    ULONG_PTR ExceptionInformation[15];
} EXCEPTION_RECORD;

typedef struct _EXCEPTION_POINTERS {
    EXCEPTION_RECORD* ExceptionRecord;
    CONTEXT* ContextRecord;
} EXCEPTION_POINTERS;
typedef LONG(WINAPI* LPTOP_LEVEL_EXCEPTION_FILTER)(EXCEPTION_POINTERS*);

void* _AddressOfReturnAddress(void);

#define DECL __declspec(dllimport)
DECL void WINAPI InitializeSListHead(SLIST_HEADER* ListHead);
DECL SLIST_ENTRY* WINAPI InterlockedPushEntrySList(SLIST_HEADER* ListHead, SLIST_ENTRY* ListEntry);
DECL SLIST_ENTRY* WINAPI InterlockedPopEntrySList(SLIST_HEADER* ListHead);
DECL SLIST_ENTRY* WINAPI InterlockedFlushSList(SLIST_HEADER* ListHead);
DECL USHORT WINAPI QueryDepthSList(SLIST_HEADER* ListHead);
DECL void* WINAPI EncodePointer(void* Ptr);
DECL void* WINAPI DecodePointer(void* Ptr);
DECL DWORD WINAPI TlsAlloc(void);
DECL void* WINAPI TlsGetValue(DWORD dwTlsIndex);
DECL BOOL WINAPI TlsSetValue(DWORD dwTlsIndex, void* lpTlsValue);
DECL BOOL WINAPI TlsFree(DWORD dwTlsIndex);
DECL DWORD WINAPI FlsAlloc(PFLS_CALLBACK_FUNCTION lpCallback);
DECL void* WINAPI FlsGetValue(DWORD dwFlsIndex);
DECL BOOL WINAPI FlsSetValue(DWORD dwFlsIndex, void* lpFlsData);
DECL BOOL WINAPI FlsFree(DWORD dwFlsIndex);
DECL void WINAPI InitializeCriticalSection(CRITICAL_SECTION* cs);
DECL BOOL WINAPI InitializeCriticalSectionAndSpinCount(CRITICAL_SECTION* cs, DWORD dwSpinCount);
DECL BOOL WINAPI InitializeCriticalSectionEx(CRITICAL_SECTION* cs, DWORD dwSpinCount, DWORD Flags);
DECL void WINAPI EnterCriticalSection(CRITICAL_SECTION* cs);
DECL BOOL WINAPI TryEnterCriticalSection(CRITICAL_SECTION* cs);
DECL void WINAPI LeaveCriticalSection(CRITICAL_SECTION* cs);
DECL void WINAPI DeleteCriticalSection(CRITICAL_SECTION* cs);
DECL BOOL WINAPI InitOnceExecuteOnce(INIT_ONCE* InitOnce, PINIT_ONCE_FN InitFn, void* Parameter, void** Context);
DECL void WINAPI AcquireSRWLockExclusive(SRWLOCK* SRWLock);
DECL void WINAPI ReleaseSRWLockExclusive(SRWLOCK* SRWLock);
DECL BOOL WINAPI SwitchToThread(void);
DECL void WINAPI Sleep(DWORD dwMilliseconds);
DECL ULONGLONG WINAPI GetTickCount64(void);
DECL HANDLE WINAPI GetCurrentThread(void);
DECL int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr, int cbMultiByte,
                                    LPWSTR lpWideCharStr, int cchWideChar);
DECL int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr, int cchWideChar,
                                    LPSTR lpMultiByteStr, int cbMultiByte, LPCSTR lpDefaultChar,
                                    BOOL* lpUsedDefaultChar);
DECL UINT WINAPI GetACP(void);
DECL UINT WINAPI GetOEMCP(void);
DECL BOOL WINAPI GetCPInfo(UINT CodePage, CPINFO* lpCPInfo);
DECL BOOL WINAPI IsValidCodePage(UINT CodePage);
DECL BOOL WINAPI GetStringTypeW(DWORD dwInfoType, LPCWSTR lpSrcStr, int cchSrc, WORD* lpCharType);
DECL int WINAPI LCMapStringEx(LPCWSTR lpLocaleName, DWORD dwMapFlags, LPCWSTR lpSrcStr, int cchSrc,
                              LPWSTR lpDestStr, int cchDest, void* lpVersionInformation, void* lpReserved,
                              LPARAM sortHandle);
DECL int WINAPI LCMapStringW(DWORD Locale, DWORD dwMapFlags, LPCWSTR lpSrcStr, int cchSrc, LPWSTR lpDestStr,
                             int cchDest);
DECL int WINAPI CompareStringEx(LPCWSTR lpLocaleName, DWORD dwCmpFlags, LPCWSTR lpString1, int cchCount1,
                                LPCWSTR lpString2, int cchCount2, void* lpVersionInformation, void* lpReserved,
                                LPARAM lParam);
DECL int WINAPI GetLocaleInfoEx(LPCWSTR lpLocaleName, DWORD LCType, LPWSTR lpLCData, int cchData);
DECL DWORD WINAPI GetUserDefaultLCID(void);
DECL void WINAPI RaiseException(DWORD dwExceptionCode, DWORD dwExceptionFlags, DWORD nNumberOfArguments,
                                ULONG_PTR const* lpArguments);
DECL LONG WINAPI UnhandledExceptionFilter(EXCEPTION_POINTERS* ExceptionInfo);
DECL LPTOP_LEVEL_EXCEPTION_FILTER WINAPI SetUnhandledExceptionFilter(LPTOP_LEVEL_EXCEPTION_FILTER lpFilter);
DECL void WINAPI RtlCaptureContext(CONTEXT* ContextRecord);
DECL RUNTIME_FUNCTION* WINAPI RtlLookupFunctionEntry(DWORD64 ControlPc, DWORD64* ImageBase, void* HistoryTable);
DECL void* WINAPI RtlVirtualUnwind(DWORD HandlerType, DWORD64 ImageBase, DWORD64 ControlPc,
                                   RUNTIME_FUNCTION* FunctionEntry, CONTEXT* ContextRecord, void** HandlerData,
                                   DWORD64* EstablisherFrame, void* ContextPointers);
DECL void* WINAPI RtlPcToFileHeader(void* PcValue, void** BaseOfImage);
DECL BOOL WINAPI SetStdHandle(DWORD nStdHandle, HANDLE hHandle);
DECL HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                               void* lpSecurityAttributes, DWORD dwCreationDisposition,
                               DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
DECL BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove, LARGE_INTEGER* lpNewFilePointer,
                                  DWORD dwMoveMethod);
DECL BOOL WINAPI GetConsoleMode(HANDLE hConsoleHandle, DWORD* lpMode);
DECL UINT WINAPI GetConsoleCP(void);
DECL UINT WINAPI GetConsoleOutputCP(void);
DECL BOOL WINAPI WriteConsoleW(HANDLE hConsoleOutput, void const* lpBuffer, DWORD nNumberOfCharsToWrite,
                               DWORD* lpNumberOfCharsWritten, void* lpReserved);
DECL DWORD WINAPI GetEnvironmentVariableW(LPCWSTR lpName, LPWSTR lpBuffer, DWORD nSize);
DECL void WINAPI GetSystemInfo(SYSTEM_INFO* lpSystemInfo);
DECL void WINAPI GetNativeSystemInfo(SYSTEM_INFO* lpSystemInfo);
DECL BOOL WINAPI GetVersionExW(OSVERSIONINFOEXW* lpVersionInformation);
DECL UINT WINAPI GetSystemDirectoryW(LPWSTR lpBuffer, UINT uSize);
DECL BOOL WINAPI AreFileApisANSI(void);
DECL int WINAPI GetDateFormatW(DWORD Locale, DWORD dwFlags, SYSTEMTIME const* lpDate, LPCWSTR lpFormat,
                               LPWSTR lpDateStr, int cchDate);
DECL int WINAPI GetTimeFormatW(DWORD Locale, DWORD dwFlags, SYSTEMTIME const* lpTime, LPCWSTR lpFormat,
                               LPWSTR lpTimeStr, int cchTime);
DECL DWORD WINAPI GetTimeZoneInformation(TIME_ZONE_INFORMATION* lpTimeZoneInformation);
#undef DECL
