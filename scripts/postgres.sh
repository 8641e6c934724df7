#!/usr/bin/env bash
# The reference database of the local stack: PostgreSQL from Debian's packages (installed with
# apt-get when missing, as root), an instance of its own on 127.0.0.1:5433 (so that a PostgreSQL of
# the machine, on 5432, is left alone), data in .run/postgres-data (created on first start),
# log in .run/logs/postgres.log (as root: both in /var/tmp/fraud-detection-postgres/<checkout>,
# where the server's user can reach them, scripts/lib/common.sh). Database, user and password:
# fraud (a throwaway account: the
# members' data connection in scripts/hazelcast.yaml and the loader's defaults use it).
# The tables are created by the loader (scripts/load.sh reference-data), from the schema it ships.
#
# usage: scripts/postgres.sh up|status|down|install|psql [psql arguments]
#
#   up      start the database (if not running) and wait until it accepts connections
#   status  print pid, port and state; exit 0 only if it is up
#   down    stop it (fast shutdown: open sessions are ended) and make sure it is gone
#   install only install PostgreSQL when missing (the Java tests start instances of their own)
#   psql    a psql session on the database, e.g. psql -c 'SELECT count(*) FROM customers'
#
# Env: POSTGRES_PORT (5433), POSTGRES_START_TIMEOUT (60 seconds)
# As root, the server runs as the system user postgres (PostgreSQL refuses to run as root).
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

POSTGRES_PORT=${POSTGRES_PORT:-5433}
POSTGRES_START_TIMEOUT=${POSTGRES_START_TIMEOUT:-60}
DATA_DIR=$POSTGRES_DATA_DIR
LOG_FILE=$POSTGRES_LOG_FILE
DATABASE=fraud

# Debian installs the server's programs under /usr/lib/postgresql/<version>/bin, off PATH; the
# newest version installed is taken.
postgres_bin() {
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && printf '%s' "$dir"
}

ensure_installed() {
    [[ -n "$(postgres_bin)" ]] && return 0
    ((EUID == 0)) || die "PostgreSQL is not installed; install it with: sudo apt-get install -y postgresql"
    info "Installing PostgreSQL (apt-get install postgresql) ..."
    init_run_dirs
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } \
        >"$LOG_DIR/postgres-apt.log" 2>&1 \
        || { log_tail "$LOG_DIR/postgres-apt.log"; die "apt-get install postgresql failed; see $LOG_DIR/postgres-apt.log"; }
    [[ -n "$(postgres_bin)" ]] || die "apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/pg_ctl"
}

# Runs a PostgreSQL program as the user the server runs as.
as_server_user() {
    if ((EUID == 0)); then
        # From its own directory: the server's user may not enter the checkout, the working directory.
        (cd "$POSTGRES_HOME" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The server of this checkout's data directory, if one runs (common.sh: by its command line).
postgres_pid() {
    find_postgres | head -n 1
}

init_once() {
    [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
    local bin pwfile
    bin=$(postgres_bin)
    info "Creating the database cluster in ${DATA_DIR#"$ROOT_DIR"/} (first start) ..."
    mkdir -p "$DATA_DIR"
    pwfile="$POSTGRES_HOME/postgres-password"
    printf 'fraud\n' > "$pwfile"
    if ((EUID == 0)); then
        chown postgres "$DATA_DIR" "$pwfile"
    fi
    chmod 700 "$DATA_DIR"
    chmod 600 "$pwfile"
    # Connections over TCP need the password (scram); the unix socket, in the data directory and
    # reachable only by the server's user, is trusted for the administration below.
    if ! as_server_user "$bin/initdb" -D "$DATA_DIR" -U fraud --pwfile="$pwfile" --auth-host=scram-sha-256 \
            --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$LOG_FILE" 2>&1; then
        rm -f "$pwfile"
        log_tail "$LOG_FILE"
        rm -rf "$DATA_DIR"
        die "initdb failed; see $LOG_FILE"
    fi
    rm -f "$pwfile"
    start_server
    as_server_user "$bin/createdb" -h "$DATA_DIR" -p "$POSTGRES_PORT" -U fraud "$DATABASE" \
        || die "could not create database $DATABASE"
}

start_server() {
    local bin
    bin=$(postgres_bin)
    # pg_ctl runs the server in a session of its own, so the caller's Ctrl-C does not reach it; -w
    # returns once it accepts connections.
    as_server_user "$bin/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t "$POSTGRES_START_TIMEOUT" \
        -o "-p $POSTGRES_PORT -k $DATA_DIR -c listen_addresses=127.0.0.1" start >/dev/null \
        || { log_tail "$LOG_FILE"; die "PostgreSQL did not start on port $POSTGRES_PORT; see $LOG_FILE"; }
}

cmd_up() {
    local pid started_ms
    started_ms=$(now_ms)
    pid=$(postgres_pid)
    if [[ -n "$pid" ]]; then
        info "PostgreSQL is already running (pid $pid, port $POSTGRES_PORT)."
        return 0
    fi
    port_open "$POSTGRES_PORT" && die "port $POSTGRES_PORT is in use by a process these scripts did not start; stop it or set POSTGRES_PORT"
    init_run_dirs
    ensure_installed
    mkdir -p "$POSTGRES_HOME"
    if ((EUID == 0)); then
        # The server's user must reach its data directory and log.
        touch "$LOG_FILE"
        chown postgres "$POSTGRES_HOME" "$LOG_FILE"
        printf '%s\n' "$ROOT_DIR" > "$POSTGRES_HOME/checkout"
        prune_gone_checkouts
    fi
    if [[ -f "$DATA_DIR/PG_VERSION" ]]; then
        start_server
    else
        init_once
    fi
    info "PostgreSQL is up on 127.0.0.1:$POSTGRES_PORT (pid $(postgres_pid)), database $DATABASE, after $(($(now_ms) - started_ms)) ms; log: $LOG_FILE"
}

# As root the databases live outside their checkouts (scripts/lib/common.sh), so deleting a
# checkout (a CI clone in mktemp -d, once its run is over) leaves its database behind: the ones
# whose checkout is gone and whose server is not running are removed here, so they do not pile up.
prune_gone_checkouts() {
    local home checkout pid
    for home in "$(dirname "$POSTGRES_HOME")"/*/; do
        home=${home%/}
        [[ "$home" != "$POSTGRES_HOME" && -f "$home/checkout" ]] || continue
        checkout=$(cat "$home/checkout")
        [[ -d "$checkout" ]] && continue
        pid=$(head -n 1 "$home/postgres-data/postmaster.pid" 2>/dev/null || true)
        [[ -n "$pid" ]] && alive "$pid" && continue
        rm -rf "$home"
        info "Removed the database of $checkout, a checkout that is gone ($home)"
    done
}

cmd_status() {
    local pid state=down
    pid=$(postgres_pid)
    if [[ -n "$pid" ]]; then
        if port_open "$POSTGRES_PORT"; then state=up; else state=starting; fi
    fi
    printf '%-10s pid %-8s port %-6s %-9s rss %s\n' postgres "${pid:--}" "$POSTGRES_PORT" "$state" "$(rss_mb "$pid")"
    [[ "$state" == up ]]
}

cmd_down() {
    local pid
    pid=$(postgres_pid)
    if [[ -n "$pid" ]]; then
        info "Stopping PostgreSQL (pid $pid) ..."
        # Fast shutdown: the members' pooled sessions are ended, not waited for.
        as_server_user "$(postgres_bin)/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null \
            || warn "pg_ctl stop failed; see $LOG_FILE"
        while alive "$pid"; do sleep 0.1; done
    fi
    info "PostgreSQL is down."
}

cmd_psql() {
    command -v psql >/dev/null || die "psql is not installed (apt-get install postgresql-client)"
    PGPASSWORD=fraud exec psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U fraud -d "$DATABASE" "$@"
}

(($# >= 1)) || usage_from_header
case "$1" in
    up) (($# == 1)) || usage_from_header; cmd_up ;;
    status) (($# == 1)) || usage_from_header; cmd_status ;;
    down) (($# == 1)) || usage_from_header; cmd_down ;;
    install) (($# == 1)) || usage_from_header; ensure_installed; info "PostgreSQL is installed: $(postgres_bin)" ;;
    psql) shift; cmd_psql "$@" ;;
    -h | --help) usage_from_header 0 ;;
    *) usage_from_header ;;
esac
