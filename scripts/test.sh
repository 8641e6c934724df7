#!/usr/bin/env bash
# Every test, as CI runs them, from a fresh clone on a machine with Java 17, Maven, python3 and curl:
#   1. python/.venv (created or updated by scripts/setup-python.sh)
#   2. Python tests: data generator, features, model bars, golden scores, handler contract, compose file
#   3. Java tests (mvn clean verify, which also builds the job and tools JARs): the stage functions,
#      the whole pipeline on an embedded member without Kafka or Python, the job JAR's contents,
#      and the job on an in-JVM Kafka broker with embedded members and the real Python handler
#   4. End to end: broker and three member processes, hz-cli submit, 20,000 transactions
#   5. The live fraud page in headless Chromium against a running pipeline, its numbers against SQL
#      (scripts/dashboard-test.sh; installs chromium and chromium-driver if missing)
#   6. docker-compose.yml in a real Docker engine, its live page in Chromium, then the
#      Testcontainers scenario (scripts/compose-test.sh; as root, installs docker.io,
#      docker-compose, debootstrap, chromium and chromium-driver if missing)
# Tests that cannot run here (no Docker engine) are skipped by name and listed after the Java tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv_python=$(scripts/setup-python.sh | tail -n 1)
# Embedded members start Python from PATH: the prepared venv, so no package index is needed.
export PATH="$(dirname "$venv_python"):$PATH"

echo "== Python tests"
(cd python && python -m pytest -q -rs tests)

echo "== Java tests (mvn verify)"
# A real PostgreSQL for the reference-database tests, which start instances of their own (apt-get if missing).
scripts/postgres.sh install
mvn -B -q clean verify

# Surefire does not print skipped classes loudly; this does, before the end-to-end test can stop the run.
python python/checks/surefire_summary.py

echo "== End-to-end test"
scripts/e2e-test.sh

echo "== The live page in a browser"
scripts/dashboard-test.sh

scripts/compose-test.sh  # docker-compose.yml in a real Docker engine, then Testcontainers (root; scripts/docker/README.md)
echo "ALL TESTS PASSED"
