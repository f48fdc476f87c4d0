#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# integration.clients.freetds: FreeTDS (tdsodbc) as credshim's target in
# PAM mode.  No SQL Server runs here, so what can be tested is:
#   - credshim loads libtdsodbc.so and passes its keys through: Server and
#     Port reach a listener of this test, TDS_Version decides what FreeTDS
#     sends it first (7.4: a PRELOGIN packet, type 0x12; 5.0: a LOGIN
#     packet, type 0x02);
#   - a login the "server" refuses (it closes the connection) and a server
#     that is not there come back with FreeTDS's own SQLSTATE and message,
#     exactly as isql shows them without credshim;
#   - credshim checked the credential out and in again each time;
#   - the account and password FreeTDS read from the connection string
#     credshim built are exactly the checked-out ones, for each password
#     style of the mock: a TDS 5.0 login packet carries both in clear
#     (fixed fields of 30 bytes), and the fake server takes them from it.
#     ASCII styles only: FreeTDS converts the login's strings between
#     character sets and cuts them at 30 bytes.  FreeTDS 1.3 keeps "}}"
#     doubled inside a braced value, so a '}' of a password reaches it
#     twice (docs/configuration.md): the hostile style checks exactly that.
# FREETDSCONF points at an empty file: nothing of /etc/freetds is read.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cl_setup
printf '\n[FreeTDS]\nDescription=FreeTDS (tdsodbc)\nDriver=%s/libtdsodbc.so\n' \
  "$CS_ODBC_DRIVER_DIR" >>"$ODBCSYSINI/$ODBCINSTINI"
: >"$PAM_DIR/freetds.conf"
export FREETDSCONF="$PAM_DIR/freetds.conf" HOME="$PAM_DIR"

# A "server" that records the type of the first packet of each connection
# and closes it: every login fails.  Of a TDS 5.0 login packet (type 0x02)
# it also records the user name and password fields, in hex, to tds-logins.
"$PAM_PY" - "$PAM_DIR/tds-port" "$PAM_DIR/tds-packets" "$PAM_DIR/tds-logins" <<'PYEOF' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(120)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    try:
        c, _ = s.accept()
    except (socket.timeout, OSError):
        break
    c.settimeout(10)
    b = b""
    end = time.monotonic() + 10
    try:
        # the first packet's header, then (a login) up to the password
        while len(b) < (101 if b[:1] == b"\x02" else 8) and time.monotonic() < end:
            r = c.recv(512)
            if not r:
                break
            b += r
    except OSError:
        pass
    with open(sys.argv[2], "a") as f:
        f.write("0x%02x\n" % b[0] if b else "none\n")
    if b[:1] == b"\x02" and len(b) >= 101:
        # after the 8-byte header: host name, user name, password, each
        # 30 bytes and a length byte
        user, pw = b[39:39 + min(b[69], 30)], b[70:70 + min(b[100], 30)]
        with open(sys.argv[3], "a") as f:
            f.write("%s %s\n" % (user.hex(), pw.hex()))
    c.close()
PYEOF
tds_pid=$!
cl_test_cleanup() { kill "$tds_pid" 2>/dev/null || true; wait "$tds_pid" 2>/dev/null || true; }
for ((i = 0; i < 100; i++)); do
  [[ -s "$PAM_DIR/tds-port" ]] && break
  sleep 0.05
done
tds_port=$(tr -dc 0-9 <"$PAM_DIR/tds-port")
[[ -n "$tds_port" ]] || cs_die "the fake TDS server did not start"
# A port nothing listens on: bound, never listened, closed again.
closed_port=$("$PAM_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

pam="PamUrl=$MOCKPAM_URL;PamCAFile={$MOCKPAM_CA};PamRunHost=pg1;PamTokenFile={$PAM_TOKEN_FILE}"

# tds_isql OUT CONNSTR: isql with CONNSTR, "SELECT 1", output to OUT; its
# exit status.  FreeTDS looks its Server up with getaddrinfo(AI_ADDRCONFIG),
# which fails even for "127.0.0.1" at a moment the host has no IPv4 address
# but loopback (seen once in CI: "Unknown host machine name.", 01000).
# That is the host, not FreeTDS nor credshim, so such a run is repeated, up
# to 3 runs, one second apart, and said so; tds_runs counts the runs made
# (each run through credshim is one checkout and one check-in).
tds_runs=0
tds_isql() {
  local out="$1" conn="$2" rc try
  for ((try = 1; try <= 3; try++)); do
    rc=0
    tds_runs=$((tds_runs + 1))
    printf 'SELECT 1\n' | cs_client 60 isql -b -v -k "$conn" >"$out" 2>&1 || rc=$?
    grep -qF 'Unknown host machine name.' "$out" || break
    echo "  note: FreeTDS could not look up 127.0.0.1 (run $try of 3): the host's addresses, not the driver; run again"
    sleep 1
  done
  return "$rc"
}

# tds_case NAME PORT TDS_VERSION EXPECTED-FIRST-PACKET
tds_case() {
  local name="$1" port="$2" ver="$3" want="$4" keys direct via rc1=0 rc2=0 co ci after n0 n1 runs
  keys="Server=127.0.0.1;Port=$port;TDS_Version=$ver;ClientCharset=UTF-8"
  direct="$PAM_DIR/tds-$name.direct" via="$PAM_DIR/tds-$name.credshim"
  read -r co ci <<<"$(cl_counts pg)"
  n0=$(tds_lines "$PAM_DIR/tds-packets")
  tds_isql "$direct" "DRIVER={FreeTDS};$keys;UID=cs_app1;PWD=x" || rc1=$?
  runs=$tds_runs
  tds_isql "$via" "DRIVER={credshim};TargetDriver={FreeTDS};$keys;$pam" || rc2=$?
  runs=$((tds_runs - runs))
  n1=$(tds_lines "$PAM_DIR/tds-packets")
  if [[ "$rc1" != 0 && "$rc2" != 0 ]] && grep -qF '[FreeTDS]' "$via" && cmp -s "$direct" "$via"; then
    pam_pass "$name: credshim shows FreeTDS's own error, as without it: $(head -n 1 "$via")"
  else
    pam_fail "$name: exit $rc1 direct, $rc2 through credshim; diff:"
    diff -u "$direct" "$via" | sed 's/^/    /' | head -n 20 || true
    sed 's/^/    credshim: /' "$via" | head -n 10
  fi
  if [[ -n "$want" ]]; then
    if [[ "$((n1 - n0))" -ge 2 ]] && [[ "$(sed -n "$((n1))p" "$PAM_DIR/tds-packets")" == "$want" ]] &&
       [[ "$(sed -n "$((n0 + 1))p" "$PAM_DIR/tds-packets")" == "$want" ]]; then
      pam_pass "$name: Server, Port and TDS_Version=$ver reached FreeTDS: its first packet was $want, directly and through credshim"
    else
      pam_fail "$name: the fake server saw $((n1 - n0)) connection(s), first packets: $(sed -n "$((n0 + 1)),\$p" "$PAM_DIR/tds-packets" | tr '\n' ' ') (want $want)"
    fi
  fi
  after=$(cl_counts pg)
  pam_check "$name: the credential was checked out and in again, once per run ($runs; mock before '$co $ci', after '$after')" \
    test "$after" = "$((co + runs)) $((ci + runs))"
}

# tds_lines FILE: its number of lines, 0 while the fake server wrote none
tds_lines() {
  if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi
}

# The account and password of the last checkout of the PostgreSQL mock,
# in hex: "<account> <password>"; with $1 = freetds13, the password as
# FreeTDS 1.3 reads it from the braced value credshim writes ({...} with
# each '}' doubled): it keeps '}}' doubled, and it ends the value at a '}'
# followed by ';', so a password holding "};" never reaches it whole
# (" cut" is appended then: FreeTDS reads a piece of it or sends no login).
tds_last_issued() {
  "$PAM_PY" - "${1:-}" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp
e = mp.MockPam().issued()[-1]
pw, cut = e["passwd"], ""
if sys.argv[1] == "freetds13":
    cut = " cut" if "};" in pw else ""
    pw = pw.replace("}", "}}")
print(e["account"].encode().hex(), pw.encode().hex() + cut)
EOF
}

# tds_login_style STYLE [freetds13]: FreeTDS gets exactly the checked-out
# account and password of that style through the connection string
# credshim builds (with "freetds13": as FreeTDS 1.3 reads braces).
tds_login_style() {
  local style="$1" how="${2:-}" keys got want label
  keys="Server=127.0.0.1;Port=$tds_port;TDS_Version=5.0;ClientCharset=UTF-8"
  pam_ctl password-style "$style" >/dev/null
  tds_isql "$PAM_DIR/tds-style.out" "DRIVER={credshim};TargetDriver={FreeTDS};$keys;$pam" || true
  got=$(tail -n 1 "$PAM_DIR/tds-logins" 2>/dev/null || true)
  want=$(tds_last_issued "$how")
  label="password style $style: FreeTDS read back exactly the checked-out account and password"
  [[ "$how" == freetds13 ]] && label+=" (each } doubled: FreeTDS 1.3 reads braces so)"
  if [[ "$want" == *" cut" ]]; then
    label="password style $style: a password holding \"};\" does not reach FreeTDS 1.3 whole (documented)"
    if [[ "$got" != "${want% cut}" ]]; then pam_pass "$label"; else pam_fail "$label: it did"; fi
  elif [[ -n "$got" && "$got" == "$want" ]]; then
    pam_pass "$label"
  else
    # a mock's password, in hex: what the fake server read and what was issued
    pam_fail "$label: read '$got', issued '$want'"
  fi
}

tds_case "refused login, TDS 7.4" "$tds_port" 7.4 0x12
tds_case "refused login, TDS 5.0" "$tds_port" 5.0 0x02
tds_case "no server" "$closed_port" 7.4 ""
export PAM_MOCK_DIR
tds_login_style symbols
tds_login_style spaces
tds_login_style hostile freetds13
pam_ctl password-style hostile >/dev/null
pam_finish
