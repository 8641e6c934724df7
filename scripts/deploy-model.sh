#!/usr/bin/env bash
# Rolls a trained model out to the running fraud-detection job: submits the job JAR with
# --model-dir (the model files come from that directory, the rest from the JAR) and
# --if-running REPLACE, which cancels the running job and starts one that re-reads the topic from
# its start, rebuilding every card's window state exactly and rewriting every prediction under
# its key with the new model version. Meanwhile scripts/rollout/RolloutWatch.java measures, from
# what the job stores, how long scoring paused, how much of the topic was replayed, and how long
# transactions arriving during the roll-out waited; it returns once every prediction carries the
# new version.
#
#   scripts/deploy-model.sh --model-dir python/data/own-model [job options, as the running job was submitted]
#   scripts/deploy-model.sh --model-dir python/data/own-model --kafka-bootstrap-servers 127.0.0.1:9092 --python-parallelism 2
#
# The job options are those of `hz-cli submit <jar> --help` and must match the running job's
# (topic, bootstrap servers, ...): the new job replaces it. Exits non-zero if the model does not
# fit the job (checked before the running job is touched), the submit fails, or the roll-out does
# not finish within ROLLOUT_TIMEOUT_SECONDS.
#
# Env: HZ_CLI_TARGET (fraud-detection@127.0.0.1:5701), ROLLOUT_TIMEOUT_SECONDS (600)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

HZ_CLI_TARGET=${HZ_CLI_TARGET:-fraud-detection@127.0.0.1:5701}
ROLLOUT_TIMEOUT_SECONDS=${ROLLOUT_TIMEOUT_SECONDS:-600}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

model_dir=
job_options=()
while (($# > 0)); do
    case "$1" in
        --model-dir) (($# >= 2)) || usage; model_dir=$2; shift 2 ;;
        --model-dir=*) model_dir=${1#*=}; shift ;;
        --if-running | --if-running=*) die "deploy-model.sh always replaces the running job; drop $1" ;;
        -h | --help) usage ;;
        *) job_options+=("$1"); shift ;;
    esac
done
[[ -n "$model_dir" ]] || usage
[[ -d "$model_dir" ]] || die "--model-dir $model_dir: no such directory"
model_dir=$(cd "$model_dir" && pwd)
for file in fraud_model.txt fraud_model.json; do
    [[ -f "$model_dir/$file" ]] || die "--model-dir $model_dir: no $file (python/train.py --out writes it)"
done
version=$(sed -n 's/^ *"model_version": *"\([^"]*\)".*/\1/p' "$model_dir/fraud_model.json" | head -n 1)
[[ -n "$version" ]] || die "$model_dir/fraud_model.json has no model_version"
[[ -f "$JOB_JAR" ]] || die "no job JAR at $JOB_JAR; build it with: mvn -DskipTests package"

ready=$(mktemp)
rm -f "$ready"
watcher=
cleanup() {
    [[ -n "$watcher" ]] && kill "$watcher" 2>/dev/null || true
    rm -f "$ready"
}
trap cleanup EXIT

info "== Rolling out model $version from $model_dir"
init_run_dirs
ensure_runtime_jars hazelcast
# As run_hz_client starts a client, but in the background and as this shell's own child, so that
# its pid is the JVM's and the cleanup can stop it.
java -Djava.util.logging.config.file="$SCRIPTS_DIR/cli-logging.properties" -Dhazelcast.logging.type=jdk \
    -Dhazelcast.phone.home.enabled=false -cp "$LIB_DIR/hazelcast/*" \
    "$SCRIPTS_DIR/rollout/RolloutWatch.java" --model-version "$version" --ready-file "$ready" \
    --target "$HZ_CLI_TARGET" --timeout-seconds "$ROLLOUT_TIMEOUT_SECONDS" &
watcher=$!
# The watcher must see the old job's stores before the submit cancels it.
deadline=$(($(date +%s) + 120))
until [[ -s "$ready" ]]; do
    kill -0 "$watcher" 2>/dev/null || { wait "$watcher" || true; watcher=; die "the roll-out watcher could not start (is the cluster at $HZ_CLI_TARGET up?)"; }
    (($(date +%s) < deadline)) || die "the roll-out watcher did not connect within 120 s"
    sleep 0.2
done

t_submit=$(now_ms)
if ! HZ_CLI_TARGET=$HZ_CLI_TARGET "$SCRIPTS_DIR/hz-cli" submit "$JOB_JAR" --model-dir "$model_dir" --if-running REPLACE \
        "${job_options[@]}"; then
    die "the submit failed; the running job, if any, is as it was unless the output above says it was cancelled"
fi
info "   hz-cli submit (cancel the old job, wait for it, start the new one): $(($(now_ms) - t_submit)) ms"
status=0
wait "$watcher" || status=$?
watcher=
((status == 0)) || die "the roll-out of $version did not complete (see above)"
info "== Model $version is scoring."
