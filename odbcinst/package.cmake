# SPDX-License-Identifier: MIT
# `cpack -G DEB` in a build tree: credshim_<version>_<arch>.deb.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for a Debian package: the
# driver then lands in the platform's ODBC directory
# (/usr/lib/<multiarch>/odbc).  odbcinst/build-deb.sh does that.
#
# Depends: what dpkg-shlibdeps finds the library linking (libc6, libcurl4,
# libcjson1, libodbcinst2) plus odbcinst, which postinst (register the
# driver) and prerm (unregister it) run.

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "cpack: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
                 "a Debian package wants -DCMAKE_INSTALL_PREFIX=/usr")
endif()

set(CS_DRIVER_INI_INSTALLED ${CMAKE_INSTALL_FULL_DATADIR}/credshim/credshim.driver.ini)
foreach(script postinst prerm)
  configure_file(odbcinst/deb/${script} ${PROJECT_BINARY_DIR}/odbcinst/deb/${script} @ONLY)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME credshim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ODBC driver that checks database credentials out of a PAM")
set(CPACK_PACKAGE_DESCRIPTION "credshim is an ODBC driver for unixODBC. At connect it checks a
database credential out of a privileged access manager (PAM) over its REST
API, logs in through the real ODBC driver with it, forwards every call, and
checks the credential back in when the connection ends. Installing the
package registers the driver credshim in /etc/odbcinst.ini.")
# cpack installs with DESTDIR and the real prefix: the odbcinst.ini
# template gets the final Driver path, and the install step knows it is
# staging and does not register anything on the build machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "credshim maintainers <credshim@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "odbcinst")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "unixodbc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/odbcinst/deb/postinst ${PROJECT_BINARY_DIR}/odbcinst/deb/prerm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
