#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""integration.pam.pyodbc: credshim's PAM mode through pyodbc (Debian's
python3-pyodbc), against this test's own mock PAM (lib.sh starts it and
exports MOCKPAM_URL, PAM_*).

Prints one PASS/FAIL line per check and "N passed, M failed"; exit status 1
on any failure.  Dumps its stack and exits after CS_PY_TIMEOUT seconds.
"""

import faulthandler
import os
import subprocess
import sys
import time
import traceback

import pyodbc

sys.path.insert(0, os.environ["PAM_MOCK_DIR"])
import mockpam_client as mp  # noqa: E402

pyodbc.pooling = False       # every connect reaches the driver

passed = 0
failed = 0
DIRECT = os.environ["PAM_DIRECT"]
CONN = os.environ["PAM_CONN"]
SLOW = 5 if os.environ.get("CS_VALGRIND") == "1" else 1


def check(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print("PASS " + what, flush=True)
    else:
        failed += 1
        print("FAIL " + what, flush=True)
        if detail is not None:
            print("    %s" % (detail,), flush=True)
    return ok


def braced(v):
    return "{" + v.replace("}", "}}") + "}"


def user(cn):
    return cn.cursor().execute("SELECT current_user").fetchone()[0]


def wait_none(secs=3.0):
    try:
        mp.wait_until(lambda s: not s["outstanding"], timeout=secs * SLOW)
        return True
    except mp.MockPamError:
        return False


def only_outstanding():
    o = mp.outstanding()
    return (o[0]["id"], o[0]["account"]) if len(o) == 1 else (None, None)


def password_of(rid):
    for e in mp.MockPam().issued():
        if e["id"] == rid:
            return e["passwd"]
    return None


def direct_login(account, pw):
    """1: psqlODBC itself logs in as account with pw; 0: the password is
    refused; the error text otherwise."""
    try:
        cn = pyodbc.connect("%s;UID=%s;PWD=%s" % (DIRECT, account, braced(pw)), ansi=True)
    except pyodbc.Error as e:
        return 0 if "password authentication failed" in str(e) else str(e)
    try:
        return 1 if user(cn) == account else "logged in as %s" % user(cn)
    finally:
        cn.close()


def refused(conn, state, text, max_s, **kw):
    """Connect must fail with state and text from [credshim], within max_s."""
    t0 = time.monotonic()
    try:
        cn = pyodbc.connect(conn, **kw)
    except pyodbc.Error as e:
        el = time.monotonic() - t0
        st, msg = (e.args + ("", ""))[:2]
        ok = st == state and "[credshim]" in msg and text in msg and el <= max_s * SLOW
        check(ok, "%s -> %s naming '%s' in %.2f s" % (conn[:60], state, text, el), e.args)
        return msg
    cn.close()
    check(False, "%s: connected, expected %s" % (conn[:60], state))
    return ""


def t_lifecycle():
    """connect, query, close: checked in, and the old password is refused."""
    mp.reset()
    cn = pyodbc.connect("DSN=pam_pg1")
    check(user(cn) == "cs_app1", "DSN=pam_pg1: queries run as cs_app1")
    rid, account = only_outstanding()
    check(account == "cs_app1", "one checkout outstanding: %s %s" % (rid, account))
    pw = password_of(rid)
    check(pw is not None and direct_login(account, pw) == 1,
          "while connected, the issued password logs in to PostgreSQL directly")
    row = cn.cursor().execute("SELECT txt, ?::text FROM cs_fixture WHERE id = 2", "π ✓ 𝄞").fetchone()
    check(tuple(row) == ("Grüße ✓ 𝄞", "π ✓ 𝄞"), "Unicode through the checked-out connection", row)
    cn.close()
    st = mp.state()
    check(not st["outstanding"] and st["checkins"] == 1, "close() checked the credential in")
    check(pw is not None and direct_login(account, pw) == 0,
          "after the check-in PostgreSQL refuses the old password")


def t_variants():
    """DSN-less with PamTokenEnv, the ANSI API, the ANSI driver, pg2."""
    for what, conn, kw, pool in (
            ("DSN-less, PamTokenEnv", CONN + ";PamRunHost=pg2;PamTokenEnv=PAM_TOKEN", {},
             ("cs_app2", "cs_app3")),
            ("ansi=True, DSN=pam_pg1_a", "DSN=pam_pg1_a", {"ansi": True}, ("cs_app1",)),
            ("PamToken in the string", CONN + ";PamRunHost=pg1;PamToken=" +
             braced(os.environ["PAM_TOKEN2"]), {}, ("cs_app1",))):
        cn = pyodbc.connect(conn, **kw)
        if kw.get("ansi"):
            # psqlODBC's ANSI driver has no SQL_C_WCHAR (07006 even directly)
            cn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8", ctype=pyodbc.SQL_CHAR)
            cn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        check(user(cn) in pool, "%s: logged in as %s" % (what, user(cn)))
        cn.close()
        check(wait_none(), "%s: nothing outstanding after close()" % what)


def t_sharing():
    mp.reset()
    a = pyodbc.connect("DSN=pam_pg1")
    b = pyodbc.connect("DSN=pam_pg1")
    check(user(a) == user(b) == "cs_app1", "two connections to the one-account pool, both cs_app1")
    check(mp.state()["checkouts"] == 1, "... sharing one checkout")
    a.close()
    check(len(mp.outstanding()) == 1, "... still out after the first close()")
    del b   # closed by the garbage collector, not by close()
    check(wait_none() and mp.state()["checkins"] == 1,
          "... checked in when the last connection object is collected")
    mp.reset()
    a = pyodbc.connect("DSN=pam_pg1_noshare")
    refused("DSN=pam_pg1_noshare", "08004", "in use", 5, ansi=True)
    a.close()
    check(wait_none(), "PamShareCheckout=0: nothing outstanding after close()")


def t_refusals():
    mp.reset()
    token = os.environ["PAM_TOKEN"]
    msgs = []
    msgs.append(refused("DSN=pam_badtoken", "28000", "API token", 5))
    msgs.append(refused("DSN=pam_deny", "28000", "denied", 5))
    msgs.append(refused("DSN=pam_openfile", "08001", "PamTokenFile", 5))
    msgs.append(refused("DSN=pam_wrongca", "08001", "TLS verification", 5))
    msgs.append(refused(CONN + ";PamTokenFile=" + os.environ["PAM_TOKEN_FILE"], "08001", "PamRunHost", 5))
    for mode, state, text in (("body409", "08004", "in use"), ("http500", "08001", "500"),
                              ("html", "08001", "PAM"), ("missing_passwd", "08001", "passwd")):
        mp.reset()
        mp.fault(mode, on="checkout", count=-1)
        msgs.append(refused("DSN=pam_pg1", state, text, 5))
    mp.reset()
    # pyodbc tries SQLDriverConnectW, then SQLDriverConnect: two timeouts.
    mp.fault("slow", on="checkout", count=-1, delay=3)
    msgs.append(refused("DSN=pam_pg1", "HYT00", "timed out", 2.8, timeout=1))
    msgs.append(refused("DSN=pam_pg1", "HYT00", "timed out", 1.8, timeout=1, ansi=True))
    mp.reset()
    check(not any(token in m for m in msgs), "no refusal message quotes the API token")
    check(wait_none(), "refusals: nothing outstanding")
    # Target login failure: psqlODBC's message, the credential back at once.
    try:
        pyodbc.connect("DSN=pam_nodb")
        check(False, "DSN=pam_nodb connected")
    except pyodbc.Error as e:
        check("cs_no_such_database" in str(e) and "[credshim]" not in str(e),
              "target login failure: psqlODBC's message", e.args)
    st = mp.state()
    check(not st["outstanding"] and st["checkouts"] >= 1 and st["checkins"] == st["checkouts"],
          "target login failure: every checkout checked in (%d)" % st["checkouts"])


def t_exit():
    """A process that ends without closing its connections."""
    mp.reset()
    code = ("import pyodbc, sys\n"
            "pyodbc.pooling = False\n"
            "keep = [pyodbc.connect('DSN=pam_pg1'), pyodbc.connect('DSN=pam_pg2')]\n"
            "assert keep[0].cursor().execute('SELECT current_user').fetchone()[0] == 'cs_app1'\n"
            "sys.exit(7)\n")
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code], timeout=30 * SLOW, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    check(r.returncode == 7, "child python ended with sys.exit(7) in %.2f s" % (time.monotonic() - t0),
          r.stdout.decode(errors="replace")[-800:])
    st = mp.state()
    check(st["checkouts"] == 2 and wait_none() and mp.state()["checkins"] == 2,
          "process exit without close(): both checked in")


def main():
    faulthandler.dump_traceback_later(int(os.environ.get("CS_PY_TIMEOUT", "120")), exit=True)
    for t in (t_lifecycle, t_variants, t_sharing, t_refusals, t_exit):
        t0 = time.monotonic()
        try:
            t()
        except Exception:
            check(False, "%s raised" % t.__name__, traceback.format_exc())
            try:
                mp.reset()
                mp.checkin_all()
            except Exception:
                pass
        print("  %s %.2f s" % (t.__name__, time.monotonic() - t0), flush=True)
    check(wait_none(), "end: nothing outstanding at the mock")
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
