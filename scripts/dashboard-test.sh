#!/usr/bin/env bash
# Browser test of the live fraud page, every part real: Kafka and three Hazelcast members
# (scripts/cluster.sh), the job submitted with hz-cli and scoring in Python, a known data set
# streamed through Kafka with a few broken messages among it, the page (scripts/dashboard.sh) and
# headless Chromium driven by selenium (python/checks/check_page.py). It checks that the page
# draws at once, shows the job RUNNING and reads its window before transactions stream, that it
# refreshes by itself and scores while they stream, that every number it shows equals the same
# figure computed by the test's own SQL (live, and pinned to the middle of the stream), that no
# card number is anywhere in its HTML, and it saves a screenshot
# (.run/dashboard-test/page.png). Every wait is on a real condition, with a generous limit, and the
# output says how long each one took.
#
# Isolation: everything that listens (Kafka, members, Streamlit, chromedriver) runs in a network
# namespace of the test's own (`unshare --net`, as root), so it never meets another test's cluster
# or page on 5701-5703, 9092 or 8501. The namespace does not hide processes, so it also refuses to
# start while a cluster or demo of this checkout runs (require_nothing_running). Where no namespace
# can be made it says so and uses the default ports: a port taken by another test then fails
# scripts/cluster.sh up loudly.
#
# Installs what it needs first, while package registries are reachable: Debian's chromium and
# chromium-driver when missing (apt-get), python/.venv (scripts/setup-python.sh), the JARs
# (mvn package) when missing, the Hazelcast and Kafka jars, the test data set.
#
# Env: DASHBOARD_TEST_SCREENSHOT  where to save the screenshot (.run/dashboard-test/page.png)
#      DASHBOARD_TEST_COUNT       transactions streamed (6000), at DASHBOARD_TEST_RATE per second (200)
#      DASHBOARD_TEST_TIMEOUT     seconds to wait for each state of the page or the cluster (600)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

DATA=$TEST_DATA_DIR
TEST_DIR="$RUN_DIR/dashboard-test"
SCREENSHOT=${DASHBOARD_TEST_SCREENSHOT:-$TEST_DIR/page.png}
COUNT=${DASHBOARD_TEST_COUNT:-6000}
RATE=${DASHBOARD_TEST_RATE:-200}
TIMEOUT=${DASHBOARD_TEST_TIMEOUT:-600}
TOPIC=transactions-dashboard-$(date +%s)
BOOTSTRAP=127.0.0.1:9092
PORT=8501

if [[ "${1:-}" != --inside ]]; then
    started=$(now_ms)
    # ---- outside: install and build, while package registries are reachable ----
    init_run_dirs
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        info "== Installing Debian's chromium and chromium-driver ..."
        command -v apt-get >/dev/null || die "chromium and chromedriver are missing and there is no apt-get to install them"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
            >"$LOG_DIR/dashboard-test-apt.log" 2>&1 || { log_tail "$LOG_DIR/dashboard-test-apt.log"; die "could not install chromium and chromium-driver"; }
    fi
    prepare_local_stack
    # ---- inside: a loopback of the test's own ----
    if unshare --net true 2>/dev/null; then
        info "== Running in a network namespace of its own"
        unshare --net bash -c 'ip link set lo up && exec "$0" --inside' "$0"
    else
        warn "cannot make a network namespace (not root?): using the default ports 5701-5703, 9092 and $PORT"
        "$0" --inside
    fi
    info "dashboard-test took $((($(now_ms) - started) / 1000)) s in all"
    exit 0
fi

# Each step says what it waits for and how long that took.
step_started=0
begin() { step_started=$(now_ms); info "== $* ..."; }
took() {
    local ms=$(($(now_ms) - step_started))
    info "   took $((ms / 1000)).$((ms % 1000 / 100)) s"
}

mkdir -p "$TEST_DIR"
# A broker of its own, its data wiped: topics other runs left would slow its start.
export KAFKA_INSTANCE=dashboard-test-kafka
rm -rf "$RUN_DIR/$KAFKA_INSTANCE-data"
port_open "$PORT" && die "port $PORT is in use"
dashboard=
producer=
checker=
cleanup() {
    local pids=()
    [[ -n "$checker" ]] && alive "$checker" && pids+=("$checker")
    [[ -n "$producer" ]] && alive "$producer" && pids+=("$producer")
    [[ -n "$dashboard" ]] && alive "$dashboard" && pids+=("$dashboard")
    stop_pids 10 "${pids[@]}"
    info "== Stopping the cluster ..."
    scripts/cluster.sh down >/dev/null
}
trap cleanup EXIT

begin "Starting Kafka and three members"
scripts/cluster.sh up >/dev/null
took
begin "Loading customers and merchants"
scripts/load.sh reference-data --data-dir "$DATA" --clear >/dev/null
took
begin "Submitting the job"
scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
    --python-parallelism 2 >/dev/null
took

# The data set's first transactions, then broken messages that carry real card numbers, so the
# dead letters' examples must be masked too: an amount that is a string, an unknown merchant, an
# unknown card, and a transaction from an hour in the future.
input="$TEST_DIR/input"
mkdir -p "$input"
head -n "$COUNT" "$DATA/transactions.jsonl" > "$input/transactions.jsonl"
python/.venv/bin/python - "$DATA/transactions.jsonl" >> "$input/transactions.jsonl" <<'PY'
import json, sys, time
with open(sys.argv[1]) as lines:
    first = json.loads(next(lines))
for field in ("transaction_id", "amount", "merchant_code", "cc_num", "event_time_ms"):
    if field not in first:
        sys.exit(f"the data set's transactions have no {field} field; update the broken messages")
now = int(time.time() * 1000)
broken = [dict(first, transaction_id="DASH-BROKEN-1", amount=str(first["amount"])),
          dict(first, transaction_id="DASH-BROKEN-2", merchant_code="M-NO-SUCH"),
          dict(first, transaction_id="DASH-BROKEN-3", cc_num="4999999999999999"),
          dict(first, transaction_id="DASH-BROKEN-4", event_time_ms=now + 3_600_000)]
for message in broken:
    print(json.dumps(message))
PY
dead_expected=4

begin "Starting the page, until it listens on $PORT"
DASHBOARD_PORT=$PORT scripts/dashboard.sh >"$LOG_DIR/dashboard.log" 2>&1 &
dashboard=$!
deadline=$(($(date +%s) + TIMEOUT))
until port_open "$PORT"; do
    alive "$dashboard" || { log_tail "$LOG_DIR/dashboard.log"; die "the page exited before it listened on $PORT"; }
    (($(date +%s) < deadline)) || { log_tail "$LOG_DIR/dashboard.log"; die "the page did not listen on $PORT within $TIMEOUT s"; }
    sleep 0.5
done
took

check=(python/.venv/bin/python python/checks/check_page.py --url "http://127.0.0.1:$PORT/"
       --screenshot "$SCREENSHOT" --timeout "$TIMEOUT")
# One browser looks at the page before anything streams and goes on looking while it streams: on a
# busy machine the page's bridge takes a while to start, the cluster to plan its first statements
# and a browser to start, and the stream is short. It says when the stream may start.
begin "The page before transactions stream"
ready="$TEST_DIR/page-ready"
rm -f "$ready"
"${check[@]}" live --ready-file "$ready" &
checker=$!
until [[ -f "$ready" ]]; do
    alive "$checker" || { wait "$checker" || true; die "the page was not ready for the stream"; }
    sleep 0.5
done
took

begin "Streaming $COUNT transactions at $RATE/s and $dead_expected broken messages; the page meanwhile"
scripts/load.sh transactions --kafka-bootstrap-servers "$BOOTSTRAP" --data-dir "$input" --topic "$TOPIC" \
    --rate "$RATE" >"$LOG_DIR/dashboard-test-producer.log" 2>&1 &
producer=$!
wait "$checker" || { checker=; die "the page failed its checks while transactions streamed"; }
checker=
took
begin "Until every outcome is stored"
wait "$producer" || { log_tail "$LOG_DIR/dashboard-test-producer.log"; die "the producer failed"; }
producer=
scripts/load.sh verify --expected "$((COUNT + dead_expected))" --job-name fraud-detection \
    --timeout-seconds "$TIMEOUT" >/dev/null
took
begin "The page against the test's own SQL"
"${check[@]}" settled --data-dir "$DATA" --expected-predictions "$COUNT"
took
info "DASHBOARD TEST PASSED"
