# SPDX-License-Identifier: MIT
# R with RODBC (r-cran-rodbc) through one connection: a DSN name (DSN=<name>:
# odbcConnect, which itself asks SQLDriverConnect for "DSN=<name>;UID=;PWD=;")
# or a DSN-less string (odbcDriverConnect).  The parameterised insert is
# sqlSave(fast = TRUE): SQLPrepare and SQLBindParameter.  Prints the lines
# tests/integration/clients/lib.sh checks.
#
#   Rscript r_rodbc.R CONNECTION
suppressPackageStartupMessages(library(RODBC))
conn <- commandArgs(trailingOnly = TRUE)[1]
value <- Sys.getenv("CL_VALUE")
m <- regmatches(conn, regexec("^DSN=([^;]+)$", conn))[[1]]
ch <- if (length(m) == 2) odbcConnect(m[2], uid = "", pwd = "") else
  odbcDriverConnect(conn, believeNRows = FALSE)
if (!inherits(ch, "RODBC")) {
  message("connect failed")
  quit(status = 1)
}
stop_on <- function(r, what) {
  if (!is.data.frame(r) && length(r) > 0 && is.character(r)) {
    message(what, ": ", paste(r, collapse = " | "))
    quit(status = 1)
  }
  r
}
q <- stop_on(sqlQuery(ch, "SELECT CURRENT_USER AS u, 40 + 2 AS n", as.is = TRUE), "query")
cat(sprintf("query %s %s\n", q[1, 1], q[1, 2]))

# RODBC quotes names with '"' unless the DBMS name says MySQL, and
# MariaDB's says MariaDB: without ANSI_QUOTES its sqlSave fails on MariaDB
# as much without credshim as with it (docs/compatibility.md).
if (grepl("MariaDB", odbcGetInfo(ch)[["DBMS_Name"]]) &&
    odbcQuery(ch, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')") != 1) {
  message("sql_mode: ", paste(odbcGetErrMsg(ch), collapse = " | "))
  quit(status = 1)
}
run <- function(sql) {
  if (odbcQuery(ch, sql) != 1) {
    message(sql, ": ", paste(odbcGetErrMsg(ch), collapse = " | "))
    quit(status = 1)
  }
}
tab <- sprintf("cl_r_%d", Sys.getpid())
run(sprintf("CREATE TABLE %s (id integer, txt varchar(64))", tab))
df <- data.frame(id = 7L, txt = value, stringsAsFactors = FALSE)
sqlSave(ch, df, tablename = tab, append = TRUE, rownames = FALSE, fast = TRUE)
back <- stop_on(sqlQuery(ch, sprintf("SELECT txt FROM %s WHERE id = 7", tab), as.is = TRUE), "select")
cat(sprintf("insert %s\n", back[1, 1]))
run(sprintf("DROP TABLE %s", tab))

t <- sqlTables(ch, tableName = "cs_fixture")
found <- t$TABLE_NAME[tolower(t$TABLE_NAME) == "cs_fixture"]
cat(sprintf("catalog %s\n", if (length(found)) found[1] else ""))
odbcClose(ch)
cat("done\n")
