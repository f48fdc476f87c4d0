#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks docs/configuration.md's key table against the code (ctest
# docs.keys), so that the reference cannot drift:
#   - it documents exactly the keys of driver/util/keys.def;
#   - a key with a default in keys.def shows that default, in backticks;
#   - a number key (CS_KF_UINT) shows the range driver/pam/session.c
#     checks ("(1 to 600)"), and is named in the "Values." paragraph;
#   - a 0/1 key (CS_KF_BOOL) is named in that paragraph, and both kinds in
#     docs/troubleshooting.md's value rows with the message the driver
#     writes ("must be a whole number from", "must be 0 or 1");
#   - the man page, when present, names every key.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc="$src/docs/configuration.md"
trouble="$src/docs/troubleshooting.md"
defs="$src/driver/util/keys.def"
session="$src/driver/pam/session.c"
# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"

# keys.def rows as: id|Name|default|flags
rows=$(sed -n 's/^CS_KEY(\([A-Z_]*\), *"\([A-Za-z]*\)", *"\([^"]*\)", *\([^"]*\), *".*/\1|\2|\3|\4/p' "$defs" |
  sed 's/[[:space:]]*|/|/g')
code=$(cut -d'|' -f2 <<<"$rows" | sort)
docs=$(sed -n 's/^| `\([A-Za-z]*\)` |.*/\1/p' "$doc" | sort)
if [[ -z "$code" ]]; then
  bad "no keys found in keys.def"
elif [[ "$code" == "$docs" ]]; then
  ok "docs/configuration.md documents exactly the $(wc -l <<<"$code") keys of keys.def"
else
  bad "docs/configuration.md and driver/util/keys.def disagree:"
  diff <(echo "$code") <(echo "$docs") || true
fi

# The row of key $1 in the table, and its default column.
row() { grep -E "^\| \`$1\` \|" "$doc" || true; }
default_col() { row "$1" | awk -F' \\| ' '{ print $2 }'; }
# The "Values." paragraph.
values=$(awk '/^\*\*Values\.\*\*/ { on = 1 } on && /^$/ { exit } on' "$doc")
[[ -n "$values" ]] || bad "docs/configuration.md has no **Values.** paragraph"
# The fixed text of a range check's messages, from session.c.
uint_msg=$(sed -n 's/.*"%s: %s \(must be a whole number from\) %lu to %lu".*/\1/p' "$session")
bool_msg=$(sed -n 's/.*"%s: %s \(must be 0 or 1\)".*/\1/p' "$session")
[[ -n "$uint_msg" && -n "$bool_msg" ]] || bad "session.c's range messages not found"
# The range session.c checks for key id $1: "min to max".
range() {
  local call min max
  call=$(grep -oE "cs_cfg_uint\\([^;]*CS_K_$1, *[0-9A-Z_]+, *[0-9A-Z_]+" "$session" | head -n 1)
  [[ -n "$call" ]] || return 0
  min=$(awk -F', *' '{ print $(NF - 1) }' <<<"$call")
  max=$(awk -F', *' '{ print $NF }' <<<"$call")
  [[ "$min" =~ ^[0-9]+$ ]] || min=$(sed -n "s/^#define $min  *\\([0-9]*\\).*/\\1/p" "$session")
  [[ "$max" =~ ^[0-9]+$ ]] || max=$(sed -n "s/^#define $max  *\\([0-9]*\\).*/\\1/p" "$session")
  echo "$min to $max"
}
while IFS='|' read -r id name def flags; do
  [[ -n "$(row "$name")" ]] || continue
  if [[ -n "$def" ]]; then
    col=$(default_col "$name")
    check "$name: default \`$def\` as in keys.def (the table says: ${col:-nothing})" test "$col" = "\`$def\`"
  fi
  if [[ "$flags" == *CS_KF_UINT* ]]; then
    r=$(range "$id")
    check "$name: session.c checks its range (${r:-none found})" test -n "$r"
    check "$name: the table gives the range ($r)" grep -qF "($r)" <<<"$(row "$name")"
    check "$name: named in the Values. paragraph" grep -qF "\`$name\`" <<<"$values"
    check "$name: in troubleshooting.md's row '$uint_msg'" \
      grep -qE "^\| \`08001\` \|.*$uint_msg.*\`$name\`|^\| \`08001\` \| \`$name $uint_msg" "$trouble"
  fi
  if [[ "$flags" == *CS_KF_BOOL* ]]; then
    check "$name: named in the Values. paragraph" grep -qF "\`$name\`" <<<"$values"
    check "$name: in troubleshooting.md's row '$bool_msg'" \
      grep -qE "^\| \`08001\` \|.*$bool_msg.*\`$name\`|^\| \`08001\` \| \`$name $bool_msg" "$trouble"
  fi
done <<<"$rows"

if [[ -f "$src/docs/credshim.7" ]]; then
  missing=""
  for k in $code; do
    grep -q "$k" "$src/docs/credshim.7" || missing="$missing $k"
  done
  if [[ -z "$missing" ]]; then ok "the man page names every key"; else bad "the man page lacks:$missing"; fi
fi

cs_tally_end
