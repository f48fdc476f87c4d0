#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page is current (ctest docs.man): docs/credshim.7 is exactly what
# docs/gen-man.sh makes of docs/configuration.md today, it has an entry
# for every key of driver/util/keys.def, groff reads it without a warning,
# and the DSN template odbcinst/credshim.dsn.ini names every key too.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
man="$src/docs/credshim.7"
passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

if [[ ! -f "$man" ]]; then
  bad "docs/credshim.7 is missing: docs/gen-man.sh > docs/credshim.7"
elif diff -u "$man" <(bash "$src/docs/gen-man.sh") >/dev/null; then
  ok "docs/credshim.7 is docs/gen-man.sh's output"
else
  diff -u "$man" <(bash "$src/docs/gen-man.sh") | head -40 || true
  bad "docs/credshim.7 is out of date: run docs/gen-man.sh > docs/credshim.7"
fi

keys=$(sed -n 's/^CS_KEY([A-Z_]*, *"\([A-Za-z]*\)".*/\1/p' "$src/driver/util/keys.def")
[[ -n "$keys" ]] || bad "no keys found in driver/util/keys.def"
missing=""
for k in $keys; do
  # A .TP entry: the key in bold at the start of the tag line.
  grep -qE "^\\\\fB$k\\\\fR( |\$)" "$man" 2>/dev/null || missing="$missing $k"
done
if [[ -z "$missing" ]]; then ok "the man page has an entry for each of the $(wc -w <<<"$keys") keys"; else bad "no man page entry for:$missing"; fi

missing=""
for k in $keys; do
  [[ "$k" == DSN ]] && continue   # the section name
  grep -qE "^;?$k *=" "$src/odbcinst/credshim.dsn.ini" || missing="$missing $k"
done
if [[ -z "$missing" ]]; then ok "odbcinst/credshim.dsn.ini names every key"; else bad "odbcinst/credshim.dsn.ini lacks:$missing"; fi

if command -v groff >/dev/null; then
  warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1 || true)
  if [[ -z "$warn" ]]; then ok "groff -ww reads it without a warning"; else bad "groff: $warn"; fi
else
  bad "groff not found (the groff-base package), cannot check the man page's syntax"
fi

echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
