#!/bin/sh
# Entry point of the loader services of docker-compose.yml: runs one of the job JAR's loaders with
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

job_jar=${JOB_JAR:-/opt/fraud/job/fraud-detection-job.jar}
if [ ! -f "$job_jar" ]; then
    echo "No job JAR at $job_jar: build it on the host first (mvn -pl deploy-jobs -am package)" >&2
    exit 1
fi
exec java \
    -Djava.util.logging.config.file=/opt/fraud/cli-logging.properties \
    -Dhazelcast.logging.type=jdk \
    -Dhazelcast.phone.home.enabled=false \
    -cp "$job_jar:${HZ_HOME:-/opt/hazelcast}/lib/*" \
    "$main_class" "$@"
