#!/usr/bin/env bash
# A throwaway certificate authority for a local broker that speaks TLS, made with openssl:
#
#   scripts/kafka/test-ca.sh ca DIR
#       DIR/ca.key (the CA's key), DIR/ca.pem (its certificate: what clients trust)
#   scripts/kafka/test-ca.sh server DIR NAME ADDRESSES
#       DIR/NAME.pem: a key and a certificate for ADDRESSES (IP addresses and host names,
#       comma-separated) signed by DIR's CA, then the CA certificate: a PEM key store as Kafka
#       reads one (ssl.keystore.type=PEM)
#
# Keys are EC P-256, unencrypted, in files of mode 600; certificates are valid for 365 days. For
# tests and local runs only: a real broker's certificate comes from the company's CA.
# (openssl rather than the JDK's keytool: the seven keytool runs this takes cost 20-45 s on a busy
# 2-core machine, openssl a fraction of a second.)
set -euo pipefail

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

VALIDITY_DAYS=365
# Keys are for this user only.
umask 077

usage() { usage_from_header 2; }

# openssl, its chatter kept back unless it fails.
openssl_quietly() {
    local output
    output=$(openssl "$@" 2>&1) || die "openssl $1 failed: $output"
}

make_ca() {
    local dir=$1
    mkdir -p "$dir"
    [[ -f "$dir/ca.key" ]] && die "$dir already holds a CA (ca.key)"
    openssl_quietly req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" -days "$VALIDITY_DAYS" \
        -subj "/CN=fraud-detection test CA $(date +%s)" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

make_server() {
    local dir=$1 name=$2 addresses=$3 address san=
    [[ -f "$dir/ca.key" ]] || die "no CA in $dir; make one first: $(basename "$0") ca $dir"
    [[ -f "$dir/$name.pem" ]] && die "$dir already holds $name.pem"
    IFS=, read -ra address_list <<< "$addresses"
    for address in "${address_list[@]}"; do
        if [[ "$address" =~ ^[0-9.]+$ || "$address" == *:* ]]; then san+=",IP:$address"; else san+=",DNS:$address"; fi
    done
    # The certificate names the addresses clients connect to (a client checks that:
    # ssl.endpoint.identification.algorithm=https), and may authenticate a client too (the
    # controller listener asks its clients for a certificate).
    printf '%s\n' "subjectAltName=${san#,}" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth,clientAuth" > "$dir/$name.ext"
    openssl_quietly req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name"
    openssl_quietly x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days "$VALIDITY_DAYS" -extfile "$dir/$name.ext" \
        -out "$dir/$name.crt"
    # Kafka's PEM key store: the key (PKCS#8, as openssl 3 writes it), then the certificate chain.
    cat "$dir/$name.key" "$dir/$name.crt" "$dir/ca.pem" > "$dir/$name.pem"
    rm -f "$dir/$name.csr" "$dir/$name.ext" "$dir/$name.key" "$dir/$name.crt"
}

command -v openssl >/dev/null || die "openssl is not on PATH (Debian: apt-get install openssl)"
case "${1:-}" in
    ca) (($# == 2)) || usage; make_ca "$2" ;;
    server) (($# == 4)) || usage; make_server "$2" "$3" "$4" ;;
    *) usage ;;
esac
