# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Writes the self-contained unixODBC configuration the integration tests use:
#   <dir>/odbcinst.ini  drivers, by absolute path
#   <dir>/odbc.ini      DSNs, direct and through credshim
#   <dir>/test.db       a fresh SQLite database
# and exports ODBCSYSINI, ODBCINSTINI and ODBCINI pointing unixODBC at them
# (plus CS_ODBC_DRIVER_DIR and CS_SQLITE_DB).
#
#   cs_odbcini_write <dir> <build-dir>
#
# Needs CS_PG_* from tests/lib/pg.sh, CS_MARIA_* from tests/lib/mariadb.sh
# and tests/lib/common.sh.
# Values go into the ini files raw: ini files need no braces, only
# connection strings do.

# Prints the directory Debian installs ODBC drivers into.
cs_odbc_driver_dir() {
  local multiarch dir
  multiarch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)
  for dir in "/usr/lib/$multiarch/odbc" /usr/lib/odbc /usr/lib64/odbc; do
    if [[ -n "$dir" && -e "$dir/psqlodbcw.so" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  cs_die "no ODBC driver directory with psqlodbcw.so (run tests/deps.sh)"
}

# psqlODBC reads Password from odbc.ini through its decode(): '+' means a
# space and %XX a byte.  Encode those two so any test password survives.
cs_psqlodbc_ini_password() {
  local s="$1"
  s="${s//%/%25}"
  s="${s//+/%2B}"
  printf '%s' "$s"
}

cs_odbcini_write() {
  local dir="$1" build="$2" drvdir pgpw
  drvdir=$(cs_odbc_driver_dir)
  pgpw=$(cs_psqlodbc_ini_password "$CS_PG_PASSWORD")
  mkdir -p "$dir"
  rm -f "$dir/test.db" "$dir/trace.log"

  CS_ODBC_DRIVER_DIR="$drvdir"
  CS_SQLITE_DB="$dir/test.db"
  # CS_ODBC_TRACE=1 makes the driver manager log every call to trace.log.
  local trace=No
  [[ "${CS_ODBC_TRACE:-0}" == 1 ]] && trace=Yes

  cat >"$dir/odbcinst.ini" <<EOF
[ODBC]
Trace=$trace
TraceFile=$dir/trace.log

[PostgreSQL Unicode]
Description=psqlODBC, Unicode
Driver=$drvdir/psqlodbcw.so

[PostgreSQL ANSI]
Description=psqlODBC, ANSI
Driver=$drvdir/psqlodbca.so

[SQLite3]
Description=SQLite3 ODBC driver
Driver=$drvdir/libsqlite3odbc.so

; MariaDB Connector/ODBC is one library for both APIs (it exports every
; A and W function): no separate ANSI and Unicode drivers.
[MariaDB]
Description=MariaDB Connector/ODBC
Driver=$drvdir/libmaodbc.so

[credshim]
Description=credshim proxy driver (build tree)
Driver=$build/driver/libcredshim.so
EOF

  cat >"$dir/odbc.ini" <<EOF
; Written by tests/lib/odbcini.sh for one test run; do not edit.

; ---- direct to the target drivers (the expected output) ----
[pg_w]
Driver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
Username=$CS_PG_USER
Password=$pgpw

[pg_a]
Driver=PostgreSQL ANSI
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
Username=$CS_PG_USER
Password=$pgpw

[sqlite]
Driver=SQLite3
Database=$CS_SQLITE_DB

; maria_w and maria_a are the same settings: the connector has one library
; for both APIs.  Two names so that each comparison says which API it runs.
[maria_w]
Driver=MariaDB
Server=$CS_MARIA_HOST
Port=$CS_MARIA_PORT
Database=$CS_MARIA_DATABASE
CHARSET=utf8mb4
UID=$CS_MARIA_USER
PWD=$CS_MARIA_PASSWORD

[maria_a]
Driver=MariaDB
Server=$CS_MARIA_HOST
Port=$CS_MARIA_PORT
Database=$CS_MARIA_DATABASE
CHARSET=utf8mb4
UID=$CS_MARIA_USER
PWD=$CS_MARIA_PASSWORD

; ---- through credshim ----
[cs_pg_w]
Driver=credshim
TargetDriver=PostgreSQL Unicode
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
UID=$CS_PG_USER
PWD=$CS_PG_PASSWORD

[cs_pg_a]
Driver=credshim
TargetDriver=PostgreSQL ANSI
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE
UID=$CS_PG_USER
PWD=$CS_PG_PASSWORD

[cs_sqlite]
Driver=credshim
TargetDriver=SQLite3
Database=$CS_SQLITE_DB

[cs_sqlite_path]
Driver=credshim
TargetDriver=$drvdir/libsqlite3odbc.so
Database=$CS_SQLITE_DB

[cs_maria]
Driver=credshim
TargetDriver=MariaDB
Server=$CS_MARIA_HOST
Port=$CS_MARIA_PORT
Database=$CS_MARIA_DATABASE
CHARSET=utf8mb4
UID=$CS_MARIA_USER
PWD=$CS_MARIA_PASSWORD

[cs_pg_tdsn]
Driver=credshim
TargetDSN=pg_w

; ---- credshim misconfigured: connecting must fail cleanly ----
[cs_no_target]
Driver=credshim
Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE

[cs_missing_lib]
Driver=credshim
TargetDriver=$dir/no-such-driver.so
Database=$CS_SQLITE_DB
EOF

  # A fixture table the SQLite tests can read, like cs_fixture in PostgreSQL.
  sqlite3 "$CS_SQLITE_DB" <<'EOF'
CREATE TABLE cs_fixture (id integer PRIMARY KEY, txt text NOT NULL);
INSERT INTO cs_fixture VALUES (1, 'one'), (2, 'Grüße ✓ 𝄞'), (3, 'three');
EOF

  ODBCSYSINI="$dir"
  ODBCINSTINI=odbcinst.ini
  ODBCINI="$dir/odbc.ini"
  export ODBCSYSINI ODBCINSTINI ODBCINI CS_ODBC_DRIVER_DIR CS_SQLITE_DB
}
