# SPDX-License-Identifier: MIT
# client_test (tests/integration/client_test.c): end-to-end checks a
# transcript comparison cannot make (two targets in one environment,
# threads, handle lifetimes, connect errors, DSN-less connections).  Needs
# the environment tests/run.sh sets up; run under the sanitizer runtime or
# valgrind the build asks for (cs_client in tests/lib/common.sh).
add_executable(client_test ${CMAKE_CURRENT_LIST_DIR}/client_test.c)
target_link_libraries(client_test PRIVATE odbc Threads::Threads)

add_test(NAME integration.client
         COMMAND bash -c "set -euo pipefail; . \"$1\"; cs_require_odbc_env; export LANG=C.UTF-8 LC_ALL=C.UTF-8; cs_psqlodbc_threads; cs_client 300 \"$2\""
                 client_test ${CMAKE_CURRENT_LIST_DIR}/../lib/common.sh $<TARGET_FILE:client_test>)
set_tests_properties(integration.client PROPERTIES
  LABELS integration
  TIMEOUT 600
  # It reads the SQLite database other tests write.
  RESOURCE_LOCK cs_sqlite_db
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.client PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1800)
endif()
