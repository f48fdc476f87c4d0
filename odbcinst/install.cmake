# SPDX-License-Identifier: MIT
# What `cmake --install` puts beside the driver library, and the
# registration that makes it usable:
#
#   <prefix>/share/credshim/credshim.driver.ini   odbcinst.ini entry (Driver
#                                                 = the installed library)
#   <prefix>/share/credshim/credshim.dsn.ini      DSN template, every key
#   <prefix>/share/man/man7/credshim.7            the user's manual page
#   <prefix>/share/doc/credshim/                  README, LICENSE, CHANGELOG,
#                                                 the user docs (CS_DOC_FILES)
#   <prefix>/lib/systemd/user/credshim-agent.socket, .service
#                                                 the agent's socket activation
#                                                 (CS_SYSTEMD_USER_UNIT_DIR)
#   odbcinst -i -d -f credshim.driver.ini         unless CS_REGISTER_DRIVER
#                                                 is OFF or DESTDIR is set
#
# `cmake --build <build> --target credshim-uninstall` takes it all back.
# CS_ODBC_INSTALL_DIR (the top-level CMakeLists.txt) is where the library
# goes.

option(CS_REGISTER_DRIVER "cmake --install registers the driver with odbcinst (never with DESTDIR)" ON)
find_program(CS_ODBCINST_PROGRAM odbcinst)

set(CS_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/credshim)
set(CS_DRIVER_INI ${PROJECT_BINARY_DIR}/odbcinst/credshim.driver.ini)

# Settings of the install-time steps (odbcinst/register.cmake).
set(CS_INSTALL_VARS "
  set(CS_DRIVER_DIR \"${CS_ODBC_INSTALL_DIR}\")
  set(CS_DRIVER_FILE \"$<TARGET_LINKER_FILE_NAME:credshim>\")
  set(CS_SHARE_DIR \"${CS_SHARE_DIR}\")
  set(CS_TEMPLATE_IN \"${PROJECT_SOURCE_DIR}/odbcinst/credshim.driver.ini.in\")
  set(CS_TEMPLATE_OUT \"${CS_DRIVER_INI}\")
  set(CS_REGISTER_DRIVER \"${CS_REGISTER_DRIVER}\")
  set(CS_ODBCINST_PROGRAM \"${CS_ODBCINST_PROGRAM}\")")

install(CODE "${CS_INSTALL_VARS}
  set(CS_STEP template)
  include(\"${PROJECT_SOURCE_DIR}/odbcinst/register.cmake\")")
install(FILES ${CS_DRIVER_INI} odbcinst/credshim.dsn.ini DESTINATION ${CS_SHARE_DIR})
install(FILES docs/credshim.7 DESTINATION ${CMAKE_INSTALL_MANDIR}/man7)
# systemd user units for credshim-agent (installed into bin by driver/):
# lib/systemd/user under the prefix, where systemd's user manager looks
# (/usr/lib/systemd/user, /usr/local/lib/systemd/user), whatever the libdir.
set(CS_SYSTEMD_USER_UNIT_DIR lib/systemd/user CACHE STRING
    "where cmake --install puts the systemd user units, relative to the prefix")
set(CS_AGENT_INSTALLED ${CMAKE_INSTALL_FULL_BINDIR}/credshim-agent)
configure_file(odbcinst/credshim-agent.service.in
               ${PROJECT_BINARY_DIR}/odbcinst/credshim-agent.service @ONLY)
install(FILES odbcinst/credshim-agent.socket ${PROJECT_BINARY_DIR}/odbcinst/credshim-agent.service
        DESTINATION ${CS_SYSTEMD_USER_UNIT_DIR})
# The user documentation, flat (the man page's SEE ALSO names these).
set(CS_DOC_FILES README.md LICENSE CHANGELOG.md docs/configuration.md docs/pam-setup.md
    docs/cookbook.md docs/security.md docs/troubleshooting.md docs/bi-tools.md)
install(FILES ${CS_DOC_FILES} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(CODE "${CS_INSTALL_VARS}
  set(CS_STEP register)
  include(\"${PROJECT_SOURCE_DIR}/odbcinst/register.cmake\")")

add_custom_target(credshim-uninstall
  COMMAND ${CMAKE_COMMAND} -DCS_MANIFEST=${PROJECT_BINARY_DIR}/install_manifest.txt
          -DCS_REGISTER_DRIVER=${CS_REGISTER_DRIVER} -DCS_ODBCINST_PROGRAM=${CS_ODBCINST_PROGRAM}
          -P ${PROJECT_SOURCE_DIR}/odbcinst/uninstall.cmake
  COMMENT "Unregistering credshim and removing the files of install_manifest.txt"
  VERBATIM)
