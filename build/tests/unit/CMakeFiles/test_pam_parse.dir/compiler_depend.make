# Empty compiler generated dependencies file for test_pam_parse.
# This may be replaced when dependencies are built.
