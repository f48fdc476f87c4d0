#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.php: PHP's odbc_* functions (php_odbc.php) and
# PDO_ODBC (php_pdo.php), php-cli with php-odbc, through credshim in PAM
# mode to PostgreSQL and MariaDB, through a DSN and a connection string
# (checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all php_odbc php "$CL_LIB_DIR/php_odbc.php"
cl_all php_pdo php "$CL_LIB_DIR/php_pdo.php"
pam_finish
