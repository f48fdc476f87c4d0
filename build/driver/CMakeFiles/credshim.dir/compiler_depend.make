# Empty compiler generated dependencies file for credshim.
# This may be replaced when dependencies are built.
