#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""LibreOffice Base through its ODBC driver (sdbc:odbc:, in
libreoffice-base-drivers), driven through Python-UNO (python3-uno) in the
headless soffice that libreoffice.sh started: the process that loads the
driver manager and credshim is soffice, not this script.

    lo_base.py PIPE-NAME DSN=<name>

The connection is made the way a Base document makes it: a data source of
com.sun.star.sdb.DatabaseContext whose URL is sdbc:odbc:<name>, then
getConnection("", "") (no user name, no password).  Then, on that
connection: a query, a parameterised insert into a temporary table read
back with a parameterised select, and the catalog questions Base asks when
it lists and opens a table (the tables, cs_fixture's columns and keys, the
type info: SQLTables, SQLColumns, SQLPrimaryKeys, SQLForeignKeys,
SQLGetTypeInfo).  Prints the lines tests/integration/clients/lib.sh checks.

Every column of a result row is read once: LibreOffice 7.4's ODBC driver
loops for ever, its memory growing, when getString() is called a second
time on a column of a catalog result set (the target answers SQLGetData
with SQL_NO_DATA and the driver asks again), with any target and without
credshim (docs/compatibility.md).  A watchdog ends this script, printing
"stuck <step>", when the steps after soffice answered do not return
within 30 s; libreoffice.sh then stops soffice."""
import os
import re
import sys
import threading
import time

import uno

STEP = ["start"]
RESOLVE_SECONDS = 60  # a fresh profile under load: 10-40 s seen
# From the answer on: the steps take 1-6 s; a stuck soffice may be growing
# by 50 MB a second.  60 + 30 stays below cs_client's 120.
WATCHDOG_SECONDS = 30


def step(what):
    STEP[0] = what


def watchdog():
    time.sleep(WATCHDOG_SECONDS)
    sys.stdout.write("stuck %s\n" % STEP[0])
    sys.stdout.flush()
    os._exit(3)


def office_context(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe
    start = time.monotonic()
    while True:
        try:
            ctx = resolver.resolve(url)
            sys.stderr.write("soffice answered after %.1f s\n" % (time.monotonic() - start))
            return ctx
        except Exception:  # NoConnectException until soffice listens
            if time.monotonic() - start > RESOLVE_SECONDS:
                raise
            time.sleep(0.2)


def first_string(rs):
    """The first column of the next row of rs, read once; None at the end."""
    return rs.getString(1) if rs.next() else None


def catalog(cn):
    """What Base asks to list the tables and open cs_fixture: the table's
    name when its columns, keys and the type info came back, else why not."""
    tables = cn.getTables()
    found = [n for n in tables.getElementNames() if n.split(".")[-1].lower() == "cs_fixture"]
    if len(found) != 1:
        return "tables: %r" % (tables.getElementNames(),)
    table = tables.getByName(found[0])
    step("columns")
    cols = sorted(c.lower() for c in table.getColumns().getElementNames())
    step("keys")
    keys = table.getKeys()
    step("type info")
    rs = cn.getMetaData().getTypeInfo()
    types = 0
    while rs.next():
        types += 1
    rs.close()
    if cols != ["id", "txt"] or keys is None or types == 0:
        return "columns %r, keys %r, %d types" % (cols, keys, types)
    return found[0].split(".")[-1]


def main():
    pipe, conn = sys.argv[1], sys.argv[2]
    m = re.match(r"^DSN=([^;]+)$", conn)
    if not m:
        # LibreOffice puts "DSN=" before whatever follows sdbc:odbc:.
        sys.exit("lo_base.py: LibreOffice connects through a DSN only, not %r" % conn)
    value = os.environ["CL_VALUE"]
    ctx = office_context(pipe)
    threading.Thread(target=watchdog, daemon=True).start()
    step("connect")
    dbctx = ctx.ServiceManager.createInstanceWithContext("com.sun.star.sdb.DatabaseContext", ctx)
    ds = dbctx.createInstance()
    ds.URL = "sdbc:odbc:" + m.group(1)
    cn = ds.getConnection("", "")

    step("query")
    st = cn.createStatement()
    rs = st.executeQuery("SELECT CURRENT_USER, 40 + 2")
    if not rs.next():
        sys.exit("lo_base.py: the query returned no row")
    user = rs.getString(1)
    n = rs.getString(2)
    rs.close()
    print("query %s %s" % (user, n))

    step("insert")
    st.execute("CREATE TEMPORARY TABLE cl_lo (id integer, txt varchar(64))")
    ps = cn.prepareStatement("INSERT INTO cl_lo (id, txt) VALUES (?, ?)")
    ps.setInt(1, 7)
    ps.setString(2, value)
    ps.executeUpdate()
    ps.close()
    step("select")
    ps = cn.prepareStatement("SELECT txt FROM cl_lo WHERE id = ?")
    ps.setInt(1, 7)
    rs = ps.executeQuery()
    got = first_string(rs)
    rs.close()
    ps.close()
    print("insert %s" % got)

    step("tables")
    print("catalog %s" % catalog(cn))

    step("close")
    st.close()
    cn.close()
    print("done")


if __name__ == "__main__":
    main()
