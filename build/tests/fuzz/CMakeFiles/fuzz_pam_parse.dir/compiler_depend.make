# Empty compiler generated dependencies file for fuzz_pam_parse.
# This may be replaced when dependencies are built.
