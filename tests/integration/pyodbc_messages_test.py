#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Long server messages read the way pyodbc reads them (issue 16).

pyodbc reads a diagnostic with SQLGetDiagRecW and a buffer of 1023
characters; when the length it gets back is longer, it asks again with
length + 1 and decodes length characters.  Through credshim in front of
psqlODBC's ANSI driver (cs_pg_a) credshim converts those calls, and under
valgrind nothing may be read past what was written.

psqlODBC cuts a long message into records the size of the first request
(pyodbc's 1023 characters), so through its Unicode driver (cs_pg_w, and
pg_w without credshim) pyodbc shows an INFO of 8,000 characters as eight
messages.  credshim asks the ANSI driver until it holds the whole text,
so through cs_pg_a it is one message: the texts of all messages joined
must be the same for the three.  A non-ASCII INFO (6,600 characters, one
outside the BMP) and an error of 4,000 characters must come through
cs_pg_a whole; the Unicode driver is no reference for those (it cuts
UTF-8 inside a character, and pyodbc's exception holds the first record
only).  Prints "N passed, M failed"; the exit status is nonzero when
anything failed.
"""

import faulthandler
import os
import sys

try:
    import pyodbc
except ImportError as exc:
    print(f"FAIL: cannot import pyodbc ({exc}); run tests/deps.sh (python3-pyodbc) "
          "and use /usr/bin/python3")
    sys.exit(1)

ASCII = "ABCDEFGHIJ" * 800
NON_ASCII = "Grüße ✓ 𝄞 " * 600
ERROR_TEXT = "0123456789" * 400

ANSI = ("ANSI through credshim", "DSN=cs_pg_a")
UNICODE = [("Unicode through credshim", "DSN=cs_pg_w"), ("Unicode directly", "DSN=pg_w")]

# name, statement, the text the server sends, the targets compared with ANSI
SCENARIOS = [
    ("info 8,000", "DO $$ BEGIN RAISE INFO '%', repeat('ABCDEFGHIJ',800); END $$", ASCII, UNICODE),
    ("info non-ASCII", "DO $$ BEGIN RAISE INFO '%', repeat('Grüße ✓ 𝄞 ',600); END $$", NON_ASCII, []),
    ("error 4,000", "DO $$ BEGIN RAISE EXCEPTION '%', repeat('0123456789',400); END $$", ERROR_TEXT, []),
]


def messages(connstr, sql):
    """What pyodbc gives for sql: the texts of cursor.messages, or the
    exception's message."""
    cnxn = pyodbc.connect(connstr, autocommit=True)
    try:
        cur = cnxn.cursor()
        try:
            cur.execute(sql)
        except pyodbc.Error as exc:
            return [str(exc.args[1])]
        return [str(m[1]) for m in cur.messages]
    finally:
        cnxn.close()


def main():
    faulthandler.dump_traceback_later(int(os.environ.get("CS_PY_TIMEOUT", "200")), exit=True)
    if not os.environ.get("ODBCINI"):
        print("FAIL: no ODBCINI; run it through tests/run.sh")
        return 1
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(f"{'PASS' if ok else 'FAIL'}: {what}")
        if ok:
            passed += 1
        else:
            failed += 1

    for name, sql, text, others in SCENARIOS:
        got = messages(ANSI[1], sql)
        check(len(got) == 1 and text in got[0],
              f"{name}, {ANSI[0]}: one message holding the {len(text)} characters sent "
              f"({len(got)} messages, {[len(m) for m in got]} characters)")
        for tname, connstr in others:
            ref = messages(connstr, sql)
            check("".join(ref) == "".join(got),
                  f"{name}: {ANSI[0]} says what {tname} says ({len(ref)} messages, "
                  f"{len(''.join(ref))} characters joined; {len(''.join(got))})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
