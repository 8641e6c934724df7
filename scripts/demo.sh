#!/usr/bin/env bash
# The demo, end to end, on this machine: builds the job, prepares Python, generates a data set if
# there is none, starts a Kafka broker, then runs org.example.tools.Demo: 3 Hazelcast members in one
# JVM, the job with 10 Python processes per member, customers and merchants loaded, every
# transaction streamed through Kafka, and a summary. Stops everything it started, also on Ctrl-C.
#
# Usage: scripts/demo.sh [Demo options, e.g. --members 1 --python-parallelism 2 --count 5000]
#        scripts/demo.sh --help
# Env:   DEMO_DATA_DIR (python/data/demo), DEMO_CARDS (2000), DEMO_DAYS (14): the data set, generated
#          when missing
#        DEMO_KAFKA_PORT (9192), DEMO_KAFKA_CONTROLLER_PORT (9193): the demo's own broker
#        DEMO_JAVA_OPTS  extra JVM options of the demo JVM (e.g. a profiler)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
init_run_dirs
cd "$ROOT_DIR"

DEMO_DATA=${DEMO_DATA_DIR:-python/data/demo}
DEMO_CARDS=${DEMO_CARDS:-2000}
DEMO_DAYS=${DEMO_DAYS:-14}

info "== Building the job and the tools (mvn package) ..."
# The tools' compile classpath: the job, and Hazelcast with its SQL, Kafka and Python modules.
mvn -q -B -DskipTests package dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile=target/runtime.classpath

demo_java() {
    java -cp "scripts/member-classpath:scripts/tools/target/classes:$(cat scripts/tools/target/runtime.classpath)" "$@"
}
for arg in "$@"; do
    if [[ "$arg" == --help || "$arg" == -h ]]; then
        demo_java org.example.tools.Demo --help
        exit 0
    fi
done

ensure_token_key
info "== Preparing Python (python/.venv) ..."
venv_python=$(scripts/setup-python.sh | tail -n 1)

if [[ ! -f "$DEMO_DATA/transactions.jsonl" ]]; then
    info "== Generating a data set: $DEMO_CARDS cards, $DEMO_DAYS days -> $DEMO_DATA ..."
    "$venv_python" python/generate_data.py --cards "$DEMO_CARDS" --days "$DEMO_DAYS" --seed 7 --out "$DEMO_DATA"
fi

# A broker of the demo's own, beside any broker of scripts/cluster.sh, stopped however the demo ends.
export KAFKA_INSTANCE=demo-kafka KAFKA_PORT=${DEMO_KAFKA_PORT:-9192} KAFKA_CONTROLLER_PORT=${DEMO_KAFKA_CONTROLLER_PORT:-9193}
trap 'scripts/kafka.sh down >/dev/null || true' EXIT
scripts/kafka.sh up

# Hazelcast and Kafka log to a file; the console keeps the demo's own lines and progress bars.
logging="$RUN_DIR/demo-logging.properties"
cat > "$logging" <<PROPERTIES
handlers = java.util.logging.FileHandler
java.util.logging.FileHandler.pattern = $LOG_DIR/demo.log
java.util.logging.FileHandler.formatter = java.util.logging.SimpleFormatter
java.util.logging.SimpleFormatter.format = %1\$tF %1\$tT.%1\$tL %4\$s [%3\$s] %5\$s%6\$s%n
.level = INFO
com.hazelcast.jet.python.level = FINE
org.apache.kafka.level = WARNING
PROPERTIES
info "== Running the demo (logs: ${LOG_DIR#"$ROOT_DIR"/}/demo.log) ..."

# Members find python3 on PATH: the prepared venv first, so Python starts without a package index.
# scripts/member-classpath comes first: its offline-capable Python init script replaces Hazelcast's.
# shellcheck disable=SC2086  # DEMO_JAVA_OPTS holds several options
PATH="$(dirname "$venv_python"):$PATH" demo_java -Xmx3g ${DEMO_JAVA_OPTS:-} "${HZ_MEMBER_JVM_OPTS[@]}" \
    -Djava.util.logging.config.file="$logging" "$PROCESS_MARKER" -Dfraud.role=demo \
    org.example.tools.Demo --data-dir "$DEMO_DATA" --kafka-bootstrap-servers "127.0.0.1:$KAFKA_PORT" "$@"
