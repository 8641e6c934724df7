#!/usr/bin/env bash
# docker-compose.yml, proven by running it in a real Docker engine, then the Testcontainers scenario
# against the same engine: python/checks/compose_test.py, whose header says what it does, in order.
# scripts/test.sh calls this as its last step; it needs root (it starts Docker daemons of its own,
# the stack's in a network namespace of its own) and takes 10-25 minutes with its image cache warm,
# longer the first time, when it builds the images.
#
# usage: scripts/compose-test.sh [--help]
# Env:   COMPOSE_TEST_CACHE    the daemons' data root (images, build cache); one per checkout by default
#        COMPOSE_TEST_TIMEOUT  900  seconds for the stack to finish its one-shot services
#        COMPOSE_TEST          run; skip: do nothing but say so loudly (refused in CI)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The program needs python/.venv (pyyaml; selenium for the page), made while package indexes are reachable.
venv_python=$(scripts/setup-python.sh | tail -n 1)
exec "$venv_python" python/checks/compose_test.py "$@"
