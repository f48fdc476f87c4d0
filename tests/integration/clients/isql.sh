#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.isql: unixODBC's isql (ANSI) and iusql (W API)
# through credshim in PAM mode to PostgreSQL and MariaDB, through a DSN and
# a connection string (isql_client.sh; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all isql bash "$CL_LIB_DIR/isql_client.sh" isql
# iusql 2.3.11 cannot connect with a connection string at all, to any
# driver ("Data source name not found" for DRIVER=...; and DSN=...;
# alike): through a DSN only (docs/compatibility.md).
CL_KINDS=dsn cl_all iusql bash "$CL_LIB_DIR/isql_client.sh" iusql
# Every password style of the mock (tests/mockpam/README.md) through
# MariaDB Connector/ODBC, by the A call (isql) and the W call (iusql); the
# MariaDB mock's passwords never start or end with a blank (the connector
# strips them, braces or not: docs/configuration.md).  PostgreSQL's
# turn is integration.pam.passwords.
for style in hostile symbols spaces utf8 mixed; do
  pam_ctl --url "$CL_MARIA_URL" password-style "$style" >/dev/null
  for prog in isql iusql; do
    cl_case "MariaDB, password style $style, $prog" maria "$PAM_DIR/style-$style-$prog.out" \
      bash "$CL_LIB_DIR/isql_client.sh" "$prog" "$(cl_conn maria dsn)"
  done
done
pam_ctl --url "$CL_MARIA_URL" password-style hostile >/dev/null
pam_finish
