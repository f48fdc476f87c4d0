# CMake generated Testfile for 
# Source directory: /work/main/tests/integration
# Build directory: /work/main/build/tests/integration
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(integration.check_exports "bash" "/work/main/tests/integration/check_exports.sh" "/work/main/build/driver/libcredshim.so.0.1.0" "/work/main/driver/api/odbc_api.def")
set_tests_properties(integration.check_exports PROPERTIES  LABELS "integration" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/integration/CMakeLists.txt;8;add_test;/work/main/tests/integration/CMakeLists.txt;0;")
add_test(integration.isql_smoke "bash" "/work/main/tests/integration/isql_smoke.sh")
set_tests_properties(integration.isql_smoke PROPERTIES  DEPENDS "integration.check_exports" LABELS "integration" RESOURCE_LOCK "cs_sqlite_db" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/integration/CMakeLists.txt;12;add_test;/work/main/tests/integration/CMakeLists.txt;0;")
add_test(integration.pyodbc "bash" "/work/main/tests/integration/pyodbc_test.sh")
set_tests_properties(integration.pyodbc PROPERTIES  DEPENDS "integration.check_exports" LABELS "integration" RESOURCE_LOCK "cs_sqlite_db" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/integration/CMakeLists.txt;13;add_test;/work/main/tests/integration/CMakeLists.txt;0;")
