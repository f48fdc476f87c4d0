#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page is current (ctest docs.man): docs/credshim.7 is exactly what
# docs/gen-man.sh makes of docs/configuration.md today, it has an entry
# for every key of driver/util/keys.def and every SQLSTATE of
# driver/util/sqlstate.def, no developer text, names the installed
# documentation, groff reads it without a warning, and the DSN template
# odbcinst/credshim.dsn.ini names every key too and no file of the source
# tree.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
man="$src/docs/credshim.7"
# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"

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
# It is installed for users too: the documents it names are installed ones.
dev=$(grep -nE '(^|[^A-Za-z0-9_/.-])(docs|tests|driver)/[A-Za-z]' "$src/odbcinst/credshim.dsn.ini" || true)
if [[ -z "$dev" ]]; then ok "odbcinst/credshim.dsn.ini names no file of the source tree"; else bad "source paths in odbcinst/credshim.dsn.ini: $dev"; fi

# For users: the rendered text (comments aside) names no file of the
# source tree; every SQLSTATE of sqlstate.def has an entry; each document
# the page names is one `cmake --install` puts in share/doc/credshim.
text=$(grep -v '^\.\\"' "$man" || true)
dev=$(grep -nE 'tests/|driver/|docs/|source tree|\.sh\b|check_' <<<"$text" || true)
if [[ -z "$dev" ]]; then ok "no developer text (source paths, test scripts)"; else bad "developer text in the man page: $dev"; fi
codes=$(sed -n 's/^CS_STATE([A-Z0-9]*, *"\([0-9A-Z]*\)".*/\1/p' "$src/driver/util/sqlstate.def")
missing=""
for c in $codes; do
  grep -qx "\.B $c" "$man" || missing="$missing $c"
done
if [[ -n "$codes" && -z "$missing" ]]; then ok "the SQLSTATE table has the $(wc -w <<<"$codes") codes of sqlstate.def"; else bad "no SQLSTATE entry for:${missing:- (no codes found)}"; fi
grep -q '^\.I /usr/share/doc/credshim/$' "$man" && ok "FILES names /usr/share/doc/credshim/" ||
  bad "FILES does not name /usr/share/doc/credshim/"
installed=$(sed -n '/^set(CS_DOC_FILES/,/)/p' "$src/odbcinst/install.cmake" | tr ' ()' '\n\n\n' | sed -n 's|^\(docs/\)\{0,1\}\([A-Za-z_.-]*\.md\)$|\2|p; s|^LICENSE$|LICENSE|p')
missing=""
for d in $(sed -n 's/^\.I \([A-Za-z_-]*\.md\)$/\1/p' "$man") README.md CHANGELOG.md LICENSE; do
  grep -qx "$d" <<<"$installed" || missing="$missing $d"
done
if [[ -z "$missing" ]]; then ok "every document it names is installed (odbcinst/install.cmake)"; else bad "named but not installed:$missing"; fi

if command -v groff >/dev/null; then
  warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1 || true)
  if [[ -z "$warn" ]]; then ok "groff -ww reads it without a warning"; else bad "groff: $warn"; fi
else
  bad "groff not found (the groff-base package), cannot check the man page's syntax"
fi

cs_tally_end
