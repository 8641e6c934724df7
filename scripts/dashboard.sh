#!/usr/bin/env bash
# The live fraud analytics page (python/dashboard) against a running cluster: by default the local
# one of scripts/cluster.sh, with the job submitted. Open http://127.0.0.1:8501 (DASHBOARD_PORT).
# The page reads through org.example.tools.SqlBridge of the tools JAR, a Hazelcast Java client it
# starts as its child; Ctrl-C stops both.
#
# Usage: scripts/dashboard.sh
# Env:   HZ_CLUSTER_NAME (fraud-detection), HZ_ADDRESSES (127.0.0.1:5701), JOB_NAME (fraud-detection)
#        DASHBOARD_PORT (8501), DASHBOARD_ADDRESS (127.0.0.1; 0.0.0.0 to serve other machines)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

[[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR; build it with: mvn -DskipTests package"
command -v java >/dev/null || die "java (17+) is not on PATH"
init_run_dirs
ensure_runtime_jars hazelcast
venv_python=$(scripts/setup-python.sh | tail -n 1)

export FRAUD_TOOLS_JAR="$TOOLS_JAR" HZ_LIB="$LIB_DIR/hazelcast"
export HZ_CLUSTER_NAME=${HZ_CLUSTER_NAME:-fraud-detection} HZ_ADDRESSES=${HZ_ADDRESSES:-127.0.0.1:5701}
port=${DASHBOARD_PORT:-8501}
port_open "$port" && die "port $port is in use; set DASHBOARD_PORT to another"
info "Fraud page on http://${DASHBOARD_ADDRESS:-127.0.0.1}:$port (cluster $HZ_CLUSTER_NAME at $HZ_ADDRESSES); Ctrl-C stops it"
# exec: Ctrl-C and SIGTERM reach Streamlit, which ends the bridge by closing its stdin.
exec "$venv_python" -m streamlit run python/dashboard/app.py \
    --server.port "$port" --server.address "${DASHBOARD_ADDRESS:-127.0.0.1}" --server.headless true \
    --browser.gatherUsageStats false --server.fileWatcherType none --global.developmentMode false \
    --client.toolbarMode viewer
