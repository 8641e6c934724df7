#!/usr/bin/env bash
# Benchmarks the whole pipeline on the local stack, as users deploy it: Kafka and three member
# processes (scripts/cluster.sh), the job JAR submitted with hz-cli, transactions through Kafka.
# Not part of the tests. Prints its tables and writes them, with a CSV and a latency-versus-rate
# plot, to results/<date>/:
#   - job start, maximum sustained throughput, CPU per transaction by process, Jet's per-vertex
#     metrics, memory (org.example.tools.Benchmark)
#   - latency p50/p95/p99/max at fixed offered rates (default 1,000, 5,000 and 20,000 txn/s)
#   - the Python handler alone at batch sizes 1, 16, 128 and 1024 (python/bench_handler.py)
#
# Usage: scripts/benchmark.sh [Benchmark options, e.g. --python-parallelism 2 --rates 1000,3000]
# Env:   CLUSTER_MEMBERS and the other knobs of scripts/cluster.sh
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"
init_run_dirs

DATA=python/data/bench
OUT=results/$(date +%Y%m%d-%H%M%S)

require_nothing_running
info "== Building the job ..."
mvn -q -B -DskipTests package
venv_python=$(scripts/setup-python.sh | tail -n 1)
if [[ ! -f "$DATA/transactions.jsonl" ]]; then
    info "== Generating the benchmark data set in $DATA ..."
    "$venv_python" python/generate_data.py --cards 10000 --days 60 --seed 5 --out "$DATA"
fi
mkdir -p "$OUT"

trap 'info "== Stopping the cluster ..."; scripts/cluster.sh down' EXIT
scripts/cluster.sh up
scripts/load.sh reference-data --data-dir "$DATA" --clear
run_hz_client "$TOOLS_JAR" org.example.tools.Benchmark --data-dir "$DATA" --out "$OUT" "$@"

info "== The Python handler alone, one core ..."
{
    printf '\n## The Python handler alone (python/bench_handler.py, one core)\n\n'
    (cd python && "$venv_python" bench_handler.py | tail -n +2)
} | tee -a "$OUT/benchmark.md"
"$venv_python" python/plot_benchmark.py "$OUT/benchmark.csv" "$OUT/latency-vs-rate.png"
info "Results: $OUT/benchmark.md, benchmark.csv, latency-vs-rate.png"
