file(REMOVE_RECURSE
  "CMakeFiles/cs_pure.dir/pam/pam_parse.c.o"
  "CMakeFiles/cs_pure.dir/pam/pam_parse.c.o.d"
  "CMakeFiles/cs_pure.dir/util/conf.c.o"
  "CMakeFiles/cs_pure.dir/util/conf.c.o.d"
  "CMakeFiles/cs_pure.dir/util/connstr.c.o"
  "CMakeFiles/cs_pure.dir/util/connstr.c.o.d"
  "CMakeFiles/cs_pure.dir/util/utf.c.o"
  "CMakeFiles/cs_pure.dir/util/utf.c.o.d"
  "libcs_pure.a"
  "libcs_pure.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cs_pure.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
