#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one scenario of pam_test.c (integration.pam.<scenario>) against this
# test's own mock PAM:  run_c.sh <pam_test binary> <scenario>
# The secrets scenario runs with unixODBC tracing on.  Whatever the
# program says, nothing may be left checked out at the mock afterwards.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin="$1"
scenario="$2"
[[ "$scenario" == secrets ]] && PAM_TRACE=1
pam_setup

# Scenarios that connect from several threads at once: see
# cs_psqlodbc_threads in tests/lib/common.sh.
if [[ "$scenario" == threads || "$scenario" == timeout ]]; then
  cs_psqlodbc_threads
fi

rc=0
cs_client 150 "$bin" "$scenario" || rc=$?
if [[ "$rc" != 0 && "$rc" != 1 ]]; then
  printf 'FAIL pam_test %s ended with status %s (crash, sanitizer report or timeout)\n' "$scenario" "$rc"
fi
n=$(pam_state '#outstanding') || n="?"
if [[ "$n" != 0 ]]; then
  printf 'FAIL %s checkout(s) left outstanding at the mock\n' "$n"
  pam_ctl outstanding || true
  rc=1
fi
exit "$rc"
