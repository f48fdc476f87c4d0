file(REMOVE_RECURSE
  "CMakeFiles/fuzz_pam_parse.dir/fuzz_main.c.o"
  "CMakeFiles/fuzz_pam_parse.dir/fuzz_main.c.o.d"
  "CMakeFiles/fuzz_pam_parse.dir/fuzz_pam_parse.c.o"
  "CMakeFiles/fuzz_pam_parse.dir/fuzz_pam_parse.c.o.d"
  "fuzz_pam_parse"
  "fuzz_pam_parse.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_pam_parse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
