#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.pam.session_keep: what renewal (PamRenew, docs/security.md
# "Expiry and renewal") relies on: PostgreSQL and MariaDB keep a session
# that is already open when its account's password changes, and only new
# logins need the new password.
#
# For each database: an account of this test's own (cs_keep) gets
# password 1; a client session logs in with it and queries; an
# administrator changes the password (as the PAM does at a check-in); the
# same session queries again (must work); a new login with password 1
# fails and one with password 2 works.  The servers are the ones
# tests/run.sh started; nothing here touches the accounts the mock PAM
# rotates.
set -euo pipefail
# shellcheck source=../../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_require_odbc_env
[[ -n "${CS_MARIA_SOCKET:-}" && -n "${CS_MARIA_PORT:-}" ]] ||
  cs_die "the MariaDB server is not running (run through tests/run.sh)"

KEEP=cs_keep
# Test-only secrets: letters and digits, fresh each run.
P1="k1$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
P2="k2$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SESSION_PID=""

keep_cleanup() {
  local rc=$?
  if [[ -n "$SESSION_PID" ]]; then
    kill "$SESSION_PID" 2>/dev/null || true
    wait "$SESSION_PID" 2>/dev/null || true
  fi
  exit "$rc"
}
trap keep_cleanup EXIT

# Sends one statement to the session (coprocess SESSION) and prints the
# first line it answers (within 10 s), or nothing.
session_ask() {
  local line=""
  printf '%s\n' "$1" >&"${SESSION[1]}"
  IFS= read -r -t 10 line <&"${SESSION[0]}" || true
  printf '%s' "$line"
}

session_end() {
  exec {SESSION[1]}>&- || true
  wait "$SESSION_PID" 2>/dev/null || true
  SESSION_PID=""
}

# ok CONDITION-STATUS WHAT: a PASS or FAIL line.
ok() {
  if [[ "$1" == 0 ]]; then pam_pass "$2"; else pam_fail "$2"; fi
}

# check NAME: the open session survives set_pw; logins follow the new one.
# Needs: open_session PW (starts coproc SESSION), set_pw PW, login PW.
check() {
  local name="$1" a b r
  set_pw "$P1"
  open_session "$P1"
  a=$(session_ask "SELECT 'one';")
  ok "$([[ "$a" == one ]] && echo 0 || echo 1)" "$name: a session logged in with password 1 queries (got '$a')"
  set_pw "$P2"
  b=$(session_ask "SELECT 'two';")
  ok "$([[ "$b" == two ]] && echo 0 || echo 1)" "$name: the same session still queries after the password changed (got '$b')"
  session_end
  r=0; login "$P1" || r=$?
  ok "$([[ "$r" != 0 ]] && echo 0 || echo 1)" "$name: a new login with the old password is refused"
  r=0; login "$P2" || r=$?
  ok "$r" "$name: a new login with the new password works"
}

# ---- PostgreSQL ----------------------------------------------------------

pg_psql() {
  timeout 30 "$CS_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$CS_PG_SOCKDIR" -p "$CS_PG_PORT" \
    -U "$CS_PG_ADMIN" -d "$CS_PG_DATABASE" "$@"
}

pg_set_pw() {
  pg_psql >/dev/null <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$KEEP') THEN
    CREATE ROLE $KEEP LOGIN;
  END IF;
END \$\$;
ALTER ROLE $KEEP PASSWORD '$1';
EOF
}

pg_open_session() {
  coproc SESSION { PGPASSWORD="$1" PGCONNECT_TIMEOUT=10 exec "$CS_PG_BINDIR/psql" -X -q -A -t \
    -h "$CS_PG_HOST" -p "$CS_PG_PORT" -U "$KEEP" -d "$CS_PG_DATABASE" 2>/dev/null; }
}

pg_login() {
  PGPASSWORD="$1" PGCONNECT_TIMEOUT=10 timeout 30 "$CS_PG_BINDIR/psql" -X -q -A -t \
    -h "$CS_PG_HOST" -p "$CS_PG_PORT" -U "$KEEP" -d "$CS_PG_DATABASE" -c "SELECT 1" >/dev/null 2>&1
}

# ---- MariaDB -------------------------------------------------------------

maria_admin() {
  timeout 30 mariadb --no-defaults --batch -S "$CS_MARIA_SOCKET" -u "$CS_MARIA_ADMIN" "$@"
}

maria_set_pw() {
  maria_admin -e "CREATE USER IF NOT EXISTS '$KEEP'@'%'; ALTER USER '$KEEP'@'%' IDENTIFIED BY '$1';"
}

maria_open_session() {
  coproc SESSION { MYSQL_PWD="$1" exec mariadb --no-defaults --batch --skip-column-names \
    --unbuffered -h "$CS_MARIA_HOST" -P "$CS_MARIA_PORT" -u "$KEEP" 2>/dev/null; }
}

maria_login() {
  MYSQL_PWD="$1" timeout 30 mariadb --no-defaults --batch -h "$CS_MARIA_HOST" -P "$CS_MARIA_PORT" \
    -u "$KEEP" -e "SELECT 1" >/dev/null 2>&1
}

set_pw() { pg_set_pw "$@"; }
open_session() { pg_open_session "$@"; }
login() { pg_login "$@"; }
check PostgreSQL

set_pw() { maria_set_pw "$@"; }
open_session() { maria_open_session "$@"; }
login() { maria_login "$@"; }
check MariaDB

pam_finish
