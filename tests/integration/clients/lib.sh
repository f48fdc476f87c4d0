# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/integration/clients/lib.sh - what the client tests share.  Sourced
# (after `set -euo pipefail`), never run.
#
# Each client test connects an ODBC client program (Perl DBI, PHP, pyodbc,
# isql ...) through credshim in PAM mode to PostgreSQL and to MariaDB, once
# through a DSN and once through a DSN-less connection string, and checks
# at the mock PAM that exactly one checkout and one check-in happened.
#
#   cl_setup        pam_setup (../pam/lib.sh: the PostgreSQL mock PAM, its
#                   DSNs pam_pg1 ...), then a second mock PAM whose
#                   passwords go to MariaDB (mockpam.py --db mariadb), and
#                   the DSN cl_maria; a trap stops both mocks
#   cl_conn TARGET KIND    prints the connection a client is given:
#                   TARGET pg|maria, KIND dsn ("DSN=<name>") or str (the
#                   DSN-less connection string, token file in braces)
#   cl_case NAME TARGET OUTFILE CMD...   runs one client connection (CMD,
#                   through cs_client) and checks what it printed and what
#                   the mock saw; PASS/FAIL lines (pam_check's counters)
#
# A client program prints, for the connection it was given:
#   query <CURRENT_USER> <40+2>        SELECT CURRENT_USER, 40 + 2
#   insert <value read back>           a parameterised INSERT into a
#                                      temporary table, then a SELECT
#                                      with a parameter
#   catalog <table name>               the client's catalog call (SQLTables
#                                      or SQLColumns) for cs_fixture
# and exits 0.  cl_case requires the user to be the account the mock
# checked out (so credshim was in the path and the PAM was asked), the
# value to be CL_VALUE, the table to be cs_fixture, and at the mock one
# more checkout and one more check-in, nothing outstanding.
#
# Runhosts: the PostgreSQL mock's pg1 [cs_app1] (pam/lib.sh), the MariaDB
# mock's maria1 [cs_app1] (the MariaDB account of tests/lib/mariadb.sh).

CL_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../pam/lib.sh
. "$CL_LIB_DIR/../pam/lib.sh"

# What the clients insert and read back: the characters connection strings
# and SQL literals must escape.
# shellcheck disable=SC2089,SC2090  # a value, quotes and all
CL_VALUE="a;b{c}=d 'q' 1"
CL_MARIA_MOCK_PID=""
CL_MARIA_URL=""
export CL_VALUE

cl_stop_maria_mock() {
  local i
  [[ -n "$CL_MARIA_MOCK_PID" ]] || return 0
  if kill -0 "$CL_MARIA_MOCK_PID" 2>/dev/null; then
    kill -TERM "$CL_MARIA_MOCK_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$CL_MARIA_MOCK_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$CL_MARIA_MOCK_PID" 2>/dev/null || true
  fi
  wait "$CL_MARIA_MOCK_PID" 2>/dev/null || true
  CL_MARIA_MOCK_PID=""
}

cl_cleanup() {
  local rc=$?
  # A test's own things to stop first, when it defines cl_test_cleanup.
  if [[ "$(type -t cl_test_cleanup)" == function ]]; then
    cl_test_cleanup || true
  fi
  cl_stop_maria_mock
  if [[ "$rc" != 0 && -n "$PAM_DIR" && -s "$PAM_DIR/maria-mock.log" ]]; then
    printf -- '---- tail of the MariaDB mock log\n'
    tail -n 20 "$PAM_DIR/maria-mock.log"
  fi
  # pam_cleanup reads the exit status from $?; under set -e a failed
  # "(exit 1)" would end the trap before it, leaving the mock PAM running.
  set +e
  (exit "$rc")
  pam_cleanup
}

# "<checkouts> <checkins>" at the mock of TARGET once nothing is
# outstanding there (waits up to 5 s); "outstanding <n>" when something
# still is.  One process for both questions: each costs a TLS handshake.
cl_counts() {
  local url="$MOCKPAM_URL"
  [[ "$1" == maria ]] && url="$CL_MARIA_URL"
  "$PAM_PY" - "$url" <<'EOF'
import os, sys, time
sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp
m = mp.MockPam(url=sys.argv[1])
deadline = time.monotonic() + 5
while True:
    s = m.state()
    if not s["outstanding"] or time.monotonic() > deadline:
        break
    time.sleep(0.1)
if s["outstanding"]:
    print("outstanding %d" % len(s["outstanding"]))
else:
    print("%d %d" % (s["checkouts"], s["checkins"]))
EOF
}

cl_start_maria_mock() {
  local cfg="$PAM_DIR/maria-mock.json" port="" i
  PAM_TOKEN="$PAM_TOKEN" "$PAM_PY" - "$cfg" <<'EOF'
import json, os, sys
cfg = {"tokens": [os.environ["PAM_TOKEN"]],
       "runhosts": {"maria1": {"accounts": ["cs_app1"]},
                    "maria2": {"accounts": ["cs_app2", "cs_app3"]}}}
with open(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
    json.dump(cfg, fh)
EOF
  "$PAM_PY" "$PAM_MOCK_DIR/mockpam.py" --config "$cfg" --port 0 --port-file "$PAM_DIR/maria-port" \
    --tls-cert "$PAM_DIR/certs/server.pem" --tls-key "$PAM_DIR/certs/server.key" \
    --log "$PAM_DIR/maria-mock.log" --expose-passwords --idle-timeout 10 \
    --db mariadb --mariadb-socket "$CS_MARIA_SOCKET" --mariadb-admin "$CS_MARIA_ADMIN" \
    </dev/null >"$PAM_DIR/maria-mock.stderr" 2>&1 &
  CL_MARIA_MOCK_PID=$!
  for ((i = 0; i < 300; i++)); do
    if [[ -s "$PAM_DIR/maria-port" ]]; then
      port=$(tr -dc 0-9 <"$PAM_DIR/maria-port")
      [[ -n "$port" ]] && break
    fi
    kill -0 "$CL_MARIA_MOCK_PID" 2>/dev/null ||
      cs_die "the MariaDB mock PAM exited at start: $(cat "$PAM_DIR/maria-mock.stderr")"
    sleep 0.05
  done
  [[ -n "$port" ]] || cs_die "the MariaDB mock PAM did not start listening within 15 s"
  CL_MARIA_URL="https://127.0.0.1:$port"
}

cl_setup() {
  cs_require_env CS_MARIA_PORT CS_MARIA_SOCKET CS_MARIA_ADMIN CS_MARIA_DATABASE
  pam_setup
  trap cl_cleanup EXIT
  cl_start_maria_mock
  cat >>"$ODBCINI" <<EOF

; ---- the client tests' MariaDB DSN (tests/integration/clients/lib.sh) ----
[cl_maria]
Driver=credshim
TargetDriver=MariaDB
Server=$CS_MARIA_HOST
Port=$CS_MARIA_PORT
Database=$CS_MARIA_DATABASE
CHARSET=utf8mb4
PamUrl=$CL_MARIA_URL
PamCAFile=$MOCKPAM_CA
PamRunHost=maria1
PamTokenFile=$PAM_TOKEN_FILE
EOF
  export CL_MARIA_URL
  pam_log "MariaDB mock PAM $CL_MARIA_URL (pid $CL_MARIA_MOCK_PID)"
}

cl_conn() {
  local target="$1" kind="$2"
  case "$target/$kind" in
    pg/dsn) printf 'DSN=pam_pg1' ;;
    maria/dsn) printf 'DSN=cl_maria' ;;
    pg/str)
      printf '%s;PamRunHost=pg1;PamTokenFile={%s}' "$PAM_CONN" "$PAM_TOKEN_FILE" ;;
    maria/str)
      printf 'DRIVER={credshim};TargetDriver={MariaDB};Server=%s;Port=%s;Database=%s;CHARSET=utf8mb4;PamUrl=%s;PamCAFile={%s};PamRunHost=maria1;PamTokenFile={%s}' \
        "$CS_MARIA_HOST" "$CS_MARIA_PORT" "$CS_MARIA_DATABASE" "$CL_MARIA_URL" "$MOCKPAM_CA" "$PAM_TOKEN_FILE" ;;
    *) cs_die "cl_conn: unknown $target/$kind" ;;
  esac
}

# The value of the line "<word> ..." in file $2 (first such line), or "".
cl_field() {
  sed -n "s/^$1 //p" "$2" | head -n 1
}

cl_case() {
  local name="$1" target="$2" out="$3" before after rc=0 user n v t ok=1 co ci
  shift 3
  before=$(cl_counts "$target")
  read -r co ci <<<"$before"
  cs_client 120 "$@" >"$out" 2>&1 || rc=$?
  user=$(cl_field query "$out")
  n=${user##* }
  user=${user% *}
  # MariaDB's CURRENT_USER is user@host.
  user=${user%%@*}
  v=$(cl_field insert "$out")
  t=$(cl_field catalog "$out")
  [[ "$rc" == 0 ]] || ok=0
  [[ "$user" == cs_app1 && "$n" == 42 ]] || ok=0
  [[ "$v" == "$CL_VALUE" || "$v" == n/a ]] || ok=0
  [[ "${t,,}" == cs_fixture || "$t" == n/a ]] || ok=0
  if ((ok)); then
    pam_pass "$name: ran as the checked-out account (query, insert '$v', catalog '$t')"
  else
    pam_fail "$name: exit $rc, user '$user', 40+2 '$n', read back '$v', catalog '$t':"
    sed 's/^/    /' "$out" | head -n 40
  fi
  after=$(cl_counts "$target")
  if [[ "$before" == outstanding* ]]; then
    pam_fail "$name: the mock had a checkout outstanding before the client ran"
  elif [[ "$after" == "$((co + 1)) $((ci + 1))" ]]; then
    pam_pass "$name: one checkout and one check-in at the mock, nothing outstanding"
  else
    pam_fail "$name: at the mock before: '$before' (checkouts checkins), after: '$after'"
  fi
}

# cl_all NAME CMD...: cl_case for both targets, through a DSN and a
# connection string (CL_KINDS="dsn str"; "dsn" for a client that cannot
# take a connection string); the connection is CMD's last argument.
cl_all() {
  local name="$1" target kind
  shift
  for target in pg maria; do
    for kind in ${CL_KINDS:-dsn str}; do
      cl_case "$name $target $kind" "$target" "$PAM_DIR/$name-$target-$kind.out" \
        "$@" "$(cl_conn "$target" "$kind")"
    done
  done
}
