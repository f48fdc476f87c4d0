#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.r: R with RODBC (odbcConnect and odbcDriverConnect)
# through credshim in PAM mode to PostgreSQL and MariaDB, through a DSN and
# a connection string (r_rodbc.R; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all r Rscript --vanilla "$CL_LIB_DIR/r_rodbc.R"
pam_finish
