#!/usr/bin/env bash
# Writes a new card-token key file, readable by its owner only, or says which key one holds:
#
#   scripts/token-key.sh FILE [--id ID]      a new key (never overwrites one)
#   scripts/token-key.sh FILE --show         its id and fingerprint (never its secret)
#
# Every member reads the key from the file named by FRAUD_TOKEN_KEY_FILE, and so does whatever loads
# reference data; all must have the same key. The local stack (scripts/cluster.sh) makes one at
# .run/token.key on its first start. docs/DEPLOY.md, "Card tokens", says where to keep it and how
# to rotate it.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

(($# >= 1)) || usage_from_header 2
[[ "$1" == -h || "$1" == --help ]] && usage_from_header 0
[[ -f "$TOOLS_JAR" ]] || die "no tools JAR at $TOOLS_JAR; build it with: mvn -DskipTests package"
run_hz_client "$TOOLS_JAR" org.example.tools.TokenKeyTool "$@"
