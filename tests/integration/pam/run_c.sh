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
# lifecycle*: a minute of PamDuration lasts 5 s, at the mock and in
# credshim (CREDSHIM_TEST_MINUTE_MS); lifecycle_agent gets the agent's
# program in CS_AGENT_PROG and stops the agent it started at the end.
[[ "$scenario" == lifecycle* ]] && PAM_MINUTE_SECONDS=5
pam_setup
if [[ "$scenario" == lifecycle* ]]; then
  export CREDSHIM_TEST_MINUTE_MS=5000 CREDSHIM_AGENT_LOG="$PAM_DIR/agent.log" CREDSHIM_AGENT_IDLE=30
  export PAM_AGENT_SOCK="$PAM_DIR/agent/agent.sock"
fi

# Scenarios that connect from several threads at once: see
# cs_psqlodbc_threads in tests/lib/common.sh.
if [[ "$scenario" == threads || "$scenario" == timeout ]]; then
  cs_psqlodbc_threads
fi

rc=0
# CS_SLOW (a sanitizer build, pam.cmake) scales this bound as pam_test's
cs_client "$((150 * ${CS_SLOW:-1}))" "$bin" "$scenario" || rc=$?
if [[ "$rc" != 0 && "$rc" != 1 ]]; then
  printf 'FAIL pam_test %s ended with status %s (crash, sanitizer report or timeout)\n' "$scenario" "$rc"
fi
if [[ "$scenario" == lifecycle_agent && -s "$PAM_DIR/agent/agent.sock.pid" ]]; then
  apid=$(tr -dc 0-9 <"$PAM_DIR/agent/agent.sock.pid")
  if [[ -n "$apid" ]] && kill -TERM "$apid" 2>/dev/null; then
    for ((i = 0; i < 100; i++)); do
      kill -0 "$apid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$apid" 2>/dev/null || true
  fi
fi
n=$(pam_state '#outstanding') || n="?"
if [[ "$n" != 0 ]]; then
  printf 'FAIL %s checkout(s) left outstanding at the mock\n' "$n"
  pam_ctl outstanding || true
  rc=1
fi
exit "$rc"
