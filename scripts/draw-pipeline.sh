#!/usr/bin/env bash
# Redraws images/pipeline.svg from the job's pipeline (a test fails when the picture is stale).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests package dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile=target/runtime.classpath
java -cp "scripts/tools/target/classes:$(cat scripts/tools/target/runtime.classpath)" \
    org.example.tools.PipelineDiagram images/pipeline.svg
