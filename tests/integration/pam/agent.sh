#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.pam.agent[_basic]: credshim-agent (PamAgent=1) with real
# processes, the real PostgreSQL and the mock PAM, runHost pg1 having a
# pool of ONE account.
#
#   agent.sh CLIENT AGENT full|basic
#
# basic (also run under valgrind in CI):
#   - a connect through the agent autostarts it and works;
#   - a client SIGKILLed while connected: the mock sees the check-in within
#     2 s; the same in-process (runHost pg2) leaves the checkout out;
#   - SIGTERM to the agent while a client holds a lease checks it in.
# full, in addition:
#   - 8 processes x 50 connect/query/disconnect at once, all succeed; the
#     checkouts equal the check-ins; with PamLinger, exactly 1 checkout;
#   - PamLinger=8 and 20 short processes one after another: 1 checkout,
#     checked in about 8 s after the last;
#   - the agent SIGKILLed: the next connect starts a new one and works;
#   - a peer of another uid (nobody) gets nothing; a socket directory of
#     the wrong mode or owner is refused (08001 naming it); nothing to
#     start gives 08001 naming the socket;
#   - 6 processes starting the agent at the same moment: one agent.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLIENT="$1"
AGENT="$2"
MODE="$3"

pam_setup

ASOCK="$PAM_DIR/agent/agent.sock"
export CREDSHIM_AGENT_LOG="$PAM_DIR/agent.log" CREDSHIM_AGENT_IDLE=60
asan=$(cs_asan_runtime)
if [[ -n "$asan" ]]; then
  # The agent's own reports (its stderr is /dev/null) go to files checked below.
  supp=$(cs_write_build_file asan.supp "$CS_ASAN_SUPPRESSIONS")
  export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:exitcode=98:suppressions=$supp:log_path=$PAM_DIR/asan"
fi
AGENT_PROG="$AGENT"
if [[ "${CS_VALGRIND:-0}" == 1 ]]; then
  # The agent under memcheck too: errors and definite leaks end in this log.
  AGENT_PROG="$PAM_DIR/agent-valgrind.sh"
  cat >"$AGENT_PROG" <<EOS
#!/bin/sh
exec valgrind -q --log-file=$PAM_DIR/valgrind-agent.%p --leak-check=full \\
  --errors-for-leak-kinds=definite --show-leak-kinds=definite "$AGENT" "\$@"
EOS
  chmod 755 "$AGENT_PROG"
fi
BASE0="$PAM_CONN;PamTokenFile={$PAM_TOKEN_FILE}"
BASE="$BASE0;PamAgentPath={$AGENT_PROG}"
AG="$BASE;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$ASOCK}"

agent_pids() { # the agents serving $1 (default ASOCK)
  pgrep -f -- "--socket ${1:-$ASOCK}\$" || true
}

agent_pids_all() { # every agent this test started, whatever its socket
  pgrep -f -- "--socket $PAM_DIR/" || true
}

# Stops the agents this test started (by their pids) and waits for them.
agent_stop() {
  local p i
  for p in $(agent_pids "$@"); do
    kill -TERM "$p" 2>/dev/null || true
  done
  for ((i = 0; i < 100; i++)); do
    [[ -z "$(agent_pids "$@")" ]] && return 0
    sleep 0.1
  done
  for p in $(agent_pids "$@"); do
    kill -KILL "$p" 2>/dev/null || true
  done
}

agent_cleanup() {
  local rc=$?
  local p
  agent_stop "$ASOCK"
  agent_stop "$PAM_DIR/agent2/agent.sock"
  for p in $(agent_pids_all); do
    kill -KILL "$p" 2>/dev/null || true
  done
  [[ "$rc" != 0 && -s "$CREDSHIM_AGENT_LOG" ]] && tail -n 40 "$CREDSHIM_AGENT_LOG"
  (exit "$rc")
  pam_cleanup
}
trap agent_cleanup EXIT

counter() { pam_state "$1"; }

run_client() { # connstr N|hold
  cs_client 300 "$CLIENT" "$@"
}

# Waits up to $1 s for the mock's outstanding count to become $2.
wait_outstanding() {
  local i n
  for ((i = 0; i < $1 * 20; i++)); do
    n=$(pam_state '#outstanding')
    [[ "$n" == "$2" ]] && return 0
    sleep 0.05
  done
  return 1
}

# Milliseconds until the mock's outstanding count is $2, polled every
# 20 ms from one process for at most $1 s; prints them, false on timeout.
ms_until_outstanding() {
  "$PAM_PY" - "$1" "$2" <<'PY'
import os, sys, time
sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp
m, t0 = mp.MockPam(), time.monotonic()
while time.monotonic() - t0 < float(sys.argv[1]):
    if len(m.outstanding()) == int(sys.argv[2]):
        print(int((time.monotonic() - t0) * 1000))
        sys.exit(0)
    time.sleep(0.02)
print(int((time.monotonic() - t0) * 1000))
sys.exit(1)
PY
}

# Starts a holding client on connstr $1; sets HOLD_PID (its input: fd 7).
start_hold() {
  local fifo="$PAM_DIR/hold.$RANDOM" i
  mkfifo "$fifo"
  run_client "$1" hold <"$fifo" >"$PAM_DIR/hold.out" 2>&1 &
  HOLD_PID=$!
  exec 7>"$fifo"
  rm -f "$fifo"
  for ((i = 0; i < 300; i++)); do
    grep -q '^connected' "$PAM_DIR/hold.out" 2>/dev/null && return 0
    kill -0 "$HOLD_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$PAM_DIR/hold.out"
  return 1
}

# Kills the holding client itself (not the timeout or valgrind around it)
# with SIGKILL.
kill_hold() {
  local pid
  pid=$(sed -n 's/^connected .*, pid \([0-9]*\)$/\1/p' "$PAM_DIR/hold.out")
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null
  wait "$HOLD_PID" 2>/dev/null || true
  exec 7>&-
}

# ---- autostart, one connect -----------------------------------------------
out="$PAM_DIR/first.out"
if run_client "$AG" 1 >"$out" 2>&1 && [[ -n "$(agent_pids)" ]]; then
  pam_pass "PamAgent=1: the first connect started the agent and worked"
else
  pam_fail "PamAgent=1: first connect"; cat "$out"
fi
pam_check "the socket directory was created 0700" \
  test "$(stat -c %a "$PAM_DIR/agent")" = 700
pam_check "the check-in followed the disconnect (linger 0)" wait_outstanding 3 0

# ---- a client SIGKILLed while connected --------------------------------------
co0=$(counter checkins)
if start_hold "$AG" && wait_outstanding 5 1; then
  kill_hold
  if ms=$(ms_until_outstanding 2 0); then
    pam_pass "agent: SIGKILLed client's checkout checked in within 2 s ($ms ms)"
  else
    pam_fail "agent: SIGKILLed client's checkout still out after 2 s"
  fi
  pam_check "agent: exactly one check-in for it" test "$(counter checkins)" = $((co0 + 1))
else
  pam_fail "agent: holding client did not connect"; kill_hold
fi
# The contrast: in-process (runHost pg2, not pg1's one account), SIGKILL
# leaves the checkout out until its duration ends.
if start_hold "$BASE;PamRunHost=pg2" && wait_outstanding 5 1; then
  kill_hold
  sleep 3
  pam_check "in-process: SIGKILLed client's checkout is still out 3 s later (no agent)" \
    test "$(pam_state '#outstanding')" = 1
  pam_ctl checkin-all >/dev/null
else
  pam_fail "in-process: holding client did not connect"; kill_hold
fi

# ---- SIGTERM to the agent checks in what it holds ----------------------------
if start_hold "$AG" && wait_outstanding 5 1; then
  p=$(agent_pids)
  kill -TERM $p
  pam_check "SIGTERM: the agent checked in its lease within 5 s" wait_outstanding 5 0
  kill_hold
  for ((i = 0; i < 50; i++)); do [[ -z "$(agent_pids)" ]] && break; sleep 0.1; done
  pam_check "SIGTERM: the agent exited" test -z "$(agent_pids)"
else
  pam_fail "SIGTERM: holding client did not connect"; kill_hold
fi

if [[ "$MODE" == full ]]; then
  # ---- 8 processes x 50 ---------------------------------------------------------
  many() { # connstr label
    local i pids=() bad=0 c0 k0 t0=$SECONDS
    c0=$(counter checkouts); k0=$(counter checkins)
    for ((i = 0; i < 8; i++)); do
      run_client "$1" 50 >"$PAM_DIR/many.$i.out" 2>&1 &
      pids+=($!)
    done
    for i in "${!pids[@]}"; do
      wait "${pids[$i]}" || { bad=1; cat "$PAM_DIR/many.$i.out"; }
    done
    wait_outstanding 10 0 || bad=1
    MANY_CO=$(($(counter checkouts) - c0))
    MANY_CI=$(($(counter checkins) - k0))
    echo "$2: 400 connects in $((SECONDS - t0)) s, $MANY_CO checkouts, $MANY_CI check-ins at the mock"
    return "$bad"
  }
  pam_check "8 x 50 through the agent (PamLinger=0): all 400 connects work" many "$AG" linger0
  pam_check "8 x 50 (PamLinger=0): every checkout checked in ($MANY_CO / $MANY_CI)" \
    test "$MANY_CO" = "$MANY_CI" -a "$MANY_CO" -ge 1
  pam_check "8 x 50 through the agent (PamLinger=1): all 400 connects work" many "$AG;PamLinger=1" linger1
  pam_check "8 x 50 (PamLinger=1): exactly 1 checkout and 1 check-in ($MANY_CO / $MANY_CI)" \
    test "$MANY_CO" = 1 -a "$MANY_CI" = 1

  # ---- PamLinger=8, short processes one after another ----------------------
  # (8 s: a process takes 1 to 3 s to start and connect on a loaded CI box)
  c0=$(counter checkouts); k0=$(counter checkins); bad=0
  t1=$SECONDS
  for ((i = 0; i < 20; i++)); do
    run_client "$AG;PamLinger=8" 1 >"$PAM_DIR/linger.out" 2>&1 || { bad=1; cat "$PAM_DIR/linger.out"; }
  done
  t_end=$(date +%s%3N)
  echo "PamLinger=8: 20 processes in $((SECONDS - t1)) s"
  pam_check "PamLinger=8: 20 short processes all worked" test "$bad" = 0
  pam_check "PamLinger=8: 1 checkout for 20 processes" test $(($(counter checkouts) - c0)) = 1
  if ms_until_outstanding 14 0 >/dev/null; then
    ms=$(($(date +%s%3N) - t_end))
    pam_check "PamLinger=8: checked in ${ms} ms after the last process (6.5 to 11 s)" \
      test "$ms" -ge 6500 -a "$ms" -le 11000
  else
    pam_fail "PamLinger=8: not checked in 14 s after the last process"
  fi
  pam_check "PamLinger=8: 1 check-in" test $(($(counter checkins) - k0)) = 1

  # ---- the agent SIGKILLed -----------------------------------------------------
  old=$(agent_pids)
  if [[ -n "$old" ]]; then
    kill -KILL $old
    for ((i = 0; i < 50; i++)); do kill -0 $old 2>/dev/null || break; sleep 0.05; done
    if run_client "$AG" 1 >"$out" 2>&1; then
      new=$(agent_pids)
      pam_check "after the agent's SIGKILL the next connect works with a new agent ($old -> $new)" \
        test -n "$new" -a "$new" != "$old"
    else
      pam_fail "after the agent's SIGKILL the next connect failed"; cat "$out"
    fi
  else
    pam_fail "no agent running before the SIGKILL test"
  fi
  wait_outstanding 3 0 || true

  # ---- a peer of another uid ---------------------------------------------------
  if [[ "$(id -u)" == 0 ]]; then
    chmod 0711 "$PAM_DIR" "$PAM_DIR/agent"
    chmod 0666 "$ASOCK"
    r=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
          "$PAM_PY" "$PAM_LIB_DIR/agent_peer.py" "$ASOCK" "$PAM_TOKEN" 2>&1) || true
    chmod 0700 "$PAM_DIR" "$PAM_DIR/agent"
    chmod 0600 "$ASOCK"
    pam_check "a peer running as nobody gets no answer (SO_PEERCRED): $r" test "$r" = closed
    pam_check "the agent logged the refusal" grep -q 'refused a connection from uid' "$CREDSHIM_AGENT_LOG"
  else
    pam_fail "the other-uid test needs root to switch to nobody"
  fi

  # ---- a socket directory of the wrong mode or owner -----------------------
  bad_dir_connect() { # dir label
    local o="$PAM_DIR/baddir.out"
    if ! run_client "$BASE;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$1/agent.sock}" 1 >"$o" 2>&1 &&
       grep -q "^\[08001\].*credshim-agent directory $1 is refused" "$o"; then
      pam_pass "socket directory $2: refused with 08001 naming it"
    else
      pam_fail "socket directory $2 not refused:"; cat "$o"
    fi
  }
  mkdir -m 0755 "$PAM_DIR/open"
  bad_dir_connect "$PAM_DIR/open" "mode 0755"
  mkdir -m 0700 "$PAM_DIR/other"
  chown nobody "$PAM_DIR/other"
  bad_dir_connect "$PAM_DIR/other" "owned by nobody"
  pam_check "the refused directories hold no socket" \
    test ! -e "$PAM_DIR/open/agent.sock" -a ! -e "$PAM_DIR/other/agent.sock"
  o="$PAM_DIR/nostart.out"
  if ! run_client "$BASE0;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$PAM_DIR/none/agent.sock};PamAgentPath=/nonexistent/credshim-agent" 1 >"$o" 2>&1 &&
     grep -q "^\[08001\].*credshim-agent at $PAM_DIR/none/agent.sock is unreachable" "$o"; then
    pam_pass "nothing to start: 08001 naming the socket"
  else
    pam_fail "nothing to start:"; cat "$o"
  fi

  # ---- processes starting the agent at the same moment ---------------------
  S2="$PAM_DIR/agent2/agent.sock"
  pids=(); bad=0
  for ((i = 0; i < 6; i++)); do
    run_client "$BASE;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$S2}" 3 >"$PAM_DIR/race.$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { bad=1; cat "$PAM_DIR/race.$i.out"; }
  done
  pam_check "6 processes autostarting at once: all worked" test "$bad" = 0
  n=$(agent_pids "$S2" | wc -l)
  pam_check "6 processes autostarting at once: $n agent" test "$n" = 1
  agent_stop "$S2"
fi

agent_stop "$ASOCK"
pam_check "nothing outstanding at the end" wait_outstanding 5 0
if compgen -G "$PAM_DIR/asan*" >/dev/null; then
  pam_fail "AddressSanitizer reports:"; cat "$PAM_DIR"/asan*
fi
if compgen -G "$PAM_DIR/valgrind-agent.*" >/dev/null; then
  for f in "$PAM_DIR"/valgrind-agent.*; do
    if [[ -s "$f" ]]; then pam_fail "valgrind on the agent:"; cat "$f"; fi
  done
  pam_pass "the agent ran under valgrind"
fi
pam_finish
