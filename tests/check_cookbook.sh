#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# docs/cookbook.md's DSNs are usable as written (ctest: docs.cookbook),
# through tests/run.sh's unixODBC configuration and the build's credshim:
#   - it covers PostgreSQL, MariaDB/MySQL, SQL Server (FreeTDS and
#     Microsoft's driver), Oracle, Db2 and a DSN-less string;
#   - every ini block installs with `odbcinst -i -s -f` and has Driver =
#     credshim, TargetDriver, PamUrl, PamRunHost and PamTokenFile;
#   - connecting through isql gets past credshim's key check (no "unknown
#     key": every Pam*/Shim*/Target* key is spelled right) and stops where
#     this machine differs from the reader's: the real driver is not
#     registered here (IM003 naming the DSN and the closest drivers) or
#     cannot be loaded, or, for a driver registered here, the token file
#     does not exist (08001 naming PamTokenFile);
#   - the DSN-less string parses and stops at its unset PamTokenEnv.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
cs_require_odbc_env
doc="$CS_SOURCE_DIR/docs/cookbook.md"

work=$(mktemp -d "$CS_BUILD_DIR/tests/cookbook.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
# shellcheck source=lib/tally.sh
. "$CS_SOURCE_DIR/tests/lib/tally.sh"

for h in 'PostgreSQL' 'MariaDB and MySQL' 'SQL Server with FreeTDS' "SQL Server with Microsoft's driver" \
         'Oracle' 'Db2' 'DSN-less, for BI tools'; do
  check "a section for $h" grep -q "^## $h" "$doc"
done

# Every ```ini block into its own file.
awk -v dir="$work" '/^```ini$/ {n++; f = dir "/dsn" n ".ini"; next}
                    /^```$/ {f = ""; next}
                    f {print > f}' "$doc"
shopt -s nullglob
blocks=("$work"/dsn*.ini)
check "${#blocks[@]} DSN blocks (at least 6)" test "${#blocks[@]}" -ge 6

registered=$(odbcinst -q -d | tr -d '[]')
for f in "${blocks[@]}"; do
  dsn=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$f")
  target=$(sed -n 's/^TargetDriver *= *//p' "$f")
  for k in Driver TargetDriver PamUrl PamRunHost PamTokenFile; do
    grep -qE "^$k +=" "$f" || bad "$dsn: no $k"
  done
  check "$dsn: Driver = credshim" grep -qE '^Driver += credshim$' "$f"
  check "$dsn: odbcinst -i -s -f accepts it" env ODBCINI="$work/odbc.ini" odbcinst -i -s -f "$f"
  out="$work/$dsn.out"
  printf 'SELECT 1\n' | ODBCINI="$work/odbc.ini" cs_client 30 isql -b -v "$dsn" >"$out" 2>&1 || true
  sed 's/^/   | /' "$out"
  check "$dsn: no unknown key" bash -c "! grep -q 'unknown key' '$out'"
  if grep -qxF -- "$target" <<<"$registered"; then
    check "$dsn: TargetDriver '$target' is registered here: it stops at the missing token file" \
      grep -qF "[credshim] $dsn: PamTokenFile " "$out"
  elif [[ "$target" == /* ]]; then
    check "$dsn: the library $target is not here: IM003 naming it" \
      grep -qF "[IM003]" "$out"
  else
    check "$dsn: TargetDriver '$target' is not registered here: IM003 naming the DSN and suggestions" \
      grep -qF "[credshim] $dsn: TargetDriver '$target' is neither an absolute library path nor a driver registered in odbcinst.ini; the closest registered: " "$out"
  fi
done

# The DSN-less string: the first plain ``` block after its heading.
conn=$(awk '/^## DSN-less/ {s = 1} s && /^```$/ {if (c) exit; c = 1; next} c' "$doc")
check "the DSN-less string starts with DRIVER={credshim}" grep -q '^DRIVER={credshim};' <<<"$conn"
env_var=$(sed -n 's/.*PamTokenEnv=\([A-Za-z_0-9]*\).*/\1/p' <<<"$conn")
out="$work/dsnless.out"
(unset "${env_var:-CS_NONE}"; printf 'SELECT 1\n' | cs_client 30 isql -b -v -k "$conn") >"$out" 2>&1 || true
sed 's/^/   | /' "$out"
check "DSN-less: parsed, keys known, target loaded; stops at PamTokenEnv $env_var not being set" \
  grep -qF "PamTokenEnv names $env_var, which is not set" "$out"

cs_tally_end
