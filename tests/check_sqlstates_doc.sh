#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that docs/troubleshooting.md explains every SQLSTATE of the code's
# table (driver/util/sqlstate.def), and that no driver source writes a
# SQLSTATE literal past the table.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
codes=$(sed -n 's/^CS_STATE([A-Z0-9]*, "\([0-9A-Z]*\)".*/\1/p' "$src/driver/util/sqlstate.def")
[[ -n "$codes" ]] || { echo "no SQLSTATEs found in sqlstate.def"; exit 1; }
fail=0
for c in $codes; do
  if ! grep -q "\`$c\`" "$src/docs/troubleshooting.md"; then
    echo "docs/troubleshooting.md does not explain $c"
    fail=1
  fi
done
if grep -rnE 'cs_(diag_add|pam_errf)\([^,]+, "' "$src/driver" --include='*.c'; then
  echo "a SQLSTATE literal instead of a CS_S* row of sqlstate.def (above)"
  fail=1
fi
n=$(wc -w <<<"$codes")
if [[ "$fail" == 0 ]]; then
  echo "check_sqlstates_doc: $n SQLSTATEs documented"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$fail"
