#!/usr/bin/env bash
# Network partitions, on separate hosts on this machine (as root): each Hazelcast member, the Kafka
# broker and the client get a network namespace of their own, cabled to a switch in a namespace of
# its own (org.example.tools.netns.LabNetwork), so one member can be cut off while every process
# keeps running. For each scenario a fresh cluster, the job submitted with hz-cli, 1,500
# transactions/s with a hostile message every 5 s, and, once the job has a snapshot, a cut for 60 s:
#   isolate-member      a member (not the master) loses the other members and the client, not Kafka
#   isolate-master      the same for the master
#   broker-unreachable  one member loses the broker, and only the broker
# then the heal, and nobody doing anything. It checks that every input has exactly one outcome (the
# hostile ones the dead letter each had to be), every feature is exact against
# python/expected_features.py, no transaction has two different predictions (on either side of a
# split, or across a replay), the cut-off member never ran the job and stored nothing once it saw
# the split, and the job runs on all members again and is RUNNING. It prints each scenario's
# timeline from the members' logs and the measured times (docs/DESIGN.md, "Network partitions").
# About 4 minutes per scenario on a quiet 2-core machine.
#
#   scripts/partition-test.sh [PartitionDrill options]   e.g. --scenarios isolate-master --scorer python
#   scripts/partition-test.sh down                       remove a lab an interrupted run left
#   scripts/partition-test.sh --help
#
# Installs what it needs first, while package registries are reachable (nftables and iproute2 with
# apt-get, python/.venv, the JARs, the Hazelcast and Kafka jars, the data set); nothing in the lab
# reaches the outside. It configures nothing in the machine's own network namespace.
#
# Env: LAB_PREFIX  prefix of the lab's namespaces (fd-<id of this checkout>-)
#      LAB_SUBNET  first three octets of the lab's addresses (10.250.0)
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
lab_data_set python/data/partition 10000 14 25
status=0
lab_run org.example.tools.PartitionDrill 2g --data-dir python/data/partition --run-dir .run/partition "$@" || status=$?
info "partition-test took $((($(now_ms) - started) / 1000)) s in all"
exit "$status"
