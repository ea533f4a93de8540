#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz", build/fuzz), writes the seed corpora with
# the engine's own writers, then runs each target in turn for FUZZ_SECONDS.
#
#   tests/fuzz/run.sh [TARGET...]        (default: every target)
#
# Environment: FUZZ_SECONDS (per target, default 60), JOBS (build jobs, default 2),
# FUZZ_ARGS (extra libFuzzer flags for every target).
#
# Layout under build/fuzz/: corpus/<target>/ (seeds plus what the fuzzer found interesting;
# kept between runs, so later runs start where earlier ones stopped), findings/<target>/
# (crash-*, leak-*, timeout-*, oom-*), logs/<target>.log (the fuzzer's full output).
#
# Exit status: non-zero if a build step fails, a target fails, or any finding is left.
# Findings from earlier runs are replayed first: those that no longer reproduce move to
# findings/<target>/fixed/; those that still do fail the run without fuzzing.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
JOBS=${JOBS:-2}
FUZZ_ARGS=${FUZZ_ARGS:-}
BUILD=build/fuzz
ALL_TARGETS=(wal_reader block table version_edit write_batch)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")

# Largest input per target: the WAL needs a few 32 KiB blocks to reach the block-boundary
# rules; a table needs room for several blocks; the others are single records.
max_len() {
  case "$1" in
    wal_reader) echo 100000 ;;
    table) echo 16384 ;;
    block) echo 8192 ;;
    version_edit | write_batch) echo 4096 ;;
    *) echo "unknown fuzz target: $1" >&2; return 1 ;;
  esac
}

for t in "${TARGETS[@]}"; do max_len "$t" >/dev/null; done

cmake --preset fuzz >/dev/null
binaries=()
for t in "${TARGETS[@]}"; do binaries+=("${t}_fuzzer"); done
cmake --build --preset fuzz -j "$JOBS" --target strata_fuzz_seeds "${binaries[@]}"
"$BUILD/tests/fuzz/strata_fuzz_seeds" "$BUILD/corpus"
mkdir -p "$BUILD/logs"

failed=0
summary=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/${t}_fuzzer"
  findings="$BUILD/findings/$t"
  log="$BUILD/logs/$t.log"
  mkdir -p "$findings" "$BUILD/corpus/$t"

  # Replay what earlier runs found.
  stale=0
  for f in "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* "$findings"/oom-*; do
    [ -e "$f" ] || continue
    if "$bin" -timeout=25 -rss_limit_mb=2048 "$f" >/dev/null 2>&1; then
      mkdir -p "$findings/fixed"
      mv "$f" "$findings/fixed/"
      echo "$t: $(basename "$f") no longer reproduces (moved to $findings/fixed/)"
    else
      echo "$t: $(basename "$f") still reproduces: $bin $f"
      stale=1
    fi
  done
  if [ $stale -ne 0 ]; then
    failed=1
    summary+=("$t: FAILED (earlier findings still reproduce)")
    continue
  fi

  cmd=("$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$t")" -timeout=25
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"
       $FUZZ_ARGS "$BUILD/corpus/$t")
  echo "== $t: ${cmd[*]}"
  rc=0
  "${cmd[@]}" >"$log" 2>&1 || rc=$?
  final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  corpus_files=$(find "$BUILD/corpus/$t" -type f | wc -l)
  found=$(find "$findings" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  line="$t: ${runs:-?} runs, corpus $corpus_files files, findings $found | $final"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    line="$line | FAILED (exit $rc; see $log and $findings/)"
    grep -E 'ERROR|runtime error|check failed' "$log" | head -5 || true
  fi
  echo "$line"
  summary+=("$line")
done

echo "== fuzz summary (${FUZZ_SECONDS}s per target)"
printf '%s\n' "${summary[@]}"
n_failed=$(printf '%s\n' "${summary[@]}" | grep -c 'FAILED' || true)
echo "fuzz: $((${#summary[@]} - n_failed)) passed, $n_failed failed"
exit $failed
