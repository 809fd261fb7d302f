// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// win32_surface.c - calls the KERNEL32 functions that Visual Studio's C
// runtime uses at start-up and in typical code, the way that code calls them,
// and prints one PASS or FAIL line per check, then a summary. main returns
// the number of failed checks (0 = all passed).
//
// Run with the argument "raise", it instead throws a C++ exception the way
// MSVC's _CxxThrowException does: RtlPcToFileHeader for the image base, then
// RaiseException(0xe06d7363, EXCEPTION_NONCONTINUABLE, 4, {magic, object,
// throw info, image base}). The debugger reports it as
// "C++ EH exception - code e06d7363 (first chance)".

#include "guest_io.h"
#include "win32_surface.h"

static int passed = 0;
static int failed = 0;

static void print_wide(LPCWSTR text)
{
    char narrow[256];
    int n = WideCharToMultiByte(65001, 0, text, -1, narrow, sizeof(narrow), NULL, NULL);
    print(n > 0 ? narrow : "(conversion failed)");
}

static void print_dec(unsigned long long value)
{
    char buffer[24];
    int i = 23;
    buffer[i] = '\0';
    do
    {
        buffer[--i] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    print(buffer + i);
}

static void check(int ok, char const* name, char const* detail)
{
    print(ok ? "PASS " : "FAIL ");
    print(name);
    if (detail != NULL && detail[0] != '\0')
    {
        print(": ");
        print(detail);
    }
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

static void check_wide(int ok, char const* name, LPCWSTR shown)
{
    print(ok ? "PASS " : "FAIL ");
    print(name);
    print(": ");
    print_wide(shown);
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

static int wide_equal(LPCWSTR a, LPCWSTR b)
{
    while (*a != 0 && *a == *b)
    {
        ++a;
        ++b;
    }
    return *a == *b;
}

// --- synchronization ----------------------------------------------------------

static void test_slist(void)
{
    static SLIST_HEADER head;
    static SLIST_ENTRY entries[3];
    InitializeSListHead(&head);
    for (int i = 0; i < 3; ++i)
    {
        InterlockedPushEntrySList(&head, &entries[i]);
    }
    int ok = QueryDepthSList(&head) == 3;
    ok = ok && InterlockedPopEntrySList(&head) == &entries[2];
    SLIST_ENTRY* rest = InterlockedFlushSList(&head);
    ok = ok && rest == &entries[1] && rest->Next == &entries[0] && entries[0].Next == NULL;
    ok = ok && QueryDepthSList(&head) == 0 && InterlockedPopEntrySList(&head) == NULL;
    check(ok, "InitializeSListHead", "push 3, pop 1, flush 2, depth 3 -> 0 (the type_info list)");
}

static void test_critical_section(void)
{
    CRITICAL_SECTION cs;
    int ok = InitializeCriticalSectionAndSpinCount(&cs, 4000);
    ok = ok && cs.LockCount == -1 && cs.RecursionCount == 0 && cs.OwningThread == NULL;
    EnterCriticalSection(&cs);
    ok = ok && (DWORD)(ULONG_PTR)cs.OwningThread == GetCurrentThreadId() && cs.RecursionCount == 1 && cs.LockCount == -2;
    ok = ok && TryEnterCriticalSection(&cs) && cs.RecursionCount == 2;
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    ok = ok && cs.RecursionCount == 0 && cs.OwningThread == NULL && cs.LockCount == -1;
    DeleteCriticalSection(&cs);
    check(ok, "InitializeCriticalSectionAndSpinCount", "enter, recursive try-enter, leave twice");

    CRITICAL_SECTION lock;
    InitializeCriticalSection(&lock);
    ok = lock.LockCount == -1 && lock.SpinCount == 0;
    ok = ok && InitializeCriticalSectionEx(&cs, 4000, 0x01000000) && cs.LockCount == -1;
    EnterCriticalSection(&lock);
    LeaveCriticalSection(&lock);
    DeleteCriticalSection(&lock);
    DeleteCriticalSection(&cs);
    check(ok, "InitializeCriticalSection/InitializeCriticalSectionEx", "spin count 0 on one processor");
}

static int init_calls = 0;

static BOOL WINAPI init_once_callback(INIT_ONCE* once, void* parameter, void** context)
{
    (void)once;
    ++init_calls;
    *context = (void*)((ULONG_PTR)parameter << 2);
    return TRUE;
}

static void test_init_once(void)
{
    static INIT_ONCE once;
    void* first = NULL;
    void* second = NULL;
    int ok = InitOnceExecuteOnce(&once, init_once_callback, (void*)0x1234, &first);
    ok = ok && InitOnceExecuteOnce(&once, init_once_callback, (void*)0x9999, &second);
    ok = ok && init_calls == 1 && first == (void*)0x48d0 && second == first;
    check(ok, "InitOnceExecuteOnce", "the callback ran once; both callers got its context");

    SRWLOCK srw = {0};
    AcquireSRWLockExclusive(&srw);
    ok = srw.Ptr != NULL;
    ReleaseSRWLockExclusive(&srw);
    check(ok && srw.Ptr == NULL, "AcquireSRWLockExclusive/ReleaseSRWLockExclusive", "");
}

// --- thread and fiber local storage ------------------------------------------------

static void* fls_callback_value = NULL;

static DWORD WINAPI fls_callback(void* value)
{
    fls_callback_value = value;
    return 0;
}

static void test_local_storage(void)
{
    DWORD tls = TlsAlloc();
    int ok = tls != 0xffffffff && TlsGetValue(tls) == NULL;
    ok = ok && TlsSetValue(tls, (void*)0x5150);
    SetLastError(87);
    ok = ok && TlsGetValue(tls) == (void*)0x5150 && GetLastError() == 0;
    ok = ok && TlsFree(tls) && !TlsSetValue(tls, NULL) && GetLastError() == 87;
    check(ok, "TlsAlloc/TlsGetValue/TlsSetValue/TlsFree", "TlsGetValue clears the last error");

    DWORD fls = FlsAlloc(fls_callback);
    ok = fls != 0xffffffff && FlsGetValue(fls) == NULL;
    ok = ok && FlsSetValue(fls, (void*)0xf15) && FlsGetValue(fls) == (void*)0xf15;
    ok = ok && FlsFree(fls) && fls_callback_value == (void*)0xf15;
    ok = ok && !FlsGetValue(fls) && GetLastError() == 87;
    check(ok, "FlsAlloc/FlsGetValue/FlsSetValue/FlsFree", "FlsFree ran the callback with the value");

    void* encoded = EncodePointer((void*)test_local_storage);
    ok = encoded != (void*)test_local_storage && DecodePointer(encoded) == (void*)test_local_storage;
    ok = ok && EncodePointer(NULL) != NULL && DecodePointer(EncodePointer(NULL)) == NULL;
    check(ok, "EncodePointer/DecodePointer", "round trip, and NULL is encoded too");
}

// --- modules ------------------------------------------------------------------------

static void test_modules(void)
{
    HMODULE self = GetModuleHandleW(NULL);
    HMODULE by_address = NULL;
    int ok = GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                (LPCWSTR)(void*)test_modules, &by_address) &&
             by_address == self;
    check(ok, "GetModuleHandleExW", "FROM_ADDRESS of a function gives the program");

    WCHAR path[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    check_wide(n == 27 && wide_equal(path, L"C:\\crtlab\\win32_surface.exe"), "GetModuleFileNameW", path);

    // What vcruntime's and the UCRT's try_get_function do for FlsAlloc.
    HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
    HMODULE fibers = LoadLibraryExW(L"api-ms-win-core-fibers-l1-1-1", NULL, 0x800); // LOAD_LIBRARY_SEARCH_SYSTEM32
    FARPROC fls_alloc = GetProcAddress(fibers, "FlsAlloc");
    ok = kernel32 != NULL && fibers == kernel32 && (void*)fls_alloc == (void*)FlsAlloc;
    check(ok, "LoadLibraryExW", "api-ms-win-core-fibers-l1-1-1 is KERNEL32; GetProcAddress finds FlsAlloc");

    ok = LoadLibraryExW(L"user32.dll", NULL, 0) == NULL && GetLastError() == ERROR_MOD_NOT_FOUND;
    ok = ok && GetProcAddress(kernel32, "NoSuchFunction") == NULL && GetLastError() == 127;
    check(ok, "LoadLibraryExW/GetProcAddress failures", "ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND");

    void* base = NULL;
    ok = RtlPcToFileHeader((void*)test_modules, &base) == (void*)self && base == (void*)self;
    check(ok, "RtlPcToFileHeader", "");
}

// --- national language support ------------------------------------------------------

static void test_nls(void)
{
    CPINFO info;
    int ok = GetACP() == 1252 && GetOEMCP() == 437 && IsValidCodePage(65001) && !IsValidCodePage(1200);
    ok = ok && GetCPInfo(0, &info) && info.MaxCharSize == 1 && info.DefaultChar[0] == '?';
    ok = ok && GetCPInfo(65001, &info) && info.MaxCharSize == 4;
    check(ok, "GetACP/GetOEMCP/GetCPInfo/IsValidCodePage", "1252, 437, UTF-8 up to 4 bytes");

    WCHAR wide[32];
    int n = MultiByteToWideChar(0, 1, "caf\xe9 \x80 \x9c", -1, NULL, 0);
    ok = n == 9 && MultiByteToWideChar(0, 1, "caf\xe9 \x80 \x9c", -1, wide, 32) == 9;
    check_wide(ok && wide_equal(wide, L"caf\u00e9 \u20ac \u0153"), "MultiByteToWideChar CP_ACP", wide);
    ok = MultiByteToWideChar(1, 0, "\x82\xc9\xcd\xbb", 4, wide, 32) == 4;
    wide[4] = 0;
    check_wide(ok && wide_equal(wide, L"\u00e9\u2554\u2550\u2557"), "MultiByteToWideChar CP_OEMCP", wide);
    ok = MultiByteToWideChar(65001, 8, "ok\xff", 3, wide, 32) == 0 && GetLastError() == 1113;
    ok = ok && MultiByteToWideChar(65001, 0, "ok\xff", 3, wide, 32) == 3 && wide[2] == 0xfffd;
    check(ok, "MultiByteToWideChar CP_UTF8", "invalid bytes: U+FFFD, or ERROR_NO_UNICODE_TRANSLATION");

    char narrow[32];
    BOOL used = FALSE;
    n = WideCharToMultiByte(0, 0, L"\u00e9\u03a9", -1, narrow, 32, NULL, &used);
    ok = n == 3 && (unsigned char)narrow[0] == 0xe9 && narrow[1] == '?' && used;
    n = WideCharToMultiByte(65001, 0, L"\u20ac", 1, narrow, 32, NULL, NULL);
    ok = ok && n == 3 && (unsigned char)narrow[0] == 0xe2 && (unsigned char)narrow[1] == 0x82 && (unsigned char)narrow[2] == 0xac;
    ok = ok && WideCharToMultiByte(0, 0, L"toolong", -1, narrow, 3, NULL, NULL) == 0 && GetLastError() == 122;
    check(ok, "WideCharToMultiByte", "\xc3\xa9\xce\xa9 -> e9 3f (default char used); \xe2\x82\xac -> e2 82 ac in UTF-8");

    WORD types[4];
    ok = GetStringTypeW(1, L"A1 \u00e9", 4, types) && types[0] == 0x381 && types[1] == 0x284 && types[2] == 0x248 &&
         types[3] == 0x302;
    check(ok, "GetStringTypeW", "CT_CTYPE1 of 'A' '1' ' ' '\xc3\xa9' = 381 284 248 302");

    n = LCMapStringEx(L"en-US", 0x200, L"Stra\u00dfe \u00e0\u00ff", -1, wide, 32, NULL, NULL, 0);
    check_wide(n == 10 && wide_equal(wide, L"STRA\u00dfE \u00c0\u0178"), "LCMapStringEx LCMAP_UPPERCASE", wide);
    n = LCMapStringW(0x409, 0x100, L"\u00c9T\u00c9", 3, wide, 32);
    wide[n > 0 ? n : 0] = 0;
    check_wide(n == 3 && wide_equal(wide, L"\u00e9t\u00e9"), "LCMapStringW LCMAP_LOWERCASE", wide);

    ok = CompareStringEx(NULL, 0, L"apple", -1, L"Banana", -1, NULL, NULL, 0) == 1;
    ok = ok && CompareStringEx(L"en-US", 1, L"HeLLo", -1, L"hello", 5, NULL, NULL, 0) == 2;
    ok = ok && CompareStringEx(L"en-US", 0, L"b", -1, L"a", -1, NULL, NULL, 0) == 3;
    check(ok, "CompareStringEx", "apple < Banana; HeLLo = hello ignoring case; b > a");

    n = GetLocaleInfoEx(L"en-US", 0x5c, wide, 32); // LOCALE_SNAME
    check_wide(n == 6 && wide_equal(wide, L"en-US"), "GetLocaleInfoEx LOCALE_SNAME", wide);
    DWORD cp = 0;
    ok = GetLocaleInfoEx(NULL, 0x20001004, (LPWSTR)&cp, 2) == 2 && cp == 1252; // IDEFAULTANSICODEPAGE | RETURN_NUMBER
    ok = ok && GetUserDefaultLCID() == 0x409 && GetLocaleInfoEx(L"fr-FR", 0x5c, wide, 32) == 0;
    check(ok, "GetLocaleInfoEx/GetUserDefaultLCID", "ANSI code page 1252, LCID 0x409; fr-FR is not there");
}

// --- files and the console ------------------------------------------------------------

static void test_files(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE file = CreateFileW(L"C:\\Windows\\win.ini", 0x80000000, 1, NULL, 3, 0x80, NULL);
    int ok = file == INVALID_HANDLE_VALUE && GetLastError() == 5;
    check(ok, "CreateFileW on a file", "INVALID_HANDLE_VALUE, ERROR_ACCESS_DENIED");

    HANDLE console = CreateFileW(L"CONOUT$", 0x40000000, 2, NULL, 3, 0, NULL);
    DWORD written = 0;
    ok = console != INVALID_HANDLE_VALUE && WriteFile(console, "    (written to CONOUT$)\n", 25, &written, NULL) &&
         written == 25;
    check(ok, "CreateFileW CONOUT$", "the console");

    char byte;
    ok = !WriteFile((HANDLE)0x1234, "x", 1, &written, NULL) && GetLastError() == 6;
    ok = ok && !ReadFile((HANDLE)0x1234, &byte, 1, &written, NULL) && GetLastError() == 6;
    check(ok, "ReadFile/WriteFile on another handle", "ERROR_INVALID_HANDLE");

    LARGE_INTEGER zero = {0};
    ok = !SetFilePointerEx(out, zero, NULL, 1) && GetFileType(out) == FILE_TYPE_CHAR;
    check(ok, "SetFilePointerEx/GetFileType", "the console is a character device that cannot seek");

    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    ok = SetStdHandle(STD_ERROR_HANDLE, out) && GetStdHandle(STD_ERROR_HANDLE) == out;
    ok = ok && SetStdHandle(STD_ERROR_HANDLE, err) && GetStdHandle(STD_ERROR_HANDLE) == err;
    check(ok, "SetStdHandle", "stderr redirected to stdout and back");

    DWORD mode = 0;
    ok = GetConsoleMode(out, &mode) && GetConsoleCP() == 437 && GetConsoleOutputCP() == 437 && AreFileApisANSI();
    static WCHAR const text[] = L"    WriteConsoleW: \u00e9\u00e8\u00ea \u20ac\n";
    ok = ok && WriteConsoleW(out, text, sizeof(text) / sizeof(text[0]) - 1, &written, NULL) && written == 25;
    check(ok, "GetConsoleMode/GetConsoleCP/GetConsoleOutputCP/WriteConsoleW/AreFileApisANSI", "");
}

// --- process, environment, system ---------------------------------------------------

static void test_system(void)
{
    LPWSTR env = GetEnvironmentStringsW();
    int found = 0;
    for (LPWSTR v = env; *v != 0; v += 1)
    {
        found |= wide_equal(v, L"OS=Windows_NT");
        while (*v != 0)
        {
            ++v;
        }
    }
    check(found && FreeEnvironmentStringsW(env), "GetEnvironmentStringsW/FreeEnvironmentStringsW", "OS=Windows_NT");

    WCHAR value[64];
    DWORD need = GetEnvironmentVariableW(L"username", NULL, 0);
    DWORD n = GetEnvironmentVariableW(L"USERNAME", value, 64);
    int ok = need == 8 && n == 7 && GetEnvironmentVariableW(L"NO_SUCH_VARIABLE", value, 64) == 0 && GetLastError() == 203;
    check_wide(ok && wide_equal(value, L"student"), "GetEnvironmentVariableW", value);

    SYSTEM_INFO si, native;
    GetSystemInfo(&si);
    GetNativeSystemInfo(&native);
    ok = si.wProcessorArchitecture == 9 && si.dwPageSize == 4096 && si.dwNumberOfProcessors == 1 &&
         si.dwAllocationGranularity == 0x10000 && native.dwPageSize == si.dwPageSize;
    check(ok, "GetSystemInfo/GetNativeSystemInfo", "AMD64, 4 KB pages, 1 processor, 64 KB granularity");

    OSVERSIONINFOEXW version = {0};
    version.dwOSVersionInfoSize = sizeof(version);
    ok = GetVersionExW(&version) && version.dwMajorVersion == 10 && version.dwMinorVersion == 0 &&
         version.dwBuildNumber == 19045 && version.dwPlatformId == 2;
    check(ok, "GetVersionExW", "10.0.19045");

    WCHAR dir[MAX_PATH];
    n = GetSystemDirectoryW(dir, MAX_PATH);
    check_wide(n == 19 && GetSystemDirectoryW(dir, 4) == 20, "GetSystemDirectoryW", dir);

    ok = IsProcessorFeaturePresent(PF_FASTFAIL_AVAILABLE) && GetCurrentThread() == (HANDLE)(LONGLONG)-2 && !SwitchToThread();
    LARGE_INTEGER frequency;
    ok = ok && QueryPerformanceFrequency(&frequency) && frequency.QuadPart == 10000000;
    ULONGLONG before = GetTickCount64();
    Sleep(1500);
    ok = ok && GetTickCount64() - before >= 1500;
    check(ok, "IsProcessorFeaturePresent/GetCurrentThread/SwitchToThread/QueryPerformanceFrequency/Sleep", "");

    HANDLE heap = GetProcessHeap();
    void* block = HeapAlloc(heap, 0, 8);
    block = HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 100);
    ok = block != NULL && HeapSize(heap, 0, block) == 100 && ((unsigned char*)block)[99] == 0 && HeapFree(heap, 0, block);
    MEMORY_BASIC_INFORMATION mbi;
    ok = ok && VirtualQuery((void*)test_system, &mbi, sizeof(mbi)) == sizeof(mbi) && mbi.State == MEM_COMMIT;
    check(ok, "HeapReAlloc/HeapSize/VirtualQuery", "");

    SYSTEMTIME date = {2024, 3, 2, 5, 14, 7, 9, 0};
    WCHAR text[64];
    n = GetDateFormatW(0x400, 0, &date, NULL, text, 64);
    check_wide(n == 9 && wide_equal(text, L"3/5/2024"), "GetDateFormatW", text);
    n = GetDateFormatW(0x400, 2, &date, NULL, text, 64);
    check_wide(wide_equal(text, L"Tuesday, March 5, 2024"), "GetDateFormatW DATE_LONGDATE", text);
    n = GetTimeFormatW(0x400, 0, &date, NULL, text, 64);
    check_wide(n == 11 && wide_equal(text, L"2:07:09 PM"), "GetTimeFormatW", text);

    TIME_ZONE_INFORMATION tz;
    ok = GetTimeZoneInformation(&tz) == 0 && tz.Bias == 0 && wide_equal(tz.StandardName, L"Coordinated Universal Time");
    check(ok, "GetTimeZoneInformation", "UTC, no daylight saving");

    OutputDebugStringW(L"win32_surface: OutputDebugStringW reaches the debugger\n");
}

// --- exceptions and unwinding -------------------------------------------------------

static LONG WINAPI top_level_filter(EXCEPTION_POINTERS* pointers)
{
    (void)pointers;
    return 1;
}

// Captures its own context and unwinds one frame, as __scrt_fastfail's
// capture_previous_context does; returns the unwound Rip and Rsp, and the
// values they must have: its own return address and the stack above it.
__declspec(noinline) int unwind_from_here(CONTEXT* context, DWORD64* expected_rip, DWORD64* expected_rsp)
{
    void** return_slot = (void**)_AddressOfReturnAddress();
    *expected_rip = (DWORD64)*return_slot;
    *expected_rsp = (DWORD64)(return_slot + 1);
    RtlCaptureContext(context);
    DWORD64 image_base = 0;
    RUNTIME_FUNCTION* entry = RtlLookupFunctionEntry(CONTEXT_RIP(context), &image_base, NULL);
    if (entry == NULL || image_base != (DWORD64)GetModuleHandleW(NULL) ||
        image_base + entry->BeginAddress != (DWORD64)(void*)unwind_from_here)
    {
        return 0;
    }
    void* handler_data = NULL;
    DWORD64 establisher = 0;
    RtlVirtualUnwind(0, image_base, CONTEXT_RIP(context), entry, context, &handler_data, &establisher, NULL);
    return establisher != 0;
}

__declspec(noinline) void test_exceptions(void)
{
    EXCEPTION_RECORD record = {0};
    static CONTEXT context;
    EXCEPTION_POINTERS pointers = {&record, &context};
    record.ExceptionCode = 0xc0000409;
    LPTOP_LEVEL_EXCEPTION_FILTER previous = SetUnhandledExceptionFilter(top_level_filter);
    int ok = SetUnhandledExceptionFilter(previous) == top_level_filter;
    ok = ok && UnhandledExceptionFilter(&pointers) == 0; // EXCEPTION_CONTINUE_SEARCH under a debugger
    check(ok, "SetUnhandledExceptionFilter/UnhandledExceptionFilter", "EXCEPTION_CONTINUE_SEARCH: a debugger is attached");

    int local = 0;
    RtlCaptureContext(&context);
    ok = CONTEXT_FLAGS(&context) == 0x10000f && CONTEXT_RSP(&context) < (DWORD64)&local + 0x100 &&
         CONTEXT_RSP(&context) > (DWORD64)&local - 0x100;
    DWORD64 image_base = 0;
    RUNTIME_FUNCTION* entry = RtlLookupFunctionEntry(CONTEXT_RIP(&context), &image_base, NULL);
    ok = ok && entry != NULL && image_base + entry->BeginAddress == (DWORD64)(void*)test_exceptions;
    check(ok, "RtlCaptureContext/RtlLookupFunctionEntry", "the caller's Rip and Rsp; its .pdata entry");

    DWORD64 expected_rip = 0;
    DWORD64 expected_rsp = 0;
    ok = unwind_from_here(&context, &expected_rip, &expected_rsp);
    ok = ok && CONTEXT_RIP(&context) == expected_rip && CONTEXT_RSP(&context) == expected_rsp;
    entry = RtlLookupFunctionEntry(CONTEXT_RIP(&context), &image_base, NULL);
    ok = ok && entry != NULL && image_base + entry->BeginAddress == (DWORD64)(void*)test_exceptions;
    check(ok, "RtlVirtualUnwind", "one frame up: the return address into test_exceptions and the stack above it");
}

__declspec(noinline) void throw_cpp_exception(void)
{
    static int thrown_object = 42;
    void* image_base = NULL;
    RtlPcToFileHeader((void*)throw_cpp_exception, &image_base);
    ULONG_PTR const parameters[4] = {0x19930520, (ULONG_PTR)&thrown_object, (ULONG_PTR)image_base + 0x1000,
                                     (ULONG_PTR)image_base};
    print("win32_surface: throwing a C++ exception\n");
    RaiseException(0xe06d7363, 1, 4, parameters);
    print("win32_surface: RaiseException returned\n");
}

int main(int argc, char** argv)
{
    if (argc > 1 && argv[1][0] == 'r')
    {
        throw_cpp_exception();
        return 1;
    }
    test_slist();
    test_critical_section();
    test_init_once();
    test_local_storage();
    test_modules();
    test_nls();
    test_files();
    test_system();
    test_exceptions();
    print("win32_surface: ");
    print_dec((unsigned long long)passed);
    print(" passed, ");
    print_dec((unsigned long long)failed);
    print(" failed\n");
    return failed;
}
