#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that docs/configuration.md documents exactly the keys of the
# code's key table (driver/util/keys.def), and that the man page, when
# present, names every key too.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
code=$(sed -n 's/^CS_KEY([A-Z_]*, *"\([A-Za-z]*\)".*/\1/p' "$src/driver/util/keys.def" | sort)
docs=$(sed -n 's/^| `\([A-Za-z]*\)` |.*/\1/p' "$src/docs/configuration.md" | sort)
[[ -n "$code" ]] || { echo "no keys found in keys.def"; exit 1; }
if [[ "$code" != "$docs" ]]; then
  echo "docs/configuration.md and driver/util/keys.def disagree:"
  diff <(echo "$code") <(echo "$docs") || true
  exit 1
fi
n=$(echo "$code" | wc -l)
if [[ -f "$src/docs/credshim.7" ]]; then
  for k in $code; do
    grep -q "$k" "$src/docs/credshim.7" || { echo "man page lacks $k"; exit 1; }
  done
fi
echo "check_keys_doc: $n keys documented"
echo "1 passed, 0 failed"
