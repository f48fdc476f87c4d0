#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/deps.sh never upgrades an installed package (ctest: deps.noupgrade).
# A fake apt-get, dpkg-query and sudo on PATH stand for the system: the
# fake dpkg database is a file of installed names, the fake apt-get logs
# every call and "installs" by adding names.  Checked:
#   - everything installed: apt-get is not called at all (not even update);
#   - one package missing: apt-get installs exactly it, with --no-upgrade,
#     and never an installed one, never upgrade / dist-upgrade;
#   - uses: `deps.sh build` installs only the missing build packages;
#   - a missing package whose dependency would upgrade an installed one
#     (apt-get -s says "Inst libpq5 [15.18] (15.20 ...)"): nothing is
#     installed, exit status 1, the message names the package and versions;
#   - --list calls no apt-get.
# Needs nothing but bash: it changes nothing on this machine.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cs-deps-test.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"

mkdir -p "$work/bin"
cat >"$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
# dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' PKG...
rc=0
for pkg in "$@"; do
  [[ "$pkg" == -* ]] && continue
  if grep -qx -- "$pkg" "$CS_FAKE/installed"; then
    printf '%s ii \n' "$pkg"
  else
    echo "dpkg-query: no packages found matching $pkg" >&2
    rc=1
  fi
done
exit "$rc"
FAKE
cat >"$work/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
printf '%s\n' "$*" >>"$CS_FAKE/apt.log"
sim=0 cmd="" pkgs=()
for a in "$@"; do
  case "$a" in
    -s | --simulate) sim=1 ;;
    -o) ;;
    -*) ;;
    DPkg::*) ;;
    update | install | upgrade | dist-upgrade | full-upgrade) [[ -z "$cmd" ]] && cmd="$a" || pkgs+=("$a") ;;
    *) pkgs+=("$a") ;;
  esac
done
case "$cmd" in
  update) exit 0 ;;
  install)
    for p in "${pkgs[@]}"; do
      if [[ "$sim" == 1 ]]; then
        echo "Inst $p (1.0-1 Debian:12 [amd64])"
      else
        echo "$p" >>"$CS_FAKE/installed"
      fi
    done
    if [[ "$sim" == 1 && -e "$CS_FAKE/dep-upgrade" ]]; then
      echo "Inst libpq5 [15.18-0+deb12u1] (15.20-0+deb12u1 Debian:12 [amd64])"
    fi
    exit 0 ;;
  *) echo "fake apt-get: unexpected: $*" >&2; exit 100 ;;
esac
FAKE
cat >"$work/bin/sudo" <<'FAKE'
#!/usr/bin/env bash
exec "$@"
FAKE
chmod +x "$work/bin/"*
export CS_FAKE="$work"
PATH="$work/bin:$PATH"

all=$("$src/tests/deps.sh" --list)
build=$("$src/tests/deps.sh" --list build)
check "packages.txt lists packages ($(wc -l <<<"$all") for tests/run.sh, $(wc -l <<<"$build") for build)" \
  test -n "$all" -a -n "$build"

# deps <installed-names> [deps.sh args]: runs deps.sh; sets out, rc.
deps() {
  printf '%s\n' "$1" | sed '/^$/d' >"$work/installed"
  shift
  : >"$work/apt.log"
  rc=0
  out=$("$src/tests/deps.sh" "$@" 2>&1) || rc=$?
  sed 's/^/   | /' <<<"$out"
}
installs() { grep -E '(^| )install( |$)' "$work/apt.log" | grep -v -- ' -s ' || true; }
# The package names of the real install call (no options, no "install").
installed_names() { installs | tr ' ' '\n' | grep -vE '^-|^install$|^DPkg::|^$' || true; }

echo "== every package installed"
deps "$all"
check "exit status 0" test "$rc" = 0
check "apt-get not called at all" test ! -s "$work/apt.log"

echo "== python3-psycopg2 missing"
deps "$(grep -vx python3-psycopg2 <<<"$all")"
check "exit status 0" test "$rc" = 0
check "apt-get install names exactly python3-psycopg2 ($(installed_names | tr '\n' ' '))" \
  test "$(installed_names)" = python3-psycopg2
check "with --no-upgrade" grep -q -- '--no-upgrade' <<<"$(installs)"
check "never apt-get upgrade / dist-upgrade / full-upgrade" \
  bash -c "! grep -qE '(^| )(upgrade|dist-upgrade|full-upgrade)( |$)' '$work/apt.log'"
check "it is installed afterwards" grep -qx python3-psycopg2 "$work/installed"

echo "== deps.sh build, with a demo and a build package missing"
deps "$(grep -vxe cmake -e python3 <<<"$all")" build
check "exit status 0" test "$rc" = 0
check "installs cmake only ($(installed_names | tr '\n' ' '))" test "$(installed_names)" = cmake

echo "== a missing package whose dependency would upgrade an installed one"
touch "$work/dep-upgrade"
deps "$(grep -vx python3-psycopg2 <<<"$all")"
rm -f "$work/dep-upgrade"
check "exit status 1" test "$rc" = 1
check "nothing installed" test -z "$(installs)"
check "the message names the package and both versions" \
  grep -qF 'libpq5 15.18-0+deb12u1 -> 15.20-0+deb12u1' <<<"$out"

echo "== --list"
deps "" --list
check "exit status 0, no apt-get" test "$rc:$(wc -c <"$work/apt.log")" = "0:0"

cs_tally_end
