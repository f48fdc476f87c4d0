file(REMOVE_RECURSE
  "CMakeFiles/fuzz_utf.dir/fuzz_main.c.o"
  "CMakeFiles/fuzz_utf.dir/fuzz_main.c.o.d"
  "CMakeFiles/fuzz_utf.dir/fuzz_utf.c.o"
  "CMakeFiles/fuzz_utf.dir/fuzz_utf.c.o.d"
  "fuzz_utf"
  "fuzz_utf.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_utf.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
