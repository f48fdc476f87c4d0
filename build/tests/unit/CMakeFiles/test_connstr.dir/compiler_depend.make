# Empty compiler generated dependencies file for test_connstr.
# This may be replaced when dependencies are built.
