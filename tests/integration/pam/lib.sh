# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/integration/pam/lib.sh - what every PAM end-to-end test shares.
# Sourced (after `set -euo pipefail`), never run.
#
#   pam_setup        checks the environment tests/run.sh exports, then starts
#                    this test's OWN mock PAM (tests/mockpam/mockpam.py) over
#                    HTTPS on a free 127.0.0.1 port and writes this test's own
#                    unixODBC configuration; a trap stops the mock and removes
#                    the temporary directory when the test exits.
#   pam_ctl ARGS     mockpam_client.py against this mock (state, fault, ...)
#   pam_check OK|FAIL-expression helpers, pam_finish (summary + exit status)
#
# Set before pam_setup:
#   PAM_TRACE=1      unixODBC tracing on (TraceFile=$PAM_DIR/odbc-trace.log)
#   PAM_MINUTE_SECONDS  the mock's --minute-seconds (default 60): real
#                    seconds a minute of PamDuration lasts at the mock
#
# Exported by pam_setup (the C and Python tests read them):
#   PAM_DIR          the test's temporary directory (certs, ini files, logs)
#   MOCKPAM_URL      https://127.0.0.1:<port>   (mockpam_client.py reads it)
#   MOCKPAM_CA       the CA that signed the mock's certificate
#   PAM_TOKEN        API token #1 (in PAM_TOKEN_FILE, mode 0600)
#   PAM_TOKEN2       API token #2, with ; { } = in it (for connection strings)
#   PAM_TOKEN_FILE   file holding PAM_TOKEN
#   PAM_BAD_TOKEN_FILE  0600 file with a token the mock does not know
#   PAM_OPEN_TOKEN_FILE 0644 file with PAM_TOKEN (must be refused)
#   PAM_MOCK_LOG     the mock's request log
#   PAM_CONN         DSN-less connection-string prefix: DRIVER=credshim,
#                    TargetDriver, Servername, Port, Database, PamUrl, PamCAFile
#   PAM_DIRECT       DSN-less connection string straight to psqlODBC (no
#                    credentials; append UID=..;PWD={..})
#   ODBCSYSINI/ODBCINSTINI/ODBCINI  this test's copies, with these DSNs:
#
#   pam_pg1          runHost pg1 (pool of one: cs_app1), token file
#   pam_pg1_a        the same through psqlODBC's ANSI driver
#   pam_pg2          runHost pg2 (pool of two: cs_app2, cs_app3)
#   pam_pg1_noshare  pg1 with PamShareCheckout=0
#   pam_pgt          runHost pgt (pool of eight: cs_pam_t1..cs_pam_t8)
#   pam_nodb         pg1, Database that does not exist (target login fails)
#   pam_badtoken     pg1, a token the mock refuses (28000)
#   pam_openfile     pg1, token file readable by others (08001)
#   pam_nofile       pg1, token file that does not exist (08001)
#   pam_deny         runHost the mock does not know: body status 403 (28000)
#   pam_wrongca      pg1, PamCAFile = an unrelated CA (08001)
#   pam_direct       psqlODBC directly, no credentials (isql DSN user pass)
#   pam_target_login psqlODBC directly with cs_user's Username and Password
#   pam_pg1_tdsn     pg1 through TargetDSN=pam_target_login (whose login
#                    PAM mode must override)
#
# Runhosts of the mock: pg1 [cs_app1], pg2 [cs_app2, cs_app3],
# pgt [cs_pam_t1..8].  The cs_pam_t* roles are created here (idempotent) for
# the 8-thread test without sharing, which needs a pool of eight.  Every
# mock sets every account's password to a random one at its start, so two
# PAM tests must never run at once: pam.cmake gives them one RESOURCE_LOCK.

PAM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../lib/common.sh
. "$PAM_LIB_DIR/../../lib/common.sh"

PAM_MOCK_DIR="$PAM_LIB_DIR/../../mockpam"
PAM_PY=/usr/bin/python3
PAM_THREAD_ROLES=(cs_pam_t1 cs_pam_t2 cs_pam_t3 cs_pam_t4 cs_pam_t5 cs_pam_t6 cs_pam_t7 cs_pam_t8)
PAM_MOCK_PID=""
PAM_DIR=""
PAM_PASSED=0
PAM_FAILED=0

pam_log() {
  printf '== %s\n' "$*"
}

# ---- assertions ------------------------------------------------------------

pam_pass() {
  PAM_PASSED=$((PAM_PASSED + 1))
  printf 'PASS %s\n' "$*"
}

pam_fail() {
  PAM_FAILED=$((PAM_FAILED + 1))
  printf 'FAIL %s\n' "$*"
}

# pam_check "what" command...: PASS when the command succeeds.
pam_check() {
  local what="$1"
  shift
  if "$@"; then
    pam_pass "$what"
  else
    pam_fail "$what"
  fi
}

# Prints the summary; exits 1 when anything failed (or nothing was checked).
pam_finish() {
  printf '%d passed, %d failed\n' "$PAM_PASSED" "$PAM_FAILED"
  if ((PAM_FAILED > 0 || PAM_PASSED == 0)); then
    exit 1
  fi
  exit 0
}

# ---- the mock ----------------------------------------------------------------

pam_ctl() {
  "$PAM_PY" "$PAM_MOCK_DIR/mockpam_client.py" --url "$MOCKPAM_URL" --ca "$MOCKPAM_CA" "$@"
}

# One field of /_mock/state (a counter, or len() of a list with #name).
pam_state() {
  pam_ctl state | "$PAM_PY" -c '
import json, sys
s = json.load(sys.stdin)
k = sys.argv[1]
print(len(s[k[1:]]) if k.startswith("#") else s[k])' "$1"
}

# Waits (up to $2 seconds, default 5) until nothing is outstanding at the
# mock; false (and prints what is) otherwise.
pam_wait_none_outstanding() {
  local secs="${1:-5}" n i
  for ((i = 0; i < secs * 10; i++)); do
    n=$(pam_state '#outstanding') || return 1
    [[ "$n" == 0 ]] && return 0
    sleep 0.1
  done
  pam_ctl outstanding >&2 || true
  return 1
}

# The password the mock issued with request id $1 (--expose-passwords).
pam_issued_password() {
  "$PAM_PY" - "$1" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp
for e in mp.MockPam().issued():
    if e["id"] == sys.argv[1]:
        sys.stdout.write(e["passwd"])
        sys.exit(0)
sys.exit(1)
EOF
}

# The id and account of the only outstanding checkout: "<id> <account>".
pam_only_outstanding() {
  pam_ctl outstanding | "$PAM_PY" -c '
import json, sys
o = json.load(sys.stdin)
if len(o) != 1:
    sys.exit("expected exactly one outstanding checkout, got %r" % o)
print(o[0]["id"], o[0]["account"])'
}

pam_stop_mock() {
  local i
  [[ -n "$PAM_MOCK_PID" ]] || return 0
  if kill -0 "$PAM_MOCK_PID" 2>/dev/null; then
    kill -TERM "$PAM_MOCK_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$PAM_MOCK_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$PAM_MOCK_PID" 2>/dev/null || true
  fi
  wait "$PAM_MOCK_PID" 2>/dev/null || true
  PAM_MOCK_PID=""
}

pam_cleanup() {
  local rc=$?
  trap - EXIT
  pam_stop_mock
  if [[ -n "$PAM_DIR" && -d "$PAM_DIR" ]]; then
    if [[ "$rc" != 0 && -s "$PAM_DIR/mock.log" ]]; then
      printf -- '---- tail of the mock log\n'
      tail -n 40 "$PAM_DIR/mock.log"
    fi
    if [[ "$rc" != 0 && -s "$PAM_DIR/mock.stderr" ]]; then
      printf -- '---- mock stderr\n'
      tail -n 40 "$PAM_DIR/mock.stderr"
    fi
    if [[ "$rc" != 0 && -n "${CS_PAM_KEEP:-}" ]]; then
      printf 'kept %s\n' "$PAM_DIR"
    else
      rm -rf -- "$PAM_DIR"
    fi
  fi
  return "$rc"
}

pam_psql() {
  timeout 60 "$CS_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$CS_PG_SOCKDIR" -p "$CS_PG_PORT" -U "$CS_PG_ADMIN" "$@"
}

# The pool of eight for the threads test: created once, like cs_app*.
pam_create_thread_roles() {
  local r sql=""
  for r in "${PAM_THREAD_ROLES[@]}"; do
    sql+="IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$r') THEN CREATE ROLE $r LOGIN; END IF; "
  done
  pam_psql -d "$CS_PG_DATABASE" -c "DO \$\$ BEGIN $sql END \$\$;" >/dev/null
}

pam_write_file() { # path mode content
  (umask 077 && printf '%s\n' "$3" >"$1")
  chmod "$2" "$1"
}

# The target and PAM lines of a PAM DSN to the test's PostgreSQL, through
# psqlODBC's Unicode driver or the one named by $1.
pam_target_keys() {
  printf '%s\n' "TargetDriver=${1:-PostgreSQL Unicode}" "Servername=$CS_PG_HOST" \
    "Port=$CS_PG_PORT" "Database=$CS_PG_DATABASE" "PamUrl=$MOCKPAM_URL" "PamCAFile=$MOCKPAM_CA"
}

# The unixODBC configuration of this test: copies of run.sh's, plus the PAM
# DSNs (values raw: ini files need no braces).
pam_write_ini() {
  local odbc="$PAM_DIR/odbc" trace=No drv url="$MOCKPAM_URL"
  mkdir -p "$odbc"
  [[ "${PAM_TRACE:-0}" == 1 ]] && trace=Yes
  sed -e "s|^Trace=.*|Trace=$trace|" -e "s|^TraceFile=.*|TraceFile=$PAM_DIR/odbc-trace.log|" \
    "$ODBCSYSINI/$ODBCINSTINI" >"$odbc/odbcinst.ini"
  cp "$ODBCINI" "$odbc/odbc.ini"
  drv=$(pam_target_keys)
  cat >>"$odbc/odbc.ini" <<EOF

; ---- PAM mode (tests/integration/pam/lib.sh) ----
[pam_pg1]
Driver=credshim
$drv
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE

[pam_pg1_a]
Driver=credshim
$(pam_target_keys "PostgreSQL ANSI")
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE

[pam_pg2]
Driver=credshim
$drv
PamRunHost=pg2
PamTokenFile=$PAM_TOKEN_FILE

[pam_pg1_noshare]
Driver=credshim
$drv
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE
PamShareCheckout=0

[pam_pgt]
Driver=credshim
$drv
PamRunHost=pgt
PamTokenFile=$PAM_TOKEN_FILE

[pam_nodb]
Driver=credshim
TargetDriver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=cs_no_such_database
PamUrl=$url
PamCAFile=$MOCKPAM_CA
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE

[pam_badtoken]
Driver=credshim
$drv
PamRunHost=pg1
PamTokenFile=$PAM_BAD_TOKEN_FILE

[pam_openfile]
Driver=credshim
$drv
PamRunHost=pg1
PamTokenFile=$PAM_OPEN_TOKEN_FILE

[pam_nofile]
Driver=credshim
$drv
PamRunHost=pg1
PamTokenFile=$PAM_DIR/no-such-token-file

[pam_deny]
Driver=credshim
$drv
PamRunHost=no-such-runhost
PamTokenFile=$PAM_TOKEN_FILE

[pam_wrongca]
Driver=credshim
TargetDriver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
PamUrl=$url
PamCAFile=$PAM_DIR/certs/other-ca.pem
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE

[pam_direct]
Driver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE

[pam_target_login]
Driver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
Username=$CS_PG_USER
Password=$CS_PG_PASSWORD

[pam_pg1_tdsn]
Driver=credshim
TargetDSN=pam_target_login
PamUrl=$url
PamCAFile=$MOCKPAM_CA
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE
EOF
  ODBCSYSINI="$odbc"
  ODBCINSTINI=odbcinst.ini
  ODBCINI="$odbc/odbc.ini"
  export ODBCSYSINI ODBCINSTINI ODBCINI
}

pam_setup() {
  local port="" i cfg
  cs_require_odbc_env
  [[ -x "$PAM_PY" ]] || cs_die "$PAM_PY is missing (run tests/deps.sh)"
  [[ -e "$CS_BUILD_DIR/driver/libcredshim.so" ]] || cs_die "the driver is not built"
  export LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONIOENCODING=utf-8

  PAM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/credshim-pam.XXXXXX")
  trap pam_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chmod 0700 "$PAM_DIR"

  sh "$PAM_MOCK_DIR/gen-certs.sh" "$PAM_DIR/certs"
  pam_create_thread_roles

  PAM_TOKEN="cs-tok1-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  PAM_TOKEN2="cs;tok2{=}-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  PAM_TOKEN_FILE="$PAM_DIR/token"
  PAM_BAD_TOKEN_FILE="$PAM_DIR/bad-token"
  PAM_OPEN_TOKEN_FILE="$PAM_DIR/open-token"
  pam_write_file "$PAM_TOKEN_FILE" 600 "$PAM_TOKEN"
  pam_write_file "$PAM_BAD_TOKEN_FILE" 600 "cs-unknown-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  pam_write_file "$PAM_OPEN_TOKEN_FILE" 644 "$PAM_TOKEN"

  cfg="$PAM_DIR/mock.json"
  PAM_TOKEN="$PAM_TOKEN" PAM_TOKEN2="$PAM_TOKEN2" "$PAM_PY" - "$cfg" "${PAM_THREAD_ROLES[@]}" <<'EOF'
import json, os, sys
cfg = {"tokens": [os.environ["PAM_TOKEN"], os.environ["PAM_TOKEN2"]],
       "runhosts": {"pg1": {"accounts": ["cs_app1"]},
                    "pg2": {"accounts": ["cs_app2", "cs_app3"]},
                    "pgt": {"accounts": sys.argv[2:]}}}
with open(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
    json.dump(cfg, fh)
EOF

  PAM_MOCK_LOG="$PAM_DIR/mock.log"
  "$PAM_PY" "$PAM_MOCK_DIR/mockpam.py" --config "$cfg" --port 0 --port-file "$PAM_DIR/port" \
    --tls-cert "$PAM_DIR/certs/server.pem" --tls-key "$PAM_DIR/certs/server.key" \
    --log "$PAM_MOCK_LOG" --expose-passwords --idle-timeout 10 \
    --minute-seconds "${PAM_MINUTE_SECONDS:-60}" \
    --pg-host "$CS_PG_SOCKDIR" --pg-port "$CS_PG_PORT" --pg-admin "$CS_PG_ADMIN" \
    --pg-database postgres --psql "$CS_PG_BINDIR/psql" \
    </dev/null >"$PAM_DIR/mock.stderr" 2>&1 &
  PAM_MOCK_PID=$!
  for ((i = 0; i < 300; i++)); do
    if [[ -s "$PAM_DIR/port" ]]; then
      port=$(tr -dc 0-9 <"$PAM_DIR/port")
      [[ -n "$port" ]] && break
    fi
    kill -0 "$PAM_MOCK_PID" 2>/dev/null ||
      cs_die "the mock PAM exited at start: $(cat "$PAM_DIR/mock.stderr")"
    sleep 0.05
  done
  [[ -n "$port" ]] || cs_die "the mock PAM did not start listening within 15 s"

  MOCKPAM_URL="https://127.0.0.1:$port"
  MOCKPAM_CA="$PAM_DIR/certs/ca.pem"
  PAM_CONN="DRIVER={credshim};TargetDriver={PostgreSQL Unicode};Servername=$CS_PG_HOST;Port=$CS_PG_PORT;Database=$CS_PG_DATABASE;PamUrl=$MOCKPAM_URL;PamCAFile={$MOCKPAM_CA}"
  PAM_DIRECT="DRIVER={PostgreSQL Unicode};Servername=$CS_PG_HOST;Port=$CS_PG_PORT;Database=$CS_PG_DATABASE"
  export PAM_DIR PAM_MOCK_DIR MOCKPAM_URL MOCKPAM_CA PAM_TOKEN PAM_TOKEN2 PAM_TOKEN_FILE \
         PAM_BAD_TOKEN_FILE PAM_OPEN_TOKEN_FILE PAM_MOCK_LOG PAM_CONN PAM_DIRECT
  pam_write_ini
  pam_log "mock PAM $MOCKPAM_URL (pid $PAM_MOCK_PID), files in $PAM_DIR"
}
