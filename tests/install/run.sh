#!/usr/bin/env bash
# The install, as a user meets it: installs a build into a temporary prefix, moves the prefix
# elsewhere (both routes must be relocatable), then builds and runs the consumer programs in
# tests/install/consumer/ with CMake's find_package and with pkg-config, in C++ and in C.
# Also checks that the README shows those programs as they are.
#
# Usage: tests/install/run.sh [BUILD_DIR]   (default build/release; it must be built)
# Environment: JOBS (build parallelism, default 2), CC, CXX.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="${1:-build/release}"
consumer=tests/install/consumer

# The README's examples are these files, verbatim: a block that follows the marker
# <!-- file: PATH --> must equal PATH.
for f in "$consumer/example.cc" "$consumer/example.c" "$consumer/example_monitoring.cc" \
  "$consumer/CMakeLists.txt"; do
  if ! sed -n "\|<!-- file: $f -->|,\|^\`\`\`\$|p" README.md | sed '1,2d;$d' | diff -u - "$f"; then
    echo "install test: README.md's copy of $f differs (or is missing)" >&2
    exit 1
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/strata_install_XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/staged" >/dev/null
mv "$work/staged" "$work/prefix"
prefix="$work/prefix"
libdir="$(dirname "$(find "$prefix" -name 'libstrata.*' | head -n 1)")"
# A shared library carries its versioned soname; programs linked by pkg-config find it here.
if [ -e "$libdir/libstrata.so" ]; then
  readelf -d "$libdir/libstrata.so" | grep -q 'SONAME.*libstrata\.so\.[0-9]' || {
    echo "install test: libstrata.so has no versioned soname" >&2; exit 1; }
fi
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

run() {  # run NAME PROGRAM: the program must succeed on a fresh database
  local out
  if ! out="$("$2" "$work/db_$1" 2>&1)"; then
    echo "install test: $1 failed: $out" >&2
    exit 1
  fi
}

# 1. CMake: find_package(strata CONFIG REQUIRED), strata::strata.
cmake -S "$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j "${JOBS:-2}" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
run cmake_cxx "$work/build/example"
run cmake_c "$work/build/example_c"
run cmake_monitoring "$work/build/example_monitoring"

# 2. pkg-config, with nothing but the moved prefix on its path.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
unset PKG_CONFIG_LIBDIR
flags="$(pkg-config --cflags --libs strata)"
case "$flags" in *"$work/staged"*|*/usr/local*) echo "install test: strata.pc is not relocatable: $flags" >&2; exit 1 ;; esac
# shellcheck disable=SC2086  # the flags are words
"${CXX:-c++}" -std=c++20 "$consumer/example.cc" -o "$work/pc_example" $flags
# shellcheck disable=SC2086
"${CC:-cc}" -std=c11 "$consumer/example.c" -o "$work/pc_example_c" $flags
run pkgconfig_cxx "$work/pc_example"
run pkgconfig_c "$work/pc_example_c"

echo "install test: find_package and pkg-config, C++ and C, from a moved prefix: OK"
