#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.pam.pyodbc: pyodbc_pam.py with Debian's python3-pyodbc,
# against this test's own mock PAM; under the sanitizer runtime or valgrind
# the build asks for (cs_client).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pam_setup
if [[ "${CS_VALGRIND:-0}" == 1 ]]; then
  export CS_PY_TIMEOUT="${CS_PY_TIMEOUT:-600}"
else
  export CS_PY_TIMEOUT="${CS_PY_TIMEOUT:-120}"
fi
rc=0
cs_client 150 "$PAM_PY" -u "$PAM_LIB_DIR/pyodbc_pam.py" || rc=$?
n=$(pam_state '#outstanding') || n="?"
if [[ "$n" != 0 ]]; then
  printf 'FAIL %s checkout(s) left outstanding at the mock\n' "$n"
  pam_ctl outstanding || true
  rc=1
fi
exit "$rc"
