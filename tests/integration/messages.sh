#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.messages: errors that name their fix, through unixODBC's isql
# (and pyodbc for SQLGetInfo), with a mock PAM (tests/integration/pam/lib.sh):
#   - unknown keys of credshim's namespaces (Pam*, Shim*, Target*) are 08001
#     naming the key and the nearest known one, in a DSN and in a DSN-less
#     string, also when the misspelt key is the only Pam* key; other keys
#     still reach the target driver;
#   - a ShimLogLevel that names no level is 08001 too (any case and blanks
#     around a level are accepted);
#   - a TargetDriver odbcinst.ini does not know: IM003 naming the DSN and
#     the closest registered driver names;
#   - a token the PAM refuses (28000: "the PAM rejected the API token
#     (HTTP 401): PAM says ...; the API token came from ...") names where
#     it was read (PamTokenFile and its path, PamTokenEnv and the variable,
#     PamToken), never the token;
#   - credshim's log starts with its version (the one of CMakeLists.txt),
#     while SQLGetInfo(SQL_DRIVER_VER) stays the target driver's answer.
#
#   messages.sh <version>
set -euo pipefail
# shellcheck source=pam/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pam/lib.sh"

[[ $# -eq 1 ]] || cs_die "usage: $0 <credshim version>"
version="$1"
pam_setup

db="$PAM_DIR/messages.db"
sqlite3 "$db" "CREATE TABLE t (a integer); INSERT INTO t VALUES (42);"
badtok=$(cat "$PAM_BAD_TOKEN_FILE")
cat >>"$ODBCINI" <<INI

; ---- tests/integration/messages.sh ----
[msg_typo]
Driver=credshim
TargetDriver=SQLite3
Database=$db
PamDuraton=480

[msg_onlypam]
Driver=credshim
TargetDriver=SQLite3
Database=$db
PamRunHots=pg1

[msg_shim]
Driver=credshim
TargetDriver=SQLite3
Database=$db
ShimLogFil=$PAM_DIR/never.log

[msg_target]
Driver=credshim
TargetDrvier=SQLite3
Database=$db

[msg_passthrough]
Driver=credshim
TargetDriver=SQLite3
Database=$db
Timeout=2000
StepAPI=0
ShimLogFile=$PAM_DIR/shim.log
ShimLogLevel=warn

[msg_baddrv]
Driver=credshim
TargetDriver=PostgreSQL Unicod
Servername=$CS_PG_HOST

[msg_badenv]
Driver=credshim
TargetDriver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
PamUrl=$MOCKPAM_URL
PamCAFile=$MOCKPAM_CA
PamRunHost=pg1
PamTokenEnv=CS_MSG_TOKEN
INI

n_out=0
# expect <what> <sqlstate> <text> <isql args...>: the connect fails with
# that SQLSTATE, credshim's prefix and the text, and never shows the bad
# token.
expect() {
  local what="$1" state="$2" text="$3" out rc=0
  shift 3
  n_out=$((n_out + 1))
  out="$PAM_DIR/expect-$n_out.out"
  printf 'SELECT 1\n' | cs_client 30 isql -b -v "$@" >"$out" 2>&1 || rc=$?
  if [[ "$rc" != 0 ]] && grep -qF "[$state]" "$out" && grep -qF "[credshim]" "$out" &&
     grep -qF -- "$text" "$out" && ! grep -qF -- "$badtok" "$out"; then
    pam_pass "$what: $state '$text'"
  else
    pam_fail "$what: expected $state with '$text' (isql exit status $rc):"
    sed 's/^/    /' "$out"
  fi
}

pam_log "unknown keys"
expect "misspelt key in a DSN" 08001 \
  "msg_typo: unknown key PamDuraton; did you mean PamDuration?" msg_typo
expect "the only Pam* key, misspelt (no silent pass-through)" 08001 \
  "msg_onlypam: unknown key PamRunHots; did you mean PamRunHost?" msg_onlypam
expect "Shim* namespace" 08001 "unknown key ShimLogFil; did you mean ShimLogFile?" msg_shim
expect "Target* namespace" 08001 "unknown key TargetDrvier; did you mean TargetDriver?" msg_target
expect "DSN-less, PamToken-file (not 'set exactly one of ...')" 08001 \
  "(DSN-less connection): unknown key PamToken-file; did you mean PamTokenFile?" \
  -k "DRIVER={credshim};TargetDriver={SQLite3};Database=$db;PamUrl=$MOCKPAM_URL;PamRunHost=pg1;PamToken-file=$PAM_TOKEN_FILE"
expect "the application's keys beside a DSN's are checked too" 08001 \
  "unknown key pamrunhots; did you mean PamRunHost?" -k "DSN=msg_passthrough;pamrunhots=pg1"
expect "a ShimLogLevel that names no level" 08001 \
  "(DSN-less connection): ShimLogLevel must be error, warn, info or debug" \
  -k "DRIVER={credshim};TargetDriver={SQLite3};Database=$db;ShimLogLevel=verbose"
out="$PAM_DIR/loglevel.out"
printf 'SELECT a FROM t\n' | cs_client 30 isql -b -v -d'|' -k \
  "DRIVER={credshim};TargetDriver={SQLite3};Database=$db;ShimLogLevel= Info " >"$out" 2>&1 || true
if grep -qx 42 "$out"; then
  pam_pass "ShimLogLevel=' Info ' is accepted: the query ran"
else
  pam_fail "ShimLogLevel=' Info ' was refused:"
  sed 's/^/    /' "$out"
fi

out="$PAM_DIR/passthrough.out"
printf 'SELECT a FROM t\n' | cs_client 30 isql -b -v -d'|' msg_passthrough >"$out" 2>&1 || true
if grep -qx 42 "$out"; then
  pam_pass "the target's own keys (Timeout, StepAPI) still pass: the query ran"
else
  pam_fail "the query through msg_passthrough did not run:"
  sed 's/^/    /' "$out"
fi

pam_log "TargetDriver not registered"
expect "names the DSN and the closest registered drivers" IM003 \
  "msg_baddrv: TargetDriver 'PostgreSQL Unicod' is neither an absolute library path nor a driver registered in odbcinst.ini; the closest registered: 'PostgreSQL Unicode', 'PostgreSQL ANSI'" \
  msg_baddrv

pam_log "a refused API token names its source"
expect "PamTokenFile and its path" 28000 \
  "the API token came from PamTokenFile $PAM_BAD_TOKEN_FILE" pam_badtoken
export CS_MSG_TOKEN="$badtok"
expect "PamTokenEnv and the variable" 28000 \
  "the API token came from PamTokenEnv CS_MSG_TOKEN" msg_badenv
unset CS_MSG_TOKEN
expect "PamToken" 28000 "the API token came from PamToken" \
  -k "$PAM_CONN;PamRunHost=pg1;PamToken=$badtok"
pam_check "nothing left checked out" pam_wait_none_outstanding 5

pam_log "the version: in credshim's log, not in SQLGetInfo"
first=$(head -n 1 "$PAM_DIR/shim.log" 2>/dev/null || true)
printf '    %s\n' "$first"
pam_check "the log's first line is 'credshim $version opened this log' (at level warn)" \
  grep -qE "credshim\\[[0-9]+\\] info: credshim $version opened this log\$" <<<"$first"
vers=$(cs_client 60 /usr/bin/python3 - "$db" <<'PY'
import sys, pyodbc
db = sys.argv[1]
for cs in ("DRIVER={SQLite3};Database=" + db,
           "DRIVER={credshim};TargetDriver={SQLite3};Database=" + db):
    c = pyodbc.connect(cs)
    print(c.getinfo(pyodbc.SQL_DRIVER_VER))
    c.close()
PY
) || true
printf '    SQL_DRIVER_VER direct / through credshim: %s\n' "$(tr '\n' ' ' <<<"$vers")"
pam_check "SQLGetInfo(SQL_DRIVER_VER) is the target's answer, not credshim's version" \
  test "$(wc -l <<<"$vers")" = 2 -a "$(sed -n 1p <<<"$vers")" = "$(sed -n 2p <<<"$vers")" \
  -a "$(sed -n 2p <<<"$vers")" != "$version"

pam_finish
