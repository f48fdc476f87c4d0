# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The tally of the shell test scripts: one "ok" or "FAIL" line per check,
# the totals at the end.  Sourced, never run; callers use `set -euo pipefail`.
#
#   ok "what"; bad "what"         a result, counted
#   check "what" command args...  ok when the command succeeds, else bad
#   cs_tally_end                  the last command: prints the totals,
#                                 true only when nothing failed

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
check() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

cs_tally_end() {
  echo "$passed passed, $failed failed"
  [[ "$failed" == 0 ]]
}
