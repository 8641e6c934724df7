#!/usr/bin/env bash
# The Kafka stand-in's kafka-server-start.sh: the broker with the distribution's defaults (1 GB heap,
# the broker's log4j2.yaml), each overridable through the same variable as there.
#   kafka-server-start.sh server.properties
set -euo pipefail

if (($# < 1)); then
    echo "usage: $(basename "$0") server.properties" >&2
    exit 1
fi
base_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/log4j2.yaml}
exec "$base_dir/bin/kafka-run-class.sh" kafka.Kafka "$@"
