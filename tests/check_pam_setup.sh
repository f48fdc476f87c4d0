#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/pam-setup.md's hand check of an API token works as written (ctest:
# docs.pam_setup): its curl block is run, as a user would paste it, against
# the mock PAM (tests/mockpam, HTTPS with a test CA, TLS verified through
# CURL_CA_BUNDLE as the page says), with only its three settings replaced.
#   - a good token: HTTP 200 and "status: 200 | message: OK" for the
#     checkout and the check-in, the request id and the account shown, the
#     password not; the mock counts one checkout and one check-in, nothing
#     left out; no response file left behind;
#   - an unknown token: HTTP 401, as the page's table says;
#   - the page names the requests credshim sends as the mock receives them
#     (POST/PUT paths, the headers).
# Needs no database and no ODBC configuration.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc="$src/docs/pam-setup.md"
mock="$src/tests/mockpam"
py=/usr/bin/python3
work=$(mktemp -d "${TMPDIR:-/tmp}/cs-pam-setup.XXXXXX")
pid=""
cleanup() {
  local i
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"
for p in curl "$py" openssl; do
  command -v "$p" >/dev/null || { echo "check_pam_setup: $p not found (tests/deps.sh)"; exit 1; }
done

# The first sh block after the heading "Checking the token by hand".
block=$(awk '/^## Checking the token by hand/ {s = 1} s && /^```sh$/ {c = 1; next}
             c && /^```$/ {exit} c' "$doc")
check "docs/pam-setup.md has the curl block" grep -q 'curl ' <<<"$block"
for v in PAM RUNHOST TOKEN_FILE; do
  check "the block sets $v on a line of its own" grep -qE "^$v=" <<<"$block"
done

sh "$mock/gen-certs.sh" "$work/certs"
token="cs-pam-setup-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$token" >"$work/token" && printf 'cs-wrong-token\n' >"$work/wrong")
printf '{"tokens": ["%s"], "runhosts": {"doc-check": {"accounts": ["doc_acct"]}}}\n' "$token" \
  >"$work/mock.json"
"$py" "$mock/mockpam.py" --config "$work/mock.json" --port 0 --port-file "$work/port" \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server.key" \
  --log "$work/mock.log" </dev/null >"$work/mock.out" 2>&1 &
pid=$!
for ((i = 0; i < 150; i++)); do
  [[ -s "$work/port" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[[ -s "$work/port" ]] || { cat "$work/mock.out"; echo "check_pam_setup: the mock PAM did not start"; exit 1; }
url="https://127.0.0.1:$(cat "$work/port")"
ctl() { "$py" "$mock/mockpam_client.py" --url "$url" --ca "$work/certs/ca.pem" "$@"; }
counts() { ctl state | "$py" -c 'import json, sys; s = json.load(sys.stdin)
print(s["checkouts"], s["checkins"], len(s["outstanding"]))'; }

# run <token file>: the block with the three settings replaced, in its own
# directory, as a user's interactive bash would run it.
run() {
  local dir="$work/run-$1" rc=0
  mkdir -p "$dir"
  sed -e "s|^PAM=.*|PAM=$url|" -e "s|^RUNHOST=.*|RUNHOST=doc-check|" \
      -e "s|^TOKEN_FILE=.*|TOKEN_FILE=$work/$1|" <<<"$block" >"$work/block-$1.sh"
  (cd "$dir" && CURL_CA_BUNDLE="$work/certs/ca.pem" timeout 60 bash "$work/block-$1.sh") \
    >"$work/out-$1" 2>&1 || rc=$?
  sed 's/^/   | /' "$work/out-$1"
  return "$rc"
}

echo "== the block with a good token"
before=$(counts)
rc=0
run token || rc=$?
out=$(cat "$work/out-token")
check "it ran to the end (exit status $rc)" test "$rc" = 0
check "HTTP 200 twice" test "$(grep -c '^HTTP 200$' <<<"$out")" = 2
check "status 200, message OK twice" test "$(grep -c '^status: 200 | message: OK' <<<"$out")" = 2
check "the request id and the account shown" grep -qE '^request id: [^ ]+ \| account: doc_acct$' <<<"$out"
lacks() { ! grep -qE -- "$1" <<<"$2"; }
check "the password is not shown" lacks '[Pp]asswd|[Pp]assword' "$out"
read -r c0 i0 _ <<<"$before"
read -r c1 i1 o1 <<<"$(counts)"
check "the mock counted one checkout and one check-in, nothing left out" \
  test "$((c1 - c0)) $((i1 - i0)) $o1" = "1 1 0"
check "no response file (it held the password) left behind" test -z "$(ls -A "$work/run-token")"
check "the token never on a command line: curl reads it from -H @<(auth)" \
  test "$(grep -c -- '-H @<(auth)' <<<"$block")" = 2

echo "== the block with a token the PAM does not know"
run wrong || true
check "HTTP 401, as the table says" grep -q '^HTTP 401$' "$work/out-wrong"

echo "== the requests the page describes, as the mock received them"
check "POST /rest/cmdctrl/Request and PUT /rest/cmdctrl/Request/<id>" \
  bash -c "grep -q 'POST /rest/cmdctrl/Request' '$work/mock.log' && grep -qE 'PUT /rest/cmdctrl/Request/[^ ]+' '$work/mock.log'"
for h in 'Authorization: Token token=<API token>' 'Cache-Control: no-cache' \
         'Content-Type: application/json' 'Accept: application/json' \
         'POST <PamUrl>/rest/cmdctrl/Request' 'PUT <PamUrl>/rest/cmdctrl/Request/<request id>' \
         '"type":"PasswordCheckout"' '"type":"PasswordCheckin"'; do
  check "the page names $h" grep -qF -- "$h" "$doc"
done

cs_tally_end
