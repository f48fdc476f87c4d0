file(REMOVE_RECURSE
  "CMakeFiles/test_utf.dir/test_utf.c.o"
  "CMakeFiles/test_utf.dir/test_utf.c.o.d"
  "test_utf"
  "test_utf.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_utf.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
