#!/usr/bin/env bash
# Downloads the wheels of the member and page images' Python packages into scripts/docker/wheels/, from
# whatever package index pip on this machine is configured for, so that the image build installs
# them without reaching an index itself (scripts/docker/install-python.sh uses them when present).
# Needed only where the build cannot see pip's index: on these test machines the index is a local
# directory (see `pip config list`). With PyPI reachable from the build, skip this.
#
# The wheels are for the image's interpreter, not this machine's: CPython 3.11 (Debian bookworm's
# python3) on glibc x86_64.
#   scripts/docker/fetch-wheels.sh [--clean]     --clean: empty the directory first
set -euo pipefail

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

WHEELS_DIR="$SCRIPTS_DIR/docker/wheels"
IMAGE_PYTHON_VERSION=3.11


clean=false
case "${1:-}" in
    '') ;;
    --clean) clean=true ;;
    *) usage_from_header ;;
esac
(($# <= 1)) || usage_from_header

python=${PYTHON:-python3}
command -v "$python" >/dev/null || die "'$python' not found; it runs pip download"
[[ "$clean" == true ]] && find "$WHEELS_DIR" -name '*.whl' -delete

pins=$(mktemp)
trap 'rm -f "$pins"' EXIT
# The members' gRPC packages and the live page's Streamlit (install-python.sh member, page).
grep -E '^(grpcio|protobuf|streamlit)==' "$ROOT_DIR/python/requirements.txt" > "$pins"

platforms=()
for tag in manylinux_2_36 manylinux_2_34 manylinux_2_28 manylinux_2_17 manylinux2014 manylinux_2_5 manylinux1; do
    platforms+=(--platform "${tag}_x86_64")
done
info "Downloading the images' wheels into ${WHEELS_DIR#"$ROOT_DIR"/} ..."
# Without network, every retry of an unreachable index costs seconds.
PIP_RETRIES=${PIP_RETRIES-0} "$python" -m pip download --quiet --disable-pip-version-check \
    --dest "$WHEELS_DIR" --only-binary=:all: \
    --python-version "$IMAGE_PYTHON_VERSION" --implementation cp \
    --abi "cp${IMAGE_PYTHON_VERSION/./}" --abi abi3 --abi none \
    "${platforms[@]}" --platform any \
    -r "$pins" -r "$ROOT_DIR/deploy-jobs/src/main/resources/org/example/requirements.txt" \
    || die "pip download failed (see above): is a package index reachable?"
info "$(find "$WHEELS_DIR" -name '*.whl' | wc -l) wheels, $(du -sh "$WHEELS_DIR" | cut -f1), in ${WHEELS_DIR#"$ROOT_DIR"/}"
