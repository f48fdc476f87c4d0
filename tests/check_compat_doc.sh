#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks docs/compatibility.md against the test list, so the matrix cannot
# drift:
#   - every ctest name in a "tested" row of its tables exists;
#   - every client test (integration.clients.*) and differential test
#     (integration.difftest.*) is named in some row;
#   - no "tested" row lacks a test, and the README links to the document.
#
#   check_compat_doc.sh BUILD-DIR
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${1:?usage: check_compat_doc.sh BUILD-DIR}"
doc="$src/docs/compatibility.md"
fail=0

tests=$(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: *//p')
[[ -n "$tests" ]] || { echo "ctest -N in $build lists no test"; exit 1; }

# Table rows (lines starting with '|'), without the header separators.
rows=$(grep '^|' "$doc" | grep -v '^|---')
named=$(grep -oE '`integration\.[A-Za-z0-9_.]+`' <<<"$rows" | tr -d '`' | sort -u)

while IFS= read -r row; do
  if grep -qw tested <<<"$row" && ! grep -q '`integration\.' <<<"$row" &&
     ! grep -q 'untested' <<<"$row"; then
    echo "docs/compatibility.md: a \"tested\" row names no test: $row"
    fail=1
  fi
done <<<"$rows"

for t in $named; do
  if ! grep -qxF "$t" <<<"$tests"; then
    echo "docs/compatibility.md names $t, which is no test"
    fail=1
  fi
done

for t in $(grep -E '^integration\.(clients|difftest)\.' <<<"$tests"); do
  if ! grep -qxF "$t" <<<"$named"; then
    echo "$t is in no row of docs/compatibility.md"
    fail=1
  fi
done

if ! grep -qF '(docs/compatibility.md)' "$src/README.md"; then
  echo "README.md does not link docs/compatibility.md"
  fail=1
fi

if [[ "$fail" == 0 ]]; then
  echo "check_compat_doc: $(wc -w <<<"$named") tests named, all exist, none missing"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$fail"
