file(REMOVE_RECURSE
  "libcs_pure.a"
)
