# wconv_test: W calls through credshim over ANSI-only targets against the
# driver manager's own conversion (tests/integration/wconv_test.c).
# Included from tests/integration/CMakeLists.txt; needs tests/run.sh's
# environment like the other integration tests.
add_executable(wconv_test ${CMAKE_CURRENT_LIST_DIR}/wconv_test.c)
target_link_libraries(wconv_test PRIVATE odbc)
add_test(NAME integration.wconv COMMAND wconv_test)
set_tests_properties(integration.wconv PROPERTIES
  LABELS integration
  TIMEOUT 300
  RESOURCE_LOCK cs_sqlite_db
  DEPENDS integration.check_exports)
