"""Draws the benchmark's headline figures per configuration from docs/benchmark-results.csv.

Two panels: CPU µs per transaction of all processes, and latency p50 / p99 at 5,000 txn/s, each
configuration a bar, the targets of docs/BENCHMARK.md as lines.

Usage: python plot_benchmark.py docs/benchmark-results.csv images/benchmark.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def rows(csv_path):
    with open(csv_path, newline="") as file:
        return list(csv.DictReader(file))


def number(row, column):
    value = row.get(column, "")
    return float(value) if value not in ("", None) else float("nan")


def main(csv_path, png_path):
    results = rows(csv_path)
    names = [row["configuration"] for row in results]
    figure, (cpu, latency) = plt.subplots(1, 2, figsize=(10, 4.2))

    cpu.bar(names, [number(r, "cpu_us_per_txn") for r in results], color="#2c5aa0")
    cpu.axhline(25, color="grey", linestyle="--", linewidth=1)
    cpu.axhline(12, color="grey", linestyle=":", linewidth=1)
    cpu.set_ylabel("CPU µs per transaction, all processes")
    cpu.set_title("cost (targets: 25 µs with Python, 12 µs in the JVM)", fontsize=9)

    positions = range(len(results))
    latency.bar([p - 0.2 for p in positions], [number(r, "p50_ms_at_5000") for r in results], width=0.4, label="p50")
    latency.bar([p + 0.2 for p in positions], [number(r, "p99_ms_at_5000") for r in results], width=0.4, label="p99")
    latency.set_xticks(list(positions), names)
    latency.set_yscale("log")
    latency.axhline(10, color="grey", linestyle=":", linewidth=1)
    latency.axhline(100, color="grey", linestyle="--", linewidth=1)
    latency.set_ylabel("ms, Kafka append → stored, at 5,000 txn/s")
    latency.set_title("latency (targets p99: 10 ms on 1 member, 100 ms on 3)", fontsize=9)
    latency.legend()
    for axes in (cpu, latency):
        axes.grid(True, axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(png_path, dpi=120)


if __name__ == "__main__":
    main(*sys.argv[1:3])
