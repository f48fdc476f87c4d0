file(REMOVE_RECURSE
  "CMakeFiles/test_pam_parse.dir/test_pam_parse.c.o"
  "CMakeFiles/test_pam_parse.dir/test_pam_parse.c.o.d"
  "test_pam_parse"
  "test_pam_parse.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_pam_parse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
