#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The DSN template `tests/demo.sh --keep` leaves (ctest: demo.template),
# written by the same function (tests/lib/demo.sh), here with the build
# tree's driver and a mock PAM (tests/integration/pam/lib.sh):
#   - every key line has a comment above it, the values to change are
#     marked CHANGE, the header says how to install and use it, and the
#     optional keys are commented out;
#   - as written it installs with `odbcinst -i -s -f` and credshim accepts
#     every key: the connect stops at the example token file;
#   - with the CHANGE values filled in as a user would (run.sh's PostgreSQL,
#     the mock PAM, its CA uncommented) it connects through isql and runs a
#     query as the checked-out account, which is checked in afterwards;
#   - the instructions printed after it name the file, odbcinst and isql.
set -euo pipefail
# shellcheck source=integration/pam/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/integration/pam/lib.sh"
# shellcheck source=lib/demo.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/demo.sh"

pam_setup
tmpl="$PAM_DIR/credshim-dsn.ini"
cs_demo_write_template "$tmpl" /usr/local "PostgreSQL Unicode"
sed 's/^/   | /' "$tmpl"

pam_log "the template"
keys=$(grep -cE '^[A-Za-z]+ *=' "$tmpl")
# A key line's nearest line above that is not a key line must be a comment.
uncommented=$(awk '/^[A-Za-z]+ *=/ {if (above !~ /^;/) n++; next} {above = $0} END {print n + 0}' "$tmpl")
pam_check "$keys keys, each group with a comment above it ($uncommented without)" \
  test "$keys" -ge 9 -a "$uncommented" = 0
pam_check "values to change are marked CHANGE (name, server, PAM, runHost, token file)" \
  test "$(grep -c '^; CHANGE' "$tmpl")" -ge 5
pam_check "the header says how to install and connect" \
  bash -c "grep -q 'odbcinst -i -s -h -f $tmpl' '$tmpl' && grep -q 'isql -v MyDatabase' '$tmpl'"
pam_check "it points to the installed pam-setup.md and cookbook.md" \
  bash -c "grep -q '/usr/local/share/doc/credshim/pam-setup.md' '$tmpl' && grep -q '/usr/local/share/doc/credshim/cookbook.md' '$tmpl'"
pam_check "optional keys are commented out (PamCAFile, ShimLogFile, ShimLogLevel)" \
  test "$(grep -cE '^;(PamCAFile|ShimLogFile|ShimLogLevel) *=' "$tmpl")" = 3

pam_log "as written: installs, every key known, stops at the example token file"
pam_check "odbcinst -i -s -f accepts it" odbcinst -i -s -f "$tmpl"
out="$PAM_DIR/as-written.out"
printf 'SELECT 1\n' | cs_client 30 isql -b -v MyDatabase >"$out" 2>&1 || true
sed 's/^/    /' "$out"
pam_check "08001 about PamTokenFile /home/me/.config/credshim/token, no unknown key" \
  bash -c "grep -qF '[credshim] MyDatabase: PamTokenFile /home/me/.config/credshim/token' '$out' && ! grep -q 'unknown key' '$out'"

pam_log "filled in as a user would: connects through the mock PAM"
odbcinst -u -s -n MyDatabase >/dev/null
sed -e "s|^\\[MyDatabase\\]|[MyTemplateDB]|" \
    -e "s|^Servername *=.*|Servername   = $CS_PG_HOST|" \
    -e "s|^Port *=.*|Port         = $CS_PG_PORT|" \
    -e "s|^Database *=.*|Database     = $CS_PG_DATABASE|" \
    -e "s|^PamUrl *=.*|PamUrl       = $MOCKPAM_URL|" \
    -e "s|^PamRunHost *=.*|PamRunHost   = pg1|" \
    -e "s|^PamTokenFile *=.*|PamTokenFile = $PAM_TOKEN_FILE|" \
    -e "s|^;PamCAFile *=.*|PamCAFile    = $MOCKPAM_CA|" \
    "$tmpl" >"$PAM_DIR/filled.ini"
pam_check "odbcinst -i -s -f accepts the filled-in DSN" odbcinst -i -s -f "$PAM_DIR/filled.ini"
out="$PAM_DIR/filled.out"
printf 'SELECT current_user\n' | cs_client 30 isql -b -v -d'|' MyTemplateDB >"$out" 2>&1 || true
sed 's/^/    /' "$out"
pam_check "isql ran the query as the checked-out account cs_app1" grep -qx cs_app1 "$out"
pam_check "and the credential was checked in" pam_wait_none_outstanding 5

pam_log "the instructions printed after it"
howto=$(cs_demo_template_howto "$tmpl")
sed 's/^/    /' <<<"$howto"
pam_check "they name the file, odbcinst -i -s and isql -v" \
  bash -c "grep -qF 'odbcinst -i -s -h -f $tmpl' <<<'$howto' && grep -qF 'isql -v MyDatabase' <<<'$howto'"

pam_finish
