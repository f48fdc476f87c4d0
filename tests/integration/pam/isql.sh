#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.pam.isql: PAM mode through unixODBC's isql and iusql.
#
#   - isql stays connected through pam_pg1 (its input is a fifo): the mock
#     has exactly one checkout; the password it issued logs in directly
#     while isql holds it; the query runs as the checked-out account; when
#     isql ends, the checkout is checked in and that password is refused;
#   - a second process connecting to the same one-account runHost meanwhile
#     gets 08004 (processes never share a checkout);
#   - iusql (the W API) and the ANSI psqlODBC driver, connect/query/exit;
#   - refusals: bad token and unknown runHost (28000), token file readable
#     by others or missing, wrong CA (08001, naming the key / TLS), each
#     message from "[credshim]"; a target login failure (no such database)
#     shows the target's message and leaves nothing checked out.
# Every connect must return within 15 s; nothing may be outstanding at the
# end.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pam_setup

# Runs a client: pam_run <out-file> <program> <args...> <<< input.
# Returns the client's exit status; its output (stdout+stderr) goes to the file.
pam_run() {
  local out="$1" rc=0
  shift
  cs_client 30 "$@" >"$out" 2>&1 || rc=$?
  return "$rc"
}

# pam_expect_refused <dsn> <sqlstate> <text>: isql fails to connect within
# 15 s with that SQLSTATE, "[credshim]" and the text in the message.
pam_expect_refused() {
  local dsn="$1" state="$2" text="$3" out="$PAM_DIR/refused-$1.out" rc=0 t0=$SECONDS
  printf 'SELECT 1\n' | pam_run "$out" isql -b -v "$dsn" || rc=$?
  if [[ "$rc" != 0 ]] && grep -qF "[$state]" "$out" && grep -qF "[credshim] $dsn: " "$out" &&
     grep -qF -- "$text" "$out" && ((SECONDS - t0 <= 15)); then
    pam_pass "isql $dsn: refused with $state, [credshim], '$text'"
  else
    pam_fail "isql $dsn: expected $state with '$text' (rc $rc, $((SECONDS - t0)) s):"
    sed 's/^/    /' "$out"
  fi
}

# ---- connect, query, disconnect, with the password checked both ways --------

fifo="$PAM_DIR/isql.in"
mkfifo "$fifo"
out="$PAM_DIR/isql-held.out"
cs_client 60 isql -b -v -d'|' pam_pg1 <"$fifo" >"$out" 2>&1 &
isql_pid=$!
exec 3>"$fifo"   # isql connects now, then waits for its input

co=""
for ((i = 0; i < 150; i++)); do
  if [[ "$(pam_state '#outstanding')" == 1 ]]; then
    co=$(pam_only_outstanding)
    break
  fi
  kill -0 "$isql_pid" 2>/dev/null || break
  sleep 0.1
done
id=${co%% *}
account=${co#* }
pam_check "isql connected through pam_pg1: one checkout outstanding ($co)" test -n "$co"
pam_check "the checkout is the account of pool pg1 (cs_app1)" test "$account" = cs_app1
pw=$(pam_issued_password "$id") || pw=""
pam_check "the mock tells the test the password it issued" test -n "$pw"

# A second process to the same one-account runHost: no credential free.
pam_expect_refused_busy() {
  local o="$PAM_DIR/busy.out" rc=0
  printf 'SELECT 1\n' | pam_run "$o" isql -b -v pam_pg1 || rc=$?
  if [[ "$rc" != 0 ]] && grep -qF '[08004]' "$o" && grep -qF '[credshim]' "$o"; then
    pam_pass "a second process to the one-account runHost gets 08004"
  else
    pam_fail "a second process to the one-account runHost: expected 08004 (rc $rc):"
    sed 's/^/    /' "$o"
  fi
}
pam_expect_refused_busy
pam_check "the refused second process left the first checkout alone" \
  test "$(pam_state '#outstanding')" = 1

# The issued password works while isql holds it (so it is the one credshim got).
direct="$PAM_DIR/direct-while.out"
rc=0
printf 'SELECT current_user\n' | pam_run "$direct" isql -b -v -d'|' pam_direct "$account" "$pw" || rc=$?
if [[ "$rc" == 0 ]] && grep -qx "$account" "$direct"; then
  pam_pass "while isql is connected, a direct psqlODBC login with the issued password works"
else
  pam_fail "direct login with the issued password while checked out (rc $rc):"
  sed 's/^/    /' "$direct"
fi

printf 'SELECT current_user, 40 + 2\n' >&3
exec 3>&-
rc=0
wait "$isql_pid" || rc=$?
pam_check "isql ran the query and exited 0 (rc $rc)" test "$rc" = 0
if grep -qx "cs_app1|42" "$out"; then
  pam_pass "the query ran as the checked-out account: cs_app1|42"
else
  pam_fail "query output:"
  sed 's/^/    /' "$out"
fi
pam_check "after isql ended: nothing outstanding" pam_wait_none_outstanding 5
pam_check "after isql ended: one checkout, one check-in at the mock" \
  test "$(pam_state checkouts) $(pam_state checkins)" = "1 1"

direct="$PAM_DIR/direct-after.out"
rc=0
printf 'SELECT current_user\n' | pam_run "$direct" isql -b -v pam_direct "$account" "$pw" || rc=$?
if [[ "$rc" != 0 ]] && grep -qF 'password authentication failed' "$direct"; then
  pam_pass "after the check-in the old password is refused by PostgreSQL"
else
  pam_fail "old password after check-in: expected 'password authentication failed' (rc $rc):"
  sed 's/^/    /' "$direct"
fi

# ---- iusql (W API) and the ANSI target ----------------------------------------

# (iusql narrows what it prints to Latin-1 whatever the driver: the
# Unicode row is read through isql only.)
for client in "iusql pam_pg1 3 three" "isql pam_pg1_a 2 Grüße ✓ 𝄞" "iusql pam_pg2 3 three"; do
  read -r prog dsn row want <<<"$client"
  o="$PAM_DIR/$prog-$dsn.out"
  rc=0
  t0=$SECONDS
  printf 'SELECT current_user, txt FROM cs_fixture WHERE id = %s\n' "$row" |
    pam_run "$o" "$prog" -b -v -d'|' "$dsn" || rc=$?
  if [[ "$rc" == 0 ]] && grep -qxE "cs_app[123]\\|$want" "$o" && ((SECONDS - t0 <= 15)); then
    pam_pass "$prog $dsn: query as a checked-out account ($(head -n 1 "$o"))"
  else
    pam_fail "$prog $dsn (rc $rc):"
    sed 's/^/    /' "$o"
  fi
  pam_check "$prog $dsn: nothing outstanding afterwards" pam_wait_none_outstanding 5
done

# ---- refusals ----------------------------------------------------------------

before=$(pam_state checkouts)
pam_expect_refused pam_badtoken 28000 'rejected the API token'
pam_expect_refused pam_deny 28000 'denied access'
pam_expect_refused pam_openfile 08001 'PamTokenFile'
pam_expect_refused pam_nofile 08001 'PamTokenFile'
pam_expect_refused pam_wrongca 08001 'TLS verification'
pam_check "no refusal checked anything out" test "$(pam_state checkouts)" = "$before"
if grep -rqF -- "$PAM_TOKEN" "$PAM_DIR"/refused-*.out; then
  pam_fail "a refusal message quotes the API token"
else
  pam_pass "no refusal message quotes the API token"
fi

# Target login failure: the target's diagnostics, the credential back at once.
before_in=$(pam_state checkins)
o="$PAM_DIR/nodb.out"
rc=0
printf 'SELECT 1\n' | pam_run "$o" isql -b -v pam_nodb || rc=$?
if [[ "$rc" != 0 ]] && grep -qF 'cs_no_such_database' "$o" && ! grep -qF '[credshim]' "$o"; then
  pam_pass "target login failure: isql shows psqlODBC's message (no such database)"
else
  pam_fail "target login failure (rc $rc):"
  sed 's/^/    /' "$o"
fi
pam_check "target login failure: nothing outstanding" pam_wait_none_outstanding 5
pam_check "target login failure: the checkout was checked in" \
  test "$(pam_state checkins)" = $((before_in + 1))

pam_check "end: nothing outstanding at the mock" pam_wait_none_outstanding 5
pam_finish
