#!/bin/bash
# What the official image's entrypoint does on a first start, for the variables docker-compose.yml
# sets: a database cluster in $PGDATA with the superuser $POSTGRES_USER (password
# $POSTGRES_PASSWORD, required over the network) and a database $POSTGRES_DB; then the server, on
# every address of the container.
set -euo pipefail

: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set, as for the official image}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    echo "docker-entrypoint.sh: first start, creating the database cluster in $PGDATA"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w start
    if [[ "$POSTGRES_DB" != postgres ]]; then
        createdb -h /tmp -U "$POSTGRES_USER" "$POSTGRES_DB"
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop
fi

if [[ "${1:-}" == postgres ]]; then
    shift
    exec postgres -D "$PGDATA" -c listen_addresses='*' -k /tmp "$@"
fi
exec "$@"
