# SPDX-License-Identifier: MIT
# Undoes `cmake --install` of one build tree: the `credshim-uninstall`
# target runs it (cmake --build <build> --target credshim-uninstall).
#
#   cmake -DCS_MANIFEST=<build>/install_manifest.txt
#         [-DCS_REGISTER_DRIVER=ON -DCS_ODBCINST_PROGRAM=/usr/bin/odbcinst]
#         -P odbcinst/uninstall.cmake
#
# 1. Unregisters the driver (`odbcinst -u -d -n credshim`, one UsageCount)
#    when the registered entry's Driver is a file this install put there;
#    a credshim registered from elsewhere (the .deb) is left alone.
# 2. Removes every file of install_manifest.txt, then the directories it
#    held them in that are named credshim or odbc and left empty.
# Safe to run twice: files already gone are skipped.
cmake_minimum_required(VERSION 3.18)

if(NOT CS_MANIFEST OR NOT EXISTS "${CS_MANIFEST}")
  message(FATAL_ERROR "credshim-uninstall: no ${CS_MANIFEST}: nothing was installed from this build tree")
endif()
file(STRINGS "${CS_MANIFEST}" cs_files)

if(CS_REGISTER_DRIVER AND CS_ODBCINST_PROGRAM AND "$ENV{DESTDIR}" STREQUAL "")
  execute_process(COMMAND "${CS_ODBCINST_PROGRAM}" -q -d -n credshim
                  RESULT_VARIABLE rc OUTPUT_VARIABLE entry ERROR_QUIET)
  if(rc EQUAL 0 AND entry MATCHES "(^|\n)Driver=([^\n]*)")
    set(cs_registered "${CMAKE_MATCH_2}")
    if(cs_registered IN_LIST cs_files)
      execute_process(COMMAND "${CS_ODBCINST_PROGRAM}" -u -d -n credshim
                      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
      string(REGEX REPLACE "[ \t]*\n.*" "" out "${out}")
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "credshim-uninstall: odbcinst -u -d -n credshim failed (${rc}): ${out}")
      endif()
      message(STATUS "credshim-uninstall: odbcinst: ${out}")
    else()
      message(STATUS "credshim-uninstall: the registered credshim (${cs_registered}) "
                     "is not this install's; left registered")
    endif()
  else()
    message(STATUS "credshim-uninstall: credshim is not registered with odbcinst")
  endif()
endif()

set(cs_dirs "")
foreach(f IN LISTS cs_files)
  if(IS_SYMLINK "${f}" OR EXISTS "${f}")
    file(REMOVE "${f}")
    message(STATUS "credshim-uninstall: removed ${f}")
  endif()
  get_filename_component(d "${f}" DIRECTORY)
  get_filename_component(n "${d}" NAME)
  if(n STREQUAL "credshim" OR n STREQUAL "odbc")
    list(APPEND cs_dirs "${d}")
  endif()
endforeach()
list(REMOVE_DUPLICATES cs_dirs)
foreach(d IN LISTS cs_dirs)
  file(GLOB left "${d}/*")
  if(IS_DIRECTORY "${d}" AND NOT left)
    file(REMOVE_RECURSE "${d}")
    message(STATUS "credshim-uninstall: removed ${d}/")
  endif()
endforeach()
