#!/usr/bin/env bash
# Benchmarks the whole pipeline on the local stack, as users deploy it: Kafka and member processes
# (scripts/cluster.sh), the job JAR submitted with hz-cli, transactions through Kafka. Not part of
# the tests. For each configuration, on a cluster of its own (org.example.tools.Benchmark):
#   - job start; a drain of a million transactions: throughput, CPU µs per transaction of all
#     processes (members, Python workers, broker), heap after GC through it (the soak), Jet's
#     per-vertex counts, a CPU profile of a member (JFR)
#   - latency p50/p95/p99/max at fixed offered rates (1,000, 5,000 and 10,000 txn/s)
# and, once, the Python handler alone (python/bench_handler.py). Writes results/<date>/<configuration>/
# and the configurations' rows to docs/benchmark-results.csv.
#
# Usage: scripts/benchmark.sh [--configurations python-1,python-3,...] [Benchmark options]
#        scripts/benchmark.sh --help
# Configurations: python-1 (1 member, 2 Python processes), python-3 (3 members, 10 Python processes
# each: the default layout), java-1, java-3 (the in-JVM scorer on 1 and 3 members).
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

CONFIGURATIONS=python-1,python-3,java-1,java-3
args=()
while (($# > 0)); do
    case "$1" in
        --help | -h)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        --configurations) CONFIGURATIONS=$2; shift 2 ;;
        --configurations=*) CONFIGURATIONS=${1#*=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done

# members, then the Benchmark options of a configuration
layout() {
    case "$1" in
        python-1) echo "1 --python-parallelism 2" ;;
        python-3) echo "3 --python-parallelism 10" ;;
        java-1) echo "1 --job-args=--scorer=JAVA" ;;
        java-3) echo "3 --job-args=--scorer=JAVA" ;;
        *) die "unknown configuration '$1' (python-1, python-3, java-1, java-3)" ;;
    esac
}
IFS=, read -r -a configurations <<< "$CONFIGURATIONS"
for configuration in "${configurations[@]}"; do layout "$configuration" >/dev/null; done

init_run_dirs
DATA=python/data/bench
OUT=results/$(date +%Y%m%d-%H%M%S)
require_nothing_running
info "== Building the job and the tools ..."
mvn -q -B -DskipTests package
venv_python=$(scripts/setup-python.sh | tail -n 1)
if [[ ! -f "$DATA/transactions.jsonl" ]]; then
    info "== Generating the benchmark data set in $DATA ..."
    "$venv_python" python/generate_data.py --cards 10000 --days 60 --seed 5 --out "$DATA"
fi
mkdir -p "$OUT"

trap 'info "== Stopping the cluster ..."; scripts/cluster.sh down' EXIT
for configuration in "${configurations[@]}"; do
    read -r members options <<< "$(layout "$configuration")"
    info "== $configuration: $members member(s) ..."
    rm -f "$LOG_DIR"/member-*-gc.log
    CLUSTER_MEMBERS=$members scripts/cluster.sh up
    scripts/load.sh reference-data --data-dir "$DATA" --clear
    # shellcheck disable=SC2086  # options holds several words
    run_hz_client "$TOOLS_JAR" org.example.tools.Benchmark --configuration "$configuration" --data-dir "$DATA" \
        --out "$OUT/$configuration" --results-csv docs/benchmark-results.csv $options "${args[@]}"
    CLUSTER_MEMBERS=$members scripts/cluster.sh down
done

info "== The Python handler alone, one core ..."
{
    printf '\n## The Python handler alone (python/bench_handler.py, one core)\n\n'
    (cd python && "$venv_python" bench_handler.py | tail -n +2)
} | tee "$OUT/python-handler.md"
"$venv_python" python/plot_benchmark.py docs/benchmark-results.csv images/benchmark.png
info "Results: $OUT/<configuration>/benchmark.md, docs/benchmark-results.csv, images/benchmark.png"
