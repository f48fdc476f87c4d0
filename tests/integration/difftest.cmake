# SPDX-License-Identifier: MIT
# The differential test (tests/integration/difftest.c): one script of ODBC
# calls run against a target driver's own DSN and against the credshim DSN
# in front of it; the transcripts must be byte for byte the same.  Needs the
# environment tests/run.sh sets up.
add_executable(difftest ${CMAKE_CURRENT_LIST_DIR}/difftest.c)
target_link_libraries(difftest PRIVATE odbc)

# direct DSN, credshim DSN, short name (also names the table both runs use),
# modes.  A Unicode application in front of an ANSI-only target (psqlodbca,
# SQLite ODBC) is not compared here: talking to such a target directly,
# unixODBC converts W calls itself, through UCS-2 and the locale's
# single-byte charset, and truncates without 01004 - its answers are not an
# oracle.  credshim converts UTF-16 <-> UTF-8 by the ODBC rules instead;
# tests/integration/wconv_test.c checks that direction against the
# specification and against the driver manager where the latter is right.
# MariaDB Connector/ODBC is one library for both APIs: maria_w and maria_a
# are the same DSN, compared in wide and in ANSI mode against cs_maria.
# CS_DIFFTEST_QUIRKS_<short>: steps left out for a target that cannot
# survive them even directly (difftest.c says which and why).
set(CS_DIFFTEST_PAIRS
  "pg_w cs_pg_w pg_w ansi wide"
  "pg_a cs_pg_a pg_a ansi"
  "sqlite cs_sqlite sqlite ansi"
  "sqlite cs_sqlite_path sqlite_path ansi"
  "pg_w cs_pg_tdsn pg_tdsn ansi wide"
  "maria_w cs_maria maria_w wide"
  "maria_a cs_maria maria_a ansi")
set(CS_DIFFTEST_QUIRKS_maria_w "shallow_ird_copy server_name_not_dsn out_string_app_keys text_length_as_is")
set(CS_DIFFTEST_QUIRKS_maria_a "shallow_ird_copy server_name_not_dsn out_string_app_keys text_length_as_is")
set(CS_DIFFTEST_QUIRKS_sqlite "out_string_app_keys")
set(CS_DIFFTEST_QUIRKS_sqlite_path "out_string_app_keys")
foreach(pair IN LISTS CS_DIFFTEST_PAIRS)
  separate_arguments(pair)
  list(GET pair 0 direct)
  list(GET pair 1 via)
  list(GET pair 2 short)
  list(SUBLIST pair 3 -1 modes)
  foreach(mode IN LISTS modes)
    set(name integration.difftest.${short}.${mode})
    add_test(NAME ${name}
             COMMAND ${CMAKE_COMMAND} -E env CS_DIFFTEST_BIN=$<TARGET_FILE:difftest>
                     "CS_DIFFTEST_QUIRKS=${CS_DIFFTEST_QUIRKS_${short}}"
                     bash ${CMAKE_CURRENT_LIST_DIR}/difftest.sh
                     ${direct} ${via} ${mode} cs_dt_${short}_${mode})
    set_tests_properties(${name} PROPERTIES
      LABELS "integration;difftest"
      TIMEOUT 300
      DEPENDS integration.check_exports)
    if(direct STREQUAL "sqlite")
      # One SQLite database for every test: a second writer at the same
      # time gets "database is locked".
      set_tests_properties(${name} PROPERTIES RESOURCE_LOCK cs_sqlite_db)
    endif()
    if(CS_VALGRIND)
      set_tests_properties(${name} PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1200)
    endif()
  endforeach()
endforeach()
