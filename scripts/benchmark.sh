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
# NONE), with ZGC, and both, for what the exactly-once barrier and the collector add to latency;
# java-1-threads2, java-1-g1pause, java-1-threads2-g1pause: java-1 with two cooperative threads (the
# default of a member alone on 2 cores), with G1 told to keep pauses short (10 ms goal, young
# generation capped), and both; java-1-sources1: one Kafka consumer per member instead of four;
# java-1-preloaded, python-3-preloaded, java-1-cold: java-1 and python-3 with the reference data
# loaded into the maps and no database behind them (as before the maps read through), and java-1
# with the maps emptied before every scenario and latency measured from its first second (every
# card read from the database then).
# Every other configuration loads the reference data into the database and reads it through.
# Env: RESULTS_CSV (docs/benchmark-results.csv), where the configurations' rows go.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

CONFIGURATIONS=python-1,python-3,java-1,java-3
ALL_CONFIGURATIONS="$CONFIGURATIONS,java-1-none,java-1-threads2,java-1-g1pause,java-1-threads2-g1pause,java-1-sources1,java-1-pool1,python-3-pool1,java-1-zgc,java-1-none-zgc,java-1-preloaded,python-3-preloaded,java-1-cold,java-1-no-topics"
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
# default), LAYOUT_THREADS (the members' cooperative threads; empty: scripts/hazelcast.yaml's),
# LAYOUT_OPTIONS (Benchmark options), LAYOUT_REFERENCE (database: the reference data in
# PostgreSQL, read through; maps: loaded into the maps of members without the database) and
# LAYOUT_POOL (the members' common fork-join pool; empty: scripts/lib/common.sh's).
# G1 asked for short pauses: a 10 ms goal, and a young generation capped so that one young
# collection has little to copy (the members' allocation is short-lived records).
G1_SHORT_PAUSES="-XX:+UseG1GC -XX:MaxGCPauseMillis=10 -XX:MaxNewSize=128m"
layout() {
    LAYOUT_GC=
    LAYOUT_THREADS=
    LAYOUT_REFERENCE=database
    LAYOUT_POOL=
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
        # What the cooperative thread count and G1's pause goal each do to java-1's latency.
        java-1-threads2) LAYOUT_MEMBERS=1 LAYOUT_THREADS=2 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        java-1-g1pause) LAYOUT_MEMBERS=1 LAYOUT_GC="$G1_SHORT_PAUSES" LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        java-1-threads2-g1pause) LAYOUT_MEMBERS=1 LAYOUT_THREADS=2 LAYOUT_GC="$G1_SHORT_PAUSES"
            LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        # Four Kafka consumers are four threads of their own that poll without waiting; one member
        # on 2 cores may do better with one.
        java-1-sources1) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=("--job-args=--scorer=JAVA --kafka-source-parallelism=1") ;;
        # The common pool the JVM gives a member on 2 cores: one thread, so that Hazelcast starts a
        # thread per asynchronous completion (docs/BENCHMARK.md), as members ran before common.sh set it.
        java-1-pool1) LAYOUT_MEMBERS=1 LAYOUT_POOL=1 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        python-3-pool1) LAYOUT_MEMBERS=3 LAYOUT_POOL=1 LAYOUT_OPTIONS=(--python-parallelism 10) ;;
        # What reading the reference data through costs: against maps loaded beforehand, and with the
        # maps empty at the start of every scenario (cold), latency from the scenario's first second.
        java-1-preloaded) LAYOUT_MEMBERS=1 LAYOUT_REFERENCE=maps LAYOUT_OPTIONS=(--job-args=--scorer=JAVA) ;;
        python-3-preloaded) LAYOUT_MEMBERS=3 LAYOUT_REFERENCE=maps LAYOUT_OPTIONS=(--python-parallelism 10) ;;
        java-1-cold) LAYOUT_MEMBERS=1
            LAYOUT_OPTIONS=(--job-args=--scorer=JAVA --evict-reference-data --warm-up-seconds 0) ;;
        # What the exactly-once decision and dead-letter topics cost: java-1 without them (the maps only).
        java-1-no-topics) LAYOUT_MEMBERS=1 LAYOUT_OPTIONS=(--job-args=--scorer=JAVA --no-topics) ;;
        *) die "unknown configuration '$1' ($ALL_CONFIGURATIONS)" ;;
    esac
}
IFS=, read -r -a configurations <<< "$CONFIGURATIONS"
for configuration in "${configurations[@]}"; do layout "$configuration"; done

# scripts/hazelcast.yaml for a configuration: without the reference database (maps: the maps hold
# the reference data the loader puts there, for good, as before they read through), and with
# LAYOUT_THREADS cooperative threads when it is set.
write_member_config() {
    "$venv_python" - "$SCRIPTS_DIR/hazelcast.yaml" "$1" "$LAYOUT_REFERENCE" "$LAYOUT_THREADS" <<'PY'
import sys
import yaml

source, target, reference, threads = sys.argv[1:5]
config = yaml.safe_load(open(source))
hazelcast = config["hazelcast"]
if reference == "maps":
    hazelcast.pop("data-connection")
    for name in ("customers", "merchants"):
        hazelcast["map"][name].pop("time-to-live-seconds")
        hazelcast["map"][name]["near-cache"].pop("time-to-live-seconds")
if threads:
    hazelcast["jet"]["cooperative-thread-count"] = int(threads)
with open(target, "w") as out:
    out.write(f"# scripts/hazelcast.yaml as benchmark.sh runs it: reference data in {reference}, "
              f"cooperative threads {threads or 'unchanged'}\n")
    yaml.safe_dump(config, out, sort_keys=False)
PY
}

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
    info "== $configuration: $LAYOUT_MEMBERS member(s)${LAYOUT_GC:+, $LAYOUT_GC}${LAYOUT_THREADS:+, $LAYOUT_THREADS cooperative threads} ..."
    rm -f "$LOG_DIR"/member-*-gc.log
    member_config=$SCRIPTS_DIR/hazelcast.yaml
    if [[ "$LAYOUT_REFERENCE" == maps || -n "$LAYOUT_THREADS" ]]; then
        member_config=$RUN_DIR/hazelcast-$configuration.yaml
        write_member_config "$member_config"
    fi
    cluster=(env CLUSTER_MEMBERS="$LAYOUT_MEMBERS" MEMBER_CONFIG="$member_config" ${LAYOUT_GC:+MEMBER_GC="$LAYOUT_GC"}
        ${LAYOUT_POOL:+COMMON_POOL_PARALLELISM="$LAYOUT_POOL"} scripts/cluster.sh)
    "${cluster[@]}" up
    scripts/load.sh reference-data --data-dir "$DATA" --clear --into "$LAYOUT_REFERENCE"
    run_hz_client "$TOOLS_JAR" org.example.tools.Benchmark --configuration "$configuration" --data-dir "$DATA" \
        --out "$OUT/$configuration" --results-csv "${RESULTS_CSV:-docs/benchmark-results.csv}" "${LAYOUT_OPTIONS[@]}" "${args[@]}"
    "${cluster[@]}" down
done

info "== The Python handler alone, one core ..."
{
    printf '\n## The Python handler alone (python/bench_handler.py, one core)\n\n'
    (cd python && "$venv_python" bench_handler.py | tail -n +2)
} | tee "$OUT/python-handler.md"
[[ -n "${RESULTS_CSV:-}" ]] || "$venv_python" python/plot_benchmark.py docs/benchmark-results.csv images/benchmark.png
info "Results: $OUT/<configuration>/benchmark.md, docs/benchmark-results.csv, images/benchmark.png"
