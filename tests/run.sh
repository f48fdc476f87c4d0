#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The test command: installs dependencies, builds, starts a throwaway
# PostgreSQL and a throwaway MariaDB on 127.0.0.1, writes the ini files into
# the build tree and runs ctest.  Exits with ctest's status; stops the
# servers on every exit path.
#
#   tests/run.sh [ctest args...]     e.g. tests/run.sh -R isql
#   tests/run.sh --shell             same setup, then an interactive shell in
#                                    the build dir instead of ctest
#
# Environment: CS_BUILD_DIR (default build), CS_CMAKE_ARGS (extra cmake
# arguments, e.g. -DCS_ASAN=ON), CS_SKIP_DEPS=1, CS_PG_PORT (first port
# tried), CS_ODBC_TRACE=1.  See tests/README.md.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
# shellcheck source=lib/pg.sh
. "$CS_SOURCE_DIR/tests/lib/pg.sh"
# shellcheck source=lib/mariadb.sh
. "$CS_SOURCE_DIR/tests/lib/mariadb.sh"
# shellcheck source=lib/odbcini.sh
. "$CS_SOURCE_DIR/tests/lib/odbcini.sh"

CS_CTEST_PGID=""

# Ends ctest and the tests it runs: TERM to its process group, then KILL.
cs_run_stop_ctest() {
  local i
  [[ -n "$CS_CTEST_PGID" ]] || return 0
  if kill -0 -- "-$CS_CTEST_PGID" 2>/dev/null; then
    kill -TERM -- "-$CS_CTEST_PGID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$CS_CTEST_PGID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$CS_CTEST_PGID" 2>/dev/null || true
  fi
  CS_CTEST_PGID=""
}

cs_run_cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  cs_run_stop_ctest
  cs_pg_stop || true
  cs_maria_stop || true
  return "$rc"
}

# Runs ctest in its own process group and waits for it.  In the
# background, so that an INT or TERM to run.sh runs the cleanup at once
# instead of after ctest; in its own group, so the cleanup ends exactly
# ctest and its tests.
cs_run_ctest() {
  local pid pgid i rc=0
  setsid ctest "$@" &
  pid=$!
  # Once setsid has run, ctest leads its own group (pgid == pid).  Never
  # record anything else: the cleanup must not signal run.sh's own group.
  for ((i = 0; i < 40; i++)); do
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || break
    if [[ "$pgid" == "$pid" ]]; then
      CS_CTEST_PGID="$pid"
      break
    fi
    sleep 0.05
  done
  wait "$pid" || rc=$?
  CS_CTEST_PGID=""
  return "$rc"
}

cs_run_build() {
  local build="$1"
  local -a cmake_args=()
  # Word-split on purpose: CS_CMAKE_ARGS holds several -D arguments.
  read -ra cmake_args <<<"${CS_CMAKE_ARGS:-}"
  cs_log "configure $build ${cmake_args[*]}"
  cmake -S "$CS_SOURCE_DIR" -B "$build" "${cmake_args[@]}"
  cs_log "build"
  cmake --build "$build" -j "$(nproc)"
}

main() {
  local shell=0 build rc=0 start=$SECONDS
  if [[ "${1:-}" == --shell ]]; then
    shell=1
    shift
  fi

  # libpq reads these; the tests must see only what run.sh configures.
  unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGPASSFILE PGDATABASE \
        PGSERVICE PGSERVICEFILE PGSSLMODE PGOPTIONS PGCONNECT_TIMEOUT

  if [[ "${CS_SKIP_DEPS:-0}" != 1 ]]; then
    "$CS_SOURCE_DIR/tests/deps.sh"
  fi

  build="${CS_BUILD_DIR:-$CS_SOURCE_DIR/build}"
  mkdir -p "$build"
  build=$(cd "$build" && pwd)
  cs_run_build "$build"

  trap cs_run_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP

  cs_log "start PostgreSQL"
  cs_pg_start
  cs_log "start MariaDB"
  cs_maria_start
  cs_odbcini_write "$build/tests/odbc" "$build"
  CS_BUILD_DIR="$build"
  export CS_BUILD_DIR CS_SOURCE_DIR
  cs_log "PostgreSQL 127.0.0.1:$CS_PG_PORT (socket $CS_PG_SOCKDIR); ODBCSYSINI=$ODBCSYSINI"
  cs_log "MariaDB 127.0.0.1:$CS_MARIA_PORT (socket $CS_MARIA_SOCKET)"

  cd "$build"
  if [[ "$shell" == 1 ]]; then
    cs_log "shell with the test environment; exit it to stop the servers"
    "${SHELL:-bash}" -i || true
    return 0
  fi

  cs_log "ctest $*"
  cs_run_ctest --output-on-failure --no-tests=error --timeout 600 "$@" || rc=$?
  cs_log "ctest exit status $rc after $((SECONDS - start))s"
  return "$rc"
}

main "$@"
