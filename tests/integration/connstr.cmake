# SPDX-License-Identifier: MIT
# connstr_test (tests/integration/connstr_test.c): string arguments with
# explicit lengths, repeated keys, SQLBindParam mapping and the output
# connection string, through the driver manager, against psqlODBC, SQLite
# and the fake W-only target (which shows the string it received).  Needs
# the environment tests/run.sh sets up; runs under the sanitizer runtime
# or valgrind the build asks for (cs_client in tests/lib/common.sh).
add_executable(connstr_test ${CMAKE_CURRENT_LIST_DIR}/connstr_test.c)
target_link_libraries(connstr_test PRIVATE odbc)

add_test(NAME integration.connstr
         COMMAND bash -c "set -euo pipefail; . \"$1\"; cs_require_odbc_env; export LANG=C.UTF-8 LC_ALL=C.UTF-8; cs_client 300 \"$2\" \"$3\""
                 connstr_test ${CMAKE_CURRENT_LIST_DIR}/../lib/common.sh $<TARGET_FILE:connstr_test>
                 $<TARGET_FILE:cs_fake_wonly>)
set_tests_properties(integration.connstr PROPERTIES
  LABELS integration
  TIMEOUT 600
  RESOURCE_LOCK cs_sqlite_db
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.connstr PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1800)
endif()
