#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The PostgreSQL of docker/compose.yaml, from Debian's packages (the
# Dockerfile's "postgres" stage): what the demo needs of the official
# image, nothing more.  Runs as the OS user postgres.
#
# On the first start, a fresh cluster in PGDATA whose superuser postgres
# has the password POSTGRES_PASSWORD; it listens on the container's
# addresses and takes password (SCRAM) logins over TCP, and the superuser
# over the unix socket (peer).  Then the server runs in the foreground.
set -euo pipefail

: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD, the password of the superuser postgres}"
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
bindir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d | sort -V | tail -n 1)
[[ -x "$bindir/postgres" ]] || { echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql" >&2; exit 1; }

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$bindir/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256
  rm -f "$pwfile"
  trap - EXIT
  printf '%s\n' "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  printf '%s\n' "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
fi
exec "$bindir/postgres" -D "$PGDATA"
