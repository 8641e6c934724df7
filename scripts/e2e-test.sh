#!/usr/bin/env bash
# End-to-end test, as users deploy: a Kafka broker, PostgreSQL and three Hazelcast members as
# separate processes (scripts/cluster.sh), customers and merchants loaded into PostgreSQL (the
# members read them through), the job JAR submitted with hz-cli, transactions produced, and every
# one checked to end in predictionResult or in deadLetters, none twice, with the exact features
# that python/expected_features.py computes offline. On the way, each of the faults a job meets in
# a night with nobody watching:
#   1. a Python worker killed with kill -9 once a snapshot holds the card histories: the job is
#      suspended and its supervisor resumes it from the snapshot, with nobody calling hz-cli resume;
#   2. a member killed with kill -9 mid-stream, and started again later: Jet restarts the job on
#      the other two, then again on all three, from its snapshots;
#   3. the broker stopped and started again under the running job;
#   4. a model trained on the test data rolled out under load with scripts/deploy-model.sh, while the
#      job runs: no gap in stored predictions over 2 s, nothing scored again, every prediction
#      appended after the command returned carries the new version;
#   5. a member killed with kill -9 during a roll-back to the JAR's model, and started again;
#   6. the card-token key rotated (scripts/rotate-token-key.sh): the job replaced by a second
#      submission (--if-running REPLACE) under the new key, which re-reads the topic, and the old
#      key's customers and predictions removed; then no card number in any log of the run.
# Before 6, a consumer of the decision and dead-letter topics reading read_committed must have seen
# each input exactly once through faults 1-5 (org.example.tools.TopicCheck).
# After each, every input must have exactly one outcome and every feature must be exact. While it
# waits, the test watches the job and says at once when it leaves RUNNING, and why. Prints the
# timings it measured: cluster start, hz-cli submit, submit to the first stored prediction, and
# submit to all outcomes of the first phase.
#
# Needs the job and tools JARs (mvn package) and python/.venv (scripts/setup-python.sh);
# scripts/test.sh provides them. Refuses to run while a local cluster is up, so it never mixes in
# other data.
#
# Env: E2E_PYTHON_PARALLELISM (2: the default 10 is too many for a 2-core machine running the
#      broker and three members too)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

TRANSACTIONS=12000
CRASH_TRANSACTIONS=3000
MORE_TRANSACTIONS=1500
ROLLOUT_TRANSACTIONS=6000
ROLLBACK_TRANSACTIONS=3500
# The longest a roll-out may keep stored predictions waiting (the issue's bar).
MAX_ROLLOUT_GAP_MS=2000
PYTHON_PARALLELISM=${E2E_PYTHON_PARALLELISM:-2}
DATA=$TEST_DATA_DIR
# The broker keeps its data between runs: a topic of this run's own keeps earlier runs out.
RUN_ID=$(date +%s)
TOPIC=transactions-e2e-$RUN_ID
# The job's output topics, of this run's own too; load.sh transactions creates them with the input.
DECISIONS_TOPIC=fraud-decisions-e2e-$RUN_ID
DEAD_LETTERS_TOPIC=fraud-dead-letters-e2e-$RUN_ID
JOB_NAME=fraud-detection
# The broker of scripts/cluster.sh, wherever KAFKA_PORT puts it.
BOOTSTRAP=127.0.0.1:${KAFKA_PORT:-9092}

[[ -f "$JOB_JAR" && -f "$TOOLS_JAR" ]] || die "no job or tools JAR; build them first (mvn package)"
[[ -x python/.venv/bin/python ]] || die "no python/.venv; run scripts/setup-python.sh first"
require_nothing_running

ensure_test_data_set
# Every transaction's exact features, computed offline: the stored ones must match after each fault.
FEATURES="$DATA/expected-features.csv"
(cd python && .venv/bin/python expected_features.py --data-dir "../$DATA" --out "../$FEATURES")
# A second model to roll out: trained on the same data as a user trains theirs (few fraud cards in two
# weeks of 1,000 cards, hence the lower bar; its quality is not what this test is about).
MODEL_B="$DATA-model-b"
if [[ ! -f "$MODEL_B/fraud_model.json" ]]; then
    info "== Training a second model on the test data ..."
    (cd python && .venv/bin/python train.py --data "../$DATA" --out "../$MODEL_B" --min-fraud-cards 5 >/dev/null)
fi
SHIPPED_VERSION=$(model_version deploy-jobs/src/main/resources/org/example/fraud_model.json)
MODEL_B_VERSION=$(model_version "$MODEL_B/fraud_model.json")

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
    --decisions-topic "$DECISIONS_TOPIC" --dead-letters-topic "$DEAD_LETTERS_TOPIC" \
    --python-parallelism "$PYTHON_PARALLELISM"
t_submitted=$(now_ms)

# Lines from..to of the data set's transactions, as a data set of their own for the producer.
produce_lines() {
    local from=$1 to=$2 rate=${3:-2000} dir="$DATA/lines-$1-$2"
    mkdir -p "$dir"
    sed -n "${from},${to}p" "$DATA/transactions.jsonl" > "$dir/transactions.jsonl"
    scripts/load.sh transactions --kafka-bootstrap-servers "$BOOTSTRAP" --data-dir "$dir" --topic "$TOPIC" --rate "$rate" \
        --decisions-topic "$DECISIONS_TOPIC" --dead-letters-topic "$DEAD_LETTERS_TOPIC" "${@:4}"
}
# Traffic for as long as a command takes, however busy the machine: traffic_begin FROM TO NAME
# streams lines FROM..TO at 100/s from one producer until traffic_end LAST is called, which then
# sends the lines the producer did not, up to LAST, so that lines appended after the command exist.
traffic_begin() {
    local from=$1 to=$2
    TRAFFIC_STOP="$DATA/$3.done"
    rm -f "$TRAFFIC_STOP" "$TRAFFIC_STOP.sent"
    (
        sent=$(produce_lines "$from" "$to" 100 --until-file "$TRAFFIC_STOP" | producer_sent)
        [[ -n "$sent" ]] || die "the producer of lines $from-$to printed no summary"
        echo $((from + sent - 1)) > "$TRAFFIC_STOP.sent"
    ) &
    TRAFFIC_PRODUCER=$!
    sleep 3  # the producer's JVM starting: traffic flows into the command
}
traffic_end() {
    touch "$TRAFFIC_STOP"
    wait "$TRAFFIC_PRODUCER"
    produce_lines "$(($(cat "$TRAFFIC_STOP.sent") + 1))" "$1"
}
# When every member served the model a deploy-model.sh run put into service (epoch ms), from its output.
served_since() {
    local since
    since=$(sed -n 's/.*as champion, .* (since \([0-9]*\), epoch ms).*/\1/p' "$1")
    [[ -n "$since" ]] || die "no 'every member scores with' line in $1"
    echo "$since"
}
# A scoring process of this cluster's members: a Python worker of theirs running Jet's gRPC server.
scoring_processes() {
    local pid
    for pid in $(find_python_workers); do
        [[ "$(cmdline_of "$pid")" == *jet_to_python_grpc_server.py* ]] && echo "$pid"
    done
    return 0
}

half=$((TRANSACTIONS / 2))
info "== Producing $half transactions at 2,000/s ..."
produce_lines 1 "$half" &
producer=$!
# The first prediction times the job's start; the kill then waits for a snapshot that holds card
# histories and that has completed, so that the resumed job restores state instead of starting from nothing.
scripts/load.sh verify --first-only --submitted-at-ms "$t_submit" --timeout-seconds 120 | tee "$DATA/first-prediction.txt"
wait "$producer"
scripts/load.sh verify --snapshot-taken --job-name "$JOB_NAME" --timeout-seconds 120
mapfile -t workers < <(scoring_processes)
((${#workers[@]} > 0)) || die "no Python worker of this cluster is running"
info "== kill -9 of Python worker ${workers[0]}, then the other $((TRANSACTIONS - half)) transactions ..."
kill -9 "${workers[0]}"
# The job finds the worker dead when it next sends it a batch.
produce_lines "$((half + 1))" "$TRANSACTIONS"

info "== The job is suspended with its state; its supervisor must resume it, nobody else ..."
scripts/load.sh verify --expected "$TRANSACTIONS" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --job-name "$JOB_NAME" --timeout-seconds 600
t_done=$(now_ms)
grep -h -o "Job '$JOB_NAME' was suspended by a failure.*" "$LOG_DIR"/member-*.log | head -n 1 | sed 's/^/   supervisor: /' \
    || die "the job was not suspended by the killed Python worker"
grep -q "Resumed job '$JOB_NAME' from its last snapshot" "$LOG_DIR"/member-*.log \
    || die "the supervisor did not resume the job"
if ! grep -q "restore the state of job '$JOB_NAME'.* from snapshot" "$LOG_DIR"/member-*.log; then
    grep -h "snapshot" "$LOG_DIR"/member-*.log | grep -v '^\s*at ' | cut -c1-300 | tail -n 20 >&2
    die "the resumed job did not restore its state from a snapshot (the members' snapshot lines above)"
fi
info "   the supervisor resumed the job, which restored its state from a snapshot; every feature is exact"

info "== kill -9 of member 2 mid-stream, and the member started again later ..."
crash_to=$((TRANSACTIONS + CRASH_TRANSACTIONS))
produce_lines "$((TRANSACTIONS + 1))" "$crash_to" &
producer=$!
sleep 2
member=$(running_pid member-2)
[[ -n "$member" ]] || die "member 2 is not running"
kill -9 "$member"
t_crash=$(now_ms)
wait "$producer"
sleep 10  # the job runs on two members meanwhile
scripts/cluster.sh up
info "   member 2 started again $((($(now_ms) - t_crash) / 1000)) s after it was killed"
scripts/load.sh verify --expected "$crash_to" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --job-name "$JOB_NAME" --timeout-seconds 600

info "== Stopping the broker for a while: the job must ride it out and score on ..."
scripts/kafka.sh down
sleep 5  # the outage itself
scripts/hz-cli list-jobs | grep -q "RUNNING.*$JOB_NAME" || die "the job did not survive the broker's outage"
scripts/kafka.sh up
produce_lines "$((crash_to + 1))" "$((crash_to + MORE_TRANSACTIONS))"
all=$((crash_to + MORE_TRANSACTIONS))
scripts/load.sh verify --expected "$all" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --job-name "$JOB_NAME" --timeout-seconds 600

info "== Rolling model $MODEL_B_VERSION out under load, while the job runs ..."
rollout_to=$((all + ROLLOUT_TRANSACTIONS))
# Traffic flows into the roll-out and on until the command returned (its model checks take from
# seconds to minutes, with the machine's load); the rest is sent after it, so that predictions
# appended after the change exist to check.
traffic_begin "$((all + 1))" "$((rollout_to - 500))" rollout
scripts/deploy-model.sh --model-dir "$MODEL_B" --by e2e-test | tee "$DATA/rollout.txt"
traffic_end "$rollout_to"
if grep -q "traffic stopped before\|no traffic to confirm" "$DATA/rollout.txt"; then
    warn "the roll-out outlasted its $((rollout_to - 500 - all)) transactions of traffic: its gap and wait figures" \
         "are of an idle job (ModelCommandTest proves the swap under a continuous stream)"
fi
# From when every member served the new model, every prediction must be its.
t_rolled=$(served_since "$DATA/rollout.txt")
gap=$(sed -n 's/.*longest gap in stored predictions *\([0-9,]*\) ms.*/\1/p' "$DATA/rollout.txt" | tr -d ,)
[[ -n "$gap" ]] || die "the roll-out printed no gap figure"
((gap <= MAX_ROLLOUT_GAP_MS)) || die "the roll-out left $gap ms without a stored prediction (at most $MAX_ROLLOUT_GAP_MS)"
grep -q "scored again (replayed) *0 " "$DATA/rollout.txt" || die "the roll-out scored transactions again"
scripts/load.sh verify --expected "$rollout_to" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --model-version "$MODEL_B_VERSION" --version-since-ms "$t_rolled" --job-name "$JOB_NAME" --timeout-seconds 600
all=$rollout_to

info "== kill -9 of member 3 during a roll-back to $SHIPPED_VERSION, and the member started again ..."
rollback_to=$((all + ROLLBACK_TRANSACTIONS))
traffic_begin "$((all + 1))" "$((rollback_to - 500))" rollback  # as for the roll-out
scripts/deploy-model.sh --rollback --by e2e-test > "$DATA/rollback.txt" 2>&1 &
rollback=$!
sleep 1
member=$(running_pid member-3)
[[ -n "$member" ]] || die "member 3 is not running"
kill -9 "$member"
wait "$rollback" || { cat "$DATA/rollback.txt"; die "the roll-back did not finish with a member killed during it"; }
cat "$DATA/rollback.txt"
t_rolled_back=$(served_since "$DATA/rollback.txt")
traffic_end "$rollback_to"
scripts/cluster.sh up
scripts/load.sh verify --expected "$rollback_to" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --model-version "$SHIPPED_VERSION" --version-since-ms "$t_rolled_back" --job-name "$JOB_NAME" --timeout-seconds 600
all=$rollback_to

# Before the replacement below, which scores every input again into the same topics: a downstream
# consumer, reading read_committed, must have seen each input exactly once through all the kills.
info "== Each input once on $DECISIONS_TOPIC + $DEAD_LETTERS_TOPIC, read_committed ..."
scripts/load.sh topic-check --kafka-bootstrap-servers "$BOOTSTRAP" --topic "$DECISIONS_TOPIC" \
    --dead-letters-topic "$DEAD_LETTERS_TOPIC" --expected "$all" --timeout-seconds 300

info "== Rotating the card-token key: the job replaced under a new key rebuilds its state from the topic ..."
# scripts/rotate-token-key.sh: the customers under the new key beside the old, the key file replaced,
# the job submitted again with --if-running REPLACE, and once it has stored every outcome, the
# customers, predictions and dead letters under the old key removed.
old_key=$(scripts/token-key.sh "$FRAUD_TOKEN_KEY_FILE" --show)
t_replace=$(now_ms)
scripts/rotate-token-key.sh --data-dir "$DATA" --id "e2e-$(date +%s)" --expected "$all" -- \
    --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" --python-parallelism "$PYTHON_PARALLELISM" \
    --decisions-topic "$DECISIONS_TOPIC" --dead-letters-topic "$DEAD_LETTERS_TOPIC"
new_key=$(scripts/token-key.sh "$FRAUD_TOKEN_KEY_FILE" --show)
[[ "$new_key" != "$old_key" ]] || die "the key did not change: $new_key"
info "   key before: $old_key; after: $new_key"
# After the old key's entries are gone: every input exactly one outcome, as the new job stored it.
scripts/load.sh verify --expected "$all" --labels "$DATA/labels.csv" --expected-features "$FEATURES" \
    --since-ms "$t_replace" --job-name "$JOB_NAME" --timeout-seconds 600
scripts/load.sh verify --expected "$all" --job-name "$JOB_NAME" --timeout-seconds 60

info "== No card number in clear at rest: the members', broker's and tools' logs"
python/.venv/bin/python python/checks/card_numbers_at_rest.py --customers "$DATA/customers.jsonl" "$LOG_DIR"

info "== Jobs on the cluster (Jet lists the cancelled, replaced job as FAILED):"
scripts/hz-cli list-jobs -a

first=$(awk '/first prediction/ {print $3}' "$DATA/first-prediction.txt")
printf '\nEnd-to-end timings: cluster up %.1f s, hz-cli submit %.1f s, submit to first prediction %s s, submit to all %s outcomes %.1f s (a worker killed and the job resumed by its supervisor on the way)\n' \
    "$(((t_cluster - t0)))e-3" "$(((t_submitted - t_submit)))e-3" "$first" "$TRANSACTIONS" "$(((t_done - t_submit)))e-3"
info "END-TO-END TEST PASSED"
