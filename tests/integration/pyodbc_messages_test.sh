#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs pyodbc_messages_test.py with Debian's python3 (python3-pyodbc),
# under the sanitizer runtime or valgrind when the build asks for one
# (cs_client).  Needs the environment tests/run.sh sets up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

cs_require_odbc_env
[[ -x /usr/bin/python3 ]] || cs_die "/usr/bin/python3 is missing (run tests/deps.sh)"

export LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1
if [[ "${CS_VALGRIND:-0}" == 1 ]]; then
  export CS_PY_TIMEOUT="${CS_PY_TIMEOUT:-1000}"
else
  export CS_PY_TIMEOUT="${CS_PY_TIMEOUT:-200}"
fi
cs_client 1030 /usr/bin/python3 -u "$(dirname "${BASH_SOURCE[0]}")/pyodbc_messages_test.py"
