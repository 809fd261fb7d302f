// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// path.cpp - splitting a path into drive, directory, file name and
// extension, and putting one together (_splitpath_s, _makepath_s and the
// wide forms, which the run-time checks of a Debug program use to name the
// source file of a failed check).

#include "../internal/corecrt_internal.h"

template <typename Ch>
static errno_t copy_part(Ch* const out, size_t const out_size, Ch const* const begin, Ch const* const end)
{
    if (out == nullptr)
    {
        return 0;
    }
    size_t const length = static_cast<size_t>(end - begin);
    if (length >= out_size)
    {
        return ERANGE;
    }
    for (size_t i = 0; i != length; ++i)
    {
        out[i] = begin[i];
    }
    out[length] = 0;
    return 0;
}

template <typename Ch>
static errno_t split_path(Ch const* const path, Ch* const drive, size_t const drive_size, Ch* const directory,
                          size_t const directory_size, Ch* const name, size_t const name_size, Ch* const extension,
                          size_t const extension_size)
{
    _VALIDATE_RETURN(path != nullptr, EINVAL, EINVAL);
    Ch const* p = path;
    Ch const* drive_end = p;
    if (p[0] != 0 && p[1] == ':')
    {
        drive_end = p + 2;
    }
    Ch const* last_separator = nullptr;
    Ch const* last_dot = nullptr;
    Ch const* end = drive_end;
    for (; *end != 0; ++end)
    {
        if (*end == '\\' || *end == '/')
        {
            last_separator = end;
            last_dot = nullptr;
        }
        else if (*end == '.')
        {
            last_dot = end;
        }
    }
    Ch const* const directory_end = last_separator != nullptr ? last_separator + 1 : drive_end;
    Ch const* const name_end = last_dot != nullptr ? last_dot : end;

    errno_t result = 0;
    if (copy_part(drive, drive_size, p, drive_end) != 0 ||
        copy_part(directory, directory_size, drive_end, directory_end) != 0 ||
        copy_part(name, name_size, directory_end, name_end) != 0 ||
        copy_part(extension, extension_size, name_end, end) != 0)
    {
        result = ERANGE;
    }
    if (result != 0)
    {
        if (drive != nullptr && drive_size > 0)
            drive[0] = 0;
        if (directory != nullptr && directory_size > 0)
            directory[0] = 0;
        if (name != nullptr && name_size > 0)
            name[0] = 0;
        if (extension != nullptr && extension_size > 0)
            extension[0] = 0;
        _VALIDATE_RETURN(("Buffer is too small" && 0), ERANGE, ERANGE);
    }
    return 0;
}

template <typename Ch>
static size_t strlen_generic(Ch const* const s)
{
    size_t n = 0;
    while (s[n] != 0)
    {
        ++n;
    }
    return n;
}

template <typename Ch>
static errno_t make_path(Ch* const out, size_t const size, Ch const* const drive, Ch const* const directory,
                         Ch const* const name, Ch const* const extension)
{
    _VALIDATE_RETURN(out != nullptr && size > 0, EINVAL, EINVAL);
    size_t n = 0;
    auto append = [&](Ch const* s) -> bool {
        for (; s != nullptr && *s != 0; ++s)
        {
            if (n + 1 >= size)
            {
                return false;
            }
            out[n++] = *s;
        }
        return true;
    };
    static Ch const separator[] = {'\\', 0};
    static Ch const dot[] = {'.', 0};
    bool ok = true;
    if (drive != nullptr && drive[0] != 0)
    {
        Ch const letter[] = {drive[0], ':', 0};
        ok = ok && append(letter);
    }
    if (directory != nullptr && directory[0] != 0)
    {
        ok = ok && append(directory);
        Ch const last = directory[strlen_generic(directory) - 1];
        if (last != '\\' && last != '/')
        {
            ok = ok && append(separator);
        }
    }
    ok = ok && append(name);
    if (extension != nullptr && extension[0] != 0)
    {
        if (extension[0] != '.')
        {
            ok = ok && append(dot);
        }
        ok = ok && append(extension);
    }
    if (!ok)
    {
        out[0] = 0;
        _VALIDATE_RETURN(("Buffer is too small" && 0), ERANGE, ERANGE);
    }
    out[n] = 0;
    return 0;
}

extern "C" errno_t __cdecl _splitpath_s(char const* const path, char* const drive, size_t const drive_size,
                                       char* const directory, size_t const directory_size, char* const name,
                                       size_t const name_size, char* const extension, size_t const extension_size)
{
    return split_path(path, drive, drive_size, directory, directory_size, name, name_size, extension,
                      extension_size);
}

extern "C" errno_t __cdecl _wsplitpath_s(wchar_t const* const path, wchar_t* const drive, size_t const drive_size,
                                        wchar_t* const directory, size_t const directory_size, wchar_t* const name,
                                        size_t const name_size, wchar_t* const extension,
                                        size_t const extension_size)
{
    return split_path(path, drive, drive_size, directory, directory_size, name, name_size, extension,
                      extension_size);
}

extern "C" errno_t __cdecl _makepath_s(char* const out, size_t const size, char const* const drive,
                                      char const* const directory, char const* const name,
                                      char const* const extension)
{
    return make_path(out, size, drive, directory, name, extension);
}

extern "C" errno_t __cdecl _wmakepath_s(wchar_t* const out, size_t const size, wchar_t const* const drive,
                                       wchar_t const* const directory, wchar_t const* const name,
                                       wchar_t const* const extension)
{
    return make_path(out, size, drive, directory, name, extension);
}
