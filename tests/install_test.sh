#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# cmake --install and credshim-uninstall, into a private prefix and a
# private odbcinst.ini (ODBCSYSINI): nothing outside <work-dir> changes
# (ctest: install.prefix).
#   1. a build tree configured with prefix <work-dir>/prefix
#   2. DESTDIR install: files staged, the template's Driver the final path,
#      nothing registered
#   3. install: the library in <prefix>/lib/odbc, credshim-agent and its
#      systemd user units (ExecStart the installed agent), the templates, the man
#      page; the driver registered (UsageCount 1); installing again keeps
#      UsageCount 1
#   4. isql connects through the installed driver (pass-through to SQLite)
#   5. odbcinst -i -s -f accepts the DSN template
#   6. credshim-uninstall: the entry and every installed file gone
#
#   tests/install_test.sh <work-dir>
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"

[[ $# -eq 1 ]] || cs_die "usage: $0 <work-dir>"
work="$1"
mkdir -p "$work"
work=$(cd "$work" && pwd)
build="$work/build"
prefix="$work/prefix"
stage="$work/stage"
etc="$work/etc"
rm -rf -- "$prefix" "$stage" "$etc" "$work/odbc.ini" "$work/dsn.ini" "$work/t.db"
mkdir -p "$etc"
unset ODBCINI ODBCINSTINI CS_BUILD_DIR
export ODBCSYSINI="$etc"

# shellcheck source=lib/tally.sh
. "$CS_SOURCE_DIR/tests/lib/tally.sh"
indent() { sed 's/^/   /'; }
usage_count() { sed -n 's/^UsageCount=//p' "$etc/odbcinst.ini" 2>/dev/null || true; }
ini_driver() { sed -n 's/^Driver *= *//p' "$1"; }

cs_log "configure and build with prefix $prefix"
if ! cmake -S "$CS_SOURCE_DIR" -B "$build" -DCMAKE_INSTALL_PREFIX="$prefix" \
       -DCS_ASAN=OFF -DCS_TSAN=OFF -DCS_VALGRIND=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
       >"$work/build.log" 2>&1 ||
   ! cmake --build "$build" -j "$(nproc)" --target credshim credshim-agent >>"$work/build.log" 2>&1; then
  cat "$work/build.log"
  cs_die "build failed"
fi
lib="$prefix/lib/odbc/libcredshim.so"

cs_log "DESTDIR=$stage cmake --install"
DESTDIR="$stage" cmake --install "$build" | indent
check "DESTDIR: the library is staged" test -f "$stage$lib"
check "DESTDIR: the template names the final path" \
  test "$(ini_driver "$stage$prefix/share/credshim/credshim.driver.ini")" = "$lib"
check "DESTDIR: nothing registered" bash -c "! grep -qs credshim '$etc/odbcinst.ini'"

cs_log "cmake --install (ODBCSYSINI=$etc)"
cmake --install "$build" | indent
for f in "$lib" "$lib.0" "$prefix/share/credshim/credshim.driver.ini" \
         "$prefix/share/credshim/credshim.dsn.ini" "$prefix/share/man/man7/credshim.7" \
         "$prefix/bin/credshim-agent" "$prefix"/lib/systemd/user/credshim-agent.{socket,service} \
         "$prefix"/share/doc/credshim/{README.md,LICENSE,CHANGELOG.md,pam-setup.md,cookbook.md,configuration.md,troubleshooting.md}; do
  check "installed ${f#"$work"/}" test -e "$f"
done
check "the systemd user unit starts the installed agent" \
  grep -qx "ExecStart=$prefix/bin/credshim-agent" "$prefix/lib/systemd/user/credshim-agent.service"
check "the template's Driver is the installed library" \
  test "$(ini_driver "$prefix/share/credshim/credshim.driver.ini")" = "$lib"
check "registered: odbcinst -q -d -n credshim gives Driver=$lib" \
  grep -qx "Driver=$lib" <<<"$(odbcinst -q -d -n credshim 2>&1)"
check "UsageCount is 1" test "$(usage_count)" = 1
cmake --install "$build" | grep 'credshim:' | indent
check "installing again keeps UsageCount 1" test "$(usage_count)" = 1

cs_log "isql through the installed driver"
sqlite=""
for f in /usr/lib/*/odbc/libsqlite3odbc.so /usr/lib/odbc/libsqlite3odbc.so /usr/lib64/libsqlite3odbc.so; do
  [[ -e "$f" ]] && { sqlite="$f"; break; }
done
[[ -n "$sqlite" ]] || cs_die "libsqlite3odbc.so not found (tests/deps.sh installs libsqliteodbc)"
cat >"$work/odbc.ini" <<EOF
[cs_installed]
Driver       = credshim
TargetDriver = $sqlite
Database     = $work/t.db
EOF
out=$(printf 'SELECT 40+2\n' | ODBCINI="$work/odbc.ini" timeout 60 isql -b -v -d, cs_installed 2>&1) || true
indent <<<"$out"
check "isql SELECT 40+2 through the installed credshim" grep -qx 42 <<<"$out"

cs_log "odbcinst -i -s -f credshim.dsn.ini"
ODBCINI="$work/dsn.ini" odbcinst -i -s -f "$prefix/share/credshim/credshim.dsn.ini" | indent
check "the DSN template installs as a credshim DSN" \
  grep -qx 'Driver=credshim' <<<"$(ODBCINI="$work/dsn.ini" odbcinst -q -s -n credshim-example 2>&1)"

cs_log "cmake --build --target credshim-uninstall"
cmake --build "$build" --target credshim-uninstall | grep 'credshim-uninstall:' | indent
check "unregistered" bash -c "! grep -qs credshim '$etc/odbcinst.ini'"
left=$(find "$prefix" -type f -o -type l)
check "every installed file removed${left:+ (left: $left)}" test -z "$left"
check "the odbc and credshim directories removed" \
  bash -c "! test -e '$prefix/lib/odbc' && ! test -e '$prefix/share/credshim'"

cs_tally_end
