#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# The Debian package, end to end, on this machine (ctest: package.deb):
#   1. odbcinst/build-deb.sh builds credshim_*.deb in <work-dir>/build
#   2. apt-get install -y ./credshim_*.deb; its postinst registers the driver
#   3. odbcinst -q -d lists credshim, pointing at the packaged library
#   4. isql connects through credshim (pass-through to SQLite3) with a DSN
#      in a temporary ODBCINI
#   5. apt-get remove -y credshim; its prerm unregisters the driver: the
#      odbcinst.ini entry, the library and the templates are gone
#
# This changes the system (dpkg database, /etc/odbcinst.ini), so it needs
# root or passwordless sudo, runs only when credshim is neither installed
# nor registered beforehand (it could not put back what it found), holds
# a lock against a second run, and removes the package on every exit path.
#
#   tests/package_test.sh <work-dir>
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"

[[ $# -eq 1 ]] || cs_die "usage: $0 <work-dir>"
work="$1"
mkdir -p "$work"
work=$(cd "$work" && pwd)

# The system's ODBC configuration, not the one tests/run.sh points at.
unset ODBCSYSINI ODBCINSTINI ODBCINI
export DEBIAN_FRONTEND=noninteractive

priv=()
if [[ $(id -u) -ne 0 ]]; then
  sudo -n true 2>/dev/null || cs_die "needs root or passwordless sudo (it installs a package)"
  priv=(sudo -n)
fi
for p in apt-get dpkg-query odbcinst isql sqlite3 flock; do
  command -v "$p" >/dev/null || cs_die "$p not found (run tests/deps.sh)"
done

# shellcheck source=lib/tally.sh
. "$CS_SOURCE_DIR/tests/lib/tally.sh"
indent() { sed 's/^/   /'; }
# apt-get's output without dpkg's progress counter and the sandbox notice.
apt_indent() { grep -v -e '^(Reading database' -e '^W: Download is performed unsandboxed' | indent; }

pkg_status() { dpkg-query -W -f='${db:Status-Abbrev}' credshim 2>/dev/null || true; }
pkg_installed() { [[ "$(pkg_status)" == ii* ]]; }
# Known to dpkg in any state but "not installed" (half-installed, config files...).
pkg_present() {
  local s
  s=$(pkg_status)
  [[ -n "${s// /}" && "$s" != un* ]]
}
registered() { odbcinst -q -d -n credshim >/dev/null 2>&1; }

tmp=""
we_installed=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ "$we_installed" == 1 ]] && pkg_present; then
    echo "== cleanup: purging the credshim package"
    "${priv[@]}" apt-get purge -y -q credshim >/dev/null 2>&1 ||
      "${priv[@]}" dpkg --purge credshim >/dev/null 2>&1 || true
  fi
  pkg_present || rm -f "$marker"
  [[ -n "$tmp" ]] && rm -rf -- "$tmp"
  exit "$rc"
}

# One run at a time on this machine (the lock goes with the process).
exec 9>"${TMPDIR:-/tmp}/credshim-package-test.lock"
flock -w 600 9 || cs_die "another package test holds ${TMPDIR:-/tmp}/credshim-package-test.lock"

# A run killed outright (ctest's timeout) could not clean up: its marker
# says the package left behind is the test's own.
marker="${TMPDIR:-/tmp}/credshim-package-test.installed"
if [[ -f "$marker" ]] && pkg_present; then
  cs_log "a killed earlier run left its package installed: purging it"
  "${priv[@]}" apt-get purge -y -q credshim >/dev/null 2>&1 ||
    "${priv[@]}" dpkg --purge credshim >/dev/null 2>&1 || true
fi
rm -f "$marker"
if pkg_present; then
  cs_die "the credshim package is installed already; remove it first (apt-get purge credshim)"
fi
if registered; then
  cs_die "a driver named credshim is registered in the system odbcinst.ini already" \
         "($(odbcinst -q -d -n credshim | grep '^Driver=' || true)); this test could not restore" \
         "it: unregister it first (odbcinst -u -d -n credshim, or" \
         "cmake --build <build> --target credshim-uninstall)"
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# In the work dir, so that a killed run leaves nothing elsewhere.
tmp="$work/tmp"
rm -rf -- "$tmp"
mkdir -p "$tmp"

cs_log "build the package"
deb=$("$CS_SOURCE_DIR/odbcinst/build-deb.sh" "$work/build" | tail -n 1)
[[ -f "$deb" ]] || cs_die "no package built"
cs_log "$deb"
dpkg-deb -f "$deb" Package Version Depends | indent
version=$(sed -n 's/^project(credshim VERSION \([0-9.]*\).*/\1/p' "$CS_SOURCE_DIR/CMakeLists.txt")
if [[ "$(dpkg-deb -f "$deb" Version)" == "$version" ]]; then ok "Version $version (CMakeLists.txt)"; else bad "Version is not $version"; fi
depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libcurl4 libcjson1 libodbcinst2 odbcinst; do
  if [[ ",$depends," =~ [,\ ]${d}[\ ,\(] ]]; then ok "Depends names $d"; else bad "Depends lacks $d: $depends"; fi
done

cs_log "apt-get install -y ./${deb##*/}"
# apt-get wants a path with a slash.
chmod 0755 "$tmp"
cp "$deb" "$tmp/"
we_installed=1
: >"$marker"
"${priv[@]}" apt-get install -y -q --no-install-recommends "$tmp/${deb##*/}" 2>&1 | apt_indent
if pkg_installed; then ok "package installed"; else bad "package not installed"; fi

lib=$(dpkg -L credshim | grep '/odbc/libcredshim\.so$' || true)
if [[ -n "$lib" && -e "$lib" ]]; then ok "library at $lib"; else bad "no libcredshim.so in dpkg -L credshim"; fi
if odbcinst -q -d | grep -qx '\[credshim\]'; then ok "odbcinst -q -d lists credshim"; else bad "odbcinst -q -d does not list credshim"; fi
entry=$(odbcinst -q -d -n credshim 2>/dev/null || true)
if [[ -n "$lib" ]] && grep -qx "Driver=$lib" <<<"$entry"; then
  ok "registered Driver=$lib"
else
  bad "odbcinst entry does not point at the packaged library: $entry"
fi
for f in /usr/share/credshim/credshim.driver.ini /usr/share/credshim/credshim.dsn.ini \
         /usr/share/man/man7/credshim.7 /usr/lib/systemd/user/credshim-agent.{socket,service} \
         /usr/share/doc/credshim/{README.md,LICENSE,CHANGELOG.md,pam-setup.md,cookbook.md,troubleshooting.md}; do
  if [[ -f "$f" ]]; then ok "installed $f"; else bad "missing $f"; fi
done
if [[ -x /usr/bin/credshim-agent ]] &&
   grep -qx 'ExecStart=/usr/bin/credshim-agent' /usr/lib/systemd/user/credshim-agent.service; then
  ok "the systemd user unit starts the packaged /usr/bin/credshim-agent"
else
  bad "no /usr/bin/credshim-agent, or the unit's ExecStart is not it"
fi

cs_log "isql through credshim (pass-through to SQLite3)"
sqlite3 "$tmp/pkg.db" "CREATE TABLE t (a integer, b text); INSERT INTO t VALUES (42, 'through credshim');"
cat >"$tmp/odbc.ini" <<EOF
[cs_pkg]
Driver       = credshim
TargetDriver = SQLite3
Database     = $tmp/pkg.db
EOF
out=$(printf 'SELECT a, b FROM t\n' | ODBCINI="$tmp/odbc.ini" timeout 60 isql -b -v -d'|' cs_pkg 2>&1) || true
indent <<<"$out"
if grep -qx '42|through credshim' <<<"$out"; then ok "isql read the row through credshim"; else bad "isql did not read the row"; fi

cs_log "apt-get remove -y credshim"
"${priv[@]}" apt-get remove -y -q credshim 2>&1 | apt_indent
if pkg_installed; then bad "package still installed"; else ok "package removed"; fi
if registered; then bad "odbcinst.ini still has credshim: $(odbcinst -q -d -n credshim | tr '\n' ' ')"; else ok "odbcinst.ini entry gone"; fi
if [[ -n "$lib" ]] && compgen -G "${lib}*" >/dev/null; then bad "library left behind: $(echo "${lib}"*)"; else ok "library gone"; fi
if [[ -e /usr/share/credshim ]]; then bad "/usr/share/credshim left behind"; else ok "templates gone"; fi
if [[ -e /usr/share/doc/credshim/pam-setup.md ]]; then bad "documentation left behind"; else ok "documentation gone"; fi
if compgen -G '/usr/lib/systemd/user/credshim-agent.*' >/dev/null || [[ -e /usr/bin/credshim-agent ]]; then
  bad "the agent or its systemd units left behind"
else
  ok "the agent and its systemd units gone"
fi

cs_tally_end
