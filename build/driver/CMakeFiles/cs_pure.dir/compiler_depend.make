# Empty compiler generated dependencies file for cs_pure.
# This may be replaced when dependencies are built.
