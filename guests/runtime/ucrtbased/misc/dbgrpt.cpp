// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// dbgrpt.cpp - _CrtDbgReport, the debug CRT's reporting function, and its
// settings: where each type of report goes (_CrtSetReportMode,
// _CrtSetReportFile) and the hooks that may take a report over.
//
// Every report has a type: _CRT_WARN, _CRT_ERROR or _CRT_ASSERT. By default
// a warning goes to the debugger (OutputDebugStringA: crtlab's transcript
// shows it as WinDbg shows debug output), and errors and assertions open a
// message box, _CRTDBG_MODE_WNDW: "Debug Error!" or "Debug Assertion
// Failed!", with the buttons Abort, Retry and Ignore.
//
// crtlab has no windows. A message box is shown as the text Windows puts on
// the clipboard when you press Ctrl+C on one (title, text and buttons
// between dashed lines), written to the debugger with OutputDebugStringW,
// and then answered with Retry: _CrtDbgReport returns 1, and the macro that
// made the report (_ASSERTE, _RPTn) executes __debugbreak() in the code
// that reported, so the debugger stops there, as after pressing Retry on
// Windows. Continuing with `g` is what Ignore would have done.

#include "../internal/corecrt_internal.h"

#define DBGRPT_MAX_MSG 4096
#define DBGRPT_TOOLONGMSG "_CrtDbgReport: String too long or IO Error"
#define ASSERTINTRO1 "Assertion failed: "
#define ASSERTINTRO2 "Assertion failed!"
#define MAXLINELEN 64

extern "C" {

// Where reports go, per type, and the files for _CRTDBG_MODE_FILE.
int _CrtDbgMode[_CRT_ERRCNT] = {_CRTDBG_MODE_DEBUG, _CRTDBG_MODE_WNDW, _CRTDBG_MODE_WNDW};
_HFILE _CrtDbgFile[_CRT_ERRCNT] = {_CRTDBG_INVALID_HFILE, _CRTDBG_INVALID_HFILE, _CRTDBG_INVALID_HFILE};

// -1 when no assertion is being reported; an assertion made while another
// is reported is a "second chance" assertion.
long _crtAssertBusy = -1;

_CRT_REPORT_HOOK _pfnReportHook = nullptr;

} // extern "C"

// The hooks installed with _CrtSetReportHook2 / _CrtSetReportHookW2, most
// recent first, with a reference count each.
namespace {

template <typename Hook>
struct hook_list
{
    static int const capacity = 16;
    Hook hooks[capacity];
    int counts[capacity];
    int size;
};

hook_list<_CRT_REPORT_HOOK> narrow_hooks;
hook_list<_CRT_REPORT_HOOKW> wide_hooks;

template <typename Hook>
int set_report_hook(hook_list<Hook>& list, int const mode, Hook const new_hook)
{
    _VALIDATE_RETURN(mode == _CRT_RPTHOOK_INSTALL || mode == _CRT_RPTHOOK_REMOVE, EINVAL, -1);
    _VALIDATE_RETURN(new_hook != nullptr, EINVAL, -1);

    int found = -1;
    for (int i = 0; i != list.size; ++i)
    {
        if (list.hooks[i] == new_hook)
        {
            found = i;
        }
    }

    if (mode == _CRT_RPTHOOK_REMOVE)
    {
        if (found < 0)
        {
            _ASSERT_EXPR(0, L"(\"The hook function is not in the list!\", 0)");
            errno = EINVAL;
            return -1;
        }
        int const remaining = --list.counts[found];
        if (remaining == 0)
        {
            for (int i = found; i + 1 < list.size; ++i)
            {
                list.hooks[i] = list.hooks[i + 1];
                list.counts[i] = list.counts[i + 1];
            }
            --list.size;
        }
        return remaining;
    }

    // Install: an installed hook moves to the front.
    int count = 1;
    if (found >= 0)
    {
        count = list.counts[found] + 1;
        for (int i = found; i > 0; --i)
        {
            list.hooks[i] = list.hooks[i - 1];
            list.counts[i] = list.counts[i - 1];
        }
    }
    else
    {
        if (list.size == list.capacity)
        {
            errno = ENOMEM;
            return -1;
        }
        for (int i = list.size; i > 0; --i)
        {
            list.hooks[i] = list.hooks[i - 1];
            list.counts[i] = list.counts[i - 1];
        }
        ++list.size;
    }
    list.hooks[0] = new_hook;
    list.counts[0] = count;
    return count;
}

// Narrow <-> wide for the "C" locale: Latin-1 both ways, '?' for anything
// else.
void to_narrow(char* const out, size_t const out_count, wchar_t const* const in)
{
    size_t i = 0;
    for (; in[i] != 0 && i + 1 < out_count; ++i)
    {
        out[i] = in[i] < 0x100 ? static_cast<char>(in[i]) : '?';
    }
    out[i] = '\0';
}

void to_wide(wchar_t* const out, size_t const out_count, char const* const in)
{
    size_t i = 0;
    for (; in[i] != 0 && i + 1 < out_count; ++i)
    {
        out[i] = static_cast<unsigned char>(in[i]);
    }
    out[i] = 0;
}

int format_wide(wchar_t* const buffer, size_t const count, wchar_t const* const format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int const result = __stdio_common_vswprintf(_CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS |
                                                    _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR,
                                                buffer, count, format, nullptr, arguments);
    va_end(arguments);
    return result;
}

int format_narrow(char* const buffer, size_t const count, char const* const format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int const result = __acrt_format_narrow(buffer, count, format, arguments);
    va_end(arguments);
    return result;
}

// The linker defines __ImageBase at this DLL's first byte.
extern "C" unsigned char __ImageBase;

wchar_t const* const report_type_messages[_CRT_ERRCNT] = {
    L"Warning",
    L"Error",
    L"Assertion Failed",
};

wchar_t const* const more_info_string = L"\n\nFor information on how your program can cause an assertion"
                                        L"\nfailure, see the Visual C++ documentation on asserts.";

// The message box of _CRTDBG_MODE_WNDW. Returns 1 (Retry).
//
//   Debug Error!                     <- or Warning, Assertion Failed
//
//   Program: C:\crtlab\leak.exe      <- the module that reported; the
//   Module: ...                         program if it was the CRT itself
//   File: ...
//   Line: ...
//
//   <message>  or  Expression: <expression>
//
//   (Press Retry to debug the application)
int message_window(int const report_type, void* const return_address, wchar_t const* const file_name,
                   wchar_t const* const line_number, wchar_t const* const module_name,
                   wchar_t const* const user_message)
{
    if (user_message == nullptr)
    {
        return 1;
    }

    HMODULE module = nullptr;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT | GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                            static_cast<LPCWSTR>(return_address), &module))
    {
        module = nullptr;
    }
    else if (module == reinterpret_cast<HMODULE>(&__ImageBase))
    {
        // Reported by the CRT itself: name the program instead.
        module = nullptr;
    }

    wchar_t program_name[MAX_PATH + 1];
    if (GetModuleFileNameW(module, program_name, MAX_PATH) == 0)
    {
        wcscpy_s(program_name, MAX_PATH + 1, L"<program name unknown>");
    }

    // Long names keep their end, after "...".
    size_t const program_name_length = wcslen(program_name);
    wchar_t* short_program_name = program_name;
    if (program_name_length > MAXLINELEN)
    {
        short_program_name += program_name_length - MAXLINELEN;
        short_program_name[0] = L'.';
        short_program_name[1] = L'.';
        short_program_name[2] = L'.';
    }

    size_t const module_name_length = module_name != nullptr ? wcslen(module_name) : 0;
    wchar_t const* short_module_name = nullptr;
    if (module_name != nullptr && module_name_length > MAXLINELEN)
    {
        short_module_name = module_name + module_name_length - MAXLINELEN + 3;
    }

    wchar_t message[DBGRPT_MAX_MSG];
    int const result = format_wide(
        message, DBGRPT_MAX_MSG,
        L"Debug %ls!\n\nProgram: %ls%ls%ls%ls%ls%ls%ls%ls%ls%ls%ls%ls\n\n(Press Retry to debug the application)\n",
        report_type_messages[report_type], short_program_name, module_name != nullptr ? L"\nModule: " : L"",
        short_module_name != nullptr ? L"..." : L"",
        short_module_name != nullptr ? short_module_name : (module_name != nullptr ? module_name : L""),
        file_name != nullptr ? L"\nFile: " : L"", file_name != nullptr ? file_name : L"",
        line_number != nullptr ? L"\nLine: " : L"", line_number != nullptr ? line_number : L"",
        user_message[0] != 0 ? L"\n\n" : L"",
        user_message[0] != 0 && report_type == _CRT_ASSERT ? L"Expression: " : L"",
        user_message[0] != 0 ? user_message : L"", report_type == _CRT_ASSERT ? more_info_string : L"");
    if (result < 0 || result >= DBGRPT_MAX_MSG)
    {
        wcscpy_s(message, DBGRPT_MAX_MSG, _CRT_WIDE(DBGRPT_TOOLONGMSG));
    }

    // The box, as Ctrl+C on a Windows message box copies it, and crtlab's
    // answer.
    OutputDebugStringW(L"---------------------------\n"
                       L"Microsoft Visual C++ Runtime Library\n"
                       L"---------------------------\n");
    OutputDebugStringW(message);
    OutputDebugStringW(L"---------------------------\n"
                       L"Abort   Retry   Ignore\n"
                       L"---------------------------\n"
                       L"crtlab: no window can open here; answering Retry (break into the debugger). "
                       L"Continuing is Ignore.\n");
    return 1;
}

} // namespace

//-----------------------------------------------------------------------------
// Settings
//-----------------------------------------------------------------------------

extern "C" int __cdecl _CrtSetReportMode(int const report_type, int const report_mode)
{
    _VALIDATE_RETURN(report_type >= 0 && report_type < _CRT_ERRCNT, EINVAL, -1);
    _VALIDATE_RETURN(report_mode == _CRTDBG_REPORT_MODE ||
                         (report_mode & ~(_CRTDBG_MODE_FILE | _CRTDBG_MODE_DEBUG | _CRTDBG_MODE_WNDW)) == 0,
                     EINVAL, -1);

    if (report_mode == _CRTDBG_REPORT_MODE)
    {
        return _CrtDbgMode[report_type];
    }
    int const old_mode = _CrtDbgMode[report_type];
    _CrtDbgMode[report_type] = report_mode;
    return old_mode;
}

// _CRTDBG_FILE_STDOUT and _CRTDBG_FILE_STDERR stand for the standard handles.
extern "C" _HFILE __cdecl _CrtSetReportFile(int const report_type, _HFILE const report_file)
{
    _VALIDATE_RETURN(report_type >= 0 && report_type < _CRT_ERRCNT, EINVAL, _CRTDBG_HFILE_ERROR);

    if (report_file == _CRTDBG_REPORT_FILE)
    {
        return _CrtDbgFile[report_type];
    }
    _HFILE const old_file = _CrtDbgFile[report_type];
    if (report_file == _CRTDBG_FILE_STDOUT)
    {
        _CrtDbgFile[report_type] = GetStdHandle(STD_OUTPUT_HANDLE);
    }
    else if (report_file == _CRTDBG_FILE_STDERR)
    {
        _CrtDbgFile[report_type] = GetStdHandle(STD_ERROR_HANDLE);
    }
    else
    {
        _CrtDbgFile[report_type] = report_file;
    }
    return old_file;
}

extern "C" _CRT_REPORT_HOOK __cdecl _CrtSetReportHook(_CRT_REPORT_HOOK const new_hook)
{
    _CRT_REPORT_HOOK const old_hook = _pfnReportHook;
    _pfnReportHook = new_hook;
    return old_hook;
}

extern "C" _CRT_REPORT_HOOK __cdecl _CrtGetReportHook()
{
    return _pfnReportHook;
}

extern "C" int __cdecl _CrtSetReportHook2(int const mode, _CRT_REPORT_HOOK const new_hook)
{
    return set_report_hook(narrow_hooks, mode, new_hook);
}

extern "C" int __cdecl _CrtSetReportHookW2(int const mode, _CRT_REPORT_HOOKW const new_hook)
{
    return set_report_hook(wide_hooks, mode, new_hook);
}

// The debug fill of the secure string functions is not done by crtlab's
// runtime; the threshold is kept for programs that set it.
static size_t debug_fill_threshold = SIZE_MAX;

extern "C" size_t __cdecl _CrtSetDebugFillThreshold(size_t const new_threshold)
{
    size_t const old_threshold = debug_fill_threshold;
    debug_fill_threshold = new_threshold;
    return old_threshold;
}

extern "C" size_t __cdecl _CrtGetDebugFillThreshold()
{
    return debug_fill_threshold;
}

//-----------------------------------------------------------------------------
// Reporting
//-----------------------------------------------------------------------------

// Gives the report to the hooks; true if one of them took it (*result is
// then what _CrtDbgReport returns).
static bool run_hooks(int const report_type, char* const narrow_message, wchar_t* const wide_message,
                      int* const result)
{
    for (int i = 0; i != narrow_hooks.size; ++i)
    {
        int hook_result = 0;
        if (narrow_hooks.hooks[i](report_type, narrow_message, &hook_result))
        {
            *result = hook_result;
            return true;
        }
    }
    for (int i = 0; i != wide_hooks.size; ++i)
    {
        int hook_result = 0;
        if (wide_hooks.hooks[i](report_type, wide_message, &hook_result))
        {
            *result = hook_result;
            return true;
        }
    }
    if (_pfnReportHook != nullptr)
    {
        int hook_result = 0;
        if (_pfnReportHook(report_type, narrow_message, &hook_result))
        {
            *result = hook_result;
            return true;
        }
    }
    return false;
}

// Returns 1 if the caller should break into the debugger (Retry), 0 to go
// on, -1 on an error.
//
// The text a report produces: the message (formatted from format and the
// arguments); for an assertion "Assertion failed: " before it and a newline
// after it; and "<file>(<line>) : " before everything when a file is given.
// That text goes to the report file and to the debugger; the message box
// shows the parts separately.
extern "C" int __cdecl _VCrtDbgReportA(int const report_type, void* const return_address, char const* const file_name,
                                       int const line_number, char const* const module_name,
                                       char const* const format, va_list arguments)
{
    if (report_type < 0 || report_type >= _CRT_ERRCNT)
    {
        return -1;
    }

    if (report_type == _CRT_ASSERT && ++_crtAssertBusy > 0)
    {
        // An assertion while reporting an assertion: report it as safely as
        // possible, and break.
        char line_text[16];
        _itoa_s(line_number, line_text, sizeof(line_text), 10);
        OutputDebugStringA("Second Chance Assertion Failed: File ");
        OutputDebugStringA(file_name != nullptr ? file_name : "<file unknown>");
        OutputDebugStringA(", Line ");
        OutputDebugStringA(line_text);
        OutputDebugStringA("\n");
        _CrtDbgBreak();
        --_crtAssertBusy;
        return -1;
    }

    char user_message[DBGRPT_MAX_MSG];
    char line_message[DBGRPT_MAX_MSG];
    char out_message[DBGRPT_MAX_MSG];
    wchar_t out_message_wide[DBGRPT_MAX_MSG];
    user_message[0] = '\0';
    line_message[0] = '\0';

    if (format != nullptr)
    {
        int const length = __acrt_format_narrow(user_message, DBGRPT_MAX_MSG - 2 - sizeof(ASSERTINTRO1), format,
                                                arguments);
        if (length < 0 || static_cast<size_t>(length) >= DBGRPT_MAX_MSG - 2 - sizeof(ASSERTINTRO1))
        {
            strcpy_s(user_message, DBGRPT_MAX_MSG, DBGRPT_TOOLONGMSG);
        }
    }

    if (report_type == _CRT_ASSERT)
    {
        strcpy_s(line_message, DBGRPT_MAX_MSG, format != nullptr ? ASSERTINTRO1 : ASSERTINTRO2);
    }
    strcat_s(line_message, DBGRPT_MAX_MSG, user_message);
    if (report_type == _CRT_ASSERT)
    {
        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_FILE)
        {
            strcat_s(line_message, DBGRPT_MAX_MSG, "\r");
        }
        strcat_s(line_message, DBGRPT_MAX_MSG, "\n");
    }

    if (file_name != nullptr)
    {
        int const length =
            format_narrow(out_message, DBGRPT_MAX_MSG, "%s(%d) : %s", file_name, line_number, line_message);
        if (length < 0 || length >= DBGRPT_MAX_MSG)
        {
            strcpy_s(out_message, DBGRPT_MAX_MSG, DBGRPT_TOOLONGMSG);
        }
    }
    else
    {
        strcpy_s(out_message, DBGRPT_MAX_MSG, line_message);
    }
    to_wide(out_message_wide, DBGRPT_MAX_MSG, out_message);

    int result = 0;
    if (!run_hooks(report_type, out_message, out_message_wide, &result))
    {
        if ((_CrtDbgMode[report_type] & _CRTDBG_MODE_FILE) && _CrtDbgFile[report_type] != _CRTDBG_INVALID_HFILE)
        {
            DWORD written = 0;
            WriteFile(_CrtDbgFile[report_type], out_message, static_cast<DWORD>(strlen(out_message)), &written,
                      nullptr);
        }

        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_DEBUG)
        {
            OutputDebugStringA(out_message);
        }

        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_WNDW)
        {
            wchar_t file_wide[MAX_PATH + 1];
            wchar_t module_wide[MAX_PATH + 1];
            wchar_t line_wide[16];
            wchar_t user_wide[DBGRPT_MAX_MSG];
            if (file_name != nullptr)
            {
                to_wide(file_wide, MAX_PATH + 1, file_name);
            }
            if (module_name != nullptr)
            {
                to_wide(module_wide, MAX_PATH + 1, module_name);
            }
            if (line_number != 0)
            {
                format_wide(line_wide, 16, L"%d", line_number);
            }
            to_wide(user_wide, DBGRPT_MAX_MSG, user_message);
            result = message_window(report_type, return_address, file_name != nullptr ? file_wide : nullptr,
                                    line_number != 0 ? line_wide : nullptr,
                                    module_name != nullptr ? module_wide : nullptr, user_wide);
        }
    }

    if (report_type == _CRT_ASSERT)
    {
        --_crtAssertBusy;
    }
    return result;
}

// The same with wide strings; the debugger gets the text through
// OutputDebugStringW, a report file gets it narrowed.
extern "C" int __cdecl _VCrtDbgReportW(int const report_type, void* const return_address,
                                       wchar_t const* const file_name, int const line_number,
                                       wchar_t const* const module_name, wchar_t const* const format,
                                       va_list arguments)
{
    if (report_type < 0 || report_type >= _CRT_ERRCNT)
    {
        return -1;
    }

    if (report_type == _CRT_ASSERT && ++_crtAssertBusy > 0)
    {
        wchar_t line_text[16];
        format_wide(line_text, 16, L"%d", line_number);
        OutputDebugStringW(L"Second Chance Assertion Failed: File ");
        OutputDebugStringW(file_name != nullptr ? file_name : L"<file unknown>");
        OutputDebugStringW(L", Line ");
        OutputDebugStringW(line_text);
        OutputDebugStringW(L"\n");
        _CrtDbgBreak();
        --_crtAssertBusy;
        return -1;
    }

    wchar_t user_message[DBGRPT_MAX_MSG];
    wchar_t line_message[DBGRPT_MAX_MSG];
    wchar_t out_message[DBGRPT_MAX_MSG];
    char out_message_narrow[DBGRPT_MAX_MSG];
    user_message[0] = 0;
    line_message[0] = 0;

    if (format != nullptr)
    {
        size_t const limit = DBGRPT_MAX_MSG - 2 - sizeof(ASSERTINTRO1);
        int const length = __stdio_common_vswprintf(_CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS |
                                                        _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR,
                                                    user_message, limit, format, nullptr, arguments);
        if (length < 0 || static_cast<size_t>(length) >= limit)
        {
            wcscpy_s(user_message, DBGRPT_MAX_MSG, _CRT_WIDE(DBGRPT_TOOLONGMSG));
        }
    }

    if (report_type == _CRT_ASSERT)
    {
        wcscpy_s(line_message, DBGRPT_MAX_MSG, format != nullptr ? _CRT_WIDE(ASSERTINTRO1) : _CRT_WIDE(ASSERTINTRO2));
    }
    wcscat_s(line_message, DBGRPT_MAX_MSG, user_message);
    if (report_type == _CRT_ASSERT)
    {
        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_FILE)
        {
            wcscat_s(line_message, DBGRPT_MAX_MSG, L"\r");
        }
        wcscat_s(line_message, DBGRPT_MAX_MSG, L"\n");
    }

    if (file_name != nullptr)
    {
        int const length = format_wide(out_message, DBGRPT_MAX_MSG, L"%ls(%d) : %ls", file_name, line_number,
                                       line_message);
        if (length < 0 || length >= DBGRPT_MAX_MSG)
        {
            wcscpy_s(out_message, DBGRPT_MAX_MSG, _CRT_WIDE(DBGRPT_TOOLONGMSG));
        }
    }
    else
    {
        wcscpy_s(out_message, DBGRPT_MAX_MSG, line_message);
    }
    to_narrow(out_message_narrow, DBGRPT_MAX_MSG, out_message);

    int result = 0;
    if (!run_hooks(report_type, out_message_narrow, out_message, &result))
    {
        if ((_CrtDbgMode[report_type] & _CRTDBG_MODE_FILE) && _CrtDbgFile[report_type] != _CRTDBG_INVALID_HFILE)
        {
            DWORD written = 0;
            WriteFile(_CrtDbgFile[report_type], out_message_narrow, static_cast<DWORD>(strlen(out_message_narrow)),
                      &written, nullptr);
        }

        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_DEBUG)
        {
            OutputDebugStringW(out_message);
        }

        if (_CrtDbgMode[report_type] & _CRTDBG_MODE_WNDW)
        {
            wchar_t line_wide[16];
            if (line_number != 0)
            {
                format_wide(line_wide, 16, L"%d", line_number);
            }
            result = message_window(report_type, return_address, file_name, line_number != 0 ? line_wide : nullptr,
                                    module_name, user_message);
        }
    }

    if (report_type == _CRT_ASSERT)
    {
        --_crtAssertBusy;
    }
    return result;
}

extern "C" int __cdecl _CrtDbgReport(int const report_type, char const* const file_name, int const line_number,
                                     char const* const module_name, char const* const format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int const result = _VCrtDbgReportA(report_type, __builtin_return_address(0), file_name, line_number,
                                       module_name, format, arguments);
    va_end(arguments);
    return result;
}

extern "C" int __cdecl _CrtDbgReportW(int const report_type, wchar_t const* const file_name, int const line_number,
                                      wchar_t const* const module_name, wchar_t const* const format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int const result = _VCrtDbgReportW(report_type, __builtin_return_address(0), file_name, line_number,
                                       module_name, format, arguments);
    va_end(arguments);
    return result;
}

// A run-time error ("abort() has been called", "R6025 pure virtual function
// call"): a _CRT_ERROR report, and a break into the debugger on Retry.
extern "C" void __cdecl __acrt_report_runtime_error(wchar_t const* const message)
{
    if (_CrtDbgReportW(_CRT_ERROR, nullptr, 0, nullptr, L"%ls", message) == 1)
    {
        _CrtDbgBreak();
    }
}
