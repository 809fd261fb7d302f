// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// stream.cpp - the three standard streams (stdin, stdout, stderr) and the
// character and block I/O functions on them.
//
// stdout and stderr are the console, which the UCRT does not buffer across
// calls: every call's output is written at once, with WriteFile on the
// standard handle, so it shows in crtlab's transcript in program order with
// the debugger's own output. stdin is read with ReadFile, a buffer at a time.
// No other file can be opened: the guest has no file system.

#include "../internal/corecrt_internal.h"

namespace {

struct crt_stream
{
    void* _Placeholder; // the public FILE
    int fd;
    bool readable;
};

crt_stream _iob[3] = {
    {nullptr, 0, true},
    {nullptr, 1, false},
    {nullptr, 2, false},
};

char stdin_buffer[512];
DWORD stdin_position = 0;
DWORD stdin_length = 0;
bool stdin_at_end = false;

crt_stream* as_stream(FILE* const stream)
{
    for (crt_stream& s : _iob)
    {
        if (reinterpret_cast<FILE*>(&s) == stream)
        {
            return &s;
        }
    }
    return nullptr;
}

} // namespace

// The stream table. The UCRT keeps a table of 512 stream pointers on the
// CRT heap (__piob); so does crtlab's, so that it is the first CRT block of
// a process, as on Windows.
extern "C" void** __piob = nullptr;

extern "C" bool __cdecl __acrt_initialize_stdio()
{
    __piob = static_cast<void**>(_calloc_crt(512, sizeof(void*)));
    if (__piob == nullptr)
    {
        return false;
    }
    for (int i = 0; i != 3; ++i)
    {
        __piob[i] = &_iob[i];
    }
    return true;
}

extern "C" void __cdecl __acrt_uninitialize_stdio()
{
    _free_crt(__piob);
    __piob = nullptr;
}

extern "C" FILE* __cdecl __acrt_iob_func(unsigned const index)
{
    _VALIDATE_RETURN(index < 3, EINVAL, nullptr);
    return reinterpret_cast<FILE*>(&_iob[index]);
}

extern "C" void __cdecl __acrt_write_console(int const fd, char const* const data, size_t const size)
{
    HANDLE const handle = GetStdHandle(fd == 2 ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    DWORD written = 0;
    WriteFile(handle, data, static_cast<DWORD>(size), &written, nullptr);
}

extern "C" int __cdecl _fileno(FILE* const stream)
{
    crt_stream* const s = as_stream(stream);
    _VALIDATE_RETURN(s != nullptr, EINVAL, -1);
    return s->fd;
}

extern "C" size_t __cdecl fwrite(void const* const buffer, size_t const element_size, size_t const element_count,
                                 FILE* const stream)
{
    if (element_size == 0 || element_count == 0)
    {
        return 0;
    }
    crt_stream* const s = as_stream(stream);
    _VALIDATE_RETURN(s != nullptr, EINVAL, 0);
    _VALIDATE_RETURN(buffer != nullptr, EINVAL, 0);
    if (s->readable)
    {
        errno = EBADF;
        return 0;
    }
    HANDLE const handle = GetStdHandle(s->fd == 2 ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    DWORD written = 0;
    if (!WriteFile(handle, buffer, static_cast<DWORD>(element_size * element_count), &written, nullptr))
    {
        errno = EBADF;
        return 0;
    }
    return written / element_size;
}

extern "C" int __cdecl fputc(int const character, FILE* const stream)
{
    char const c = static_cast<char>(character);
    return fwrite(&c, 1, 1, stream) == 1 ? static_cast<unsigned char>(c) : EOF;
}

extern "C" int __cdecl putc(int const character, FILE* const stream)
{
    return fputc(character, stream);
}

extern "C" int __cdecl putchar(int const character)
{
    return fputc(character, stdout);
}

extern "C" int __cdecl _fputchar(int const character)
{
    return fputc(character, stdout);
}

extern "C" int __cdecl fputs(char const* const string, FILE* const stream)
{
    _VALIDATE_RETURN(string != nullptr, EINVAL, EOF);
    size_t const length = strlen(string);
    if (length == 0)
    {
        return 0;
    }
    return fwrite(string, 1, length, stream) == length ? 0 : EOF;
}

// The string and a newline, in one write.
extern "C" int __cdecl puts(char const* const string)
{
    _VALIDATE_RETURN(string != nullptr, EINVAL, EOF);
    size_t const length = strlen(string);
    char line[512];
    if (length < sizeof(line))
    {
        memcpy(line, string, length);
        line[length] = '\n';
        return fwrite(line, 1, length + 1, stdout) == length + 1 ? 0 : EOF;
    }
    if (fwrite(string, 1, length, stdout) != length || fwrite("\n", 1, 1, stdout) != 1)
    {
        return EOF;
    }
    return 0;
}

extern "C" int __cdecl fflush(FILE* const stream)
{
    // Nothing is ever buffered for output.
    (void)stream;
    return 0;
}

extern "C" int __cdecl _flushall()
{
    return 3;
}

extern "C" int __cdecl setvbuf(FILE* const stream, char* const buffer, int const mode, size_t const size)
{
    (void)buffer;
    (void)size;
    _VALIDATE_RETURN(as_stream(stream) != nullptr, EINVAL, -1);
    _VALIDATE_RETURN(mode == _IOFBF || mode == _IOLBF || mode == _IONBF, EINVAL, -1);
    return 0;
}

extern "C" int __cdecl fgetc(FILE* const stream)
{
    crt_stream* const s = as_stream(stream);
    _VALIDATE_RETURN(s != nullptr, EINVAL, EOF);
    if (!s->readable)
    {
        errno = EBADF;
        return EOF;
    }
    if (stdin_position == stdin_length)
    {
        if (stdin_at_end)
        {
            return EOF;
        }
        stdin_position = 0;
        stdin_length = 0;
        if (!ReadFile(GetStdHandle(STD_INPUT_HANDLE), stdin_buffer, sizeof(stdin_buffer), &stdin_length, nullptr) ||
            stdin_length == 0)
        {
            stdin_at_end = true;
            return EOF;
        }
    }
    return static_cast<unsigned char>(stdin_buffer[stdin_position++]);
}

extern "C" int __cdecl getc(FILE* const stream)
{
    return fgetc(stream);
}

extern "C" int __cdecl getchar()
{
    return fgetc(stdin);
}

extern "C" char* __cdecl fgets(char* const buffer, int const max_count, FILE* const stream)
{
    _VALIDATE_RETURN(buffer != nullptr || max_count == 0, EINVAL, nullptr);
    _VALIDATE_RETURN(max_count >= 0, EINVAL, nullptr);
    if (max_count == 0)
    {
        return nullptr;
    }
    int n = 0;
    while (n < max_count - 1)
    {
        int const c = fgetc(stream);
        if (c == EOF)
        {
            break;
        }
        buffer[n++] = static_cast<char>(c);
        if (c == '\n')
        {
            break;
        }
    }
    if (n == 0)
    {
        return nullptr;
    }
    buffer[n] = '\0';
    return buffer;
}
