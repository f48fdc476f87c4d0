#!/usr/bin/env bash
# Installs what credshim's build and test suite need on a fresh Debian 12.
# Quick no-op when every package is already installed, so tests/run.sh can
# call it on every run.  Needs root, or sudo.
set -euo pipefail

CS_DEPS=(
  build-essential cmake pkg-config
  unixodbc unixodbc-dev odbcinst odbc-postgresql libsqliteodbc sqlite3
  postgresql
  libcurl4-openssl-dev libcjson-dev
  python3-pyodbc python3-psycopg2
  valgrind openssl ca-certificates curl
  clang libclang-rt-14-dev
)

# Prints the packages of CS_DEPS that are not installed, one a line.
cs_deps_missing() {
  local pkg status
  for pkg in "${CS_DEPS[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != ii* ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

main() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system (no dpkg-query/apt-get); install these by hand:" >&2
    echo "  ${CS_DEPS[*]}" >&2
    exit 1
  fi

  local -a missing
  mapfile -t missing < <(cs_deps_missing)
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "deps.sh: all ${#CS_DEPS[@]} packages already installed"
    return 0
  fi
  echo "deps.sh: installing: ${missing[*]}"

  local -a sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "deps.sh: not root and no sudo; cannot install: ${missing[*]}" >&2
      exit 1
    fi
  fi

  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${CS_DEPS[@]}"

  mapfile -t missing < <(cs_deps_missing)
  if [[ ${#missing[@]} -ne 0 ]]; then
    echo "deps.sh: still missing after apt-get install: ${missing[*]}" >&2
    exit 1
  fi
}

main "$@"
