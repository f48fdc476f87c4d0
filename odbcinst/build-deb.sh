#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package: configures <build-dir> with prefix /usr (the
# driver goes to the platform's ODBC directory), builds, runs cpack -G DEB
# there and prints the path of credshim_<version>_<arch>.deb on the last
# line.  Needs the "build" packages of tests/packages.txt
# (tests/deps.sh build).  docker/Dockerfile and tests/package_test.sh use it.
#
#   odbcinst/build-deb.sh <build-dir> [extra cmake arguments]
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 <build-dir> [cmake args...]" >&2; exit 2; }
build="$1"
shift

mkdir -p "$build"
log="$build/build-deb.log"
: >"$log"
# Quiet on success; the whole log on failure.
quiet() {
  if ! "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "build-deb.sh: failed: $*" >&2
    exit 1
  fi
}

quiet cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCS_REGISTER_DRIVER=OFF -DCS_ASAN=OFF -DCS_TSAN=OFF -DCS_VALGRIND=OFF -DCS_FUZZ=OFF \
      -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON "$@"
# Only the driver: the package holds nothing else, and cpack must not
# build the whole tree (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY).
quiet cmake --build "$build" -j "$(nproc)" --target credshim credshim-agent
rm -f "$build"/credshim_*.deb
quiet cpack -G DEB --config "$build/CPackConfig.cmake" -B "$build"
shopt -s nullglob
debs=("$build"/credshim_*.deb)
[[ ${#debs[@]} -eq 1 ]] || { echo "build-deb.sh: expected one credshim_*.deb in $build, found ${#debs[@]}" >&2; exit 1; }
printf '%s\n' "$(cd "${debs[0]%/*}" && pwd)/${debs[0]##*/}"
