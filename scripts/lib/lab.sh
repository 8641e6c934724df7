# The network lab of the partition drill and the fault soak (org.example.tools.netns): what both
# scripts do before, around and after the Java program that runs inside the lab's client host.
# Sourced after common.sh, never run. As root.

# One lab per checkout: its namespaces carry an id of the checkout's path.
export LAB_PREFIX=${LAB_PREFIX:-fd-$(printf '%s' "$ROOT_DIR" | cksum | cut -c1-4)-}
export LAB_SUBNET=${LAB_SUBNET:-10.250.0}

lab() {
    [[ -f "$TOOLS_JAR" ]] || return 0  # no tools yet: no lab of this checkout either
    run_hz_client "$TOOLS_JAR" org.example.tools.netns.Lab "$@"
}

# Everything the lab needs, while package registries are reachable: nftables and iproute2, then
# what prepare_local_stack provides; and no lab an earlier run left behind.
lab_prepare() {
    [[ $EUID -eq 0 ]] || die "needs root: it makes network namespaces (ip netns) and filters the lab's switch (nft)"
    init_run_dirs
    if ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
        info "== Installing nftables and iproute2 ..."
        command -v apt-get >/dev/null || die "nft or ip is missing and there is no apt-get to install them"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables iproute2; } \
            >"$LOG_DIR/lab-apt.log" 2>&1 || { log_tail "$LOG_DIR/lab-apt.log"; die "could not install nftables and iproute2"; }
    fi
    lab down >/dev/null
    prepare_local_stack
}

# A data set and its exact features, generated once: lab_data_set DIR CARDS DAYS SEED
lab_data_set() {
    local dir=$1 cards=$2 days=$3 seed=$4
    if [[ ! -f "$dir/transactions.jsonl" ]]; then
        info "== Generating a data set in $dir ($cards cards, $days days) ..."
        python/.venv/bin/python python/generate_data.py --cards "$cards" --days "$days" --seed "$seed" --out "$dir"
    fi
    if [[ ! -f "$dir/expected-features.csv" || "$dir/expected-features.csv" -ot "$dir/transactions.jsonl" ]]; then
        (cd python && .venv/bin/python expected_features.py --data-dir "../$dir" --out "../$dir/expected-features.csv")
    fi
}

# Builds the lab, runs a program of the tools JAR inside its client host with what it needs to
# start members and the broker, and removes the lab afterwards, also on failure or Ctrl-C:
#   lab_run <main class> <heap> [args...]
lab_run() {
    local main_class=$1 heap=$2 status=0
    shift 2
    lab up
    trap 'info "== Removing the lab ..."; lab down' EXIT
    ip netns exec "${LAB_PREFIX}client" java -Xmx"$heap" \
        -Djava.util.logging.config.file="$SCRIPTS_DIR/cli-logging.properties" \
        -Dhazelcast.logging.type=jdk -Dhazelcast.phone.home.enabled=false \
        "$PROCESS_MARKER" -Dfraud.role=lab-driver \
        -cp "$TOOLS_JAR:$LIB_DIR/hazelcast/*" "$main_class" \
        --process-marker="$PROCESS_MARKER" --member-jvm-opts="${HZ_MEMBER_JVM_OPTS[*]}" "$@" || status=$?
    return "$status"
}
