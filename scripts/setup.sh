#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test crtlab:
#  - cmake and libclang (unicorn-engine's build), pkg-config;
#  - clang-19, lld-19, llvm-19 (only to rebuild the guest programs; the built guests are
#    committed, so running crtlab does not need them).
# Debian/Ubuntu: installs with apt-get. Other systems: says what to install.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }

if ! have cargo; then
  echo "setup: Rust is missing; install it from https://rustup.rs and run this again" >&2
  exit 1
fi

case "$(uname -s)" in
  Linux)
    if [ -r /etc/debian_version ]; then
      have cmake || need_apt+=(cmake)
      have pkg-config || need_apt+=(pkg-config)
      # libclang for bindgen (unicorn-engine-sys).
      ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ls /usr/lib/*/libclang*.so* >/dev/null 2>&1 || need_apt+=(libclang-dev)
      have clang-19 || need_apt+=(clang-19)
      have lld-link-19 || need_apt+=(lld-19)
      [ -x /usr/lib/llvm-19/bin/llvm-dlltool ] || need_apt+=(llvm-19)
      have gcc || need_apt+=(build-essential)
      if [ ${#need_apt[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "setup: installing ${need_apt[*]}"
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
      fi
    else
      for t in cmake clang pkg-config; do
        have "$t" || echo "setup: please install $t (and libclang) with your package manager" >&2
      done
    fi
    ;;
  Darwin)
    have cmake || echo "setup: please run: brew install cmake" >&2
    echo "setup: on macOS, unicorn needs libclang: brew install llvm (and export LIBCLANG_PATH=\$(brew --prefix llvm)/lib)" >&2
    ;;
  *)
    echo "setup: on Windows, install CMake and LLVM (for libclang), e.g. winget install Kitware.CMake LLVM.LLVM" >&2
    ;;
esac
