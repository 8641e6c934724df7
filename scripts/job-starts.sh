#!/usr/bin/env bash
# Starts the job again and again on a fresh local cluster and counts the starts that did not go
# cleanly: a start is clean when the job is RUNNING with every Python process of every member
# serving, and was never suspended on the way (a suspension the supervisor healed still counts as
# a failed start here). Measures the Python port race the
# project's server script removes (docs/DEPLOY.md), at the default layout. Not part of the tests.
#
# Usage: scripts/job-starts.sh [starts (20)]
# Env:   PYTHON_PARALLELISM (10) and CLUSTER_MEMBERS (3): the layout under test
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

STARTS=${1:-20}
PYTHON_PARALLELISM=${PYTHON_PARALLELISM:-10}
export CLUSTER_MEMBERS=${CLUSTER_MEMBERS:-3}
DATA=$TEST_DATA_DIR
BOOTSTRAP=127.0.0.1:${KAFKA_PORT:-9092}
TOPIC=job-starts-$(date +%s)

[[ "$STARTS" =~ ^[1-9][0-9]*$ ]] || die "usage: $(basename "$0") [starts]"
[[ -f "$JOB_JAR" && -f "$TOOLS_JAR" ]] || die "no job or tools JAR; build them first (mvn -DskipTests package)"
[[ -x python/.venv/bin/python ]] || die "no python/.venv; run scripts/setup-python.sh first"
require_nothing_running
ensure_test_data_set

trap 'scripts/cluster.sh down >/dev/null' EXIT
scripts/cluster.sh up >/dev/null
scripts/load.sh reference-data --data-dir "$DATA" --clear >/dev/null
scripts/load.sh transactions --data-dir "$DATA" --topic "$TOPIC" --count 2000 >/dev/null

python_servers() {
    local pid count=0
    for pid in $(find_python_workers); do
        [[ "$(cmdline_of "$pid")" == *jet_to_python_grpc_server.py* ]] && count=$((count + 1))
    done
    echo "$count"
}

clean=0
failed=()
for ((i = 1; i <= STARTS; i++)); do
    job=job-start-$i
    t0=$(now_ms)
    scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
        --job-name "$job" --python-parallelism "$PYTHON_PARALLELISM" >"$LOG_DIR/job-start-$i.log" 2>&1
    wanted=$((CLUSTER_MEMBERS * PYTHON_PARALLELISM))
    deadline=$(($(date +%s) + 180))
    outcome=
    until [[ -n "$outcome" ]]; do
        if grep -q "Job '$job' was suspended by a failure" "$LOG_DIR"/member-*.log; then
            outcome="suspended: $(grep -h -o "Job '$job' was suspended by a failure.*" "$LOG_DIR"/member-*.log | head -n 1)"
        elif (($(python_servers) >= wanted)) && scripts/hz-cli list-jobs 2>/dev/null | grep -q "RUNNING.*$job\$"; then
            outcome=clean
        elif (($(date +%s) > deadline)); then
            outcome="not serving within 180 s ($(python_servers) of $wanted Python processes)"
        fi
        sleep 0.5
    done
    t1=$(now_ms)
    scripts/hz-cli cancel "$job" >/dev/null 2>&1 || true
    scripts/hz-cli cancel "$job-supervisor" >/dev/null 2>&1 || true
    # The next start begins with no Python process of this one left.
    until (($(python_servers) == 0)); do sleep 0.5; done
    if [[ "$outcome" == clean ]]; then
        clean=$((clean + 1))
        printf 'start %d: clean, %d Python processes serving %.1f s after submit\n' "$i" "$wanted" "$((t1 - t0))e-3"
    else
        failed+=("$i")
        warn "start $i: $outcome"
    fi
done
info "Job starts: $clean of $STARTS clean at $CLUSTER_MEMBERS members x $PYTHON_PARALLELISM Python processes${failed[*]:+; failed: ${failed[*]}}"
((${#failed[@]} == 0))
