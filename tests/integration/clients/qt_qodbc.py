#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Qt's QODBC driver (libqt5sql5-odbc) through PyQt5's QtSql
(python3-pyqt5.qtsql), through one connection: DSN=<name> (given to QODBC
as the bare DSN name) or a DSN-less string (QODBC passes a name with '='
in it to SQLDriverConnect as it is).  The catalog call is
QSqlDatabase.tables() (SQLTables).  Prints the lines
tests/integration/clients/lib.sh checks."""
import os
import re
import sys

from PyQt5.QtCore import QCoreApplication
from PyQt5.QtSql import QSqlDatabase, QSqlQuery


def die(what, err):
    sys.stderr.write("%s: %s\n" % (what, err.text()))
    sys.exit(1)


def main():
    conn = sys.argv[1]
    value = os.environ["CL_VALUE"]
    app = QCoreApplication([])  # noqa: F841 (QODBC's plugin needs one)
    m = re.match(r"^DSN=([^;]+)$", conn)
    db = QSqlDatabase.addDatabase("QODBC", "cl")
    db.setDatabaseName(m.group(1) if m else conn)
    if not db.open():
        die("open", db.lastError())
    q = QSqlQuery(db)
    if not q.exec_("SELECT CURRENT_USER, 40 + 2") or not q.next():
        die("query", q.lastError())
    print("query %s %s" % (q.value(0), q.value(1)))
    if not q.exec_("CREATE TEMPORARY TABLE cl_qt (id integer, txt varchar(64))"):
        die("create", q.lastError())
    if not q.prepare("INSERT INTO cl_qt (id, txt) VALUES (?, ?)"):
        die("prepare", q.lastError())
    q.addBindValue(7)
    q.addBindValue(value)
    if not q.exec_():
        die("insert", q.lastError())
    if not q.prepare("SELECT txt FROM cl_qt WHERE id = ?"):
        die("prepare", q.lastError())
    q.addBindValue(7)
    if not q.exec_() or not q.next():
        die("select", q.lastError())
    print("insert %s" % q.value(0))
    found = [t for t in db.tables() if t.lower() == "cs_fixture"]
    print("catalog %s" % (found[0] if found else ""))
    q.finish()
    del q
    db.close()
    del db
    QSqlDatabase.removeDatabase("cl")
    print("done")


if __name__ == "__main__":
    main()
