#!/usr/bin/env bash
# Builds local stand-ins for the three images of docker-compose.yml that come from Docker Hub, for a
# Docker engine that cannot pull them (no registry reachable), in the engine DOCKER_HOST points at:
#
#   fraud-detection-standin/debian:bookworm-slim  for debian:bookworm-slim (MEMBER_BASE_IMAGE): Debian
#       bookworm from Debian's own packages (debootstrap --variant=minbase), trimmed like the slim
#       image (no docs, man pages or apt lists); needs root and debootstrap.
#   fraud-detection-standin/kafka:<version>       for apache/kafka:<version> (KAFKA_IMAGE): the same
#       Kafka release, from Maven Central, behind the same paths and KAFKA_* variables
#       (scripts/docker/kafka-standin/).
#   fraud-detection-standin/postgres:15           for postgres:15.x (POSTGRES_IMAGE): PostgreSQL 15
#       from Debian's packages, behind the same POSTGRES_* variables, data directory and port
#       (scripts/docker/postgres-standin/).
#
# The Debian image is kept once built (it changes only with Debian's packages; --force rebuilds it);
# the others are rebuilt every time, which the build cache makes quick. Prints, on its last line,
# the variables that select them, for `env` or docker compose:
#   MEMBER_BASE_IMAGE=... KAFKA_IMAGE=... POSTGRES_IMAGE=...
#
# usage: scripts/docker/build-standins.sh [--force]
# Env:   DOCKER_BUILD_NETWORK  network of the build containers (e.g. host for an engine started
#                              with --bridge=none); unset: the engine's default
#        DEBIAN_MIRROR         default: this machine's apt mirror for bookworm, else deb.debian.org
set -euo pipefail

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

STANDIN_DIR="$SCRIPTS_DIR/docker/kafka-standin"
POSTGRES_STANDIN_DIR="$SCRIPTS_DIR/docker/postgres-standin"
POSTGRES_STANDIN=fraud-detection-standin/postgres:15
DEBIAN_SUITE=bookworm
DEBIAN_STANDIN=fraud-detection-standin/debian:$DEBIAN_SUITE-slim


force=false
case "${1:-}" in
    '') ;;
    --force) force=true ;;
    *) usage_from_header ;;
esac
(($# <= 1)) || usage_from_header

command -v docker >/dev/null || die "docker (the CLI) is not on PATH"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
    || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
build_flags=(${DOCKER_BUILD_NETWORK:+--network "$DOCKER_BUILD_NETWORK"})
scratch=()
trap 'rm -rf "${scratch[@]}"' EXIT

# The mirror this machine's apt uses for the suite, so that the image's apt reaches the same one.
debian_mirror() {
    local uri
    if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
        printf '%s' "$DEBIAN_MIRROR"
        return
    fi
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n "$uri" ]] || uri=$(awk '$1 == "deb" && $3 == "'"$DEBIAN_SUITE"'" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    printf '%s' "${uri:-http://deb.debian.org/debian}"
}

build_debian() {
    local mirror root started
    if [[ "$force" == false ]] && docker image inspect "$DEBIAN_STANDIN" >/dev/null 2>&1; then
        info "Debian stand-in $DEBIAN_STANDIN: kept (built $(docker image inspect --format '{{.Created}}' "$DEBIAN_STANDIN" | cut -c1-19); --force rebuilds it)"
        return
    fi
    ((EUID == 0)) || die "debootstrap needs root to build $DEBIAN_STANDIN"
    command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
    mirror=$(debian_mirror)
    root=$(mktemp -d /var/tmp/debian-standin.XXXXXX)
    scratch+=("$root" "$root.log")
    started=$(now_ms)
    info "Building $DEBIAN_STANDIN: debootstrap --variant=minbase $DEBIAN_SUITE from $mirror ..."
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$mirror" >"$root.log" 2>&1 \
        || { log_tail "$root.log"; die "debootstrap failed (log above)"; }
    # The suites the real image's apt knows (updates and security too), on this mirror.
    local security=${mirror%/debian}/debian-security
    rm -f "$root/etc/apt/sources.list"
    cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # As in the slim image: no documentation installed, no package cache kept.
    cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    tar -C "$root" --numeric-owner -c . | docker import --change 'CMD ["bash"]' \
        --message "debootstrap --variant=minbase $DEBIAN_SUITE $mirror" - "$DEBIAN_STANDIN" >/dev/null
    info "Built $DEBIAN_STANDIN in $((($(now_ms) - started) / 1000)) s, $(image_size "$DEBIAN_STANDIN")"
}

build_kafka() {
    local versions version log4j dependency_plugin tag context started
    # The broker of the local deployment, so that both are one Kafka version.
    versions=$(pom_properties "$SCRIPTS_DIR/runtime-jars/pom.xml" kafka-broker.version kafka-broker.log4j.version) \
        || die "no kafka-broker versions in scripts/runtime-jars/pom.xml"
    { read -r version; read -r log4j; } <<< "$versions"
    dependency_plugin=$(pom_properties "$ROOT_DIR/pom.xml" dependency-plugin.version) || die "no dependency-plugin.version in pom.xml"
    tag=fraud-detection-standin/kafka:$version
    KAFKA_STANDIN=$tag
    started=$(now_ms)
    context=$(mktemp -d /var/tmp/kafka-standin.XXXXXX)
    scratch+=("$context")
    cp -R "$STANDIN_DIR/bin" "$STANDIN_DIR/docker" "$STANDIN_DIR/Dockerfile" "$context/"
    init_run_dirs
    info "Building $tag: Kafka $version's jars from Maven, then the image ..."
    mvn -q -B -f "$STANDIN_DIR/pom.xml" dependency:copy-dependencies \
        -Dkafka-broker.version="$version" -Dkafka-broker.log4j.version="$log4j" \
        -Ddependency-plugin.version="$dependency_plugin" \
        -Dlibs.dir="$context/libs" >"$LOG_DIR/kafka-standin-jars.log" 2>&1 \
        || { log_tail "$LOG_DIR/kafka-standin-jars.log"; die "could not fetch Kafka's jars; see $LOG_DIR/kafka-standin-jars.log"; }
    docker build "${build_flags[@]}" --build-arg BASE_IMAGE="$DEBIAN_STANDIN" -t "$tag" "$context" \
        >"$LOG_DIR/kafka-standin-build.log" 2>&1 \
        || { log_tail "$LOG_DIR/kafka-standin-build.log"; die "building $tag failed; see $LOG_DIR/kafka-standin-build.log"; }
    info "Built $tag in $((($(now_ms) - started) / 1000)) s, $(image_size "$tag")"
}

build_postgres() {
    local started
    started=$(now_ms)
    info "Building $POSTGRES_STANDIN: PostgreSQL 15 from Debian's packages ..."
    init_run_dirs
    docker build "${build_flags[@]}" --build-arg BASE_IMAGE="$DEBIAN_STANDIN" -t "$POSTGRES_STANDIN" \
        "$POSTGRES_STANDIN_DIR" >"$LOG_DIR/postgres-standin-build.log" 2>&1 \
        || { log_tail "$LOG_DIR/postgres-standin-build.log"; die "building $POSTGRES_STANDIN failed; see $LOG_DIR/postgres-standin-build.log"; }
    info "Built $POSTGRES_STANDIN in $((($(now_ms) - started) / 1000)) s, $(image_size "$POSTGRES_STANDIN")"
}

image_size() {
    docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%d MB", $1 / 1000000}'
}

build_debian
build_kafka
build_postgres
echo "MEMBER_BASE_IMAGE=$DEBIAN_STANDIN KAFKA_IMAGE=$KAFKA_STANDIN POSTGRES_IMAGE=$POSTGRES_STANDIN"
