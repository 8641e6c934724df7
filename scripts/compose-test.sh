#!/usr/bin/env bash
# docker-compose.yml, proven by running it: a real Docker engine runs the shipped compose file with
# docker-compose, and the run must end with every transaction accounted for exactly once. Then the
# Testcontainers scenario of the Java tests runs against the same engine. scripts/test.sh calls this
# as its last step; it needs root (it starts its own Docker daemons) and takes 10-25 minutes.
#
# What it does, in order (each phase is timed in the summary):
#   1. installs what is missing: docker.io, docker-compose, debootstrap, chromium and
#      chromium-driver (apt-get), python/.venv,
#      the Maven artifacts of the container test, and the member image's wheels (no package index
#      is reachable from inside an image build here: scripts/docker/fetch-wheels.sh);
#   2. starts a build daemon in this machine's network namespace (--bridge=none --iptables=false,
#      builds with --network host), builds the stand-in images (scripts/docker/build-standins.sh:
#      Debian from debootstrap, Kafka from Maven Central, PostgreSQL from Debian's packages), the
#      member image and the page image, then stops it;
#   3. starts a run daemon inside a private network namespace (so that ports 9092, 5701, ... never
#      clash with anything else on the machine), on the same data root, so the images are there;
#   4. `docker-compose build` of the shipped file: every step must come from the cache and give the
#      same image (proves the compose file builds what step 2 built, and that no build needs the
#      network the run daemon does not have);
#   5. `docker-compose up -d` of every service but management-center, with KAFKA_IMAGE,
#      POSTGRES_IMAGE and MEMBER_BASE_IMAGE naming the stand-ins, the file otherwise unchanged; waits
#      until the long-running services are healthy and the one-shots have exited 0;
#   6. checks: the job is RUNNING; each of the 3 members sees 3 members and logged the Python init
#      script's output (its PREDICT stage runs there); every transaction produced has exactly one
#      outcome and predictions were stored (VerifyRun, from a container); the broker's data is on
#      its volume; the reference database holds every card holder and merchant of the data set;
#      the live page of service dashboard, in headless Chromium on its published port, shows the
#      job RUNNING and stored predictions and no whole card number;
#   6b. a full cluster restart: all three members stopped, then started again, with nothing else
#      done: service submit-job must submit the job again by itself, the job must replay the topic
#      and read the reference data through from the database, and every transaction must again
#      have exactly one outcome, none dead-lettered for missing reference data; it times the
#      restart to the first prediction and to the last outcome;
#   7. `docker-compose down -v`, and no container, volume or network of the project is left;
#   8. FraudPipelineContainerTest (Testcontainers) inside the run daemon's network namespace, with
#      the Kafka stand-in, no reaper (Ryuk) and no start-up checks (their images cannot be pulled);
#      it must run all its tests, none skipped;
#   9. stops the run daemon and checks that no process, mount or socket of either daemon is left.
# Management Center is not run: its image cannot be pulled here and has no stand-in.
#
# Images stay cached in $COMPOSE_TEST_CACHE (the daemons' data root) for the next run; nothing else
# is left behind. When a Docker engine cannot start, it says so loudly and exits 1.
#
# usage: scripts/compose-test.sh
# Env:   COMPOSE_TEST_CACHE    /var/cache/fraud-detection-compose-test  (images, build cache)
#        COMPOSE_TEST_TIMEOUT  900  seconds for the stack to finish its one-shot services
#        COMPOSE_TEST          run; skip: do nothing but say so loudly (never in CI)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT_DIR"

COMPOSE_TEST_CACHE=${COMPOSE_TEST_CACHE:-/var/cache/fraud-detection-compose-test}
COMPOSE_TEST_TIMEOUT=${COMPOSE_TEST_TIMEOUT:-900}
COMPOSE_TEST=${COMPOSE_TEST:-run}
DATA_ROOT="$COMPOSE_TEST_CACHE/docker"
COMPOSE_FILE="$ROOT_DIR/docker-compose.yml"
CONTAINER_TEST=FraudPipelineContainerTest
CONTAINER_TEST_REPORT="$ROOT_DIR/scripts/tools/target/surefire-reports/TEST-org.example.it.$CONTAINER_TEST.xml"

(($# == 0)) || usage_from_header

banner() {
    printf '\n%s\n' "########################################################################" >&2
    printf '## %s\n' "$@" >&2
    printf '%s\n\n' "########################################################################" >&2
}

case "$COMPOSE_TEST" in
    run) ;;
    skip)
        if [[ -n "${CI:-}" ]]; then
            die "COMPOSE_TEST=skip is refused in CI: the compose test must run there"
        fi
        banner "COMPOSE TEST SKIPPED (COMPOSE_TEST=skip): docker-compose.yml was NOT run." \
            "Nothing proves here that the compose stack works; unset COMPOSE_TEST to run it."
        exit 0
        ;;
    *) die "COMPOSE_TEST must be run or skip, got '$COMPOSE_TEST'" ;;
esac

# The engine cannot start: the test cannot prove anything, which is a failure, never a pass.
engine_cannot_start() {
    banner "DOCKER ENGINE COULD NOT START: docker-compose.yml was NOT tested." "$@"
    exit 1
}

# --- phases and their times -----------------------------------------------------------------------
PHASE_NAMES=()
PHASE_MS=()
phase_name=
phase_started=0
T0=$(now_ms)
phase() {
    phase_end
    phase_name=$1
    phase_started=$(now_ms)
    info ""
    info "== $phase_name"
}
phase_end() {
    if [[ -n "$phase_name" ]]; then
        PHASE_NAMES+=("$phase_name")
        PHASE_MS+=($(($(now_ms) - phase_started)))
        phase_name=
    fi
}
seconds() { printf '%d:%02d' $(($1 / 60000)) $((($1 / 1000) % 60)); }

# --- the two Docker daemons -----------------------------------------------------------------------
RUN_DIR_COMPOSE=
BUILD_PID=
RUN_PID=
RUN_LAUNCHER=
BUILD_SOCK=
RUN_SOCK=

# Waits until the daemon on socket $1 answers; $2 its pid file, $3 the pid that must stay alive, $4 its log.
wait_for_daemon() {
    local sock=$1 pidfile=$2 alive_pid=$3 log=$4 deadline
    deadline=$(($(date +%s) + 90))
    until docker -H "unix://$sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; do
        if ! running "$alive_pid"; then
            engine_cannot_start "dockerd exited during start; last lines of $log:" "$(tail -n 15 "$log")"
        fi
        if (($(date +%s) >= deadline)); then
            engine_cannot_start "dockerd did not answer on $sock within 90 s; last lines of $log:" "$(tail -n 15 "$log")"
        fi
        sleep 0.5
    done
    [[ -s "$pidfile" ]] || engine_cannot_start "dockerd answers but wrote no pid file $pidfile"
}

# Builds need the network (apt, Maven Central): this daemon lives in the machine's own network
# namespace, and without a bridge or iptables rules it adds no address or rule there; its build
# containers use the host's network.
start_build_daemon() {
    BUILD_SOCK="$RUN_DIR_COMPOSE/build.sock"
    setsid dockerd --host "unix://$BUILD_SOCK" --data-root "$DATA_ROOT" \
        --exec-root "$RUN_DIR_COMPOSE/exec-build" --pidfile "$RUN_DIR_COMPOSE/build.pid" \
        --bridge=none --iptables=false --ip-masq=false --log-level=warn \
        </dev/null >"$RUN_DIR_COMPOSE/build-dockerd.log" 2>&1 &
    BUILD_PID=$!
    wait_for_daemon "$BUILD_SOCK" "$RUN_DIR_COMPOSE/build.pid" "$BUILD_PID" "$RUN_DIR_COMPOSE/build-dockerd.log"
    export DOCKER_HOST="unix://$BUILD_SOCK"
    info "Build daemon up (pid $(cat "$RUN_DIR_COMPOSE/build.pid"), dockerd $(docker version --format '{{.Server.Version}}'), data root $DATA_ROOT)"
}

# The stack runs here: a network namespace of its own, with only a loopback, so its bridge
# networks, container addresses and published ports exist nowhere else. Same data root as the
# build daemon (never both at once), so the images built there are here.
start_run_daemon() {
    RUN_SOCK="$RUN_DIR_COMPOSE/run.sock"
    setsid unshare --net --fork sh -c 'ip link set lo up && exec "$@"' sh \
        dockerd --host "unix://$RUN_SOCK" --data-root "$DATA_ROOT" \
        --exec-root "$RUN_DIR_COMPOSE/exec-run" --pidfile "$RUN_DIR_COMPOSE/run.pid" --log-level=warn \
        </dev/null >"$RUN_DIR_COMPOSE/run-dockerd.log" 2>&1 &
    RUN_LAUNCHER=$!
    wait_for_daemon "$RUN_SOCK" "$RUN_DIR_COMPOSE/run.pid" "$RUN_LAUNCHER" "$RUN_DIR_COMPOSE/run-dockerd.log"
    RUN_PID=$(cat "$RUN_DIR_COMPOSE/run.pid")
    export DOCKER_HOST="unix://$RUN_SOCK"
    info "Run daemon up (pid $RUN_PID) in its own network namespace: $(nsenter --net="/proc/$RUN_PID/ns/net" ip -br addr | awk '{print $1}' | paste -sd' ')"
}

# Whether a process runs: exists and is not a zombie (a child of ours that exited is one until reaped).
running() {
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# SIGTERM, up to $2 seconds, then SIGKILL.
terminate() {
    local pid=$1 grace=$2 deadline
    running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$(($(date +%s) + grace))
    while running "$pid"; do
        if (($(date +%s) >= deadline)); then
            warn "pid $pid still running after ${grace}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.3
    done
}

# Stops a daemon by its pid file: SIGTERM, then up to 60 s (it stops its containers first), then
# SIGKILL. dockerd leaves the bind mount of its network namespace (<exec root>/netns/default)
# behind when it exits; that is unmounted here too.
stop_daemon() {
    local pidfile=$1 launcher=$2 exec_root=$3 mount
    if [[ -s "$pidfile" ]]; then
        terminate "$(cat "$pidfile")" 60
        rm -f "$pidfile"
    fi
    # The process we started (dockerd itself, or the unshare around it) is our child: ended too if
    # the daemon never wrote its pid file, and reaped.
    if [[ -n "$launcher" ]]; then
        terminate "$launcher" 10
        wait "$launcher" 2>/dev/null || true
    fi
    for mount in $(awk -v root="$exec_root/" 'index($2, root) == 1 {print $2}' /proc/mounts); do
        umount "$mount" || warn "could not unmount $mount"
    done
}

# --- compose with the stand-ins -------------------------------------------------------------------
MEMBER_BASE_IMAGE=
KAFKA_IMAGE=
POSTGRES_IMAGE=
MEMBER_IMAGE=$(sed -n 's/^ *image: \(fraud-detection-member:[^ ]*\)$/\1/p' "$COMPOSE_FILE" | head -n 1)
[[ -n "$MEMBER_IMAGE" ]] || die "no fraud-detection-member image in $COMPOSE_FILE"
PAGE_IMAGE=$(sed -n 's/^ *image: \(fraud-detection-page:[^ ]*\)$/\1/p' "$COMPOSE_FILE" | head -n 1)
[[ -n "$PAGE_IMAGE" ]] || die "no fraud-detection-page image in $COMPOSE_FILE"
PROJECT=$(sed -n 's/^COMPOSE_PROJECT_NAME=//p' "$ROOT_DIR/.env")
[[ -n "$PROJECT" ]] || die "no COMPOSE_PROJECT_NAME in $ROOT_DIR/.env"

compose() {
    # The classic builder: what docker-compose 1.29 uses, and all that dockerd 20.10 offers without buildx.
    KAFKA_IMAGE="$KAFKA_IMAGE" MEMBER_BASE_IMAGE="$MEMBER_BASE_IMAGE" POSTGRES_IMAGE="$POSTGRES_IMAGE" \
        COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0 \
        docker-compose --project-directory "$ROOT_DIR" -f "$COMPOSE_FILE" "$@"
}

container_of() { compose ps -q "$1"; }

# docker-compose run of a one-off container: its output only; compose's progress lines go to a log.
compose_run() {
    compose run --rm --no-deps -T "$@" 2>>"$LOG_DIR/compose-test-run.log"
}

show_logs() {
    local service
    for service in "$@"; do
        printf '\n--- last lines of service %s ---\n' "$service" >&2
        compose logs --no-color --tail 30 "$service" >&2 || true
    done
}

# --- teardown, on every exit ----------------------------------------------------------------------
LEFT_BEHIND=()
STACK_UP=false
teardown() {
    local status=$? pid mounts
    set +e
    phase_end
    if [[ -n "$RUN_PID" ]] && running "$RUN_PID"; then
        export DOCKER_HOST="unix://$RUN_SOCK"
        if [[ "$STACK_UP" == true ]]; then
            # Every service's whole log, for the post-mortem: the containers go with the teardown.
            compose logs --no-color --timestamps >"$LOG_DIR/compose-test-stack.log" 2>&1
            info "Tearing the stack down after a failure; the logs of all its services: $LOG_DIR/compose-test-stack.log"
            compose down -v --remove-orphans >/dev/null 2>&1
        fi
        # Testcontainers runs without its reaper: a container of a test that died is ours to remove.
        docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f -v >/dev/null
    fi
    # Also a daemon that never answered: its pid file, else the process we started.
    if [[ -n "$RUN_LAUNCHER" ]]; then
        stop_daemon "$RUN_DIR_COMPOSE/run.pid" "$RUN_LAUNCHER" "$RUN_DIR_COMPOSE/exec-run"
    fi
    if [[ -n "$BUILD_PID" ]]; then
        stop_daemon "$RUN_DIR_COMPOSE/build.pid" "$BUILD_PID" "$RUN_DIR_COMPOSE/exec-build"
    fi
    if [[ -n "$RUN_DIR_COMPOSE" ]]; then
        for pid in $(find_processes_of "$RUN_DIR_COMPOSE"); do
            LEFT_BEHIND+=("process $pid: $(cmdline_of "$pid" | cut -c1-100)")
        done
        mounts=$(grep -F -e "$RUN_DIR_COMPOSE" -e "$DATA_ROOT/" /proc/mounts | awk '{print $2}')
        for mount in $mounts; do
            LEFT_BEHIND+=("mount $mount")
        done
        ((${#LEFT_BEHIND[@]} == 0)) && rm -rf "$RUN_DIR_COMPOSE"
    fi
    if ((${#LEFT_BEHIND[@]} > 0)); then
        banner "LEFT BEHIND by the compose test (remove by hand):" "${LEFT_BEHIND[@]}"
        status=1
    fi
    if ((status != 0)); then
        printf '\nCOMPOSE TEST FAILED%s\n' "${FAILED_PHASE:+ in phase: $FAILED_PHASE}" >&2
    fi
    exit "$status"
}

# Processes whose command line names the given path: the daemons, their containerd and shims.
find_processes_of() {
    local proc pid
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        [[ "$(cmdline_of "$pid" 2>/dev/null)" == *"$1"* ]] && echo "$pid"
    done
    return 0
}

FAILED_PHASE=
fail() {
    FAILED_PHASE=$phase_name
    die "$*"
}

# =================================================================================================
phase "prerequisites"
((EUID == 0)) || engine_cannot_start "it must run as root: it starts its own Docker daemons, each in a network namespace of its own."
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if ((${#missing[@]} > 0)); then
    info "Installing ${missing[*]} ..."
    init_run_dirs
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
        >"$LOG_DIR/compose-test-apt.log" 2>&1 \
        || { log_tail "$LOG_DIR/compose-test-apt.log"; engine_cannot_start "apt-get install ${missing[*]} failed; see $LOG_DIR/compose-test-apt.log"; }
fi
for tool in docker unshare nsenter ip mvn java; do
    command -v "$tool" >/dev/null || engine_cannot_start "'$tool' is not installed"
done
info "dockerd $(dockerd --version | awk '{print $3}' | tr -d ,), $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'), docker CLI $(docker version --format '{{.Client.Version}}' 2>/dev/null)"

mkdir -p "$DATA_ROOT"
# One run at a time per cache: both daemons own the data root while they run.
exec 9>"$COMPOSE_TEST_CACHE/lock"
if ! flock -n 9; then
    info "Another compose test holds $COMPOSE_TEST_CACHE/lock; waiting for it (up to 60 minutes) ..."
    flock -w 3600 9 || engine_cannot_start "$COMPOSE_TEST_CACHE is in use by another compose test"
fi
RUN_DIR_COMPOSE=$(mktemp -d /run/fraud-compose-test.XXXXXX)
trap teardown EXIT
trap 'exit 130' INT TERM

phase "host preparation (python/.venv, wheels, Maven artifacts)"
init_run_dirs
venv_python=$(scripts/setup-python.sh | tail -n 1)
scripts/docker/fetch-wheels.sh >"$LOG_DIR/compose-test-wheels.log" 2>&1 \
    || { log_tail "$LOG_DIR/compose-test-wheels.log"; fail "could not download the member image's wheels"; }
tail -n 1 "$LOG_DIR/compose-test-wheels.log"
# Certificate authorities this machine trusts beyond Debian's (here: the HTTPS proxy's), for Maven
# inside the member image's build stage; an empty directory when there are none.
find scripts/docker/ca-certificates -name '*.crt' -delete
extra_cas=(/usr/local/share/ca-certificates/*.crt)
if [[ -e "${extra_cas[0]}" ]]; then
    cp "${extra_cas[@]}" scripts/docker/ca-certificates/
    info "Trusting in the image build stage: ${extra_cas[*]}"
fi
# The container test runs offline inside the run namespace: resolve and build what it needs now.
# (Here, without DOCKER_HOST, it is skipped, as in mvn verify.)
env -u DOCKER_HOST mvn -B -q -Dtest="$CONTAINER_TEST" -Dsurefire.failIfNoSpecifiedTests=false package \
    >"$LOG_DIR/compose-test-prefetch.log" 2>&1 \
    || { log_tail "$LOG_DIR/compose-test-prefetch.log"; fail "mvn package failed; see $LOG_DIR/compose-test-prefetch.log"; }

phase "build daemon"
start_build_daemon

phase "stand-in images"
# (Its output is copied, not tee'd to /dev/stderr: reopening that truncates a caller's log file.)
DOCKER_BUILD_NETWORK=host scripts/docker/build-standins.sh >"$LOG_DIR/compose-test-standins.out" \
    || { cat "$LOG_DIR/compose-test-standins.out" >&2; fail "building the stand-in images failed"; }
cat "$LOG_DIR/compose-test-standins.out"
standins=$(tail -n 1 "$LOG_DIR/compose-test-standins.out")
MEMBER_BASE_IMAGE=$(sed -n 's/.*MEMBER_BASE_IMAGE=\([^ ]*\).*/\1/p' <<< "$standins")
KAFKA_IMAGE=$(sed -n 's/.*KAFKA_IMAGE=\([^ ]*\).*/\1/p' <<< "$standins")
POSTGRES_IMAGE=$(sed -n 's/.*POSTGRES_IMAGE=\([^ ]*\).*/\1/p' <<< "$standins")
[[ -n "$MEMBER_BASE_IMAGE" && -n "$KAFKA_IMAGE" && -n "$POSTGRES_IMAGE" ]] || fail "build-standins.sh named no images"

phase "member and page images"
# The Dockerfile's two targets, as the compose file builds them (the page's reuses the member's layers).
build_image() {
    local target=$1 image=$2 log="$LOG_DIR/compose-test-$1-image.log" started
    started=$(now_ms)
    DOCKER_BUILDKIT=0 docker build --network host --force-rm -f scripts/docker/Dockerfile --target "$target" \
        --build-arg BASE_IMAGE="$MEMBER_BASE_IMAGE" -t "$image" . >"$log" 2>&1 \
        || { log_tail "$log"; fail "building $image failed; see $log"; }
    BUILT+=("$image in $(seconds $(($(now_ms) - started))) ($(grep -c 'Using cache' "$log" || true) of $(grep -c '^Step ' "$log" || true) steps from cache)")
    info "Built ${BUILT[-1]}"
}
BUILT=()
build_image member "$MEMBER_IMAGE"
build_image page "$PAGE_IMAGE"
MEMBER_IMAGE_ID=$(docker image inspect --format '{{.Id}}' "$MEMBER_IMAGE")
PAGE_IMAGE_ID=$(docker image inspect --format '{{.Id}}' "$PAGE_IMAGE")
image_size() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%d MB", $1 / 1000000}'; }
SIZES="$MEMBER_IMAGE $(image_size "$MEMBER_IMAGE"), $PAGE_IMAGE $(image_size "$PAGE_IMAGE"), $KAFKA_IMAGE $(image_size "$KAFKA_IMAGE"), $POSTGRES_IMAGE $(image_size "$POSTGRES_IMAGE"), $MEMBER_BASE_IMAGE $(image_size "$MEMBER_BASE_IMAGE")"
# Old builds' layers would pile up in the cache; a week's are kept for the next runs.
docker image prune -f --filter until=168h >/dev/null

phase "stop build daemon"
stop_daemon "$RUN_DIR_COMPOSE/build.pid" "$BUILD_PID" "$RUN_DIR_COMPOSE/exec-build"
running "$BUILD_PID" && fail "the build daemon (pid $BUILD_PID) did not stop"
BUILD_PID=

phase "run daemon (private network namespace)"
start_run_daemon
# The data root is this test's alone (the lock): anything in it besides images is left over from a
# run that was killed before its teardown.
stale=$(docker ps -aq; docker volume ls -q; docker network ls -q --filter type=custom)
if [[ -n "$stale" ]]; then
    warn "removing what an interrupted earlier run left in $DATA_ROOT: $(tr '\n' ' ' <<< "$stale")"
    docker ps -aq | xargs -r docker rm -f -v >/dev/null
    docker volume ls -q | xargs -r docker volume rm -f >/dev/null
    docker network ls -q --filter type=custom | xargs -r docker network rm >/dev/null
fi

phase "compose build (must be all cache)"
compose build generate-data dashboard >"$LOG_DIR/compose-test-compose-build.log" 2>&1 \
    || { log_tail "$LOG_DIR/compose-test-compose-build.log"; fail "docker-compose build failed: the compose file's build differs from the one built above (see $LOG_DIR/compose-test-compose-build.log)"; }
[[ "$(docker image inspect --format '{{.Id}}' "$MEMBER_IMAGE")" == "$MEMBER_IMAGE_ID" ]] \
    || fail "docker-compose build made a different $MEMBER_IMAGE than scripts/docker/Dockerfile with the same base"
[[ "$(docker image inspect --format '{{.Id}}' "$PAGE_IMAGE")" == "$PAGE_IMAGE_ID" ]] \
    || fail "docker-compose build made a different $PAGE_IMAGE than scripts/docker/Dockerfile with the same base"
info "docker-compose build: $(grep -c 'Using cache' "$LOG_DIR/compose-test-compose-build.log") steps from cache, the same images $MEMBER_IMAGE_ID and $PAGE_IMAGE_ID"

phase "compose up"
mapfile -t SERVICES < <(compose config --services | grep -vx management-center)
# (Output captured first: with pipefail, `producer | grep -q` fails when grep stops reading early.)
grep -qx management-center <<< "$(compose config --services)" || fail "no management-center service in $COMPOSE_FILE"
STACK_UP=true
if ! compose up -d "${SERVICES[@]}" >"$LOG_DIR/compose-test-up.log" 2>&1; then
    cat "$LOG_DIR/compose-test-up.log" >&2
    show_logs "${SERVICES[@]}"
    fail "docker-compose up failed"
fi
# Only what was created and any warning: docker-compose redraws its per-container progress lines.
tr -d '\r' < "$LOG_DIR/compose-test-up.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' \
    | grep -E '^(Creating (network|volume)|WARNING|ERROR)' || true

phase "stack running to completion"
deadline=$(($(date +%s) + COMPOSE_TEST_TIMEOUT))
while :; do
    pending=()
    for service in "${SERVICES[@]}"; do
        id=$(container_of "$service")
        [[ -n "$id" ]] || fail "service $service has no container"
        read -r state health code restart < <(docker inspect --format \
            '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}' "$id")
        if [[ "$restart" == no ]]; then
            # A one-shot: done when it exited 0.
            if [[ "$state" == exited ]]; then
                ((code == 0)) || { show_logs "$service"; fail "one-shot service $service exited with code $code"; }
            else
                pending+=("$service ($state)")
            fi
        else
            [[ "$state" == running ]] || { show_logs "$service"; fail "service $service is $state (exit code $code)"; }
            [[ "$health" == healthy ]] || pending+=("$service ($health)")
            [[ "$health" == unhealthy ]] && { show_logs "$service"; fail "service $service is unhealthy"; }
        fi
    done
    ((${#pending[@]} == 0)) && break
    if (($(date +%s) >= deadline)); then
        show_logs "${SERVICES[@]}"
        fail "after ${COMPOSE_TEST_TIMEOUT}s still waiting for: ${pending[*]}"
    fi
    sleep 3
done
info "Healthy: $(for s in "${SERVICES[@]}"; do [[ "$(docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$(container_of "$s")")" == no ]] || printf '%s ' "$s"; done)"
info "Completed (exit 0): $(for s in "${SERVICES[@]}"; do [[ "$(docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$(container_of "$s")")" == no ]] && printf '%s ' "$s"; done)"

phase "checks"
jobs=$(compose exec -T hz-1 hz-cli -t fraud-detection@hz-1:5701 list-jobs)
grep -Eq 'RUNNING .* fraud-detection$' <<< "$jobs" || fail "job fraud-detection is not RUNNING: $jobs"
info "hz-cli list-jobs: $(grep 'fraud-detection$' <<< "$jobs" | tr -s ' ')"
for member in hz-1 hz-2 hz-3; do
    size=$(compose exec -T "$member" curl -fsS http://127.0.0.1:5701/hazelcast/health/cluster-size)
    [[ "$size" == 3 ]] || fail "$member sees a cluster of $size members, not 3"
    # Jet runs the init script once per member when the job's Python stage starts there; its
    # output is in the member log only because the image logs com.hazelcast.jet.python at FINE.
    member_log=$(compose logs --no-color "$member")
    init=$(grep -m 1 -o 'Reusing prepared interpreter: .*' <<< "$member_log" || true)
    [[ -n "$init" ]] || { show_logs "$member"; fail "$member logged no output of jet_to_python_init.sh: the job's Python stage did not start there, or its output is not in the log"; }
    ! grep -q "installing as Hazelcast's stock script does" <<< "$member_log" \
        || fail "$member fell back to pip at job start: the image's Python lacks a package"
    info "$member: cluster of 3, Python init: $init"
done
sent=$(compose logs --no-color produce-transactions | grep -o 'Sent [0-9,]* of [0-9,]* transactions' | tail -n 1 | tr -d ,)
expected=$(compose_run --entrypoint wc load-reference-data -l /data/transactions.jsonl | awk '{print $1}')
[[ "$expected" =~ ^[0-9]+$ ]] && ((expected > 0)) || fail "could not count the transactions of the data set: '$expected'"
[[ "$sent" == "Sent $expected of $expected transactions" ]] \
    || fail "produce-transactions did not send all $expected transactions of the data set: '$sent'"
info "produce-transactions: $sent (every send acknowledged)"
report=$(compose_run load-reference-data verify --expected "$expected" --labels /data/labels.csv --timeout-seconds 600) \
    || { printf '%s\n' "$report" >&2; tail -n 20 "$LOG_DIR/compose-test-run.log" >&2; fail "VerifyRun: not every transaction has exactly one outcome"; }
printf '%s\n' "$report"
predictions=$(sed -n 's/^ *predictions out *\([0-9,]*\)$/\1/p' <<< "$report" | tr -d ,)
[[ -n "$predictions" ]] && ((predictions > 0)) || fail "no predictions were stored"
grep -q 'accounted for *every input exactly once' <<< "$report" || fail "VerifyRun did not account for every input"
kafka_mount=$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/var/lib/kafka/data"}}{{.Type}}:{{.Name}}{{end}}{{end}}' "$(container_of kafka)")
[[ "$kafka_mount" == "volume:${PROJECT}_kafka-data" ]] || fail "the broker's data directory is not on volume ${PROJECT}_kafka-data: '$kafka_mount'"
grep -q '^transactions-0$' <<< "$(compose exec -T kafka ls /var/lib/kafka/data)" || fail "no partition of topic transactions in the broker's volume"
info "Kafka: topic transactions on volume ${PROJECT}_kafka-data (/var/lib/kafka/data)"
# The reference database: every card holder and merchant of the data set, in the tables ENRICH reads.
db_count() { compose exec -T -e PGPASSWORD=fraud postgres psql -h 127.0.0.1 -U fraud -d fraud -At -c "SELECT count(*) FROM $1" | tr -d '\r'; }
for table in customers merchants; do
    lines=$(compose_run --entrypoint wc load-reference-data -l "/data/$table.jsonl" | awk '{print $1}')
    rows=$(db_count "$table") || fail "cannot count table $table of service postgres"
    [[ "$rows" == "$lines" ]] || fail "table $table holds $rows rows, the data set $lines"
done
postgres_mount=$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/var/lib/postgresql/data"}}{{.Type}}:{{.Name}}{{end}}{{end}}' "$(container_of postgres)")
[[ "$postgres_mount" == "volume:${PROJECT}_postgres-data" ]] || fail "the database's data is not on volume ${PROJECT}_postgres-data: '$postgres_mount'"
info "PostgreSQL: tables customers and merchants hold the data set's rows, on volume ${PROJECT}_postgres-data"
# The page: a real browser on the port the service publishes, inside the run daemon's namespace.
PAGE_SHOT="$LOG_DIR/compose-test-page.png"
nsenter --net="/proc/$RUN_PID/ns/net" "$venv_python" python/dashboard/check_page.py served \
    --url http://127.0.0.1:8501/ --screenshot "$PAGE_SHOT" --expected-predictions "$predictions" --timeout 300 \
    >"$LOG_DIR/compose-test-page.log" 2>&1 \
    || { cat "$LOG_DIR/compose-test-page.log" >&2; show_logs dashboard; fail "the live page of service dashboard failed its checks"; }
grep '  ok  ' "$LOG_DIR/compose-test-page.log"
info "dashboard: the page in headless Chromium at http://127.0.0.1:8501 (screenshot $PAGE_SHOT)"
CHECKS="job RUNNING on a cluster of 3; Python init in all 3 member logs; $expected of $expected transactions sent, $predictions predictions, every input exactly once; the reference database holds the data set; the live page shows them"

phase "full cluster restart: every member stopped and started again, nothing else done"
restart_ms=$(now_ms)
compose stop hz-1 hz-2 hz-3 >"$LOG_DIR/compose-test-restart.log" 2>&1 || { cat "$LOG_DIR/compose-test-restart.log" >&2; fail "docker-compose stop of the members failed"; }
stopped_ms=$(now_ms)
compose start hz-1 hz-2 hz-3 >>"$LOG_DIR/compose-test-restart.log" 2>&1 || { cat "$LOG_DIR/compose-test-restart.log" >&2; fail "docker-compose start of the members failed"; }
info "members stopped in $(seconds $((stopped_ms - restart_ms))), started again"
# No one submits: service submit-job must find the cluster without the job and submit it itself.
first=$(compose_run load-reference-data verify --first-only --submitted-at-ms "$stopped_ms" --timeout-seconds 600) \
    || { printf '%s\n' "$first" >&2; show_logs submit-job hz-1; fail "no prediction after the restart: the job was not submitted again"; }
first_s=$(awk '/first prediction/ {print $3}' <<< "$first")
grep -q "has no job 'fraud-detection': submitting it" <<< "$(compose logs --no-color submit-job)" \
    || { show_logs submit-job; fail "service submit-job did not submit the job again"; }
report=$(compose_run load-reference-data verify --expected "$expected" --labels /data/labels.csv --timeout-seconds 900) \
    || { printf '%s\n' "$report" >&2; fail "VerifyRun after the restart: not every transaction has exactly one outcome"; }
all_ms=$(now_ms)
printf '%s\n' "$report"
grep -q 'accounted for *every input exactly once' <<< "$report" || fail "after the restart, VerifyRun did not account for every input"
for reason in UNKNOWN_CARD UNKNOWN_MERCHANT REFERENCE_DATA_UNAVAILABLE; do
    ! grep -q "^ *$reason " <<< "$report" || fail "after the restart, transactions were dead-lettered as $reason"
done
RESTART="members started again $(seconds $((all_ms - stopped_ms))) before every outcome was verified; first prediction ${first_s} s after they were stopped; the job submitted again by submit-job, the topic replayed ($expected transactions), reference data read through: none dead-lettered for missing reference data"
info "$RESTART"

phase "compose down"
compose down -v --remove-orphans >"$LOG_DIR/compose-test-down.log" 2>&1 \
    || { cat "$LOG_DIR/compose-test-down.log" >&2; fail "docker-compose down failed"; }
STACK_UP=false
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"; docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT"; docker volume ls -q --filter dangling=true; docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")
[[ -z "$left" ]] || fail "docker-compose down -v left: $(tr '\n' ' ' <<< "$left")"
info "No container, volume or network of project $PROJECT is left."

phase "Testcontainers: $CONTAINER_TEST"
# Inside the run daemon's network namespace: the container's published port is only there.
# TESTCONTAINERS_HOST_OVERRIDE: this machine is itself a container (/.dockerenv), and Testcontainers
# would otherwise start an alpine container to find the gateway. The reaper and the start-up checks
# need images (testcontainers/ryuk, alpine) that cannot be pulled; the test stops its container itself.
rm -f "$CONTAINER_TEST_REPORT"
nsenter --net="/proc/$RUN_PID/ns/net" env DOCKER_HOST="unix://$RUN_SOCK" \
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true TESTCONTAINERS_HOST_OVERRIDE=localhost \
    KAFKA_IMAGE="$KAFKA_IMAGE" PATH="$(dirname "$venv_python"):$PATH" \
    mvn -o -B -q -Dtest="$CONTAINER_TEST" -Dsurefire.failIfNoSpecifiedTests=false package \
    >"$LOG_DIR/compose-test-testcontainers.log" 2>&1 \
    || { log_tail "$LOG_DIR/compose-test-testcontainers.log"; fail "$CONTAINER_TEST failed; see $LOG_DIR/compose-test-testcontainers.log and scripts/tools/target/surefire-reports"; }
[[ -f "$CONTAINER_TEST_REPORT" ]] || fail "no report of $CONTAINER_TEST"
read -r tc_tests tc_skipped tc_failed < <(python3 - "$CONTAINER_TEST_REPORT" <<'PY'
import sys
import xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
print(suite.get("tests"), suite.get("skipped"), int(suite.get("failures")) + int(suite.get("errors")))
PY
)
((tc_tests > 0 && tc_skipped == 0 && tc_failed == 0)) \
    || fail "$CONTAINER_TEST: $tc_tests tests, $tc_skipped skipped, $tc_failed failed; it must run them all"
left=$(docker ps -aq; docker volume ls -q)
[[ -z "$left" ]] || fail "$CONTAINER_TEST left containers or volumes: $(tr '\n' ' ' <<< "$left")"
TESTCONTAINERS="$tc_tests of $tc_tests tests passed against $KAFKA_IMAGE (no Ryuk, no start-up checks)"
info "$TESTCONTAINERS"

phase "stop run daemon"
stop_daemon "$RUN_DIR_COMPOSE/run.pid" "$RUN_LAUNCHER" "$RUN_DIR_COMPOSE/exec-run"
running "$RUN_PID" && fail "the run daemon (pid $RUN_PID) did not stop"
RUN_PID=
RUN_LAUNCHER=
phase_end

# =================================================================================================
total=$(($(now_ms) - T0))
{
    echo
    echo "==================== docker compose test: summary ===================="
    for i in "${!PHASE_NAMES[@]}"; do
        printf '  %-46s %s\n' "${PHASE_NAMES[$i]}" "$(seconds "${PHASE_MS[$i]}")"
    done
    printf '  %-46s %s\n' "total" "$(seconds "$total")"
    echo "  compose file          docker-compose.yml as shipped, run with docker-compose $(docker-compose version --short 2>/dev/null)"
    echo "  images built          ${BUILT[0]}"
    echo "                        ${BUILT[1]}"
    echo "  image sizes           $SIZES"
    echo "  checks                $CHECKS"
    echo "  full cluster restart  $RESTART"
    echo "  Testcontainers        $TESTCONTAINERS"
    echo "  stand-ins (Docker Hub is unreachable here):"
    echo "    KAFKA_IMAGE=$KAFKA_IMAGE  for apache/kafka: the same Kafka release from Maven"
    echo "        Central, same paths and KAFKA_* handling (Kafka's own KafkaDockerWrapper), Debian + Java 17"
    echo "    POSTGRES_IMAGE=$POSTGRES_IMAGE  for postgres: PostgreSQL 15 from Debian's packages,"
    echo "        the same POSTGRES_* variables, data directory and port"
    echo "    MEMBER_BASE_IMAGE=$MEMBER_BASE_IMAGE  for debian:bookworm-slim: debootstrap"
    echo "        of Debian's own packages, trimmed like the slim image"
    echo "  !!! MANAGEMENT CENTER WAS NOT RUN: hazelcast/management-center cannot be pulled here and"
    echo "  !!! has no stand-in; its service in docker-compose.yml is untested by this run."
    echo "  left behind           nothing but the image cache: $DATA_ROOT ($(du -sh "$DATA_ROOT" 2>/dev/null | cut -f1))"
    echo "======================================================================"
} >&2
info "COMPOSE TEST PASSED"
