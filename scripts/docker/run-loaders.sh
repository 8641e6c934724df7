#!/bin/sh
# Entry point of the loader services of docker-compose.yml and of its submit-job: runs one of the
# tools JAR's programs with the image's Hazelcast jars (which include kafka-clients and PostgreSQL's
# driver) on the classpath, as scripts/load.sh does on the host:
#   run-loaders.sh reference-data|transactions|verify|keep-job-submitted [options]
#                                                    ('<tool> --help' lists them)
# Their connection settings come from the environment (HZ_CLUSTER_NAME, HZ_ADDRESSES,
# KAFKA_BOOTSTRAP_SERVERS, REFERENCE_DB_URL, DATA_DIR), which the compose file sets.
set -eu

usage() {
    echo "usage: run-loaders.sh reference-data|transactions|verify|keep-job-submitted [options]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
case "$1" in
    reference-data) main_class=org.example.tools.ReferenceDataLoader ;;
    transactions) main_class=org.example.tools.TransactionProducer ;;
    verify) main_class=org.example.tools.VerifyRun ;;
    keep-job-submitted) main_class=org.example.tools.JobKeeper ;;
    *) usage ;;
esac
shift

tools_jar=${TOOLS_JAR:-/opt/fraud/tools/fraud-detection-tools.jar}
exec java \
    -Djava.util.logging.config.file=/opt/fraud/scripts/cli-logging.properties \
    -Dhazelcast.logging.type=jdk \
    -Dhazelcast.phone.home.enabled=false \
    -cp "$tools_jar:/opt/hazelcast/lib/*" \
    "$main_class" "$@"
