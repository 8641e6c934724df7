#!/bin/sh
# Entry point of the loader services of docker-compose.yml: runs one of the tools JAR's loaders with
# the image's Hazelcast jars (which include kafka-clients) on the classpath.
#   run-loaders.sh reference-data|transactions [loader options]
set -eu

usage() {
    echo "usage: run-loaders.sh reference-data|transactions [options]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
case "$1" in
    reference-data) main_class=org.example.tools.ReferenceDataLoader ;;
    transactions) main_class=org.example.tools.TransactionProducer ;;
    *) usage ;;
esac
shift

tools_jar=${TOOLS_JAR:-/opt/fraud/tools/fraud-detection-tools.jar}
if [ ! -f "$tools_jar" ]; then
    echo "No tools JAR at $tools_jar: build it on the host first (mvn -DskipTests package)" >&2
    exit 1
fi
exec java \
    -Djava.util.logging.config.file=/opt/fraud/cli-logging.properties \
    -Dhazelcast.logging.type=jdk \
    -Dhazelcast.phone.home.enabled=false \
    -cp "$tools_jar:${HZ_HOME:-/opt/hazelcast}/lib/*" \
    "$main_class" "$@"
