# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# A throwaway MariaDB server for the integration tests, the MariaDB
# counterpart of tests/lib/pg.sh.
#
#   cs_maria_start           mariadb-install-db into a new temporary
#                            directory, start mariadbd, create the test
#                            database and accounts; sets and exports CS_MARIA_*
#   cs_maria_stop            shut the server down, remove its directory
#                            (idempotent; safe on every exit path)
#   cs_maria_sql [args...]   the mariadb client as the admin account over the
#                            server's unix socket (SQL on stdin or -e)
#
# No system service and no /etc/mysql: every program runs with
# --no-defaults.  The server listens on 127.0.0.1 only, on port 33069 or
# the next free one, and on a unix socket inside its own directory.  The
# admin account is the OS user running the tests (root: root), which
# logs in over that socket without a password (unix_socket
# authentication); every other account logs in over TCP with a password.
#
# Inputs (optional): CS_MARIA_PORT (first port tried), CS_MARIA_PASSWORD.
# Needs tests/lib/common.sh.

CS_MARIA_HOST=127.0.0.1
CS_MARIA_DATABASE=cs_test
CS_MARIA_USER=cs_user
# The same test-only secret as PostgreSQL's cs_user, with the characters
# connection strings must escape.
cs_maria_default_password='cs pw;{x}=1'
CS_MARIA_PASSWORD="${CS_MARIA_PASSWORD:-$cs_maria_default_password}"
# Accounts the mock PAM checks out (tests/mockpam/mockpam.py --db mariadb);
# each gets a random password here until a mock sets its own.
CS_MARIA_APP_ROLES=(cs_app1 cs_app2 cs_app3)
CS_MARIA_DIR=""
CS_MARIA_DATA=""
CS_MARIA_LOG=""
CS_MARIA_PID=""
CS_MARIA_SOCKET=""
CS_MARIA_ADMIN=""

cs_maria_sql() {
  timeout 60 mariadb --no-defaults --batch --skip-column-names \
    -S "$CS_MARIA_SOCKET" -u "$CS_MARIA_ADMIN" "$@"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
cs_maria_port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# A random password of letters and digits for the accounts nobody uses yet.
cs_maria_random_password() {
  od -An -N18 -tx1 /dev/urandom | tr -d ' \n'
}

# SQL string literal: backslash and quote escaped (MariaDB treats '\' as an
# escape character in literals by default).
cs_maria_literal() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\'/\'\'}"
  printf "'%s'" "$s"
}

# The server's own options, shared by mariadb-install-db and mariadbd.
cs_maria_server_opts() {
  local -a o=(--no-defaults "--datadir=$CS_MARIA_DATA"
    --skip-name-resolve --skip-log-bin --character-set-server=utf8mb4
    --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=32M
    --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=0
    --innodb-doublewrite=0 --max-connections=100)
  # mariadbd refuses to run as root unless told to, and it may run as no
  # other user here: the directory is root's and nothing else shares it.
  [[ $(id -u) -eq 0 ]] && o+=(--user=root)
  printf '%s\n' "${o[@]}"
}

cs_maria_init() {
  local -a opts
  command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] ||
    cs_die "no mariadbd (run tests/deps.sh: mariadb-server-core)"
  CS_MARIA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/credshim-maria.XXXXXX")
  CS_MARIA_DATA="$CS_MARIA_DIR/data"
  CS_MARIA_LOG="$CS_MARIA_DIR/mariadbd.log"
  CS_MARIA_SOCKET="$CS_MARIA_DIR/mysqld.sock"
  CS_MARIA_ADMIN=$(id -un)
  chmod 0755 "$CS_MARIA_DIR"
  mapfile -t opts < <(cs_maria_server_opts)
  # unix_socket authentication for the admin account (the OS user), no test
  # database, no anonymous accounts.
  timeout 180 mariadb-install-db "${opts[@]}" --auth-root-authentication-method=socket \
      --skip-test-db >"$CS_MARIA_DIR/install.log" 2>&1 ||
    { cat "$CS_MARIA_DIR/install.log" >&2; cs_die "mariadb-install-db failed"; }
}

# Starts mariadbd on $1 and waits (bounded) until it answers on its socket.
# Returns 1 when it exited (the log says why), 2 when it never answered.
cs_maria_try_start() {
  local port="$1" i mariadbd=mariadbd
  local -a opts
  command -v mariadbd >/dev/null 2>&1 || mariadbd=/usr/sbin/mariadbd
  mapfile -t opts < <(cs_maria_server_opts)
  : >"$CS_MARIA_LOG"
  # Its own session: a Ctrl-C at the terminal reaches run.sh's trap, which
  # shuts the server down, and not the server directly.
  setsid "$mariadbd" "${opts[@]}" --bind-address=127.0.0.1 --port="$port" \
    --socket="$CS_MARIA_SOCKET" --pid-file="$CS_MARIA_DIR/mariadbd.pid" \
    --log-error="$CS_MARIA_LOG" </dev/null >>"$CS_MARIA_DIR/stdout.log" 2>&1 &
  CS_MARIA_PID=$!
  for ((i = 0; i < 240; i++)); do
    if ! kill -0 "$CS_MARIA_PID" 2>/dev/null; then
      wait "$CS_MARIA_PID" 2>/dev/null || true
      CS_MARIA_PID=""
      return 1
    fi
    if timeout 5 mariadb --no-defaults -S "$CS_MARIA_SOCKET" -u "$CS_MARIA_ADMIN" \
         -e 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.25
  done
  return 2
}

# The test database, the login account the ODBC tests connect as, the
# accounts the PAM tests check out and the fixture table (as in PostgreSQL).
cs_maria_setup_db() {
  local role sql
  sql="CREATE DATABASE $CS_MARIA_DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$CS_MARIA_USER'@'%' IDENTIFIED BY $(cs_maria_literal "$CS_MARIA_PASSWORD");
GRANT ALL ON $CS_MARIA_DATABASE.* TO '$CS_MARIA_USER'@'%';
"
  for role in "${CS_MARIA_APP_ROLES[@]}"; do
    sql+="CREATE USER '$role'@'%' IDENTIFIED BY '$(cs_maria_random_password)';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES
  ON $CS_MARIA_DATABASE.* TO '$role'@'%';
"
  done
  sql+="USE $CS_MARIA_DATABASE;
CREATE TABLE cs_fixture (id integer PRIMARY KEY, txt text NOT NULL);
INSERT INTO cs_fixture VALUES (1, 'one'), (2, 'Grüße ✓ 𝄞'), (3, 'three');
"
  printf '%s' "$sql" | cs_maria_sql --default-character-set=utf8mb4 ||
    cs_die "could not create the MariaDB test database and accounts"
}

cs_maria_start() {
  local port tries=0 rc
  cs_maria_init
  port="${CS_MARIA_PORT:-33069}"
  while :; do
    if ((tries++ >= 20)); then
      cs_die "could not start MariaDB on any port from ${CS_MARIA_PORT:-33069}; log: $(tail -n 20 "$CS_MARIA_LOG" 2>/dev/null)"
    fi
    if cs_maria_port_busy "$port"; then
      port=$((port + 1))
      continue
    fi
    rc=0
    cs_maria_try_start "$port" || rc=$?
    [[ $rc -eq 0 ]] && break
    if [[ $rc -eq 1 ]] && grep -qiE 'bind on tcp/ip port|address already in use' "$CS_MARIA_LOG"; then
      port=$((port + 1))
      continue
    fi
    tail -n 40 "$CS_MARIA_LOG" >&2
    cs_die "MariaDB did not start"
  done
  CS_MARIA_PORT="$port"
  cs_maria_setup_db
  export CS_MARIA_HOST CS_MARIA_PORT CS_MARIA_SOCKET CS_MARIA_ADMIN \
         CS_MARIA_DATABASE CS_MARIA_USER CS_MARIA_PASSWORD
}

# True when $1 is the pid of this directory's mariadbd (never a reused pid).
cs_maria_is_ours() {
  [[ "$1" =~ ^[0-9]+$ ]] &&
    { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$CS_MARIA_DATA"
}

# Shuts the server down (SQL SHUTDOWN, then TERM, then KILL, each bounded)
# and removes its directory.  Safe to call more than once.
cs_maria_stop() {
  local pid="$CS_MARIA_PID" i
  if [[ -n "$pid" ]] && cs_maria_is_ours "$pid"; then
    timeout 20 mariadb --no-defaults -S "$CS_MARIA_SOCKET" -u "$CS_MARIA_ADMIN" \
      -e SHUTDOWN >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      cs_maria_is_ours "$pid" || break
      sleep 0.1
    done
    if cs_maria_is_ours "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
  CS_MARIA_PID=""
  if [[ -n "$CS_MARIA_DIR" && -d "$CS_MARIA_DIR" ]]; then
    rm -rf -- "$CS_MARIA_DIR"
  fi
  CS_MARIA_DIR=""
}
