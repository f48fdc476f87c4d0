#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The connect benchmark (docs/benchmarks.md): tests/bench/connectloop runs
# connect + SELECT 1 + disconnect cycles against PostgreSQL through
# psqlODBC (Unicode) directly and through credshim, under callgrind, and
# this script fails when credshim costs more than its budget.
#
#   tests/bench/run-connect-bench.sh [--check] [BUILD_DIR]
#
#   --check   only the warm-path checks (ctest bench.warmconnect), with
#             the drivers registered DontDLClose=0, so that the driver
#             manager unloads a driver with the last environment using it:
#             that it does so for psqlODBC; that after every connection
#             and environment was freed, a connect through credshim loads
#             nothing and a checkout reuses the PAM connection (no new TCP
#             connection, no TLS handshake); that the exit handler still
#             ends a connection left open.  No callgrind.
#
# Needs the environment tests/run.sh sets up (PostgreSQL, CS_PG_*); starts
# its own PAM on loopback TLS (benchpam.py, answering from memory) and
# writes its own odbcinst.ini and odbc.ini into a temporary directory.
#
# Paths (one each):
#   direct     psqlODBC's Unicode driver, UID/PWD in the connection string
#   pass       credshim in front of it, pass-through (UID/PWD passed on)
#   checkout   credshim, PAM mode, PamShareCheckout=0: a checkout and a
#              check-in per connection
#   shared     credshim, PAM mode, PamShareCheckout=1 (the default)
# each run once without and once with another connection of the same path
# held open (+hold): without it, the driver manager unloads the driver
# whenever the last connection ends.
#
# Budgets (loop instructions over direct's, same holding):
#   pass <= 1.005, checkout <= 1.03, shared <= 1.03 (no other connection
#   open: the checkout ends with each connection, as checkout's does),
#   shared+hold <= 1.01 (the checkout is shared: no PAM request).
#
# Environment:
#   CS_CBENCH_CYCLES    measured cycles per callgrind run and per native
#                       run of the wall-clock table (default 7)
#   CS_CBENCH_ROUNDS    interleaved native rounds of the wall-clock table
#                       (default 3; 0 leaves the table out)
#   CS_CBENCH_RSS       connects of the memory runs (default 100, to keep
#                       CI short; docs/benchmarks.md reports 1000; 0: none)
#   CS_CBENCH_CALLGRIND=0  no callgrind runs (for a long memory run)
#   CS_CBENCH_CREDSHIM  another libcredshim.so to measure (e.g. an older
#                       build, for a before/after table)
#   CS_CBENCH_KEEP=1    keep the temporary directory (callgrind files)
#
# Exit status: 0 all within budget and every check passed, 1 otherwise.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"
# shellcheck source=callgrind.sh
. "$CS_SOURCE_DIR/tests/bench/callgrind.sh"

CB_PY=/usr/bin/python3
CB_PAM_PID=""
CB_TMP=""
CB_FAILED=0
CB_PATHS=(direct pass checkout shared)

cb_cleanup() {
  local rc=$? i
  trap - EXIT
  if [[ -n "$CB_PAM_PID" ]]; then
    kill -TERM "$CB_PAM_PID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$CB_PAM_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$CB_PAM_PID" 2>/dev/null || true
    wait "$CB_PAM_PID" 2>/dev/null || true
  fi
  if [[ -n "$CB_TMP" && -d "$CB_TMP" ]]; then
    if [[ "${CS_CBENCH_KEEP:-0}" == 1 ]]; then
      printf 'kept %s\n' "$CB_TMP"
    else
      rm -rf -- "$CB_TMP"
    fi
  fi
  return "$rc"
}

cb_fail() {
  CB_FAILED=$((CB_FAILED + 1))
  printf 'FAIL %s\n' "$*"
}

cb_pass() {
  printf 'PASS %s\n' "$*"
}

# A value braced for a connection string.
cb_brace() {
  printf '{%s}' "${1//\}/\}\}}"
}

# Starts benchpam.py with TLS; sets CB_PAM_URL.
cb_start_pam() {
  local dir="$1" port="" i
  sh "$CS_SOURCE_DIR/tests/mockpam/gen-certs.sh" "$dir/certs"
  (umask 077 && printf 'cs-bench-%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$dir/token")
  (umask 077 && CB_TOKEN=$(cat "$dir/token") "$CB_PY" -c '
import json, os, sys
json.dump({"token": os.environ["CB_TOKEN"], "account": os.environ["CS_PG_USER"],
           "passwd": os.environ["CS_PG_PASSWORD"]}, open(sys.argv[1], "w"))' "$dir/pam.json")
  "$CB_PY" "$CS_SOURCE_DIR/tests/bench/benchpam.py" --config "$dir/pam.json" --port-file "$dir/port" \
    --tls-cert "$dir/certs/server.pem" --tls-key "$dir/certs/server.key" --log "$dir/requests.log" \
    </dev/null >"$dir/pam.log" 2>&1 &
  CB_PAM_PID=$!
  for ((i = 0; i < 300; i++)); do
    [[ -s "$dir/port" ]] && port=$(tr -dc 0-9 <"$dir/port")
    [[ -n "$port" ]] && break
    kill -0 "$CB_PAM_PID" 2>/dev/null || cs_die "benchpam.py exited at start: $(cat "$dir/pam.log")"
    sleep 0.05
  done
  [[ -n "$port" ]] || cs_die "benchpam.py did not listen within 15 s"
  CB_PAM_URL="https://127.0.0.1:$port"
}

# One counter of the PAM.
cb_pam_state() {
  curl -sS --cacert "$CB_TMP/certs/ca.pem" "$CB_PAM_URL/_bench/state" |
    "$CB_PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# odbcinst.ini and odbc.ini.  $2 = 1: DontDLClose=0 for both drivers, so
# the driver manager unloads a driver when the last environment using it
# goes (unixODBC's default, DontDLClose=1, keeps every driver loaded).
cb_write_ini() {
  local dir="$1" unload="$2" srv dl=""
  ((unload)) && dl=$'\nDontDLClose=0'
  cat >"$dir/odbcinst.ini" <<EOF
[ODBC]
Trace=No

[PostgreSQL Unicode]
Driver=$dir/psqlodbcw.so$dl

[credshim]
Driver=$dir/libcredshim.so$dl
EOF
  srv="Servername=$CS_PG_HOST
Port=$CS_PG_PORT
Database=$CS_PG_DATABASE"
  cat >"$dir/odbc.ini" <<EOF
[cb_direct]
Driver=PostgreSQL Unicode
$srv

[cb_pass]
Driver=credshim
TargetDriver=PostgreSQL Unicode
$srv

[cb_checkout]
Driver=credshim
TargetDriver=PostgreSQL Unicode
$srv
PamUrl=$CB_PAM_URL
PamCAFile=$dir/certs/ca.pem
PamRunHost=bench
PamTokenFile=$dir/token
PamShareCheckout=0

[cb_shared]
Driver=credshim
TargetDriver=PostgreSQL Unicode
$srv
PamUrl=$CB_PAM_URL
PamCAFile=$dir/certs/ca.pem
PamRunHost=bench
PamTokenFile=$dir/token
PamShareCheckout=1
EOF
}

# The connection string of a path.
cb_connstr() {
  local login="UID=$CS_PG_USER;PWD=$(cb_brace "$CS_PG_PASSWORD")"
  case "$1" in
    direct) printf 'DSN=cb_direct;%s' "$login" ;;
    pass) printf 'DSN=cb_pass;%s' "$login" ;;
    checkout) printf 'DSN=cb_checkout' ;;
    shared) printf 'DSN=cb_shared' ;;
  esac
}

# Runs connectloop in the temporary directory with nothing but the
# environment it needs; the arguments go before it (valgrind ...).
cb_run() {
  (cd "$CB_TMP" && env -i PATH=/usr/bin:/bin LC_ALL=C \
     ODBCSYSINI="$CB_TMP" ODBCINSTINI=odbcinst.ini ODBCINI="$CB_TMP/odbc.ini" \
     "$@")
}

# One value of connectloop's output.
cb_val() {
  awk -v k="$1" '$1 == k { print $2 }' <<<"$2"
}

# ---- the warm-path checks --------------------------------------------------

cb_checks() {
  local out conns hands cos cis conns2 hands2 cos2 cis2 n=5 loads
  cs_log "checks: what a connect pays after every connection was closed (DontDLClose=0)"

  out=$(cb_run timeout 120 ./connectloop "$(cb_connstr direct)" "$n") || cs_die "connectloop direct failed"
  loads=$(cb_val loads_loop "$out")
  # The premise: each cycle frees its environment, and the driver manager
  # unloads the driver with it (and loads it again at the next connect).
  if ((loads >= n)); then
    cb_pass "direct: the driver manager loaded psqlODBC again at each of $n connects ($loads objects)"
  else
    cb_fail "direct: $loads objects loaded during $n connects: the driver manager no longer unloads the driver, these checks prove nothing"
  fi

  out=$(cb_run timeout 120 ./connectloop "$(cb_connstr pass)" "$n") || cs_die "connectloop pass failed"
  loads=$(cb_val loads_loop "$out")
  if [[ "$loads" == 0 ]]; then
    cb_pass "pass-through: $n connects after every connection was closed loaded nothing"
  else
    cb_fail "pass-through: $n connects after every connection was closed loaded $loads objects"
  fi

  conns=$(cb_pam_state connections)
  hands=$(cb_pam_state tls_handshakes)
  cos=$(cb_pam_state checkouts)
  cis=$(cb_pam_state checkins)
  out=$(cb_run timeout 120 ./connectloop "$(cb_connstr checkout)" "$n") || cs_die "connectloop checkout failed"
  loads=$(cb_val loads_loop "$out")
  conns2=$(cb_pam_state connections)
  hands2=$(cb_pam_state tls_handshakes)
  cos2=$(cb_pam_state checkouts)
  cis2=$(cb_pam_state checkins)
  if [[ "$loads" == 0 ]]; then
    cb_pass "checkout per connection: $n connects after every connection was closed loaded nothing"
  else
    cb_fail "checkout per connection: $n connects after every connection was closed loaded $loads objects"
  fi
  # first + warm-up + n cycles: that many checkouts and check-ins, over
  # one PAM connection with one TLS handshake.
  if ((cos2 - cos == n + 2 && cis2 - cis == n + 2)); then
    cb_pass "checkout per connection: $((n + 2)) checkouts and check-ins"
  else
    cb_fail "checkout per connection: $((cos2 - cos)) checkouts and $((cis2 - cis)) check-ins, expected $((n + 2)) each"
  fi
  if ((conns2 - conns == 1 && hands2 - hands == 1)); then
    cb_pass "checkout per connection: $((2 * n + 4)) PAM requests of one process, the driver unloaded by the driver manager after each, over one connection and one TLS handshake"
  else
    cb_fail "checkout per connection: $((conns2 - conns)) PAM connections and $((hands2 - hands)) TLS handshakes for one process, expected 1 and 1"
  fi

  # The exit handler survives the driver manager's unloads: a connection
  # left open at exit, after n cycles that each unloaded the driver, is
  # still checked in.
  cos=$(cb_pam_state checkouts)
  cis=$(cb_pam_state checkins)
  cb_run timeout 120 ./connectloop --leave-open "$(cb_connstr shared)" "$n" >/dev/null ||
    cs_die "connectloop --leave-open failed"
  cos2=$(cb_pam_state checkouts)
  cis2=$(cb_pam_state checkins)
  if ((cos2 - cos == n + 3 && cis2 - cis == n + 3)); then
    cb_pass "exit handler: the connection left open at exit, after $((n + 2)) unloads, was checked in"
  else
    cb_fail "exit handler: $((cos2 - cos)) checkouts, $((cis2 - cis)) check-ins (the one left open at exit not checked in?)"
  fi
}

# ---- callgrind ---------------------------------------------------------------

# Prints the Ir of the dump with trigger $2 among the callgrind files $1*.
cb_region_ir() {
  local file
  file=$(cs_cg_dump "$1" "$2")
  cs_cg_ir "$file"
}

# Prints "<Ir> <file>" of every measured cycle's dump among $1*, fewest
# instructions first.
cb_cycles() {
  local file
  for file in $(grep -l -x "desc: Trigger: Client Request: cycle" "$1"* 2>/dev/null); do
    awk -v f="$file" '/^summary: / { print $2, f; exit }' "$file"
  done | sort -n
}

# Prints "<Ir>\t<object>" of self cost per object (its file name) in the
# callgrind dump $1.
cb_object_costs() {
  cs_cg_self_costs "$1" |
    awk -F'\t' '{ o = $2; sub(/.*\//, "", o); cost[o] += $1 }
      END { for (k in cost) if (cost[k]) printf "%d\t%s\n", cost[k], k }'
}

# Runs one callgrind measurement: path, hold (0/1), cycles.
cb_callgrind() {
  local path="$1" hold="$2" cycles="$3" tag="$1" args=()
  ((hold)) && tag="$path+hold" && args=(--hold)
  cs_log "callgrind: $tag, $cycles cycles"
  cb_run timeout 900 "$CB_VALGRIND" -q --tool=callgrind --callgrind-out-file="$CB_TMP/cg.$tag.out" \
    ./connectloop "${args[@]}" "$(cb_connstr "$path")" "$cycles" >"$CB_TMP/cg.$tag.txt" ||
    cs_die "connectloop $tag failed under callgrind"
}

# Budget of a path: loop ratio over direct.
cb_budget() {
  case "$1" in
    pass | pass+hold) printf '1.005' ;;
    checkout | checkout+hold | shared) printf '1.03' ;;
    shared+hold) printf '1.01' ;;
  esac
}

# The cheapest cycle of each path is its cost: what varies between cycles
# (a poll that found no data yet and went round once more, the server's
# timing) only ever adds instructions.
cb_measure() {
  local cycles="$1" path hold tag d ir med budget first f0 n
  for hold in 0 1; do
    for path in "${CB_PATHS[@]}"; do
      cb_callgrind "$path" "$hold" "$cycles"
    done
  done
  printf '\nconnect + SELECT 1 + disconnect, instructions (callgrind Ir) per cycle, cheapest of %s:\n' "$cycles"
  printf '  %-15s %12s %12s %8s %8s\n' path cheapest median ratio budget
  for hold in 0 1; do
    for path in "${CB_PATHS[@]}"; do
      tag=$path
      ((hold)) && tag="$path+hold"
      cb_cycles "$CB_TMP/cg.$tag.out" >"$CB_TMP/cycles.$tag"
      n=$(wc -l <"$CB_TMP/cycles.$tag")
      ((n == cycles)) || cs_die "$tag: $n cycle dumps, expected $cycles"
      ir=$(awk 'NR == 1 { print $1 }' "$CB_TMP/cycles.$tag")
      med=$(awk '{ print $1 }' "$CB_TMP/cycles.$tag" | cb_median)
      if [[ "$path" == direct ]]; then
        d=$ir
        printf '  %-15s %12s %12.0f %8s\n' "$tag" "$ir" "$med" 1.0000
        continue
      fi
      budget=$(cb_budget "$tag")
      printf '  %-15s %12s %12.0f %8s %8s\n' "$tag" "$ir" "$med" \
        "$(awk -v s="$ir" -v d="$d" 'BEGIN { printf "%.4f", s / d }')" "$budget"
      if awk -v s="$ir" -v d="$d" -v m="$budget" 'BEGIN { exit !(s > d * m) }'; then
        cb_fail "$tag: over budget $budget"
      fi
    done
  done

  printf '\nfirst connect of a process (loading, PAM client and TLS set-up), Ir:\n'
  for path in "${CB_PATHS[@]}"; do
    first=$(cb_region_ir "$CB_TMP/cg.$path.out" first)
    [[ "$path" == direct ]] && f0=$first
    printf '  %-15s %12s  %+d vs direct\n' "$path" "$first" "$((first - f0))"
  done

  printf '\nself Ir per object in the cheapest cycle, credshim minus direct (|difference| >= 1000):\n'
  for tag in pass checkout shared+hold; do
    d=direct
    [[ "$tag" == *+hold ]] && d=direct+hold
    printf '  %s:\n' "$tag"
    awk -F'\t' '
      FNR == 1 { sign = (FILENAME == ARGV[1]) ? -1 : 1 }
      { o[$2] += sign * $1 }
      END { for (k in o) if (o[k] >= 1000 || o[k] <= -1000) printf "    %+10d  %s\n", o[k], k }
    ' <(cb_object_costs "$(awk 'NR == 1 { print $2 }' "$CB_TMP/cycles.$d")") \
      <(cb_object_costs "$(awk 'NR == 1 { print $2 }' "$CB_TMP/cycles.$tag")") |
      sort -k1,1gr
  done
}

# ---- wall clock and memory (for information) -------------------------------

# The median of the numbers on stdin, one a line.
cb_median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cb_wallclock() {
  local rounds="$1" cycles="$2" r path hold tag out args
  cs_log "wall clock: $rounds interleaved rounds of $cycles cycles per path"
  for ((r = 0; r < rounds; r++)); do
    for hold in 0 1; do
      for path in "${CB_PATHS[@]}"; do
        tag=$path
        args=()
        ((hold)) && tag="$path+hold" && args=(--hold)
        out=$(cb_run timeout 300 ./connectloop "${args[@]}" "$(cb_connstr "$path")" "$cycles") ||
          cs_die "connectloop $tag failed"
        printf '%s %s %s\n' "$tag" "$(cb_val loop_ns "$out")" "$(cb_val first_ns "$out")" >>"$CB_TMP/wall.txt"
      done
    done
  done
  printf '\nwall clock, median of %s interleaved runs (for information; the machine is shared):\n' "$rounds"
  printf '  %-15s %12s %12s %14s\n' path "ms/cycle" "vs direct" "first connect"
  for hold in 0 1; do
    for path in "${CB_PATHS[@]}"; do
      tag=$path
      ((hold)) && tag="$path+hold"
      printf '%s %s %s\n' "$tag" \
        "$(awk -v t="$tag" -v c="$cycles" '$1 == t { printf "%.3f\n", $2 / c / 1e6 }' "$CB_TMP/wall.txt" | cb_median)" \
        "$(awk -v t="$tag" '$1 == t { printf "%.3f\n", $3 / 1e6 }' "$CB_TMP/wall.txt" | cb_median)"
    done
  done | awk '$1 == "direct" || $1 == "direct+hold" { d = $2 }
    { printf "  %-15s %12.3f %12.3f %11.1f ms\n", $1, $2, $2 / d, $3 }'
}

cb_memory() {
  local n="$1" path out r1 rn d_growth=0 growth
  cs_log "memory: VmRSS after 1 and after $n connects"
  printf '\nVmRSS after the first connect and after %s more (kB):\n' "$n"
  printf '  %-15s %10s %10s %10s\n' path "after 1" "after $n" growth
  for path in direct pass checkout; do
    out=$(cb_run timeout 900 ./connectloop "$(cb_connstr "$path")" "$n") || cs_die "connectloop $path failed"
    r1=$(cb_val rss_kb_1 "$out")
    rn=$(cb_val rss_kb_n "$out")
    growth=$((rn - r1))
    [[ "$path" == direct ]] && d_growth=$growth
    printf '  %-15s %10s %10s %+10d\n' "$path" "$r1" "$rn" "$growth"
    # No growth: credshim's connects may not keep what they allocate.  A
    # little slack for the heap's own fragmentation.
    if [[ "$path" != direct ]] && ((growth > d_growth + 256)); then
      cb_fail "$path: VmRSS grew by $growth kB over $n connects (direct: $d_growth kB)"
    fi
  done
}

main() {
  local check=0 build cycles rounds rss credshim
  if [[ "${1:-}" == --check ]]; then
    check=1
    shift
  fi
  build="${1:-$CS_SOURCE_DIR/build}"
  build=$(cd "$build" 2>/dev/null && pwd) || cs_die "build directory ${1:-build} does not exist"
  cs_require_env CS_PG_HOST CS_PG_PORT CS_PG_DATABASE CS_PG_USER CS_PG_PASSWORD CS_ODBC_DRIVER_DIR
  cycles="${CS_CBENCH_CYCLES:-7}"
  rounds="${CS_CBENCH_ROUNDS:-3}"
  rss="${CS_CBENCH_RSS:-100}"
  credshim="${CS_CBENCH_CREDSHIM:-$build/driver/libcredshim.so}"
  [[ -x "$build/tests/bench/connectloop" ]] || cs_die "$build/tests/bench/connectloop does not exist (build first)"
  [[ -e "$credshim" ]] || cs_die "$credshim does not exist (build first)"
  [[ -e "$CS_ODBC_DRIVER_DIR/psqlodbcw.so" ]] || cs_die "no psqlodbcw.so in $CS_ODBC_DRIVER_DIR (tests/deps.sh installs odbc-postgresql)"
  for v in cycles rounds rss; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || cs_die "$v=${!v} is not a number"
  done
  ((cycles > 0)) || cs_die "CS_CBENCH_CYCLES must be at least 1"
  if ((!check)); then
    CB_VALGRIND=$(command -v valgrind) || cs_die "valgrind is not installed (tests/deps.sh installs it)"
  fi

  # Paths of one length on every run, the programs through symlinks: the
  # counts depend a little on string lengths and addresses (see
  # docs/benchmarks.md, "Keeping the count deterministic").
  CB_TMP=$(mktemp -d /tmp/cs-cbench.XXXXXX)
  trap cb_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ln -s "$build/tests/bench/connectloop" "$CB_TMP/connectloop"
  ln -s "$credshim" "$CB_TMP/libcredshim.so"
  ln -s "$CS_ODBC_DRIVER_DIR/psqlodbcw.so" "$CB_TMP/psqlodbcw.so"
  cb_start_pam "$CB_TMP"
  cb_write_ini "$CB_TMP" "$check"

  if ((check)); then
    cb_checks
  else
    [[ "${CS_CBENCH_CALLGRIND:-1}" == 0 ]] || cb_measure "$cycles"
    ((rounds > 0)) && cb_wallclock "$rounds" "$cycles"
    ((rss > 0)) && cb_memory "$rss"
  fi
  if ((CB_FAILED > 0)); then
    printf '%d check(s) failed\n' "$CB_FAILED"
    return 1
  fi
  printf 'ok\n'
}

main "$@"
