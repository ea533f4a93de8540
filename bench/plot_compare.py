#!/usr/bin/env python3
"""Draws bench/compare.sh's results as one self-contained chart (SVG or PNG, by the output's
extension): one group of bars per benchmark, one bar per engine at its median ops/sec, with
a line from the slowest to the fastest round (the spread); a log scale when the rates span
more than 20x. Peak memory and write amplification, when present, get a panel each, since
they are not rates.

Usage: bench/plot_compare.py RESULTS.tsv OUTPUT.svg [--title TEXT] [--engines a,b,c]
RESULTS.tsv holds lines "round<TAB>engine<TAB>row<TAB>value", as compare.sh writes them.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import collections
import statistics
import sys

from chart_style import plt, save  # first: it sets matplotlib up

NOT_RATES = ("peak memory (MB)", "write amplification")  # rows compare.sh adds


def read_results(path):
    """{row: {engine: [values]}}, rows and engines in order of first appearance."""
    values = collections.OrderedDict()
    engines = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            _, engine, row, value = parts
            values.setdefault(row, collections.OrderedDict()).setdefault(engine, []).append(float(value))
            if engine not in engines:
                engines.append(engine)
    return values, engines


def label(row):
    if "@" in row:
        name, threads = row.split("@")
        return f"{name}\n{threads} thread{'s' if threads != '1' else ''}"
    return row


def bars(ax, rows, values, engines, unit):
    width = 0.8 / max(len(engines), 1)
    for i, engine in enumerate(engines):
        xs, medians, low, high = [], [], [], []
        for x, row in enumerate(rows):
            runs = values[row].get(engine)
            if not runs:
                continue
            m = statistics.median(runs)
            xs.append(x + (i - (len(engines) - 1) / 2) * width)
            medians.append(m)
            low.append(m - min(runs))
            high.append(max(runs) - m)
        ax.bar(xs, medians, width, label=engine, yerr=[low, high], capsize=3)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([label(r) for r in rows], fontsize=8)
    ax.set_ylabel(unit)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("output")
    parser.add_argument("--title", default="db_bench: median of the rounds, bars from slowest to fastest round")
    parser.add_argument("--engines", help="order of the bars (default: as in the results)")
    args = parser.parse_args()

    values, engines = read_results(args.results)
    if not values:
        sys.exit(f"plot_compare: no results in {args.results}")
    if args.engines:
        engines = [e for e in args.engines.split(",") if e in engines]
    rates = [r for r in values if r not in NOT_RATES]
    others = [r for r in values if r in NOT_RATES]

    # One panel for the rates, one for each other measure (each has its own unit).
    panels = ([rates] if rates else []) + [[r] for r in others]
    ratios = [len(p) for p in panels]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.5 + 1.2 * sum(ratios), 4.5),
                             gridspec_kw={"width_ratios": ratios}, squeeze=False)
    for ax, rows in zip(axes[0], panels):
        is_rate = rows is rates
        bars(ax, rows, values, engines, "ops/sec" if is_rate else rows[0] + ", lower is better")
        medians = [statistics.median(v) for r in rows for v in values[r].values() if v]
        if is_rate and medians and min(medians) > 0 and max(medians) / min(medians) > 20:
            ax.set_yscale("log")  # fills at thousands and scans at millions on one axis
    save(fig, axes[0][0], args.title, args.output)


if __name__ == "__main__":
    main()
