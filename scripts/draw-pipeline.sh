#!/usr/bin/env bash
# Redraws images/pipeline.svg from the job's pipeline (a test fails when the picture is stale).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -pl deploy-jobs compile dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile=target/draw-pipeline.classpath
java -cp "deploy-jobs/target/classes:$(cat deploy-jobs/target/draw-pipeline.classpath)" \
    org.example.tools.PipelineDiagram images/pipeline.svg
