#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""unixODBC connection pooling (Pooling=Yes, CPTimeout=3 for credshim) with
pyodbc, through credshim in PAM mode: what docs/bi-tools.md says happens.

    pooling_client.py CONNECTION SESSION_SQL

SESSION_SQL returns the server session's id (pg_backend_pid(),
CONNECTION_ID()).  MOCKPAM_URL/MOCKPAM_CA name the mock of the target.
Prints PASS/FAIL lines; exit status 1 when anything failed.  The caller
checks that the exit checked the last credential in."""
import os
import sys
import time

import pyodbc

sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp  # noqa: E402

CP_TIMEOUT = 3
failed = 0


def check(ok, what):
    global failed
    print("%s %s" % ("PASS" if ok else "FAIL", what), flush=True)
    if not ok:
        failed += 1


def counts(m):
    s = m.state()
    return s["checkouts"], s["checkins"], len(s["outstanding"])


def session(conn, sql):
    cn = pyodbc.connect(conn, autocommit=True)
    sid, user = cn.cursor().execute(sql + ", CURRENT_USER").fetchone()
    cn.close()
    return sid, str(user).split("@")[0]


def main():
    conn, sql = sys.argv[1], sys.argv[2]
    m = mp.MockPam()
    co0, ci0, _ = counts(m)

    sid1, user = session(conn, sql)
    check(user == "cs_app1", "the first connection runs as the checked-out account (%s)" % user)
    check(counts(m) == (co0 + 1, ci0, 1),
          "connect, disconnect: one checkout, still checked out (the pool keeps it): %r" % (counts(m),))

    sid2, _ = session(conn, sql)
    check(sid2 == sid1, "a connect within CPTimeout reuses the pooled session (%s, %s)" % (sid1, sid2))
    check(counts(m) == (co0 + 1, ci0, 1), "and checks nothing out: %r" % (counts(m),))

    time.sleep(CP_TIMEOUT + 2)
    check(counts(m) == (co0 + 1, ci0, 1),
          "idle past CPTimeout: still checked out (nothing reaps the pool): %r" % (counts(m),))

    sid3, _ = session(conn, sql)
    check(sid3 != sid1, "the next connect gets a new session (%s, %s)" % (sid1, sid3))
    check(counts(m) == (co0 + 2, ci0 + 1, 1),
          "the expired connection was checked in, the new one checked out: %r" % (counts(m),))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
