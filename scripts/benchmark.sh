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
# each: the default layout), java-1, java-3 (the in-JVM scorer on 1 and 3 members); and, asked for
# by name, java-1-none, java-1-zgc, java-1-none-zgc: java-1 without snapshots (processing guarantee
# NONE), with ZGC, and both, for what the exactly-once barrier and the collector add to latency.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

CONFIGURATIONS=python-1,python-3,java-1,java-3
ALL_CONFIGURATIONS="$CONFIGURATIONS,java-1-none,java-1-zgc,java-1-none-zgc,java-1-no-topics"
args=()
while (($# > 0)); do
    case "$1" in
        --help | -h) usage_from_header 0 ;;
        --configurations) CONFIGURATIONS=$2; shift 2 ;;
        --configurations=*) CONFIGURATIONS=${1#*=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done

# A configuration's layout: LAYOUT_MEMBERS, LAYOUT_GC (the members' collector; empty: cluster.sh's
# default) and LAYOUT_OPTIONS (Benchmark options).
layout() {
    LAYOUT_GC=
    case "$1" in
        python-1) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=(--python-parallelism 2) ;;
        python-3) LAYOUT_MEMBERS=3 LAYOUT_OPTIONS=(--python-parallelism 10) ;;
        java-1) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        java-3) LAYOUT_MEMBERS=3 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        # What the exactly-once barrier and the collector each add to java-1's latency: no snapshots
        # at all (processing guarantee NONE), ZGC instead of G1, and both.
        java-1-none) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=("--job-args=--scorer=JAVA --processing-guarantee=NONE") ;;
        java-1-zgc) LAYOUT_MEMBERS=1 LAYOUT_GC=-XX:+UseZGC LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        java-1-none-zgc) LAYOUT_MEMBERS=1 LAYOUT_GC=-XX:+UseZGC
            LAYOUT_OPTIONS=("--job-args=--scorer=JAVA --processing-guarantee=NONE") ;;
        # What the exactly-once decision and dead-letter topics cost: java-1 without them (the maps only).
        java-1-no-topics) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA --no-topics) ;;
        *) die "unknown configuration '$1' ($ALL_CONFIGURATIONS)" ;;
    esac
}
IFS=, read -r -a configurations <<< "$CONFIGURATIONS"
for configuration in "${configurations[@]}"; do layout "$configuration"; done

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
    layout "$configuration"
    info "== $configuration: $LAYOUT_MEMBERS member(s)${LAYOUT_GC:+, $LAYOUT_GC} ..."
    rm -f "$LOG_DIR"/member-*-gc.log
    cluster=(env CLUSTER_MEMBERS="$LAYOUT_MEMBERS" ${LAYOUT_GC:+MEMBER_GC="$LAYOUT_GC"} scripts/cluster.sh)
    "${cluster[@]}" up
    scripts/load.sh reference-data --data-dir "$DATA" --clear
    run_hz_client "$TOOLS_JAR" org.example.tools.Benchmark --configuration "$configuration" --data-dir "$DATA" \
        --out "$OUT/$configuration" --results-csv docs/benchmark-results.csv "${LAYOUT_OPTIONS[@]}" "${args[@]}"
    "${cluster[@]}" down
done

info "== The Python handler alone, one core ..."
{
    printf '\n## The Python handler alone (python/bench_handler.py, one core)\n\n'
    (cd python && "$venv_python" bench_handler.py | tail -n +2)
} | tee "$OUT/python-handler.md"
"$venv_python" python/plot_benchmark.py docs/benchmark-results.csv images/benchmark.png
info "Results: $OUT/<configuration>/benchmark.md, docs/benchmark-results.csv, images/benchmark.png"
