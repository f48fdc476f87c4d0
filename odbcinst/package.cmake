# SPDX-License-Identifier: MIT
# `cpack -G DEB` in a build tree: credshim_<version>_<arch>.deb;
# `cpack -G RPM`: credshim-<version>-1.<arch>.rpm for the RHEL family
# (odbcinst/build-rpm.sh, with the library in /usr/lib64 as RHEL keeps
# ODBC drivers).  Both run the same registration scripts, odbcinst/deb/.
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
set(CPACK_PACKAGE_VENDOR "credshim maintainers")
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

# RPM: Requires are found by rpmbuild from the library's NEEDED entries
# (libodbcinst.so.2, libcurl.so.4, libcjson.so.1; cjson is in EPEL) plus
# unixODBC, which ships odbcinst for the scripts.  Built on Debian with its
# rpm package, against Debian 12's libraries.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE MIT)
set(CPACK_RPM_PACKAGE_GROUP "Applications/Databases")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_PACKAGE_REQUIRES "unixODBC")
set(CPACK_RPM_PACKAGE_REQUIRES_POST "unixODBC")
set(CPACK_RPM_PACKAGE_REQUIRES_PREUN "unixODBC")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_BINARY_DIR}/odbcinst/deb/postinst)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PROJECT_BINARY_DIR}/odbcinst/deb/prerm)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/man /usr/share/man/man7 /usr/share/doc /usr/lib64 /usr/lib/systemd
    /usr/lib/systemd/user)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
include(CPack)
