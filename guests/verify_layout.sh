#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The crtlab authors.
#
# guests/verify_layout.sh DIR - checks allocate.exe and allocate.pdb in DIR
# against the exercise transcript (shared seed 000, see guests/README.md).
#
# The transcript's `k` output fixes two things that the emulator cannot
# change, because they come from the guest binary:
#   * the frame size of each function in the allocation stacks (the Child-SP
#     column is the caller's Child-SP minus the callee's frame minus 8), read
#     here from the x64 unwind information, which is what the debugger uses;
#   * the source lines shown for the runtime frames, read here with
#     llvm-symbolizer from the PDB at the return address of each call.
# guests/build.sh runs this after every build. Exit status 1 on a mismatch.

set -euo pipefail

dir="${1:?usage: verify_layout.sh DIR (with allocate.exe and allocate.pdb)}"
cd "$dir"

READOBJ=llvm-readobj-19
OBJDUMP=llvm-objdump-19
PDBUTIL=llvm-pdbutil-19
SYMBOLIZER=/usr/lib/llvm-19/bin/llvm-symbolizer

failures=0
fail() {
    echo "verify_layout: $*" >&2
    failures=$((failures + 1))
}

image_base=$("$READOBJ" --file-headers allocate.exe | awk '/ImageBase:/ { print $2 }')
text_rva=$("$READOBJ" --sections allocate.exe |
    awk '/Name: .text/ { t = 1 } t && /VirtualAddress:/ { print $2; exit }')

# Virtual address of a function, from the PDB: publics for external
# functions, S_LPROC32 for static ones. PDB offsets are decimal, relative to
# section 1 (.text).
function_va() {
    local name="$1" offset
    offset=$("$PDBUTIL" dump -publics -symbols allocate.pdb | awk -v name="\`$name\`" '
        ($0 ~ /S_PUB32/ || $0 ~ /S_LPROC32/ || $0 ~ /S_GPROC32/) && $NF == name { want = 1; next }
        want && /addr = 0001:/ {
            sub(/.*addr = 0001:/, ""); sub(/,.*/, ""); print $0 + 0; exit
        }')
    if [ -z "$offset" ]; then
        echo ""
        return
    fi
    printf '0x%x\n' $((image_base + text_rva + offset))
}

# The RUNTIME_FUNCTION entries of the image, one line each:
# "start end frame-size", where the frame size is the sum of the PUSH_NONVOL
# and ALLOC_* unwind codes.
runtime_functions=$("$READOBJ" --unwind allocate.exe | awk '
    function flush() { if (start != "") printf "%s %s 0x%x\n", tolower(start), tolower(end), total }
    /StartAddress:/ { flush(); start = $NF; gsub(/[()]/, "", start); total = 0; next }
    /EndAddress:/ { end = $NF; gsub(/[()]/, "", end); next }
    /PUSH_NONVOL/ { total += 8 }
    /ALLOC_(SMALL|LARGE)/ { sub(/.*size=/, ""); total += $0 }
    END { flush() }')

frame_size() {
    echo "$runtime_functions" | awk -v va="$1" '$1 == va { print $3; found = 1 } END { if (!found) print "none" }'
}

# End of the function at va, from its RUNTIME_FUNCTION; a function without
# one (a leaf that is a single jmp) is taken to be one instruction long.
function_end() {
    local end
    end=$(echo "$runtime_functions" | awk -v va="$1" '$1 == va { print $2 }')
    echo "${end:-$(($1 + 1))}"
}

# Disassembly of the function at va: lines "address mnemonic operands...".
disassemble() {
    local va="$1"
    "$OBJDUMP" -d --no-show-raw-insn --start-address="$va" --stop-address="$(function_end "$va")" allocate.exe |
        awk '/^ *[0-9a-f]+:/'
}

# Return address, relative to the image base, of the first call in the
# function at va whose text matches pattern.
return_rva_of_call() {
    local va="$1" pattern="$2" addr
    addr=$(disassemble "$va" | awk -v pattern="$pattern" '
        found { sub(/:$/, "", $1); print $1; exit }
        $2 == "callq" && $0 ~ pattern { found = 1 }')
    [ -n "$addr" ] && printf '0x%x\n' $((0x$addr - image_base))
}

# Source lines that the PDB gives for a relative address, innermost first,
# as "function file:line" lines (without argument lists, as WinDbg's `k`).
lines_at() {
    "$SYMBOLIZER" --obj=allocate.exe --inlines --relative-address "$1" | awk '
        NF == 0 { next }
        !is_file { fn = $0; sub(/\(.*\)$/, "", fn); is_file = 1; next }
        {
            n = split($0, p, ":"); f = p[1]
            for (i = 2; i < n - 1; i++) f = f ":" p[i]
            print fn " " f ":" p[n - 1]; is_file = 0
        }'
}

# --- frame sizes -------------------------------------------------------------

declare -A va
for name in '?alloc_malloc@@YAPEAX_K@Z' '?alloc_new@@YAPEAX_K@Z' '?alloc_heap@@YAPEAX_K@Z' main \
    _malloc_base malloc '??2@YAPEAX_K@Z' __scrt_common_main_seh mainCRTStartup; do
    va[$name]=$(function_va "$name")
    [ -n "${va[$name]}" ] || fail "no symbol $name in allocate.pdb"
done
[ "$failures" = 0 ] || exit 1

check_frame() {
    local name="$1" label="$2" want="$3" got
    got=$(frame_size "${va[$name]}")
    printf '  %-24s %s  frame %s' "$label" "${va[$name]}" "$got"
    if [ "$got" != none ] && [ "$((got))" = "$((want))" ]; then
        echo "  ok"
    else
        echo "  WRONG, the transcript needs $want"
        fail "$label has a $got-byte frame, the exercise transcript needs $want"
    fi
}

echo "verify_layout: frames in allocate.exe (from .pdata/UNWIND_INFO)"
check_frame '?alloc_malloc@@YAPEAX_K@Z' alloc_malloc 0x28
check_frame '?alloc_new@@YAPEAX_K@Z' alloc_new 0x38
check_frame '?alloc_heap@@YAPEAX_K@Z' alloc_heap 0x28
check_frame main main 0x48
check_frame _malloc_base _malloc_base 0x28
check_frame '??2@YAPEAX_K@Z' "operator new" 0x28
check_frame __scrt_common_main_seh __scrt_common_main_seh 0x38

# mainCRTStartup and malloc must leave no frame in the stack: they end in a
# jump to the next function.
check_tail_jump() {
    local name="$1" target="$2" last
    last=$(disassemble "${va[$name]}" | tail -n 1)
    if echo "$last" | grep -q -E "jmp[[:space:]]+0x0*${va[$target]#0x}( |$)"; then
        printf '  %-24s ends in jmp %s  ok\n' "$name" "$target"
    else
        fail "$name must end in a tail jump to $target, ends in: $last"
    fi
}
check_tail_jump mainCRTStartup __scrt_common_main_seh
check_tail_jump malloc _malloc_base

# --- source lines ------------------------------------------------------------

iat_rva=$("$READOBJ" --coff-imports allocate.exe | awk '/ImportAddressTableRVA:/ { print $2; exit }')
heapalloc_index=$("$READOBJ" --coff-imports allocate.exe |
    awk '/Symbol:/ { if ($2 == "HeapAlloc") { print n; exit } n++ }')
heapalloc_slot=$(printf '0x%x' $((image_base + iat_rva + 8 * heapalloc_index)))

check_line() {
    # check_line <label> <return rva> <expected "function file:line" lines...>
    local label="$1" rva="$2"
    shift 2
    if [ -z "$rva" ]; then
        fail "$label: call not found"
        return
    fi
    local got want
    got=$(lines_at "$rva")
    want=$(printf '%s\n' "$@")
    if [ "$got" = "$want" ]; then
        printf '  %-24s return rva %s -> %s  ok\n' "$label" "$rva" "$(echo "$got" | awk '{ print $NF }' | paste -s -d ' ')"
    else
        fail "$label: return address $rva maps to
$got
expected
$want"
    fi
}

echo "verify_layout: source lines at return addresses (from allocate.pdb)"
check_line "_malloc_base->HeapAlloc" \
    "$(return_rva_of_call "${va[_malloc_base]}" "# ${heapalloc_slot}( |$)")" \
    '_malloc_base C:\crtlab\guests\runtime\ucrt\heap\malloc_base.cpp:34'
check_line "operator new->malloc" \
    "$(return_rva_of_call "${va['??2@YAPEAX_K@Z']}" "callq[[:space:]]+${va[malloc]}( |$)")" \
    'operator new C:\crtlab\guests\runtime\vcstartup\new_scalar.cpp:35'
check_line "invoke_main->main" \
    "$(return_rva_of_call "${va[__scrt_common_main_seh]}" "callq[[:space:]]+${va[main]}( |$)")" \
    'invoke_main C:\crtlab\guests\runtime\vcstartup\exe_common.inl:78' \
    '__scrt_common_main_seh C:\crtlab\guests\runtime\vcstartup\exe_common.inl:288'

if [ "$failures" != 0 ]; then
    echo "verify_layout: $failures check(s) failed; see guests/README.md" >&2
    exit 1
fi
echo "verify_layout: allocate.exe matches the exercise transcript's frames and lines"
