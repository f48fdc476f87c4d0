# SPDX-License-Identifier: MIT
# wonly_test (fake/wonly_test.c): an ANSI application through credshim in
# front of cs_fake_wonly (fake/wonly_driver.c), a target driver that has
# only the W variants of the functions with strings, so credshim converts
# every string from UTF-8 to UTF-16 and back (the direction no installed
# driver needs).  The script runs through the driver manager and straight
# into libcredshim.so.  Needs the environment tests/run.sh sets up
# (DRIVER={credshim} in its odbcinst.ini); runs under the sanitizer
# runtime or valgrind the build asks for (cs_client in tests/lib/common.sh).
#
# The fake links nothing but libc (and the sanitizer runtime of the
# build): no driver manager.
add_library(cs_fake_wonly MODULE ${CMAKE_CURRENT_LIST_DIR}/wonly_driver.c)
set_target_properties(cs_fake_wonly PROPERTIES C_VISIBILITY_PRESET hidden)

add_executable(wonly_test ${CMAKE_CURRENT_LIST_DIR}/wonly_test.c)
target_link_libraries(wonly_test PRIVATE odbc ${CMAKE_DL_LIBS})

add_test(NAME integration.wonly
         COMMAND bash -c "set -euo pipefail; . \"$1\"; cs_require_odbc_env; export LANG=C.UTF-8 LC_ALL=C.UTF-8; cs_client 120 \"$2\" \"$3\" \"$4\""
                 wonly_test ${CMAKE_CURRENT_LIST_DIR}/../../lib/common.sh $<TARGET_FILE:wonly_test>
                 $<TARGET_FILE:cs_fake_wonly> $<TARGET_FILE:credshim>)
set_tests_properties(integration.wonly PROPERTIES
  LABELS integration
  TIMEOUT 300
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(integration.wonly PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 900)
endif()

# stub_test (fake/stub_test.c): a function the fake lacks, called straight
# into libcredshim.so, answers IM001 on the handle called and no other
# (the forwarder's stub finds its handle from the target's).
add_executable(stub_test ${CMAKE_CURRENT_LIST_DIR}/stub_test.c)
target_link_libraries(stub_test PRIVATE ${CMAKE_DL_LIBS})
add_test(NAME integration.stubs
         COMMAND bash -c "set -euo pipefail; . \"$1\"; cs_require_odbc_env; cs_client 60 \"$2\" \"$3\" \"$4\""
                 stub_test ${CMAKE_CURRENT_LIST_DIR}/../../lib/common.sh $<TARGET_FILE:stub_test>
                 $<TARGET_FILE:cs_fake_wonly> $<TARGET_FILE:credshim>)
set_tests_properties(integration.stubs PROPERTIES LABELS integration TIMEOUT 120)
if(CS_VALGRIND)
  set_tests_properties(integration.stubs PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 300)
endif()
