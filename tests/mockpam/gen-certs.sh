#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-certs.sh DIR - test TLS material for the mock PAM server.
#
#   DIR/ca.pem, ca.key          test CA
#   DIR/server.pem, server.key  server cert for IP:127.0.0.1, IP:::1, DNS:localhost,
#                               signed by ca.pem
#   DIR/wronghost.pem, .key     cert signed by ca.pem for DNS:wrong.invalid only
#                               (hostname-mismatch tests)
#   DIR/other-ca.pem, .key      an unrelated CA (verification-failure tests)
#
# Quiet, idempotent (does nothing when all files exist), EC P-256 keys.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"

all_present() {
    for f in ca.pem ca.key server.pem server.key wronghost.pem wronghost.key \
             other-ca.pem other-ca.key; do
        [ -s "$dir/$f" ] || return 1
    done
    return 0
}

all_present && exit 0

# Serialise concurrent runs on the same DIR.
if command -v flock >/dev/null 2>&1 && [ -z "${GEN_CERTS_LOCKED:-}" ]; then
    GEN_CERTS_LOCKED=1 exec flock "$dir/.gen-certs.lock" sh "$0" "$@"
fi
all_present && exit 0

tmp=$(mktemp -d "$dir/.gen-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
umask 077

ossl() {
    if ! out=$(openssl "$@" 2>&1); then
        echo "gen-certs.sh: openssl $1 failed:" >&2
        echo "$out" >&2
        exit 1
    fi
}

key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca() { # name CN
    key "$tmp/$1.key"
    ossl req -x509 -new -key "$tmp/$1.key" -sha256 -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$tmp/$1.pem"
}

leaf() { # name CN SAN
    key "$tmp/$1.key"
    ossl req -new -key "$tmp/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr"
    cat >"$tmp/$1.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$3
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    ossl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
        -CAcreateserial -CAserial "$tmp/ca.srl" -sha256 -days 825 \
        -extfile "$tmp/$1.ext" -out "$tmp/$1.pem"
}

ca ca "credshim test CA"
ca other-ca "credshim unrelated CA"
leaf server "127.0.0.1" "IP:127.0.0.1,IP:::1,DNS:localhost"
leaf wronghost "wrong.invalid" "DNS:wrong.invalid"

chmod 644 "$tmp"/*.pem
chmod 600 "$tmp"/*.key
for f in ca.key ca.pem other-ca.key other-ca.pem server.key server.pem \
         wronghost.key wronghost.pem; do
    mv -f "$tmp/$f" "$dir/$f"
done
exit 0
