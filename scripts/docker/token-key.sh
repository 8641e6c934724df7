#!/bin/sh
# Entry point of the token-key service of docker-compose.yml: makes the stack's card-token key in
# the volume mounted at /opt/fraud/secrets (mode 0600, readable by the image's user only), unless
# one is there already: a key is never replaced, since every token of the stack's data is made
# with it (rotating it: docs/DEPLOY.md, "Card tokens"). The members and the loaders mount the same
# volume read-only and read $FRAUD_TOKEN_KEY_FILE.
set -eu

key=${FRAUD_TOKEN_KEY_FILE:-/opt/fraud/secrets/token.key}
if [ -f "$key" ]; then
    echo "token-key: keeping the card-token key in $key"
    exit 0
fi
exec java -cp "${TOOLS_JAR:-/opt/fraud/tools/fraud-detection-tools.jar}:/opt/hazelcast/lib/*" \
    org.example.tools.TokenKeyTool "$key" --id compose
