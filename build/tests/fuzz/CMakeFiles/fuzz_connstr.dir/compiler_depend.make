# Empty compiler generated dependencies file for fuzz_connstr.
# This may be replaced when dependencies are built.
