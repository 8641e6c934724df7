#!/usr/bin/env bash
# Kafka over TLS with SASL, every part real: a broker whose only client listener is SASL_SSL
# (SCRAM-SHA-512, its certificate from a test CA made for the run: scripts/kafka.sh with
# KAFKA_SECURITY=sasl_ssl), a Hazelcast member, the loaders and the job submitted with hz-cli, all
# through --kafka-properties-file with the settings docs/DEPLOY.md recommends: the CA inline as
# PEM, the password read by the Kafka client, where it runs, from a file (${file:...}). Checks:
#   1. every transaction produced ends as exactly one prediction or one dead letter (VerifyRun);
#   2. the password is not in the job's record on the cluster, which every client can read, and
#      the same settings with the password written inline do put it there (the search finds it);
#   3. a wrong password, a CA that did not sign the broker's certificate, and a PLAINTEXT client
#      each make hz-cli submit fail with KafkaPreflight's sentence and submit no job; the first two
#      make the producer fail the same way, before it sends anything. A refusal is answered at once;
#      the PLAINTEXT client, which hears nothing, waits its default.api.timeout.ms (set to 15 s).
# Prints how long each step and each refusal took (a busy machine makes them slow: they are
# figures, not limits; only a command that hangs for KAFKA_TLS_TEST_HANG_SECONDS fails the test).
#
# Isolation: the broker and the member listen in a network namespace of the test's own
# (`unshare --net`, as root), on the default ports. Its broker (KAFKA_INSTANCE=kafka-tls-broker)
# has its own data, CA and passwords, made anew each run; the test's own files are in
# .run/kafka-tls-test. Installs and builds first, while package registries are reachable
# (python/.venv, the JARs when missing, the Kafka and Hazelcast jars, the test data set).
#
# Env: KAFKA_TLS_TEST_COUNT   transactions sent through the SASL_SSL broker (3000)
#      KAFKA_TLS_TEST_HANG_SECONDS  a refused command still running after this long has hung (300)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

COUNT=${KAFKA_TLS_TEST_COUNT:-3000}
HANG_SECONDS=${KAFKA_TLS_TEST_HANG_SECONDS:-300}
DATA=$TEST_DATA_DIR
TEST_DIR="$RUN_DIR/kafka-tls-test"
BOOTSTRAP=127.0.0.1:9092
TOPIC=transactions-tls
JOB_NAME=fraud-detection

if [[ "${1:-}" != --inside ]]; then
    started=$(now_ms)
    prepare_local_stack
    unshare --net true 2>/dev/null || die "cannot make a network namespace (unshare --net; not root?)"
    info "== Running in a network namespace of its own"
    unshare --net --fork bash -c 'ip link set lo up && exec "$0" --inside' "$0"
    info "kafka-tls-test passed in $((($(now_ms) - started) / 1000)) s"
    exit 0
fi

# The test's files hold passwords of its broker: for this user only.
umask 077
step_started=0
begin() { step_started=$(now_ms); info "== $* ..."; }
took() { local ms=$(($(now_ms) - step_started)); info "   took $((ms / 1000)).$((ms % 1000 / 100)) s"; }

export KAFKA_INSTANCE=kafka-tls-broker KAFKA_SECURITY=sasl_ssl CLUSTER_MEMBERS=1
CLIENT="$RUN_DIR/$KAFKA_INSTANCE/client.properties"
CLIENT_SECRET="$RUN_DIR/$KAFKA_INSTANCE/client-secret.properties"
# A fresh broker: a new CA, new users and passwords, no topics of an earlier run.
rm -rf "$RUN_DIR/$KAFKA_INSTANCE" "$RUN_DIR/$KAFKA_INSTANCE-data" "$TEST_DIR"
mkdir -p "$TEST_DIR/data"
trap 'info "== Stopping the member and the broker ..."; scripts/cluster.sh down' EXIT

begin "Starting a SASL_SSL-only broker (new test CA and SCRAM users) and one member"
scripts/cluster.sh up
took
grep -q '^listeners=SASL_SSL://[^,]*,CONTROLLER://' "$RUN_DIR/$KAFKA_INSTANCE/server.properties" \
    || die "the broker's listeners are not SASL_SSL and CONTROLLER alone"

begin "Loading customers and merchants"
scripts/load.sh reference-data --data-dir "$DATA" --clear
took

begin "Submitting the job with hz-cli, Kafka settings from $CLIENT"
scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC" \
    --kafka-properties-file "$CLIENT" --python-parallelism 1
took

begin "Producing $COUNT transactions through the SASL_SSL listener"
head -n "$COUNT" "$DATA/transactions.jsonl" > "$TEST_DIR/data/transactions.jsonl"
scripts/load.sh transactions --kafka-properties-file "$CLIENT" --data-dir "$TEST_DIR/data" --topic "$TOPIC"
took

begin "Every transaction must end as exactly one prediction or dead letter"
scripts/load.sh verify --expected "$COUNT" --job-name "$JOB_NAME" --timeout-seconds 300
took

# ---- what travels with the job ----
# A later entry of a key replaces an earlier one (java.util.Properties): each variant below is the
# test's client.properties with one setting changed.
variant() {
    local name=$1; shift
    { cat "$CLIENT"; printf '%s\n' "$@"; } > "$TEST_DIR/$name.properties"
    printf '%s' "$TEST_DIR/$name.properties"
}
begin "What the job's record on the cluster holds: the recommended settings, and the password inline"
inline=$(variant inline-password "$(cat "$CLIENT_SECRET")")
# A second job with the password written inline, as a control: the search must find it there. The
# Java scorer and a topic of its own: no Python to start, nothing to score, no outcome to add; it
# stops with the cluster.
scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" --kafka-topic "$TOPIC-inline" \
    --kafka-properties-file "$inline" --job-name "$JOB_NAME-inline" --scorer java --resume-attempts 0
# The password, for the search only: in a file of mode 600, never on a command line or in the output.
(umask 077 && sed -n 's/.* password="\([^"]*\)".*/\1/p' "$CLIENT_SECRET" > "$TEST_DIR/password")
records=$(java -Djava.util.logging.config.file="$SCRIPTS_DIR/cli-logging.properties" -Dhazelcast.logging.type=jdk \
    -cp "$LIB_DIR/hazelcast/*" "$SCRIPTS_DIR/kafka/JobRecordSecrets.java" \
    fraud-detection 127.0.0.1:5701 "$TEST_DIR/password" "$JOB_NAME" "$JOB_NAME-inline")
printf '%s\n' "$records" | sed 's/^/   /'
grep -q "^job '$JOB_NAME' .*the password is not there; a \${file:...} reference is there" <<< "$records" \
    || die "the job's record holds the password, or not the \${file:...} reference"
grep -q "^job '$JOB_NAME-inline' .*the password IS THERE" <<< "$records" \
    || die "the password written inline is not found in the control job's record: the search cannot be trusted"
took

# ---- refusals: each must fail, say why in KafkaPreflight's words, and submit nothing ----
# expect_refusal <name> <expected words> <command...>
expect_refusal() {
    local name=$1 expected=$2 out="$TEST_DIR/$1.out" started ms sentence
    shift 2
    started=$(now_ms)
    local rc=0
    "$@" >"$out" 2>&1 || rc=$?
    ms=$(($(now_ms) - started))
    if ((rc == 0)); then
        cat "$out" >&2
        die "$name: the command succeeded; it had to be refused"
    fi
    ((rc != 124)) || die "$name: no answer within $HANG_SECONDS s: a silent stall"
    if ! grep -qF "$expected" "$out"; then
        tail -n 40 "$out" >&2
        die "$name: refused, but without saying '$expected' (output above)"
    fi
    if grep -qF -f "$TEST_DIR/password" "$out"; then
        die "$name: the output shows the password"
    fi
    # The sentence, wherever the command printed it (hz-cli: after the exception's class name).
    sentence=$(grep -o -m 1 "\(Kafka at\|The Kafka client settings\).*" "$out" || true)
    info "   $name: refused after $((ms / 1000)).$((ms % 1000 / 100)) s: $sentence"
}
# Each under `timeout`: a command that hangs is what the check is there to prevent.
submit_with() {
    timeout "$HANG_SECONDS" scripts/hz-cli submit "$JOB_JAR" --kafka-bootstrap-servers "$BOOTSTRAP" \
        --kafka-topic "$TOPIC" --kafka-properties-file "$1" --job-name "$2" --python-parallelism 1
}
produce_with() {
    timeout "$HANG_SECONDS" scripts/load.sh transactions --kafka-properties-file "$1" --data-dir "$TEST_DIR/data" \
        --topic "$TOPIC"
}

begin "A wrong password"
(umask 077 && sed 's/password="[^"]*"/password="not-the-password"/' "$CLIENT_SECRET" > "$TEST_DIR/wrong-secret.properties")
wrong_password=$(variant wrong-password "sasl.jaas.config=\${file:$TEST_DIR/wrong-secret.properties:sasl.jaas.config}")
expect_refusal submit-wrong-password "refused the login" submit_with "$wrong_password" "$JOB_NAME-wrong-password"
expect_refusal produce-wrong-password "refused the login" produce_with "$wrong_password"
took

begin "A CA that did not sign the broker's certificate"
"$SCRIPTS_DIR/kafka/test-ca.sh" ca "$TEST_DIR/other-ca"
untrusted=$(variant untrusted-ca "ssl.truststore.certificates=$(tr -d '\r' < "$TEST_DIR/other-ca/ca.pem" | sed -e '$!s/$/\\n\\/')")
expect_refusal submit-untrusted-ca "no CA in this client's trust store signed" submit_with "$untrusted" "$JOB_NAME-untrusted-ca"
expect_refusal produce-untrusted-ca "no CA in this client's trust store signed" produce_with "$untrusted"
took

begin "A PLAINTEXT client: the broker has no listener for it, and says nothing"
plaintext=$(variant plaintext security.protocol=PLAINTEXT default.api.timeout.ms=15000)
expect_refusal submit-plaintext "did not answer within 15 s (PLAINTEXT)" submit_with "$plaintext" "$JOB_NAME-plaintext"
took

begin "No refused submit left a job; the job itself runs on"
jobs=$(scripts/hz-cli list-jobs -a)
printf '%s\n' "$jobs" | sed 's/^/   /'
for refused in wrong-password untrusted-ca plaintext; do
    if grep -q -- "$JOB_NAME-$refused" <<< "$jobs"; then die "a job '$JOB_NAME-$refused' exists: the refused submit went through"; fi
done
grep -q "RUNNING.*$JOB_NAME\$" <<< "$jobs" || die "job '$JOB_NAME' is not RUNNING"
took
