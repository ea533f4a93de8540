#!/usr/bin/env bash
# Runs the same db_bench workloads on Strata, RocksDB and LevelDB, in alternation for several
# rounds, and prints the median ops/sec of each engine with the ratios strata/rocksdb and
# strata/leveldb, and draws the same as a chart (bench/plot_compare.py: a bar group per
# benchmark, each engine's median with its spread over the rounds). Installs
# libleveldb-dev, librocksdb-dev and python3-matplotlib if they are missing and builds
# db_bench with them. `make compare` runs it with the defaults.
#
# Usage: bench/compare.sh [-b LIST] [-n NUM] [-r ROUNDS] [-e ENGINES] [-o DIR] [-c CHART] [-- DB_BENCH_FLAGS]
#   -b  benchmarks, comma-separated (default below). Plain names run together, in order, in
#       one db_bench per engine and round; NAME@T runs alone with --threads=T (use it for
#       self-contained fills such as fillsync@16).
#   -n  --num (default 1000000)
#   -r  rounds (default 3)
#   -e  engines in the order of the first round (default strata,rocksdb,leveldb); each round
#       starts one engine later, so no engine always runs first or last.
#   -o  keep every db_bench output in DIR (default: a temporary directory, removed)
#   -c  the chart's file, .svg or .png (default build/compare.svg; "" for none)
#   flags after -- go to every db_bench run (e.g. -- --value_size=400 --compression=none)
# Environment: BUILD_DIR (default build/release), JOBS (build parallelism, default 2),
# DB_BENCH (a db_bench binary to use instead of building one).
set -euo pipefail

cd "$(dirname "$0")/.."

benchmarks="fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom,readwhilewriting,fillsync@1,fillsync@16"
num=1000000
rounds=3
engines="strata,rocksdb,leveldb"
keep_dir=""
chart="build/compare.svg"
while getopts "b:n:r:e:o:c:h" opt; do
  case "$opt" in
    b) benchmarks="$OPTARG" ;;
    n) num="$OPTARG" ;;
    r) rounds="$OPTARG" ;;
    e) engines="$OPTARG" ;;
    o) keep_dir="$OPTARG" ;;
    c) chart="$OPTARG" ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
extra_flags=("$@")

# --- the comparison libraries ---------------------------------------------------------------
packages="${COMPARE_PACKAGES:-libleveldb-dev librocksdb-dev python3-matplotlib}"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  line="apt-get install -y$missing"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive $line
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $line
  else
    echo "Missing packages. Run: sudo apt-get update && sudo $line" >&2
    exit 1
  fi
fi

# --- db_bench with every engine -------------------------------------------------------------
if [ -z "${DB_BENCH:-}" ]; then
  build_dir="${BUILD_DIR:-build/release}"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target db_bench -j "${JOBS:-2}" >/dev/null
  DB_BENCH="$build_dir/bench/db_bench"
fi
IFS=, read -r -a engine_list <<<"$engines"
for e in "${engine_list[@]}"; do
  if ! "$DB_BENCH" --engine="$e" --num=1 --benchmarks=stats >/dev/null 2>"${TMPDIR:-/tmp}/compare_check.$$"; then
    cat "${TMPDIR:-/tmp}/compare_check.$$" >&2
    rm -f "${TMPDIR:-/tmp}/compare_check.$$"
    exit 1
  fi
done
rm -f "${TMPDIR:-/tmp}/compare_check.$$"

if [ -n "$keep_dir" ]; then
  out_dir="$keep_dir"
  mkdir -p "$out_dir"
else
  out_dir="$(mktemp -d "${TMPDIR:-/tmp}/strata_compare_XXXXXX")"
  trap 'rm -rf "$out_dir"' EXIT
fi

# --- the runs -------------------------------------------------------------------------------
# Invocations: "main" runs the plain names together; every NAME@T runs alone.
IFS=, read -r -a items <<<"$benchmarks"
main=""
solo=()
for item in "${items[@]}"; do
  if [[ "$item" == *@* ]]; then solo+=("$item"); else main="${main:+$main,}$item"; fi
done

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "db_bench comparison: $(date '+%Y-%m-%d %H:%M'), $(nproc) cores ($cpu), --num=$num, $rounds rounds"
echo "command: bench/compare.sh -b $benchmarks -n $num -r $rounds -e $engines${extra_flags[*]:+ -- ${extra_flags[*]}}"
if [[ ",$engines," == *",rocksdb,"* ]]; then
  echo "NOTE: rocksdb here is Debian's librocksdb, built with assertions on (not NDEBUG): slower"
  echo "      than a release build. Quote release-build anchors for RocksDB's speed (docs/BENCHMARKS.md)."
fi
"$DB_BENCH" --engine=rocksdb --num=1 --benchmarks=stats 2>/dev/null | grep -E '^NOTE' || true
"$DB_BENCH" --engine=leveldb --num=1 --benchmarks=stats 2>/dev/null | grep -E '^NOTE' | grep -v background || true

results="$out_dir/results.tsv"  # round engine row value
: >"$results"
# Appends the ops/sec of each named benchmark in output file $4 (run with $3 threads).
collect() {
  local round=$1 engine=$2 threads=$3 file=$4 names=$5
  local name ops
  IFS=, read -r -a wanted <<<"$names"
  for name in "${wanted[@]}"; do
    ops=$(awk -v n="$name" '$1 == n && $4 == "micros/op" { v = $5 } END { print v }' "$file")
    local row="$name"
    [ "$threads" != main ] && row="$name@$threads"
    [ -n "$ops" ] && printf '%s\t%s\t%s\t%s\n' "$round" "$engine" "$row" "$ops" >>"$results"
  done
  if [ "$threads" = main ]; then
    awk -v r="$round" -v e="$engine" '
      /^Memory:/ { printf "%s\t%s\tpeak memory (MB)\t%s\n", r, e, $2 }
      /^Writes:/ { for (i = 1; i <= NF; i++) if ($i == "amplification") { v = $(i + 1); sub(/,/, "", v);
                   printf "%s\t%s\twrite amplification\t%s\n", r, e, v } }' "$file" >>"$results"
  fi
}

n_engines=${#engine_list[@]}
for ((round = 1; round <= rounds; round++)); do
  for ((k = 0; k < n_engines; k++)); do
    engine="${engine_list[$(((k + round - 1) % n_engines))]}"
    if [ -n "$main" ]; then
      f="$out_dir/r$round-$engine-main.txt"
      echo "round $round: $engine $main" >&2
      "$DB_BENCH" --engine="$engine" --num="$num" --benchmarks="$main" "${extra_flags[@]}" >"$f" 2>/dev/null
      collect "$round" "$engine" main "$f" "$main"
    fi
    for item in "${solo[@]}"; do
      name="${item%@*}"
      threads="${item#*@}"
      f="$out_dir/r$round-$engine-$name-$threads.txt"
      echo "round $round: $engine $name --threads=$threads" >&2
      "$DB_BENCH" --engine="$engine" --num="$num" --benchmarks="$name" --threads="$threads" \
        "${extra_flags[@]}" >"$f" 2>/dev/null
      collect "$round" "$engine" "$threads" "$f" "$name"
    done
  done
done

# --- the table ------------------------------------------------------------------------------
rows="$(printf '%s\n' "${items[@]}")"
[ -n "$main" ] && rows="$rows
peak memory (MB)
write amplification"
echo
awk -F'\t' -v engines="$engines" -v rows="$rows" '
  function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) a[i] += 0
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { values[$3, $2] = values[$3, $2] " " ($4 + 0) }
  END {
    ne = split(engines, eng, ",")
    nr = split(rows, row, "\n")
    printf "%-22s", "benchmark (ops/sec)"
    for (e = 1; e <= ne; e++) printf " %12s", eng[e]
    for (e = 1; e <= ne; e++) if (eng[e] != "strata") printf " %16s", "strata/" eng[e]
    printf "\n"
    for (r = 1; r <= nr; r++) {
      label = row[r]
      if (label ~ /@/) { split(label, p, "@"); label = p[1] " (" p[2] (p[2] == 1 ? " thread)" : " threads)") }
      printf "%-22s", label
      for (e = 1; e <= ne; e++) {
        m[e] = median(values[row[r], eng[e]])
        if (m[e] == "") printf " %12s", "-"
        else if (m[e] >= 100) printf " %12.0f", m[e]
        else printf " %12.2f", m[e]
        if (eng[e] == "strata") s = m[e]
      }
      for (e = 1; e <= ne; e++) if (eng[e] != "strata") {
        if (s == "" || m[e] == "" || m[e] == 0) printf " %16s", "-"
        else printf " %15.2fx", s / m[e]
      }
      printf "\n"
    }
  }' "$results"
echo
echo "Medians of $rounds rounds."
if [ -n "$main" ]; then
  echo "Peak memory and write amplification (bytes written to files per key and value byte"
  echo "written, WAL included) come from the runs of: $main"
  echo "(for these two a ratio below 1 means Strata uses less)."
fi

# --- the chart ------------------------------------------------------------------------------
if [ -n "$chart" ]; then
  mkdir -p "$(dirname "$chart")"
  # Debian's matplotlib is installed for Debian's python (another python3 may come first).
  "${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}" bench/plot_compare.py "$results" "$chart" --engines "$engines" \
    --title "db_bench --num=$num, $rounds rounds, $(date '+%Y-%m-%d'): median ops/sec, bars from slowest to fastest round" ||
    echo "compare: no chart (needs python3-matplotlib)" >&2
fi
