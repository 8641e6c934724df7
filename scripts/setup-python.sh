#!/usr/bin/env bash
# Creates or updates python/.venv from python/requirements.txt (which pulls in the scoring
# handler's own requirements). Installs from whatever package index pip is configured with, so
# it works offline against a local mirror. When the requirements have not changed since the last
# successful install it returns at once, so every other script can call it unconditionally.
#
# Usage: scripts/setup-python.sh        prints the venv's python path on the last line
# Env:   PYTHON  interpreter to build the venv from (default python3)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/python/.venv"
requirements="$repo/python/requirements.txt"
handler_requirements="$repo/deploy-jobs/src/main/resources/org/example/requirements.txt"
stamp="$venv/.requirements.sha256"
python=${PYTHON:-python3}

# Without network, every retry of an unreachable index costs seconds; keep a caller's choice.
export PIP_RETRIES="${PIP_RETRIES-0}"

fail() {
    echo "setup-python: $*" >&2
    exit 1
}

command -v "$python" >/dev/null || fail "'$python' not found on PATH; install Python 3.9 or newer"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || fail "$("$python" -V 2>&1) is too old; Python 3.9 or newer is required (set PYTHON=...)"

# The stamp covers both requirement files and the interpreter, so a change to either reinstalls.
wanted=$(cat "$requirements" "$handler_requirements" <("$python" -VV) | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && "$venv/bin/python" -c '' 2>/dev/null; then
    echo "python/.venv is up to date" >&2
    echo "$venv/bin/python"
    exit 0
fi

echo "setup-python: installing python/requirements.txt into python/.venv" >&2
# A venv without pip (made where the venv module lacks ensurepip) is remade, not reused forever.
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    "$python" -m venv --clear "$venv" \
        || fail "could not create $venv (on Debian or Ubuntu: apt install python3-venv)"
    "$venv/bin/python" -m pip --version >/dev/null 2>&1 \
        || fail "$venv has no pip (on Debian or Ubuntu: apt install python3-venv)"
fi
rm -f "$stamp"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements" >&2 \
    || fail "pip install -r python/requirements.txt failed (see above); is a package index reachable?"
echo "$wanted" > "$stamp"
echo "$venv/bin/python"
