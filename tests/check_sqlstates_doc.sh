#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that docs/troubleshooting.md explains every SQLSTATE of the code's
# table (driver/util/sqlstate.def), that no driver source writes a
# SQLSTATE literal past the table, and that the messages its SQLSTATE
# tables quote are the driver's: each message is cut into its literal
# fragments (at the placeholders X, F, N, HOST, /path, <reason>, …, at
# numbers, key names and punctuation), and the fragments of three words or
# more must occur in the driver's string literals (format specifiers
# split them; a fragment may span one), the longest one and at least half
# of the text of each message; and no string of the driver names a file of
# the source tree (docs/..., tests/...): users have the installed documents.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
codes=$(sed -n 's/^CS_STATE([A-Z0-9]*, "\([0-9A-Z]*\)".*/\1/p' "$src/driver/util/sqlstate.def")
[[ -n "$codes" ]] || { echo "no SQLSTATEs found in sqlstate.def"; exit 1; }
fail=0
for c in $codes; do
  if ! grep -q "\`$c\`" "$src/docs/troubleshooting.md"; then
    echo "docs/troubleshooting.md does not explain $c"
    fail=1
  fi
done
if grep -rnE 'cs_(diag_add|pam_errf)\([^,]+, "' "$src/driver" --include='*.c'; then
  echo "a SQLSTATE literal instead of a CS_S* row of sqlstate.def (above)"
  fail=1
fi
if ! /usr/bin/python3 - "$src" <<'PY'
import glob, re, sys

root = sys.argv[1]
pieces = set()
paths = []
for f in sorted(glob.glob(root + "/driver/**/*.[ch]", recursive=True)):
    t = open(f, encoding="utf-8").read()
    t = re.sub(r"/\*.*?\*/", "", t, flags=re.S)
    t = re.sub(r"'(?:[^'\\\n]|\\.)'", "''", t)  # '"' is no string
    t = re.sub(r'"\s+"', "", t)
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', t):
        if re.search(r"(?<![\w/.-])(?:docs|tests|driver)/\w", m.group(1)):
            paths.append("%s: \"%s\"" % (f[len(root) + 1:], m.group(1)))
        for p in re.split(r"%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[sdiuoxXcp%]", m.group(1).replace('\\"', '"')):
            if p.strip():
                pieces.add(p)
keys = re.findall(r'^CS_KEY\([A-Z_]*, *"([A-Za-z]*)"', open(root + "/driver/util/keys.def").read(), re.M)
codes = re.findall(r'^CS_STATE\([A-Z0-9]*, "([0-9A-Z]*)"', open(root + "/driver/util/sqlstate.def").read(), re.M)
sep = re.compile(r"/path\b|\b(?:[A-Z]|HOST|%s)\b|<[^>]*>|…|\.\.\.|[0-9]+|[/(),;:\"']"
                 % "|".join(sorted(keys, key=len, reverse=True)))
doc = open(root + "/docs/troubleshooting.md", encoding="utf-8").read()
tables = doc.split("## Every SQLSTATE credshim raises", 1)[1].split("\n## ", 1)[0]


def known(f):
    return any(f in p for p in pieces)


def covered(f):  # in one literal, or across one format specifier
    w = f.split()
    return known(f) or any(known(" ".join(w[:i])) and known(" ".join(w[i:])) for i in range(2, len(w) - 1))


n = bad = 0
for line in tables.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
    m = re.match(r"`([0-9A-Z]{5})`", cells[0])
    if len(cells) < 2 or not m or m.group(1) not in codes:
        continue
    for span in re.findall(r"`([^`]+)`", cells[1]):
        if span.startswith("[unixODBC]"):  # the driver manager's words
            continue
        frags = [f for f in (f.strip(" .-") for f in sep.split(span)) if len(f.split()) >= 3]
        if not frags:
            continue
        n += 1
        found = [f for f in frags if covered(f)]
        if max(frags, key=len) not in found or 2 * sum(map(len, found)) < sum(map(len, frags)):
            bad += 1
            print("docs/troubleshooting.md, %s: '%s' is not the driver's message (not found: %s)"
                  % (m.group(1), span, "; ".join(f for f in frags if f not in found)))
for p in paths:  # what a user reads names the installed documents
    print("a driver string names a file of the source tree: %s" % p)
print("check_sqlstates_doc: %d quoted messages, %d not the driver's" % (n, bad))
sys.exit(1 if bad or paths or not n else 0)
PY
then
  fail=1
fi
n=$(wc -w <<<"$codes")
if [[ "$fail" == 0 ]]; then
  echo "check_sqlstates_doc: $n SQLSTATEs documented"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$fail"
