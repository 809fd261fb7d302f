// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// align.cpp - _aligned_malloc and friends in the release CRT (ucrtbase.dll).
// The debug CRT has them in ucrtbased/heap/debug_heap.cpp, with a guard gap
// below the pointer; here the block from _malloc_base only keeps, right
// below the aligned pointer, the pointer that _malloc_base returned, as the
// UCRT's release align.cpp does.

#include "../../ucrtbased/internal/corecrt_internal.h"

struct _AlignMemBlockHdr
{
    void* _head;
};

static bool is_power_of_two(size_t const x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static _AlignMemBlockHdr* header_of(void* const block)
{
    return reinterpret_cast<_AlignMemBlockHdr*>(reinterpret_cast<uintptr_t>(block) & ~(sizeof(uintptr_t) - 1)) - 1;
}

extern "C" void* __cdecl _aligned_offset_malloc(size_t const size, size_t alignment, size_t const offset)
{
    _VALIDATE_RETURN(is_power_of_two(alignment), EINVAL, nullptr);
    _VALIDATE_RETURN(offset == 0 || offset < size, EINVAL, nullptr);

    alignment = (alignment > sizeof(uintptr_t) ? alignment : sizeof(uintptr_t)) - 1;
    uintptr_t const t_ptr = (0 - offset) & (sizeof(uintptr_t) - 1);
    size_t const nonuser_size = t_ptr + alignment + sizeof(_AlignMemBlockHdr);
    size_t const block_size = size + nonuser_size;
    _VALIDATE_RETURN_NOEXC(size <= block_size, ENOMEM, nullptr);

    uintptr_t const ptr = reinterpret_cast<uintptr_t>(_malloc_base(block_size));
    if (ptr == 0)
    {
        return nullptr;
    }
    uintptr_t const r_ptr = ((ptr + nonuser_size + offset) & ~alignment) - offset;
    _AlignMemBlockHdr* const header = reinterpret_cast<_AlignMemBlockHdr*>(r_ptr - t_ptr) - 1;
    header->_head = reinterpret_cast<void*>(ptr);
    return reinterpret_cast<void*>(r_ptr);
}

extern "C" void* __cdecl _aligned_malloc(size_t const size, size_t const alignment)
{
    return _aligned_offset_malloc(size, alignment, 0);
}

extern "C" void __cdecl _aligned_free(void* const block)
{
    if (block != nullptr)
    {
        _free_base(header_of(block)->_head);
    }
}

extern "C" size_t __cdecl _aligned_msize(void* const block, size_t alignment, size_t const offset)
{
    _VALIDATE_RETURN(block != nullptr, EINVAL, static_cast<size_t>(-1));

    _AlignMemBlockHdr* const header = header_of(block);
    size_t const total_size = _msize_base(header->_head);
    size_t const header_size = reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(header->_head);
    uintptr_t const gap = (0 - offset) & (sizeof(uintptr_t) - 1);
    alignment = (alignment > sizeof(uintptr_t) ? alignment : sizeof(uintptr_t)) - 1;
    size_t const footer_size = gap + alignment + sizeof(_AlignMemBlockHdr) - header_size;
    return total_size - header_size - footer_size;
}

extern "C" void* __cdecl _aligned_offset_realloc(void* const block, size_t const size, size_t const alignment,
                                                 size_t const offset)
{
    if (block == nullptr)
    {
        return _aligned_offset_malloc(size, alignment, offset);
    }
    if (size == 0)
    {
        _aligned_free(block);
        return nullptr;
    }
    _VALIDATE_RETURN(is_power_of_two(alignment), EINVAL, nullptr);
    _VALIDATE_RETURN(offset == 0 || offset < size, EINVAL, nullptr);

    _AlignMemBlockHdr* const old_header = header_of(block);
    size_t const move_size = _msize_base(old_header->_head) -
                             (reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(old_header->_head));
    void* const new_block = _aligned_offset_malloc(size, alignment, offset);
    if (new_block == nullptr)
    {
        return nullptr;
    }
    memcpy(new_block, block, move_size > size ? size : move_size);
    _free_base(old_header->_head);
    return new_block;
}

extern "C" void* __cdecl _aligned_realloc(void* const block, size_t const size, size_t const alignment)
{
    return _aligned_offset_realloc(block, size, alignment, 0);
}

extern "C" void* __cdecl _aligned_offset_recalloc(void* const block, size_t const count, size_t const element_size,
                                                  size_t const alignment, size_t const offset)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || _HEAP_MAXREQ / count >= element_size, ENOMEM, nullptr);

    size_t const old_allocation_size = block != nullptr ? _aligned_msize(block, alignment, offset) : 0;
    size_t const new_allocation_size = element_size * count;
    void* const new_block = _aligned_offset_realloc(block, new_allocation_size, alignment, offset);
    if (new_block != nullptr && old_allocation_size < new_allocation_size)
    {
        memset(static_cast<unsigned char*>(new_block) + old_allocation_size, 0,
               new_allocation_size - old_allocation_size);
    }
    return new_block;
}

extern "C" void* __cdecl _aligned_recalloc(void* const block, size_t const count, size_t const element_size,
                                           size_t const alignment)
{
    return _aligned_offset_recalloc(block, count, element_size, alignment, 0);
}
