#!/usr/bin/env bash
# The chart scripts (bench/plot_compare.py, bench/plot_throughput.py) on small known inputs:
# each must write an SVG holding one bar per engine and benchmark, or one line per
# benchmark. Skipped (exit 77) where matplotlib is not installed (make compare installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's matplotlib is installed for Debian's python (another python3 may come first on PATH).
python="${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}"
"$python" -c 'import matplotlib' 2>/dev/null || { echo "matplotlib missing: skipped"; exit 77; }
work="$(mktemp -d "${TMPDIR:-/tmp}/strata_plot_XXXXXX")"
trap 'rm -rf "$work"' EXIT

printf '1\tstrata\tfillseq\t500000\n1\trocksdb\tfillseq\t300000\n2\tstrata\tfillseq\t520000\n' >"$work/results.tsv"
printf '2\trocksdb\tfillseq\t310000\n1\tstrata\treadrandom\t200000\n1\trocksdb\treadrandom\t150000\n' >>"$work/results.tsv"
printf '1\tstrata\tpeak memory (MB)\t210\n1\trocksdb\tpeak memory (MB)\t160\n' >>"$work/results.tsv"
"$python" bench/plot_compare.py "$work/results.tsv" "$work/compare.svg" --engines strata,rocksdb >/dev/null
for text in fillseq readrandom 'peak memory (MB)' strata rocksdb ops/sec; do
  grep -qF "$text" "$work/compare.svg" || { echo "compare chart lacks '$text'"; exit 1; }
done
# Two engines, three rows: six bars, each a patch with an error bar.
bars=$(grep -c 'id="patch_' "$work/compare.svg" || true)
[ "$bars" -ge 6 ] || { echo "compare chart has $bars patches, want at least 6 bars"; exit 1; }

cat >"$work/progress.txt" <<'PROGRESS'
fillrandom: 1 s, 250000 ops, 250000 ops/s now, 250000 ops/s overall
fillrandom: 2 s, 400000 ops, 150000 ops/s now, 200000 ops/s overall
some other line
readrandom: 1 s, 100000 ops, 100000 ops/s now, 100000 ops/s overall
readrandom: 2 s, 210000 ops, 110000 ops/s now, 105000 ops/s overall; anon 40 MiB: memtables 1 MiB, table readers 2 MiB, block cache 3 MiB
PROGRESS
"$python" bench/plot_throughput.py "$work/progress.txt" "$work/throughput.svg" >/dev/null
for text in fillrandom readrandom seconds; do
  grep -qF "$text" "$work/throughput.svg" || { echo "throughput chart lacks '$text'"; exit 1; }
done
lines=$(grep -c 'id="line2d_' "$work/throughput.svg" || true)
[ "$lines" -ge 2 ] || { echo "throughput chart has $lines lines"; exit 1; }
if "$python" bench/plot_throughput.py /dev/null "$work/none.svg" 2>/dev/null; then
  echo "no progress lines must be an error"; exit 1
fi
echo "plot test: OK"
