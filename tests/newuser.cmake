# SPDX-License-Identifier: MIT
# What a new user meets (issue 11): the set-up that upgrades nothing, the
# RPM, the documentation that must work as written, the messages that name
# their fix, and the DSN template of `tests/demo.sh --keep`.

# tests/deps.sh with a fake apt-get: only the missing packages, no upgrade.
add_test(NAME deps.noupgrade COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deps_test.sh)
set_tests_properties(deps.noupgrade PROPERTIES LABELS deps TIMEOUT 120)

# The .rpm, built with Debian's rpm tools and inspected with rpm -qp.
add_test(NAME package.rpm
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/rpm_test.sh ${CMAKE_CURRENT_BINARY_DIR}/rpm ${PROJECT_VERSION})
set_tests_properties(package.rpm PROPERTIES LABELS package TIMEOUT 600)

# docs/pam-setup.md's curl check against the mock PAM; docs/cookbook.md's
# DSNs through the build's credshim.
add_test(NAME docs.pam_setup COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_pam_setup.sh)
add_test(NAME docs.cookbook COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_cookbook.sh)
set_tests_properties(docs.pam_setup docs.cookbook PROPERTIES LABELS docs TIMEOUT 180)

# Unknown keys, TargetDriver and token-source messages, the version in the
# log; and the demo's DSN template, filled in, through the mock PAM.  Both
# start a mock PAM that sets the test roles' passwords: one at a time with
# the PAM tests.
add_test(NAME integration.messages
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/messages.sh ${PROJECT_VERSION})
add_test(NAME demo.template COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/demo_template_test.sh)
set_tests_properties(integration.messages demo.template PROPERTIES
  LABELS "integration;pam" TIMEOUT 180 RESOURCE_LOCK cs_pam_roles)
set_property(TEST demo.template APPEND PROPERTY LABELS demo)
if(CS_VALGRIND)
  set_tests_properties(integration.messages demo.template PROPERTIES ENVIRONMENT CS_VALGRIND=1 TIMEOUT 900)
endif()

# LICENSE (MIT), an SPDX line in every source file, the version defined
# once (CMakeLists.txt) with a CHANGELOG.md section, never in SQLGetInfo.
add_test(NAME docs.license COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_license.sh)
set_tests_properties(docs.license PROPERTIES LABELS docs TIMEOUT 60)
