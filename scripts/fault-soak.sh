#!/usr/bin/env bash
# The one-hour mixed-fault run (not CI): one cluster on separate hosts (the network lab of
# scripts/partition-test.sh, as root), the job scoring in Python, 1,500 transactions/s for an hour
# with a hostile message every 5 s, and every 5 minutes one of, in turn and member after member:
# a member killed (kill -9) and started again, a member stopped (SIGTERM) and started again, the
# broker killed and started again, a Python worker killed, a member cut off for 60 s. Nobody
# resumes or resubmits anything. At the end every input must have exactly one outcome (read while
# the run goes, since the outputs' retention evicts the oldest), the hostile ones the dead letter
# each had to be, every feature exact against python/expected_features.py, no prediction ever
# changed by a replay, the job RUNNING, and each member's live heap after a forced full GC no
# larger in the last quarter than in the first by more than a fifth. Prints the timeline of faults
# and recoveries. About 75 minutes, plus the first time the data set (5.8 million transactions,
# 1 GB; its exact features take 3 minutes and 6 GB of memory to compute).
#
#   scripts/fault-soak.sh [FaultSoak options]   e.g. --minutes 20 --fault-every-seconds 120
#   scripts/fault-soak.sh down                  remove a lab an interrupted run left
#   scripts/fault-soak.sh --help
#
# Env: LAB_PREFIX, LAB_SUBNET as for scripts/partition-test.sh
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/lab.sh
source "$SCRIPTS_DIR/lib/lab.sh"
cd "$ROOT_DIR"

[[ "${1:-}" == --help || "${1:-}" == -h ]] && usage_from_header 0
if [[ "${1:-}" == down ]]; then
    lab down
    exit 0
fi

started=$(now_ms)
lab_prepare
# 50,000 cards for two months: 5.8 million transactions, an hour and four minutes at 1,500/s.
lab_data_set python/data/soak 50000 60 60
status=0
lab_run org.example.tools.FaultSoak 3g --data-dir python/data/soak --run-dir .run/fault-soak \
    --scorer python --python-parallelism 1 "$@" || status=$?
info "fault-soak took $((($(now_ms) - started) / 1000)) s in all"
exit "$status"
