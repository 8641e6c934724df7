#!/usr/bin/env bash
# Changes the scoring policy of the running fraud-detection job, while it runs: the thresholds
# between APPROVE, REVIEW and DECLINE, per model version or for every model ('*'). Every member
# decides by the new policy within about a second; nothing is submitted or restarted. A policy
# that makes no sense (thresholds out of order, outside [0, 1], not numbers) is refused with its
# reason, exit 1, and the old one stays. Each change is kept in map policyAudit.
#
#   scripts/policy.sh set --model-version V --review-from 0.05 --decline-from 0.2 --by NAME
#   scripts/policy.sh set --model-version '*' --review-from 0.05 --decline-from 0.2 --by NAME
#   scripts/policy.sh show                                   the policies set
#   scripts/policy.sh history [--model-version V]            every change: when, by whom, old and new
#
# A model without a policy of its own or a '*' one decides by its metadata: DECLINE from its
# threshold, REVIEW from its alert-budget threshold (docs/DESIGN.md, "Decisions: bands, policy,
# reasons"). Other options: --addresses, --cluster-name (`--help` after an action lists them).
#
# Env: HZ_ADDRESSES (127.0.0.1:5701), HZ_CLUSTER_NAME (fraud-detection)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

(($# >= 1)) || usage_from_header 2
[[ "$1" == -h || "$1" == --help ]] && usage_from_header 0
[[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR; build it with: mvn -DskipTests package"
run_hz_client "$TOOLS_JAR" org.example.tools.PolicyCommand "$@"
