#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the differential test program against a target driver's own DSN and
# against the credshim DSN in front of it, and fails unless the two
# transcripts are byte for byte the same.
#
#   difftest.sh DIRECT VIA ansi|wide [TABLE]
#
# The program is $CS_DIFFTEST_BIN (default: the build tree's difftest).
# TABLE (default cs_difftest) is the table both runs create and drop; give
# each concurrently running comparison its own.  The transcripts are kept
# in $CS_BUILD_DIR/tests/difftest/.  Needs the environment tests/run.sh
# sets up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

[[ $# -eq 3 || $# -eq 4 ]] || cs_die "usage: difftest.sh DIRECT VIA ansi|wide [TABLE]"
direct="$1" via="$2" mode="$3" table="${4:-cs_difftest}"
[[ "$mode" == ansi || "$mode" == wide ]] || cs_die "mode must be ansi or wide, not '$mode'"

cs_require_odbc_env
bin="${CS_DIFFTEST_BIN:-$CS_BUILD_DIR/tests/integration/difftest}"
[[ -x "$bin" ]] || cs_die "$bin does not exist (build the difftest target)"
[[ -e "$CS_BUILD_DIR/driver/libcredshim.so" ]] ||
  cs_die "$CS_BUILD_DIR/driver/libcredshim.so does not exist (the driver did not build?)"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# A transcript this short means the script stopped early.
min_lines=100
dir="$CS_BUILD_DIR/tests/difftest"
mkdir -p "$dir"
out_direct="$dir/$table.$direct.txt"
out_via="$dir/$table.$via.txt"

# Runs the program against one DSN; transcript to $2, stderr to $2.err.
run() {
  local dsn="$1" out="$2"
  cs_client 180 "$bin" "$dsn" "$mode" "$table" >"$out" 2>"$out.err"
}

show_tail() {
  printf -- '--- last lines of %s:\n' "$1"
  tail -n 25 "$1" | sed 's/^/    /'
  if [[ -s "$1.err" ]]; then
    printf -- '--- its stderr:\n'
    head -n 40 "$1.err" | sed 's/^/    /'
  fi
}

rc=0
run "$direct" "$out_direct" || rc=$?
if [[ $rc -ne 0 ]]; then
  printf 'FAIL: the direct run against %s itself failed (status %d): a harness or target problem, not a comparison\n' \
    "$direct" "$rc"
  show_tail "$out_direct"
  exit 1
fi
lines=$(wc -l <"$out_direct")
if [[ $lines -lt $min_lines ]]; then
  printf 'FAIL: the direct transcript of %s has only %d lines (fewer than %d): the script stopped early\n' \
    "$direct" "$lines" "$min_lines"
  show_tail "$out_direct"
  exit 1
fi

rc=0
run "$via" "$out_via" || rc=$?
if ! cmp -s "$out_direct" "$out_via"; then
  printf 'FAIL: %s (%s) differs from %s; diff -u direct credshim:\n' "$via" "$mode" "$direct"
  diff -u --label "$direct" --label "$via" "$out_direct" "$out_via" | head -n 400 || true
  [[ $rc -eq 0 ]] || { printf 'and the credshim run ended with status %d\n' "$rc"; show_tail "$out_via"; }
  exit 1
fi
if [[ $rc -ne 0 ]]; then
  printf 'FAIL: identical transcripts, but the credshim run ended with status %d\n' "$rc"
  show_tail "$out_via"
  exit 1
fi
printf 'ok: %s and %s (%s): %d identical lines\n' "$direct" "$via" "$mode" "$lines"
