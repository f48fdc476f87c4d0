file(REMOVE_RECURSE
  "CMakeFiles/fuzz_connstr.dir/fuzz_connstr.c.o"
  "CMakeFiles/fuzz_connstr.dir/fuzz_connstr.c.o.d"
  "CMakeFiles/fuzz_connstr.dir/fuzz_main.c.o"
  "CMakeFiles/fuzz_connstr.dir/fuzz_main.c.o.d"
  "fuzz_connstr"
  "fuzz_connstr.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_connstr.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
