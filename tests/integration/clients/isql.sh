#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.isql: unixODBC's isql (ANSI) and iusql (W API)
# through credshim in PAM mode to PostgreSQL and MariaDB, through a DSN and
# a connection string (isql_client.sh; checks in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
cl_all isql bash "$CL_LIB_DIR/isql_client.sh" isql
# iusql 2.3.11 cannot connect with a connection string at all, to any
# driver ("Data source name not found" for DRIVER=...; and DSN=...;
# alike): through a DSN only (docs/compatibility.md).
CL_KINDS=dsn cl_all iusql bash "$CL_LIB_DIR/isql_client.sh" iusql
pam_finish
