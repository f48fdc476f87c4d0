#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.perl: Perl DBI with DBD::ODBC through credshim in PAM
# mode, to PostgreSQL and MariaDB, through a DSN and a connection string
# (perl_dbi.pl; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all perl perl "$CL_LIB_DIR/perl_dbi.pl"
pam_finish
