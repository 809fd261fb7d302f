// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// debug_heap.cpp - the CRT debug heap of ucrtbased.dll.
//
// Every block that malloc, operator new and the CRT itself allocate in a
// Debug build comes from here. The debug heap asks the Windows heap (the
// process heap, through HeapAlloc, which KERNEL32 forwards to
// ntdll!RtlAllocateHeap) for a larger block than the program wanted:
//
//   +0x00  _CrtMemBlockHeader (0x30 bytes on x64)
//            +0x00 _block_header_next   next (older) block in the list
//            +0x08 _block_header_prev   previous (newer) block
//            +0x10 _file_name           where it was allocated, or null
//            +0x18 _line_number
//            +0x1c _block_use           block type | subtype << 16
//            +0x20 _data_size           the size the program asked for
//            +0x28 _request_number      {N} in the dumps
//            +0x2c _gap[4]              FD FD FD FD   ("no man's land")
//   +0x30  the program's data, filled with CD when allocated
//   +0x30+size                          FD FD FD FD   (the second guard)
//
// so malloc(8) becomes HeapAlloc(process heap, 0, 0x30 + 8 + 4 = 0x3c), and
// the pointer the program gets is the Windows block + 0x30. All blocks are in
// one doubly linked list, newest first (__acrt_first_block). A freed block
// is filled with DD and given back to the Windows heap, or, with
// _CRTDBG_DELAY_FREE_MEM_DF, kept in the list as a _FREE_BLOCK so that a
// later check can see whether the program still wrote to it.
//
// The messages are those of Microsoft's debug CRT, character for character,
// because students compare them with what they see on Windows.
//
// The list head, the statistics and the request counter are global (extern
// "C") rather than static, so that they are public symbols in
// ucrtbased.pdb: crtlab's `!crtheap` extension finds the list through
// `ucrtbased!__acrt_first_block`, and a student can `dq` them.

#include "../internal/corecrt_internal.h"
#include <new.h>

//-----------------------------------------------------------------------------
// Constants
//-----------------------------------------------------------------------------

// Appended to a report when the block's file and line are known.
#define _ALLOCATION_FILE_LINENUM "\nMemory allocated at %hs(%d).\n"

// The names of the five block types, as the reports print them.
static char const* const block_use_names[_MAX_BLOCKS] = {
    "Free",
    "Normal",
    "CRT",
    "Ignore",
    "Client",
};

// The fill values. They are odd, large, non-zero and unusual, so that a
// program that uses uninitialized or freed memory misbehaves early and in
// the same way every time, and so that they stand out in a memory dump.
static unsigned char const no_mans_land_fill = 0xFD; // the guards around a block
static unsigned char const align_land_fill = 0xED;   // the gap of _aligned_malloc blocks
static unsigned char const dead_land_fill = 0xDD;    // freed memory
static unsigned char const clean_land_fill = 0xCD;   // new memory

static size_t const no_mans_land_size = 4;
static size_t const align_gap_size = sizeof(void*);

// _IGNORE_BLOCKs (allocated while _CRTDBG_ALLOC_MEM_DF is off) carry these
// instead of a request number and a line.
static long const request_number_for_ignore_blocks = 0;
static int const line_number_for_ignore_blocks = static_cast<int>(0xFEDCBABC);

//-----------------------------------------------------------------------------
// The block header
//-----------------------------------------------------------------------------

struct _CrtMemBlockHeader
{
    _CrtMemBlockHeader* _block_header_next;
    _CrtMemBlockHeader* _block_header_prev;
    char const* _file_name;
    int _line_number;

    int _block_use;
    size_t _data_size;

    long _request_number;
    unsigned char _gap[no_mans_land_size];

    // Followed by:
    //   unsigned char _data[_data_size];
    //   unsigned char _another_gap[no_mans_land_size];
};

static_assert(sizeof(_CrtMemBlockHeader) == 0x30, "the x64 debug block header is 0x30 bytes");
static_assert(sizeof(_CrtMemBlockHeader) % 16 == 0, "user data must stay 16-byte aligned");

//-----------------------------------------------------------------------------
// State
//-----------------------------------------------------------------------------

extern "C" {

// The list of blocks: first = newest, last = oldest.
_CrtMemBlockHeader* __acrt_first_block = nullptr;
_CrtMemBlockHeader* __acrt_last_block = nullptr;

// Bytes allocated over the whole run, bytes allocated now, and the most
// that were ever allocated at once.
size_t __acrt_total_allocations = 0;
size_t __acrt_current_allocations = 0;
size_t __acrt_max_allocations = 0;

// _CrtCheckMemory runs every __acrt_check_frequency heap calls (0 = never).
unsigned __acrt_check_frequency = 0;
unsigned __acrt_check_counter = 0;

// The number the next allocation gets. It starts at 1 and is used up only by
// allocations that succeed.
long __acrt_current_request_number = 1;

// The debug heap's options, the allocation to break at (-1 = none) and the
// hooks. These had external linkage in older CRTs and programs still refer
// to them by name; ucrtbased.dll exports the first two as data, and a
// debugger can set them: `ed ucrtbased!_crtBreakAlloc 0n42`. (<crtdbg.h>
// defines their names as macros for programs.)
#undef _crtDbgFlag
#undef _crtBreakAlloc
int _crtDbgFlag = _CRTDBG_ALLOC_MEM_DF | _CRTDBG_CHECK_DEFAULT_DF;
long _crtBreakAlloc = -1;
_CRT_DUMP_CLIENT _pfnDumpClient = nullptr;
_CRT_ALLOC_HOOK _pfnAllocHook = nullptr;

int* __cdecl __p__crtDbgFlag()
{
    return &_crtDbgFlag;
}

long* __cdecl __p__crtBreakAlloc()
{
    return &_crtBreakAlloc;
}

} // extern "C"

//-----------------------------------------------------------------------------
// Helpers
//-----------------------------------------------------------------------------

static unsigned char* __cdecl block_from_header(_CrtMemBlockHeader* const header)
{
    return reinterpret_cast<unsigned char*>(header + 1);
}

static _CrtMemBlockHeader* __cdecl header_from_block(void const* const block)
{
    return static_cast<_CrtMemBlockHeader*>(const_cast<void*>(block)) - 1;
}

// A block use is valid if it is a client or CRT block (with any subtype) or
// exactly a normal or ignore block.
static bool __cdecl is_block_type_valid(int const block_use)
{
    return _BLOCK_TYPE(block_use) == _CLIENT_BLOCK || _BLOCK_TYPE(block_use) == _CRT_BLOCK ||
           block_use == _NORMAL_BLOCK || block_use == _IGNORE_BLOCK;
}

// True if all size bytes at first have the given value.
static bool __cdecl check_bytes(unsigned char const* const first, unsigned char const value, size_t const size)
{
    for (size_t i = 0; i != size; ++i)
    {
        if (first[i] != value)
        {
            return false;
        }
    }
    return true;
}

// True if size bytes at p cannot all be read. Windows' CRT probes the memory
// under __try; crtlab's runtime asks VirtualQuery instead.
static bool __cdecl is_bad_read_pointer(void const* const p, size_t const size)
{
    if (size == 0)
    {
        return false;
    }
    if (p == nullptr)
    {
        return true;
    }
    uintptr_t address = reinterpret_cast<uintptr_t>(p);
    uintptr_t const last = address + size - 1;
    if (last < address)
    {
        return true;
    }
    while (true)
    {
        MEMORY_BASIC_INFORMATION info = {};
        if (VirtualQuery(reinterpret_cast<void const*>(address), &info, sizeof(info)) == 0)
        {
            return true;
        }
        bool const readable = info.State == MEM_COMMIT && (info.Protect & (PAGE_NOACCESS | PAGE_GUARD)) == 0;
        if (!readable)
        {
            return true;
        }
        uintptr_t const region_end = reinterpret_cast<uintptr_t>(info.BaseAddress) + info.RegionSize;
        if (region_end == 0 || region_end > last)
        {
            return false;
        }
        address = region_end;
    }
}

// _aligned_malloc puts align_gap_size bytes of 0xED right below the pointer
// it returns; a block with them was not allocated by malloc.
static bool __cdecl is_block_an_aligned_allocation(void const* const block)
{
    unsigned char const* const possible_gap =
        reinterpret_cast<unsigned char const*>(reinterpret_cast<uintptr_t>(block) & ~(sizeof(uintptr_t) - 1)) -
        align_gap_size;
    return check_bytes(possible_gap, align_land_fill, align_gap_size);
}

// With a check frequency set (_CRTDBG_CHECK_ALWAYS_DF, or the
// _CRTDBG_CHECK_EVERY_*_DF bits), every heap call counts, and every
// frequency-th one checks the whole heap first.
static bool heap_validation_pending = false;

static void __cdecl validate_heap_if_required_nolock()
{
    if (__acrt_check_frequency == 0)
    {
        return;
    }
    if (__acrt_check_counter != __acrt_check_frequency - 1)
    {
        ++__acrt_check_counter;
        return;
    }
    if (heap_validation_pending)
    {
        return;
    }
    heap_validation_pending = true;
    _ASSERTE(_CrtCheckMemory());
    heap_validation_pending = false;
    __acrt_check_counter = 0;
}

// Links header in at the head of the list (it becomes the newest block).
static void __cdecl link_block_at_head(_CrtMemBlockHeader* const header)
{
    if (__acrt_first_block != nullptr)
    {
        __acrt_first_block->_block_header_prev = header;
    }
    else
    {
        __acrt_last_block = header;
    }
    header->_block_header_next = __acrt_first_block;
    header->_block_header_prev = nullptr;
    __acrt_first_block = header;
}

// Takes a block that realloc has just moved out of the list, through the
// links in its (copied) header; the list still points at old_head, the place
// it was moved from.
static void __cdecl unlink_block(_CrtMemBlockHeader* const header, _CrtMemBlockHeader* const old_head)
{
    if (header->_block_header_next != nullptr)
    {
        header->_block_header_next->_block_header_prev = header->_block_header_prev;
    }
    else
    {
        _ASSERTE(__acrt_last_block == old_head);
        __acrt_last_block = header->_block_header_prev;
    }

    if (header->_block_header_prev != nullptr)
    {
        header->_block_header_prev->_block_header_next = header->_block_header_next;
    }
    else
    {
        _ASSERTE(__acrt_first_block == old_head);
        __acrt_first_block = header->_block_header_next;
    }
}

//-----------------------------------------------------------------------------
// Allocation
//-----------------------------------------------------------------------------

// Allocates size bytes for the program, plus the header and the guards, from
// the process heap. Returns the program's pointer, or null.
static void* __cdecl heap_alloc_dbg_internal(size_t const size, int const block_use, char const* const file_name,
                                             int const line_number)
{
    validate_heap_if_required_nolock();

    long const request_number = __acrt_current_request_number;

    // _CrtSetBreakAlloc(N) or `ed ucrtbased!_crtBreakAlloc N`: stop right
    // before allocation N, with this function on top of the stack.
    if (_crtBreakAlloc != -1 && request_number == _crtBreakAlloc)
    {
        _CrtDbgBreak();
    }

    if (_pfnAllocHook != nullptr &&
        !_pfnAllocHook(_HOOK_ALLOC, nullptr, size, block_use, request_number,
                       reinterpret_cast<unsigned char const*>(file_name), line_number))
    {
        if (file_name != nullptr)
        {
            _RPTN(_CRT_WARN, "Client hook allocation failure at file %hs line %d.\n", file_name, line_number);
        }
        else
        {
            _RPT0(_CRT_WARN, "Client hook allocation failure.\n");
        }
        return nullptr;
    }

    // With _CRTDBG_ALLOC_MEM_DF off, the program's blocks are _IGNORE_BLOCKs:
    // they get guards but are not linked into the list.
    bool const ignore_block = _BLOCK_TYPE(block_use) != _CRT_BLOCK && !(_crtDbgFlag & _CRTDBG_ALLOC_MEM_DF);

    if (size > static_cast<size_t>(_HEAP_MAXREQ - no_mans_land_size - sizeof(_CrtMemBlockHeader)))
    {
        errno = ENOMEM;
        return nullptr;
    }

    if (!is_block_type_valid(block_use))
    {
        _RPT0(_CRT_ERROR, "Error: memory allocation: bad memory block type.\n");
    }

    size_t const block_size = sizeof(_CrtMemBlockHeader) + size + no_mans_land_size;

    _CrtMemBlockHeader* const header = static_cast<_CrtMemBlockHeader*>(HeapAlloc(__acrt_heap, 0, block_size));
    if (header == nullptr)
    {
        errno = ENOMEM;
        return nullptr;
    }

    // The allocation has succeeded: it uses up its request number.
    ++__acrt_current_request_number;

    if (ignore_block)
    {
        header->_block_header_next = nullptr;
        header->_block_header_prev = nullptr;
        header->_file_name = nullptr;
        header->_line_number = line_number_for_ignore_blocks;
        header->_data_size = size;
        header->_block_use = _IGNORE_BLOCK;
        header->_request_number = request_number_for_ignore_blocks;
    }
    else
    {
        if (SIZE_MAX - __acrt_total_allocations > size)
        {
            __acrt_total_allocations += size;
        }
        else
        {
            __acrt_total_allocations = SIZE_MAX;
        }

        __acrt_current_allocations += size;
        if (__acrt_current_allocations > __acrt_max_allocations)
        {
            __acrt_max_allocations = __acrt_current_allocations;
        }

        link_block_at_head(header);
        header->_file_name = file_name;
        header->_line_number = line_number;
        header->_data_size = size;
        header->_block_use = block_use;
        header->_request_number = request_number;
    }

    // The guards on both sides, then the data.
    memset(header->_gap, no_mans_land_fill, no_mans_land_size);
    memset(block_from_header(header) + size, no_mans_land_fill, no_mans_land_size);
    memset(block_from_header(header), clean_land_fill, size);

    return block_from_header(header);
}

// heap_alloc_dbg_internal, retried through the new handler when the
// program asked for that with _set_new_mode(1).
static void* __cdecl heap_alloc_dbg(size_t const size, int const block_use, char const* const file_name,
                                    int const line_number)
{
    bool const should_call_new_handler = _query_new_mode() != 0;
    for (;;)
    {
        void* const block = heap_alloc_dbg_internal(size, block_use, file_name, line_number);
        if (block != nullptr)
        {
            return block;
        }
        if (!should_call_new_handler || !_callnewh(size))
        {
            errno = ENOMEM;
            return nullptr;
        }
    }
}

extern "C" __declspec(noinline) void* __cdecl _malloc_dbg(size_t const size, int const block_use,
                                                          char const* const file_name, int const line_number)
{
    return heap_alloc_dbg(size, block_use, file_name, line_number);
}

// Zeroes exactly count * element_size bytes (the guards stay FD).
extern "C" __declspec(noinline) void* __cdecl _calloc_dbg(size_t const count, size_t const element_size,
                                                          int const block_use, char const* const file_name,
                                                          int const line_number)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || (_HEAP_MAXREQ / count) >= element_size, ENOMEM, nullptr);

    size_t const allocation_size = element_size * count;
    void* const block = heap_alloc_dbg(allocation_size, block_use, file_name, line_number);
    if (block != nullptr)
    {
        memset(block, 0, allocation_size);
    }
    return block;
}

//-----------------------------------------------------------------------------
// Reallocation
//-----------------------------------------------------------------------------

// The common part of _realloc_dbg (reallocation_is_allowed: the block may
// move) and _expand_dbg (it must stay where it is). *new_size is updated
// with the size the block really has afterwards.
static void* __cdecl realloc_dbg_nolock(void* const block, size_t* const new_size, int const block_use,
                                        char const* const file_name, int const line_number,
                                        bool const reallocation_is_allowed)
{
    if (block == nullptr)
    {
        return _malloc_dbg(*new_size, block_use, file_name, line_number);
    }

    if (reallocation_is_allowed && *new_size == 0)
    {
        _free_dbg(block, block_use);
        return nullptr;
    }

    validate_heap_if_required_nolock();

    long const request_number = __acrt_current_request_number;
    if (_crtBreakAlloc != -1 && request_number == _crtBreakAlloc)
    {
        _CrtDbgBreak();
    }

    if (_pfnAllocHook != nullptr &&
        !_pfnAllocHook(_HOOK_REALLOC, block, *new_size, block_use, request_number,
                       reinterpret_cast<unsigned char const*>(file_name), line_number))
    {
        if (file_name != nullptr)
        {
            _RPTN(_CRT_WARN, "Client hook re-allocation failure at file %hs line %d.\n", file_name, line_number);
        }
        else
        {
            _RPT0(_CRT_WARN, "Client hook re-allocation failure.\n");
        }
        return nullptr;
    }

    if (block_use != _NORMAL_BLOCK && _BLOCK_TYPE(block_use) != _CLIENT_BLOCK &&
        _BLOCK_TYPE(block_use) != _CRT_BLOCK)
    {
        if (file_name != nullptr)
        {
            _RPTN(_CRT_ERROR, "Error: memory allocation: bad memory block type.\n" _ALLOCATION_FILE_LINENUM,
                  file_name, line_number);
        }
        else
        {
            _RPT0(_CRT_ERROR, "Error: memory allocation: bad memory block type.\n");
        }
    }
    else if (is_block_an_aligned_allocation(block))
    {
        _RPTN(_CRT_ERROR, "The Block at 0x%p was allocated by aligned routines, use _aligned_realloc()", block);
        errno = EINVAL;
        return nullptr;
    }

    // The block must come from the debug heap.
    _ASSERTE(_CrtIsValidHeapPointer(block));

    _CrtMemBlockHeader* const old_head = header_from_block(block);
    bool const is_ignore_block = old_head->_block_use == _IGNORE_BLOCK;
    if (is_ignore_block)
    {
        _ASSERTE(old_head->_line_number == line_number_for_ignore_blocks &&
                 old_head->_request_number == request_number_for_ignore_blocks);
    }
    else if (__acrt_total_allocations < old_head->_data_size)
    {
        _RPTN(_CRT_ERROR, "Error: possible heap corruption at or near 0x%p", block);
        errno = EINVAL;
        return nullptr;
    }

    if (*new_size > static_cast<size_t>(_HEAP_MAXREQ - no_mans_land_size - sizeof(_CrtMemBlockHeader)))
    {
        errno = ENOMEM;
        return nullptr;
    }

    size_t const new_internal_size = sizeof(_CrtMemBlockHeader) + *new_size + no_mans_land_size;
    _CrtMemBlockHeader* new_head = nullptr;
    if (reallocation_is_allowed)
    {
        new_head = static_cast<_CrtMemBlockHeader*>(_realloc_base(old_head, new_internal_size));
        if (new_head == nullptr)
        {
            return nullptr;
        }
    }
    else
    {
        new_head = static_cast<_CrtMemBlockHeader*>(_expand_base(old_head, new_internal_size));
        if (new_head == nullptr)
        {
            return nullptr;
        }
        // On x64 the Windows heap may leave a shrinking block as it is; the
        // header records the size the block really has.
        *new_size = static_cast<size_t>(HeapSize(__acrt_heap, 0, new_head) - sizeof(_CrtMemBlockHeader) -
                                        no_mans_land_size);
    }

    ++__acrt_current_request_number;
    if (!is_ignore_block)
    {
        if (__acrt_total_allocations < SIZE_MAX)
        {
            __acrt_total_allocations -= new_head->_data_size;
            __acrt_total_allocations += SIZE_MAX - __acrt_total_allocations > *new_size ? *new_size : SIZE_MAX;
        }
        __acrt_current_allocations -= new_head->_data_size;
        __acrt_current_allocations += *new_size;
        if (__acrt_current_allocations > __acrt_max_allocations)
        {
            __acrt_max_allocations = __acrt_current_allocations;
        }
    }

    unsigned char* const new_block = block_from_header(new_head);

    // A grown block gets clean fill in its new part and a new second guard.
    if (*new_size > new_head->_data_size)
    {
        memset(new_block + new_head->_data_size, clean_land_fill, *new_size - new_head->_data_size);
    }
    memset(new_block + *new_size, no_mans_land_fill, no_mans_land_size);

    // The block now belongs to this call: its file, line and request number.
    if (!is_ignore_block)
    {
        new_head->_file_name = file_name;
        new_head->_line_number = line_number;
        new_head->_request_number = request_number;
    }
    new_head->_data_size = *new_size;

    _ASSERTE(reallocation_is_allowed || (!reallocation_is_allowed && new_head == old_head));

    if (new_head == old_head || is_ignore_block)
    {
        return new_block;
    }

    // The block moved: the list still points at the old place through the
    // neighbours' links (copied along with the header). Take it out there
    // and put it at the head, as the newest block.
    unlink_block(new_head, old_head);
    link_block_at_head(new_head);
    return new_block;
}

extern "C" __declspec(noinline) void* __cdecl _realloc_dbg(void* const block, size_t const requested_size,
                                                           int const block_use, char const* const file_name,
                                                           int const line_number)
{
    size_t new_size = requested_size;
    return realloc_dbg_nolock(block, &new_size, block_use, file_name, line_number, true);
}

// _realloc_dbg, then zero the part of the block that is new.
extern "C" __declspec(noinline) void* __cdecl _recalloc_dbg(void* const block, size_t const count,
                                                            size_t const element_size, int const block_use,
                                                            char const* const file_name, int const line_number)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || (_HEAP_MAXREQ / count) >= element_size, ENOMEM, nullptr);

    size_t const old_allocation_size = block != nullptr ? _msize_dbg(block, block_use) : 0;
    size_t const new_allocation_size = element_size * count;

    void* const new_block = _realloc_dbg(block, new_allocation_size, block_use, file_name, line_number);
    if (new_block == nullptr)
    {
        return nullptr;
    }
    if (old_allocation_size < new_allocation_size)
    {
        memset(static_cast<unsigned char*>(new_block) + old_allocation_size, 0,
               new_allocation_size - old_allocation_size);
    }
    return new_block;
}

extern "C" __declspec(noinline) void* __cdecl _expand_dbg(void* const block, size_t const requested_size,
                                                          int const block_use, char const* const file_name,
                                                          int const line_number)
{
    _VALIDATE_RETURN(block != nullptr, EINVAL, nullptr);

    if (requested_size > static_cast<size_t>(_HEAP_MAXREQ - no_mans_land_size - sizeof(_CrtMemBlockHeader)))
    {
        errno = ENOMEM;
        return nullptr;
    }

    size_t new_size = requested_size;
    return realloc_dbg_nolock(block, &new_size, block_use, file_name, line_number, false);
}

//-----------------------------------------------------------------------------
// Control
//-----------------------------------------------------------------------------

// Returns the previous value.
extern "C" long __cdecl _CrtSetBreakAlloc(long const new_break_alloc)
{
    long const old_break_alloc = _crtBreakAlloc;
    _crtBreakAlloc = new_break_alloc;
    return old_break_alloc;
}

extern "C" void __cdecl _CrtSetDbgBlockType(void* const block, int const block_use)
{
    if (!_CrtIsValidHeapPointer(block))
    {
        return;
    }
    _CrtMemBlockHeader* const header = header_from_block(block);
    _ASSERTE(is_block_type_valid(header->_block_use));
    header->_block_use = block_use;
}

extern "C" _CRT_ALLOC_HOOK __cdecl _CrtGetAllocHook()
{
    return _pfnAllocHook;
}

extern "C" _CRT_ALLOC_HOOK __cdecl _CrtSetAllocHook(_CRT_ALLOC_HOOK const new_hook)
{
    _CRT_ALLOC_HOOK const old_hook = _pfnAllocHook;
    _pfnAllocHook = new_hook;
    return old_hook;
}

// Sets the options. Only the five documented flags may be set in the low
// 16 bits; the high 16 bits are a check frequency. Returns the old flags.
extern "C" int __cdecl _CrtSetDbgFlag(int const new_bits)
{
    int const valid_flags = _CRTDBG_ALLOC_MEM_DF | _CRTDBG_DELAY_FREE_MEM_DF | _CRTDBG_CHECK_ALWAYS_DF |
                            _CRTDBG_CHECK_CRT_DF | _CRTDBG_LEAK_CHECK_DF;

    bool const new_bits_have_only_valid_flags = (new_bits & 0xffff & ~valid_flags) == 0;
    _VALIDATE_RETURN(new_bits == _CRTDBG_REPORT_FLAG || new_bits_have_only_valid_flags, EINVAL, _crtDbgFlag);

    int const old_bits = _crtDbgFlag;
    if (new_bits == _CRTDBG_REPORT_FLAG)
    {
        return old_bits;
    }

    if (new_bits & _CRTDBG_CHECK_ALWAYS_DF)
    {
        __acrt_check_frequency = 1;
    }
    else
    {
        __acrt_check_frequency = (new_bits >> 16) & 0x0ffff;
    }
    __acrt_check_counter = 0;
    _crtDbgFlag = new_bits;
    return old_bits;
}

// Kept for old programs: the CRT no longer counts buffer sizes.
static int check_count = 0;

extern "C" int __cdecl _CrtSetCheckCount(int const new_check_count)
{
    int const old_check_count = check_count;
    check_count = new_check_count;
    return old_check_count;
}

extern "C" int __cdecl _CrtGetCheckCount()
{
    return check_count;
}

//-----------------------------------------------------------------------------
// Checking a block
//-----------------------------------------------------------------------------

// Checks one block's guards (and, for a free block, its DD fill). Reports
// each problem as a _CRT_WARN and returns false if there was one.
static bool __cdecl check_block(_CrtMemBlockHeader* const header)
{
    bool this_block_okay = true;
    char const* const block_use =
        is_block_type_valid(header->_block_use) ? block_use_names[_BLOCK_TYPE(header->_block_use)] : "DAMAGED";

    if (!check_bytes(header->_gap, no_mans_land_fill, no_mans_land_size))
    {
        if (header->_file_name != nullptr)
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: before %hs block (#%d) at 0x%p.\n"
                  "CRT detected that the application wrote to memory before start of heap buffer.\n"
                  _ALLOCATION_FILE_LINENUM,
                  block_use, header->_request_number, block_from_header(header), header->_file_name,
                  header->_line_number);
        }
        else
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: before %hs block (#%d) at 0x%p.\n"
                  "CRT detected that the application wrote to memory before start of heap buffer.\n",
                  block_use, header->_request_number, block_from_header(header));
        }
        this_block_okay = false;
    }

    if (!check_bytes(block_from_header(header) + header->_data_size, no_mans_land_fill, no_mans_land_size))
    {
        if (header->_file_name != nullptr)
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: after %hs block (#%d) at 0x%p.\n"
                  "CRT detected that the application wrote to memory after end of heap buffer.\n"
                  _ALLOCATION_FILE_LINENUM,
                  block_use, header->_request_number, block_from_header(header), header->_file_name,
                  header->_line_number);
        }
        else
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: after %hs block (#%d) at 0x%p.\n"
                  "CRT detected that the application wrote to memory after end of heap buffer.\n",
                  block_use, header->_request_number, block_from_header(header));
        }
        this_block_okay = false;
    }

    if (header->_block_use == _FREE_BLOCK && !check_bytes(block_from_header(header), dead_land_fill, header->_data_size))
    {
        if (header->_file_name != nullptr)
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: on top of Free block at 0x%p.\n"
                  "CRT detected that the application wrote to a heap buffer that was freed.\n"
                  _ALLOCATION_FILE_LINENUM,
                  block_from_header(header), header->_file_name, header->_line_number);
        }
        else
        {
            _RPTN(_CRT_WARN,
                  "HEAP CORRUPTION DETECTED: on top of Free block at 0x%p.\n"
                  "CRT detected that the application wrote to a heap buffer that was freed.\n",
                  block_from_header(header));
        }
        this_block_okay = false;
    }

    if (!this_block_okay)
    {
        if (header->_file_name != nullptr)
        {
            _RPTN(_CRT_WARN, "%hs located at 0x%p is %Iu bytes long.\n" _ALLOCATION_FILE_LINENUM, block_use,
                  block_from_header(header), header->_data_size, header->_file_name, header->_line_number);
        }
        else
        {
            _RPTN(_CRT_WARN, "%hs located at 0x%p is %Iu bytes long.\n", block_use, block_from_header(header),
                  header->_data_size);
        }
    }

    return this_block_okay;
}

//-----------------------------------------------------------------------------
// Free
//-----------------------------------------------------------------------------

// What free (_free_dbg) does with a block, step by step:
//
//  1. With a check frequency set, the whole heap may be checked first
//     (validate_heap_if_required_nolock).
//  2. free(NULL) does nothing.
//  3. A block from _aligned_malloc has 0xED bytes right below it and must be
//     freed with _aligned_free: that is reported as an error.
//  4. An alloc hook (_CrtSetAllocHook) may refuse the free.
//  5. The block must be a busy block of the process heap: the header (the
//     pointer minus 0x30) is checked with HeapValidate. This is the
//     assertion a double free fails:
//         Expression: _CrtIsValidHeapPointer(block)
//     because the first free gave the header back to the Windows heap.
//  6. The block type in the header must be valid, and must match the type
//     the caller passed (free() may free a _CRT_BLOCK; operator delete
//     passes _UNKNOWN_BLOCK, which means "the type in the header").
//  7. Unless _CRTDBG_CHECK_ALWAYS_DF has the whole heap checked on every
//     call anyway, the two guards are checked here: 4 bytes of 0xFD before
//     the data (the end of the header) and 4 after it. A damaged guard is a
//     _CRT_ERROR report, "HEAP CORRUPTION DETECTED: before/after ...", and
//     with its default mode (_CRTDBG_MODE_WNDW) a break in this function.
//     Freeing goes on if the program continues (Ignore).
//  8. An _IGNORE_BLOCK is not in the list: it is filled and given back.
//  9. Otherwise the block's size no longer counts as allocated, and either
//     - it is unlinked from the list, the whole block (header, data and
//       guards) is filled with 0xDD, and it goes back to the Windows heap
//       (_free_base, which calls HeapFree), or
//     - with _CRTDBG_DELAY_FREE_MEM_DF, it becomes a _FREE_BLOCK: only its
//       data is filled with 0xDD, and it stays in the list for good, so
//       that _CrtCheckMemory can tell whether anything writes to it later
//       ("on top of Free block").
//
// A freed block keeps its place in memory until the Windows heap reuses it;
// its 0xDD fill is what a dangling pointer then reads. The list's two ends
// are asserted when the block is at one of them (the UCRT's well-known
// "__acrt_first_block == header" assertion, which fails when the list was
// damaged or the block freed twice).
//
// The line numbers of the assertions on the block (_CrtIsValidHeapPointer
// at 904, __acrt_first_block == header at 996) are those the UCRT shows in
// its "Debug Assertion Failed!" boxes, so that the text students find on
// the web matches; keep them there when editing this file.
//
// In a debugger, a break in this function after a "HEAP CORRUPTION
// DETECTED" report has the damaged block's pointer in `block`; `!crtheap`
// with that address shows its header and both guards, and `k` shows who
// freed it. The block was damaged earlier, by whoever wrote past its end
// (or before its start): the report says which block, not who damaged it.
// A write breakpoint on the guard (WinDbg's `ba w4 <address>`) finds it.
//
// Frees block (of type block_use): checks its guards and gives it back to
// the Windows heap, or keeps it as a _FREE_BLOCK.
static void __cdecl free_dbg_nolock(void* const block, int const block_use)
{
    validate_heap_if_required_nolock();

    if (block == nullptr)
    {
        return;
    }

    if (block_use == _NORMAL_BLOCK && is_block_an_aligned_allocation(block))
    {
        _RPTN(_CRT_ERROR, "The Block at 0x%p was allocated by aligned routines, use _aligned_free()", block);
        errno = EINVAL;
        return;
    }

    if (_pfnAllocHook != nullptr && !_pfnAllocHook(_HOOK_FREE, block, 0, block_use, 0, nullptr, 0))
    {
        _RPT0(_CRT_WARN, "Client hook free failure.\n");
        return;
    }

    // A pointer that did not come from the debug heap (or a block freed
    // twice: its header is then inside memory the Windows heap has taken
    // back) fails this assertion.
    _ASSERTE(_CrtIsValidHeapPointer(block));

    _CrtMemBlockHeader* const header = header_from_block(block);
    _ASSERTE(is_block_type_valid(header->_block_use));

    if (!(_crtDbgFlag & _CRTDBG_CHECK_ALWAYS_DF))
    {
        if (!check_bytes(header->_gap, no_mans_land_fill, no_mans_land_size))
        {
            if (header->_file_name != nullptr)
            {
                _RPTN(_CRT_ERROR,
                      "HEAP CORRUPTION DETECTED: before %hs block (#%d) at 0x%p.\n"
                      "CRT detected that the application wrote to memory before start of heap buffer.\n"
                      _ALLOCATION_FILE_LINENUM,
                      block_use_names[_BLOCK_TYPE(header->_block_use)], header->_request_number,
                      block_from_header(header), header->_file_name, header->_line_number);
            }
            else
            {
                _RPTN(_CRT_ERROR,
                      "HEAP CORRUPTION DETECTED: before %hs block (#%d) at 0x%p.\n"
                      "CRT detected that the application wrote to memory before start of heap buffer.\n",
                      block_use_names[_BLOCK_TYPE(header->_block_use)], header->_request_number,
                      block_from_header(header));
            }
        }

        if (!check_bytes(block_from_header(header) + header->_data_size, no_mans_land_fill, no_mans_land_size))
        {
            if (header->_file_name != nullptr)
            {
                _RPTN(_CRT_ERROR,
                      "HEAP CORRUPTION DETECTED: after %hs block (#%d) at 0x%p.\n"
                      "CRT detected that the application wrote to memory after end of heap buffer.\n"
                      _ALLOCATION_FILE_LINENUM,
                      block_use_names[_BLOCK_TYPE(header->_block_use)], header->_request_number,
                      block_from_header(header), header->_file_name, header->_line_number);
            }
            else
            {
                _RPTN(_CRT_ERROR,
                      "HEAP CORRUPTION DETECTED: after %hs block (#%d) at 0x%p.\n"
                      "CRT detected that the application wrote to memory after end of heap buffer.\n",
                      block_use_names[_BLOCK_TYPE(header->_block_use)], header->_request_number,
                      block_from_header(header));
            }
        }
    }

    // An ignore block is not in the list: fill it and give it back.
    if (header->_block_use == _IGNORE_BLOCK)
    {
        _ASSERTE(header->_line_number == line_number_for_ignore_blocks &&
                 header->_request_number == request_number_for_ignore_blocks);
        memset(header, dead_land_fill, sizeof(_CrtMemBlockHeader) + header->_data_size + no_mans_land_size);
        _free_base(header);
        return;
    }

    // free() may free a CRT block; otherwise the types must match.
    _ASSERTE(header->_block_use == block_use || (header->_block_use == _CRT_BLOCK && block_use == _NORMAL_BLOCK));

    __acrt_current_allocations -= header->_data_size;

    if ((_crtDbgFlag & _CRTDBG_DELAY_FREE_MEM_DF) == 0)
    {
        // Take the block out of the list. Its neighbours are linked to each
        // other; at either end of the list, the list's end pointer moves.
        // The header's own links stay as they are until the fill below, so
        // in a debugger, stopped here, `!crtheap` still shows the block (and
        // a block that is not at an end of the list but whose neighbour does
        // not point back at it shows "prev link broken").
        //
        // The block being at either end of the list is asserted as in the
        // UCRT.
        if (header->_block_header_next != nullptr)
        {
            header->_block_header_next->_block_header_prev = header->_block_header_prev;
        }
        else
        {
            _ASSERTE(__acrt_last_block == header);
            __acrt_last_block = header->_block_header_prev;
        }

        if (header->_block_header_prev != nullptr)
        {
            header->_block_header_prev->_block_header_next = header->_block_header_next;
        }
        else
        {
            _ASSERTE(__acrt_first_block == header);
            __acrt_first_block = header->_block_header_next;
        }

        memset(header, dead_land_fill, sizeof(_CrtMemBlockHeader) + header->_data_size + no_mans_land_size);
        _free_base(header);
    }
    else
    {
        // Keep the block as dead space, so that _CrtCheckMemory can tell
        // whether the program writes to it after freeing it.
        header->_block_use = _FREE_BLOCK;
        memset(block_from_header(header), dead_land_fill, header->_data_size);
    }
}

// _UNKNOWN_BLOCK (what operator delete passes) means "the type in the header".
extern "C" __declspec(noinline) void __cdecl _free_dbg(void* const block, int const block_use)
{
    int const actual_use =
        block_use == _UNKNOWN_BLOCK && block != nullptr ? header_from_block(block)->_block_use : block_use;
    free_dbg_nolock(block, actual_use);
}

extern "C" __declspec(noinline) size_t __cdecl _msize_dbg(void* const block, int const block_use)
{
    (void)block_use;
    _VALIDATE_RETURN(block != nullptr, EINVAL, static_cast<size_t>(-1));

    validate_heap_if_required_nolock();
    _ASSERTE(_CrtIsValidHeapPointer(block));

    _CrtMemBlockHeader* const header = header_from_block(block);
    _ASSERTE(is_block_type_valid(header->_block_use));
    return header->_data_size;
}

//-----------------------------------------------------------------------------
// Checking
//-----------------------------------------------------------------------------

// Checks every block in the list (with Floyd's tortoise and hare, so that a
// list damaged into a cycle is reported rather than walked forever), then
// the Windows heap underneath. Returns TRUE if everything is intact.
extern "C" int __cdecl _CrtCheckMemory()
{
    if ((_crtDbgFlag & _CRTDBG_ALLOC_MEM_DF) == 0)
    {
        return TRUE;
    }

    bool all_okay = true;

    _CrtMemBlockHeader* trail_it = __acrt_first_block;
    _CrtMemBlockHeader* lead_it = __acrt_first_block == nullptr ? nullptr : __acrt_first_block->_block_header_next;
    while (trail_it != nullptr)
    {
        all_okay &= check_block(trail_it);

        if (trail_it == lead_it)
        {
            _RPTN(_CRT_WARN, "Cycle in block list detected while processing block located at 0x%p.\n", trail_it);
            all_okay = false;
            break;
        }

        trail_it = trail_it->_block_header_next;
        if (lead_it != nullptr)
        {
            lead_it = lead_it->_block_header_next == nullptr ? nullptr
                                                              : lead_it->_block_header_next->_block_header_next;
        }
    }

    if (!HeapValidate(__acrt_heap, 0, nullptr))
    {
        _RPT0(_CRT_WARN, "Heap validation failed.\n");
        all_okay = false;
    }

    return all_okay ? TRUE : FALSE;
}

// Calls callback(block, context) for every client block.
extern "C" void __cdecl _CrtDoForAllClientObjects(_CrtDoForAllClientObjectsCallback const callback,
                                                  void* const context)
{
    _VALIDATE_RETURN_VOID(callback != nullptr, EINVAL);

    if ((_crtDbgFlag & _CRTDBG_ALLOC_MEM_DF) == 0)
    {
        return;
    }
    for (_CrtMemBlockHeader* header = __acrt_first_block; header != nullptr; header = header->_block_header_next)
    {
        if (_BLOCK_TYPE(header->_block_use) == _CLIENT_BLOCK)
        {
            callback(block_from_header(header), context);
        }
    }
}

// Only tests for null nowadays; kept for old programs.
extern "C" int __cdecl _CrtIsValidPointer(void const* const p, unsigned int const size_in_bytes,
                                          int const read_write)
{
    (void)size_in_bytes;
    (void)read_write;
    return p != nullptr;
}

// TRUE if block's header is a busy block of the process heap, which is what
// every debug heap block is.
extern "C" int __cdecl _CrtIsValidHeapPointer(void const* const block)
{
    if (block == nullptr)
    {
        return FALSE;
    }
    return HeapValidate(__acrt_heap, 0, header_from_block(block));
}

// TRUE if block looks like a debug heap block of exactly size bytes; then
// also returns its request number, file and line.
extern "C" int __cdecl _CrtIsMemoryBlock(void const* const block, unsigned const size, long* const request_number,
                                         char** const file_name, int* const line_number)
{
    if (request_number != nullptr)
    {
        *request_number = 0;
    }
    if (file_name != nullptr)
    {
        *file_name = nullptr;
    }
    if (line_number != nullptr)
    {
        *line_number = 0;
    }
    if (block == nullptr)
    {
        return FALSE;
    }

    _CrtMemBlockHeader* const header = header_from_block(block);
    if (!is_block_type_valid(header->_block_use) || !_CrtIsValidPointer(block, size, TRUE) ||
        header->_data_size != size || header->_request_number > __acrt_current_request_number)
    {
        return FALSE;
    }

    if (request_number != nullptr)
    {
        *request_number = header->_request_number;
    }
    if (file_name != nullptr)
    {
        *file_name = const_cast<char*>(header->_file_name);
    }
    if (line_number != nullptr)
    {
        *line_number = header->_line_number;
    }
    return TRUE;
}

// The block's use (type | subtype << 16), or -1 if it is not a heap block.
extern "C" int __cdecl _CrtReportBlockType(void const* const block)
{
    if (!_CrtIsValidHeapPointer(block))
    {
        return -1;
    }
    return header_from_block(block)->_block_use;
}

extern "C" _CRT_DUMP_CLIENT __cdecl _CrtGetDumpClient()
{
    return _pfnDumpClient;
}

extern "C" _CRT_DUMP_CLIENT __cdecl _CrtSetDumpClient(_CRT_DUMP_CLIENT const new_client)
{
    _CRT_DUMP_CLIENT const old_client = _pfnDumpClient;
    _pfnDumpClient = new_client;
    return old_client;
}

//-----------------------------------------------------------------------------
// State and dumps
//-----------------------------------------------------------------------------

// Counts the blocks of each type in the list and their bytes.
extern "C" void __cdecl _CrtMemCheckpoint(_CrtMemState* const state)
{
    _VALIDATE_RETURN_VOID(state != nullptr, EINVAL);

    state->pBlockHeader = __acrt_first_block;
    for (unsigned use = 0; use < _MAX_BLOCKS; ++use)
    {
        state->lCounts[use] = 0;
        state->lSizes[use] = 0;
    }

    for (_CrtMemBlockHeader* header = __acrt_first_block; header != nullptr; header = header->_block_header_next)
    {
        if (_BLOCK_TYPE(header->_block_use) >= 0 && _BLOCK_TYPE(header->_block_use) < _MAX_BLOCKS)
        {
            ++state->lCounts[_BLOCK_TYPE(header->_block_use)];
            state->lSizes[_BLOCK_TYPE(header->_block_use)] += header->_data_size;
        }
        else if (header->_file_name != nullptr)
        {
            _RPTN(_CRT_WARN, "Bad memory block found at 0x%p.\n" _ALLOCATION_FILE_LINENUM, header,
                  header->_file_name, header->_line_number);
        }
        else
        {
            _RPTN(_CRT_WARN, "Bad memory block found at 0x%p.\n", header);
        }
    }

    state->lHighWaterCount = __acrt_max_allocations;
    state->lTotalCount = __acrt_total_allocations;
}

// state = new_state - old_state. TRUE if the difference matters: blocks of
// a type other than free (and CRT, unless _CRTDBG_CHECK_CRT_DF) came or went.
extern "C" int __cdecl _CrtMemDifference(_CrtMemState* const state, _CrtMemState const* const old_state,
                                         _CrtMemState const* const new_state)
{
    _VALIDATE_RETURN(state != nullptr, EINVAL, FALSE);
    _VALIDATE_RETURN(old_state != nullptr, EINVAL, FALSE);
    _VALIDATE_RETURN(new_state != nullptr, EINVAL, FALSE);

    bool significant_difference_found = false;
    for (int use = 0; use < _MAX_BLOCKS; ++use)
    {
        state->lSizes[use] = new_state->lSizes[use] - old_state->lSizes[use];
        state->lCounts[use] = new_state->lCounts[use] - old_state->lCounts[use];

        if (state->lSizes[use] == 0 && state->lCounts[use] == 0)
        {
            continue;
        }
        if (use == _FREE_BLOCK)
        {
            continue;
        }
        if (use == _CRT_BLOCK && (_crtDbgFlag & _CRTDBG_CHECK_CRT_DF) == 0)
        {
            continue;
        }
        significant_difference_found = true;
    }

    state->lHighWaterCount = new_state->lHighWaterCount - old_state->lHighWaterCount;
    state->lTotalCount = new_state->lTotalCount - old_state->lTotalCount;
    state->pBlockHeader = nullptr;

    return significant_difference_found ? 1 : 0;
}

// " Data: <abc     > 61 62 63 CD ... " - the first 16 bytes of the block, as
// characters (a space for anything not printable in the "C" locale) and in
// hex, each byte followed by a space.
static void __cdecl print_block_data(_CrtMemBlockHeader* const header)
{
    static size_t const max_print = 16;

    char print_buffer[max_print + 1];
    char value_buffer[max_print * 3 + 1];

    size_t i = 0;
    size_t const count = header->_data_size < max_print ? header->_data_size : max_print;
    for (; i < count; ++i)
    {
        unsigned char const c = block_from_header(header)[i];
        print_buffer[i] = (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
        sprintf_s(value_buffer + i * 3, sizeof(value_buffer) - i * 3, "%.2X ", c);
    }
    print_buffer[i] = '\0';
    value_buffer[i * 3] = '\0';
    _RPTN(_CRT_WARN, " Data: <%s> %s\n", print_buffer, value_buffer);
}

// Dumps the blocks allocated after state was taken (all of them for null),
// newest first, skipping free and ignore blocks, and CRT blocks unless
// _CRTDBG_CHECK_CRT_DF is set.
static void __cdecl dump_all_object_since_nolock(_CrtMemState const* const state)
{
    _RPT0(_CRT_WARN, "Dumping objects ->\n");

    _CrtMemBlockHeader* const stop_block = state != nullptr ? state->pBlockHeader : nullptr;

    for (_CrtMemBlockHeader* header = __acrt_first_block; header != nullptr && header != stop_block;
         header = header->_block_header_next)
    {
        if (_BLOCK_TYPE(header->_block_use) == _IGNORE_BLOCK)
        {
            continue;
        }
        if (_BLOCK_TYPE(header->_block_use) == _FREE_BLOCK)
        {
            continue;
        }
        if (_BLOCK_TYPE(header->_block_use) == _CRT_BLOCK && (_crtDbgFlag & _CRTDBG_CHECK_CRT_DF) == 0)
        {
            continue;
        }

        if (header->_file_name != nullptr)
        {
            if (!_CrtIsValidPointer(header->_file_name, 1, FALSE) || is_bad_read_pointer(header->_file_name, 1))
            {
                _RPTN(_CRT_WARN, "#File Error#(%d) : ", header->_line_number);
            }
            else
            {
                _RPTN(_CRT_WARN, "%hs(%d) : ", header->_file_name, header->_line_number);
            }
        }

        _RPTN(_CRT_WARN, "{%ld} ", header->_request_number);

        if (_BLOCK_TYPE(header->_block_use) == _CLIENT_BLOCK)
        {
            _RPTN(_CRT_WARN, "client block at 0x%p, subtype %x, %Iu bytes long.\n", block_from_header(header),
                  _BLOCK_SUBTYPE(header->_block_use), header->_data_size);

            if (_pfnDumpClient != nullptr && !is_bad_read_pointer(block_from_header(header), header->_data_size))
            {
                _pfnDumpClient(block_from_header(header), header->_data_size);
            }
            else
            {
                print_block_data(header);
            }
        }
        else if (header->_block_use == _NORMAL_BLOCK)
        {
            _RPTN(_CRT_WARN, "normal block at 0x%p, %Iu bytes long.\n", block_from_header(header),
                  header->_data_size);
            print_block_data(header);
        }
        else if (_BLOCK_TYPE(header->_block_use) == _CRT_BLOCK)
        {
            _RPTN(_CRT_WARN, "crt block at 0x%p, subtype %x, %Iu bytes long.\n", block_from_header(header),
                  _BLOCK_SUBTYPE(header->_block_use), header->_data_size);
            print_block_data(header);
        }
    }
}

extern "C" void __cdecl _CrtMemDumpAllObjectsSince(_CrtMemState const* const state)
{
    dump_all_object_since_nolock(state);
    _RPT0(_CRT_WARN, "Object dump complete.\n");
}

// Every normal or client block still allocated is a leak (and every CRT
// block too, with _CRTDBG_CHECK_CRT_DF). Returns TRUE if there are leaks.
extern "C" int __cdecl _CrtDumpMemoryLeaks()
{
    _CrtMemState state;
    _CrtMemCheckpoint(&state);

    if (state.lCounts[_CLIENT_BLOCK] != 0 || state.lCounts[_NORMAL_BLOCK] != 0 ||
        ((_crtDbgFlag & _CRTDBG_CHECK_CRT_DF) && state.lCounts[_CRT_BLOCK] != 0))
    {
        _RPT0(_CRT_WARN, "Detected memory leaks!\n");
        _CrtMemDumpAllObjectsSince(nullptr);
        return TRUE;
    }
    return FALSE;
}

extern "C" void __cdecl _CrtMemDumpStatistics(_CrtMemState const* const state)
{
    _VALIDATE_RETURN_VOID(state != nullptr, EINVAL);

    for (unsigned use = 0; use < _MAX_BLOCKS; ++use)
    {
        _RPTN(_CRT_WARN, "%Id bytes in %Id %hs Blocks.\n", state->lSizes[use], state->lCounts[use],
              block_use_names[use]);
    }
    _RPTN(_CRT_WARN, "Largest number used: %Id bytes.\n", state->lHighWaterCount);
    _RPTN(_CRT_WARN, "Total allocations: %Id bytes.\n", state->lTotalCount);
}

//-----------------------------------------------------------------------------
// Aligned allocation
//-----------------------------------------------------------------------------

// Below the pointer that _aligned_malloc returns: a pointer to the debug
// heap block it lives in, and a gap of 0xED.
struct _AlignMemBlockHdr
{
    void* _head;
    unsigned char _gap[align_gap_size];
};

static bool is_power_of_two(size_t const x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

extern "C" void* __cdecl _aligned_offset_malloc_dbg(size_t const size, size_t alignment, size_t const offset,
                                                    char const* const file_name, int const line_number)
{
    _VALIDATE_RETURN(is_power_of_two(alignment), EINVAL, nullptr);
    _VALIDATE_RETURN(offset == 0 || offset < size, EINVAL, nullptr);

    alignment = (alignment > sizeof(uintptr_t) ? alignment : sizeof(uintptr_t)) - 1;
    uintptr_t const t_ptr = (0 - offset) & (sizeof(uintptr_t) - 1);
    size_t const nonuser_size = t_ptr + alignment + sizeof(_AlignMemBlockHdr);
    size_t const block_size = size + nonuser_size;
    _VALIDATE_RETURN_NOEXC(size <= block_size, ENOMEM, nullptr);

    uintptr_t const ptr =
        reinterpret_cast<uintptr_t>(_malloc_dbg(block_size, _NORMAL_BLOCK, file_name, line_number));
    if (ptr == 0)
    {
        return nullptr;
    }

    uintptr_t const r_ptr = ((ptr + nonuser_size + offset) & ~alignment) - offset;
    _AlignMemBlockHdr* const header = reinterpret_cast<_AlignMemBlockHdr*>(r_ptr - t_ptr) - 1;
    memset(header->_gap, align_land_fill, align_gap_size);
    header->_head = reinterpret_cast<void*>(ptr);
    return reinterpret_cast<void*>(r_ptr);
}

extern "C" void* __cdecl _aligned_malloc_dbg(size_t const size, size_t const alignment,
                                             char const* const file_name, int const line_number)
{
    return _aligned_offset_malloc_dbg(size, alignment, 0, file_name, line_number);
}

extern "C" void __cdecl _aligned_free_dbg(void* const block)
{
    if (block == nullptr)
    {
        return;
    }

    _AlignMemBlockHdr* const header =
        reinterpret_cast<_AlignMemBlockHdr*>(reinterpret_cast<uintptr_t>(block) & ~(sizeof(uintptr_t) - 1)) - 1;

    // A block from malloc has the FD guard right below it.
    if (check_bytes(static_cast<unsigned char*>(block) - no_mans_land_size, no_mans_land_fill, no_mans_land_size))
    {
        _RPTN(_CRT_ERROR, "The block at 0x%p was not allocated by _aligned routines, use free()", block);
        errno = EINVAL;
        return;
    }

    if (!check_bytes(header->_gap, align_land_fill, align_gap_size))
    {
        _RPTN(_CRT_ERROR, "Damage before 0x%p which was allocated by aligned routine\n", block);
    }

    _free_dbg(header->_head, _NORMAL_BLOCK);
}

extern "C" size_t __cdecl _aligned_msize_dbg(void* const block, size_t alignment, size_t const offset)
{
    _VALIDATE_RETURN(block != nullptr, EINVAL, static_cast<size_t>(-1));

    _AlignMemBlockHdr* const header =
        reinterpret_cast<_AlignMemBlockHdr*>(reinterpret_cast<uintptr_t>(block) & ~(sizeof(uintptr_t) - 1)) - 1;
    size_t const total_size = _msize_dbg(header->_head, _NORMAL_BLOCK);
    size_t const header_size = reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(header->_head);
    uintptr_t const gap = (0 - offset) & (sizeof(uintptr_t) - 1);
    alignment = (alignment > sizeof(uintptr_t) ? alignment : sizeof(uintptr_t)) - 1;
    size_t const footer_size = gap + alignment + sizeof(_AlignMemBlockHdr) - header_size;
    return total_size - header_size - footer_size;
}

extern "C" void* __cdecl _aligned_offset_realloc_dbg(void* const block, size_t const size, size_t alignment,
                                                     size_t const offset, char const* const file_name,
                                                     int const line_number)
{
    if (block == nullptr)
    {
        return _aligned_offset_malloc_dbg(size, alignment, offset, file_name, line_number);
    }
    if (size == 0)
    {
        _aligned_free_dbg(block);
        return nullptr;
    }

    _AlignMemBlockHdr* const old_header =
        reinterpret_cast<_AlignMemBlockHdr*>(reinterpret_cast<uintptr_t>(block) & ~(sizeof(uintptr_t) - 1)) - 1;

    if (check_bytes(static_cast<unsigned char*>(block) - no_mans_land_size, no_mans_land_fill, no_mans_land_size))
    {
        _RPTN(_CRT_ERROR, "The block at 0x%p was not allocated by _aligned routines, use realloc()", block);
        errno = EINVAL;
        return nullptr;
    }
    if (!check_bytes(old_header->_gap, align_land_fill, align_gap_size))
    {
        _RPTN(_CRT_ERROR, "Damage before 0x%p which was allocated by aligned routine\n", block);
    }

    _VALIDATE_RETURN(is_power_of_two(alignment), EINVAL, nullptr);
    _VALIDATE_RETURN(offset == 0 || offset < size, EINVAL, nullptr);

    size_t const move_size = _msize_dbg(old_header->_head, _NORMAL_BLOCK) -
                             (reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(old_header->_head));

    void* const new_block = _aligned_offset_malloc_dbg(size, alignment, offset, file_name, line_number);
    if (new_block == nullptr)
    {
        return nullptr;
    }
    memcpy(new_block, block, move_size > size ? size : move_size);
    _free_dbg(old_header->_head, _NORMAL_BLOCK);
    return new_block;
}

extern "C" void* __cdecl _aligned_realloc_dbg(void* const block, size_t const size, size_t const alignment,
                                              char const* const file_name, int const line_number)
{
    return _aligned_offset_realloc_dbg(block, size, alignment, 0, file_name, line_number);
}

extern "C" void* __cdecl _aligned_offset_recalloc_dbg(void* const block, size_t const count,
                                                      size_t const element_size, size_t const alignment,
                                                      size_t const offset, char const* const file_name,
                                                      int const line_number)
{
    _VALIDATE_RETURN_NOEXC(count == 0 || _HEAP_MAXREQ / count >= element_size, ENOMEM, nullptr);

    size_t const old_allocation_size = block != nullptr ? _aligned_msize_dbg(block, alignment, offset) : 0;
    size_t const new_allocation_size = element_size * count;

    void* const new_block =
        _aligned_offset_realloc_dbg(block, new_allocation_size, alignment, offset, file_name, line_number);
    if (new_block != nullptr && old_allocation_size < new_allocation_size)
    {
        memset(static_cast<unsigned char*>(new_block) + old_allocation_size, 0,
               new_allocation_size - old_allocation_size);
    }
    return new_block;
}

extern "C" void* __cdecl _aligned_recalloc_dbg(void* const block, size_t const count, size_t const element_size,
                                               size_t const alignment, char const* const file_name,
                                               int const line_number)
{
    return _aligned_offset_recalloc_dbg(block, count, element_size, alignment, 0, file_name, line_number);
}
