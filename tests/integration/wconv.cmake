# SPDX-License-Identifier: MIT
# wconv_test (tests/integration/wconv_test.c): a Unicode application's W
# calls through credshim over ANSI-only targets (credshim converts,
# driver/api/wconv.c), against the driver manager's own conversion when it
# talks to the same targets directly, and against the ODBC reference.
# Needs the environment tests/run.sh sets up; runs under the sanitizer
# runtime or valgrind the build asks for (cs_client in tests/lib/common.sh).
add_executable(wconv_test ${CMAKE_CURRENT_LIST_DIR}/wconv_test.c)
target_link_libraries(wconv_test PRIVATE odbc)

# On the direct DSNs unixODBC reads the ANSI driver's output with strlen()
# although the driver did not NUL-terminate it (SQLGetInfoW, SQLNativeSqlW
# with short buffers): reads inside libodbc, never through credshim, so
# they are suppressed for ASan (interceptor_via_lib) and valgrind.
set(CS_WCONV_ASAN_SUPP "interceptor_via_lib:libodbc.so.2")
set(CS_WCONV_VALGRIND_SUPP [=[
{
   unixodbc-strlen-unterminated-ansi-output
   Memcheck:Cond
   fun:strlen
   obj:*/libodbc.so*
}
{
   unixodbc-strlen-past-ansi-output
   Memcheck:Addr1
   fun:strlen
   obj:*/libodbc.so*
}]=])
add_test(NAME integration.wconv
         COMMAND bash -c [=[
set -euo pipefail
. "$1"
cs_require_odbc_env
export LANG=C.UTF-8 LC_ALL=C.UTF-8
supp=$(cs_write_build_file wconv-asan.supp "$3")
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:exitcode=98:suppressions=$supp}"
vsupp=$(cs_write_build_file wconv-valgrind.supp "$4")
export VALGRIND_OPTS="${VALGRIND_OPTS:+$VALGRIND_OPTS }--suppressions=$vsupp"
cs_client 300 "$2"
]=]
                 wconv_test ${CMAKE_CURRENT_LIST_DIR}/../lib/common.sh $<TARGET_FILE:wconv_test>
                 "${CS_WCONV_ASAN_SUPP}" "${CS_WCONV_VALGRIND_SUPP}")
set_tests_properties(integration.wconv PROPERTIES
  LABELS integration
  TIMEOUT 600
  # It reads the SQLite database other tests write.
  RESOURCE_LOCK cs_sqlite_db
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.wconv PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1800)
endif()
