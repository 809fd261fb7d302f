#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The crtlab authors.
#
# guests/build.sh - rebuilds crtlab's guest programs from source.
#
#   guests/build.sh              build into guests/ (the committed artifacts)
#   guests/build.sh --out DIR    build into DIR instead (same layout as guests/)
#   guests/build.sh --check      build into a temporary folder and compare every
#                                committed artifact with the rebuilt one
#
# The build is reproducible: the same sources give byte-identical .exe and
# .pdb files in any folder, so CI can check that the committed binaries are
# the ones the sources produce. It needs clang-19, lld-19 and llvm-19 (Debian
# packages of those names). Intermediate files (.obj, .lib) stay in a temporary
# folder. See guests/README.md for what each guest is for.

set -euo pipefail

usage() {
    sed -n '7,10p' "$0" | sed 's/^# \{0,1\}//'
}

out_dir=""
check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out)
            [ $# -ge 2 ] || { echo "build.sh: --out needs a folder" >&2; exit 2; }
            out_dir="$2"
            shift 2
            ;;
        --check)
            check=1
            shift
            ;;
        -h|--help)
            usage
            exit 0
            ;;
        *)
            echo "build.sh: unknown argument '$1'" >&2
            usage >&2
            exit 2
            ;;
    esac
done
if [ "$check" = 1 ] && [ -n "$out_dir" ]; then
    echo "build.sh: --check and --out cannot be combined" >&2
    exit 2
fi

# Everything is compiled from the repository root with repository-relative
# source paths: that is what ends up in the PDBs (as C:\crtlab\guests\...).
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# --- tools -------------------------------------------------------------------

llvm_bin=/usr/lib/llvm-19/bin
CLANG=clang-19
LLD_LINK=lld-link-19
LLVM_LIB=llvm-lib-19
DLLTOOL=$llvm_bin/llvm-dlltool
OBJDUMP=llvm-objdump-19
PDBUTIL=llvm-pdbutil-19
SYMBOLIZER=$llvm_bin/llvm-symbolizer

missing=()
for tool in "$CLANG" "$LLD_LINK" "$LLVM_LIB" "$DLLTOOL" "$OBJDUMP" "$PDBUTIL" "$SYMBOLIZER" llvm-readobj-19; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing tools: ${missing[*]}" >&2
    echo "build.sh: install the Debian packages clang-19, lld-19 and llvm-19" >&2
    echo "          (apt-get install clang-19 lld-19 llvm-19)" >&2
    exit 1
fi
clang_version="$("$CLANG" --version | head -n 1)"
case "$clang_version" in
    *"clang version 19."*) ;;
    *)
        echo "build.sh: $CLANG reports '$clang_version', expected clang 19" >&2
        exit 1
        ;;
esac

# --- folders -----------------------------------------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/crtlab-guests.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "$check" = 1 ]; then
    out="$work/out"
elif [ -n "$out_dir" ]; then
    mkdir -p "$out_dir"
    out="$(cd "$out_dir" && pwd)"
else
    out="$repo_root/guests"
fi
mkdir -p "$out/tests/bad" "$out/dlls" "$out/debug"

# Objects go to $work/obj/<source path without guests/>.obj. The object name
# recorded in the debug info is that path relative to $work, so it does not
# depend on where $work is.
obj_of() {
    local src="${1#guests/}"
    echo "obj/${src%.*}.obj"
}

# --- compiler flags ----------------------------------------------------------

common_flags=(
    -ffile-compilation-dir=.
    -fno-exceptions -fno-rtti
    -ffreestanding -fasynchronous-unwind-tables -fno-stack-protector -mno-stack-arg-probe
    -nostdlibinc -isystem guests/runtime/include
    -Wall -Wextra -Werror
)
x64=(--target=x86_64-pc-windows-msvc)

# The runtime is built the way Microsoft builds its CRT: optimized, with
# line and inlinee information (S_INLINESITE records for invoke_main).
runtime_flags=("${x64[@]}" -O2 -g -gcodeview "${common_flags[@]}")

# Guest programs are built like the exercise's `cl /EHsc /std:c++17 /W4 x.cpp
# /link /DEBUG`: no optimization and no line information, so their PDB has
# only public symbols for them.
guest_cxx_flags=("${x64[@]}" -O0 "${common_flags[@]}")
guest_c_flags=("${x64[@]}" -std=c11 -O0 "${common_flags[@]}")

compile() {
    # compile <source> <flags...>
    local src="$1"
    shift
    compile_to "$(obj_of "$src")" "$src" "$@"
}

compile_to() {
    # compile_to <object relative to $work> <source> <flags...>
    local obj="$1" src="$2"
    shift 2
    mkdir -p "$work/$(dirname "$obj")"
    local lang_flags=()
    case "$src" in
        *.cpp) lang_flags=(-std=c++17) ;;
    esac
    "$CLANG" "$@" "${lang_flags[@]}" -Xclang "-object-file-name=$obj" -c "$src" -o "$work/$obj"
}

# --- runtime -----------------------------------------------------------------

runtime_sources=(
    guests/runtime/vcstartup/exe_main.cpp
    guests/runtime/vcstartup/gs_support.cpp
    guests/runtime/vcstartup/initializers.cpp
    guests/runtime/vcstartup/atexit.cpp
    guests/runtime/vcstartup/new_scalar.cpp
    guests/runtime/vcstartup/new_array.cpp
    guests/runtime/vcstartup/delete_scalar.cpp
    guests/runtime/vcstartup/delete_scalar_size.cpp
    guests/runtime/vcstartup/delete_array.cpp
    guests/runtime/vcstartup/delete_array_size.cpp
    guests/runtime/vcstartup/throw_bad_alloc.cpp
    guests/runtime/vcruntime/memory.cpp
    guests/runtime/vcruntime/riscchandler.cpp
    guests/runtime/ucrt/heap/heap_handle.cpp
    guests/runtime/ucrt/heap/malloc.cpp
    guests/runtime/ucrt/heap/malloc_base.cpp
    guests/runtime/ucrt/heap/calloc.cpp
    guests/runtime/ucrt/heap/calloc_base.cpp
    guests/runtime/ucrt/heap/realloc.cpp
    guests/runtime/ucrt/heap/realloc_base.cpp
    guests/runtime/ucrt/heap/free.cpp
    guests/runtime/ucrt/heap/free_base.cpp
    guests/runtime/ucrt/heap/msize.cpp
    guests/runtime/ucrt/heap/new_handler.cpp
    guests/runtime/ucrt/internal/initialization.cpp
    guests/runtime/ucrt/startup/argv_parsing.cpp
    guests/runtime/ucrt/startup/environment.cpp
    guests/runtime/ucrt/startup/initterm.cpp
    guests/runtime/ucrt/startup/terminators.cpp
    guests/runtime/ucrt/startup/onexit.cpp
    guests/runtime/ucrt/startup/exit.cpp
    guests/runtime/ucrt/startup/abort.cpp
    guests/runtime/ucrt/misc/errno.cpp
    guests/runtime/ucrt/misc/fatal_error.cpp
    guests/runtime/ucrt/string/strlen.cpp
)

runtime_objs=()
for src in "${runtime_sources[@]}"; do
    compile "$src" "${runtime_flags[@]}"
    runtime_objs+=("$(obj_of "$src")")
done

# --- the Debug runtime -------------------------------------------------------

# crtlab's stand-ins for the debug CRT DLLs, ucrtbased.dll and
# VCRUNTIME140D.dll, and the part of the Debug CRT that MSVC links into a
# program from msvcrtd.lib (guests/runtime/msvcrtd). They are built the way
# Microsoft builds its debug CRT: no optimization and full debug
# information, so that every function keeps its frame and source lines.
# __FILE__ (in the _ASSERTE reports and in the file names that
# _CRTDBG_MAP_ALLOC records) reads like the PDB's paths:
# C:\crtlab\guests\...\x.cpp.
debug_flags=("${x64[@]}" -O0 -g -gcodeview -D_DEBUG -D_DLL -ffile-reproducible
    '-fmacro-prefix-map=guests/=C:\crtlab\guests\' -fno-threadsafe-statics "${common_flags[@]}")

ucrtbased_sources=(
    guests/runtime/ucrtbased/dll/dll_main.cpp
    guests/runtime/ucrtbased/heap/debug_heap.cpp
    guests/runtime/ucrtbased/heap/malloc.cpp
    guests/runtime/ucrtbased/heap/calloc.cpp
    guests/runtime/ucrtbased/heap/realloc.cpp
    guests/runtime/ucrtbased/heap/free.cpp
    guests/runtime/ucrtbased/heap/msize.cpp
    guests/runtime/ucrtbased/heap/expand.cpp
    guests/runtime/ucrtbased/heap/malloc_base.cpp
    guests/runtime/ucrtbased/heap/heap_handle.cpp
    guests/runtime/ucrtbased/heap/new_handler.cpp
    guests/runtime/ucrtbased/heap/align.cpp
    guests/runtime/ucrtbased/heap/strdup.cpp
    guests/runtime/ucrtbased/misc/dbgrpt.cpp
    guests/runtime/ucrtbased/misc/errno.cpp
    guests/runtime/ucrtbased/misc/invalid_parameter.cpp
    guests/runtime/ucrtbased/misc/signal.cpp
    guests/runtime/ucrtbased/misc/misc.cpp
    guests/runtime/ucrtbased/misc/unsupported.cpp
    guests/runtime/ucrtbased/misc/unsupported_report.cpp
    guests/runtime/ucrtbased/startup/exit.cpp
    guests/runtime/ucrtbased/startup/initterm.cpp
    guests/runtime/ucrtbased/startup/argv_parsing.cpp
    guests/runtime/ucrtbased/startup/environment_initialization.cpp
    guests/runtime/ucrtbased/startup/app_settings.cpp
    guests/runtime/ucrtbased/startup/assert.cpp
    guests/runtime/ucrtbased/stdio/output.cpp
    guests/runtime/ucrtbased/stdio/stream.cpp
    guests/runtime/ucrtbased/string/strings.cpp
    guests/runtime/ucrtbased/convert/conversions.cpp
    guests/runtime/ucrtbased/stdlib/stdlib.cpp
    guests/runtime/ucrtbased/math/exact.cpp
    guests/runtime/ucrtbased/time/time.cpp
    guests/runtime/ucrtbased/filesystem/path.cpp
)
ucrtbased_objs=()
for src in "${ucrtbased_sources[@]}"; do
    compile "$src" "${debug_flags[@]}" -D_CRTBLD -D_CORECRT_BUILD
    ucrtbased_objs+=("$(obj_of "$src")")
done
# ucrtbased.dll has its own private memset, memcpy, memmove and memcmp, the
# ones of the static runtime.
compile_to obj/ucrtbased_private/memory.obj guests/runtime/vcruntime/memory.cpp "${debug_flags[@]}" -D_CRTBLD -D_CORECRT_BUILD
ucrtbased_objs+=(obj/ucrtbased_private/memory.obj)

vcruntime_sources=(
    guests/runtime/vcruntime140d/dll/dll_main.cpp
    guests/runtime/vcruntime140d/string/memory.cpp
    guests/runtime/vcruntime140d/misc/runtime.cpp
    guests/runtime/vcruntime140d/eh/unsupported.cpp
)
vcruntime_objs=()
for src in "${vcruntime_sources[@]}"; do
    compile "$src" "${debug_flags[@]}" -D_CRTBLD -D_VCRT_BUILD
    vcruntime_objs+=("$(obj_of "$src")")
done
# __C_specific_handler and _local_unwind: the static runtime's, built the
# Debug way.
compile_to obj/vcruntime140d_private/riscchandler.obj guests/runtime/vcruntime/riscchandler.cpp "${debug_flags[@]}" -D_CRTBLD -D_VCRT_BUILD
vcruntime_objs+=(obj/vcruntime140d_private/riscchandler.obj)

msvcrtd_sources=(
    guests/runtime/msvcrtd/exe_main.cpp
    guests/runtime/msvcrtd/utility.cpp
    guests/runtime/msvcrtd/new_scalar.cpp
    guests/runtime/msvcrtd/new_array.cpp
    guests/runtime/msvcrtd/new_debug.cpp
    guests/runtime/msvcrtd/delete_scalar.cpp
    guests/runtime/msvcrtd/delete_scalar_size.cpp
    guests/runtime/msvcrtd/delete_array.cpp
    guests/runtime/msvcrtd/delete_array_size.cpp
    guests/runtime/msvcrtd/delete_debug.cpp
    guests/runtime/msvcrtd/throw_bad_alloc.cpp
)
msvcrtd_objs=()
for src in "${msvcrtd_sources[@]}"; do
    compile "$src" "${debug_flags[@]}"
    msvcrtd_objs+=("$(obj_of "$src")")
done
# The /GS cookie and the initializer section markers are the static
# runtime's, built again the Debug way.
for src in guests/runtime/vcstartup/gs_support.cpp guests/runtime/vcstartup/initializers.cpp; do
    obj="obj/msvcrtd_shared/$(basename "${src%.*}").obj"
    compile_to "$obj" "$src" "${debug_flags[@]}"
    msvcrtd_objs+=("$obj")
done

# --- the Release runtime -----------------------------------------------------

# crtlab's stand-ins for the release CRT DLLs, ucrtbase.dll and
# VCRUNTIME140.dll, and the startup code a Release (/MD) program links from
# msvcrt.lib. They are the Debug runtime's sources built without _DEBUG, the
# way Microsoft builds its release CRT (optimized, with debug information):
# no debug heap, so malloc -> _malloc_base -> HeapAlloc. The few parts that
# only the release DLLs have are in guests/runtime/ucrtbase and
# guests/runtime/vcruntime140.
release_flags=("${x64[@]}" -O2 -g -gcodeview -D_DLL -ffile-reproducible
    '-fmacro-prefix-map=guests/=C:\crtlab\guests\' -fno-threadsafe-statics "${common_flags[@]}")

ucrtbase_sources=()
for src in "${ucrtbased_sources[@]}"; do
    case "$src" in
        */heap/debug_heap.cpp | */heap/align.cpp | */misc/dbgrpt.cpp | */misc/unsupported_report.cpp) ;;
        *) ucrtbase_sources+=("$src") ;;
    esac
done
ucrtbase_sources+=(
    guests/runtime/ucrtbase/heap/align.cpp
    guests/runtime/ucrtbase/heap/recalloc_base.cpp
    guests/runtime/ucrtbase/misc/unsupported_report.cpp
)
ucrtbase_objs=()
for src in "${ucrtbase_sources[@]}"; do
    obj="obj/ucrtbase_release/${src#guests/runtime/}"
    obj="${obj%.*}.obj"
    compile_to "$obj" "$src" "${release_flags[@]}" -D_CRTLAB_UCRTBASE -D_CRTBLD -D_CORECRT_BUILD
    ucrtbase_objs+=("$obj")
done
compile_to obj/ucrtbase_release/private/memory.obj guests/runtime/vcruntime/memory.cpp "${release_flags[@]}" -D_CRTBLD -D_CORECRT_BUILD
ucrtbase_objs+=(obj/ucrtbase_release/private/memory.obj)

vcruntime140_objs=()
for src in "${vcruntime_sources[@]}" guests/runtime/vcruntime140/report.cpp; do
    obj="obj/vcruntime140_release/${src#guests/runtime/}"
    obj="${obj%.*}.obj"
    compile_to "$obj" "$src" "${release_flags[@]}" -D_CRTLAB_VCRUNTIME140 -D_CRTBLD -D_VCRT_BUILD
    vcruntime140_objs+=("$obj")
done
compile_to obj/vcruntime140_release/private/riscchandler.obj guests/runtime/vcruntime/riscchandler.cpp "${release_flags[@]}" -D_CRTLAB_VCRUNTIME140 -D_CRTBLD -D_VCRT_BUILD
vcruntime140_objs+=(obj/vcruntime140_release/private/riscchandler.obj)

msvcrt_objs=()
for src in "${msvcrtd_sources[@]}" guests/runtime/vcstartup/gs_support.cpp guests/runtime/vcstartup/initializers.cpp; do
    case "$src" in
        */new_debug.cpp | */delete_debug.cpp) continue ;;
    esac
    obj="obj/msvcrt_release/${src#guests/runtime/}"
    obj="${obj%.*}.obj"
    compile_to "$obj" "$src" "${release_flags[@]}" -D_CRTLAB_MSVCRT
    msvcrt_objs+=("$obj")
done

# From here on, paths are relative to $work, so that the linker command lines
# (which lld records in the PDB) are the same in every build.
cd "$work"
"$LLVM_LIB" /nologo /out:crtlab_runtime.lib "${runtime_objs[@]}"
"$DLLTOOL" -m i386:x86-64 -d "$repo_root/guests/runtime/kernel32.def" -l kernel32.lib
"$DLLTOOL" -m i386:x86-64 -d "$repo_root/guests/tests/kernel32_unimplemented.def" -l kernel32_unimplemented.lib
"$DLLTOOL" -m i386:x86-64 -d "$repo_root/guests/tests/kernel32_surface.def" -l kernel32_surface.lib
"$DLLTOOL" -m i386:x86-64 -d "$repo_root/guests/tests/kernel32_seh.def" -l kernel32_seh.lib
# The Debug runtime's import libraries come from its .def files, which list
# exactly the names each DLL exports.
cp "$repo_root/guests/runtime/ucrtbased/ucrtbased.def" "$repo_root/guests/runtime/vcruntime140d/vcruntime140d.def" .
"$DLLTOOL" -m i386:x86-64 -d ucrtbased.def -l ucrtbased.lib
"$DLLTOOL" -m i386:x86-64 -d vcruntime140d.def -l vcruntime140d.lib
"$LLVM_LIB" /nologo /out:crtlab_msvcrtd.lib "${msvcrtd_objs[@]}"
# The Release runtime: ucrtbase.lib and vcruntime140.lib for linking the
# DLLs, and one import library per api set for the Release guests, which
# import the UCRT as Visual Studio programs do: from api-ms-win-crt-*.dll.
cp "$repo_root/guests/runtime/ucrtbase/ucrtbase.def" "$repo_root/guests/runtime/vcruntime140/vcruntime140.def" .
"$DLLTOOL" -m i386:x86-64 -d ucrtbase.def -l ucrtbase.lib
"$DLLTOOL" -m i386:x86-64 -d vcruntime140.def -l vcruntime140.lib
apiset_libs=()
for def in "$repo_root"/guests/runtime/ucrtbase/apisets/*.def; do
    name="$(basename "$def" .def)"
    "$DLLTOOL" -m i386:x86-64 -d "$def" -l "$name.lib"
    apiset_libs+=("$name.lib")
done
"$LLVM_LIB" /nologo /out:crtlab_msvcrt.lib "${msvcrt_objs[@]}"
cd "$repo_root"

# --- linking -----------------------------------------------------------------

link_flags=(
    /nologo /machine:x64 /subsystem:console /entry:mainCRTStartup
    /nodefaultlib /dynamicbase /base:0x140000000 /Brepro
)

link_exe() {
    # link_exe <output relative to $out> <debug: yes|no> <objs and libs relative to $work...>
    local output="$1" debug="$2"
    shift 2
    local name
    name="$(basename "$output" .exe)"
    local debug_flags=()
    if [ "$debug" = yes ]; then
        debug_flags=(/debug "/pdb:$name.pdb" "/pdbaltpath:$name.pdb" '/pdbsourcepath:C:\crtlab')
    fi
    (
        cd "$work"
        rm -f "$name.exe" "$name.pdb"
        "$LLD_LINK" "${link_flags[@]}" "${debug_flags[@]}" "/out:$name.exe" "$@"
        cp "$name.exe" "$out/$output"
        if [ "$debug" = yes ]; then
            cp "$name.pdb" "$out/${output%.exe}.pdb"
        fi
    )
}

dll_link_flags=(/nologo /machine:x64 /dll /nodefaultlib /dynamicbase /Brepro /noimplib /entry:_DllMainCRTStartup)

link_dll() {
    # link_dll <file name> <def file in $work> <base> <objs and libs relative to $work...>
    local output="$1" def="$2" base="$3"
    shift 3
    local name="${output%.*}"
    (
        cd "$work"
        rm -f "$output" "$name.pdb"
        "$LLD_LINK" "${dll_link_flags[@]}" "/def:$def" "/base:$base" /debug "/pdb:$name.pdb" \
            "/pdbaltpath:$name.pdb" '/pdbsourcepath:C:\crtlab' "/out:$output" "$@"
        cp "$output" "$name.pdb" "$out/dlls/"
    )
}

# The Debug runtime DLLs (embedded in crtlab: src/process/loader/embedded.rs).
link_dll ucrtbased.dll ucrtbased.def 0x180000000 "${ucrtbased_objs[@]}" kernel32.lib
link_dll VCRUNTIME140D.dll vcruntime140d.def 0x180000000 "${vcruntime_objs[@]}" ucrtbased.lib kernel32.lib

# The Release runtime DLLs (embedded in crtlab as well).
link_dll ucrtbase.dll ucrtbase.def 0x180000000 "${ucrtbase_objs[@]}" kernel32.lib
link_dll VCRUNTIME140.dll vcruntime140.def 0x180000000 "${vcruntime140_objs[@]}" ucrtbase.lib kernel32.lib

# The exercise program.
compile guests/allocate/allocate.cpp "${guest_cxx_flags[@]}"
link_exe allocate.exe yes "$(obj_of guests/allocate/allocate.cpp)" crtlab_runtime.lib kernel32.lib

# The exercise program as a Debug (/MDd) build: the debug CRT in the DLLs,
# the startup code from crtlab's msvcrtd library. Debug guests are compiled
# with line information (cl /Zi /Od).
debug_guest_libs=(crtlab_msvcrtd.lib ucrtbased.lib vcruntime140d.lib kernel32.lib)
compile guests/allocate_d/allocate_d.cpp "${debug_flags[@]}"
link_exe allocate_d.exe yes "$(obj_of guests/allocate_d/allocate_d.cpp)" "${debug_guest_libs[@]}"

# The debug heap's behaviours, one small Debug program each, and the
# runtime's self-test (guests/README.md).
for name in overrun underrun double_free leak break_alloc client_blocks delay_free checkpoint check_always unsupported_call \
    crt_selftest; do
    src="$(ls guests/debug/$name.c* | head -n 1)"
    compile "$src" "${debug_flags[@]}"
    link_exe "debug/$name.exe" yes "$(obj_of "$src")" "${debug_guest_libs[@]}"
done

# Release (/MD) guests: the DLL runtime through the api sets, crtlab's
# msvcrt startup, optimized with debug information (cl /MD /O2 /Zi).
mkdir -p "$out/release"
release_guest_libs=(crtlab_msvcrt.lib "${apiset_libs[@]}" vcruntime140.lib kernel32.lib)
for name in release_md; do
    compile "guests/release/$name.cpp" "${release_flags[@]}"
    link_exe "release/$name.exe" yes "$(obj_of "guests/release/$name.cpp")" "${release_guest_libs[@]}"
done

# Test guests.
for name in hello fault_av divide_zero int3 heap_overrun loop tls; do
    compile "guests/tests/$name.c" "${guest_c_flags[@]}"
    link_exe "tests/$name.exe" no "$(obj_of "guests/tests/$name.c")" crtlab_runtime.lib kernel32.lib
done
# The KERNEL32 surface of Visual Studio's C runtime, called the way that code
# calls it (PASS/FAIL lines; tests/win32_surface.rs).
compile guests/tests/win32_surface.c "${guest_c_flags[@]}"
link_exe tests/win32_surface.exe yes "$(obj_of guests/tests/win32_surface.c)" crtlab_runtime.lib \
    kernel32.lib kernel32_surface.lib
# Structured exception handling (tests/seh.rs): __try/__except/__finally as
# MSVC compiles them (-fasync-exceptions: a __try covers faulting
# instructions in its own body), with line information for the stacks.
compile guests/tests/seh.c "${guest_c_flags[@]}" -fasync-exceptions -g -gcodeview
link_exe tests/seh.exe yes "$(obj_of guests/tests/seh.c)" crtlab_runtime.lib kernel32.lib kernel32_seh.lib
compile guests/tests/unimplemented.c "${guest_c_flags[@]}"
link_exe tests/unimplemented.exe yes "$(obj_of guests/tests/unimplemented.c)" crtlab_runtime.lib \
    kernel32.lib kernel32_unimplemented.lib

# Bad images for the loader's error paths.
bad_c_flags=(-O1 -ffreestanding -fno-stack-protector -nostdlibinc -ffile-compilation-dir=. -Wall -Wextra -Werror)
"$CLANG" --target=i686-pc-windows-msvc "${bad_c_flags[@]}" -c guests/tests/bad/tiny.c -o "$work/tiny_x86.obj"
"$CLANG" --target=aarch64-pc-windows-msvc "${bad_c_flags[@]}" -c guests/tests/bad/tiny.c -o "$work/tiny_arm64.obj"
"$CLANG" "${x64[@]}" "${bad_c_flags[@]}" -c guests/tests/bad/lib.c -o "$work/lib.obj"
(
    cd "$work"
    bad_link=(/nologo /nodefaultlib /Brepro /subsystem:console)
    "$LLD_LINK" "${bad_link[@]}" /machine:x86 /entry:entry /out:x86.exe tiny_x86.obj
    "$LLD_LINK" "${bad_link[@]}" /machine:arm64 /entry:entry /out:arm64.exe tiny_arm64.obj
    "$LLD_LINK" "${bad_link[@]}" /machine:x64 /dll /noentry /noimplib /out:lib.dll lib.obj
    cp x86.exe arm64.exe lib.dll "$out/tests/bad/"
)

# --- checks ------------------------------------------------------------------

# The exercise transcript (seed 000) fixes the frame sizes of the functions in
# the allocation stacks and the source lines of three calls; verify them on
# the objects just built, so an edit that breaks them fails here.
bash "$repo_root/guests/verify_layout.sh" "$out"

# The Debug runtime keeps some calls and assertions on the lines Microsoft's
# has, because they show in stacks and in "Debug Assertion Failed!" boxes
# (guests/README.md, "Source lines the stacks show").
check_line() {
    # check_line <file> <line> <text the line contains>
    if ! sed -n "$2p" "$repo_root/$1" | grep -qF -- "$3"; then
        echo "build.sh: $1 line $2 must contain: $3 (see guests/README.md)" >&2
        exit 1
    fi
}
check_line guests/runtime/msvcrtd/exe_common.inl 79 "return main(__argc, __argv, _get_initial_narrow_environment());"
check_line guests/runtime/msvcrtd/exe_common.inl 288 "int const main_result = invoke_main();"
check_line guests/runtime/msvcrtd/exe_common.inl 331 "return __scrt_common_main_seh();"
check_line guests/runtime/msvcrtd/exe_main.cpp 17 "return static_cast<DWORD>(__scrt_common_main());"
check_line guests/runtime/ucrtbased/heap/debug_heap.cpp 904 "_ASSERTE(_CrtIsValidHeapPointer(block));"
check_line guests/runtime/ucrtbased/heap/debug_heap.cpp 996 "_ASSERTE(__acrt_first_block == header);"

artifacts=(
    allocate.exe allocate.pdb
    allocate_d.exe allocate_d.pdb
    dlls/ucrtbased.dll dlls/ucrtbased.pdb dlls/VCRUNTIME140D.dll dlls/VCRUNTIME140D.pdb
    dlls/ucrtbase.dll dlls/ucrtbase.pdb dlls/VCRUNTIME140.dll dlls/VCRUNTIME140.pdb
    release/release_md.exe release/release_md.pdb
    debug/overrun.exe debug/overrun.pdb debug/underrun.exe debug/underrun.pdb
    debug/double_free.exe debug/double_free.pdb debug/leak.exe debug/leak.pdb
    debug/break_alloc.exe debug/break_alloc.pdb debug/client_blocks.exe debug/client_blocks.pdb
    debug/delay_free.exe debug/delay_free.pdb debug/checkpoint.exe debug/checkpoint.pdb
    debug/check_always.exe debug/check_always.pdb debug/unsupported_call.exe debug/unsupported_call.pdb
    debug/crt_selftest.exe debug/crt_selftest.pdb
    tests/hello.exe tests/fault_av.exe tests/divide_zero.exe tests/int3.exe
    tests/heap_overrun.exe tests/loop.exe tests/tls.exe tests/unimplemented.exe tests/unimplemented.pdb
    tests/win32_surface.exe tests/win32_surface.pdb tests/seh.exe tests/seh.pdb
    tests/bad/x86.exe tests/bad/arm64.exe tests/bad/lib.dll
)

if [ "$check" = 1 ]; then
    status=0
    for artifact in "${artifacts[@]}"; do
        committed="$repo_root/guests/$artifact"
        if [ ! -f "$committed" ]; then
            echo "build.sh --check: guests/$artifact is missing (run guests/build.sh and commit it)" >&2
            status=1
        elif ! cmp -s "$committed" "$out/$artifact"; then
            echo "build.sh --check: guests/$artifact differs from a rebuild of its sources" >&2
            status=1
        fi
    done
    if [ "$status" != 0 ]; then
        echo "build.sh --check: FAILED; rebuild with guests/build.sh and commit the results" >&2
        exit 1
    fi
    echo "build.sh --check: all ${#artifacts[@]} guest artifacts match a rebuild"
else
    echo "build.sh: built ${#artifacts[@]} artifacts into $out"
fi
