#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.pyodbc: pyodbc (python3-pyodbc) through credshim in
# PAM mode to PostgreSQL and MariaDB, through a DSN and a connection string
# (pyodbc_client.py; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all pyodbc "$PAM_PY" "$CL_LIB_DIR/pyodbc_client.py"
pam_finish
