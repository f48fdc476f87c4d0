# Empty compiler generated dependencies file for fuzz_utf.
# This may be replaced when dependencies are built.
