#!/usr/bin/env bash
# The local deployment without Docker: the Kafka broker of scripts/kafka.sh, the reference database
# of scripts/postgres.sh (PostgreSQL on 127.0.0.1:5433), and a cluster of Hazelcast members (three
# by default) on 127.0.0.1:5701..., started the way a user starts them: HazelcastMemberStarter with
# scripts/hazelcast.yaml (or MEMBER_CONFIG), whose data connection names the database. Logs in
# .run/logs.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

CLUSTER_MEMBERS=${CLUSTER_MEMBERS:-3}
MEMBER_HEAP=${MEMBER_HEAP:-1g}
MEMBER_GC=${MEMBER_GC:--XX:+UseG1GC}
MEMBER_CONFIG=${MEMBER_CONFIG:-$SCRIPTS_DIR/hazelcast.yaml}
PYTHON_VENV=${PYTHON_VENV:-$ROOT_DIR/python/.venv}
CLUSTER_START_TIMEOUT=${CLUSTER_START_TIMEOUT:-120}
STOP_GRACE_SECONDS=${STOP_GRACE_SECONDS:-20}
FIRST_MEMBER_PORT=5701

usage() {
    cat >&2 <<EOF
usage: $(basename "$0") up|status|down

  up      start Kafka, PostgreSQL and the Hazelcast members that are not running, and wait until
          the broker serves requests, the database accepts connections and every member sees a
          cluster of CLUSTER_MEMBERS members
  status  print pid, port, state and memory of each process; exit 0 only if all are up
  down    stop the members, the broker (SIGTERM, then SIGKILL after ${STOP_GRACE_SECONDS}s) and the
          database, and make sure none of them, nor a Python worker of theirs, is left

environment:
  CLUSTER_MEMBERS=$CLUSTER_MEMBERS         members, on ports $FIRST_MEMBER_PORT and up
  MEMBER_HEAP=$MEMBER_HEAP            maximum heap per member
  MEMBER_GC=$MEMBER_GC   the members' collector and its options (docs/BENCHMARK.md)
  MEMBER_CONFIG=\$ROOT/scripts/hazelcast.yaml  the members' configuration
  PYTHON_VENV=\$ROOT/python/.venv  interpreter the members run the scoring handler with
  CLUSTER_START_TIMEOUT=$CLUSTER_START_TIMEOUT  seconds
  STOP_GRACE_SECONDS=$STOP_GRACE_SECONDS
  and those of scripts/kafka.sh (KAFKA_PORT, KAFKA_HEAP, ...) and scripts/postgres.sh
  (POSTGRES_PORT: the members' configuration names the database's port, 5433, in its jdbcUrl)
EOF
    exit 2
}

member_port() { echo $((FIRST_MEMBER_PORT + $1 - 1)); }
member_log() { echo "$LOG_DIR/member-$1.log"; }

# The member's view of the cluster from its health endpoint, e.g.
# {"nodeState":"ACTIVE","clusterState":"ACTIVE","clusterSafe":true,"migrationQueueSize":0,"clusterSize":3}
member_health() {
    curl -fsS --max-time 2 "http://127.0.0.1:$(member_port "$1")/hazelcast/health" 2>/dev/null
}

member_cluster_size() {
    local health size
    health=$(member_health "$1") || return 1
    [[ "$health" == *'"nodeState":"ACTIVE"'* ]] || return 1
    size=${health##*\"clusterSize\":}
    echo "${size%%[!0-9]*}"
}

# Members that run beside Kafka and Python: a small heap, the module flags of Hazelcast's own
# start script, and our Python init script ahead of the one in hazelcast-jet-python.
start_member() {
    local i=$1 port tmp
    port=$(member_port "$i")
    tmp="$RUN_DIR/tmp/member-$i"
    if [[ -d "$tmp" ]]; then
        # Jet makes Python runtime directories read-only; give them back before removing.
        chmod -R u+w "$tmp"
        rm -rf "$tmp"
    fi
    mkdir -p "$tmp"
    # scripts/hazelcast.yaml's split-brain protection ("majority") is sized for three members: a
    # cluster of another size needs a majority of its own, and one member, which cannot be split, none.
    local -a split_brain_protection=(-Dhz.split-brain-protection.majority.minimum-cluster-size=$((CLUSTER_MEMBERS / 2 + 1)))
    ((CLUSTER_MEMBERS >= 2)) || split_brain_protection=(-Dhz.split-brain-protection.majority.enabled=false)
    # setsid: members outlive this script and are not hit by the caller's Ctrl-C.
    (
        cd "$tmp"
        export PATH="$PYTHON_VENV/bin:$PATH"
        # shellcheck disable=SC2086  # MEMBER_GC holds several options
        exec setsid java \
            -Xmx"$MEMBER_HEAP" $MEMBER_GC -XX:+ExitOnOutOfMemoryError \
            -Xlog:gc:file="$LOG_DIR/member-$i-gc.log":time \
            "${HZ_MEMBER_JVM_OPTS[@]}" \
            -Djava.net.preferIPv4Stack=true \
            -Djava.io.tmpdir="$tmp" \
            -Dhazelcast.config="$MEMBER_CONFIG" \
            -Dhz.network.port.port="$port" \
            -Dhz.network.port.auto-increment=false \
            "${split_brain_protection[@]}" \
            -Djava.util.logging.config.file="$SCRIPTS_DIR/member-logging.properties" \
            "$PROCESS_MARKER" -Dfraud.role="member-$i" \
            -cp "$SCRIPTS_DIR/member-classpath:$LIB_DIR/hazelcast/*" \
            com.hazelcast.core.server.HazelcastMemberStarter \
            </dev/null >"$(member_log "$i")" 2>&1
    ) &
}

wait_for_members() {
    local deadline i pid size pending
    deadline=$(($(date +%s) + CLUSTER_START_TIMEOUT))
    while :; do
        pending=()
        for ((i = 1; i <= CLUSTER_MEMBERS; i++)); do
            pid=$(running_pid "member-$i")
            if [[ -z "$pid" ]]; then
                log_tail "$(member_log "$i")"
                die "member $i exited during start; see $(member_log "$i")"
            fi
            size=$(member_cluster_size "$i") || size=0
            ((size == CLUSTER_MEMBERS)) || pending+=("member-$i (sees ${size:-0})")
        done
        ((${#pending[@]} == 0)) && return 0
        if (($(date +%s) >= deadline)); then
            for ((i = 1; i <= CLUSTER_MEMBERS; i++)); do log_tail "$(member_log "$i")"; done
            die "no cluster of $CLUSTER_MEMBERS members within ${CLUSTER_START_TIMEOUT}s: ${pending[*]}; logs: $LOG_DIR/member-<n>.log"
        fi
        sleep 0.5
    done
}

cmd_up() {
    local started_ms i pid port
    local -a started=()
    started_ms=$(now_ms)
    [[ "$CLUSTER_MEMBERS" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_MEMBERS must be a positive number, got '$CLUSTER_MEMBERS'"
    if [[ ! -x "$PYTHON_VENV/bin/python3" ]]; then
        die "no Python environment at $PYTHON_VENV: the members score with its interpreter and packages.
Create it once with: scripts/setup-python.sh   (or point PYTHON_VENV at a prepared one)"
    fi
    # Members run in their own directories: their PATH needs the absolute path.
    PYTHON_VENV=$(cd "$PYTHON_VENV" && pwd)
    command -v java >/dev/null || die "java (17+) is not on PATH"
    command -v curl >/dev/null || die "curl is needed to check the members' health"
    init_run_dirs

    ensure_runtime_jars hazelcast
    # The members tokenise card numbers with this key (exported as FRAUD_TOKEN_KEY_FILE).
    ensure_token_key
    # Members first: they take longest to form a cluster, and need no broker to do it.
    for ((i = 1; i <= CLUSTER_MEMBERS; i++)); do
        pid=$(running_pid "member-$i")
        port=$(member_port "$i")
        if [[ -n "$pid" ]]; then
            info "Member $i is already running (pid $pid, port $port)."
            continue
        fi
        port_open "$port" && die "port $port is in use by a process these scripts did not start"
        start_member "$i"
        started+=("$i")
    done
    if ((${#started[@]} > 0)); then
        info "Starting member(s) ${started[*]} of $CLUSTER_MEMBERS ..."
    fi
    "$SCRIPTS_DIR/kafka.sh" up
    "$SCRIPTS_DIR/postgres.sh" up
    wait_for_members
    info "Cluster 'fraud-detection' is up: $CLUSTER_MEMBERS member(s), Kafka and PostgreSQL, $(($(now_ms) - started_ms)) ms."
    cmd_status || true
}

cmd_status() {
    local i pid port state size all_up=0
    "$SCRIPTS_DIR/kafka.sh" status || all_up=1
    "$SCRIPTS_DIR/postgres.sh" status || all_up=1
    for ((i = 1; i <= CLUSTER_MEMBERS; i++)); do
        pid=$(running_pid "member-$i")
        port=$(member_port "$i")
        state=down
        size=
        if [[ -n "$pid" ]]; then
            if size=$(member_cluster_size "$i"); then state=up; else state=starting; fi
        fi
        [[ "$state" == up ]] || all_up=1
        printf '%-10s pid %-8s port %-6s %-9s rss %-8s %s\n' "member-$i" "${pid:--}" "$port" "$state" \
            "$(rss_mb "$pid")" "${size:+cluster size $size}"
    done
    local role
    for pid in $(find_ours 'member-*'); do
        role=$(cmdline_of "$pid") || continue
        role=${role##*-Dfraud.role=member-}
        role=${role%% *}
        if ((role > CLUSTER_MEMBERS)); then
            warn "member-$role (pid $pid) is running beyond CLUSTER_MEMBERS=$CLUSTER_MEMBERS; 'down' stops it too"
        fi
    done
    return "$all_up"
}

cmd_down() {
    init_run_dirs
    local -a pids workers left
    mapfile -t pids < <(find_ours 'member-*')
    if ((${#pids[@]} > 0)); then
        info "Stopping ${#pids[@]} member(s): ${pids[*]} ..."
        stop_pids "$STOP_GRACE_SECONDS" "${pids[@]}"
    fi

    # Jet stops its Python workers with the job; one that outlived a killed member is ours to end.
    mapfile -t workers < <(find_python_workers)
    if ((${#workers[@]} > 0)); then
        warn "stopping Python worker(s) left behind by the members: ${workers[*]}"
        stop_pids 5 "${workers[@]}"
    fi

    "$SCRIPTS_DIR/kafka.sh" down
    "$SCRIPTS_DIR/postgres.sh" down

    mapfile -t left < <(find_ours 'member-*'; find_ours "${KAFKA_INSTANCE:-kafka}"; find_postgres; find_python_workers)
    if ((${#left[@]} > 0)); then
        die "member, broker, database or Python worker process(es) are still running: ${left[*]}"
    fi
    info "Cluster is down: no member, broker, database or Python worker started from $ROOT_DIR is left."
}

(($# == 1)) || usage
case "$1" in
    up) cmd_up ;;
    status) cmd_status ;;
    down) cmd_down ;;
    *) usage ;;
esac
