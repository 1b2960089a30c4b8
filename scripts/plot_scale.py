#!/usr/bin/env python3
"""Draws the scale charts of BENCHMARKS.md from the CSV the bench harness writes.

    cargo bench -- --scale --reps 3 --csv target/scale.csv
    python3 scripts/plot_scale.py target/scale.csv -o docs/scale.svg

Needs matplotlib (`pip install matplotlib`). The output format follows the file extension
(.svg, .png, ...). Four panels: time per actor (spawn + one send + stop) for plain actors and
for the children of one SimpleOneForOne supervisor, ours and raw on both runtimes; the ratio
ours / raw with the 2.0 target; and the peak RSS per actor.
"""

import argparse
import csv
import sys
from collections import defaultdict

SERIES = {
    "scale": "plain actors (scale-*)",
    "supervisor": "SimpleOneForOne children (supervisor-*)",
}
FLAVOURS = ["mt-2", "ct"]
STYLE = {
    ("ours", "mt-2"): dict(color="tab:blue", marker="o", linestyle="-"),
    ("ours", "ct"): dict(color="tab:blue", marker="s", linestyle="--"),
    ("raw", "mt-2"): dict(color="tab:gray", marker="o", linestyle="-"),
    ("raw", "ct"): dict(color="tab:gray", marker="s", linestyle="--"),
}
RATIO_STYLE = {
    ("scale", "mt-2"): dict(color="tab:blue", marker="o", linestyle="-"),
    ("scale", "ct"): dict(color="tab:blue", marker="s", linestyle="--"),
    ("supervisor", "mt-2"): dict(color="tab:orange", marker="o", linestyle="-"),
    ("supervisor", "ct"): dict(color="tab:orange", marker="s", linestyle="--"),
}


def count_of(name):
    """`scale-100k` -> ("scale", 100000); None for other scenarios."""
    series, _, size = name.rpartition("-")
    if series not in SERIES:
        return None
    factor = {"k": 1_000, "m": 1_000_000}.get(size[-1:].lower())
    if factor is None or not size[:-1].isdigit():
        return None
    return series, int(size[:-1]) * factor


def load(path):
    """{(series, metric, flavour): [(count, ours, raw)]} sorted by count."""
    data = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            parsed = count_of(row["scenario"])
            if parsed is None:
                continue
            series, count = parsed
            key = (series, row["metric"], row["runtime"])
            data[key].append((count, float(row["ours"]), float(row["raw"])))
    for points in data.values():
        points.sort()
    return data


def size_label(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1_000}k"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="CSV written by `cargo bench -- --csv FILE`")
    parser.add_argument("-o", "--output", default="docs/scale.svg")
    parser.add_argument("--title", default="", help="subtitle: machine, date")
    args = parser.parse_args()

    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a smaller file
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FixedLocator, NullLocator
    except ImportError:
        sys.exit("matplotlib is needed: pip install matplotlib")

    data = load(args.csv)
    if not data:
        sys.exit(f"no scale-* or supervisor-* rows in {args.csv}")
    counts = sorted({c for points in data.values() for c, _, _ in points})

    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))

    def log_x(ax):
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(FixedLocator(counts))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([size_label(c) for c in counts])
        ax.set_xlim(counts[0] / 1.6, counts[-1] * 1.6)
        ax.set_xlabel("actors")
        ax.grid(True, alpha=0.3)

    for ax, series in zip(axes[0], SERIES):
        for flavour in FLAVOURS:
            points = data.get((series, "total per actor", flavour), [])
            if not points:
                continue
            xs = [c for c, _, _ in points]
            for side, idx in (("ours", 1), ("raw", 2)):
                ys = [p[idx] for p in points]
                ax.plot(xs, ys, label=f"{side}, {flavour}", **STYLE[(side, flavour)])
        log_x(ax)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("µs per actor (spawn + send + stop)")
        ax.set_title(f"{SERIES[series]}\n(a flat line = cost linear in the count)", fontsize=11)
        ax.legend(fontsize=9)

    ax = axes[1][0]
    for series in SERIES:
        for flavour in FLAVOURS:
            points = data.get((series, "total per actor", flavour), [])
            if points:
                ax.plot(
                    [c for c, _, _ in points],
                    [o / r for _, o, r in points],
                    label=f"{series}-*, {flavour}",
                    **RATIO_STYLE[(series, flavour)],
                )
    ax.axhline(2.0, color="tab:red", linewidth=1, linestyle=":", label="target 2.0")
    ax.axhline(1.0, color="black", linewidth=0.6)
    log_x(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("ours / raw (time per actor)")
    ax.set_title("ratio ours / raw (lower is better)")
    ax.legend(fontsize=9)

    ax = axes[1][1]
    for series in SERIES:
        for flavour in FLAVOURS:
            points = data.get((series, "peak RSS/actor", flavour), [])
            if not points:
                continue
            xs = [c for c, _, _ in points]
            style = RATIO_STYLE[(series, flavour)]
            ax.plot(xs, [o for _, o, _ in points], label=f"ours {series}-*, {flavour}", **style)
    # Both series share one raw baseline (n tasks with a channel each): drawn once.
    for flavour in FLAVOURS:
        points = data.get(("scale", "peak RSS/actor", flavour), [])
        if points:
            ax.plot(
                [c for c, _, _ in points],
                [r for _, _, r in points],
                label=f"raw, {flavour}",
                **STYLE[("raw", flavour)],
            )
    log_x(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("bytes per actor")
    ax.set_title("peak RSS per actor (all alive)")
    ax.legend(fontsize=8)

    title = "tokio-actors at scale: spawn, one request, stop"
    if args.title:
        title += f"\n{args.title}"
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
