# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The two halves of the credshim demo, shared by tests/demo.sh (all on this
# machine), docker/compose.yaml (one container each) and the ctest test
# demo.roles.  Sourced, never run; needs tests/lib/common.sh.
#
#   cs_demo_mockpam   the mock PAM, in the foreground (exec): TLS files, a
#                     fresh API token, the account it hands out; listens on
#                     127.0.0.1 only
#   cs_demo_client    writes a credshim DSN, connects with isql, runs the
#                     query and shows the checkout, the check-in and the
#                     password rotation as they happen; returns 0 when all
#                     of it was seen
#
# Both share one directory, CS_DEMO_DIR:
#   certs/ca.pem, certs/server.{pem,key}   tests/mockpam/gen-certs.sh
#   token            the API token (mode 600)
#   mockpam.json     the mock's configuration (holds the token: mode 600)
#   port             the mock's port, written once it listens
#   mockpam.log      the mock's request and checkout log (no secrets)
#   client/          the client's odbc.ini and credshim's ShimLogFile
#
# Settings (environment):
#   CS_DEMO_DIR            the shared directory (required)
#   CS_DEMO_PG_HOST        PostgreSQL for the administrator: a host or a
#                          unix socket directory (required)
#   CS_DEMO_PG_PORT        its port (default 5432)
#   CS_DEMO_PG_ADMIN       a superuser (default postgres); PGPASSWORD if it
#                          needs one
#   CS_DEMO_PSQL           psql (default: psql on PATH)
#   CS_DEMO_DB_HOST/PORT   where the DSN's target driver connects (default
#                          CS_DEMO_PG_HOST/PORT)
#   CS_DEMO_DB_NAME        the database (default postgres)

CS_DEMO_RUNHOST=demo-pg
CS_DEMO_ACCOUNT=cs_demo
CS_DEMO_DSN=credshim_demo
CS_DEMO_QUERY='SELECT current_user AS logged_in_as, now() AS at'
CS_DEMO_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CS_DEMO_ISQL_PID=""
CS_DEMO_ISQL_FD=""

cs_demo_settings() {
  : "${CS_DEMO_DIR:?CS_DEMO_DIR is not set}"
  : "${CS_DEMO_PG_HOST:?CS_DEMO_PG_HOST is not set}"
  CS_DEMO_PG_PORT="${CS_DEMO_PG_PORT:-5432}"
  CS_DEMO_PG_ADMIN="${CS_DEMO_PG_ADMIN:-postgres}"
  CS_DEMO_PSQL="${CS_DEMO_PSQL:-psql}"
  CS_DEMO_DB_HOST="${CS_DEMO_DB_HOST:-$CS_DEMO_PG_HOST}"
  CS_DEMO_DB_PORT="${CS_DEMO_DB_PORT:-$CS_DEMO_PG_PORT}"
  CS_DEMO_DB_NAME="${CS_DEMO_DB_NAME:-postgres}"
}

# Prints each line of stdin indented, with an optional label.
cs_demo_show() {
  local label="${1:-}" l
  while IFS= read -r l; do
    printf '   %s%s\n' "${label:+$label }" "$l"
  done
}

# psql as the PostgreSQL administrator, one value a line.
cs_demo_admin_psql() {
  timeout 30 "$CS_DEMO_PSQL" -X -q -At -v ON_ERROR_STOP=1 -h "$CS_DEMO_PG_HOST" \
    -p "$CS_DEMO_PG_PORT" -U "$CS_DEMO_PG_ADMIN" -d postgres "$@"
}

# The login role the mock PAM hands out (no password until it sets one).
cs_demo_db_setup() {
  cs_demo_admin_psql -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$CS_DEMO_ACCOUNT') THEN
      CREATE ROLE $CS_DEMO_ACCOUNT LOGIN;
    END IF; END \$\$;" >/dev/null
}

# A short fingerprint of the account's password verifier: it changes with
# every new password, and shows nothing of the password.
cs_demo_fingerprint() {
  cs_demo_admin_psql -c "SELECT coalesce(substr(md5(rolpassword), 1, 12), '(no password)')
                         FROM pg_authid WHERE rolname = '$CS_DEMO_ACCOUNT'"
}

# Waits (bounded) for the server to accept the administrator.
cs_demo_wait_pg() {
  local i
  for ((i = 0; i < 120; i++)); do
    cs_demo_admin_psql -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cs_die "PostgreSQL at $CS_DEMO_PG_HOST:$CS_DEMO_PG_PORT does not answer"
}

# ---- the mock PAM ------------------------------------------------------

# TLS files, a fresh token and the mock's configuration in CS_DEMO_DIR.
cs_demo_pam_files() {
  local dir="$CS_DEMO_DIR" token
  mkdir -p "$dir"
  rm -f "$dir/port"
  sh "$CS_DEMO_SOURCE_DIR/tests/mockpam/gen-certs.sh" "$dir/certs"
  token=$(openssl rand -hex 24)
  (
    umask 077
    printf '%s\n' "$token" >"$dir/token"
    printf '{"tokens": ["%s"], "runhosts": {"%s": {"accounts": ["%s"]}}}\n' \
      "$token" "$CS_DEMO_RUNHOST" "$CS_DEMO_ACCOUNT" >"$dir/mockpam.json"
  )
  chmod 600 "$dir/token" "$dir/mockpam.json"
}

# Everything the mock PAM needs before it starts: PostgreSQL up, the
# account, the TLS files, the token.
cs_demo_mockpam_prepare() {
  cs_demo_settings
  # A port file left in a reused directory must not announce this mock.
  rm -f "$CS_DEMO_DIR/port"
  cs_demo_wait_pg
  cs_demo_db_setup
  cs_demo_pam_files
}

# Runs the mock PAM in the foreground (replaces the shell): HTTPS on
# 127.0.0.1, a free port (written to CS_DEMO_DIR/port), passwords pushed to
# PostgreSQL as the administrator.  --expose-passwords is the mock's test
# hook that lets the client try the handed-out password itself.
cs_demo_mockpam_exec() {
  exec python3 "$CS_DEMO_SOURCE_DIR/tests/mockpam/mockpam.py" \
    --listen 127.0.0.1 --port 0 --port-file "$CS_DEMO_DIR/port" \
    --tls-cert "$CS_DEMO_DIR/certs/server.pem" --tls-key "$CS_DEMO_DIR/certs/server.key" \
    --config "$CS_DEMO_DIR/mockpam.json" --log "$CS_DEMO_DIR/mockpam.log" --expose-passwords \
    --pg-host "$CS_DEMO_PG_HOST" --pg-port "$CS_DEMO_PG_PORT" \
    --pg-admin "$CS_DEMO_PG_ADMIN" --pg-database postgres --psql "$CS_DEMO_PSQL"
}

# The mock PAM container: prepare, then run it.
cs_demo_mockpam() {
  cs_demo_mockpam_prepare
  cs_demo_mockpam_exec
}

# Prints the mock's port once it listens.  Waits at most $1 seconds, and
# not at all once process $2 (the mock, when known) has ended.
cs_demo_pam_port() {
  local secs="${1:-60}" pid="${2:-}" i
  for ((i = 0; i < secs * 10; i++)); do
    if [[ -s "$CS_DEMO_DIR/port" ]]; then
      cat "$CS_DEMO_DIR/port"
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# Prints a summary of the mock's state: "checkouts checkins rotation_failures
# outstanding" on the first line, then one line per outstanding checkout.
cs_demo_pam_state() {
  python3 - "$CS_DEMO_SOURCE_DIR/tests/mockpam" "$CS_DEMO_PAM_URL" "$CS_DEMO_DIR/certs/ca.pem" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import mockpam_client as mp
mp.configure(sys.argv[2], cafile=sys.argv[3])
st = mp.state()
out = st["outstanding"]
print(st["checkouts"], st["checkins"], st["rotation_failures"], len(out))
for c in out:
    print("request %s: runHost %s, account %s, checked in by the PAM itself in %d s if nobody does"
          % (c["id"], c["runHost"], c["account"], c["expires_in_s"]))
EOF
}

# ---- the client --------------------------------------------------------

# One line on a cs_demo_try_login: its status $1, its output $2.
cs_demo_login_said() {
  if [[ "$1" == 0 ]]; then
    printf 'logged in (as %s)' "$(head -n 1 <<<"$2")"
  else
    printf 'refused (%s)' "$(grep -m 1 . <<<"$2" | sed 's/^.*failed: *//')"
  fi
}

# The password the mock handed out for request $1 (its --expose-passwords
# test hook), on stdout: only ever passed to cs_demo_try_login, never shown.
cs_demo_issued_password() {
  python3 - "$CS_DEMO_SOURCE_DIR/tests/mockpam" "$CS_DEMO_PAM_URL" "$CS_DEMO_DIR/certs/ca.pem" "$1" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import mockpam_client as mp
for c in mp.MockPam(sys.argv[2], sys.argv[3]).issued():
    if c["id"] == sys.argv[4]:
        sys.stdout.write(c["passwd"])
EOF
}

# A login as the demo account with password $1, straight to PostgreSQL
# (psql, not through credshim).  Prints psql's answer; fails as psql does.
cs_demo_try_login() {
  PGPASSWORD="$1" PGCONNECT_TIMEOUT=10 timeout 30 "$CS_DEMO_PSQL" -X -q -At -w \
    -h "$CS_DEMO_DB_HOST" -p "$CS_DEMO_DB_PORT" -U "$CS_DEMO_ACCOUNT" -d "$CS_DEMO_DB_NAME" \
    -c 'SELECT current_user' 2>&1
}

# The target driver: psqlODBC by its odbcinst.ini name, or by path when the
# name is not registered.
cs_demo_target_driver() {
  local f
  if odbcinst -q -d -n "PostgreSQL Unicode" >/dev/null 2>&1; then
    printf '%s\n' "PostgreSQL Unicode"
    return 0
  fi
  for f in /usr/lib/*/odbc/psqlodbcw.so /usr/lib/odbc/psqlodbcw.so /usr/lib64/psqlodbcw.so; do
    if [[ -e "$f" ]]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  cs_die "psqlODBC is not installed (odbc-postgresql)"
}

# Writes the client's odbc.ini; exports ODBCINI.
cs_demo_write_dsn() {
  local cdir="$CS_DEMO_DIR/client" target
  target=$(cs_demo_target_driver)
  mkdir -p "$cdir"
  rm -f "$cdir/credshim.log"
  cat >"$cdir/odbc.ini" <<EOF
[$CS_DEMO_DSN]
Driver       = credshim
Description  = credshim demo: $CS_DEMO_ACCOUNT checked out of the mock PAM
TargetDriver = $target
Servername   = $CS_DEMO_DB_HOST
Port         = $CS_DEMO_DB_PORT
Database     = $CS_DEMO_DB_NAME
PamUrl       = $CS_DEMO_PAM_URL
PamRunHost   = $CS_DEMO_RUNHOST
PamTokenFile = $CS_DEMO_DIR/token
PamCAFile    = $CS_DEMO_DIR/certs/ca.pem
PamDuration  = 5
ShimLogFile  = $cdir/credshim.log
ShimLogLevel = info
EOF
  ODBCINI="$cdir/odbc.ini"
  export ODBCINI
}

# Writes a credshim DSN to start from, every line explained, with the
# values a user changes marked (tests/demo.sh --keep):
#   cs_demo_write_template <file> <install prefix> <TargetDriver>
cs_demo_write_template() {
  local file="$1" prefix="$2" target="$3" docs
  docs="$prefix/share/doc/credshim"
  cat >"$file" <<EOF
; A credshim data source to start from, written by tests/demo.sh --keep.
;
; 1. Change the values below the lines marked CHANGE: your database, your
;    PAM, your API token file.
; 2. Install it for yourself (into ~/.odbc.ini):
;        odbcinst -i -s -h -f $file
;    or for every user, as root (into /etc/odbc.ini):
;        odbcinst -i -s -l -f $file
; 3. Connect:  isql -v MyDatabase
;
; Every key: man 7 credshim.  The PAM side (runHost, API token, checking
; the token with curl): $docs/pam-setup.md.
; DSNs for MariaDB, SQL Server, Oracle, Db2: $docs/cookbook.md.
; Lines starting with ; are comments.

; CHANGE the name between the brackets: what applications connect to.
[MyDatabase]
; credshim itself, as registered in odbcinst.ini (odbcinst -q -d).
Driver       = credshim
Description  = My database, credential checked out of the PAM
; The real ODBC driver: a name odbcinst -q -d lists, or a library path.
TargetDriver = $target
; CHANGE: where the database is (the real driver's own keys).
Servername   = db.example.com
Port         = 5432
Database     = mydb
; CHANGE: the PAM's base URL.
PamUrl       = https://pam.example.com
; CHANGE: the runHost (the PAM application) to check a credential out of.
PamRunHost   = my-runhost
; CHANGE: the file holding your API token, readable by you only (chmod 600).
PamTokenFile = /home/me/.config/credshim/token
; Minutes a checkout is asked for: longer than your longest connection.
PamDuration  = 60
; Uncomment when the CA that signed the PAM's certificate is not trusted
; by the system: its PEM file.
;PamCAFile    = /etc/ssl/certs/my-ca.pem
; Uncomment for credshim's own log; info shows each checkout and check-in.
;ShimLogFile  = /tmp/credshim.log
;ShimLogLevel = info
EOF
}

# Prints how to use the template <file> (tests/demo.sh --keep).
cs_demo_template_howto() {
  printf '   a DSN to start from, every line explained: %s\n' "$1"
  printf '   edit the values marked CHANGE, then:\n'
  printf '     odbcinst -i -s -h -f %s    # into your ~/.odbc.ini (-l as root: /etc/odbc.ini)\n' "$1"
  printf '     isql -v MyDatabase\n'
}

# isql, under the sanitizer runtime when run by the test suite.
cs_demo_isql() {
  if [[ -n "${CS_BUILD_DIR:-}" ]]; then
    cs_client 60 isql -b -v "$CS_DEMO_DSN"
  else
    timeout 60 isql -b -v "$CS_DEMO_DSN"
  fi
}

# Prints the lines a file gained since line $2 (1-based), filtered.
cs_demo_new_lines() {
  local file="$1" from="$2" pattern="$3"
  [[ -f "$file" ]] || return 0
  tail -n "+$from" "$file" | grep -E -- "$pattern" || true
}

cs_demo_line_count() {
  if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi
}

# Ends a still running isql (the caller's cleanup).
cs_demo_client_stop() {
  if [[ -n "$CS_DEMO_ISQL_FD" ]]; then
    exec {CS_DEMO_ISQL_FD}>&- || true
    CS_DEMO_ISQL_FD=""
  fi
  if [[ -n "$CS_DEMO_ISQL_PID" ]]; then
    kill -TERM "$CS_DEMO_ISQL_PID" 2>/dev/null || true
    wait "$CS_DEMO_ISQL_PID" 2>/dev/null || true
    CS_DEMO_ISQL_PID=""
  fi
}

CS_DEMO_CHECKS_OK=0
CS_DEMO_CHECKS_BAD=0
cs_demo_check() {
  local what="$1"
  shift
  if "$@"; then
    CS_DEMO_CHECKS_OK=$((CS_DEMO_CHECKS_OK + 1))
    printf '   ok    %s\n' "$what"
  else
    CS_DEMO_CHECKS_BAD=$((CS_DEMO_CHECKS_BAD + 1))
    printf '   FAIL  %s\n' "$what"
  fi
}

# The query through credshim, with what happens at the PAM shown between
# connect and disconnect.  isql reads its input from a FIFO, so the
# connection stays open (the credential checked out) until the FIFO is
# closed.
cs_demo_client() {
  local cdir port shim_log mock_log shim0 mock0 i connected=0 rc=0
  local fp_before fp_during fp_after st0 st1 st2 out co_id="" pw="" login_during=1 login_after=0 said
  local -a s0 s2
  cs_demo_settings
  port=$(cs_demo_pam_port 60) || cs_die "the mock PAM did not start (no $CS_DEMO_DIR/port)"
  CS_DEMO_PAM_URL="https://127.0.0.1:$port"
  cs_demo_write_dsn
  cdir="$CS_DEMO_DIR/client"
  shim_log="$cdir/credshim.log"
  mock_log="$CS_DEMO_DIR/mockpam.log"

  cs_log "DSN $CS_DEMO_DSN in $ODBCINI (token file mode $(stat -c %a "$CS_DEMO_DIR/token"))"
  cs_demo_show <"$ODBCINI"

  st0=$(cs_demo_pam_state) || cs_die "cannot read the mock PAM's state at $CS_DEMO_PAM_URL"
  read -ra s0 <<<"$st0"
  fp_before=$(cs_demo_fingerprint)
  cs_log "before connecting"
  printf '   %s password fingerprint: %s\n' "$CS_DEMO_ACCOUNT" "$fp_before"
  printf '   mock PAM: %s checked out now\n' "${s0[3]}"

  cs_log "isql $CS_DEMO_DSN: connect (credshim checks a credential out)"
  shim0=$(($(cs_demo_line_count "$shim_log") + 1))
  mock0=$(($(cs_demo_line_count "$mock_log") + 1))
  rm -f "$cdir/isql.in" "$cdir/isql.out"
  mkfifo "$cdir/isql.in"
  cs_demo_isql <"$cdir/isql.in" >"$cdir/isql.out" 2>&1 &
  CS_DEMO_ISQL_PID=$!
  exec {CS_DEMO_ISQL_FD}>"$cdir/isql.in"
  # isql may be gone already (a failed connect): no SIGPIPE for us then.
  (trap '' PIPE; printf '%s\n' "$CS_DEMO_QUERY" >&"$CS_DEMO_ISQL_FD") 2>/dev/null || true

  for ((i = 0; i < 300; i++)); do
    if grep -q "connected with a PAM credential" "$shim_log" 2>/dev/null; then
      connected=1
      break
    fi
    kill -0 "$CS_DEMO_ISQL_PID" 2>/dev/null || break
    sleep 0.1
  done
  cs_demo_new_lines "$mock_log" "$mock0" . | cs_demo_show "mock PAM log:"
  cs_demo_new_lines "$shim_log" "$shim0" . | cs_demo_show "credshim log:"
  if [[ "$connected" == 1 ]]; then
    st1=$(cs_demo_pam_state)
    tail -n +2 <<<"$st1" | cs_demo_show "mock PAM: checked out:"
    fp_during=$(cs_demo_fingerprint)
    printf '   %s password fingerprint: %s (set by the PAM for this checkout)\n' \
      "$CS_DEMO_ACCOUNT" "$fp_during"
    co_id=$(sed -n 's/.*checked out request \([^ ]*\) for runHost.*/\1/p' "$shim_log" | tail -n 1)
    pw=$(cs_demo_issued_password "$co_id")
    said=$(cs_demo_try_login "$pw") && login_during=0 || login_during=$?
    printf '   psql -U %s with the password of request %s (the mock'"'"'s test hook): %s\n' \
      "$CS_DEMO_ACCOUNT" "$co_id" "$(cs_demo_login_said "$login_during" "$said")"
  else
    printf '   the connection did not open\n'
  fi

  cs_log "query and disconnect (credshim checks the credential in)"
  shim0=$(($(cs_demo_line_count "$shim_log") + 1))
  mock0=$(($(cs_demo_line_count "$mock_log") + 1))
  exec {CS_DEMO_ISQL_FD}>&-
  CS_DEMO_ISQL_FD=""
  wait "$CS_DEMO_ISQL_PID" || rc=$?
  CS_DEMO_ISQL_PID=""
  out=$(cat "$cdir/isql.out")
  printf '   isql> %s\n' "$CS_DEMO_QUERY"
  cs_demo_show <<<"$out"
  printf '   isql exit status %s\n' "$rc"
  # The mock logs the check-in after rotating; give it a moment.
  for ((i = 0; i < 50; i++)); do
    grep -q "checkin id=$co_id" "$mock_log" 2>/dev/null && break
    sleep 0.1
  done
  cs_demo_new_lines "$mock_log" "$mock0" . | cs_demo_show "mock PAM log:"
  cs_demo_new_lines "$shim_log" "$shim0" . | cs_demo_show "credshim log:"
  st2=$(cs_demo_pam_state)
  read -ra s2 <<<"$(head -n 1 <<<"$st2")"
  printf '   mock PAM: %s checked out now\n' "${s2[3]}"
  fp_after=$(cs_demo_fingerprint)
  printf '   %s password fingerprint: %s (rotated by the PAM at check-in)\n' "$CS_DEMO_ACCOUNT" "$fp_after"
  if [[ -n "$pw" ]]; then
    said=$(cs_demo_try_login "$pw") && login_after=0 || login_after=$?
    printf '   psql -U %s with the same password now: %s\n' "$CS_DEMO_ACCOUNT" \
      "$(cs_demo_login_said "$login_after" "$said")"
  fi
  pw=""

  cs_log "checks"
  cs_demo_check "isql connected through credshim and exited 0" test "$connected$rc" = 10
  cs_demo_check "the query ran as the checked-out account $CS_DEMO_ACCOUNT" \
    grep -qE "\| *$CS_DEMO_ACCOUNT *\|" <<<"$out"
  cs_demo_check "credshim logged the checkout of request ${co_id:-?}" test -n "$co_id"
  cs_demo_check "credshim logged the check-in of request ${co_id:-?}" \
    grep -q "checked in request ${co_id:-none} " "$shim_log"
  cs_demo_check "the mock PAM counted one checkout and one check-in" \
    test "$((s2[0] - s0[0])) $((s2[1] - s0[1]))" = "1 1"
  cs_demo_check "nothing is left checked out" test "${s2[3]}" = "${s0[3]}"
  cs_demo_check "the PAM set a new password for the checkout" \
    test -n "${fp_during:-}" -a "${fp_during:-}" != "$fp_before"
  cs_demo_check "the password changed again at check-in (rotation), without failure" \
    test -n "${fp_during:-}" -a "$fp_after" != "${fp_during:-}" -a "${s2[2]}" = "${s0[2]}"
  cs_demo_check "the checked-out password logged in while checked out" test "$login_during" = 0
  cs_demo_check "the same password is refused after the check-in" test "$login_after" != 0
  [[ "$CS_DEMO_CHECKS_BAD" == 0 ]]
}
