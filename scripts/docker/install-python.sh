#!/bin/sh
# Installs a Python venv into an image, at build time, so that nothing is installed when a
# container starts. Run by the Dockerfile as root, for one of two images:
#   install-python.sh member <venv dir> <python/requirements.txt> <wheels dir> <handler requirements.txt>
#       the members': the gRPC packages Jet's Python server needs and the scoring handler's
#       requirements
#   install-python.sh page <venv dir> <python/requirements.txt> <wheels dir>
#       the live page's (python/dashboard): Streamlit
#
# Versions come from python/requirements.txt (the gRPC ones work with the generated code that
# Hazelcast 5.6 ships), read from there so that the images and python/.venv never differ.
# When <wheels dir> holds wheels (scripts/docker/fetch-wheels.sh put them there, for a machine
# whose package index the build cannot reach), pip installs from them alone; otherwise from the
# index pip is configured for (PyPI by default).
set -eu

role=$1
venv=$2
project_requirements=$3
wheels=$4

case "$role" in
    member) pinned='grpcio|protobuf'; extra="-r $5"; imports='grpc, google.protobuf, lightgbm, numpy, orjson' ;;
    page) pinned='streamlit'; extra=; imports='streamlit, pandas' ;;
    *) echo "install-python.sh: the role is member or page, not '$role'" >&2; exit 2 ;;
esac

pins=/tmp/$role-pins.txt
grep -E "^($pinned)==" "$project_requirements" > "$pins"
[ "$(wc -l < "$pins")" -eq "$(echo "$pinned" | tr '|' '\n' | wc -l)" ] \
    || { echo "install-python.sh: not every one of $pinned is pinned in $project_requirements" >&2; exit 1; }

python3 -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
if ls "$wheels"/*.whl >/dev/null 2>&1; then
    echo "install-python.sh: installing the $role's packages from the wheels in $wheels only"
    # shellcheck disable=SC2086 # $extra is empty or one option and its file
    "$venv/bin/pip" install --no-index --find-links "$wheels" -r "$pins" $extra
else
    echo "install-python.sh: installing the $role's packages from the package index"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -r "$pins" $extra
fi
rm -f "$pins"

# Fail the build, not the first job or page, when an import is broken; for the members the init
# script checks the same four.
"$venv/bin/python" -c "import $imports
print('python ok for the $role:', ', '.join(f'{m.__name__} {getattr(m, \"__version__\", \"\")}' for m in ($imports,)))"
