#!/usr/bin/env bash
# Rotates the card-token key of a running deployment (docs/DEPLOY.md, "Rotating the key"):
#
#   scripts/rotate-token-key.sh [--data-dir DIR] [--id NEW_ID] [--expected N] -- <hz-cli submit arguments>
#
#   1. a new key, written beside the current one ($FRAUD_TOKEN_KEY_FILE.next)
#   2. the customers loaded again under the new key's tokens, beside those of the current key, so
#      that ENRICH finds every card holder whichever key the running job uses
#   3. the new key put in place of the current one; the current one kept as
#      $FRAUD_TOKEN_KEY_FILE.<its id>.retired (delete it once nothing needs its tokens)
#   4. the job submitted again with --if-running REPLACE and the arguments after "--": the new job
#      reads the new key and rebuilds every card's window state from the topic under the new tokens
#      (a replay, as every REPLACE is; rotations are rare, and the running job cannot switch keys
#      without splitting each card's history in two)
#   5. with --expected N (the transactions the topic holds): once every one has an outcome stored
#      by the new job, the customers and predictions of every other key are removed. Without it,
#      the command for this step is printed, to run once the new job has caught up.
#
# The members and the loaders must read the same file: FRAUD_TOKEN_KEY_FILE (default
# .run/token.key). On a cluster whose members have a copy of their own, copy the new key to
# each of them between steps 3 and 4.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

data_dir=python/data
new_id="key-$(date -u +%Y%m%d%H%M%S)"
expected=
while (($# > 0)); do
    case "$1" in
        --data-dir) data_dir=$2; shift 2 ;;
        --id) new_id=$2; shift 2 ;;
        --expected) expected=$2; shift 2 ;;
        --) shift; break ;;
        -h | --help) usage_from_header 0 ;;
        *) usage_from_header 2 ;;
    esac
done
(($# > 0)) || die "the hz-cli submit arguments of the job (after --) are needed to submit it again"
[[ -f "$FRAUD_TOKEN_KEY_FILE" ]] || die "no card-token key at $FRAUD_TOKEN_KEY_FILE to rotate"
[[ -f "$TOOLS_JAR" && -f "$JOB_JAR" ]] || die "build the JARs first: mvn -DskipTests package"

current=$FRAUD_TOKEN_KEY_FILE
next="$current.next"
old_id=$(run_hz_client "$TOOLS_JAR" org.example.tools.TokenKeyTool "$current" --show | sed -E 's/.*: key ([^,]+),.*/\1/')
[[ "$old_id" != "$new_id" ]] || die "the new key needs an id of its own (the current one is $old_id)"

info "1. A new key $new_id beside $old_id"
rm -f "$next"
run_hz_client "$TOOLS_JAR" org.example.tools.TokenKeyTool "$next" --id "$new_id"

info "2. The customers under the new key's tokens, beside the current ones"
FRAUD_TOKEN_KEY_FILE=$next run_hz_client "$TOOLS_JAR" org.example.tools.ReferenceDataLoader \
    --data-dir "$data_dir" --beside-other-keys

info "3. The new key in place; the old one kept as $current.$old_id.retired"
cp -p "$current" "$current.$old_id.retired"
mv -f "$next" "$current"

info "4. The job submitted again: it reads the new key and rebuilds its card state from the topic"
since=$(now_ms)
"$SCRIPTS_DIR/hz-cli" submit "$JOB_JAR" "$@" --if-running REPLACE

remove=(run_hz_client "$TOOLS_JAR" org.example.tools.ReferenceDataLoader --remove-other-keys)
if [[ -z "$expected" ]]; then
    info "5. Once the new job has caught up, remove what other keys' tokens name:"
    info "   FRAUD_TOKEN_KEY_FILE=$current ${remove[*]:1}"
    exit 0
fi
info "5. Waiting for the new job's $expected outcomes, then removing what other keys' tokens name"
run_hz_client "$TOOLS_JAR" org.example.tools.VerifyRun --expected "$expected" --since-ms "$since" --timeout-seconds 900
"${remove[@]}"
