
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/driver/pam/pam_parse.c" "driver/CMakeFiles/cs_pure.dir/pam/pam_parse.c.o" "gcc" "driver/CMakeFiles/cs_pure.dir/pam/pam_parse.c.o.d"
  "/work/main/driver/util/conf.c" "driver/CMakeFiles/cs_pure.dir/util/conf.c.o" "gcc" "driver/CMakeFiles/cs_pure.dir/util/conf.c.o.d"
  "/work/main/driver/util/connstr.c" "driver/CMakeFiles/cs_pure.dir/util/connstr.c.o" "gcc" "driver/CMakeFiles/cs_pure.dir/util/connstr.c.o.d"
  "/work/main/driver/util/utf.c" "driver/CMakeFiles/cs_pure.dir/util/utf.c.o" "gcc" "driver/CMakeFiles/cs_pure.dir/util/utf.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
