#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages of tests/packages.txt: all of them, or
# those serving one of the uses named on the command line.  A quick no-op
# when every one is installed already, so tests/run.sh can call it on every
# run.  Needs root, or sudo.
#
#   tests/deps.sh                     everything tests/run.sh and tests/demo.sh
#                                     need (every use but "container")
#   tests/deps.sh build runtime       only the packages of these uses
#   tests/deps.sh --list [USE...]     print the package names, install nothing
#   tests/deps.sh container           Podman and the rest of what
#                                     tests/container_test.sh needs
# Installs only the packages that are missing, and upgrades none: not the
# listed ones (--no-upgrade), nor a dependency (it refuses when apt-get
# would upgrade one, see cs_deps_refuse_upgrades).  tests/deps_test.sh
# proves it with a fake apt-get.
set -euo pipefail

CS_DEPS_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages.txt"
CS_DEPS_USES=(build runtime demo pgserver test container)
# The uses installed when none is named.
CS_DEPS_DEFAULT=(build runtime demo pgserver test)
CS_DEPS=()

cs_deps_die() {
  echo "deps.sh: $*" >&2
  exit 1
}

# Fills CS_DEPS with the packages serving any of the given uses (those of
# CS_DEPS_DEFAULT when none is given), checking each line of packages.txt.
cs_deps_read() {
  local want=("$@") use line pkg known u n=0
  local -a uses
  [[ ${#want[@]} -gt 0 ]] || want=("${CS_DEPS_DEFAULT[@]}")
  [[ -r "$CS_DEPS_FILE" ]] || cs_deps_die "cannot read $CS_DEPS_FILE"
  for use in "${want[@]}"; do
    [[ " ${CS_DEPS_USES[*]} " == *" $use "* ]] ||
      cs_deps_die "unknown use '$use' (known: ${CS_DEPS_USES[*]})"
  done
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%%#*}"
    read -r pkg line <<<"$line" || true
    [[ -n "$pkg" ]] || continue
    read -ra uses <<<"$line"
    [[ ${#uses[@]} -gt 0 ]] || cs_deps_die "$CS_DEPS_FILE:$n: $pkg serves no use"
    for u in "${uses[@]}"; do
      [[ " ${CS_DEPS_USES[*]} " == *" $u "* ]] ||
        cs_deps_die "$CS_DEPS_FILE:$n: unknown use '$u' (known: ${CS_DEPS_USES[*]})"
    done
    known=0
    for use in "${want[@]}"; do
      [[ " ${uses[*]} " == *" $use "* ]] && known=1
    done
    [[ "$known" == 1 ]] && CS_DEPS+=("$pkg")
  done <"$CS_DEPS_FILE"
  [[ ${#CS_DEPS[@]} -gt 0 ]] || cs_deps_die "no package in $CS_DEPS_FILE for: ${want[*]:-all}"
}

# Prints the packages of CS_DEPS that are not installed, one a line: one
# dpkg-query for all (it names the unknown ones on stderr and exits 1).
cs_deps_missing() {
  local pkg name status
  local -A state=()
  while read -r name status; do
    [[ -n "$name" ]] && state[$name]="$status"
  done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${CS_DEPS[@]}" 2>/dev/null || true)
  for pkg in "${CS_DEPS[@]}"; do
    if [[ "${state[$pkg]:-}" != ii* ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

# --no-upgrade keeps the named packages as they are, not their
# dependencies: a missing package may want a newer version of an installed
# library (python3-psycopg2 of libpq5, which the running PostgreSQL uses).
# apt-get is asked first what it would do (-s); when that upgrades any
# installed package, nothing is installed and the user is told.
# Both ask apt (2.6) not to upgrade the installed packages of a new
# package's source along with it (APT::Get::Upgrade-By-Source-Package):
# podman's libsubid4 would otherwise upgrade login and passwd.
#   cs_deps_refuse_upgrades [sudo] -- PACKAGE...
cs_deps_refuse_upgrades() {
  local -a sudo=()
  local sim upgrades
  while [[ "$1" != -- ]]; do
    sudo+=("$1")
    shift
  done
  shift
  if ! sim=$("${sudo[@]}" env LC_ALL=C apt-get -o DPkg::Lock::Timeout=900 -s install \
               -oAPT::Get::Upgrade-By-Source-Package=false \
               --no-install-recommends --no-upgrade --no-remove "$@" 2>&1); then
    printf '%s\n' "$sim" >&2
    cs_deps_die "apt-get cannot install: $*"
  fi
  # "Inst libpq5 [15.18-0+deb12u1] (15.20-0+deb12u1 ...)": [installed] (new)
  upgrades=$(sed -n 's/^Inst \([^ ]*\) \[\([^]]*\)\] (\([^ ]*\).*/\1 \2 -> \3/p' <<<"$sim")
  [[ -z "$upgrades" ]] && return 0
  echo "deps.sh: installing $* would upgrade these installed packages:" >&2
  sed 's/^/  /' <<<"$upgrades" >&2
  echo "deps.sh: nothing installed.  Upgrade them when it suits you (restart what uses" \
       "them, a running PostgreSQL server above all), or install the missing packages" \
       "yourself; then run again.  CS_SKIP_DEPS=1 skips tests/deps.sh." >&2
  exit 1
}

main() {
  local list=0
  if [[ "${1:-}" == --list ]]; then
    list=1
    shift
  fi
  cs_deps_read "$@"
  if [[ "$list" == 1 ]]; then
    printf '%s\n' "${CS_DEPS[@]}"
    return 0
  fi

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

  # Another apt-get may hold the dpkg lock for a while: wait for it.
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=900 update
  cs_deps_refuse_upgrades "${sudo[@]}" -- "${missing[@]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=900 install -y -oAPT::Get::Upgrade-By-Source-Package=false \
    --no-install-recommends --no-upgrade --no-remove "${missing[@]}"

  mapfile -t missing < <(cs_deps_missing)
  if [[ ${#missing[@]} -ne 0 ]]; then
    echo "deps.sh: still missing after apt-get install: ${missing[*]}" >&2
    exit 1
  fi
}

main "$@"
