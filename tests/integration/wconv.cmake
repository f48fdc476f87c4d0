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

# wlen_test (tests/integration/wlen_test.c): the lengths credshim reports
# for converted output strings stay true across calls (small, exact and
# large buffers, then again with the length + 1), against psqlodbca,
# sqliteodbc and the fake ANSI-only target fake/aonly_driver.c in each of
# its ways of cutting a string.  The fake links nothing but libc.
add_library(cs_fake_aonly MODULE ${CMAKE_CURRENT_LIST_DIR}/fake/aonly_driver.c)
set_target_properties(cs_fake_aonly PROPERTIES C_VISIBILITY_PRESET hidden)
add_executable(wlen_test ${CMAKE_CURRENT_LIST_DIR}/wlen_test.c)
target_link_libraries(wlen_test PRIVATE odbc)
add_test(NAME integration.wlen
         COMMAND bash -c [=[
set -euo pipefail
. "$1"
cs_require_odbc_env
export LANG=C.UTF-8 LC_ALL=C.UTF-8
fake="DRIVER={credshim};TargetDriver=$3"
args=(pg "DSN=cs_pg_a" sqlite "DSN=cs_sqlite")
for mode in honest short silent quiet nototal pieces; do
  args+=(fake "$fake;Mode=$mode")
done
cs_client 600 "$2" "${args[@]}"
]=]
                 wlen_test ${CMAKE_CURRENT_LIST_DIR}/../lib/common.sh $<TARGET_FILE:wlen_test>
                 $<TARGET_FILE:cs_fake_aonly>)
set_tests_properties(integration.wlen PROPERTIES
  LABELS integration
  TIMEOUT 900
  RESOURCE_LOCK cs_sqlite_db
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.wlen PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 2400)
endif()

# pyodbc_messages_test.py: long server messages read the way pyodbc reads
# them (SQLGetDiagRecW with 1023 characters, then again with the length
# + 1), through credshim in front of psqlodbca, against the Unicode driver.
add_test(NAME integration.pyodbc_messages
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/pyodbc_messages_test.sh)
set_tests_properties(integration.pyodbc_messages PROPERTIES
  LABELS integration
  TIMEOUT 300
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.pyodbc_messages PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1200)
endif()
