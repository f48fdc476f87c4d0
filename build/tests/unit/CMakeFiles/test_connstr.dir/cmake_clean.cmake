file(REMOVE_RECURSE
  "CMakeFiles/test_connstr.dir/test_connstr.c.o"
  "CMakeFiles/test_connstr.dir/test_connstr.c.o.d"
  "test_connstr"
  "test_connstr.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_connstr.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
