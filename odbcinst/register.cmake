# SPDX-License-Identifier: MIT
# Run by `cmake --install` (odbcinst/install.cmake's install(CODE) steps),
# never at configure time.  Two steps:
#
#   CS_STEP=template  writes credshim.driver.ini with the Driver path of
#                     this install (its prefix is known only now: cmake
#                     --install --prefix, cpack)
#   CS_STEP=register  registers the installed driver in odbcinst.ini with
#                     `odbcinst -i -d -f`, unless CS_REGISTER_DRIVER is OFF
#                     or DESTDIR is set (a staging install: a package
#                     registers in its postinst)
#
# odbcinst counts registrations (UsageCount) and `odbcinst -u -d -n
# credshim` takes one back.  Installing the same build again must not
# count twice, or one uninstall would leave the entry behind: when
# credshim is registered with this very Driver path already, nothing is
# done.  The registration goes where odbcinst puts it: the system
# odbcinst.ini, or $ODBCSYSINI/$ODBCINSTINI when set.
#
# Inputs: CS_STEP, CS_DRIVER_DIR (relative to the prefix, or absolute),
# CS_DRIVER_FILE, CS_SHARE_DIR, CS_TEMPLATE_IN, CS_TEMPLATE_OUT,
# CS_REGISTER_DRIVER, CS_ODBCINST_PROGRAM; CMAKE_INSTALL_PREFIX as cmake
# --install sets it.

function(cs_abs out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

cs_abs(CS_DRIVER_PATH "${CS_DRIVER_DIR}")
set(CS_DRIVER_PATH "${CS_DRIVER_PATH}/${CS_DRIVER_FILE}")
cs_abs(CS_DRIVER_INI_PATH "${CS_SHARE_DIR}")
set(CS_DRIVER_INI_PATH "${CS_DRIVER_INI_PATH}/credshim.driver.ini")

if(CS_STEP STREQUAL "template")
  configure_file("${CS_TEMPLATE_IN}" "${CS_TEMPLATE_OUT}" @ONLY)
  return()
endif()

if(NOT CS_STEP STREQUAL "register")
  message(FATAL_ERROR "register.cmake: unknown CS_STEP '${CS_STEP}'")
endif()
if(NOT CS_REGISTER_DRIVER)
  message(STATUS "credshim: not registered with odbcinst (CS_REGISTER_DRIVER=OFF); "
                 "register with: odbcinst -i -d -f ${CS_DRIVER_INI_PATH}")
  return()
endif()
if(NOT "$ENV{DESTDIR}" STREQUAL "")
  message(STATUS "credshim: not registered with odbcinst (DESTDIR is set: a staging install)")
  return()
endif()
if(NOT CS_ODBCINST_PROGRAM)
  message(WARNING "credshim: odbcinst not found at configure time; register the driver with: "
                  "odbcinst -i -d -f ${CS_DRIVER_INI_PATH}")
  return()
endif()

execute_process(COMMAND "${CS_ODBCINST_PROGRAM}" -q -d -n credshim
                RESULT_VARIABLE rc OUTPUT_VARIABLE entry ERROR_QUIET)
if(rc EQUAL 0 AND entry MATCHES "(^|\n)Driver=([^\n]*)")
  if(CMAKE_MATCH_2 STREQUAL CS_DRIVER_PATH)
    message(STATUS "credshim: already registered with odbcinst as ${CS_DRIVER_PATH}")
    return()
  endif()
  message(WARNING "credshim: a driver named credshim is registered already, as ${CMAKE_MATCH_2}; "
                  "it now points to ${CS_DRIVER_PATH} (UsageCount counts both; "
                  "`odbcinst -u -d -n credshim` once at uninstall leaves the entry)")
endif()
execute_process(COMMAND "${CS_ODBCINST_PROGRAM}" -i -d -f "${CS_DRIVER_INI_PATH}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "credshim: odbcinst -i -d -f ${CS_DRIVER_INI_PATH} failed (${rc}): ${out}")
endif()
string(REGEX REPLACE "[ \t]*\n.*" "" out "${out}")
message(STATUS "credshim: registered with odbcinst as ${CS_DRIVER_PATH} (${out})")
