#!/usr/bin/env bash
# Benchmarks putting a new model into service under load; not part of the tests. At each offered
# rate, on a local stack of its own (scripts/cluster.sh) and one topic: the job drains a history of
# transactions, then scores a live stream; the hot swap (scripts/deploy-model.sh --model-dir)
# runs under that stream; after it, on the same topic, the way models went into service before it:
# the job submitted again with --if-running REPLACE, which re-reads the topic from its start (the
# stream flows on until 30 s after that submit). For both, what the change did to scoring, as
# ModelCommand measures it from the stored predictions:
#   - the time from the change (the pointer's, the replacing submit) to the first prediction by the
#     new version,
#   - the longest gap between stored predictions,
#   - the worst wait (Kafka append to store) of a transaction appended during the change,
#   - how many predictions were stored again (a replay rewrites them).
# Prints the figures; docs/BENCHMARK.md ("Putting a model into service") keeps those measured.
#
# Usage: scripts/rollout-benchmark.sh [--rates 300,2000] [--scorer python|java] [--history N]
#                                     [--model-dir DIR]
#   --rates      offered rates, transactions/s (300,2000)
#   --scorer     the job's scorer (python: 3 members x 10 Python processes, the default layout)
#   --history    transactions on the topic before the job starts, which a replay reads again (20000)
#   --model-dir  the model to roll out (trained once into python/data/rollout-model if not given)
#
# Env: CLUSTER_MEMBERS (3). Needs the JARs (mvn -DskipTests package) and python/.venv.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

RATES=300,2000
SCORER=python
HISTORY=20000
MODEL_DIR=
MAX_LIVE_S=900    # the most seconds of live stream a rate may need (lines prepared)
AFTER_REPLAY_S=30 # seconds the live stream flows on after the replacing job was submitted
while (($# > 0)); do
    case "$1" in
        --rates) RATES=$2; shift 2 ;;
        --scorer) SCORER=$2; shift 2 ;;
        --history) HISTORY=$2; shift 2 ;;
        --model-dir) MODEL_DIR=$2; shift 2 ;;
        -h | --help) usage_from_header 0 ;;
        *) die "unknown option $1 (--help lists them)" ;;
    esac
done

[[ -f "$JOB_JAR" && -f "$TOOLS_JAR" ]] || die "no job or tools JAR; build them first (mvn -DskipTests package)"
[[ -x python/.venv/bin/python ]] || die "no python/.venv; run scripts/setup-python.sh first"
export PATH="$ROOT_DIR/python/.venv/bin:$PATH"
require_nothing_running
ensure_token_key

DATA=python/data/rollout
if [[ ! -f "$DATA/transactions.jsonl" ]]; then
    info "== Generating the data set: 10,000 cards, 30 days -> $DATA ..."
    python python/generate_data.py --cards 10000 --days 30 --seed 9 --out "$DATA" >/dev/null
fi
if [[ -z "$MODEL_DIR" ]]; then
    MODEL_DIR=python/data/rollout-model
    if [[ ! -f "$MODEL_DIR/fraud_model.json" ]]; then
        info "== Training the model to roll out on $DATA ..."
        (cd python && python train.py --data "../$DATA" --out "../$MODEL_DIR" >/dev/null)
    fi
fi
VERSION=$(model_version "$MODEL_DIR/fraud_model.json")
FIGURES='first prediction|longest gap|arrived during|scored again'

# The job on topic $1, replacing the one running: the first submit, and the replay measured.
submit() {
    scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "127.0.0.1:${KAFKA_PORT:-9092}" \
        --kafka-topic "$1" --scorer "$SCORER" --decisions-topic "$1-decisions" \
        --dead-letters-topic "$1-dead-letters" --if-running REPLACE >/dev/null
}

trap 'scripts/cluster.sh down >/dev/null 2>&1 || true' EXIT
IFS=, read -r -a rates <<< "$RATES"
for rate in "${rates[@]}"; do
    info "== $rate transactions/s, scorer $SCORER, $HISTORY transactions of history"
    scripts/cluster.sh up >/dev/null
    scripts/load.sh reference-data --data-dir "$DATA" --clear >/dev/null
    topic="rollout-$rate-$(date +%s)"
    lines="$RUN_DIR/rollout-$rate"
    mkdir -p "$lines/history" "$lines/live"
    rm -f "$lines/stop"
    head -n "$HISTORY" "$DATA/transactions.jsonl" > "$lines/history/transactions.jsonl"
    sed -n "$((HISTORY + 1)),$((HISTORY + rate * MAX_LIVE_S))p" "$DATA/transactions.jsonl" > "$lines/live/transactions.jsonl"
    scripts/load.sh transactions --data-dir "$lines/history" --topic "$topic" >/dev/null
    submit "$topic"
    scripts/load.sh verify --expected "$HISTORY" --timeout-seconds 600 >/dev/null
    # The live stream flows until the replay below has run a while: however long the roll-out's
    # model checks take on a loaded machine, both changes happen under it.
    scripts/load.sh transactions --data-dir "$lines/live" --topic "$topic" --rate "$rate" \
        --until-file "$lines/stop" > "$lines/producer.log" 2>&1 &
    producer=$!
    sleep 15
    info "-- hot swap: scripts/deploy-model.sh --model-dir $MODEL_DIR"
    scripts/deploy-model.sh --model-dir "$MODEL_DIR" --by rollout-benchmark > "$lines/hot-swap.txt" 2>&1 || true
    grep -E "$FIGURES" "$lines/hot-swap.txt" || cat "$lines/hot-swap.txt"
    sleep 10
    info "-- replay: the job submitted again with --if-running REPLACE (champion $VERSION)"
    started=$(now_ms)
    submit "$topic"
    sleep "$AFTER_REPLAY_S"
    touch "$lines/stop"
    wait "$producer" || die "the producer failed: $(tail -n 3 "$lines/producer.log")"
    sent=$(producer_sent < "$lines/producer.log")
    scripts/load.sh verify --expected "$((HISTORY + sent))" --timeout-seconds 900 > "$lines/verify.txt" 2>&1 ||
        warn "not every outcome was stored (${lines#"$ROOT_DIR"/}/verify.txt): the replay's figures are of what was"
    run_hz_client "$TOOLS_JAR" org.example.tools.ModelCommand measure --version "$VERSION" \
        --from-ms "$started" --to-ms "$(now_ms)" > "$lines/replay.txt" 2>&1 || true
    grep -E "$FIGURES" "$lines/replay.txt" || cat "$lines/replay.txt"
    info "   producer: $(tail -n 1 "$lines/producer.log")"
    scripts/cluster.sh down >/dev/null
    rm -rf "$lines/history" "$lines/live"
done
