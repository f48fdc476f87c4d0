#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages of tests/packages.txt: all of them, or
# those serving one of the uses named on the command line.  A quick no-op
# when every one is installed already, so tests/run.sh can call it on every
# run.  Needs root, or sudo.
#
#   tests/deps.sh                     everything (build, demo and tests)
#   tests/deps.sh build runtime       only the packages of these uses
#   tests/deps.sh --list [USE...]     print the package names, install nothing
set -euo pipefail

CS_DEPS_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages.txt"
CS_DEPS_USES=(build runtime demo pgserver test)
CS_DEPS=()

cs_deps_die() {
  echo "deps.sh: $*" >&2
  exit 1
}

# Fills CS_DEPS with the packages serving any of the given uses (every
# package when none is given), checking each line of packages.txt.
cs_deps_read() {
  local want=("$@") use line pkg known u n=0
  local -a uses
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
    [[ ${#want[@]} -eq 0 ]] && known=1
    for use in "${want[@]}"; do
      [[ " ${uses[*]} " == *" $use "* ]] && known=1
    done
    [[ "$known" == 1 ]] && CS_DEPS+=("$pkg")
  done <"$CS_DEPS_FILE"
  [[ ${#CS_DEPS[@]} -gt 0 ]] || cs_deps_die "no package in $CS_DEPS_FILE for: ${want[*]:-all}"
}

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
