#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.pooling: unixODBC connection pooling (Pooling=Yes,
# CPTimeout=3 in the [credshim] driver section) with pyodbc, through
# credshim in PAM mode to PostgreSQL (a DSN) and MariaDB (a connection
# string): the pooled connection keeps its checkout, a reuse checks nothing
# out, an expired one is checked in at the next connect, the process's exit
# checks the last one in (pooling_client.py; docs/bi-tools.md).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
# This test's odbcinst.ini (a copy, pam/lib.sh): pooling on for credshim.
inst="$ODBCSYSINI/$ODBCINSTINI"
sed -i -e '/^\[ODBC\]$/a Pooling=Yes' -e '/^\[credshim\]$/a CPTimeout=3' "$inst"
grep -q '^Pooling=Yes' "$inst" && grep -q '^CPTimeout=3' "$inst" ||
  cs_die "could not turn pooling on in $inst"

pool_run() { # name target connection session-sql
  local name="$1" target="$2" out="$PAM_DIR/pool-$1.out" rc=0 after url="$MOCKPAM_URL"
  [[ "$target" == maria ]] && url="$CL_MARIA_URL"
  MOCKPAM_URL="$url" cs_client 120 "$PAM_PY" "$CL_LIB_DIR/pooling_client.py" "$3" "$4" \
    >"$out" 2>&1 || rc=$?
  sed "s/^\(PASS\|FAIL\) /\1 $name: /" "$out"
  PAM_PASSED=$((PAM_PASSED + $(grep -c '^PASS ' "$out" || true)))
  PAM_FAILED=$((PAM_FAILED + $(grep -c '^FAIL ' "$out" || true)))
  pam_check "$name: pooling_client.py exited 0 (rc $rc)" test "$rc" = 0
  after=$(cl_counts "$target")
  pam_check "$name: the exit checked the last checkout in (mock: '$after', nothing outstanding)" \
    test "${after%% *}" = "${after##* }"
}

pool_run "pg dsn" pg "$(cl_conn pg dsn)" "SELECT pg_backend_pid()"
pool_run "maria str" maria "$(cl_conn maria str)" "SELECT CONNECTION_ID()"
pam_finish
