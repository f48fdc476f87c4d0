#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the RPM package for the RHEL family: configures <build-dir> with
# prefix /usr and the driver in /usr/lib64 (where RHEL keeps ODBC drivers,
# psqlodbcw.so among them), builds the driver, runs cpack -G RPM there and
# prints the path of credshim-<version>-1.<arch>.rpm on the last line.
# Needs the "build" packages of tests/packages.txt, rpm among them (Debian's
# rpmbuild).  tests/rpm_test.sh uses it.
#
#   odbcinst/build-rpm.sh <build-dir> [extra cmake arguments]
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 <build-dir> [cmake args...]" >&2; exit 2; }
build="$1"
shift
command -v rpmbuild >/dev/null || { echo "build-rpm.sh: rpmbuild not found (tests/deps.sh build)" >&2; exit 1; }

mkdir -p "$build"
log="$build/build-rpm.log"
: >"$log"
# Quiet on success; the whole log on failure.
quiet() {
  if ! "$@" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "build-rpm.sh: failed: $*" >&2
    exit 1
  fi
}

quiet cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib64 \
      -DCS_ODBC_DIR=lib64 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCS_REGISTER_DRIVER=OFF -DCS_ASAN=OFF -DCS_TSAN=OFF -DCS_VALGRIND=OFF -DCS_FUZZ=OFF \
      -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON "$@"
# Only the driver: the package holds nothing else.
quiet cmake --build "$build" -j "$(nproc)" --target credshim credshim-agent
rm -f "$build"/credshim-*.rpm
quiet cpack -G RPM --config "$build/CPackConfig.cmake" -B "$build"
shopt -s nullglob
rpms=("$build"/credshim-*.rpm)
[[ ${#rpms[@]} -eq 1 ]] || { echo "build-rpm.sh: expected one credshim-*.rpm in $build, found ${#rpms[@]}" >&2; exit 1; }
printf '%s\n' "$(cd "${rpms[0]%/*}" && pwd)/${rpms[0]##*/}"
