# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Reading callgrind's output for the benchmarks (run-bench.sh,
# run-connect-bench.sh).  Sourced after tests/lib/common.sh (cs_die).

# Prints the path of the dump that the client request $2 triggered among
# the callgrind files $1* (the first one); exits through cs_die when there
# is none, adding the hint $3.
cs_cg_dump() {
  local file
  file=$(grep -l -x "desc: Trigger: Client Request: $2" "$1"* 2>/dev/null | head -n 1) || true
  [[ -n "$file" ]] || cs_die "no callgrind dump '$2' in $1*${3:+ ($3)}"
  printf '%s\n' "$file"
}

# Prints the Ir (the summary line) of the dump file $1.
cs_cg_ir() {
  awk '/^summary: / { print $2; found = 1; exit } END { if (!found) exit 1 }' "$1" ||
    cs_die "no summary line in $1"
}

# Prints "<Ir>\t<object>\t<function>" of self (exclusive) cost for every
# function in the dump file $1.  The callgrind format compresses names as
# "(id) name" once and "(id)" after; the cost line following a calls= line
# is the callee's inclusive cost and is skipped.
cs_cg_self_costs() {
  awk '
    function name(s, tab,   id, rest) {
      if (match(s, /^\([0-9]+\)/)) {
        id = substr(s, 1, RLENGTH)
        rest = substr(s, RLENGTH + 1)
        sub(/^ /, "", rest)
        if (rest != "") tab[id] = rest
        return tab[id]
      }
      return s
    }
    /^ob=/ { ob = name(substr($0, 4), OB); next }
    /^fn=/ { fn = name(substr($0, 4), FN); next }
    /^cob=/ { name(substr($0, 5), OB); next }
    /^cfn=/ { name(substr($0, 5), FN); next }
    /^calls=/ { skip = 1; next }
    /^[0-9+*-]/ { if (skip) { skip = 0; next } cost[ob "\t" fn] += $2 }
    END { for (k in cost) if (cost[k]) printf "%d\t%s\n", cost[k], k }
  ' "$1"
}
