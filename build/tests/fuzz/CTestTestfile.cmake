# CMake generated Testfile for 
# Source directory: /work/main/tests/fuzz
# Build directory: /work/main/build/tests/fuzz
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(fuzz.fuzz_connstr "/work/main/build/tests/fuzz/fuzz_connstr" "/work/main/tests/fuzz/corpus/connstr")
set_tests_properties(fuzz.fuzz_connstr PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/fuzz/CMakeLists.txt;18;add_test;/work/main/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz.fuzz_pam_parse "/work/main/build/tests/fuzz/fuzz_pam_parse" "/work/main/tests/fuzz/corpus/pam_parse")
set_tests_properties(fuzz.fuzz_pam_parse PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/fuzz/CMakeLists.txt;18;add_test;/work/main/tests/fuzz/CMakeLists.txt;0;")
add_test(fuzz.fuzz_utf "/work/main/build/tests/fuzz/fuzz_utf" "/work/main/tests/fuzz/corpus/utf")
set_tests_properties(fuzz.fuzz_utf PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/fuzz/CMakeLists.txt;18;add_test;/work/main/tests/fuzz/CMakeLists.txt;0;")
