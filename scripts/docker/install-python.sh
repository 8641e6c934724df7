#!/bin/sh
# Installs the members' Python into the image, at build time, so that nothing is installed when a
# job starts: a venv at $1 with the gRPC packages Jet's Python server needs and the scoring
# handler's requirements. Run by the Dockerfile as root:
#   install-python.sh <venv dir> <handler requirements.txt> <python/requirements.txt> <wheels dir>
#
# The gRPC versions are the ones python/requirements.txt pins (they work with the generated code
# that Hazelcast 5.6 ships), read from there so that the image and python/.venv never differ.
# When <wheels dir> holds wheels (scripts/docker/fetch-wheels.sh put them there, for a machine
# whose package index the build cannot reach), pip installs from them alone; otherwise from the
# index pip is configured for (PyPI by default).
set -eu

venv=$1
handler_requirements=$2
project_requirements=$3
wheels=$4

pins=/tmp/grpc-pins.txt
grep -E '^(grpcio|protobuf)==' "$project_requirements" > "$pins"
[ "$(wc -l < "$pins")" -eq 2 ] || { echo "install-python.sh: no grpcio/protobuf pins in $project_requirements" >&2; exit 1; }

python3 -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
if ls "$wheels"/*.whl >/dev/null 2>&1; then
    echo "install-python.sh: installing from the wheels in $wheels only"
    "$venv/bin/pip" install --no-index --find-links "$wheels" -r "$pins" -r "$handler_requirements"
else
    echo "install-python.sh: installing from the package index"
    "$venv/bin/pip" install -r "$pins" -r "$handler_requirements"
fi
rm -f "$pins"

# Fail the build, not the first job, when an import is broken; the init script checks the same four.
"$venv/bin/python" -c 'import grpc, google.protobuf, lightgbm, numpy, orjson
print("python ok: grpcio", grpc.__version__, "protobuf", google.protobuf.__version__, "lightgbm", lightgbm.__version__)'
