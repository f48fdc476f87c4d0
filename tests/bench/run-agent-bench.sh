#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The agent benchmark (docs/benchmarks.md, "PAM requests per connection"):
# short-lived processes, each one connect + SELECT current_user +
# disconnect through the real driver manager, credshim, psqlODBC and
# PostgreSQL, against the mock PAM (tests/mockpam, which rotates the
# account's password at every checkout and check-in as a PAM does), in
# three ways:
#
#   in-process    the default: each process checks out and in
#   agent         PamAgent=1: credshim-agent holds the checkout while any
#                 process holds a lease
#   agent+linger  PamAgent=1;PamLinger=60: it keeps it between processes
#
# each with processes one after another and with workers starting
# processes at the same time; runHost pgt (a pool of eight, so that
# in-process processes at once do not wait for each other's account).
# It reports the PAM requests per connection (the mock's checkouts +
# check-ins, the last check-in included) and the wall clock per process,
# then agentrtt's socket round trip: what a connect and a disconnect cost
# at the agent while it holds a checkout (connect(2), ACQUIRE/CRED,
# RELEASE/DONE).
#
#   run-agent-bench.sh AGENT_CLIENT AGENT AGENTRTT
#
# Environment (the defaults keep CI's run under a minute; docs/benchmarks.md
# reports a larger one): CS_ABENCH_SEQ (processes one after another,
# default 8), CS_ABENCH_WORKERS x CS_ABENCH_EACH (workers at once x
# processes each, default 4 x 2), CS_ABENCH_RTT (round trips, default 300).
#
# A benchmark, not a timed test: it fails only when the counts are wrong
# (a failed connect; in-process not exactly 2 requests per connection;
# agent+linger more than 2 requests in all per way) or the round trip's
# median is over 20 ms, a hundred times what it takes.
set -euo pipefail
# shellcheck source=../integration/pam/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../integration/pam/lib.sh"

CLIENT="$1"
AGENT="$2"
RTT="$3"
SEQ="${CS_ABENCH_SEQ:-8}"
WORKERS="${CS_ABENCH_WORKERS:-4}"
EACH="${CS_ABENCH_EACH:-2}"
NRTT="${CS_ABENCH_RTT:-300}"

pam_setup
SOCK="$PAM_DIR/agent/agent.sock"
export CREDSHIM_AGENT_LOG="$PAM_DIR/agent.log" CREDSHIM_AGENT_IDLE=120

ab_agent_pids() { pgrep -f -- "--socket $SOCK\$" || true; }

ab_agent_stop() { # SIGTERM checks in what the agent holds
  local p i
  for p in $(ab_agent_pids); do kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 100; i++)); do
    [[ -z "$(ab_agent_pids)" ]] && return 0
    sleep 0.1
  done
  for p in $(ab_agent_pids); do kill -KILL "$p" 2>/dev/null || true; done
}

ab_cleanup() {
  local rc=$?
  ab_agent_stop
  # pam_cleanup reads the status from $?; under set -e a failed
  # "(exit 1)" ended the trap before it, leaving the mock PAM running.
  set +e
  (exit "$rc")
  pam_cleanup
}
trap ab_cleanup EXIT

ab_ms() { date +%s%3N; }

ab_requests() { echo $(($(pam_state checkouts) + $(pam_state checkins))); }

# One way: $1 label, $2 connection string.  Prints a table row.
ab_way() {
  local label="$1" cs="$2" r0 t0 seq_ms par_ms seq_req par_req w bad=0 pids=()
  r0=$(ab_requests)
  t0=$(ab_ms)
  for ((i = 0; i < SEQ; i++)); do
    timeout 60 "$CLIENT" "$cs" 1 >"$PAM_DIR/ab.out" 2>&1 || { bad=1; cat "$PAM_DIR/ab.out"; }
  done
  seq_ms=$(($(ab_ms) - t0))
  ab_agent_stop
  pam_wait_none_outstanding 10 || bad=1
  seq_req=$(($(ab_requests) - r0))

  r0=$(ab_requests)
  t0=$(ab_ms)
  for ((w = 0; w < WORKERS; w++)); do
    (
      for ((i = 0; i < EACH; i++)); do
        timeout 60 "$CLIENT" "$cs" 1 || exit 1
      done
    ) >"$PAM_DIR/ab.$w.out" 2>&1 &
    pids+=($!)
  done
  for w in "${!pids[@]}"; do
    wait "${pids[$w]}" || { bad=1; cat "$PAM_DIR/ab.$w.out"; }
  done
  par_ms=$(($(ab_ms) - t0))
  ab_agent_stop
  pam_wait_none_outstanding 10 || bad=1
  par_req=$(($(ab_requests) - r0))

  AB_SEQ_REQ=$seq_req
  AB_PAR_REQ=$par_req
  printf '| %s | %d | %d | %s | %d ms | %d x %d | %d | %s | %d ms |\n' "$label" \
    "$SEQ" "$seq_req" "$(ab_ratio "$seq_req" "$SEQ")" $((seq_ms / SEQ)) "$WORKERS" "$EACH" \
    "$par_req" "$(ab_ratio "$par_req" $((WORKERS * EACH)))" $((par_ms / (WORKERS * EACH)))
  return "$bad"
}

ab_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; }

BASE="$PAM_CONN;PamTokenFile={$PAM_TOKEN_FILE};PamRunHost=pgt"
AG="$BASE;PamAgent=1;PamAgentSocket={$SOCK};PamAgentPath={$AGENT}"
failed=0
echo "| way | processes one after another | PAM requests | per connection | wall clock per process | processes at once | PAM requests | per connection | wall clock per process |"
echo "|---|---|---|---|---|---|---|---|---|"
ab_way in-process "$BASE" || failed=1
[[ "$AB_SEQ_REQ" == $((2 * SEQ)) && "$AB_PAR_REQ" == $((2 * WORKERS * EACH)) ]] ||
  { echo "FAIL in-process: not 2 PAM requests per connection"; failed=1; }
ab_way agent "$AG" || failed=1
ab_way agent+linger "$AG;PamLinger=60" || failed=1
[[ "$AB_SEQ_REQ" -le 2 && "$AB_PAR_REQ" -le 2 ]] ||
  { echo "FAIL agent+linger: more than 1 checkout and 1 check-in per way"; failed=1; }

out=$(timeout 120 "$RTT" "$SOCK" "$AGENT" "$MOCKPAM_URL" "$MOCKPAM_CA" "$PAM_TOKEN_FILE" pgt "$NRTT") ||
  { echo "FAIL agentrtt: $out"; failed=1; }
ab_agent_stop
rtt() { sed -n "s/^$1 //p" <<<"$out"; }
echo
echo "socket round trip per connect + disconnect (agentrtt, $NRTT pairs, the agent holding a checkout):" \
  "min $(rtt min_us) us, median $(rtt median_us) us, p90 $(rtt p90_us) us, max $(rtt max_us) us"
[[ -n "$(rtt median_us)" && "$(rtt median_us)" -le 20000 ]] ||
  { echo "FAIL the round trip's median is over 20 ms"; failed=1; }
pam_wait_none_outstanding 10 || { echo "FAIL checkouts left outstanding"; failed=1; }
exit "$failed"
