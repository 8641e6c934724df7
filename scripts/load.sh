#!/usr/bin/env bash
# Runs the loaders of the tools JAR against the local stack (or any other, through their flags):
#
#   scripts/load.sh reference-data [--data-dir python/data] [--clear] ...   (into the reference database)
#   scripts/load.sh transactions   [--data-dir python/data] [--rate 500] [--count 20000] ...
#   scripts/load.sh verify         --expected 20000 [--labels python/data/labels.csv] ...
#   scripts/load.sh topic-check    --expected 20000 [--topic fraud-decisions] ...
#
# `<loader> --help` lists every option. Exits non-zero when a loader fails, e.g. when any
# transaction was not acknowledged by Kafka.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat >&2 <<USAGE
usage: $(basename "$0") reference-data|transactions|verify|topic-check [options]   ('<tool> --help' lists them)

  reference-data  customers.jsonl and merchants.jsonl into the reference database, or with --into maps
                  into the maps (org.example.tools.ReferenceDataLoader)
  transactions    transactions.jsonl into the Kafka topic (org.example.tools.TransactionProducer)
  verify          wait for every transaction's outcome and check the accounting (org.example.tools.VerifyRun)
  topic-check     read the decision and dead-letter topics read_committed: each input once (org.example.tools.TopicCheck)

The loaders' classes come from ${TOOLS_JAR#"$ROOT_DIR"/} (mvn -DskipTests package).
USAGE
    exit 2
}

(($# >= 1)) || usage
case "$1" in
    reference-data) main_class=org.example.tools.ReferenceDataLoader ;;
    transactions) main_class=org.example.tools.TransactionProducer ;;
    verify) main_class=org.example.tools.VerifyRun ;;
    topic-check) main_class=org.example.tools.TopicCheck ;;
    *) usage ;;
esac
shift

[[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR; build it with: mvn -DskipTests package"
run_hz_client "$TOOLS_JAR" "$main_class" "$@"
