#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the driver's dynamic symbol table and dependencies:
#  - it exports nothing but ODBC SQL* entry points;
#  - it exports every function odbc_api.def lists (and the W variant where
#    the row says one exists), plus a fixed core list, ANSI and W;
#  - it does not link the driver manager (libodbc.so): a driver loaded by
#    unixODBC must not pull in a second copy of it.
#
#   check_exports.sh <libcredshim.so> [<driver/core/odbc_api.def>]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

lib="${1:-}"
def="${2:-}"
[[ -n "$lib" ]] || cs_die "usage: check_exports.sh <libcredshim.so> [odbc_api.def]"
[[ -e "$lib" ]] || cs_die "$lib does not exist (the driver did not build?)"

failures=0
fail() {
  printf 'FAIL: %s\n' "$*"
  failures=$((failures + 1))
}

# Defined dynamic symbols, without version suffixes.
mapfile -t exported < <(nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u)
[[ ${#exported[@]} -gt 0 ]] || cs_die "nm -D found no defined symbols in $lib"
echo "$lib exports ${#exported[@]} symbols"

for sym in "${exported[@]}"; do
  [[ "$sym" =~ ^SQL[A-Za-z]+$ ]] || fail "exports a non-ODBC symbol: $sym"
done

# Functions must be exported as code (T), not data.
while read -r _ type name; do
  [[ "$type" == T ]] || fail "$name is exported with symbol type $type, not T (code)"
done < <(nm -D --defined-only "$lib" | awk 'NF >= 3 && $3 ~ /^SQL/')

declare -A have=()
for sym in "${exported[@]}"; do
  have["$sym"]=1
done

required=(
  SQLAllocHandle SQLFreeHandle SQLFreeStmt SQLSetEnvAttr SQLGetEnvAttr
  SQLConnect SQLConnectW SQLDriverConnect SQLDriverConnectW SQLDisconnect
  SQLExecDirect SQLExecDirectW SQLPrepare SQLPrepareW SQLExecute
  SQLFetch SQLFetchScroll SQLGetData SQLBindCol SQLBindParameter
  SQLNumResultCols SQLRowCount SQLMoreResults SQLCloseCursor
  SQLDescribeCol SQLDescribeColW SQLColAttribute SQLColAttributeW
  SQLTables SQLTablesW SQLColumns SQLColumnsW
  SQLGetInfo SQLGetInfoW SQLGetTypeInfo SQLGetTypeInfoW SQLGetFunctions
  SQLSetConnectAttr SQLSetConnectAttrW SQLGetConnectAttr SQLGetConnectAttrW
  SQLSetStmtAttr SQLSetStmtAttrW SQLGetStmtAttr SQLGetStmtAttrW SQLEndTran
  SQLGetDiagRec SQLGetDiagRecW SQLGetDiagField SQLGetDiagFieldW
  SQLError SQLErrorW
)

# Every row of the function table: CS_FWD(name,...) has no W variant,
# CS_FWDW and CS_PAIR have one, CS_HAND(name, api, w) has one when w is 1.
if [[ -n "$def" ]]; then
  [[ -f "$def" ]] || cs_die "$def does not exist"
  mapfile -t from_def < <(awk '
    match($0, /^CS_(FWD|FWDW|PAIR)\(SQL[A-Za-z]+/) {
      split(substr($0, RSTART, RLENGTH), p, "(")
      print p[2]
      if (p[1] != "CS_FWD") print p[2] "W"
    }
    match($0, /^CS_HAND\(SQL[A-Za-z]+, *[A-Z_]+, *[01]/) {
      split(substr($0, RSTART + 8, RLENGTH - 8), p, /, */)
      print p[1]
      if (p[3] == "1") print p[1] "W"
    }' "$def")
  [[ ${#from_def[@]} -gt 0 ]] || fail "found no CS_FWD/CS_FWDW/CS_PAIR/CS_HAND rows in $def"
  echo "$def lists ${#from_def[@]} entry points"
  required+=("${from_def[@]}")

  # And the reverse: nothing exported that the table does not describe.
  declare -A in_def=()
  for sym in "${from_def[@]}"; do
    in_def["$sym"]=1
  done
  for sym in "${exported[@]}"; do
    [[ -n "${in_def[$sym]:-}" ]] || fail "exports $sym, which $def does not list"
  done
fi

mapfile -t required < <(printf '%s\n' "${required[@]}" | sort -u)
for sym in "${required[@]}"; do
  [[ -n "${have[$sym]:-}" ]] || fail "does not export $sym"
done

# The driver manager must not be a dependency, direct or indirect
# (libodbcinst for SQLGetPrivateProfileString is fine).
if readelf -d "$lib" | grep -E 'NEEDED' | grep -qE '\[libodbc\.so'; then
  fail "links libodbc.so (readelf -d NEEDED)"
fi
if ldd "$lib" | grep -qE '(^|[[:space:]])libodbc\.so'; then
  fail "pulls in libodbc.so (ldd)"
fi
if ldd "$lib" | grep -q 'not found'; then
  fail "has unresolved dependencies: $(ldd "$lib" | grep 'not found' | tr -s ' \n' ' ')"
fi

if [[ "$failures" -ne 0 ]]; then
  echo "check_exports: $failures failure(s)"
  exit 1
fi
echo "check_exports: ok"
