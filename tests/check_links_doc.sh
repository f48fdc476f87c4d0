#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The references between the Markdown documents hold (ctest docs.links):
#   - every [text](target) link of a tracked *.md file names a file of the
#     repository, and its #anchor a heading of that file (GitHub's rule:
#     lower case, punctuation dropped, blanks to '-', -1, -2 for repeats);
#   - no link points outside the repository: no absolute path, no '..'
#     past its root, no scheme but http(s);
#   - every repository path written in backticks (`docs/...`, `tests/...`,
#     `driver/...`, `odbcinst/...`, `docker/...`) and every bare `name.md`
#     exists;
#   - every ctest name written in backticks (`integration.pam.basic`,
#     `docs.keys`, `unit.test_*`) is a test of BUILD-DIR;
#   - every test of BUILD-DIR has a row in a "ctest name" table of
#     tests/README.md or tests/integration/pam/README.md: its exact name,
#     or a pattern the row names (`unit.test_*`, `integration.clients.<name>`,
#     `integration.difftest.<name>.<ansi|wide>`: `*` and `<word>` stand for
#     a run of [A-Za-z0-9_], `<a|b>` for one of the words), and every name
#     or pattern such a row gives is a test or matches one.
#
#   check_links_doc.sh BUILD-DIR
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${1:?usage: check_links_doc.sh BUILD-DIR}"

tests=$(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: *//p')
[[ -n "$tests" ]] || { echo "ctest -N in $build lists no test"; echo "0 passed, 1 failed"; exit 1; }
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git -C "$src" ls-files '*.md')
else
  mapfile -t files < <(cd "$src" && find . -name '*.md' -not -path './build*' -not -path './.git/*' | sed 's|^\./||')
fi

CS_TESTS="$tests" /usr/bin/python3 - "$src" "${files[@]}" <<'PY'
import os, re, sys

root, files = sys.argv[1], sys.argv[2:]
tests = set(os.environ["CS_TESTS"].split())
fence = re.compile(r"^```.*?^```", re.S | re.M)


def slug(heading):
    s = heading.strip().lower().replace("`", "")
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(text):
    seen, out = {}, set()
    for m in re.finditer(r"^#{1,6} +(.*?) *#*$", fence.sub("", text), re.M):
        a = slug(m.group(1))
        n = seen.get(a, -1) + 1
        seen[a] = n
        out.add(a if n == 0 else "%s-%d" % (a, n))
    return out


texts = {f: open(os.path.join(root, f), encoding="utf-8").read() for f in files}
heads = {f: anchors(t) for f, t in texts.items()}
bad = 0
links = paths = names = 0


def fail(f, what):
    global bad
    bad += 1
    print("FAIL %s: %s" % (f, what))


for f, text in texts.items():
    prose = fence.sub("", text)
    for m in re.finditer(r"\]\(([^)\s]+)\)", prose):
        links += 1
        target = m.group(1)
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        if scheme:
            if scheme.group(1).lower() not in ("http", "https"):
                fail(f, "link %s leaves the repository" % target)
            continue
        path, _, anchor = target.partition("#")
        if os.path.isabs(path):
            fail(f, "link %s is an absolute path" % target)
            continue
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if dest == ".." or dest.startswith("../"):
            fail(f, "link %s leaves the repository" % target)
        elif not os.path.exists(os.path.join(root, dest)):
            fail(f, "link %s: no such file" % target)
        elif anchor and dest in heads and anchor not in heads[dest]:
            fail(f, "link %s: %s has no heading for #%s" % (target, dest, anchor))
    for m in re.finditer(r"`((?:docs|tests|driver|odbcinst|docker)/[A-Za-z0-9_./-]*)`", text):
        p = m.group(1).rstrip("/")
        paths += 1
        if not os.path.exists(os.path.join(root, p)):
            fail(f, "`%s`: no such file in the repository" % p)
    for m in re.finditer(r"`([A-Za-z0-9_-]+\.md)`", text):
        paths += 1
        n = m.group(1)
        if not (os.path.exists(os.path.join(root, os.path.dirname(f), n)) or
                os.path.exists(os.path.join(root, n)) or
                os.path.exists(os.path.join(root, "docs", n))):
            fail(f, "`%s`: no such document" % n)
    for m in re.finditer(r"`((?:integration|unit|docs|bench|fuzz|install|package|demo|deps|layers)"
                         r"\.[A-Za-z0-9_.]+(\*)?)`", text):
        names += 1
        n = m.group(1)
        if n.endswith("*"):
            ok = any(t.startswith(n[:-1]) for t in tests)
        else:
            ok = n in tests
        if not ok:
            fail(f, "`%s` is no ctest test" % n)

# The test tables: a row's first cell is a ctest name or a pattern of them.
def row_regex(name):
    out = ""
    for tok in re.split(r"(<[^>]*>|\*)", name):
        if tok == "*" or (tok.startswith("<") and "|" not in tok):
            out += "[A-Za-z0-9_]" + ("*" if tok == "*" else "+")
        elif tok.startswith("<"):
            out += "(?:%s)" % "|".join(re.escape(w) for w in tok[1:-1].split("|"))
        else:
            out += re.escape(tok)
    return re.compile(out + r"\Z")


rows = 0
covered = set()
for f in ("tests/README.md", "tests/integration/pam/README.md"):
    if f not in texts:
        fail(f, "missing: it documents the ctest tests")
        continue
    in_table = False
    for line in fence.sub("", texts[f]).splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        # A '|' inside a cell is written '\|', as GitHub's tables want.
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:])]
        if cells[0] in ("ctest name", "ctest"):
            in_table = True
            continue
        m = re.fullmatch(r"`([^`\s]+)`", cells[0])
        if not in_table or not m:
            continue
        rows += 1
        rx = row_regex(m.group(1))
        hit = {t for t in tests if rx.match(t)}
        if not hit:
            fail(f, "the row `%s` names no ctest test" % m.group(1))
        covered |= hit
for t in sorted(tests - covered):
    fail("tests/README.md", "ctest test %s has no row (exact name or a pattern) in its tables "
         "or in tests/integration/pam/README.md's" % t)

print("check_links_doc: %d files, %d links, %d paths, %d test names, %d test rows for %d tests"
      % (len(texts), links, paths, names, rows, len(tests)))
print("%d passed, %d failed" % (0 if bad else 1, 1 if bad else 0))
sys.exit(1 if bad else 0)
PY
