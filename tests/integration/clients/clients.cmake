# SPDX-License-Identifier: MIT
# Client programs through credshim in PAM mode (tests/integration/clients):
# each connects to PostgreSQL and MariaDB through a DSN and a connection
# string and must cause one checkout and one check-in at the mock PAM.
# Needs the environment tests/run.sh sets up.  docs/compatibility.md lists
# these tests; docs.compatibility checks that it does.
#
#   integration.clients.<name>   <name>.sh
set(CS_CLIENT_TESTS perl php pyodbc isql pooling freetds r qt libreoffice)
set(CS_CLIENT_CTESTS "")
foreach(c IN LISTS CS_CLIENT_TESTS)
  add_test(NAME integration.clients.${c} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${c}.sh)
  list(APPEND CS_CLIENT_CTESTS integration.clients.${c})
endforeach()
# The mocks set the cs_app* passwords in PostgreSQL (as the PAM tests do)
# and in MariaDB at their start: one lock with the PAM tests.
set_tests_properties(${CS_CLIENT_CTESTS} PROPERTIES
  LABELS "integration;clients"
  TIMEOUT 300
  RESOURCE_LOCK cs_pam_roles
  DEPENDS integration.check_exports)
if(CS_VALGRIND)
  set_tests_properties(${CS_CLIENT_CTESTS} PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 1200)
endif()

# docs/compatibility.md names exactly the client and differential tests
# there are (tests/check_compat_doc.sh reads this build's test list).
add_test(NAME docs.compatibility
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/check_compat_doc.sh ${CMAKE_BINARY_DIR})
set_tests_properties(docs.compatibility PROPERTIES LABELS docs)
