#!/usr/bin/env bash
# Runs one scenario of pam_test.c (integration.pam.<scenario>) against this
# test's own mock PAM:  run_c.sh <pam_test binary> <scenario>
# The secrets scenario runs with unixODBC tracing on.  Whatever the
# program says, nothing may be left checked out at the mock afterwards.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin="$1"
scenario="$2"
[[ "$scenario" == secrets ]] && PAM_TRACE=1
pam_setup

# psqlODBC's Unicode driver is not thread-safe in its connect: it calls
# setlocale() and reads the string it returned while another thread's
# setlocale() frees it (heap-use-after-free in strchr called from
# psqlodbcw.so; 13.02 does this without credshim too, with 8 threads
# connecting straight to the pg_w DSN).  The scenarios that connect from
# several threads at once ignore errors inside that library.
if [[ "$scenario" == threads || "$scenario" == timeout ]]; then
  supp=$(cs_write_build_file pam-threads-asan.supp "$CS_ASAN_SUPPRESSIONS
interceptor_via_lib:psqlodbcw.so")
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:exitcode=98:suppressions=$supp}"
  vsupp=$(cs_write_build_file pam-threads-valgrind.supp '{
   psqlodbc-connect-setlocale-race
   Memcheck:Addr1
   fun:*chr*
   obj:*/psqlodbcw.so
}')
  export VALGRIND_OPTS="${VALGRIND_OPTS:+$VALGRIND_OPTS }--suppressions=$vsupp"
fi

rc=0
cs_client 150 "$bin" "$scenario" || rc=$?
if [[ "$rc" != 0 && "$rc" != 1 ]]; then
  printf 'FAIL pam_test %s ended with status %s (crash, sanitizer report or timeout)\n' "$scenario" "$rc"
fi
n=$(pam_state '#outstanding') || n="?"
if [[ "$n" != 0 ]]; then
  printf 'FAIL %s checkout(s) left outstanding at the mock\n' "$n"
  pam_ctl outstanding || true
  rc=1
fi
exit "$rc"
