#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fetch-loop benchmark (docs/benchmarks.md): runs tests/bench/fetchloop
# under callgrind against the SQLite ODBC driver directly and through
# credshim, prints the instruction counts (Ir) of the measured region and
# their ratio, and fails when credshim costs more than the budget.
#
#   tests/bench/run-bench.sh [BUILD_DIR]      default: <source>/build
#
# Builds nothing: BUILD_DIR must hold driver/libcredshim.so and
# tests/bench/fetchloop.  Writes its own odbcinst.ini, odbc.ini and SQLite
# database into a temporary directory, so it needs no other test setup.
#
# Environment (the processes measured get none of the caller's):
#   CS_BENCH_ROWS       rows in the table (default 20000)
#   CS_BENCH_MAX_RATIO  the budget, credshim/direct (default 1.005, issue 12)
#   CS_BENCH_MAX_OWN    the budget of credshim's own instructions per
#                       forwarded call (default 8, issue 12)
#   CS_BENCH_KEEP=1     keep the temporary directory (callgrind files for
#                       callgrind_annotate) and print its path
#
# Exit status: 0 within budget, 1 over budget or on any failure.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
# shellcheck source=callgrind.sh
. "$CS_SOURCE_DIR/tests/bench/callgrind.sh"

# The directory holding libsqlite3odbc.so for this machine's multiarch.
bench_sqlite_driver() {
  local multiarch dir
  multiarch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)
  for dir in ${multiarch:+"/usr/lib/$multiarch/odbc"} /usr/lib/odbc /usr/lib64/odbc; do
    if [[ -e "$dir/libsqlite3odbc.so" ]]; then
      printf '%s\n' "$dir/libsqlite3odbc.so"
      return 0
    fi
  done
  cs_die "no libsqlite3odbc.so in /usr/lib/$multiarch/odbc (install libsqliteodbc; tests/deps.sh does)"
}

# Writes odbcinst.ini and odbc.ini into dir: DSN bench_direct (the SQLite
# driver) and bench_credshim (credshim with TargetDriver=SQLite3), both on
# the one database file.  The drivers are loaded through symlinks in dir.
bench_write_ini() {
  local dir="$1"
  cat >"$dir/odbcinst.ini" <<EOF
[ODBC]
Trace=No

[SQLite3]
Description=SQLite3 ODBC driver
Driver=$dir/libsqlite3odbc.so

[credshim]
Description=credshim proxy driver (build tree)
Driver=$dir/libcredshim.so
EOF
  cat >"$dir/odbc.ini" <<EOF
; Written by tests/bench/run-bench.sh for one run.
[bench_direct]
Driver=SQLite3
Database=$dir/bench.db

[bench_credshim]
Driver=credshim
TargetDriver=SQLite3
Database=$dir/bench.db
EOF
}

# Prints the Ir of the region fetchloop dumped (trigger "fetchloop") from
# the callgrind files of one run.
bench_region_ir() {
  local file
  file=$(cs_cg_dump "$1" fetchloop "fetchloop built without valgrind/callgrind.h?")
  cs_cg_ir "$file"
}

# Prints "<Ir>\t<object>\t<function>" of self cost for every function in
# the region's dump of one run (cs_cg_self_costs).
bench_self_costs() {
  local file
  file=$(cs_cg_dump "$1" fetchloop)
  cs_cg_self_costs "$file"
}

# Prints where the two runs differ: self Ir per object, then per function,
# credshim minus direct, largest first.
bench_explain() {
  local direct="$1" shim="$2"
  awk -F'\t' '
    FNR == 1 { sign = (FILENAME == ARGV[1]) ? -1 : 1 }
    { obj = $2; sub(/.*\//, "", obj); fn = $3
      if (fn ~ /^0x[0-9a-f]+$/) fn = "(code without symbols)"
      o[obj] += sign * $1; f[obj "  " fn] += sign * $1 }
    END {
      print "  self Ir, credshim minus direct, per object:"
      for (k in o) if (o[k]) printf "    %+12d  %s\n", o[k], k | "sort -k1,1gr"
      close("sort -k1,1gr")
      print "  per function (|difference| >= 1000):"
      for (k in f) if (f[k] >= 1000 || f[k] <= -1000)
        printf "    %+12d  %s\n", f[k], k | "sort -k1,1gr | head -n 25"
      close("sort -k1,1gr | head -n 25")
    }
  ' <(bench_self_costs "$direct") <(bench_self_costs "$shim")
}

# Runs fetchloop (the symlink in dir) in dir with nothing but the
# environment it needs; the arguments go before it (valgrind ...).
bench_run() {
  local dir="$1"
  shift
  (cd "$dir" && env -i PATH=/usr/bin:/bin LC_ALL=C LD_BIND_NOW=1 \
     ODBCSYSINI="$dir" ODBCINSTINI=odbcinst.ini ODBCINI="$dir/odbc.ini" \
     "$@")
}

main() {
  local build="${1:-$CS_SOURCE_DIR/build}" rows="${CS_BENCH_ROWS:-20000}"
  local max="${CS_BENCH_MAX_RATIO:-1.005}" max_own="${CS_BENCH_MAX_OWN:-8}" fetchloop credshim tmp valgrind
  local ref out name ir_direct ir_shim calls own
  build=$(cd "$build" 2>/dev/null && pwd) || cs_die "build directory ${1:-$CS_SOURCE_DIR/build} does not exist"
  fetchloop="$build/tests/bench/fetchloop"
  credshim="$build/driver/libcredshim.so"
  [[ -x "$fetchloop" ]] || cs_die "$fetchloop does not exist (build the project first)"
  [[ -e "$credshim" ]] || cs_die "$credshim does not exist (build the project first)"
  valgrind=$(command -v valgrind) || cs_die "valgrind is not installed (tests/deps.sh installs it)"
  [[ "$rows" =~ ^[1-9][0-9]*$ ]] || cs_die "CS_BENCH_ROWS=$rows is not a positive number"

  # The counts depend a little on where the heap and stack put things
  # (string copies cost instructions by alignment, see docs/benchmarks.md),
  # so every path and string the processes see has the same length on every
  # machine: a directory of fixed length (TMPDIR is ignored on purpose), the
  # program and drivers through symlinks in it, a minimal environment.
  tmp=$(mktemp -d /tmp/cs-bench.XXXXXX)
  # shellcheck disable=SC2064 # expand tmp now: it is local to main
  if [[ "${CS_BENCH_KEEP:-0}" == 1 ]]; then
    trap "printf 'kept %s\\n' '$tmp'" EXIT
  else
    trap "rm -rf '$tmp'" EXIT
  fi
  ln -s "$fetchloop" "$tmp/fetchloop"
  ln -s "$credshim" "$tmp/libcredshim.so"
  ln -s "$(bench_sqlite_driver)" "$tmp/libsqlite3odbc.so"
  bench_write_ini "$tmp"

  # Create the table outside valgrind, so both measured runs find it
  # already there and do the same work.
  cs_log "setup: $rows rows into $tmp/bench.db"
  ref=$(bench_run "$tmp" timeout 300 ./fetchloop bench_direct "$rows") ||
    cs_die "fetchloop setup run failed"

  for name in direct credshim; do
    cs_log "callgrind: fetchloop bench_$name $rows"
    out=$(bench_run "$tmp" timeout 600 "$valgrind" -q --tool=callgrind \
            --callgrind-out-file="$tmp/callgrind.$name.out" \
            ./fetchloop "bench_$name" "$rows") ||
      cs_die "fetchloop bench_$name failed under callgrind"
    [[ "$out" == "$ref" ]] ||
      cs_die "bench_$name read different data: '$out', direct read '$ref'"
  done

  ir_direct=$(bench_region_ir "$tmp/callgrind.direct.out")
  ir_shim=$(bench_region_ir "$tmp/callgrind.credshim.out")
  # SQLExecDirect, rows + 1 SQLFetch, 3 SQLGetData a row, SQLFreeStmt.
  calls=$((4 * rows + 3))
  printf 'fetch loop, %s rows (%s ODBC calls), instructions (callgrind Ir):\n' "$rows" "$calls"
  printf '  direct    %12s\n' "$ir_direct"
  printf '  credshim  %12s\n' "$ir_shim"
  awk -v d="$ir_direct" -v s="$ir_shim" -v c="$calls" -v max="$max" 'BEGIN {
    printf "  ratio     %.4f  (budget %.4f)\n", s / d, max
    printf "  extra     %d Ir, %.2f per forwarded call\n", s - d, (s - d) / c
  }'
  # The forwarders' own instructions, apart from what moves with the heap
  # layout in the libraries both runs share.
  own=$(bench_self_costs "$tmp/callgrind.credshim.out" |
    awk -F'\t' '$2 ~ /\/libcredshim\.so[^\/]*$/ { own += $1 } END { print own + 0 }')
  awk -v own="$own" -v d="$ir_direct" -v c="$calls" -v max="$max_own" 'BEGIN {
    printf "  credshim  %d Ir in its own code: %.2f%% of direct, %.2f per forwarded call (budget %s)\n",
           own, 100 * own / d, own / c, max }'
  bench_explain "$tmp/callgrind.direct.out" "$tmp/callgrind.credshim.out"

  if awk -v d="$ir_direct" -v s="$ir_shim" -v max="$max" 'BEGIN { exit !(s > d * max) }'; then
    printf 'FAIL: credshim runs the fetch loop in more than %s times the direct driver'"'"'s instructions\n' "$max"
    return 1
  fi
  # The forwarders' own cost does not move with the heap layout: a guard
  # against a forwarder that grows while the ratio still has headroom.
  if awk -v own="$own" -v c="$calls" -v max="$max_own" 'BEGIN { exit !(own / c > max) }'; then
    printf 'FAIL: credshim'"'"'s own code runs more than %s instructions per forwarded call\n' "$max_own"
    return 1
  fi
  printf 'ok: within budget\n'
}

main "$@"
