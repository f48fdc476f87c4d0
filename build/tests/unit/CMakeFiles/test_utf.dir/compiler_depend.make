# Empty compiler generated dependencies file for test_utf.
# This may be replaced when dependencies are built.
