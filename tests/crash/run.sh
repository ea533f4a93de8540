#!/usr/bin/env bash
# Builds the crash driver if needed and runs it; arguments go to the driver:
#   tests/crash/run.sh [--cycles N] [--seed S] [--db DIR] [--min_kill_ms MS] [--max_kill_ms MS]
#                      [--early_kill_one_in N] [--keys N] [--keep] [--verbose]
# Without --cycles it runs 1,000 cycles. BUILD_DIR picks the build directory (default
# build/release, configured as a Release build if missing); JOBS the build parallelism.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j "${JOBS:-2}" --target strata_crash_driver >/dev/null
args=("$@")
case " $* " in
  *" --cycles"*) ;;
  *) args=(--cycles 1000 "${args[@]}") ;;
esac
exec "$build/tests/crash/strata_crash_driver" "${args[@]}"
