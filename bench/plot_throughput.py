#!/usr/bin/env python3
"""Turns db_bench's progress lines (--stats_interval_seconds=N, printed on stderr) into a
throughput-over-time chart (SVG or PNG, by the output's extension): ops/sec in each interval
against time since the first benchmark started, one line per benchmark, so stalls and
compaction debt show as dips.

Usage:
  db_bench --benchmarks=fillrandom,readrandom --stats_interval_seconds=1 2> progress.txt
  bench/plot_throughput.py progress.txt throughput.svg [--title TEXT]
Reads lines "NAME: E s, N ops, R ops/s now, O ops/s overall"; other lines are ignored.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import re
import sys

from chart_style import plt, save  # first: it sets matplotlib up

LINE = re.compile(r"^(?P<name>[\w@.-]+): (?P<t>[\d.]+) s, (?P<ops>\d+) ops, (?P<rate>[\d.]+) ops/s now")


def read_progress(path):
    """[(benchmark, [(seconds since it started, ops/s)])] in order; a benchmark that runs
    again (a new series whose time goes back) starts a new entry."""
    series = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.strip())
            if not m:
                continue
            name, t, rate = m["name"], float(m["t"]), float(m["rate"])
            if not series or series[-1][0] != name or t <= series[-1][1][-1][0]:
                series.append((name, []))
            series[-1][1].append((t, rate))
    return series


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("progress")
    parser.add_argument("output")
    parser.add_argument("--title", default="db_bench throughput per interval")
    args = parser.parse_args()

    series = read_progress(args.progress)
    if not series:
        sys.exit(f"plot_throughput: no progress lines in {args.progress} "
                 "(run db_bench with --stats_interval_seconds=N and keep its stderr)")
    fig, ax = plt.subplots(figsize=(9, 4))
    offset = 0.0
    for name, points in series:
        # Benchmarks run one after another: each starts where the previous one ended.
        xs = [offset + t for t, _ in points]
        ax.plot(xs, [r for _, r in points], marker=".", label=name)
        offset = xs[-1]
    ax.set_xlabel("seconds")
    ax.set_ylabel("ops/sec in the interval")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    save(fig, ax, args.title, args.output)


if __name__ == "__main__":
    main()
