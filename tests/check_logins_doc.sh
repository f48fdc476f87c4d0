#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that docs/configuration.md's table of login keys lists exactly the
# keys of driver/util/logins.def, each with the same kind.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
code=$(sed -n 's/^CS_LOGIN("\([^"]*\)", *CS_LOGIN_\([A-Z]*\),.*/\1|\2/p' "$src/driver/util/logins.def" |
  sed 's/|USER$/|user/; s/|PASSWORD$/|password/' | sort)
docs=$(sed -n 's/^| \([A-Za-z][A-Za-z ]*[A-Za-z]\) | \(user\|password\) |.*/\1|\2/p' "$src/docs/configuration.md" | sort)
[[ -n "$code" ]] || { echo "no login keys found in logins.def"; exit 1; }
if [[ "$code" != "$docs" ]]; then
  echo "docs/configuration.md's login keys and driver/util/logins.def disagree:"
  diff <(echo "$code") <(echo "$docs") || true
  exit 1
fi
echo "check_logins_doc: $(echo "$code" | wc -l) login keys documented"
echo "1 passed, 0 failed"
