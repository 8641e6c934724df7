#!/usr/bin/env bash
# A throwaway certificate authority for a local broker that speaks TLS, made with the JDK's keytool
# (no openssl needed):
#
#   scripts/kafka/test-ca.sh ca DIR                  DIR/ca.p12 (the CA's key), DIR/ca.pem (its
#                                                    certificate: what clients trust)
#   scripts/kafka/test-ca.sh server DIR NAME ADDRESSES
#                                                    DIR/NAME.p12: a key and a certificate for
#                                                    ADDRESSES (IP addresses and host names, comma-
#                                                    separated), signed by DIR's CA, with the CA
#                                                    certificate as its chain
#
# Each store's password is in DIR/<store>.password (mode 600). The certificates are valid for 365
# days. For tests and local runs only: a real broker's certificate comes from the company's CA.
set -euo pipefail

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

VALIDITY_DAYS=365
# Keys and passwords are for this user only.
umask 077

usage() { usage_from_header 2; }

# keytool, its chatter ("Certificate was added to keystore") kept back unless it fails.
keytool_quietly() {
    local output
    output=$(keytool "$@" 2>&1) || die "keytool $1 failed: $output"
}

# Creates a PKCS12 store's password file and prints the password.
store_password() {
    local file=$1 password
    password=$(new_password)
    printf '%s' "$password" > "$file"
    printf '%s' "$password"
}

make_ca() {
    local dir=$1 password
    mkdir -p "$dir"
    [[ -f "$dir/ca.p12" ]] && die "$dir already holds a CA (ca.p12)"
    password=$(store_password "$dir/ca.password")
    keytool_quietly -genkeypair -alias ca -keyalg EC -groupname secp256r1 -validity "$VALIDITY_DAYS" \
        -dname "CN=fraud-detection test CA $(date +%s)" -ext bc:c \
        -storetype PKCS12 -keystore "$dir/ca.p12" -storepass "$password"
    # keytool ends the base64 lines with CR LF; PEM tools and properties files want LF alone.
    keytool -exportcert -rfc -alias ca -keystore "$dir/ca.p12" -storepass "$password" | tr -d '\r' > "$dir/ca.pem"
}

make_server() {
    local dir=$1 name=$2 addresses=$3 ca_password password address san=
    [[ -f "$dir/ca.p12" ]] || die "no CA in $dir; make one first: $(basename "$0") ca $dir"
    [[ -f "$dir/$name.p12" ]] && die "$dir already holds $name.p12"
    IFS=, read -ra address_list <<< "$addresses"
    for address in "${address_list[@]}"; do
        if [[ "$address" =~ ^[0-9.]+$ || "$address" == *:* ]]; then san+=",ip:$address"; else san+=",dns:$address"; fi
    done
    san=${san#,}
    ca_password=$(cat "$dir/ca.password")
    password=$(store_password "$dir/$name.password")
    keytool_quietly -genkeypair -alias "$name" -keyalg EC -groupname secp256r1 -validity "$VALIDITY_DAYS" \
        -dname "CN=$name" -storetype PKCS12 -keystore "$dir/$name.p12" -storepass "$password"
    # The server's certificate, signed by the CA: it names the address clients connect to (a client
    # checks that, ssl.endpoint.identification.algorithm=https), and it may also authenticate as a
    # client (the controller listener asks for a certificate).
    keytool -certreq -alias "$name" -keystore "$dir/$name.p12" -storepass "$password" \
        | keytool -gencert -alias ca -keystore "$dir/ca.p12" -storepass "$ca_password" -rfc \
            -validity "$VALIDITY_DAYS" -ext "san=$san" -ext ku:c=digitalSignature,keyAgreement \
            -ext eku=serverAuth,clientAuth | tr -d '\r' > "$dir/$name.pem"
    keytool_quietly -importcert -noprompt -alias ca -file "$dir/ca.pem" -keystore "$dir/$name.p12" -storepass "$password"
    keytool_quietly -importcert -alias "$name" -file "$dir/$name.pem" -keystore "$dir/$name.p12" -storepass "$password"
}

command -v keytool >/dev/null || die "keytool (from the JDK) is not on PATH"
case "${1:-}" in
    ca) (($# == 2)) || usage; make_ca "$2" ;;
    server) (($# == 4)) || usage; make_server "$2" "$3" "$4" ;;
    *) usage ;;
esac
