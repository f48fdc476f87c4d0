#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pyodbc (python3-pyodbc) through one connection: DSN=<name> or a
DSN-less string, both given to pyodbc.connect as they are.  Prints the
lines tests/integration/clients/lib.sh checks."""
import os
import sys

import pyodbc


def main():
    conn = sys.argv[1]
    value = os.environ["CL_VALUE"]
    cn = pyodbc.connect(conn, autocommit=True)
    cur = cn.cursor()
    user, n = cur.execute("SELECT CURRENT_USER, 40 + 2").fetchone()
    print("query %s %s" % (user, n))
    cur.execute("CREATE TEMPORARY TABLE cl_py (id integer, txt varchar(64))")
    cur.execute("INSERT INTO cl_py (id, txt) VALUES (?, ?)", 7, value)
    print("insert %s" % cur.execute("SELECT txt FROM cl_py WHERE id = ?", 7).fetchone()[0])
    found = [r.table_name for r in cur.tables(table="cs_fixture", tableType="TABLE")
             if r.table_name.lower() == "cs_fixture"]
    print("catalog %s" % (found[0] if found else ""))
    cur.close()
    cn.close()
    print("done")


if __name__ == "__main__":
    main()
