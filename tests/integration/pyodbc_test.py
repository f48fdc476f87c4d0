#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end test through pyodbc and the unixODBC driver manager.

Every scenario runs once against the target driver directly (the expected
result) and once through each credshim connection; the results must be
equal, and the direct result must also be what the scenario expects.

Run by pyodbc_test.sh inside the environment tests/run.sh sets up, with
Debian's /usr/bin/python3 and python3-pyodbc.  Prints "N passed, M failed"
and exits nonzero when anything failed.
"""

import contextlib
import faulthandler
import os
import sys
import traceback

try:
    import pyodbc
except ImportError as exc:
    print(f"FAIL: cannot import pyodbc ({exc}); run tests/deps.sh (python3-pyodbc) "
          "and use /usr/bin/python3")
    sys.exit(1)

UNICODE_TEXT = "Grüße ✓ 𝄞"
FIXTURE_ROWS = [(1, "one"), (2, UNICODE_TEXT), (3, "three")]
ROUNDTRIP_ROWS = [
    (1, "plain", None),
    (2, UNICODE_TEXT, "x" * 5000 + "✓"),
    (3, None, "quote ' ; {braces}} and \\ backslash"),
    (4, "", "Grüße " * 100),
]


class CheckFailed(Exception):
    """A scenario's result is not what it expects."""


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def require_env(names):
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        print(f"FAIL: missing environment {' '.join(missing)}; run the tests through "
              "tests/run.sh (e.g. tests/run.sh -R pyodbc), which starts PostgreSQL "
              "and writes the ini files")
        sys.exit(1)


def brace(value):
    """Quotes a connection-string value that needs it: {...} with '}'
    doubled.  Plain values stay bare: psqlODBC removes braces only from
    PWD, so UID={cs_user} would name the user "{cs_user}"."""
    if not any(c in value for c in ";{}=") and value == value.strip():
        return value
    return "{" + value.replace("}", "}}") + "}"


@contextlib.contextmanager
def connection(connstr, autocommit=True):
    conn = pyodbc.connect(connstr, autocommit=autocommit)
    try:
        yield conn
    finally:
        conn.close()


def rows_of(cursor):
    return [tuple(r) for r in cursor.fetchall()]


def describe(cursor):
    return [(d[0], d[1].__name__, d[6]) for d in cursor.description]


# ---- scenarios: each takes a connection string, returns a comparable value --

def sc_select42(connstr, dbms):
    with connection(connstr) as conn:
        value = conn.cursor().execute("SELECT 40+2").fetchval()
    expect(value == 42, f"SELECT 40+2 gave {value!r}")
    return value


def sc_fixture(connstr, dbms):
    with connection(connstr) as conn:
        cur = conn.cursor().execute("SELECT id, txt FROM cs_fixture ORDER BY id")
        got = rows_of(cur)
        desc = describe(cur)
    expect(got == FIXTURE_ROWS, f"cs_fixture rows {got!r}")
    return got, desc


def sc_unicode_param(connstr, dbms):
    with connection(connstr) as conn:
        value = conn.cursor().execute("SELECT id FROM cs_fixture WHERE txt = ?",
                                      UNICODE_TEXT).fetchval()
    expect(value == 2, f"WHERE txt = ? with {UNICODE_TEXT!r} gave {value!r}")
    return value


def roundtrip(connstr, fast):
    with connection(connstr) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TEMP TABLE cs_py_t (id integer, txt varchar(200), big text)")
        cur.fast_executemany = fast
        cur.executemany("INSERT INTO cs_py_t (id, txt, big) VALUES (?, ?, ?)", ROUNDTRIP_ROWS)
        got = rows_of(cur.execute("SELECT id, txt, big FROM cs_py_t ORDER BY id"))
    expect(got == ROUNDTRIP_ROWS,
           "rows read back differ from those inserted: "
           + repr([(w, g) for w, g in zip(ROUNDTRIP_ROWS, got) if w != g] or got))
    return got


def sc_roundtrip(connstr, dbms):
    return roundtrip(connstr, fast=False)


def sc_roundtrip_fast(connstr, dbms):
    """fast_executemany binds parameter arrays (SQL_ATTR_PARAMSET_SIZE...)."""
    return roundtrip(connstr, fast=True)


def sc_transaction(connstr, dbms):
    with connection(connstr, autocommit=False) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TEMP TABLE cs_py_tx (id integer)")
        conn.commit()
        cur.execute("INSERT INTO cs_py_tx VALUES (1)")
        conn.rollback()
        after_rollback = cur.execute("SELECT count(*) FROM cs_py_tx").fetchval()
        cur.execute("INSERT INTO cs_py_tx VALUES (2)")
        conn.commit()
        after_commit = cur.execute("SELECT count(*) FROM cs_py_tx").fetchval()
        conn.commit()
    expect((after_rollback, after_commit) == (0, 1),
           f"rows after rollback, commit: {after_rollback}, {after_commit}; want 0, 1")
    return after_rollback, after_commit


def sc_tables(connstr, dbms):
    with connection(connstr) as conn:
        cur = conn.cursor()
        tables = rows_of(cur.tables(table="cs_fixture"))
        columns = [(r.column_name, r.type_name) for r in cur.columns(table="cs_fixture")]
    expect(len(tables) == 1 and tables[0][2] == "cs_fixture" and tables[0][3] == "TABLE",
           f"cursor.tables(table='cs_fixture') gave {tables!r}")
    expect([c[0] for c in columns] == ["id", "txt"],
           f"cursor.columns(table='cs_fixture') gave {columns!r}")
    return tables, columns


def sc_error(connstr, dbms):
    with connection(connstr) as conn:
        cur = conn.cursor()
        try:
            cur.execute("SELECT * FROM cs_no_such_table")
        except pyodbc.Error as exc:
            got = (type(exc).__name__, exc.args)
        else:
            raise CheckFailed("SELECT from a missing table did not raise")
        # The connection is still usable after the error.
        after = cur.execute("SELECT 40+2").fetchval()
    expect(after == 42, f"SELECT 40+2 after the error gave {after!r}")
    if dbms == "PostgreSQL":
        expect(got[0] == "ProgrammingError" and got[1][0] == "42P01",
               f"want ProgrammingError 42P01, got {got!r}")
        expect("cs_no_such_table" in got[1][1], f"message does not name the table: {got!r}")
    return got


def sc_getinfo(connstr, dbms):
    with connection(connstr) as conn:
        got = {name: conn.getinfo(getattr(pyodbc, name))
               for name in ("SQL_DBMS_NAME", "SQL_DBMS_VER", "SQL_IDENTIFIER_QUOTE_CHAR",
                            "SQL_MAX_COLUMN_NAME_LEN")}
    expect(got["SQL_DBMS_NAME"] == dbms, f"SQL_DBMS_NAME {got['SQL_DBMS_NAME']!r}, want {dbms!r}")
    return got


SCENARIOS = [sc_select42, sc_fixture, sc_unicode_param, sc_roundtrip, sc_roundtrip_fast,
             sc_transaction, sc_tables, sc_error, sc_getinfo]
# sqliteodbc 0.9998 crashes on parameter arrays even when called directly.
SQLITE_SCENARIOS = [s for s in SCENARIOS if s is not sc_roundtrip_fast]


# ---- runner ----------------------------------------------------------------

class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        print(f"ok   {what}")
        self.passed += 1

    def fail(self, what, detail):
        print(f"FAIL {what}")
        for line in str(detail).rstrip().splitlines():
            print(f"     {line}")
        self.failed += 1

    @staticmethod
    def attempt(scenario, connstr, dbms):
        """Returns (result, None) or (None, description of the failure)."""
        try:
            return scenario(connstr, dbms), None
        except CheckFailed as exc:
            return None, str(exc)
        except pyodbc.Error as exc:
            return None, f"{type(exc).__name__}: {exc.args!r}"
        except Exception:  # a test must report, not crash, on anything
            return None, traceback.format_exc()

    def compare(self, group, dbms, direct, shims, scenarios=SCENARIOS):
        """Runs every scenario directly, then through each credshim string."""
        for scenario in scenarios:
            name = scenario.__name__[3:]
            want, err = self.attempt(scenario, direct[1], dbms)
            if err is not None:
                self.fail(f"{group} {name} direct via {direct[0]} (harness problem)", err)
                continue
            for label, connstr in shims:
                what = f"{group} {name} via {label}"
                got, err = self.attempt(scenario, connstr, dbms)
                if err is not None:
                    self.fail(what, err)
                elif got != want:
                    self.fail(what, f"differs from {direct[0]}:\n"
                                    f"direct:   {want!r}\ncredshim: {got!r}")
                else:
                    self.ok(what)


def main():
    # A hung driver call shows up as a traceback instead of a silent kill.
    faulthandler.dump_traceback_later(int(os.environ.get("CS_PY_TIMEOUT", "200")), exit=True)
    require_env(["ODBCSYSINI", "ODBCINI", "ODBCINSTINI", "CS_PG_PORT", "CS_PG_HOST",
                 "CS_PG_DATABASE", "CS_PG_USER", "CS_PG_PASSWORD", "CS_SQLITE_DB"])
    env = os.environ
    pg_keys = (f"Servername={env['CS_PG_HOST']};Port={env['CS_PG_PORT']};"
               f"Database={env['CS_PG_DATABASE']};UID={brace(env['CS_PG_USER'])};"
               f"PWD={brace(env['CS_PG_PASSWORD'])}")
    sqlite_db = f"Database={brace(env['CS_SQLITE_DB'])}"
    print(f"pyodbc {pyodbc.version}, unixODBC ini {env['ODBCINI']}")

    run = Runner()
    # The harness itself: psqlODBC accepts the escaped DSN-less string.
    run.compare("pg", "PostgreSQL", ("DSN=pg_w", "DSN=pg_w"),
                [("DRIVER={PostgreSQL Unicode} (direct, DSN-less)",
                  "DRIVER={PostgreSQL Unicode};" + pg_keys)])
    run.compare("pg", "PostgreSQL", ("DSN=pg_w", "DSN=pg_w"), [
        ("DSN=cs_pg_w", "DSN=cs_pg_w"),
        ("DSN=cs_pg_tdsn", "DSN=cs_pg_tdsn"),
        ("DRIVER={credshim};TargetDriver={PostgreSQL Unicode} (DSN-less)",
         "DRIVER={credshim};TargetDriver={PostgreSQL Unicode};" + pg_keys),
    ])
    run.compare("sqlite", "SQLite", ("DSN=sqlite", "DSN=sqlite"), [
        ("DSN=cs_sqlite", "DSN=cs_sqlite"),
        ("DSN=cs_sqlite_path", "DSN=cs_sqlite_path"),
        ("DRIVER={credshim};TargetDriver={SQLite3} (DSN-less)",
         "DRIVER={credshim};TargetDriver={SQLite3};" + sqlite_db),
    ], SQLITE_SCENARIOS)

    print(f"{run.passed} passed, {run.failed} failed")
    return 1 if run.failed or not run.passed else 0


if __name__ == "__main__":
    sys.exit(main())
