#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# credshim, end to end, on this machine: what an administrator and a user
# would do, in one go.  On a fresh Debian 12, as root (or through sudo):
#
#   1. installs the packages it needs (tests/deps.sh build runtime demo pgserver)
#   2. builds credshim in build-demo/ and installs it into /usr/local with
#      cmake --install, which registers the driver in /etc/odbcinst.ini
#   3. starts a throwaway PostgreSQL on 127.0.0.1 (tests/lib/pg.sh) and the
#      mock PAM on https://127.0.0.1 (tests/mockpam, a test CA), with an
#      account cs_demo for it to hand out
#   4. writes a DSN into a temporary odbc.ini (ODBCINI), the API token in a
#      file only root can read
#   5. runs SELECT current_user, now() through isql and credshim, showing
#      the checkout, the check-in and the password rotation as they happen
#      (the mock PAM's log and state, credshim's ShimLogFile, the account's
#      password fingerprint in PostgreSQL, and a direct psql login with the
#      handed-out password, from the mock's test hook: accepted while
#      checked out, refused after the check-in)
#   6. stops everything it started and, unless --keep, unregisters the
#      driver and removes the installed files again
#
# Exits 0 only when every step worked and every check passed.
#
#   tests/demo.sh [--keep]
#       --keep      leave credshim installed and registered
#                   (undo: cmake --build build-demo --target credshim-uninstall)
#                   and write build-demo/credshim-dsn.ini, a commented DSN
#                   to start from
#   tests/demo.sh --mockpam | --client
#       one half of the demo (tests/lib/demo.sh), as docker/compose.yaml
#       runs them in two containers; settings from the environment
#
# Environment: CS_SKIP_DEPS=1 (no apt-get), CS_DEMO_BUILD_DIR (default
# build-demo), CS_DEMO_PREFIX (default /usr/local), CS_PG_PORT (first
# PostgreSQL port tried, default 54329).
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
# shellcheck source=lib/pg.sh
. "$CS_SOURCE_DIR/tests/lib/pg.sh"
# shellcheck source=lib/demo.sh
. "$CS_SOURCE_DIR/tests/lib/demo.sh"

CS_DEMO_KEEP=0
CS_DEMO_TMP=""
CS_DEMO_MOCK_PID=""
CS_DEMO_INSTALLED=0
CS_DEMO_BUILD=""

usage() {
  sed -n '3,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---- cleanup ----------------------------------------------------------

cs_demo_stop_mock() {
  local i
  [[ -n "$CS_DEMO_MOCK_PID" ]] || return 0
  # On TERM the mock checks in (and rotates) whatever is still out.
  kill -TERM "$CS_DEMO_MOCK_PID" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$CS_DEMO_MOCK_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$CS_DEMO_MOCK_PID" 2>/dev/null || true
  wait "$CS_DEMO_MOCK_PID" 2>/dev/null || true
  CS_DEMO_MOCK_PID=""
}

cs_demo_uninstall() {
  local out tmpl prefix
  if [[ "$CS_DEMO_KEEP" == 1 ]]; then
    cs_log "--keep: credshim stays installed and registered:"
    odbcinst -q -d -n credshim | cs_demo_show
    printf '   remove it with: cmake --build %s --target credshim-uninstall\n' "$CS_DEMO_BUILD"
    tmpl="$CS_DEMO_BUILD/credshim-dsn.ini"
    prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$CS_DEMO_BUILD/CMakeCache.txt")
    cs_demo_write_template "$tmpl" "${prefix:-/usr/local}" "$(cs_demo_target_driver)"
    # Run through sudo: the file is the user's to edit.
    if [[ -n "${SUDO_UID:-}" && -n "${SUDO_GID:-}" ]]; then
      chown "$SUDO_UID:$SUDO_GID" "$tmpl" || true
    fi
    cs_demo_template_howto "$tmpl"
    return 0
  fi
  cs_log "uninstall: unregister the driver, remove the installed files"
  if ! out=$(cmake --build "$CS_DEMO_BUILD" --target credshim-uninstall 2>&1); then
    printf '%s\n' "$out" | cs_demo_show
    return 1
  fi
  grep -- 'credshim-uninstall:' <<<"$out" | sed 's/^-- credshim-uninstall: //' | cs_demo_show
  if odbcinst -q -d -n credshim >/dev/null 2>&1; then
    printf '   credshim is still registered\n'
    return 1
  fi
}

cs_demo_cleanup() {
  local rc=$? crc=0
  trap - EXIT INT TERM HUP
  cs_log "cleanup"
  cs_demo_client_stop
  cs_demo_stop_mock
  cs_pg_stop || crc=1
  if [[ "$CS_DEMO_INSTALLED" == 1 ]]; then
    cs_demo_uninstall || crc=1
  fi
  [[ -n "$CS_DEMO_TMP" ]] && rm -rf -- "$CS_DEMO_TMP"
  printf '   stopped the mock PAM and PostgreSQL, removed %s\n' "${CS_DEMO_TMP:-nothing}"
  if [[ "$rc" == 0 && "$crc" != 0 ]]; then
    rc=1
  fi
  if [[ "$rc" == 0 ]]; then
    echo "demo: OK"
  else
    echo "demo: FAILED (exit status $rc)"
  fi
  exit "$rc"
}

# ---- steps --------------------------------------------------------------

cs_demo_build_install() {
  local prefix="${CS_DEMO_PREFIX:-/usr/local}" want entry log
  CS_DEMO_BUILD="${CS_DEMO_BUILD_DIR:-$CS_SOURCE_DIR/build-demo}"
  mkdir -p "$CS_DEMO_BUILD"
  CS_DEMO_BUILD=$(cd "$CS_DEMO_BUILD" && pwd)
  log="$CS_DEMO_BUILD/demo-build.log"
  cs_log "build credshim in $CS_DEMO_BUILD (log: $log)"
  {
    cmake -S "$CS_SOURCE_DIR" -B "$CS_DEMO_BUILD" -DCMAKE_INSTALL_PREFIX="$prefix" \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCS_ASAN=OFF -DCS_TSAN=OFF \
          -DCS_REGISTER_DRIVER=ON -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON &&
    cmake --build "$CS_DEMO_BUILD" -j "$(nproc)" --target credshim credshim-agent
  } >"$log" 2>&1 || { cat "$log" >&2; cs_die "build failed"; }

  # A credshim registered from elsewhere (the .deb) is not the demo's to
  # change; one an earlier `demo.sh --keep` registered is.
  want=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$CS_DEMO_BUILD/CMakeCache.txt")
  if entry=$(odbcinst -q -d -n credshim 2>/dev/null); then
    if ! grep -q "^Driver=$want/" <<<"$entry"; then
      cs_die "a driver named credshim is registered already ($(grep '^Driver=' <<<"$entry")):" \
             "the demo would change it.  Remove it first (apt-get remove credshim," \
             "or odbcinst -u -d -n credshim)."
    fi
  fi

  cs_log "install into $want and register the driver (cmake --install)"
  CS_DEMO_INSTALLED=1
  cmake --install "$CS_DEMO_BUILD" 2>&1 | sed -n 's/^-- //p' | cs_demo_show
  printf '   odbcinst -q -d -n credshim:\n'
  odbcinst -q -d -n credshim | cs_demo_show " "
}

cs_demo_servers() {
  cs_log "start a throwaway PostgreSQL (127.0.0.1 only)"
  cs_pg_start
  printf '   port %s, socket and data in %s\n' "$CS_PG_PORT" "$CS_PG_TMPDIR"
  CS_DEMO_PG_HOST="$CS_PG_SOCKDIR"
  CS_DEMO_PG_PORT="$CS_PG_PORT"
  CS_DEMO_PG_ADMIN="$CS_PG_ADMIN"
  CS_DEMO_PSQL="$CS_PG_BINDIR/psql"
  CS_DEMO_DB_HOST=127.0.0.1
  CS_DEMO_DB_PORT="$CS_PG_PORT"
  export CS_DEMO_PG_HOST CS_DEMO_PG_PORT CS_DEMO_PG_ADMIN CS_DEMO_PSQL CS_DEMO_DB_HOST CS_DEMO_DB_PORT

  cs_log "start the mock PAM (HTTPS on 127.0.0.1, test CA; runHost $CS_DEMO_RUNHOST hands out $CS_DEMO_ACCOUNT)"
  cs_demo_mockpam_prepare
  cs_demo_mockpam_exec >"$CS_DEMO_DIR/mockpam.out" 2>&1 &
  CS_DEMO_MOCK_PID=$!
  if ! cs_demo_pam_port 60 "$CS_DEMO_MOCK_PID" >/dev/null; then
    cat "$CS_DEMO_DIR/mockpam.out" >&2
    cs_die "the mock PAM did not start"
  fi
  printf '   https://127.0.0.1:%s, log %s, API token in %s\n' \
    "$(cat "$CS_DEMO_DIR/port")" "$CS_DEMO_DIR/mockpam.log" "$CS_DEMO_DIR/token"
}

main() {
  case "${1:-}" in
    --mockpam) cs_demo_mockpam; return ;;
    --client) cs_demo_client; return ;;
    --keep) CS_DEMO_KEEP=1 ;;
    -h | --help) usage; return 0 ;;
    "") ;;
    *) usage >&2; return 2 ;;
  esac

  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || cs_die "run me as root: I install packages and a driver"
    exec sudo --preserve-env=CS_SKIP_DEPS,CS_DEMO_BUILD_DIR,CS_DEMO_PREFIX,CS_PG_PORT "$0" "$@"
  fi
  # The system's ODBC configuration, as an administrator has it; nothing
  # of the user's PostgreSQL environment.
  unset ODBCSYSINI ODBCINSTINI ODBCINI CS_BUILD_DIR
  unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGPASSFILE PGDATABASE \
        PGSERVICE PGSERVICEFILE PGSSLMODE PGOPTIONS PGCONNECT_TIMEOUT

  if [[ "${CS_SKIP_DEPS:-0}" != 1 ]]; then
    cs_log "packages: tests/deps.sh build runtime demo pgserver"
    "$CS_SOURCE_DIR/tests/deps.sh" build runtime demo pgserver | cs_demo_show
  fi

  trap cs_demo_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  CS_DEMO_TMP=$(mktemp -d "${TMPDIR:-/tmp}/credshim-demo.XXXXXX")
  CS_DEMO_DIR="$CS_DEMO_TMP"
  export CS_DEMO_DIR

  cs_demo_build_install
  cs_demo_servers
  cs_demo_client
}

main "$@"
