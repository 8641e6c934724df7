#!/usr/bin/env bash
# The Kafka stand-in's kafka-storage.sh: the class the distribution's script of the same name runs.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
