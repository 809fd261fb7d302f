// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// strings.cpp - the narrow and wide string functions of the UCRT, including
// the "secure" _s forms. A _s function that is given a buffer too small (or
// a null pointer) reports an invalid parameter, as in the UCRT: in a Debug
// build first a "Debug Assertion Failed!" box, then the process ends
// (__fastfail) unless the program installed a handler.

#include "../internal/corecrt_internal.h"

extern "C" size_t __cdecl strlen(char const* const string)
{
    size_t n = 0;
    while (string[n] != '\0')
    {
        ++n;
    }
    return n;
}

extern "C" size_t __cdecl strnlen(char const* const string, size_t const max_count)
{
    size_t n = 0;
    while (n < max_count && string[n] != '\0')
    {
        ++n;
    }
    return n;
}

extern "C" size_t __cdecl wcslen(wchar_t const* const string)
{
    size_t n = 0;
    while (string[n] != 0)
    {
        ++n;
    }
    return n;
}

extern "C" size_t __cdecl wcsnlen(wchar_t const* const string, size_t const max_count)
{
    size_t n = 0;
    while (n < max_count && string[n] != 0)
    {
        ++n;
    }
    return n;
}

template <typename Ch>
static int compare(Ch const* left, Ch const* right, size_t count)
{
    for (; count != 0; --count, ++left, ++right)
    {
        unsigned const l = static_cast<unsigned>(*left) & (sizeof(Ch) == 1 ? 0xff : 0xffff);
        unsigned const r = static_cast<unsigned>(*right) & (sizeof(Ch) == 1 ? 0xff : 0xffff);
        if (l != r)
        {
            return l < r ? -1 : 1;
        }
        if (l == 0)
        {
            return 0;
        }
    }
    return 0;
}

template <typename Ch>
static int compare_ignoring_case(Ch const* left, Ch const* right, size_t count)
{
    for (; count != 0; --count, ++left, ++right)
    {
        unsigned l = static_cast<unsigned>(*left) & (sizeof(Ch) == 1 ? 0xff : 0xffff);
        unsigned r = static_cast<unsigned>(*right) & (sizeof(Ch) == 1 ? 0xff : 0xffff);
        if (l >= 'A' && l <= 'Z')
            l += 32;
        if (r >= 'A' && r <= 'Z')
            r += 32;
        if (l != r)
        {
            return l < r ? -1 : 1;
        }
        if (l == 0)
        {
            return 0;
        }
    }
    return 0;
}

extern "C" int __cdecl strcmp(char const* const left, char const* const right)
{
    return compare(left, right, SIZE_MAX);
}

extern "C" int __cdecl strncmp(char const* const left, char const* const right, size_t const count)
{
    return compare(left, right, count);
}

extern "C" int __cdecl _stricmp(char const* const left, char const* const right)
{
    return compare_ignoring_case(left, right, SIZE_MAX);
}

extern "C" int __cdecl _strnicmp(char const* const left, char const* const right, size_t const count)
{
    return compare_ignoring_case(left, right, count);
}

extern "C" int __cdecl wcscmp(wchar_t const* const left, wchar_t const* const right)
{
    return compare(left, right, SIZE_MAX);
}

extern "C" int __cdecl wcsncmp(wchar_t const* const left, wchar_t const* const right, size_t const count)
{
    return compare(left, right, count);
}

extern "C" int __cdecl _wcsicmp(wchar_t const* const left, wchar_t const* const right)
{
    return compare_ignoring_case(left, right, SIZE_MAX);
}

extern "C" char* __cdecl strcpy(char* const destination, char const* const source)
{
    size_t i = 0;
    do
    {
        destination[i] = source[i];
    } while (source[i++] != '\0');
    return destination;
}

extern "C" char* __cdecl strncpy(char* const destination, char const* const source, size_t const count)
{
    size_t i = 0;
    for (; i != count && source[i] != '\0'; ++i)
    {
        destination[i] = source[i];
    }
    for (; i != count; ++i)
    {
        destination[i] = '\0';
    }
    return destination;
}

extern "C" char* __cdecl strcat(char* const destination, char const* const source)
{
    strcpy(destination + strlen(destination), source);
    return destination;
}

extern "C" char* __cdecl strncat(char* const destination, char const* const source, size_t const count)
{
    char* d = destination + strlen(destination);
    size_t i = 0;
    for (; i != count && source[i] != '\0'; ++i)
    {
        d[i] = source[i];
    }
    d[i] = '\0';
    return destination;
}

extern "C" wchar_t* __cdecl wcscpy(wchar_t* const destination, wchar_t const* const source)
{
    size_t i = 0;
    do
    {
        destination[i] = source[i];
    } while (source[i++] != 0);
    return destination;
}

extern "C" wchar_t* __cdecl wcscat(wchar_t* const destination, wchar_t const* const source)
{
    wcscpy(destination + wcslen(destination), source);
    return destination;
}

extern "C" wchar_t* __cdecl wcsncpy(wchar_t* const destination, wchar_t const* const source, size_t const count)
{
    size_t i = 0;
    for (; i != count && source[i] != 0; ++i)
    {
        destination[i] = source[i];
    }
    for (; i != count; ++i)
    {
        destination[i] = 0;
    }
    return destination;
}

extern "C" size_t __cdecl strspn(char const* const string, char const* const control)
{
    size_t n = 0;
    for (; string[n] != '\0'; ++n)
    {
        bool found = false;
        for (char const* c = control; *c != '\0'; ++c)
        {
            found |= *c == string[n];
        }
        if (!found)
        {
            break;
        }
    }
    return n;
}

extern "C" size_t __cdecl strcspn(char const* const string, char const* const control)
{
    size_t n = 0;
    for (; string[n] != '\0'; ++n)
    {
        for (char const* c = control; *c != '\0'; ++c)
        {
            if (*c == string[n])
            {
                return n;
            }
        }
    }
    return n;
}

extern "C" char* __cdecl strpbrk(char const* const string, char const* const control)
{
    size_t const n = strcspn(string, control);
    return string[n] != '\0' ? const_cast<char*>(string + n) : nullptr;
}

extern "C" char* __cdecl _strrev(char* const string)
{
    size_t const n = strlen(string);
    for (size_t i = 0; i < n / 2; ++i)
    {
        char const t = string[i];
        string[i] = string[n - 1 - i];
        string[n - 1 - i] = t;
    }
    return string;
}

extern "C" char* __cdecl _strupr(char* const string)
{
    for (char* p = string; *p != '\0'; ++p)
    {
        if (*p >= 'a' && *p <= 'z')
            *p = static_cast<char>(*p - 32);
    }
    return string;
}

extern "C" char* __cdecl _strlwr(char* const string)
{
    for (char* p = string; *p != '\0'; ++p)
    {
        if (*p >= 'A' && *p <= 'Z')
            *p = static_cast<char>(*p + 32);
    }
    return string;
}

// strtok keeps its position between calls (per thread in the UCRT).
static char* strtok_position = nullptr;

extern "C" char* __cdecl strtok_s(char* string, char const* const delimiters, char** const context)
{
    _VALIDATE_RETURN(context != nullptr, EINVAL, nullptr);
    _VALIDATE_RETURN(delimiters != nullptr, EINVAL, nullptr);
    if (string == nullptr)
    {
        string = *context;
    }
    if (string == nullptr)
    {
        return nullptr;
    }
    string += strspn(string, delimiters);
    if (*string == '\0')
    {
        *context = string;
        return nullptr;
    }
    char* const end = string + strcspn(string, delimiters);
    if (*end != '\0')
    {
        *end = '\0';
        *context = end + 1;
    }
    else
    {
        *context = end;
    }
    return string;
}

extern "C" char* __cdecl strtok(char* const string, char const* const delimiters)
{
    return strtok_s(string, delimiters, &strtok_position);
}

//-----------------------------------------------------------------------------
// The secure forms
//-----------------------------------------------------------------------------

// Copies source into destination (size characters); on failure empties the
// destination and reports an invalid parameter.
template <typename Ch>
static errno_t copy_s(Ch* const destination, size_t const size, Ch const* const source)
{
    _VALIDATE_RETURN(destination != nullptr && size > 0, EINVAL, EINVAL);
    if (source == nullptr)
    {
        destination[0] = 0;
        _VALIDATE_RETURN(source != nullptr, EINVAL, EINVAL);
    }
    size_t i = 0;
    for (; i != size; ++i)
    {
        destination[i] = source[i];
        if (source[i] == 0)
        {
            return 0;
        }
    }
    destination[0] = 0;
    _VALIDATE_RETURN(("Buffer is too small" && 0), ERANGE, ERANGE);
    return ERANGE;
}

template <typename Ch>
static errno_t concatenate_s(Ch* const destination, size_t const size, Ch const* const source)
{
    _VALIDATE_RETURN(destination != nullptr && size > 0, EINVAL, EINVAL);
    size_t length = 0;
    while (length != size && destination[length] != 0)
    {
        ++length;
    }
    if (length == size)
    {
        destination[0] = 0;
        _VALIDATE_RETURN(("String is not null terminated" && 0), EINVAL, EINVAL);
    }
    if (source == nullptr)
    {
        destination[0] = 0;
        _VALIDATE_RETURN(source != nullptr, EINVAL, EINVAL);
    }
    errno_t const result = copy_s(destination + length, size - length, source);
    if (result != 0)
    {
        destination[0] = 0;
    }
    return result;
}

extern "C" errno_t __cdecl strcpy_s(char* const destination, size_t const size, char const* const source)
{
    return copy_s(destination, size, source);
}

extern "C" errno_t __cdecl wcscpy_s(wchar_t* const destination, size_t const size, wchar_t const* const source)
{
    return copy_s(destination, size, source);
}

extern "C" errno_t __cdecl strcat_s(char* const destination, size_t const size, char const* const source)
{
    return concatenate_s(destination, size, source);
}

extern "C" errno_t __cdecl wcscat_s(wchar_t* const destination, size_t const size, wchar_t const* const source)
{
    return concatenate_s(destination, size, source);
}

// At most count characters of source (_TRUNCATE: as many as fit, with
// STRUNCATE if something was cut).
template <typename Ch>
static errno_t copy_n_s(Ch* const destination, size_t const size, Ch const* const source, size_t const count)
{
    if (count == 0 && destination == nullptr && size == 0)
    {
        return 0;
    }
    _VALIDATE_RETURN(destination != nullptr && size > 0, EINVAL, EINVAL);
    if (count == 0)
    {
        destination[0] = 0;
        return 0;
    }
    if (source == nullptr)
    {
        destination[0] = 0;
        _VALIDATE_RETURN(source != nullptr, EINVAL, EINVAL);
    }
    size_t i = 0;
    for (; i != size; ++i)
    {
        if (i == count || source[i] == 0)
        {
            destination[i] = 0;
            return 0;
        }
        destination[i] = source[i];
    }
    if (count == _TRUNCATE)
    {
        destination[size - 1] = 0;
        return STRUNCATE;
    }
    destination[0] = 0;
    _VALIDATE_RETURN(("Buffer is too small" && 0), ERANGE, ERANGE);
    return ERANGE;
}

extern "C" errno_t __cdecl strncpy_s(char* const destination, size_t const size, char const* const source,
                                     size_t const count)
{
    return copy_n_s(destination, size, source, count);
}

extern "C" errno_t __cdecl wcsncpy_s(wchar_t* const destination, size_t const size, wchar_t const* const source,
                                     size_t const count)
{
    return copy_n_s(destination, size, source, count);
}

extern "C" errno_t __cdecl memcpy_s(void* const destination, size_t const size, void const* const source,
                                    size_t const count)
{
    if (count == 0)
    {
        return 0;
    }
    _VALIDATE_RETURN(destination != nullptr, EINVAL, EINVAL);
    if (source == nullptr || size < count)
    {
        memset(destination, 0, size);
        _VALIDATE_RETURN(source != nullptr, EINVAL, EINVAL);
        _VALIDATE_RETURN(size >= count, ERANGE, ERANGE);
    }
    memcpy(destination, source, count);
    return 0;
}

extern "C" errno_t __cdecl memmove_s(void* const destination, size_t const size, void const* const source,
                                     size_t const count)
{
    if (count == 0)
    {
        return 0;
    }
    _VALIDATE_RETURN(destination != nullptr, EINVAL, EINVAL);
    _VALIDATE_RETURN(source != nullptr, EINVAL, EINVAL);
    _VALIDATE_RETURN(size >= count, ERANGE, ERANGE);
    memmove(destination, source, count);
    return 0;
}
