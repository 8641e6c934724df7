#!/usr/bin/env bash
# The Kafka stand-in's kafka-run-class.sh: runs a class of /opt/kafka/libs with the JVM options the
# distribution's script of the same name reads from the environment (KAFKA_HEAP_OPTS,
# KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS), and the same defaults. JMX, GC logs
# and the classpath tricks of the original are left out: nothing in this project uses them.
#   kafka-run-class.sh <main class> [args...]
set -euo pipefail

if (($# < 1)); then
    echo "usage: $(basename "$0") <main class> [args...]" >&2
    exit 1
fi
base_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Word-splitting of the option variables is intended: each holds a list of JVM flags.
# shellcheck disable=SC2086
exec java \
    ${KAFKA_HEAP_OPTS:--Xmx256M} \
    ${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true} \
    -Dkafka.logs.dir="${LOG_DIR:-$base_dir/logs}" \
    ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml} \
    ${KAFKA_OPTS:-} \
    -cp "${CLASSPATH:+$CLASSPATH:}$base_dir/libs/*" \
    "$@"
