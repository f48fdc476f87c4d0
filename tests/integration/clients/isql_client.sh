#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# isql or iusql (unixODBC) through one connection: a DSN name (DSN=<name>:
# `isql <name>`, SQLConnect) or a DSN-less string (`isql -k`,
# SQLDriverConnect).  isql has no parameters: the insert line says n/a.
# Its catalog call is `help <table>` (SQLColumns).  Prints the lines
# tests/integration/clients/lib.sh checks.
#
#   isql_client.sh isql|iusql CONNECTION
set -euo pipefail
prog="$1" conn="$2"
if [[ "$conn" =~ ^DSN=([^\;]+)$ ]]; then
  args=("${BASH_REMATCH[1]}")
else
  args=(-k "$conn")
fi
out=$(printf 'SELECT CURRENT_USER, 40 + 2\nhelp cs_fixture\n' | "$prog" -b -v -d'|' "${args[@]}")
printf '%s\n' "$out" | sed 's/^/isql: /'
# The first output line is the query's row: user|42.
IFS='|' read -r user n <<<"$(printf '%s\n' "$out" | head -n 1)"
printf 'query %s %s\n' "$user" "$n"
printf 'insert n/a\n'
# SQLColumns rows: catalog|schema|table|column|...
if printf '%s\n' "$out" | grep -qiE '^[^|]*\|[^|]*\|cs_fixture\|id\|'; then
  printf 'catalog cs_fixture\n'
else
  printf 'catalog (none)\n'
fi
