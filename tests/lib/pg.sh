# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# A throwaway PostgreSQL cluster for the integration tests.
#
#   cs_pg_start            initdb + start + create roles and cs_test; sets and
#                          exports CS_PG_* (see below)
#   cs_pg_stop             stop the server, remove its directory (idempotent)
#   cs_pg_psql [args...]   psql as the superuser over the unix socket
#
# The server listens on 127.0.0.1 only and on a unix socket inside its own
# temporary directory.  As root, initdb and the server run as the OS user
# 'postgres' (PostgreSQL refuses to run as root).
#
# Inputs (optional): CS_PG_BINDIR (default /usr/lib/postgresql/15/bin),
# CS_PG_PORT (first port tried, default 54329), CS_PG_PASSWORD.
# Needs tests/lib/common.sh.

CS_PG_BINDIR="${CS_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
CS_PG_HOST=127.0.0.1
CS_PG_ADMIN=postgres
CS_PG_DATABASE=cs_test
CS_PG_USER=cs_user
# A test-only secret with the characters connection strings must escape.
# (Not written inline in ${...:-...}: its '}' would end the expansion.)
cs_pg_default_password='cs pw;{x}=1'
CS_PG_PASSWORD="${CS_PG_PASSWORD:-$cs_pg_default_password}"
CS_PG_APP_ROLES=(cs_app1 cs_app2 cs_app3)
CS_PG_TMPDIR=""
CS_PG_DATA=""
CS_PG_LOG=""
CS_PG_STARTED=0

# Runs a command as the OS user that owns the cluster.
cs_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$CS_PG_TMPDIR" && runuser -u postgres -- "$@")
  else
    (cd "$CS_PG_TMPDIR" && "$@")
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
cs_pg_port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

cs_pg_psql() {
  timeout 60 "$CS_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$CS_PG_SOCKDIR" -p "$CS_PG_PORT" -U "$CS_PG_ADMIN" "$@"
}

# Creates the temporary directory and the cluster in it.
cs_pg_init() {
  [[ -x "$CS_PG_BINDIR/initdb" ]] || cs_die "no PostgreSQL at $CS_PG_BINDIR (run tests/deps.sh)"
  CS_PG_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/credshim-pg.XXXXXX")
  CS_PG_SOCKDIR="$CS_PG_TMPDIR"
  CS_PG_DATA="$CS_PG_TMPDIR/data"
  CS_PG_LOG="$CS_PG_TMPDIR/postgresql.log"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || cs_die "running as root but there is no 'postgres' OS user"
    chown postgres: "$CS_PG_TMPDIR"
  fi
  chmod 0755 "$CS_PG_TMPDIR"

  cs_pg_as_owner timeout 120 "$CS_PG_BINDIR/initdb" -D "$CS_PG_DATA" -U "$CS_PG_ADMIN" \
      -E UTF8 --locale=C --auth-local=trust --auth-host=reject --no-sync >"$CS_PG_TMPDIR/initdb.log" 2>&1 \
    || { cat "$CS_PG_TMPDIR/initdb.log" >&2; cs_die "initdb failed"; }

  # Only the superuser over the socket without a password; everything else
  # over TCP on loopback with SCRAM.  The database name cs_refused refuses
  # every login with "Ident authentication failed" (no identd runs): a
  # login refusal the right password cannot cure (PAM tests).
  cs_pg_as_owner tee "$CS_PG_DATA/pg_hba.conf" >/dev/null <<EOF
local all $CS_PG_ADMIN                trust
host  cs_refused all   127.0.0.1/32 ident
host  all all          127.0.0.1/32 scram-sha-256
EOF
}

# Writes the settings that depend on the port and starts the server.
# Returns 1 when the server did not come up.
cs_pg_try_start() {
  local port="$1"
  cs_pg_as_owner tee "$CS_PG_DATA/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$CS_PG_SOCKDIR'
password_encryption = 'scram-sha-256'
max_connections = 60
shared_buffers = '32MB'
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_connections = off
EOF
  : >"$CS_PG_LOG"
  chmod 0666 "$CS_PG_LOG"
  cs_pg_as_owner "$CS_PG_BINDIR/pg_ctl" -D "$CS_PG_DATA" -l "$CS_PG_LOG" -w -t 60 start >/dev/null 2>&1
}

# Waits (bounded) until the server answers on TCP.
cs_pg_wait_ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    if "$CS_PG_BINDIR/pg_isready" -q -h "$CS_PG_HOST" -p "$CS_PG_PORT" -t 2; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# Creates the test database, the login role the ODBC tests connect as, and
# the roles the PAM tests check out (no password until a test sets one).
cs_pg_setup_db() {
  local role
  cs_pg_psql -d postgres -v pw="$CS_PG_PASSWORD" <<EOF
CREATE ROLE $CS_PG_USER LOGIN PASSWORD :'pw';
CREATE DATABASE $CS_PG_DATABASE OWNER $CS_PG_USER ENCODING 'UTF8' TEMPLATE template0;
EOF
  for role in "${CS_PG_APP_ROLES[@]}"; do
    cs_pg_psql -d postgres -c "CREATE ROLE $role LOGIN"
  done
  cs_pg_psql -d "$CS_PG_DATABASE" <<EOF
GRANT ALL ON SCHEMA public TO $CS_PG_USER;
SET ROLE $CS_PG_USER;
CREATE TABLE cs_fixture (id integer PRIMARY KEY, txt text NOT NULL);
INSERT INTO cs_fixture VALUES (1, 'one'), (2, 'Grüße ✓ 𝄞'), (3, 'three');
RESET ROLE;
EOF
  for role in "${CS_PG_APP_ROLES[@]}"; do
    cs_pg_psql -d "$CS_PG_DATABASE" <<EOF
GRANT CONNECT, TEMPORARY ON DATABASE $CS_PG_DATABASE TO $role;
GRANT USAGE, CREATE ON SCHEMA public TO $role;
GRANT SELECT ON cs_fixture TO $role;
EOF
  done
}

cs_pg_start() {
  local port tries=0
  cs_pg_init
  port="${CS_PG_PORT:-54329}"
  while :; do
    if ((tries++ >= 20)); then
      cs_die "could not start PostgreSQL on any port from ${CS_PG_PORT:-54329}; log: $(cat "$CS_PG_LOG" 2>/dev/null)"
    fi
    if cs_pg_port_busy "$port"; then
      port=$((port + 1))
      continue
    fi
    CS_PG_STARTED=1
    if cs_pg_try_start "$port"; then
      break
    fi
    if grep -qiE 'could not (bind|create listen)|already in use' "$CS_PG_LOG"; then
      port=$((port + 1))
      continue
    fi
    cat "$CS_PG_LOG" >&2
    cs_die "PostgreSQL did not start"
  done
  CS_PG_PORT="$port"
  cs_pg_wait_ready || { cat "$CS_PG_LOG" >&2; cs_die "PostgreSQL is not accepting connections"; }
  cs_pg_setup_db
  export CS_PG_BINDIR CS_PG_HOST CS_PG_PORT CS_PG_SOCKDIR CS_PG_ADMIN \
         CS_PG_DATABASE CS_PG_USER CS_PG_PASSWORD
}

# Stops the server (fast, then immediate, then kills its postmaster) and
# removes the temporary directory.  Safe to call more than once.
cs_pg_stop() {
  local pid
  if [[ "$CS_PG_STARTED" == 1 && -n "$CS_PG_DATA" ]]; then
    if ! cs_pg_as_owner "$CS_PG_BINDIR/pg_ctl" -D "$CS_PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
      if ! cs_pg_as_owner "$CS_PG_BINDIR/pg_ctl" -D "$CS_PG_DATA" -m immediate -w -t 15 stop >/dev/null 2>&1; then
        pid=$(head -n 1 "$CS_PG_DATA/postmaster.pid" 2>/dev/null || true)
        # Only a postmaster of this cluster, never a reused pid.
        if [[ "$pid" =~ ^[0-9]+$ ]] &&
           tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CS_PG_DATA"; then
          kill -KILL "$pid" 2>/dev/null || true
        fi
      fi
    fi
    CS_PG_STARTED=0
  fi
  if [[ -n "$CS_PG_TMPDIR" && -d "$CS_PG_TMPDIR" ]]; then
    rm -rf -- "$CS_PG_TMPDIR"
  fi
  CS_PG_TMPDIR=""
}
