# CMake generated Testfile for 
# Source directory: /work/main/tests/unit
# Build directory: /work/main/build/tests/unit
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(unit.test_conf "/work/main/build/tests/unit/test_conf")
set_tests_properties(unit.test_conf PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/unit/CMakeLists.txt;9;add_test;/work/main/tests/unit/CMakeLists.txt;0;")
add_test(unit.test_connstr "/work/main/build/tests/unit/test_connstr")
set_tests_properties(unit.test_connstr PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/unit/CMakeLists.txt;9;add_test;/work/main/tests/unit/CMakeLists.txt;0;")
add_test(unit.test_pam_parse "/work/main/build/tests/unit/test_pam_parse")
set_tests_properties(unit.test_pam_parse PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/unit/CMakeLists.txt;9;add_test;/work/main/tests/unit/CMakeLists.txt;0;")
add_test(unit.test_utf "/work/main/build/tests/unit/test_utf")
set_tests_properties(unit.test_utf PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/unit/CMakeLists.txt;9;add_test;/work/main/tests/unit/CMakeLists.txt;0;")
