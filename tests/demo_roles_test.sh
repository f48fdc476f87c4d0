#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The two halves of the demo exactly as docker/compose.yaml runs them
# (ctest: demo.roles): `tests/demo.sh --mockpam` in the background and
# `tests/demo.sh --client` against it, sharing one CS_DEMO_DIR, here against
# tests/run.sh's PostgreSQL and with the build tree's driver (ODBCSYSINI).
# No Docker engine is needed, so the containers' scripts are tested on
# every run.  Exits with the client's status.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
cs_require_odbc_env
cs_require_env CS_PG_BINDIR CS_PG_ADMIN

CS_DEMO_DIR=$(mktemp -d "$CS_BUILD_DIR/tests/demo-roles.XXXXXX")
CS_DEMO_PG_HOST="$CS_PG_SOCKDIR"
CS_DEMO_PG_PORT="$CS_PG_PORT"
CS_DEMO_PG_ADMIN="$CS_PG_ADMIN"
CS_DEMO_PSQL="$CS_PG_BINDIR/psql"
CS_DEMO_DB_HOST="$CS_PG_HOST"
CS_DEMO_DB_PORT="$CS_PG_PORT"
export CS_DEMO_DIR CS_DEMO_PG_HOST CS_DEMO_PG_PORT CS_DEMO_PG_ADMIN CS_DEMO_PSQL \
       CS_DEMO_DB_HOST CS_DEMO_DB_PORT

mock=""
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM HUP
  if [[ -n "$mock" ]]; then
    kill -TERM "$mock" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$mock" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$mock" 2>/dev/null || true
    wait "$mock" 2>/dev/null || true
  fi
  if [[ "$rc" != 0 && -f "$CS_DEMO_DIR/mockpam.out" ]]; then
    echo "--- tests/demo.sh --mockpam said:"
    cat "$CS_DEMO_DIR/mockpam.out"
  fi
  rm -rf -- "$CS_DEMO_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cs_log "tests/demo.sh --mockpam (background)"
"$CS_SOURCE_DIR/tests/demo.sh" --mockpam >"$CS_DEMO_DIR/mockpam.out" 2>&1 &
mock=$!
cs_log "tests/demo.sh --client"
"$CS_SOURCE_DIR/tests/demo.sh" --client
