# Shared by the scripts: where things live, how runtime jars are fetched, how Hazelcast programs
# are started, and how processes started from this repository are found, waited on and stopped.
# Sourced, never run.

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPTS_DIR="$ROOT_DIR/scripts"
RUN_DIR="$ROOT_DIR/.run"
LIB_DIR="$RUN_DIR/lib"
LOG_DIR="$RUN_DIR/logs"
# What `mvn package` builds: the job that hz-cli submits, and the tools that run around it (the
# loaders, the verification, the benchmark), which carry the job's classes too.
JOB_JAR="$ROOT_DIR/deploy-jobs/target/fraud-detection-job.jar"
TOOLS_JAR="$ROOT_DIR/scripts/tools/target/fraud-detection-tools.jar"
# The data set of the end-to-end test, the browser test, the page's cost measurement and the job
# starts: 1,000 cards, two weeks, always the same (seed 11). Relative to ROOT_DIR.
TEST_DATA_DIR=python/data/e2e

# The card-token key of the local stack: every member and every loader of this repository reads it
# (FRAUD_TOKEN_KEY_FILE). Made on first use by ensure_token_key; kept apart from the data, mode 0600.
export FRAUD_TOKEN_KEY_FILE=${FRAUD_TOKEN_KEY_FILE:-$RUN_DIR/token.key}

# The reference database of the local stack (scripts/postgres.sh): its data directory, which its
# server's command line names (that is how it is found, as the marker below finds the others), and
# its log. As root the server runs as the system user postgres, which may not enter the checkout (a
# clone in `mktemp -d` is mode 0700): its files then live in a directory of their own per checkout,
# under /var/tmp, which that user owns.
if ((EUID == 0)); then
    POSTGRES_HOME="/var/tmp/fraud-detection-postgres/$(printf '%s' "$ROOT_DIR" | cksum | cut -d ' ' -f 1)"
    POSTGRES_LOG_FILE="$POSTGRES_HOME/postgres.log"
else
    POSTGRES_HOME="$RUN_DIR"
    POSTGRES_LOG_FILE="$LOG_DIR/postgres.log"
fi
# Exported: the benchmark counts the CPU of the server of this data directory.
export POSTGRES_DATA_DIR="$POSTGRES_HOME/postgres-data"

# Every long-running process these scripts start carries this on its command line, with its role
# (-Dfraud.role=...): that is how the scripts find, wait on and stop them, without a pid file and
# without touching anything started elsewhere.
PROCESS_MARKER="-Dfraud.home=$ROOT_DIR"

# The parallelism of a member's common fork-join pool: the JVM's own (one less than the cores), but
# never below 2. On 2 cores the JVM makes it 1, and then Hazelcast's default executor for
# asynchronous completions (like CompletableFuture's) starts a new thread for every completion:
# hundreds a second in a member under load, each one a thread the JVM must also bring to every
# safepoint (docs/BENCHMARK.md, "A thread per asynchronous completion"). COMMON_POOL_PARALLELISM
# overrides it (1 gives back the JVM's choice on 2 cores, to measure it).
cores=$(nproc 2>/dev/null || echo 2)
COMMON_POOL_PARALLELISM=${COMMON_POOL_PARALLELISM:-$((cores > 2 ? cores - 1 : 2))}
unset cores

# JVM options of a Hazelcast member, as Hazelcast's own start script sets them, and the common pool's
# parallelism: for the members of scripts/cluster.sh, the compose stack's and the demo's embedded ones.
HZ_MEMBER_JVM_OPTS=(
    --add-modules java.se
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    -Dhazelcast.phone.home.enabled=false
    -Dhazelcast.logging.type=jdk
    -Djava.util.concurrent.ForkJoinPool.common.parallelism="$COMMON_POOL_PARALLELISM"
)

info() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
# The running script's usage: the comment block at its top. Exits 2 with it on stderr (a wrong
# call), or with `usage_from_header 0` exits 0 with it on stdout (--help).
usage_from_header() {
    local status=${1:-2} out=2
    ((status == 0)) && out=1
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&"$out"
    exit "$status"
}

now_ms() { date +%s%3N; }
# A random password of 24 characters of [A-Za-z0-9]: nothing a properties file or a JAAS line
# would need to escape.
new_password() { tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 24 || true; }

# Properties of a pom, one value a line, in the order asked, read with an XML parser
# (scripts/lib/pom_properties.py): `pom_properties "$ROOT_DIR/pom.xml" hazelcast.version`. The root
# pom is the one place versions live. A missing property is an error, on stderr, and a failed call.
pom_properties() {
    command -v python3 >/dev/null || { warn "python3 is needed to read $1"; return 1; }
    python3 "$SCRIPTS_DIR/lib/pom_properties.py" "$@"
}

# Makes sure .run/lib/<set> holds the jars of scripts/runtime-jars/pom.xml for the current
# versions; fetches them with Maven when missing or when a version in the root pom changed.
#   ensure_runtime_jars kafka      the Kafka broker
#   ensure_runtime_jars hazelcast  Hazelcast members, hz-cli and the loaders
ensure_runtime_jars() {
    local set=$1 profile versions i
    # The root pom's properties that scripts/runtime-jars/pom.xml takes, under the same names.
    local -a names values props=()
    case "$set" in
        kafka) profile=kafka-broker; names=(dependency-plugin.version) ;;
        hazelcast) profile=hazelcast-member; names=(dependency-plugin.version hazelcast.version slf4j.version picocli.version postgresql.version) ;;
        *) die "unknown runtime jar set: $set" ;;
    esac
    versions=$(pom_properties "$ROOT_DIR/pom.xml" "${names[@]}") || die "cannot read the versions of the $set jars"
    mapfile -t values <<< "$versions"
    for i in "${!names[@]}"; do
        props+=("-D${names[$i]}=${values[$i]}")
    done
    local dir="$LIB_DIR/$set" stamp
    stamp="$profile ${props[*]} $(cksum < "$SCRIPTS_DIR/runtime-jars/pom.xml")"
    if [[ -f "$dir/.fetched" && "$(cat "$dir/.fetched")" == "$stamp" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "Maven (mvn) is needed once to fetch the $set jars into $dir"
    info "Fetching $set jars into ${dir#"$ROOT_DIR"/} ..."
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! mvn -q -B -f "$SCRIPTS_DIR/runtime-jars/pom.xml" -P "$profile" "${props[@]}" \
            dependency:copy-dependencies >"$LOG_DIR/fetch-$set-jars.log" 2>&1; then
        rm -rf "$dir"
        die "could not fetch the $set jars; see $LOG_DIR/fetch-$set-jars.log"
    fi
    printf '%s' "$stamp" > "$dir/.fetched"
}

init_run_dirs() {
    mkdir -p "$LOG_DIR" "$LIB_DIR"
}

# Makes the local stack's card-token key if there is none yet (needs the tools JAR).
ensure_token_key() {
    [[ -f "$FRAUD_TOKEN_KEY_FILE" ]] && return 0
    [[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR to make the card-token key with; build it: mvn -DskipTests package"
    run_hz_client "$TOOLS_JAR" org.example.tools.TokenKeyTool "$FRAUD_TOKEN_KEY_FILE" --id local >/dev/null
}

# The command line of a process as one string, arguments separated (and ended) by spaces.
cmdline_of() {
    local -a argv
    mapfile -d '' -t argv 2>/dev/null < "/proc/$1/cmdline" || return 1
    ((${#argv[@]} > 0)) || return 1
    printf '%s ' "${argv[@]}"
}

# Pid of the running process of a role (e.g. member-2, kafka); empty when none runs. Processes are
# found by the marker on their command line, never by a pid file that a crash or a recycled pid
# could make wrong.
running_pid() {
    find_ours "$1" | head -n 1
}

# Pids of processes started from this repository whose role matches the glob (e.g. 'member-*').
find_ours() {
    local role_glob=$1 proc pid cmdline role
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        cmdline=$(cmdline_of "$pid") || continue
        [[ "$cmdline" == *"$PROCESS_MARKER "* ]] || continue
        role=${cmdline##*-Dfraud.role=}
        role=${role%% *}
        # shellcheck disable=SC2053 # the role is a glob on purpose
        [[ "$role" == $role_glob ]] && printf '%s\n' "$pid"
    done
    return 0
}

# Pid of the PostgreSQL server of this checkout's data directory; empty when none runs.
find_postgres() {
    local proc cmdline
    for proc in /proc/[0-9]*; do
        cmdline=$(cmdline_of "${proc#/proc/}") || continue
        [[ "$cmdline" == *"/postgres -D $POSTGRES_DATA_DIR "* ]] && printf '%s\n' "${proc#/proc/}"
    done
    return 0
}

# Python workers that Jet started for our members: they run in the members' temp directories
# under .run/tmp, which is how they are recognised after a member died without reaping them.
# (The members themselves run there too; they are recognised by their marker and left out.)
find_python_workers() {
    local proc cwd cmdline
    for proc in /proc/[0-9]*; do
        cwd=$(readlink "$proc/cwd" 2>/dev/null) || continue
        [[ "$cwd" == "$RUN_DIR/tmp/"* ]] || continue
        cmdline=$(cmdline_of "${proc#/proc/}") || continue
        [[ "$cmdline" == *"$PROCESS_MARKER "* ]] && continue
        printf '%s\n' "${proc#/proc/}"
    done
    return 0
}

alive() { kill -0 "$1" 2>/dev/null; }

# Stops the given pids: SIGTERM, then up to $grace seconds for them to exit, then SIGKILL.
stop_pids() {
    local grace=$1; shift
    local pid deadline remaining
    (($# > 0)) || return 0
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$(($(now_ms) + grace * 1000))
    while :; do
        remaining=()
        for pid in "$@"; do alive "$pid" && remaining+=("$pid"); done
        ((${#remaining[@]} == 0)) && return 0
        (($(now_ms) >= deadline)) && break
        sleep 0.2
    done
    warn "still running after ${grace}s, sending SIGKILL: ${remaining[*]}"
    for pid in "${remaining[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${remaining[@]}"; do
        while alive "$pid"; do sleep 0.1; done
    done
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Resident memory of a process, or "-" for none (an empty pid).
rss_mb() {
    local kb=
    [[ -n "$1" ]] && kb=$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ') || true
    if [[ -n "$kb" ]]; then echo "$((kb / 1024)) MB"; else echo "-"; fi
}

# Runs a program that talks to the cluster as a client (hz-cli, the loaders, the benchmark) on the
# Hazelcast jars, with its own classes first when given, and Hazelcast's logging kept quiet:
#   run_hz_client <classpath or ''> <main class> [args...]
run_hz_client() {
    local classpath=$1 main_class=$2
    shift 2
    command -v java >/dev/null || die "java (17+) is not on PATH"
    init_run_dirs
    ensure_runtime_jars hazelcast
    java -Djava.util.logging.config.file="$SCRIPTS_DIR/cli-logging.properties" \
        -Dhazelcast.logging.type=jdk \
        -Dhazelcast.phone.home.enabled=false \
        -cp "${classpath:+$classpath:}$LIB_DIR/hazelcast/*" \
        "$main_class" "$@"
}

# Dies unless no process started from this repository runs: no member, broker, database or demo,
# not even one left half up, so a test or benchmark never mixes in another run's processes or data.
require_nothing_running() {
    local -a ours
    mapfile -t ours < <(find_ours '*'; find_postgres)
    ((${#ours[@]} == 0)) || die "processes of a local cluster or demo are still running (pids ${ours[*]}); stop them first (scripts/cluster.sh down)"
}

# The version a model's metadata (fraud_model.json) names.
model_version() {
    "$ROOT_DIR/python/.venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["model_version"])' "$1"
}

# How many transactions a `scripts/load.sh transactions` run sent, from its summary line (stdin).
producer_sent() { sed -n 's/^Sent \([0-9,]*\) of .*/\1/p' | tr -d ,; }

# The test data set in TEST_DATA_DIR, generated the first time (needs python/.venv).
ensure_test_data_set() {
    if [[ ! -f "$ROOT_DIR/$TEST_DATA_DIR/transactions.jsonl" ]]; then
        info "== Generating the test data set in $TEST_DATA_DIR ..."
        "$ROOT_DIR/python/.venv/bin/python" "$ROOT_DIR/python/generate_data.py" --cards 1000 --days 14 --seed 11 \
            --out "$ROOT_DIR/$TEST_DATA_DIR"
    fi
}

# What a script that runs the local stack inside a network namespace of its own needs first, while
# package registries are reachable: python/.venv, the job and tools JARs (built if missing), the
# members' and the broker's jars, and the test data set; and nothing of another run still running.
prepare_local_stack() {
    "$SCRIPTS_DIR/setup-python.sh" >/dev/null
    if [[ ! -f "$JOB_JAR" || ! -f "$TOOLS_JAR" ]]; then
        info "== Building the job and the tools (mvn package) ..."
        (cd "$ROOT_DIR" && mvn -q -B -DskipTests package)
    fi
    ensure_runtime_jars hazelcast
    ensure_runtime_jars kafka
    ensure_test_data_set
    ensure_token_key
    require_nothing_running
}

# The last lines of a log, to show with a failure.
log_tail() {
    local log=$1
    if [[ -s "$log" ]]; then
        printf '\n--- last lines of %s ---\n' "$log" >&2
        tail -n 20 "$log" >&2
        printf -- '---\n' >&2
    fi
}
