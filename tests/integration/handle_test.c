/* SPDX-License-Identifier: MIT */
/*
 * handle_test.c - credshim's handle checks, called directly (no driver
 * manager, which would catch most bad handles itself): a freed handle, a
 * handle of the wrong kind and a pointer to foreign memory all answer
 * SQL_INVALID_HANDLE, never a crash, and a freed handle keeps doing so
 * while new handles of its kind are allocated and freed; a connection through the loaded
 * library works without the driver manager in between.
 *
 *   handle_test <path to libcredshim.so> <connection string>
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

typedef SQLRETURN (*alloc_fn)(SQLSMALLINT, SQLHANDLE, SQLHANDLE *);
typedef SQLRETURN (*free_fn)(SQLSMALLINT, SQLHANDLE);
typedef SQLRETURN (*exec_fn)(SQLHSTMT, SQLCHAR *, SQLINTEGER);
typedef SQLRETURN (*stmt_fn)(SQLHSTMT);
typedef SQLRETURN (*getdata_fn)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *);
typedef SQLRETURN (*dconn_fn)(SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT,
			      SQLSMALLINT *, SQLUSMALLINT);
typedef SQLRETURN (*disc_fn)(SQLHDBC);
typedef SQLRETURN (*info_fn)(SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (*setenv_fn)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (*diag_fn)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *, SQLCHAR *,
			     SQLSMALLINT, SQLSMALLINT *);

/* How many handles of a kind are freed before a freed one is reused
 * (CS_HANDLE_QUARANTINE in driver/core/handle.c). */
#define HANDLE_QUARANTINE 1024

#include "tcheck.h"

static void check(int ok, const char *what)
{
	result(ok, "%s", what);
}

#define SYM(var, type, name)                                          \
	type var = (type)dlsym(lib, name);                            \
	if (!var) {                                                   \
		fprintf(stderr, "handle_test: %s not exported\n", name); \
		return 1;                                             \
	}

int main(int argc, char **argv)
{
	void *lib;
	SQLHENV env = SQL_NULL_HENV;
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLHSTMT stmt = SQL_NULL_HSTMT, stale;
	int i, reused, alive;
	char what[200];
	SQLINTEGER value = 0;
	SQLLEN ind = 0;
	SQLCHAR state[6] = "", msg[512] = "";
	SQLINTEGER native = 0;
	SQLSMALLINT len = 0;
	char foreign[256];
	SQLRETURN rc;

	if (argc != 3) {
		fprintf(stderr, "usage: handle_test LIBCREDSHIM CONNSTR\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "handle_test: %s\n", dlerror());
		return 1;
	}
	SYM(alloc, alloc_fn, "SQLAllocHandle")
	SYM(freeh, free_fn, "SQLFreeHandle")
	SYM(execd, exec_fn, "SQLExecDirect")
	SYM(fetch, stmt_fn, "SQLFetch")
	SYM(getdata, getdata_fn, "SQLGetData")
	SYM(dconn, dconn_fn, "SQLDriverConnect")
	SYM(disc, disc_fn, "SQLDisconnect")
	SYM(info, info_fn, "SQLGetInfo")
	SYM(setenv_attr, setenv_fn, "SQLSetEnvAttr")
	SYM(diagrec, diag_fn, "SQLGetDiagRec")

	check(alloc(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env) == SQL_SUCCESS, "SQLAllocHandle(ENV)");
	setenv_attr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	check(alloc(SQL_HANDLE_DBC, env, &dbc) == SQL_SUCCESS, "SQLAllocHandle(DBC)");

	/* Wrong kinds and foreign memory. */
	memset(foreign, 0x5a, sizeof(foreign));
	check(execd(NULL, (SQLCHAR *)"SELECT 1", SQL_NTS) == SQL_INVALID_HANDLE, "NULL statement handle");
	check(execd(dbc, (SQLCHAR *)"SELECT 1", SQL_NTS) == SQL_INVALID_HANDLE,
	      "connection handle passed as a statement");
	check(execd(foreign, (SQLCHAR *)"SELECT 1", SQL_NTS) == SQL_INVALID_HANDLE,
	      "pointer to foreign memory passed as a statement");
	check(info(env, SQL_DBMS_NAME, NULL, 0, NULL) == SQL_INVALID_HANDLE,
	      "environment handle passed as a connection");
	check(alloc(SQL_HANDLE_STMT, dbc, &stmt) == SQL_ERROR, "SQLAllocHandle(STMT) before connect fails");
	rc = diagrec(SQL_HANDLE_DBC, dbc, 1, state, &native, msg, sizeof(msg), &len);
	check(rc == SQL_SUCCESS && strcmp((char *)state, "08003") == 0, "... with 08003");

	/* A real connection through the library, no driver manager. */
	rc = dconn(dbc, NULL, (SQLCHAR *)argv[2], SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	check(SQL_SUCCEEDED(rc), "SQLDriverConnect straight into credshim");
	if (!SQL_SUCCEEDED(rc)) {
		diagrec(SQL_HANDLE_DBC, dbc, 1, state, &native, msg, sizeof(msg), &len);
		fprintf(stderr, "  %s %s\n", state, msg);
		goto out;
	}
	check(alloc(SQL_HANDLE_STMT, dbc, &stmt) == SQL_SUCCESS, "SQLAllocHandle(STMT)");
	rc = execd(stmt, (SQLCHAR *)"SELECT 6 * 7", SQL_NTS);
	check(SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(fetch(stmt)) &&
	      SQL_SUCCEEDED(getdata(stmt, 1, SQL_C_SLONG, &value, 0, &ind)) && value == 42,
	      "a query through the library answers 42");

	/* A freed statement handle reads as dead. */
	stale = stmt;
	check(freeh(SQL_HANDLE_STMT, stmt) == SQL_SUCCESS, "SQLFreeHandle(STMT)");
	check(execd(stale, (SQLCHAR *)"SELECT 1", SQL_NTS) == SQL_INVALID_HANDLE,
	      "a freed statement handle answers SQL_INVALID_HANDLE");
	check(fetch(stale) == SQL_INVALID_HANDLE, "... for SQLFetch too");
	check(freeh(SQL_HANDLE_STMT, stale) == SQL_INVALID_HANDLE, "... and for a second SQLFreeHandle");
	/* ... and keeps reading as dead while new statements come and go: a
	 * freed handle is not reused before HANDLE_QUARANTINE more handles of
	 * its kind have been freed (driver/core/handle.c). */
	for (i = 0, reused = 0, alive = 0; i < HANDLE_QUARANTINE; i++) {
		SQLHSTMT s2 = SQL_NULL_HSTMT;

		if (alloc(SQL_HANDLE_STMT, dbc, &s2) != SQL_SUCCESS)
			break;
		reused += s2 == stale;
		alive += fetch(stale) != SQL_INVALID_HANDLE;
		freeh(SQL_HANDLE_STMT, s2);
	}
	snprintf(what, sizeof(what), "the freed statement handle still answers SQL_INVALID_HANDLE "
		 "after %d new statements (reused %d times, alive %d times)", i, reused, alive);
	check(i == HANDLE_QUARANTINE && reused == 0 && alive == 0, what);

	/* Statements die with their connection. */
	check(alloc(SQL_HANDLE_STMT, dbc, &stmt) == SQL_SUCCESS, "SQLAllocHandle(STMT) again");
	check(SQL_SUCCEEDED(disc(dbc)), "SQLDisconnect with a statement open");
	check(fetch(stmt) == SQL_INVALID_HANDLE, "the statement freed by SQLDisconnect answers SQL_INVALID_HANDLE");
out:
	check(freeh(SQL_HANDLE_DBC, dbc) == SQL_SUCCESS, "SQLFreeHandle(DBC)");
	check(info(dbc, SQL_DBMS_NAME, NULL, 0, NULL) == SQL_INVALID_HANDLE,
	      "a freed connection handle answers SQL_INVALID_HANDLE");
	check(freeh(SQL_HANDLE_ENV, env) == SQL_SUCCESS, "SQLFreeHandle(ENV)");
	check(freeh(SQL_HANDLE_ENV, env) == SQL_INVALID_HANDLE, "a freed environment handle answers SQL_INVALID_HANDLE");
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed != 0;
}
