#!/usr/bin/env bash
# Puts a trained model into service in the running fraud-detection job, while it runs: no job is
# cancelled or submitted, no topic replayed, no card's window state lost. The model (the directory
# python/train.py --out wrote) is checked by both scorers, published into the cluster's registry
# (map models) and made the job's champion; every member follows within about a second, and the
# command returns once every new prediction carries the new version, printing what the change did
# to scoring (time to the first new prediction, longest gap, worst wait). Exit 1 when a check
# refuses the model (nothing changes) or a member cannot load it (the job scores on with the model
# it had).
#
#   scripts/deploy-model.sh --model-dir DIR                  roll out: DIR's model becomes the champion
#   scripts/deploy-model.sh --challenger --model-dir DIR     score DIR's model beside the champion, deciding nothing
#   scripts/deploy-model.sh --challenger --stop              no challenger any more
#   scripts/deploy-model.sh --promote                        the challenger becomes the champion
#   scripts/deploy-model.sh --rollback                       back to the previous champion
#   scripts/deploy-model.sh --status                         which models score, and what each member made of them
#   scripts/deploy-model.sh --report [--last PT1H] [--labels python/data/labels.csv]
#                                                            champion against challenger over the last hour
#
# Other options go to the tool (`--help` after an action lists them): --job-name, --by, --addresses,
# --cluster-name, --timeout-seconds, --python. The job options an earlier version of this script
# took (--kafka-bootstrap-servers, --python-parallelism, ...) are accepted and ignored: a roll-out
# no longer submits the job. To rebuild the job's state from the topic instead, submit the job
# again with --if-running REPLACE (docs/DEPLOY.md).
#
# Env: HZ_ADDRESSES (127.0.0.1:5701), HZ_CLUSTER_NAME (fraud-detection), JOB_NAME, PYTHON
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

action=rollout
args=()
while (($# > 0)); do
    case "$1" in
        --challenger) action=challenger; shift ;;
        --promote) action=promote; shift ;;
        --rollback) action=rollback; shift ;;
        --status) action=status; shift ;;
        --report) action=report; shift ;;
        -h | --help) usage_from_header 0 ;;
        --kafka-* | --python-* | --scorer | --processing-guarantee | --snapshot-interval-ms | --allowed-lag-ms \
            | --max-amount | --resume-* | --if-running)
            warn "ignoring $1 ${2:-}: a roll-out no longer submits the job"
            shift $(($# >= 2 ? 2 : 1)) ;;
        *) args+=("$1"); shift ;;
    esac
done

[[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR; build it with: mvn -DskipTests package"
# The Python scorer's check runs the handler with the project's interpreter and packages.
[[ -x "$ROOT_DIR/python/.venv/bin/python3" ]] && export PATH="$ROOT_DIR/python/.venv/bin:$PATH"
run_hz_client "$TOOLS_JAR" org.example.tools.ModelCommand "$action" "${args[@]}"
