// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 The crtlab authors.
//
// tls.c - static thread-local storage and a TLS callback. The image carries an
// IMAGE_TLS_DIRECTORY (the `_tls_used` symbol, as MSVC's tlssup.c provides it):
// the loader must give the thread its own copy of the .tls template, store the
// TLS index in `_tls_index`, and call the callback with DLL_PROCESS_ATTACH
// before the entry point. The program prints what it saw and returns 0 only if
// all of it happened.

#include "guest_io.h"

typedef void(__stdcall* tls_callback)(void*, unsigned long, void*);

typedef struct
{
    unsigned long long StartAddressOfRawData;
    unsigned long long EndAddressOfRawData;
    unsigned long long AddressOfIndex;
    unsigned long long AddressOfCallBacks;
    unsigned long SizeOfZeroFill;
    unsigned long Characteristics;
} tls_directory;

#pragma section(".tls", read, write)
#pragma section(".tls$ZZZ", read, write)
#pragma section(".CRT$XLA", long, read)
#pragma section(".CRT$XLC", long, read)
#pragma section(".CRT$XLZ", long, read)

__declspec(allocate(".tls")) char _tls_start = 0;
__declspec(allocate(".tls$ZZZ")) char _tls_end = 0;
__declspec(allocate(".CRT$XLA")) tls_callback __xl_a = 0;
__declspec(allocate(".CRT$XLZ")) tls_callback __xl_z = 0;
unsigned long _tls_index = 0;

static unsigned long attach_reason = 0;
static int callbacks = 0;

static void __stdcall on_tls(void* module, unsigned long reason, void* reserved)
{
    (void)module;
    (void)reserved;
    ++callbacks;
    attach_reason = reason;
    print("tls: callback ran before main\n");
}

__declspec(allocate(".CRT$XLC")) tls_callback tls_callback_entry = on_tls;

const tls_directory _tls_used = {
    (unsigned long long)&_tls_start,
    (unsigned long long)&_tls_end,
    (unsigned long long)&_tls_index,
    (unsigned long long)(&__xl_a + 1),
    0,
    0,
};

__declspec(thread) int counter = 42;

int main(void)
{
    counter += 1;
    print("tls: thread-local counter ");
    print_hex((unsigned long long)counter);
    print("\n");
    int ok = callbacks == 1 && attach_reason == 1 && counter == 43;
    print(ok ? "tls: ok\n" : "tls: FAILED\n");
    return ok ? 0 : 1;
}
