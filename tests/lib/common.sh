# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers shared by tests/run.sh and the integration test scripts.
# Sourced, never run; callers use `set -euo pipefail`.

# Prints a message to stderr and exits 1.
cs_die() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

cs_log() {
  printf '== %s\n' "$*"
}

# Fails (not skips) when one of the named variables is unset or empty: the
# integration tests run only inside the environment tests/run.sh sets up,
# and a test that quietly skips because no server was started hides a defect.
cs_require_env() {
  local var missing=()
  for var in "$@"; do
    if [[ -z "${!var:-}" ]]; then
      missing+=("$var")
    fi
  done
  if [[ ${#missing[@]} -ne 0 ]]; then
    cs_die "missing environment: ${missing[*]}; run the tests through tests/run.sh" \
           "(e.g. tests/run.sh -R ${0##*/}), which starts PostgreSQL and writes the ini files"
  fi
}

# The integration environment every end-to-end test needs.
cs_require_odbc_env() {
  cs_require_env ODBCSYSINI ODBCINI ODBCINSTINI CS_BUILD_DIR CS_SOURCE_DIR \
                 CS_PG_PORT CS_PG_SOCKDIR CS_PG_PASSWORD
  [[ -f "$ODBCINI" ]] || cs_die "ODBCINI=$ODBCINI does not exist"
  [[ -f "$ODBCSYSINI/$ODBCINSTINI" ]] || cs_die "$ODBCSYSINI/$ODBCINSTINI does not exist"
}

# Prints the path of the sanitizer runtime the driver links against
# (libasan from gcc, or clang's shared asan runtime), or nothing when the
# driver is not built with AddressSanitizer.  An ASan-instrumented library
# dlopen()ed by an uninstrumented program (isql, python) needs that runtime
# preloaded.
cs_asan_runtime() {
  local lib="${CS_BUILD_DIR:?}/driver/libcredshim.so"
  [[ -e "$lib" ]] || return 0
  { ldd "$lib" 2>/dev/null || true; } |
    awk '/libasan\.so|libclang_rt\.asan/ && $3 ~ /^\// { print $3; exit }'
}

# Writes a file into the build tree unless it exists with that content;
# prints its path.  Atomic, so tests running in parallel may all call it.
cs_write_build_file() {
  local file="${CS_BUILD_DIR:?}/tests/$1" content="$2" tmp
  if [[ ! -f "$file" || "$(cat "$file")" != "$content" ]]; then
    mkdir -p "${file%/*}"
    tmp=$(mktemp "$file.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    mv -f "$tmp" "$file"
  fi
  printf '%s\n' "$file"
}

# What the client programs, the driver manager and the target drivers get
# wrong on their own, found by running them directly (no credshim):
#   iusql 2.3.11 strncpy()s a buffer onto itself and leaks its line buffer;
#   sqliteodbc leaks in SQLConnect (through libodbcinst, unloaded by then);
#   psqlODBC 13.02 leaks a block in SQLExecute when the statement fails
#   (42P01), in SQLDriverConnect/SQLConnect when the connection fails, and
#   in SQLBindCol when it grows its bindings;
#   unixODBC's SQLNativeSqlW strlen()s the caller's output buffer.
# The psqlODBC entries name the entry point, so a target handle credshim
# fails to free (allocated under SQLAllocHandle) is still reported.
CS_ASAN_SUPPRESSIONS='interceptor_via_lib:iusql'
# Races ThreadSanitizer finds in other people's code, with or without
# credshim: psqlODBC calls setlocale() while connecting (not thread-safe);
# libodbcinst keeps ini file paths in static buffers, and the driver
# manager and the target drivers call it without a lock (credshim's own
# calls are serialized).
CS_TSAN_SUPPRESSIONS='race:psqlodbcw.so
race:psqlodbca.so
race:libpq.so
race:libodbcinst.so
race:setlocale'
CS_VALGRIND_SUPPRESSIONS='{
   iusql-strncpy-overlap
   Memcheck:Overlap
   fun:strncpy
   obj:*/iusql
}
{
   iusql-leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:*alloc
   obj:*/iusql
}
{
   sqliteodbc-connect-leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:*alloc
   ...
   obj:*/libsqlite3odbc*.so
}
{
   psqlodbc-failed-execute-leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   ...
   obj:*/psqlodbc*.so
   ...
   fun:SQLExecute
}
{
   psqlodbc-failed-connect-leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   ...
   obj:*/psqlodbc*.so
   ...
   fun:SQL*Connect*
}
{
   psqlodbc-bindcol-leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   obj:*/psqlodbc*.so
   ...
   fun:SQLBindCol
}
{
   unixodbc-nativesqlw-strlen
   Memcheck:Cond
   fun:strlen
   obj:*/libodbc.so*
   fun:SQLNativeSqlW
}'

# Runs an ODBC client program (isql, python3 ...) that may load the driver,
# killed after the given number of seconds, under the sanitizer runtime or
# valgrind the build asks for:
#   driver built with -DCS_ASAN=ON: preload the ASan runtime (leak
#     detection off: the clients and sqliteodbc leak on their own; set
#     ASAN_OPTIONS to override).
#   CS_VALGRIND=1 (set by ctest when configured with -DCS_VALGRIND=ON):
#     run under memcheck; an error or a definite leak fails the run (99).
#     Leaks are not checked in python, which leaks at exit by design.
#
# timeout runs in --foreground mode so the program stays in the caller's
# process group, where tests/run.sh's cleanup can reach it.
#
#   cs_client <seconds> <program> [args...]
# psqlODBC (13.02) is not thread-safe in its connect: it calls setlocale()
# and reads the string it returned while another thread's setlocale() frees
# it (heap-use-after-free in strchr called from psqlodbc[aw].so), with or
# without credshim.  Tests that connect from several threads at once call
# this before cs_client: it ignores errors inside those two libraries.
cs_psqlodbc_threads() {
  local supp vsupp
  supp=$(cs_write_build_file threads-asan.supp "$CS_ASAN_SUPPRESSIONS
interceptor_via_lib:psqlodbcw.so
interceptor_via_lib:psqlodbca.so")
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:exitcode=98:suppressions=$supp}"
  vsupp=$(cs_write_build_file threads-valgrind.supp '{
   psqlodbcw-connect-setlocale-race
   Memcheck:Addr1
   fun:*chr*
   obj:*/psqlodbcw.so
}
{
   psqlodbca-connect-setlocale-race
   Memcheck:Addr1
   fun:*chr*
   obj:*/psqlodbca.so
}')
  export VALGRIND_OPTS="${VALGRIND_OPTS:+$VALGRIND_OPTS }--suppressions=$vsupp"
}

# cs_stop_group PGID: ends the process group PGID: TERM, up to 5 s for it
# to go, then KILL; reaps its leader when it is a child of this shell.
cs_stop_group() {
  local pgid="$1" i
  [[ -n "$pgid" ]] || return 0
  if kill -0 -- "-$pgid" 2>/dev/null; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  wait "$pgid" 2>/dev/null || true
}

cs_client() {
  local secs="$1" asan supp leaks=full
  shift
  [[ "${1##*/}" == python* ]] && leaks=no
  asan=$(cs_asan_runtime)
  if [[ -n "$asan" ]]; then
    supp=$(cs_write_build_file asan.supp "$CS_ASAN_SUPPRESSIONS")
    LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:exitcode=98:suppressions=$supp}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
      timeout --foreground "$secs" "$@"
  elif [[ "${CS_VALGRIND:-0}" == 1 ]]; then
    supp=$(cs_write_build_file valgrind.supp "$CS_VALGRIND_SUPPRESSIONS")
    PYTHONMALLOC=malloc timeout --foreground "$((secs * 5))" \
      valgrind -q --error-exitcode=99 --leak-check="$leaks" --errors-for-leak-kinds=definite \
        --keep-debuginfo=yes \
        --show-leak-kinds=definite --suppressions="$supp" "$@"
  elif ldd "$1" 2>/dev/null | grep -q 'libtsan\.so'; then
    # A ThreadSanitizer build: the test programs carry the runtime.
    supp=$(cs_write_build_file tsan.supp "$CS_TSAN_SUPPRESSIONS")
    TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:suppressions=$supp}" \
      timeout --foreground "$secs" "$@"
  else
    timeout --foreground "$secs" "$@"
  fi
}
