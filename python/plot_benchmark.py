"""Draws latency against offered rate from the CSV that scripts/benchmark.sh writes.

Usage: python plot_benchmark.py results/<run>/benchmark.csv results/<run>/latency-vs-rate.png
"""
import csv
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def latencies(metrics):
    """{percentile: [(rate, ms), ...]} from rows named latency_<pXX>_ms_at_<rate>."""
    series = {}
    for name, value in metrics.items():
        match = re.fullmatch(r"latency_(p50|p95|p99|max)_ms_at_(\d+)", name)
        if match:
            series.setdefault(match[1], []).append((int(match[2]), float(value)))
    return {p: sorted(points) for p, points in series.items()}


def main(csv_path, png_path):
    with open(csv_path, newline="") as file:
        metrics = {row["metric"]: row["value"] for row in csv.DictReader(file)}
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for percentile, points in latencies(metrics).items():
        rates, values = zip(*points)
        axes.plot(rates, values, marker="o", label=percentile)
    axes.axhline(25, color="grey", linestyle="--", linewidth=1)
    axes.annotate("p99 target at 5,000/s: 25 ms", (1, 25), xycoords=("axes fraction", "data"),
                  xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=8, color="grey")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("offered rate (transactions/s)")
    axes.set_ylabel("latency, Kafka append → stored (ms)")
    axes.set_title("fraud-detection pipeline: latency versus offered rate")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(png_path, dpi=120)


if __name__ == "__main__":
    main(*sys.argv[1:3])
