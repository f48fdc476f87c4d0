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
# The terminal gets a short summary: each step, then the tests that failed
# with their output, or the totals.  Everything (apt-get, cmake, the
# compiler, every test's output) goes to <build>/tests/run.log, which the
# summary names; CS_RUN_VERBOSE=1 shows it all on the terminal too.
#
# Environment: CS_BUILD_DIR (default build), CS_CMAKE_ARGS (extra cmake
# arguments, e.g. -DCS_ASAN=ON), CS_SKIP_DEPS=1, CS_PG_PORT (first port
# tried), CS_ODBC_TRACE=1, CS_RUN_VERBOSE=1.  See tests/README.md.
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
CS_RUN_LOG=""
CS_RUN_CTEST_RAN=0
CS_RUN_START=$SECONDS

# A summary line on the terminal (fd 3), and in the log.
cs_run_say() {
  printf 'run.sh: %s\n' "$*"
  [[ -n "$CS_RUN_LOG" ]] && printf 'run.sh: %s\n' "$*" >&3
  return 0
}

# From here on stdout and stderr go to <build>/tests/run.log (and, with
# CS_RUN_VERBOSE=1, to the terminal too); fd 3 and 4 keep the terminal.
cs_run_log_start() {
  local build="$1"
  mkdir -p "$build/tests"
  CS_RUN_LOG="$build/tests/run.log"
  : >"$CS_RUN_LOG"
  exec 3>&1 4>&2
  if [[ "${CS_RUN_VERBOSE:-0}" == 1 ]]; then
    exec > >(tee -a "$CS_RUN_LOG") 2>&1
  else
    exec >>"$CS_RUN_LOG" 2>&1
  fi
  cs_run_say "full log: $CS_RUN_LOG"
}

# Runs one step quietly: "run.sh: <what> ... ok (Ns)" or "FAILED".
cs_run_step() {
  local what="$1" t0=$SECONDS rc=0
  shift
  cs_log "$what"
  "$@" || rc=$?
  if [[ "$rc" == 0 ]]; then
    cs_run_say "$what: ok ($((SECONDS - t0))s)"
  else
    cs_run_say "$what: FAILED (exit status $rc)"
  fi
  return "$rc"
}

# The end of the summary: the totals, or what failed and the output of
# each failed test (its FAIL lines, then its last 40 lines in the log),
# then the log's name.
cs_run_summary() {
  local rc="$1" t failed
  [[ -n "$CS_RUN_LOG" ]] || return 0
  exec 1>&3 2>&4
  if [[ "$CS_RUN_CTEST_RAN" == 1 ]]; then
    grep -E '^[0-9]+% tests passed|^Total Test time' "$CS_RUN_LOG" | sed 's/^/run.sh: /' || true
    failed=$(sed -n '/^The following tests FAILED:/,$ s/^[[:space:]]*[0-9]* - \([^ ]*\) .*/\1/p' "$CS_RUN_LOG")
    if [[ "$rc" != 0 && -z "$failed" ]]; then
      printf 'run.sh: the end of the log:\n'
      tail -n 40 "$CS_RUN_LOG" | sed 's/^/   /'
    fi
    for t in $failed; do
      printf 'run.sh: ---- %s: its FAIL lines, then the end of its output:\n' "$t"
      awk -v t="$t" '$0 ~ "Test +#[0-9]+: " t " " {on = 1; n = 0; nf = 0}
                     on && /^ *Start +[0-9]+: / {on = 0}
                     on && /^[0-9]+\/[0-9]+ Test +#/ && $0 !~ "Test +#[0-9]+: " t " " {on = 0}
                     on && /FAIL/ && nf < 20 {fails[nf++] = $0}
                     on {buf[n++ % 40] = $0}
                     END {for (i = 0; i < nf; i++) print "   " fails[i]
                          if (nf) print "   ..."
                          for (i = (n > 40 ? n - 40 : 0); i < n; i++) print "   " buf[i % 40]}' "$CS_RUN_LOG"
    done
  elif [[ "$rc" != 0 ]]; then
    printf 'run.sh: the end of the log:\n'
    tail -n 40 "$CS_RUN_LOG" | sed 's/^/   /'
  fi
  if [[ "$rc" == 0 ]]; then
    printf 'run.sh: OK after %ss; full log: %s\n' "$((SECONDS - CS_RUN_START))" "$CS_RUN_LOG"
  else
    printf 'run.sh: FAILED (exit status %s) after %ss; full log: %s\n' "$rc" \
      "$((SECONDS - CS_RUN_START))" "$CS_RUN_LOG"
  fi
}

# Ends ctest and the tests it runs: TERM to its process group, then KILL.
cs_run_stop_ctest() {
  cs_stop_group "$CS_CTEST_PGID"
  CS_CTEST_PGID=""
}

cs_run_cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  cs_run_stop_ctest
  cs_pg_stop || true
  cs_maria_stop || true
  cs_run_summary "$rc"
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
  cmake -S "$CS_SOURCE_DIR" -B "$build" "${cmake_args[@]}" || return
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

  build="${CS_BUILD_DIR:-$CS_SOURCE_DIR/build}"
  mkdir -p "$build"
  build=$(cd "$build" && pwd)
  trap cs_run_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  cs_run_log_start "$build"

  if [[ "${CS_SKIP_DEPS:-0}" != 1 ]]; then
    cs_run_step "packages (tests/deps.sh)" "$CS_SOURCE_DIR/tests/deps.sh"
  fi
  cs_run_step "build ($build)" cs_run_build "$build"

  cs_log "start PostgreSQL"
  cs_pg_start
  cs_log "start MariaDB"
  cs_maria_start
  cs_odbcini_write "$build/tests/odbc" "$build"
  CS_BUILD_DIR="$build"
  export CS_BUILD_DIR CS_SOURCE_DIR
  cs_log "PostgreSQL 127.0.0.1:$CS_PG_PORT (socket $CS_PG_SOCKDIR); ODBCSYSINI=$ODBCSYSINI"
  cs_log "MariaDB 127.0.0.1:$CS_MARIA_PORT (socket $CS_MARIA_SOCKET)"

  cs_run_say "servers: PostgreSQL 127.0.0.1:$CS_PG_PORT, MariaDB 127.0.0.1:$CS_MARIA_PORT"

  cd "$build"
  if [[ "$shell" == 1 ]]; then
    exec 1>&3 2>&4
    cs_log "shell with the test environment; exit it to stop the servers"
    "${SHELL:-bash}" -i || true
    return 0
  fi

  cs_log "ctest $*"
  cs_run_say "ctest${*:+ $*}: $(ctest -N "$@" 2>/dev/null | sed -n 's/^Total Tests: //p') tests (follow them: tail -f $CS_RUN_LOG)"
  CS_RUN_CTEST_RAN=1
  cs_run_ctest --output-on-failure --no-tests=error --timeout 600 "$@" || rc=$?
  cs_log "ctest exit status $rc after $((SECONDS - start))s"
  return "$rc"
}

main "$@"
