/* SPDX-License-Identifier: MIT */
/*
 * stub_test - a function the target lacks, called straight into
 * libcredshim.so (no driver manager, which would answer IM001 itself
 * after asking SQLGetFunctions).
 *
 * A generated forwarder calls through the driver's fast table without
 * testing the entry; where the target lacks the function, the entry is a
 * stub given only the target's handle (driver/api/forward.c).  This test
 * checks that the stub finds the right credshim handle among several and
 * answers as a missing function always did: SQL_ERROR, one IM001 record
 * on that handle and on no other, the record reset by the next call.
 *
 *   stub_test /path/to/libcs_fake_wonly.so /path/to/libcredshim.so
 *
 * The fake (wonly_driver.c) has no SQLRowCount.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int g_failed, g_passed;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		g_passed++;
	else
		g_failed++;
}

typedef SQLRETURN (*alloc_fn)(SQLSMALLINT, SQLHANDLE, SQLHANDLE *);
typedef SQLRETURN (*free_fn)(SQLSMALLINT, SQLHANDLE);
typedef SQLRETURN (*setenv_fn)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (*connect_fn)(SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT,
				SQLSMALLINT *, SQLUSMALLINT);
typedef SQLRETURN (*disconnect_fn)(SQLHDBC);
typedef SQLRETURN (*rowcount_fn)(SQLHSTMT, SQLLEN *);
typedef SQLRETURN (*diagrec_fn)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *, SQLCHAR *,
				SQLSMALLINT, SQLSMALLINT *);

static diagrec_fn g_diagrec;

/* The SQLSTATE of record rec of a statement, "" when there is none. */
static const char *state_of(SQLHSTMT h, SQLSMALLINT rec, char *msg, size_t msglen)
{
	static SQLCHAR st[6];
	SQLINTEGER native;
	SQLSMALLINT len;

	memset(st, 0, sizeof(st));
	msg[0] = '\0';
	if (!SQL_SUCCEEDED(g_diagrec(SQL_HANDLE_STMT, h, rec, st, &native, (SQLCHAR *)msg,
				     (SQLSMALLINT)msglen, &len)))
		return "";
	return (const char *)st;
}

int main(int argc, char **argv)
{
	char conn[1024], msg[512];
	SQLHENV env = SQL_NULL_HENV;
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLHSTMT s1 = SQL_NULL_HSTMT, s2 = SQL_NULL_HSTMT, s3 = SQL_NULL_HSTMT;
	SQLLEN n = 0;
	void *lib;

	if (argc != 3) {
		fprintf(stderr, "usage: stub_test /path/to/fake-driver.so /path/to/libcredshim.so\n");
		return 2;
	}
	lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "stub_test: %s\n", dlerror());
		return 1;
	}
	alloc_fn alloc = (alloc_fn)dlsym(lib, "SQLAllocHandle");
	free_fn hfree = (free_fn)dlsym(lib, "SQLFreeHandle");
	setenv_fn setenvattr = (setenv_fn)dlsym(lib, "SQLSetEnvAttr");
	connect_fn drvconnect = (connect_fn)dlsym(lib, "SQLDriverConnect");
	disconnect_fn disconnect = (disconnect_fn)dlsym(lib, "SQLDisconnect");
	rowcount_fn rowcount = (rowcount_fn)dlsym(lib, "SQLRowCount");
	g_diagrec = (diagrec_fn)dlsym(lib, "SQLGetDiagRec");
	if (!alloc || !hfree || !setenvattr || !drvconnect || !disconnect || !rowcount || !g_diagrec) {
		fprintf(stderr, "stub_test: an entry point is missing from %s\n", argv[2]);
		return 1;
	}

	snprintf(conn, sizeof(conn), "TargetDriver=%s", argv[1]);
	alloc(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	setenvattr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	alloc(SQL_HANDLE_DBC, env, &dbc);
	if (!SQL_SUCCEEDED(drvconnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
				      SQL_DRIVER_NOPROMPT))) {
		check(0, "SQLDriverConnect to the W-only fake");
		return 1;
	}
	check(SQL_SUCCEEDED(alloc(SQL_HANDLE_STMT, dbc, &s1)) && SQL_SUCCEEDED(alloc(SQL_HANDLE_STMT, dbc, &s2)) &&
		      SQL_SUCCEEDED(alloc(SQL_HANDLE_STMT, dbc, &s3)),
	      "three statements");

	/* the middle one of three: the stub must skip the others */
	check(rowcount(s2, &n) == SQL_ERROR, "SQLRowCount, which the fake lacks: SQL_ERROR");
	check(strcmp(state_of(s2, 1, msg, sizeof(msg)), "IM001") == 0 && strstr(msg, "SQLRowCount") != NULL,
	      "IM001 naming SQLRowCount on the statement called");
	check(strcmp(state_of(s2, 2, msg, sizeof(msg)), "") == 0, "one record");
	check(strcmp(state_of(s1, 1, msg, sizeof(msg)), "") == 0 &&
		      strcmp(state_of(s3, 1, msg, sizeof(msg)), "") == 0,
	      "no record on the other two statements");

	/* again, on a handle with a record: the call resets it first */
	check(rowcount(s2, &n) == SQL_ERROR && strcmp(state_of(s2, 1, msg, sizeof(msg)), "IM001") == 0 &&
		      strcmp(state_of(s2, 2, msg, sizeof(msg)), "") == 0,
	      "a second call: one IM001 record, not two");
	check(rowcount(s1, &n) == SQL_ERROR && strcmp(state_of(s1, 1, msg, sizeof(msg)), "IM001") == 0,
	      "the oldest statement: IM001 on it");

	hfree(SQL_HANDLE_STMT, s3);
	check(rowcount(s3, &n) == SQL_INVALID_HANDLE, "a freed statement: SQL_INVALID_HANDLE");
	check(rowcount(SQL_NULL_HSTMT, &n) == SQL_INVALID_HANDLE, "a NULL statement: SQL_INVALID_HANDLE");
	check(rowcount((SQLHSTMT)dbc, &n) == SQL_INVALID_HANDLE, "a connection handle: SQL_INVALID_HANDLE");

	hfree(SQL_HANDLE_STMT, s2);
	hfree(SQL_HANDLE_STMT, s1);
	check(disconnect(dbc) == SQL_SUCCESS, "SQLDisconnect");
	hfree(SQL_HANDLE_DBC, dbc);
	hfree(SQL_HANDLE_ENV, env);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed != 0;
}
