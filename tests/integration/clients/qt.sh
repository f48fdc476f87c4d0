#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.qt: Qt's QODBC driver through PyQt5's QtSql, through
# credshim in PAM mode to PostgreSQL and MariaDB, through a DSN and a
# connection string (qt_qodbc.py; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
export QT_QPA_PLATFORM=offscreen
cl_all qt "$PAM_PY" "$CL_LIB_DIR/qt_qodbc.py"
pam_finish
