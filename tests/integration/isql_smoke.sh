#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# isql/iusql smoke test, as unixODBC's own CI does: the same SQL through a
# credshim DSN and through the target driver's own DSN must print the same
# thing.  Then two misconfigured credshim DSNs must fail cleanly.
# Needs the environment tests/run.sh sets up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

cs_require_odbc_env
[[ -e "$CS_BUILD_DIR/driver/libcredshim.so" ]] ||
  cs_die "$CS_BUILD_DIR/driver/libcredshim.so does not exist (the driver did not build?)"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

passed=0
failed=0
ok() {
  printf 'ok   %s\n' "$*"
  passed=$((passed + 1))
}
not_ok() {
  printf 'FAIL %s\n' "$*"
  failed=$((failed + 1))
}

# Runs SQL through a client (isql or iusql) against a DSN in batch mode;
# prints everything it says, returns its status.
run_sql() {
  local prog="$1" dsn="$2" sql="$3"
  printf '%s\n' "$sql" | cs_client 60 "$prog" -b -v "$dsn" 2>&1
}

# Same SQL, same client: the credshim DSN must print what the direct DSN
# prints, and that must contain the expected text.
same_output() {
  local prog="$1" shim="$2" direct="$3" sql="$4" want="$5"
  local what="$prog $shim vs $direct: $sql" out_direct out_shim rc=0
  out_direct=$(run_sql "$prog" "$direct" "$sql") || rc=$?
  if [[ $rc -ne 0 || "$out_direct" != *"$want"* ]]; then
    not_ok "$what: the direct DSN itself failed (harness problem), status $rc:"
    printf '%s\n' "$out_direct" | sed 's/^/    /'
    return
  fi
  out_shim=$(run_sql "$prog" "$shim" "$sql") || rc=$?
  if [[ $rc -ne 0 ]]; then
    not_ok "$what: status $rc:"
    printf '%s\n' "$out_shim" | sed 's/^/    /'
  elif [[ "$out_shim" != *"$want"* ]]; then
    not_ok "$what: output lacks '$want':"
    printf '%s\n' "$out_shim" | sed 's/^/    /'
  elif [[ "$out_shim" != "$out_direct" ]]; then
    not_ok "$what: output differs from the direct DSN's (diff direct shim):"
    diff <(printf '%s\n' "$out_direct") <(printf '%s\n' "$out_shim") | sed 's/^/    /' || true
  else
    ok "$what"
  fi
}

# Connecting to the DSN must fail, and isql must show every given string
# (case-insensitive).
connect_fails() {
  local dsn="$1" out rc=0 pat missing=()
  shift
  out=$(run_sql isql "$dsn" "SELECT 1") || rc=$?
  for pat in "$@"; do
    grep -qiF -- "$pat" <<<"$out" || missing+=("$pat")
  done
  if [[ $rc -eq 0 ]]; then
    not_ok "isql $dsn: connected, but must fail:"
    printf '%s\n' "$out" | sed 's/^/    /'
  elif [[ $rc -ne 1 ]]; then
    # 1 is isql's "could not connect"; anything else is a crash or timeout.
    not_ok "isql $dsn: exit status $rc (crash or timeout?), want 1:"
    printf '%s\n' "$out" | sed 's/^/    /'
  elif [[ ${#missing[@]} -ne 0 ]]; then
    not_ok "isql $dsn: the error does not mention ${missing[*]}:"
    printf '%s\n' "$out" | sed 's/^/    /'
  else
    ok "isql $dsn fails: $(grep -m1 -E '^\[' <<<"$out")"
  fi
}

q42="SELECT 40+2"
qfix="SELECT id, txt FROM cs_fixture ORDER BY id"

same_output isql  cs_pg_w        pg_w   "$q42" 42
same_output iusql cs_pg_w        pg_w   "$q42" 42
same_output isql  cs_pg_a        pg_a   "$q42" 42
same_output isql  cs_sqlite      sqlite "$q42" 42
same_output isql  cs_sqlite_path sqlite "$q42" 42
same_output isql  cs_pg_tdsn     pg_w   "$q42" 42

same_output isql  cs_pg_w        pg_w   "$qfix" "three"
same_output iusql cs_pg_w        pg_w   "$qfix" "three"
same_output isql  cs_pg_a        pg_a   "$qfix" "three"
same_output isql  cs_sqlite      sqlite "$qfix" "three"
same_output isql  cs_pg_tdsn     pg_w   "$qfix" "three"
# An error from the target reaches isql unchanged.
same_output isql  cs_pg_w        pg_w   "SELECT * FROM cs_no_such_table" "42P01"

connect_fails cs_no_target TargetDriver
connect_fails cs_missing_lib IM003 "$ODBCSYSINI/no-such-driver.so"

printf '%d passed, %d failed\n' "$passed" "$failed"
[[ "$failed" -eq 0 ]]
