#!/usr/bin/env bash
# JMH microbenchmarks of the Java stage functions (INGEST parse, FEATURES update, ENRICH join from
# generic records, TRANSFORM to JSON, PREDICT reply parsing) and of the in-JVM scorer (model alone,
# request to row, request to reply), in ns per transaction, so that a regression shows before it
# reaches the pipeline benchmark. Not part of the tests.
#
# Usage: scripts/microbench.sh [JMH options, e.g. -f 1 -wi 2 -i 3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -pl deploy-jobs -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test.classpath
exec java -cp "deploy-jobs/target/test-classes:deploy-jobs/target/classes:$(cat deploy-jobs/target/test.classpath)" \
    org.openjdk.jmh.Main StageBenchmarks ScoringBenchmarks "$@"
