#!/usr/bin/env bash
# A local Kafka broker without Docker: one KRaft process that is both broker and controller, on
# 127.0.0.1:9092, data in .run/kafka-data (formatted on first start), log in .run/logs/kafka.log.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# An instance has its own role, data and log; the demo runs one of its own ("demo-kafka", on
# other ports), so it never stops or fills the broker of scripts/cluster.sh.
KAFKA_INSTANCE=${KAFKA_INSTANCE:-kafka}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}
STOP_GRACE_SECONDS=${STOP_GRACE_SECONDS:-20}

ROLE=$KAFKA_INSTANCE
DATA_DIR="$RUN_DIR/$KAFKA_INSTANCE-data"
CONFIG_FILE="$RUN_DIR/$KAFKA_INSTANCE/server.properties"
LOG_FILE="$LOG_DIR/$KAFKA_INSTANCE.log"

usage() {
    cat >&2 <<EOF
usage: $(basename "$0") up|status|down

  up      start the broker (if not running) and wait until it serves requests
  status  print pid, port and state; exit 0 only if the broker is up
  down    stop the broker (SIGTERM, then SIGKILL after ${STOP_GRACE_SECONDS}s)

environment:
  KAFKA_INSTANCE=$KAFKA_INSTANCE  KAFKA_PORT=$KAFKA_PORT  KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT  KAFKA_HEAP=$KAFKA_HEAP
  KAFKA_START_TIMEOUT=$KAFKA_START_TIMEOUT (seconds)  STOP_GRACE_SECONDS=$STOP_GRACE_SECONDS
EOF
    exit 2
}

# Kafka's own start script uses G1 with short pauses too; the heap is sized for a laptop.
KAFKA_JVM_OPTS=(-Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$SCRIPTS_DIR/kafka/log4j2.properties")

kafka_java() {
    java "${KAFKA_JVM_OPTS[@]}" -cp "$LIB_DIR/kafka/*" "$@"
}

write_config() {
    mkdir -p "$(dirname "$CONFIG_FILE")"
    cat > "$CONFIG_FILE" <<EOF
# Written by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
# A single broker: every internal topic has one replica, or consumers and transactions stall.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

format_once() {
    [[ -f "$DATA_DIR/meta.properties" ]] && return 0
    local cluster_id
    info "Formatting $DATA_DIR (first start) ..."
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n 1)
    [[ -n "$cluster_id" ]] || die "could not generate a Kafka cluster id; see $LOG_FILE"
    kafka_java kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONFIG_FILE" \
        >>"$LOG_FILE" 2>&1 || { log_tail "$LOG_FILE"; die "formatting $DATA_DIR failed; see $LOG_FILE"; }
}

wait_until_ready() {
    local pid=$1 started_ms=$2 deadline remaining
    deadline=$(($(date +%s) + KAFKA_START_TIMEOUT))
    until port_open "$KAFKA_PORT"; do
        if ! alive "$pid"; then
            log_tail "$LOG_FILE"
            die "the Kafka broker exited during start; see $LOG_FILE"
        fi
        if (($(date +%s) >= deadline)); then
            log_tail "$LOG_FILE"
            die "Kafka did not open port $KAFKA_PORT within ${KAFKA_START_TIMEOUT}s; see $LOG_FILE"
        fi
        sleep 0.2
    done
    remaining=$((deadline - $(date +%s)))
    ((remaining > 0)) || remaining=1
    # An open port says less than ready: a KRaft broker listens before it is unfenced.
    if ! run_hz_client "$TOOLS_JAR" org.example.tools.KafkaReady \
            --bootstrap-servers "127.0.0.1:$KAFKA_PORT" --timeout-seconds "$remaining"; then
        log_tail "$LOG_FILE"
        die "Kafka on port $KAFKA_PORT is not serving requests; see $LOG_FILE"
    fi
    info "Kafka is up on 127.0.0.1:$KAFKA_PORT (pid $pid) after $(($(now_ms) - started_ms)) ms; log: $LOG_FILE"
}

cmd_up() {
    init_run_dirs
    local pid started_ms
    started_ms=$(now_ms)
    pid=$(running_pid "$ROLE")
    if [[ -n "$pid" ]]; then
        info "Kafka is already running (pid $pid, port $KAFKA_PORT)."
        return 0
    fi
    if port_open "$KAFKA_PORT"; then
        die "port $KAFKA_PORT is in use by a process these scripts did not start; stop it or set KAFKA_PORT"
    fi
    command -v java >/dev/null || die "java (17+) is not on PATH"
    [[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR (its KafkaReady tells when the broker serves); build it with: mvn -DskipTests package"
    ensure_runtime_jars kafka
    ensure_runtime_jars hazelcast
    : > "$LOG_FILE"
    write_config
    format_once
    info "Starting Kafka on 127.0.0.1:$KAFKA_PORT ..."
    # setsid: the broker outlives this script and is not hit by the caller's Ctrl-C.
    setsid java "${KAFKA_JVM_OPTS[@]}" "$PROCESS_MARKER" -Dfraud.role="$ROLE" \
        -cp "$LIB_DIR/kafka/*" kafka.Kafka "$CONFIG_FILE" \
        </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    wait_until_ready "$pid" "$started_ms"
}

cmd_status() {
    local pid state=down
    pid=$(running_pid "$ROLE")
    if [[ -n "$pid" ]]; then
        if port_open "$KAFKA_PORT"; then state=up; else state=starting; fi
    fi
    printf '%-10s pid %-8s port %-6s %-9s rss %s\n' "$ROLE" "${pid:--}" "$KAFKA_PORT" "$state" \
        "$(rss_mb "$pid")"
    [[ "$state" == up ]]
}

cmd_down() {
    init_run_dirs
    local -a pids
    mapfile -t pids < <(find_ours "$ROLE")
    if ((${#pids[@]} > 0)); then
        info "Stopping Kafka (pid ${pids[*]}) ..."
        stop_pids "$STOP_GRACE_SECONDS" "${pids[@]}"
    fi
    info "Kafka is down."
}

(($# == 1)) || usage
case "$1" in
    up) cmd_up ;;
    status) cmd_status ;;
    down) cmd_down ;;
    *) usage ;;
esac
