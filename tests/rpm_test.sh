#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The RPM package for the RHEL family (ctest: package.rpm), inspected with
# Debian's rpm tools; nothing is installed on this machine:
#   1. odbcinst/build-rpm.sh builds credshim-<version>-1.<arch>.rpm
#   2. rpm -qp: name, version (CMakeLists.txt's), license MIT, the files
#      (library in /usr/lib64, templates, man page, the documentation and
#      nothing else), the requires (unixODBC and the libraries it links; no
#      glibc symbol newer than RHEL 9's 2.34)
#   3. rpm -qp --scripts: %post and %preun are the .deb's postinst and
#      prerm; run with a fake odbcinst on PATH, they register the driver on
#      install and upgrade ($1 = 1, 2) and unregister it on removal and
#      after an upgrade ($1 = 0, 1)
#   4. the payload (rpm2cpio): the odbcinst.ini entry names the packaged
#      library, which carries the version credshim logs
#
#   tests/rpm_test.sh <work-dir> <version>
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"

[[ $# -eq 2 ]] || cs_die "usage: $0 <work-dir> <version>"
work="$1"
version="$2"
mkdir -p "$work"
work=$(cd "$work" && pwd)
for p in rpm rpmbuild rpm2cpio cpio; do
  command -v "$p" >/dev/null || cs_die "$p not found (tests/deps.sh build installs rpm)"
done

# shellcheck source=lib/tally.sh
. "$CS_SOURCE_DIR/tests/lib/tally.sh"
indent() { sed 's/^/   /'; }

tmp="$work/tmp"
rm -rf -- "$tmp"
mkdir -p "$tmp"

cs_log "build the package"
rpmf=$("$CS_SOURCE_DIR/odbcinst/build-rpm.sh" "$work/build" | tail -n 1)
[[ -f "$rpmf" ]] || cs_die "no package built"
cs_log "$rpmf"
q() { rpm -qp "$@" "$rpmf" 2>/dev/null; }

info=$(q --queryformat '%{NAME}|%{VERSION}|%{RELEASE}|%{LICENSE}|%{ARCH}\n')
indent <<<"$info"
check "name credshim, version $version (CMakeLists.txt), license MIT" \
  grep -qE "^credshim\|$version\|1\|MIT\|" <<<"$info"
check "file name credshim-$version-1.<arch>.rpm" test "${rpmf##*/}" = "credshim-$version-1.$(cut -d'|' -f5 <<<"$info").rpm"

cs_log "rpm -qp --list"
files=$(q --list)
indent <<<"$files"
lib=$(grep -E '^/usr/lib64/libcredshim\.so\.[0-9]+$' <<<"$files" || true)
check "the library in /usr/lib64 ($lib)" test -n "$lib"
for f in /usr/bin/credshim-agent /usr/lib/systemd/user/credshim-agent.socket \
         /usr/lib/systemd/user/credshim-agent.service /usr/share/credshim/credshim.driver.ini /usr/share/credshim/credshim.dsn.ini \
         /usr/share/man/man7/credshim.7 /usr/share/doc/credshim/LICENSE \
         /usr/share/doc/credshim/README.md /usr/share/doc/credshim/CHANGELOG.md \
         /usr/share/doc/credshim/pam-setup.md /usr/share/doc/credshim/cookbook.md \
         /usr/share/doc/credshim/configuration.md /usr/share/doc/credshim/troubleshooting.md; do
  check "holds $f" grep -qx "$f" <<<"$files"
done
stray=$(grep -vE '^/usr/lib64/libcredshim\.so(\.[0-9.]+)?$|^/usr/bin/credshim-agent$|^/usr/lib/systemd/user/credshim-agent\.(socket|service)$|^/usr/share/credshim(/|$)|^/usr/share/doc/credshim(/|$)|^/usr/share/man/man7/credshim\.7$' <<<"$files" || true)
check "nothing else, and no directory it does not own (${stray:-none})" test -z "$stray"

cs_log "rpm -qp --requires"
req=$(q --requires)
indent <<<"$req"
for r in unixODBC 'libodbcinst.so.2()(64bit)' 'libcurl.so.4()(64bit)' 'libcjson.so.1()(64bit)' '/bin/sh'; do
  check "requires $r" grep -qxF "$r" <<<"$req"
done
newest=$(sed -n 's/^libc\.so\.6(GLIBC_\([0-9.]*\))(64bit)$/\1/p' <<<"$req" | sort -V | tail -n 1)
check "no glibc symbol newer than 2.34, RHEL 9's glibc (newest: ${newest:-none})" \
  test "$(printf '%s\n2.34\n' "${newest:-0}" | sort -V | tail -n 1)" = 2.34

cs_log "rpm -qp --scripts"
scripts=$(q --scripts)
post=$(awk '/^postinstall scriptlet/ {on = 1; next} /^[a-z]+ scriptlet/ {on = 0} on' <<<"$scripts")
preun=$(awk '/^preuninstall scriptlet/ {on = 1; next} /^[a-z]+ scriptlet/ {on = 0} on' <<<"$scripts")
check "%post is the .deb's postinst" \
  diff <(sed '/^$/d' "$work/build/odbcinst/deb/postinst") <(sed '/^$/d' <<<"$post")
check "%preun is the .deb's prerm" \
  diff <(sed '/^$/d' "$work/build/odbcinst/deb/prerm") <(sed '/^$/d' <<<"$preun")
check "no other scriptlet" test "$(grep -c 'scriptlet' <<<"$scripts")" = 2
# A fake odbcinst records what the scriptlets ask of it.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/odbcinst" <<'FAKE'
#!/bin/sh
printf '%s\n' "$*" >>"$CS_FAKE_LOG"
FAKE
chmod +x "$tmp/bin/odbcinst"
runs() {   # runs <script text> <arg>: prints what odbcinst was asked
  local log="$tmp/odbcinst.log"
  : >"$log"
  CS_FAKE_LOG="$log" PATH="$tmp/bin:$PATH" sh -c "$1" scriptlet "$2" >/dev/null || echo "exit status $?"
  cat "$log"
}
reg="-i -d -f /usr/share/credshim/credshim.driver.ini"
unreg="-u -d -n credshim"
check "%post 1 (install) registers the driver" test "$(runs "$post" 1)" = "$reg"
check "%post 2 (upgrade) registers it once more" test "$(runs "$post" 2)" = "$reg"
check "%preun 0 (removal) unregisters it" test "$(runs "$preun" 0)" = "$unreg"
check "%preun 1 (after an upgrade's %post) takes the old registration back" \
  test "$(runs "$preun" 1)" = "$unreg"

cs_log "the payload"
(cd "$tmp" && rpm2cpio "$rpmf" | cpio -idm --quiet)
drv=$(sed -n 's/^Driver *= *//p' "$tmp/usr/share/credshim/credshim.driver.ini")
check "the odbcinst.ini entry names the packaged library ($drv)" \
  test -n "$drv" -a -e "$tmp$drv" -a "${drv%.so*}" = "${lib%.so*}"
check "the library carries the version it logs (credshim $version)" \
  grep -qaF "credshim $version" "$tmp$lib"
check "the systemd user unit starts /usr/bin/credshim-agent" \
  grep -qx 'ExecStart=/usr/bin/credshim-agent' "$tmp/usr/lib/systemd/user/credshim-agent.service"
check "the packaged man page is docs/credshim.7" cmp -s "$tmp/usr/share/man/man7/credshim.7" "$CS_SOURCE_DIR/docs/credshim.7"

rm -rf -- "$tmp"
cs_tally_end
