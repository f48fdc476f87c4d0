#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.libreoffice: LibreOffice Base (headless soffice,
# libreoffice-base-nogui) through its ODBC driver and credshim in PAM mode
# to PostgreSQL and MariaDB, through a DSN (a connection string is not
# possible: docs/compatibility.md), driven by Python-UNO (lo_base.py;
# checks in lib.sh).
#
# One soffice serves both cases: its own process group (setsid), its own
# user profile under the build directory, a pipe name of its own, no
# display, stdin from /dev/null.  soffice is the process that loads
# credshim and stays up between the cases, so each case's check-in must
# come from the connection's close().  A client that gets stuck (its
# watchdog prints "stuck <step>") or a soffice that died means a new
# soffice for the next case; the cleanup ends the whole group (TERM, then
# KILL after 5 s) and removes the profile.  A fresh profile takes soffice
# 10-25 s to start on the 2-core machine; the cases take about a second
# each.  The sanitizer and valgrind passes do not run the client tests:
# the process that loads credshim here is soffice, which they would not
# instrument anyway.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LO_DIR=""
LO_PID=""
LO_PIPE="credshim_lo_$$_$RANDOM"

lo_stop() {
  cs_stop_group "$LO_PID"
  LO_PID=""
}

# shellcheck disable=SC2317  # run by cl_cleanup (lib.sh)
cl_test_cleanup() {
  lo_stop
  if [[ -n "$LO_DIR" && -d "$LO_DIR" ]]; then
    if [[ "$PAM_FAILED" != 0 && -s "$LO_DIR/soffice.log" ]]; then
      printf -- '---- tail of the soffice log\n'
      tail -n 20 "$LO_DIR/soffice.log"
    fi
    rm -rf "$LO_DIR"
  fi
}

# Starts soffice in a process group of its own (setsid leaves the pid as
# the group's id: a background job of this script is no group leader).
lo_start() {
  local i pgid="" url
  url=$("$PAM_PY" -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$LO_DIR/profile")
  env -u DISPLAY -u WAYLAND_DISPLAY HOME="$LO_DIR" SAL_USE_VCLPLUGIN=svp \
    setsid soffice --headless --invisible --nologo --norestore --nodefault --nolockcheck \
    "-env:UserInstallation=$url" "--accept=pipe,name=$LO_PIPE;urp;StarOffice.ComponentContext" \
    </dev/null >>"$LO_DIR/soffice.log" 2>&1 &
  LO_PID=$!
  for ((i = 0; i < 40; i++)); do
    pgid=$(ps -o pgid= -p "$LO_PID" 2>/dev/null | tr -d ' ') || break
    [[ "$pgid" == "$LO_PID" ]] && break
    sleep 0.05
  done
  [[ "$pgid" == "$LO_PID" ]] || cs_die "soffice (pid $LO_PID) did not get a process group of its own"
  pam_log "soffice pid $LO_PID, pipe $LO_PIPE, profile $LO_DIR/profile"
}

lo_case() {
  local target="$1" out t0=$SECONDS
  out="$PAM_DIR/libreoffice-$target-dsn.out"
  kill -0 -- "-$LO_PID" 2>/dev/null || lo_start
  cl_case "libreoffice $target dsn" "$target" "$out" \
    "$PAM_PY" "$CL_LIB_DIR/lo_base.py" "$LO_PIPE" "$(cl_conn "$target" dsn)"
  pam_log "libreoffice $target: $((SECONDS - t0)) s ($(grep -m1 '^soffice answered' "$out" || echo 'no answer'))"
  if grep -q '^stuck ' "$out"; then
    pam_log "the client got stuck ($(grep -m1 '^stuck ' "$out")): a new soffice for the next case"
    lo_stop
  fi
}

cl_setup
LO_DIR="$CS_BUILD_DIR/tests/libreoffice.$$"
rm -rf "$LO_DIR"
mkdir -p "$LO_DIR"
lo_start
lo_case pg
lo_case maria
pam_finish
