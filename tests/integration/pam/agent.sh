#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.pam.agent[_basic]: credshim-agent (PamAgent=1) with real
# processes, the real PostgreSQL and the mock PAM, runHost pg1 having a
# pool of ONE account.
#
#   agent.sh CLIENT AGENT full|basic|systemd|faults|clients
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
# systemd (integration.pam.agent_systemd):
#   - the agent started as systemd's socket activation starts it
#     (sd_activate.py: the socket at fd 3, LISTEN_FDS=1, LISTEN_PID) serves
#     that socket, exits 0 on SIGTERM and leaves the socket file; it refuses
#     a socket of mode 0666, a directory of mode 0755, two sockets, and a
#     socket other than its --socket; systemd-analyze --user verify passes
#     on odbcinst/credshim-agent.socket and .service;
# faults (integration.pam.agent_faults):
#   - a stalled agent (SIGSTOP), the same with its queue of connections
#     full, and a stalled PAM behind the agent, login timeout 2 s: HYT00
#     within it; the agent SIGKILLed while a checkout
#     waits at the PAM: 08001 naming the socket, within the login timeout;
#     a fake agent of protocol version 2: 08001 naming both versions; a
#     frame of another version to the agent: an ERR frame in words; an
#     agent out of file descriptors: 08001 at once, no busy loop; an
#     agent autostarted by a thread blocking SIGTERM still obeys SIGTERM;
#     SIGTERM while a checkout is at the PAM: its late answer checked in,
#     and a connect meanwhile served at once by a new agent;
# clients (integration.pam.agent_clients):
#   - isql and pyodbc through one DSN with PamAgent=1 (only DSN keys
#     differ from pam_pg1): both run as pg1's one account at the same time
#     on one checkout, checked in when the last one ends.
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
# Under valgrind the agent's first TLS request alone can take longer than
# the default PamTimeout (10 s) on a loaded machine, and a checkout that
# timed out may stay out at the PAM (pg1 has one account).
[[ "${CS_VALGRIND:-0}" == 1 ]] && BASE0="$BASE0;PamTimeout=60"
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
  # pam_cleanup reads the status from $?; under set -e a failed
  # "(exit 1)" ended the trap before it, leaving the mock PAM running.
  set +e
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

# Waits up to $1 s for the mock's counter $2 to reach $3.
wait_counter() {
  local i
  for ((i = 0; i < $1 * 20; i++)); do
    [[ "$(counter "$2")" -ge "$3" ]] && return 0
    sleep 0.05
  done
  return 1
}

# Elapsed ms the client printed ("connect failed after N ms"), else 999999.
failed_after() {
  sed -n 's/^connect failed after \([0-9]*\) ms$/\1/p' "$1" | tail -n 1 | grep . || echo 999999
}

# ---- systemd: socket activation, the units -----------------------------------
# sd_activate.py starts the agent as systemd does (the listening socket at
# fd 3, LISTEN_FDS=1, LISTEN_PID its own pid): the agent serves it, keeps
# its own checks of the socket's directory and mode, and leaves the socket
# in place when it exits (systemd's).
agent_systemd() {
  local sd="$PAM_DIR/sd" s o pid i rc units="$PAM_DIR/units"
  s="$sd/agent.sock"
  mkdir -m 0700 "$sd"
  # No PamAgentPath that could start one: the connect must use the socket.
  local cs="$BASE0;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$s};PamAgentPath=/nonexistent/credshim-agent"
  "$PAM_PY" "$PAM_LIB_DIR/sd_activate.py" "$s" "$AGENT" >"$PAM_DIR/sd.out" 2>&1 &
  pid=$!
  o="$PAM_DIR/sd-client.out"
  if run_client "$cs" 3 >"$o" 2>&1; then
    pam_pass "socket activation: 3 connects through the socket the agent inherited"
  else
    pam_fail "socket activation: connect failed"; cat "$o" "$PAM_DIR/sd.out"
  fi
  pam_check "socket activation: the agent said so in its log" \
    grep -q 'socket activation: serving the socket systemd passed' "$CREDSHIM_AGENT_LOG"
  pam_check "socket activation: the check-in followed the disconnect" wait_outstanding 5 0
  kill -TERM "$pid" 2>/dev/null || true
  rc=0
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  wait "$pid" || rc=$?
  pam_check "socket activation: SIGTERM, the agent exits 0 (exit $rc)" test "$rc" = 0
  pam_check "socket activation: the socket file is left to systemd" test -S "$s"

  # Its own checks still apply to what systemd passes.
  sd_refused() { # label expected-text sd_activate args...
    local label="$1" text="$2" r=0
    shift 2
    rm -f "$s"
    timeout 20 "$PAM_PY" "$PAM_LIB_DIR/sd_activate.py" "$@" >"$PAM_DIR/sdr.out" 2>&1 || r=$?
    if [[ "$r" == 1 ]] && grep -qF -- "$text" "$PAM_DIR/sdr.out"; then
      pam_pass "socket activation refused: $label"
    else
      pam_fail "socket activation not refused ($label, exit $r):"; cat "$PAM_DIR/sdr.out"
    fi
  }
  sd_refused "socket mode 0666" "the socket $s is refused" --mode 666 "$s" "$AGENT"
  chmod 0755 "$sd"
  sd_refused "directory mode 0755" "credshim-agent directory $sd is refused" "$s" "$AGENT"
  chmod 0700 "$sd"
  sd_refused "two sockets passed" "LISTEN_FDS=2" --fds 2 "$s" "$AGENT"
  sd_refused "another --socket" "but systemd passed $s" "$s" "$AGENT" --socket "$sd/other.sock"

  # systemd-analyze verify (no running systemd needed) on the shipped
  # units, ExecStart pointed at this build's agent.
  mkdir -p "$units" "$PAM_DIR/xdg"
  chmod 0700 "$PAM_DIR/xdg"
  cp "$PAM_LIB_DIR/../../../odbcinst/credshim-agent.socket" "$units/"
  sed "s|@CS_AGENT_INSTALLED@|$AGENT|" "$PAM_LIB_DIR/../../../odbcinst/credshim-agent.service.in" \
    >"$units/credshim-agent.service"
  rc=0
  o=$(cd "$units" && XDG_RUNTIME_DIR="$PAM_DIR/xdg" timeout 60 systemd-analyze --user verify --man=no \
        ./credshim-agent.socket ./credshim-agent.service 2>&1) || rc=$?
  if [[ "$rc" == 0 && -z "$o" ]]; then
    pam_pass "systemd-analyze --user verify: the units are clean"
  else
    pam_fail "systemd-analyze --user verify (exit $rc):"; printf '%s\n' "$o"
  fi
  pam_check "the socket unit listens where the driver looks (%t/credshim/agent.sock, 0600, 0700)" \
    grep -qx 'ListenStream=%t/credshim/agent.sock' "$units/credshim-agent.socket"
}

# ---- faults: too slow, another version, dying mid-request ------------------
agent_faults() {
  local o ms f0 p fake="$PAM_DIR/fake" r
  # A stalled agent (SIGSTOP): the kernel still accepts the connection,
  # nothing answers; the login timeout gives HYT00 naming the socket.
  run_client "$AG" 1 >/dev/null 2>&1 || true
  p=$(agent_pids)
  o="$PAM_DIR/stalled.out"
  if [[ -n "$p" ]]; then
    kill -STOP $p
    CS_LOGIN_TIMEOUT=2 run_client "$AG" 1 >"$o" 2>&1 || true
    # Its queue of connections full too (as after 129 clients that timed
    # out: the kernel keeps them queued): connect(2) must not block past
    # the login timeout (it did, for ever).
    "$PAM_PY" - "$ASOCK" <<'PY'
import socket, sys
for i in range(5000):
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break
    finally:
        s.close()
PY
    of="$PAM_DIR/stalledfull.out"
    CS_LOGIN_TIMEOUT=2 cs_client 30 "$CLIENT" "$AG" 1 >"$of" 2>&1 || true
    kill -CONT $p
    ms=$(failed_after "$o")
    if grep -q "^\[HYT00\].*credshim-agent at $ASOCK" "$o" && ((ms >= 1500 && ms <= 4000)); then
      pam_pass "stalled agent, login timeout 2 s: HYT00 naming the socket after $ms ms"
    else
      pam_fail "stalled agent, login timeout 2 s ($ms ms):"; cat "$o"
    fi
    ms=$(failed_after "$of")
    if grep -q "^\[HYT00\].*credshim-agent at $ASOCK to accept the connection" "$of" &&
       ((ms >= 1500 && ms <= 4000)); then
      pam_pass "stalled agent, its queue full, login timeout 2 s: HYT00 naming the socket after $ms ms"
    else
      pam_fail "stalled agent, its queue full, login timeout 2 s ($ms ms):"; cat "$of"
    fi
  else
    pam_fail "no agent to stall"
  fi
  pam_check "stalled agent: nothing left out once it runs again" wait_outstanding 10 0

  # A stalled PAM behind the agent: HYT00 within the login timeout too.
  pam_ctl fault slow --on checkout --count 1 --delay 10 >/dev/null
  o="$PAM_DIR/stalledpam.out"
  CS_LOGIN_TIMEOUT=2 run_client "$AG" 1 >"$o" 2>&1 || true
  ms=$(failed_after "$o")
  if grep -q '^\[HYT00\]' "$o" && ((ms >= 1500 && ms <= 4000)); then
    pam_pass "stalled PAM behind the agent, login timeout 2 s: HYT00 after $ms ms"
  else
    pam_fail "stalled PAM behind the agent, login timeout 2 s ($ms ms):"; cat "$o"
  fi
  pam_ctl clear-faults >/dev/null
  pam_check "stalled PAM: nothing left out" wait_outstanding 12 0
  pam_check "the agent serves the next connect after the stalled one" run_client "$AG" 1

  # The agent SIGKILLed while a checkout waits at the PAM: 08001 naming the
  # socket at once, well within the login timeout.
  f0=$(counter faults_fired)
  pam_ctl fault slow --on checkout --count 1 --delay 20 >/dev/null
  o="$PAM_DIR/midreq.out"
  CS_LOGIN_TIMEOUT=15 run_client "$AG" 1 >"$o" 2>&1 &
  r=$!
  if wait_counter 10 faults_fired $((f0 + 1)); then
    p=$(agent_pids)
    kill -KILL $p
    wait "$r" || true
    ms=$(failed_after "$o")
    if grep -q "^\[08001\].*credshim-agent at $ASOCK failed mid-request" "$o" && ((ms < 15000)); then
      pam_pass "agent SIGKILLed mid-request: 08001 naming the socket after $ms ms (login timeout 15 s)"
    else
      pam_fail "agent SIGKILLed mid-request ($ms ms):"; cat "$o"
    fi
  else
    pam_fail "the checkout never reached the PAM"; wait "$r" || true; cat "$o"
  fi
  pam_ctl clear-faults >/dev/null
  pam_check "agent SIGKILLed mid-request: nothing left out at the PAM" wait_outstanding 25 0
  pam_check "after it, the next connect starts a new agent and works" run_client "$AG" 1

  # Another protocol version on the socket: a clear 08001.
  mkdir -m 0700 "$fake"
  "$PAM_PY" "$PAM_LIB_DIR/agent_fake.py" "$fake/agent.sock" 2 >"$PAM_DIR/fake.out" 2>&1 &
  p=$!
  for ((i = 0; i < 100; i++)); do [[ -S "$fake/agent.sock" ]] && break; sleep 0.05; done
  o="$PAM_DIR/version.out"
  run_client "$BASE0;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$fake/agent.sock};PamAgentPath=/nonexistent/credshim-agent" 1 >"$o" 2>&1 || true
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  if grep -q "^\[08001\].*credshim-agent at $fake/agent.sock speaks protocol version 2, this driver 1" "$o"; then
    pam_pass "an agent of protocol version 2: 08001 naming the socket and both versions"
  else
    pam_fail "an agent of another version:"; cat "$o"
  fi
  # And the agent to a driver of another version: an answer in words.
  r=$("$PAM_PY" - "$ASOCK" <<'PY' 2>&1
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"CS\x07\x01" + struct.pack(">I", 0))
b = s.recv(4096)
print("version %d type %#x %s" % (b[2], b[3], b"another protocol version" in b))
PY
) || true
  pam_check "a driver of version 7: the agent answers ERR of its version 1 naming the mismatch ($r)" \
    test "$r" = "version 1 type 0x83 True"

  # An agent out of file descriptors (RLIMIT_NOFILE 24, 40 idle clients)
  # answers a further connect at once, 08001 saying so; it span on poll
  # and left the connect queued until the login timeout.  When its answer
  # and close come before the request, the driver still reads it.
  local s4="$PAM_DIR/agent4/agent.sock" ap hp t0 t1
  mkdir -m 0700 "$PAM_DIR/agent4"
  prlimit --nofile=24:24 "$AGENT" --socket "$s4" --idle 60 &
  ap=$!
  for ((i = 0; i < 100; i++)); do [[ -S "$s4" ]] && break; sleep 0.05; done
  "$PAM_PY" - "$s4" "$PAM_DIR/agent4/ready" <<'PY' &
import socket, sys, time
socks = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    socks.append(s)
open(sys.argv[2], "w").close()
time.sleep(60)
PY
  hp=$!
  for ((i = 0; i < 100; i++)); do [[ -e "$PAM_DIR/agent4/ready" ]] && break; sleep 0.05; done
  sleep 0.5
  t0=$(awk '{print $14 + $15}' "/proc/$ap/stat")
  sleep 2
  t1=$(awk '{print $14 + $15}' "/proc/$ap/stat")
  o="$PAM_DIR/nofd.out"
  # 5 connects: the agent's answer may come before or after the request.
  CS_LOGIN_TIMEOUT=5 cs_client 60 "$CLIENT" "$BASE0;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$s4};PamAgentPath=/nonexistent/credshim-agent" 5 >"$o" 2>&1 || true
  ms=$(failed_after "$o")
  if [[ "$(grep -c "^\[08001\].*credshim-agent at $s4 has no file descriptor left" "$o")" == 5 ]] &&
     ((ms < 2000)); then
    pam_pass "agent out of file descriptors: 5 connects, 08001 saying so (the last after $ms ms)"
  else
    pam_fail "agent out of file descriptors ($ms ms):"; cat "$o"
  fi
  pam_check "agent out of file descriptors: no busy loop ($((t1 - t0)) ticks of CPU in 2 s)" \
    test $((t1 - t0)) -lt 20
  kill "$hp" 2>/dev/null || true
  wait "$hp" 2>/dev/null || true
  kill -TERM "$ap" 2>/dev/null || true
  wait "$ap" 2>/dev/null || true

  # An application whose connecting thread blocks SIGTERM autostarts the
  # agent: the agent still checks in and exits on SIGTERM (it inherited
  # the mask and ignored SIGTERM).
  local s3="$PAM_DIR/agent3/agent.sock"
  if CS_BLOCK_SIGTERM=1 start_hold "$BASE;PamRunHost=pg1;PamAgent=1;PamAgentSocket={$s3}" &&
     wait_outstanding 5 1; then
    kill -TERM $(agent_pids "$s3")
    pam_check "agent autostarted with SIGTERM blocked: SIGTERM checks its lease in within 5 s" \
      wait_outstanding 5 0
    kill_hold
    for ((i = 0; i < 50; i++)); do [[ -z "$(agent_pids "$s3")" ]] && break; sleep 0.1; done
    pam_check "agent autostarted with SIGTERM blocked: SIGTERM, it exited" test -z "$(agent_pids "$s3")"
  else
    pam_fail "SIGTERM blocked: holding client did not connect"; kill_hold
  fi
  agent_stop "$s3"

  # SIGTERM while a checkout is at the PAM, which answers 6 s later: the
  # agent waits for the answer and checks it in before it exits (it left
  # it out); the client gets 08001 saying the agent exits.  Meanwhile a
  # connect (runHost pg2) starts a new agent at once: the exiting one has
  # let go of the socket and its lock.
  run_client "$AG" 1 >/dev/null 2>&1 || true
  f0=$(counter faults_fired)
  pam_ctl fault held_late --on checkout --count 1 --delay 6 >/dev/null
  o="$PAM_DIR/termreq.out"
  CS_LOGIN_TIMEOUT=15 run_client "$AG" 1 >"$o" 2>&1 &
  r=$!
  if wait_counter 10 faults_fired $((f0 + 1)); then
    p=$(agent_pids)
    kill -TERM $p
    sleep 0.5
    t0=$(date +%s%3N)
    if run_client "$BASE;PamRunHost=pg2;PamAgent=1;PamAgentSocket={$ASOCK}" 1 >"$PAM_DIR/termnew.out" 2>&1; then
      ms=$(($(date +%s%3N) - t0))
      pam_check "SIGTERM mid-checkout: a connect meanwhile works through a new agent at once ($ms ms)" \
        test "$ms" -lt 4000
    else
      pam_fail "SIGTERM mid-checkout: a connect meanwhile failed:"; cat "$PAM_DIR/termnew.out"
    fi
    wait "$r" || true
    if grep -q "^\[08001\].*credshim-agent at $ASOCK is exiting" "$o"; then
      pam_pass "SIGTERM mid-checkout: 08001, the agent is exiting"
    else
      pam_fail "SIGTERM mid-checkout:"; cat "$o"
    fi
  else
    pam_fail "SIGTERM mid-checkout: the checkout never reached the PAM"; wait "$r" || true; cat "$o"
  fi
  pam_ctl clear-faults >/dev/null
  pam_check "SIGTERM mid-checkout: the late answer was checked in, nothing left out" \
    wait_outstanding 10 0
}

# ---- isql and pyodbc through a DSN with PamAgent=1 ------------------------
# Only DSN keys differ from pam_pg1: one checkout shared by both programs,
# checked in when the last one ends.
agent_clients() {
  local fifo="$PAM_DIR/isql.in" o="$PAM_DIR/isql.out" ip c0 k0 acct py
  cat >>"$ODBCINI" <<EOF

[pam_agent]
Driver=credshim
$(pam_target_keys)
PamRunHost=pg1
PamTokenFile=$PAM_TOKEN_FILE
PamAgent=1
PamAgentSocket=$ASOCK
PamAgentPath=$AGENT_PROG
EOF
  c0=$(counter checkouts); k0=$(counter checkins)
  mkfifo "$fifo"
  cs_client 120 isql -b -v -d'|' pam_agent <"$fifo" >"$o" 2>&1 &
  ip=$!
  exec 8>"$fifo"
  if wait_outstanding 20 1; then
    pam_pass "isql pam_agent (PamAgent=1): connected through the agent"
  else
    pam_fail "isql pam_agent did not connect:"; cat "$o"
  fi
  py="$PAM_DIR/pyodbc.out"
  if cs_client 120 "$PAM_PY" -c '
import pyodbc
c = pyodbc.connect("DSN=pam_agent", autocommit=True)
print("pyodbc as", c.cursor().execute("SELECT current_user").fetchone()[0])
c.close()' >"$py" 2>&1; then
    pam_pass "pyodbc DSN=pam_agent worked while isql holds the checkout ($(cat "$py"))"
  else
    pam_fail "pyodbc DSN=pam_agent:"; cat "$py"
  fi
  acct=$(sed -n 's/^pyodbc as //p' "$py")
  pam_check "pyodbc ran as the one account of pg1 (cs_app1)" test "$acct" = cs_app1
  printf 'SELECT current_user\n' >&8
  exec 8>&-
  wait "$ip" || true
  pam_check "isql ran as cs_app1 too" grep -qx 'cs_app1' "$o"
  pam_check "isql and pyodbc: one checkout at the PAM" test $(($(counter checkouts) - c0)) = 1
  pam_check "checked in when the last one ended" wait_outstanding 5 0
  pam_check "one check-in" test $(($(counter checkins) - k0)) = 1
}

# The end of every mode: the agents stopped, nothing out, no reports.
agent_end() {
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
}

case "$MODE" in
  systemd | faults | clients)
    "agent_$MODE"
    agent_end
    ;;
esac

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

agent_end
