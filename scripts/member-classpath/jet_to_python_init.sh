#!/bin/bash
# Replaces Hazelcast's jet_to_python_init.sh on members started from this repository (it sits on
# the member's classpath ahead of hazelcast-jet-python, so Hazelcast copies this one).
#
# Why: the stock script always creates a venv and pip-installs pinned protobuf/grpcio versions,
# which fails without a package index and costs seconds per job even with one. When the
# python3 on the member's PATH can already run the gRPC server and the handler (scripts put
# python/.venv/bin first on PATH), this script reuses it and starts in well under a second.
# Otherwise it falls back to exactly the stock steps, so it never does less than Hazelcast would.
set -e

if python3 -c 'import grpc, google.protobuf, lightgbm, numpy' >/dev/null 2>&1; then
    # jet_to_python_main.sh sources jet_to_python_env/bin/activate before starting Python. A real
    # venv made from inside another venv would not see its packages, and a symlink to the shared
    # venv would be made read-only together with this directory, so a one-line activate it is.
    interpreter_dir=$(dirname "$(command -v python3)")
    mkdir -p jet_to_python_env/bin
    printf 'export PATH=%q:"$PATH"\n' "$interpreter_dir" > jet_to_python_env/bin/activate
    echo "Reusing prepared interpreter: $(command -v python3)"
else
    echo "python3 on PATH lacks grpc/protobuf/lightgbm/numpy: installing as Hazelcast's stock script does"
    python3 -m venv jet_to_python_env --system-site-packages
    source jet_to_python_env/bin/activate
    flock --exclusive ~/.jet-pip.lock python3 -m pip install --upgrade pip
    flock --exclusive ~/.jet-pip.lock python3 -m pip install protobuf==4.25.8 grpcio==1.73.0
    if [[ -f requirements.txt ]]; then
        flock --exclusive ~/.jet-pip.lock python3 -m pip install -r requirements.txt
    fi
fi

source ./jet_to_python_params.sh
if [[ -f init.sh ]]; then
    echo "Executing init.sh"
    ./init.sh
fi
