#!/usr/bin/env bash
# A local Kafka broker without Docker: one KRaft process that is both broker and controller, on
# 127.0.0.1:9092, data in .run/kafka-data (formatted on first start), log in .run/logs/kafka.log.
#
# KAFKA_SECURITY=sasl_ssl makes it a broker as a payment company runs one: clients and brokers
# only over SASL_SSL (SCRAM-SHA-512 logins over TLS), the controller only over mutual TLS. Its
# first start makes a test CA and the broker's certificate (scripts/kafka/test-ca.sh), the SCRAM
# users, and the properties a client passes with --kafka-properties-file:
# .run/kafka/client.properties (docs/DEPLOY.md, "Kafka over TLS with SASL").
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
KAFKA_SECURITY=${KAFKA_SECURITY:-plaintext}
# The SCRAM user of the job and the tools (KAFKA_SECURITY=sasl_ssl); the broker logs in as "broker".
KAFKA_CLIENT_USER=${KAFKA_CLIENT_USER:-fraud-detection}

ROLE=$KAFKA_INSTANCE
DATA_DIR="$RUN_DIR/$KAFKA_INSTANCE-data"
CONFIG_DIR="$RUN_DIR/$KAFKA_INSTANCE"
CONFIG_FILE="$CONFIG_DIR/server.properties"
LOG_FILE="$LOG_DIR/$KAFKA_INSTANCE.log"
# KAFKA_SECURITY=sasl_ssl: the test CA and the broker's key and certificate, its own SCRAM password,
# and what a client needs (client.properties, which reads the password from client-secret.properties).
TLS_DIR="$CONFIG_DIR/tls"
BROKER_PASSWORD_FILE="$CONFIG_DIR/broker-scram.password"
CLIENT_PROPERTIES="$CONFIG_DIR/client.properties"
CLIENT_SECRET="$CONFIG_DIR/client-secret.properties"
# The mode the data directory was formatted for: SCRAM users live in its metadata log.
FORMATTED_FOR="$CONFIG_DIR/formatted-for"

usage() {
    cat >&2 <<EOF
usage: $(basename "$0") up|status|down

  up      start the broker (if not running) and wait until it serves requests
  status  print pid, port and state; exit 0 only if the broker is up
  down    stop the broker (SIGTERM, then SIGKILL after ${STOP_GRACE_SECONDS}s)

environment:
  KAFKA_INSTANCE=$KAFKA_INSTANCE  KAFKA_PORT=$KAFKA_PORT  KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT  KAFKA_HEAP=$KAFKA_HEAP
  KAFKA_START_TIMEOUT=$KAFKA_START_TIMEOUT (seconds)  STOP_GRACE_SECONDS=$STOP_GRACE_SECONDS
  KAFKA_SECURITY=$KAFKA_SECURITY   plaintext, or sasl_ssl (SCRAM-SHA-512 over TLS; clients use
                                   ${CLIENT_PROPERTIES#"$ROOT_DIR"/})
  KAFKA_CLIENT_USER=$KAFKA_CLIENT_USER   the clients' SCRAM user (sasl_ssl)
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
    mkdir -p "$CONFIG_DIR"
    # In sasl_ssl mode it holds the broker's passwords.
    (umask 077 && : > "$CONFIG_FILE")
    cat > "$CONFIG_FILE" <<EOF
# Written by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
$(listener_config)
controller.listener.names=CONTROLLER
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

listener_config() {
    case "$KAFKA_SECURITY" in
        plaintext) cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
EOF
            ;;
        sasl_ssl) cat <<EOF
# Clients and brokers: SASL_SSL only, SCRAM-SHA-512 logins over TLS.
listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(cat "$BROKER_PASSWORD_FILE")";
# The controller: KRaft cannot log a controller's clients in with SCRAM (the users live in the
# metadata log the controller serves), so it takes TLS with a client certificate signed by the CA
# (mutual TLS), on the loopback only. Its one client is this node's broker, with the same certificate.
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
EOF
            ;;
    esac
}

# KAFKA_SECURITY=sasl_ssl, before the first format: a test CA and the broker's certificate for
# 127.0.0.1 and localhost, a SCRAM password for the broker and one for the client user, and the
# client's properties. Made anew whenever the data directory is: its SCRAM users must match.
make_sasl_ssl_material() {
    info "Making a test CA, the broker's certificate and SCRAM passwords in ${CONFIG_DIR#"$ROOT_DIR"/} ..."
    mkdir -p "$CONFIG_DIR"
    rm -rf "$TLS_DIR"
    "$SCRIPTS_DIR/kafka/test-ca.sh" ca "$TLS_DIR"
    "$SCRIPTS_DIR/kafka/test-ca.sh" server "$TLS_DIR" broker 127.0.0.1,localhost
    (
        umask 077
        new_password > "$BROKER_PASSWORD_FILE"
        # The client's secret, in a file of its own on each machine; client.properties only names it.
        printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";\n' \
            "$KAFKA_CLIENT_USER" "$(new_password)" > "$CLIENT_SECRET"
    )
    {
        cat <<EOF
# Kafka client settings for the local SASL_SSL broker (scripts/kafka.sh, KAFKA_SECURITY=sasl_ssl):
# pass this file with --kafka-properties-file to hz-cli submit and to the loaders. Nothing in it is
# secret, though the job carries it to every member: the CA certificate is public, and the Kafka
# client reads the password from $CLIENT_SECRET where it runs.
bootstrap.servers=127.0.0.1:$KAFKA_PORT
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
config.providers=file
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
sasl.jaas.config=\${file:$CLIENT_SECRET:sasl.jaas.config}
ssl.truststore.type=PEM
EOF
        pem_property ssl.truststore.certificates "$TLS_DIR/ca.pem"
    } > "$CLIENT_PROPERTIES"
}

# A PEM file as one properties entry: its line breaks kept (\n), its lines joined by continuations.
# (A carriage return would end the entry: the properties format takes it for a line break.)
pem_property() {
    local key=$1 file=$2
    printf '%s=' "$key"
    tr -d '\r' < "$file" | sed -e '$!s/$/\\n\\/'
}

# The SCRAM users to format the metadata log with, as StorageTool's --add-scram arguments.
scram_users() {
    local client_password
    client_password=$(sed -n 's/.* password="\([^"]*\)".*/\1/p' "$CLIENT_SECRET")
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=broker,password=$(cat "$BROKER_PASSWORD_FILE")]" \
        --add-scram "SCRAM-SHA-512=[name=$KAFKA_CLIENT_USER,password=$client_password]"
}

format_once() {
    if [[ -f "$DATA_DIR/meta.properties" ]]; then
        local formatted_for=plaintext
        [[ -f "$FORMATTED_FOR" ]] && formatted_for=$(cat "$FORMATTED_FOR")
        [[ "$formatted_for" == "$KAFKA_SECURITY" ]] || die "$DATA_DIR was formatted for KAFKA_SECURITY=$formatted_for, not $KAFKA_SECURITY; remove it (its topics go with it) or start with KAFKA_SECURITY=$formatted_for"
        if [[ "$KAFKA_SECURITY" == sasl_ssl && ! (-f "$TLS_DIR/broker.pem" && -f "$BROKER_PASSWORD_FILE" && -f "$CLIENT_SECRET") ]]; then
            die "$DATA_DIR holds SCRAM users whose certificate or passwords are gone from $CONFIG_DIR; remove $DATA_DIR (its topics go with it) to start afresh"
        fi
        return 0
    fi
    local cluster_id
    local -a users=()
    info "Formatting $DATA_DIR (first start) ..."
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        make_sasl_ssl_material
        mapfile -t users < <(scram_users)
    fi
    write_config
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n 1)
    [[ -n "$cluster_id" ]] || die "could not generate a Kafka cluster id; see $LOG_FILE"
    # The SCRAM passwords pass on this command line once, on this machine, as Kafka's own
    # kafka-storage.sh takes them.
    kafka_java kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONFIG_FILE" "${users[@]}" \
        >>"$LOG_FILE" 2>&1 || { log_tail "$LOG_FILE"; die "formatting $DATA_DIR failed; see $LOG_FILE"; }
    printf '%s\n' "$KAFKA_SECURITY" > "$FORMATTED_FOR"
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
    local -a client_config=()
    [[ "$KAFKA_SECURITY" == sasl_ssl ]] && client_config=(--client-properties "$CLIENT_PROPERTIES")
    # An open port says less than ready: a KRaft broker listens before it is unfenced.
    if ! run_hz_client "$TOOLS_JAR" org.example.tools.KafkaReady \
            --bootstrap-servers "127.0.0.1:$KAFKA_PORT" --timeout-seconds "$remaining" "${client_config[@]}"; then
        log_tail "$LOG_FILE"
        die "Kafka on port $KAFKA_PORT is not serving requests; see $LOG_FILE"
    fi
    info "Kafka is up on 127.0.0.1:$KAFKA_PORT (pid $pid, $KAFKA_SECURITY) after $(($(now_ms) - started_ms)) ms; log: $LOG_FILE"
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        info "Kafka clients: --kafka-properties-file $CLIENT_PROPERTIES"
    fi
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
    case "$KAFKA_SECURITY" in
        plaintext | sasl_ssl) ;;
        *) die "KAFKA_SECURITY must be plaintext or sasl_ssl, got '$KAFKA_SECURITY'" ;;
    esac
    : > "$LOG_FILE"
    format_once
    write_config
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
