#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# License, SPDX headers, changelog and the one version (ctest: docs.license):
#   - LICENSE is the MIT license;
#   - every source file, script and build file (C, headers, .def, .map,
#     shell, Python, CMake) carries "SPDX-License-Identifier: MIT" in its
#     first two lines (after a #! line);
#   - the version is defined once, in CMakeLists.txt's project(): no other
#     build or source file writes it, and CHANGELOG.md has a section for it;
#   - SQLGetInfo is never answered with it (the driver has no string
#     "credshim <version>" but its log line).
# The files are the ones git tracks, or every file when this is no git tree.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"
# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"

if [[ -f LICENSE ]] && head -n 1 LICENSE | grep -qx 'MIT License' &&
   grep -q 'Permission is hereby granted, free of charge' LICENSE; then
  ok "LICENSE is the MIT license"
else
  bad "LICENSE is missing or not the MIT license"
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files --cached --others --exclude-standard)
else
  files=$(find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||')
fi
sources=$(grep -E '\.(c|h|def|map|sh|py|cmake)$|(^|/)CMakeLists\.txt$|^\.ci/run$|^odbcinst/deb/(postinst|prerm)$' \
          <<<"$files" | grep -v '^tests/fuzz/corpus/' || true)
missing=""
n=0
for f in $sources; do
  [[ -f "$f" ]] || continue
  n=$((n + 1))
  head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || missing="$missing $f"
done
if [[ -z "$missing" ]]; then ok "all $n source files carry SPDX-License-Identifier: MIT"; else bad "no SPDX line:$missing"; fi

version=$(sed -n 's/^project(credshim VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [[ -n "$version" ]]; then ok "CMakeLists.txt defines version $version"; else bad "no project(credshim VERSION ...) in CMakeLists.txt"; fi
again=$(grep -lF "\"$version\"" $sources 2>/dev/null || true)
if [[ -z "$again" ]]; then ok "no source or build file repeats \"$version\""; else bad "\"$version\" written again in:" $again; fi
if grep -qE "^## \\[?$version\\]?( |$)" CHANGELOG.md 2>/dev/null; then ok "CHANGELOG.md has a section for $version"; else bad "CHANGELOG.md has no section ## $version"; fi
uses=$(grep -rn 'CS_VERSION' driver | grep -v '^driver/core/log\.c:' || true)
if [[ -z "$uses" ]]; then ok "CS_VERSION is used by the log only (not SQLGetInfo)"; else bad "CS_VERSION used outside the log: $uses"; fi

cs_tally_end
