#!/usr/bin/env bash
# End-to-end test, as users deploy: a Kafka broker and three Hazelcast members as separate
# processes (scripts/cluster.sh), customers and merchants loaded, the job JAR submitted with
# hz-cli, 20,000 transactions produced, and every one checked to end in predictionResult or in
# deadLetters, none twice, although a Python worker is killed on the way (the job suspends with
# its state and is resumed). Then the broker is stopped and restarted under the running job, which
# must score 2,000 more; and the job is replaced by a second submission (--if-running REPLACE),
# which must re-read the topic and again account for every one of the 22,000 inputs once.
# Then everything is stopped. Prints the timings it measured: cluster start, hz-cli submit, submit
# to the first stored prediction (taken before the worker is killed), and submit to all outcomes.
#
# Needs the job JAR (mvn package) and python/.venv (scripts/setup-python.sh); scripts/test.sh
# provides both. Refuses to run while a local cluster is up, so it never mixes in other data.
#
# Env: E2E_TRANSACTIONS (20000)  E2E_PYTHON_PARALLELISM (2: the default 10 is too many for a
#      2-core machine running the broker and three members too)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

TRANSACTIONS=${E2E_TRANSACTIONS:-20000}
MORE_TRANSACTIONS=2000
PYTHON_PARALLELISM=${E2E_PYTHON_PARALLELISM:-2}
DATA=python/data/e2e
JOB_JAR=deploy-jobs/target/fraud-detection-job.jar
# The broker keeps its data between runs: a topic of this run's own keeps earlier runs out.
TOPIC=transactions-e2e-$(date +%s)
JOB_NAME=fraud-detection
# The broker of scripts/cluster.sh, wherever KAFKA_PORT puts it.
BOOTSTRAP=127.0.0.1:${KAFKA_PORT:-9092}

[[ -f "$JOB_JAR" ]] || die "no $JOB_JAR; build it first (mvn package)"
[[ -x python/.venv/bin/python ]] || die "no python/.venv; run scripts/setup-python.sh first"
require_nothing_running

if [[ ! -f "$DATA/transactions.jsonl" ]]; then
    info "== Generating the end-to-end data set in $DATA ..."
    python/.venv/bin/python python/generate_data.py --cards 1000 --days 14 --seed 11 --out "$DATA"
fi

trap 'info "== Stopping the cluster ..."; scripts/cluster.sh down' EXIT

t0=$(now_ms)
info "== Starting Kafka and three members ..."
scripts/cluster.sh up
t_cluster=$(now_ms)

info "== Loading customers and merchants ..."
scripts/load.sh reference-data --data-dir "$DATA" --clear

info "== Submitting the job with hz-cli ..."
t_submit=$(now_ms)
scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
    --python-parallelism "$PYTHON_PARALLELISM"
t_submitted=$(now_ms)

info "== Producing $TRANSACTIONS transactions at 2,000/s; one Python worker is killed on the way ..."
scripts/load.sh transactions --kafka-bootstrap-servers "$BOOTSTRAP" --data-dir "$DATA" --topic "$TOPIC" --count "$TRANSACTIONS" --rate 2000 &
producer=$!
# A scoring process of this cluster's members: a Python worker of theirs running Jet's gRPC server.
scoring_processes() {
    local pid
    for pid in $(find_python_workers); do
        [[ "$(cmdline_of "$pid")" == *jet_to_python_grpc_server.py* ]] && echo "$pid"
    done
    return 0
}
# The first prediction times the job's start, and shows Python is scoring before one worker dies.
scripts/load.sh verify --first-only --submitted-at-ms "$t_submit" --timeout-seconds 120 | tee "$DATA/first-prediction.txt"
mapfile -t workers < <(scoring_processes)
((${#workers[@]} > 0)) || die "no Python worker of this cluster is running"
info "   kill -9 of Python worker ${workers[0]}"
kill -9 "${workers[0]}"
wait "$producer"

info "== The job must be suspended with its state, not failed; resuming it ..."
deadline=$(($(date +%s) + 90))
until scripts/hz-cli list-jobs | grep -q "SUSPENDED.*$JOB_NAME"; do
    (($(date +%s) < deadline)) || die "the job was not suspended after its Python worker died"
    sleep 1
done
scripts/hz-cli resume "$JOB_NAME"

info "== Checking that every transaction has exactly one outcome ..."
scripts/load.sh verify --expected "$TRANSACTIONS" --labels "$DATA/labels.csv" --timeout-seconds 600
t_done=$(now_ms)

info "== Stopping the broker for a while: the job must ride it out and score on ..."
scripts/kafka.sh down
sleep 5  # the outage itself
scripts/hz-cli list-jobs | grep -q "RUNNING.*$JOB_NAME" || die "the job did not survive the broker's outage"
scripts/kafka.sh up
more="$DATA/after-outage"
mkdir -p "$more"
sed -n "$((TRANSACTIONS + 1)),$((TRANSACTIONS + MORE_TRANSACTIONS))p" "$DATA/transactions.jsonl" > "$more/transactions.jsonl"
scripts/load.sh transactions --kafka-bootstrap-servers "$BOOTSTRAP" --data-dir "$more" --topic "$TOPIC"
all=$((TRANSACTIONS + MORE_TRANSACTIONS))
scripts/load.sh verify --expected "$all" --labels "$DATA/labels.csv" --timeout-seconds 600

info "== Replacing the running job: the new one must rebuild its state from the topic ..."
t_replace=$(now_ms)
scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
    --python-parallelism "$PYTHON_PARALLELISM" --if-running REPLACE
scripts/load.sh verify --expected "$all" --labels "$DATA/labels.csv" --since-ms "$t_replace" --timeout-seconds 600

info "== Jobs on the cluster (Jet lists the cancelled, replaced job as FAILED):"
scripts/hz-cli list-jobs -a

first=$(awk '/first prediction/ {print $3}' "$DATA/first-prediction.txt")
printf '\nEnd-to-end timings: cluster up %.1f s, hz-cli submit %.1f s, submit to first prediction %s s, submit to all %s outcomes %.1f s (a worker killed and the job resumed on the way)\n' \
    "$(((t_cluster - t0)))e-3" "$(((t_submitted - t_submit)))e-3" "$first" "$TRANSACTIONS" "$(((t_done - t_submit)))e-3"
info "END-TO-END TEST PASSED"
