#!/usr/bin/env bash
# What one refresh of the live page (python/dashboard) costs with a million predictions in
# predictionResult. Not a test: it prints the figures that python/dashboard/README.md quotes.
#
# Three members (scripts/cluster.sh) with a member configuration of its own: scripts/hazelcast.yaml
# with predictionResult's size cap raised from 300,000 to DASHBOARD_COST_CAP per member, so that the
# map holds every prediction. The reference data of the test data set, then DASHBOARD_COST_COUNT
# synthetic predictions (org.example.tools.PredictionFill: the job's own records, stored at
# DASHBOARD_COST_RATE per second), then the page's own reader against them, its clock stepping 2 s
# per read through the seconds the fill stored (python/checks/measure_refresh.py): the time per
# refresh and the members' CPU per refresh, less what idle members spend.
#
# Runs in a network namespace of its own (as scripts/dashboard-test.sh does), so it meets no other
# cluster on 5701-5703 or 9092.
#
# Env: DASHBOARD_COST_COUNT (1000000), DASHBOARD_COST_RATE (2000), DASHBOARD_COST_CAP (1500000),
#      DASHBOARD_COST_REFRESHES (60), MEMBER_HEAP (1g)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

DATA=$TEST_DATA_DIR
COST_DIR="$RUN_DIR/dashboard-cost"
COUNT=${DASHBOARD_COST_COUNT:-1000000}
RATE=${DASHBOARD_COST_RATE:-2000}
CAP=${DASHBOARD_COST_CAP:-1500000}
REFRESHES=${DASHBOARD_COST_REFRESHES:-60}

if [[ "${1:-}" != --inside ]]; then
    # ---- outside: install and build, while package registries are reachable ----
    init_run_dirs
    prepare_local_stack
    unshare --net true 2>/dev/null || die "cannot make a network namespace (not root?)"
    exec unshare --net bash -c 'ip link set lo up && exec "$0" --inside' "$0"
fi

mkdir -p "$COST_DIR"
# A broker of its own, its data wiped: topics other runs left would slow its start.
export KAFKA_INSTANCE=dashboard-cost-kafka
rm -rf "$RUN_DIR/$KAFKA_INSTANCE-data"
config="$COST_DIR/hazelcast.yaml"
# The shipped configuration, with one line changed: predictionResult's cap (the only 300000 in it).
grep -c '^        size: 300000$' "$SCRIPTS_DIR/hazelcast.yaml" | grep -qx 1 \
    || die "scripts/hazelcast.yaml no longer has one 'size: 300000' line (predictionResult's cap); update this script"
sed "s/^        size: 300000\$/        size: $CAP/" "$SCRIPTS_DIR/hazelcast.yaml" > "$config"

trap 'info "== Stopping the cluster ..."; scripts/cluster.sh down >/dev/null' EXIT
info "== Starting Kafka and three members, predictionResult capped at $CAP entries per member ..."
MEMBER_CONFIG="$config" scripts/cluster.sh up >/dev/null
# Into the maps themselves: PredictionFill takes its cards and merchants from there, no job runs
# to read them through from the database.
scripts/load.sh reference-data --data-dir "$DATA" --clear --into maps >/dev/null
info "== Writing $COUNT predictions at $RATE/s of storedTimeMs ..."
end_ms=$(now_ms)
run_hz_client "$TOOLS_JAR" org.example.tools.PredictionFill --count "$COUNT" --rate "$RATE" --end-ms "$end_ms" \
    | tail -n 1
members=$(find_ours 'member-*' | paste -sd, -)
info "== The page's reader against them (members $members) ..."
FRAUD_TOOLS_JAR="$TOOLS_JAR" HZ_LIB="$LIB_DIR/hazelcast" python/.venv/bin/python python/checks/measure_refresh.py \
    --fill-end-ms "$end_ms" --member-pids "$members" --refreshes "$REFRESHES"
