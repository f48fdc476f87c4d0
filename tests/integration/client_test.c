/* SPDX-License-Identifier: MIT */
/*
 * client_test.c - end-to-end checks through the driver manager that a
 * transcript comparison (difftest.c) cannot make: several targets in one
 * environment, threads, handle lifetimes across disconnects, connect
 * errors, DSN-less connections and the output connection string.
 *
 * Prints one PASS or FAIL line per check and "N passed, M failed" at the
 * end; the exit status is 0 only when nothing failed.  Needs the
 * environment tests/run.sh sets up (ODBCSYSINI, CS_PG_PORT, ...).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "tcheck.h"

/* ---- helpers ---------------------------------------------------------- */

static SQLHENV env_new(void)
{
	SQLHENV env = SQL_NULL_HENV;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)))
		return SQL_NULL_HENV;
	if (!SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0))) {
		SQLFreeHandle(SQL_HANDLE_ENV, env);
		return SQL_NULL_HENV;
	}
	return env;
}

/* Connects dbc with a connection string; on failure prints why (unless
 * quiet) and returns the return code. */
static SQLRETURN connect_str(SQLHDBC dbc, const char *conn, int quiet)
{
	SQLRETURN rc;

	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc) && !quiet)
		diag_show(SQL_HANDLE_DBC, dbc);
	return rc;
}

/* The same, keeping the output connection string (empty on failure). */
static SQLRETURN connect_str_out(SQLHDBC dbc, const char *conn, char *out, size_t outlen)
{
	SQLSMALLINT n = 0;
	SQLRETURN rc;

	out[0] = 0;
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, (SQLCHAR *)out, (SQLSMALLINT)outlen, &n,
			      SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		diag_show(SQL_HANDLE_DBC, dbc);
		out[0] = 0;
	}
	return rc;
}

static SQLRETURN connect_dsn(SQLHDBC dbc, const char *dsn, int quiet)
{
	char conn[256];

	snprintf(conn, sizeof(conn), "DSN=%s", dsn);
	return connect_str(dbc, conn, quiet);
}

/* Runs a query whose first row's first column is an integer; -1 on any
 * failure (diagnostics printed unless quiet). */
static long query_int(SQLHDBC dbc, const char *sql, int quiet)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLINTEGER v = -1;
	SQLLEN ind = 0;
	SQLRETURN rc;
	long out = -1;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
		if (!quiet)
			diag_show(SQL_HANDLE_DBC, dbc);
		return -1;
	}
	rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
	if (SQL_SUCCEEDED(rc))
		rc = SQLFetch(st);
	if (SQL_SUCCEEDED(rc))
		rc = SQLGetData(st, 1, SQL_C_SLONG, &v, 0, &ind);
	if (SQL_SUCCEEDED(rc) && ind != SQL_NULL_DATA)
		out = v;
	else if (!quiet)
		diag_show(SQL_HANDLE_STMT, st);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return out;
}

/* The second column of cs_fixture's row id, as text (UTF-8). */
static int fixture_text(SQLHDBC dbc, int id, char *out, size_t outlen)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	char sql[128];
	SQLLEN ind = 0;
	SQLRETURN rc;

	out[0] = 0;
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT txt FROM cs_fixture WHERE id = %d", id);
	rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
	if (SQL_SUCCEEDED(rc))
		rc = SQLFetch(st);
	if (SQL_SUCCEEDED(rc))
		rc = SQLGetData(st, 1, SQL_C_CHAR, out, (SQLLEN)outlen, &ind);
	if (!SQL_SUCCEEDED(rc))
		diag_show(SQL_HANDLE_STMT, st);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return SQL_SUCCEEDED(rc) ? 0 : -1;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* ---- (a) two targets in one environment ------------------------------- */

static void test_two_targets(void)
{
	SQLHENV env = env_new();
	SQLHDBC pg = SQL_NULL_HDBC, lite = SQL_NULL_HDBC;
	char a[256], b[256];
	int i, ok = 1;

	SQLAllocHandle(SQL_HANDLE_DBC, env, &pg);
	SQLAllocHandle(SQL_HANDLE_DBC, env, &lite);
	if (!SQL_SUCCEEDED(connect_dsn(pg, "cs_pg_w", 0)) || !SQL_SUCCEEDED(connect_dsn(lite, "cs_sqlite", 0))) {
		result(0, "two targets in one environment: connect cs_pg_w and cs_sqlite");
		goto out;
	}
	for (i = 0; i < 20 && ok; i++) {
		long x = query_int(i % 2 ? pg : lite, "SELECT 40 + 2", 0);
		long y = query_int(i % 2 ? lite : pg, "SELECT COUNT(*) FROM cs_fixture", 0);

		if (x != 42 || y != 3) {
			note("round %d: 40+2 gave %ld, COUNT(*) gave %ld", i, x, y);
			ok = 0;
		}
	}
	if (ok && (fixture_text(pg, 2, a, sizeof(a)) != 0 || fixture_text(lite, 2, b, sizeof(b)) != 0 ||
		   strcmp(a, "Grüße ✓ 𝄞") != 0 || strcmp(b, a) != 0)) {
		note("fixture row 2: PostgreSQL '%s', SQLite '%s'", a, b);
		ok = 0;
	}
	/* Both still usable after one is disconnected. */
	if (ok && !SQL_SUCCEEDED(SQLDisconnect(lite))) {
		diag_show(SQL_HANDLE_DBC, lite);
		ok = 0;
	}
	if (ok && query_int(pg, "SELECT 7", 0) != 7)
		ok = 0;
	result(ok, "two targets (psqlODBC, SQLite) in one environment, queried interleaved");
	SQLDisconnect(pg);
	SQLDisconnect(lite);
out:
	SQLFreeHandle(SQL_HANDLE_DBC, pg);
	SQLFreeHandle(SQL_HANDLE_DBC, lite);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- (b) threads ------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 25

struct worker {
	SQLHENV env;
	int id;
	int failures;
	char first_error[512];
};

static void worker_fail(struct worker *w, int round, const char *dsn, const char *what, SQLSMALLINT ht,
			SQLHANDLE h)
{
	SQLCHAR state[6] = "", msg[300] = "";
	SQLINTEGER native = 0;
	SQLSMALLINT len;

	if (w->failures++ == 0) {
		if (h)
			SQLGetDiagRec(ht, h, 1, state, &native, msg, sizeof(msg), &len);
		snprintf(w->first_error, sizeof(w->first_error), "round %d %s: %s: %s %s", round, dsn, what,
			 (char *)state, (char *)msg);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		const char *dsn = (r + w->id) % 2 ? "cs_pg_a" : "cs_sqlite";
		SQLHDBC dbc = SQL_NULL_HDBC;
		long v;

		if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, w->env, &dbc))) {
			worker_fail(w, r, dsn, "SQLAllocHandle(DBC)", SQL_HANDLE_ENV, w->env);
			continue;
		}
		if (!SQL_SUCCEEDED(connect_dsn(dbc, dsn, 1))) {
			worker_fail(w, r, dsn, "connect", SQL_HANDLE_DBC, dbc);
		} else {
			v = query_int(dbc, "SELECT COUNT(*) FROM cs_fixture", 1);
			if (v != 3)
				worker_fail(w, r, dsn, "COUNT(*) is not 3", 0, NULL);
			if (!SQL_SUCCEEDED(SQLDisconnect(dbc)))
				worker_fail(w, r, dsn, "SQLDisconnect", SQL_HANDLE_DBC, dbc);
		}
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	SQLHENV env = env_new();
	int i, started = 0, failures = 0;

	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].env = env;
		w[i].id = i;
		if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < started; i++)
		failures += w[i].failures;
	result(started == THREADS && failures == 0,
	       "%d threads x %d connect/query/disconnect on cs_sqlite and cs_pg_a, one environment "
	       "(%d failures)", THREADS, ROUNDS, failures);
	for (i = 0; i < started; i++)
		if (w[i].failures)
			note("thread %d: %d failures, first: %s", i, w[i].failures, w[i].first_error);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- (c) SQLGetFunctions ---------------------------------------------- */

static int functions_of(SQLHENV env, const char *dsn, SQLUSMALLINT *bits)
{
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLRETURN rc;

	memset(bits, 0, SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * sizeof(*bits));
	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	rc = connect_dsn(dbc, dsn, 0);
	if (SQL_SUCCEEDED(rc)) {
		rc = SQLGetFunctions(dbc, SQL_API_ODBC3_ALL_FUNCTIONS, bits);
		if (!SQL_SUCCEEDED(rc))
			diag_show(SQL_HANDLE_DBC, dbc);
		SQLDisconnect(dbc);
	}
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	return SQL_SUCCEEDED(rc) ? 0 : -1;
}

static void test_functions(void)
{
	static const char *const pairs[][2] = {
		{ "pg_w", "cs_pg_w" }, { "pg_a", "cs_pg_a" }, { "sqlite", "cs_sqlite" },
	};
	SQLUSMALLINT direct[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE], via[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
	SQLHENV env = env_new();
	size_t p;
	int f;

	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		if (functions_of(env, pairs[p][0], direct) != 0 || functions_of(env, pairs[p][1], via) != 0) {
			result(0, "SQLGetFunctions(SQL_API_ODBC3_ALL_FUNCTIONS): %s vs %s: call failed", pairs[p][1],
			       pairs[p][0]);
			continue;
		}
		if (memcmp(direct, via, sizeof(direct)) == 0) {
			result(1, "SQLGetFunctions(SQL_API_ODBC3_ALL_FUNCTIONS) through %s equals %s", pairs[p][1],
			       pairs[p][0]);
			continue;
		}
		result(0, "SQLGetFunctions(SQL_API_ODBC3_ALL_FUNCTIONS) through %s differs from %s", pairs[p][1],
		       pairs[p][0]);
		for (f = 0; f < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * 16; f++)
			if (SQL_FUNC_EXISTS(direct, f) != SQL_FUNC_EXISTS(via, f))
				note("function %d: direct %d, credshim %d", f, SQL_FUNC_EXISTS(direct, f),
				     SQL_FUNC_EXISTS(via, f));
	}
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- (d) handle lifetimes --------------------------------------------- */

static void test_handles(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLHSTMT st[3] = { SQL_NULL_HSTMT, SQL_NULL_HSTMT, SQL_NULL_HSTMT };
	SQLHDESC desc = SQL_NULL_HDESC;
	SQLRETURN rc;
	int i, ok;

	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);

	/* Statements (one with an open cursor) and an explicit descriptor
	 * left allocated: SQLDisconnect frees them. */
	ok = SQL_SUCCEEDED(connect_dsn(dbc, "cs_pg_w", 0));
	for (i = 0; ok && i < 3; i++)
		ok = SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st[i]));
	if (ok)
		ok = SQL_SUCCEEDED(SQLExecDirect(st[0], (SQLCHAR *)"SELECT id FROM cs_fixture", SQL_NTS)) &&
		     SQL_SUCCEEDED(SQLFetch(st[0]));
	if (ok)
		ok = SQL_SUCCEEDED(SQLPrepare(st[1], (SQLCHAR *)"SELECT 1", SQL_NTS));
	if (ok)
		ok = SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &desc));
	if (!ok)
		diag_show(SQL_HANDLE_DBC, dbc);
	rc = SQLDisconnect(dbc);
	if (!SQL_SUCCEEDED(rc)) {
		diag_show(SQL_HANDLE_DBC, dbc);
		ok = 0;
	}
	result(ok, "SQLDisconnect with three statements (one with an open cursor) and a descriptor allocated");
	/* (The statement handles are gone now: using one is undefined in
	 * the driver manager itself, which reads the freed memory.) */

	ok = SQL_SUCCEEDED(connect_dsn(dbc, "cs_pg_w", 0)) && query_int(dbc, "SELECT 40 + 2", 0) == 42;
	result(ok, "reconnect the same connection handle and query");

	/* SQLFreeStmt(SQL_DROP), then the connection still works. */
	st[0] = SQL_NULL_HSTMT;
	ok = ok && SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st[0])) &&
	     SQL_SUCCEEDED(SQLExecDirect(st[0], (SQLCHAR *)"SELECT 1", SQL_NTS));
	rc = ok ? SQLFreeStmt(st[0], SQL_DROP) : SQL_ERROR;
	result(rc == SQL_SUCCESS && query_int(dbc, "SELECT 5", 0) == 5,
	       "SQLFreeStmt(SQL_DROP) on a statement with a result set, then query again");
	SQLDisconnect(dbc);

	/* One connection handle, two targets one after the other. */
	ok = SQL_SUCCEEDED(connect_dsn(dbc, "cs_sqlite", 0)) &&
	     query_int(dbc, "SELECT COUNT(*) FROM cs_fixture", 0) == 3 && SQL_SUCCEEDED(SQLDisconnect(dbc));
	ok = ok && SQL_SUCCEEDED(connect_dsn(dbc, "cs_pg_w", 0)) &&
	     query_int(dbc, "SELECT COUNT(*) FROM pg_catalog.pg_class WHERE relname = 'cs_fixture'", 0) == 1 &&
	     SQL_SUCCEEDED(SQLDisconnect(dbc));
	ok = ok && SQL_SUCCEEDED(connect_dsn(dbc, "cs_sqlite", 0)) &&
	     query_int(dbc, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'cs_fixture'", 0) == 1 &&
	     SQL_SUCCEEDED(SQLDisconnect(dbc));
	result(ok, "one connection handle reconnected to another target: cs_sqlite, cs_pg_w, cs_sqlite");

	/* Freeing a connected dbc is a sequence error, not a crash. */
	ok = SQL_SUCCEEDED(connect_dsn(dbc, "cs_sqlite", 0));
	rc = SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	result(ok && rc == SQL_ERROR, "SQLFreeHandle on a connected dbc fails (got %d)", (int)rc);
	SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- (e) connect errors ----------------------------------------------- */

static int diag_mentions(const struct diag *d, const char *state, const char *text)
{
	int i;

	for (i = 0; i < d->n; i++)
		if ((!state || strcmp(d->state[i], state) == 0) && (!text || strstr(d->msg[i], text)))
			return 1;
	return 0;
}

/* Connecting with conn must fail with SQLSTATE state and a message
 * containing text. */
static void expect_connect_error(SQLHENV env, const char *what, const char *conn, const char *state,
				 const char *text)
{
	SQLHDBC dbc = SQL_NULL_HDBC;
	struct diag d;
	SQLRETURN rc;

	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	rc = connect_str(dbc, conn, 1);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	if (SQL_SUCCEEDED(rc)) {
		result(0, "%s: connected, must fail with %s", what, state);
		SQLDisconnect(dbc);
	} else {
		int ok = rc == SQL_ERROR && diag_mentions(&d, state, text);

		result(ok, "%s: %s mentioning '%s'", what, state, text);
		if (!ok) {
			note("return code %d", (int)rc);
			diag_print(&d);
		}
	}
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

/* Appends "key={value}" to buf, escaping '}' as "}}". */
static void conn_add(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = strlen(buf);
	const char *p;

	/* Braces only where the value needs them, as an application that
	 * talks to psqlODBC directly must write it: psqlODBC takes braces
	 * off PWD only (a braced Port or UID keeps them), and credshim
	 * passes every value on as the application wrote it. */
	if (!strpbrk(value, ";{}=") && *value != ' ' && (!*value || value[strlen(value) - 1] != ' ')) {
		snprintf(buf + n, n < len ? len - n : 0, "%s%s=%s", n ? ";" : "", key, value);
		return;
	}
	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s={", n ? ";" : "", key);
	for (p = value; *p && n + 3 < len; p++) {
		buf[n++] = *p;
		if (*p == '}')
			buf[n++] = '}';
	}
	if (n + 2 < len) {
		buf[n++] = '}';
		buf[n] = 0;
	}
}

static void test_connect_errors(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = SQL_NULL_HDBC;
	struct diag direct, via;
	char conn[512], path[1024];
	SQLRETURN rc_direct, rc_via;
	int i, same;

	expect_connect_error(env, "DSN cs_no_target (no TargetDriver)", "DSN=cs_no_target", "IM002",
			     "TargetDriver");
	expect_connect_error(env, "DSN-less TargetDriver=/nonexistent.so",
			     "DRIVER={credshim};TargetDriver=/nonexistent.so", "IM003", "/nonexistent.so");
	snprintf(path, sizeof(path), "%s/no-such-driver.so", env_or("ODBCSYSINI", "."));
	expect_connect_error(env, "DSN cs_missing_lib (TargetDriver names a missing library)", "DSN=cs_missing_lib",
			     "IM003", path);
	expect_connect_error(env, "TargetDriver names no odbcinst.ini driver",
			     "DRIVER={credshim};TargetDriver={No Such Driver}", "IM003", "No Such Driver");

	/* A wrong password: the target's own error, unchanged. */
	/* (The DSN unbraced: psqlODBC does not unbrace a DSN value.) */
	snprintf(conn, sizeof(conn), "DSN=pg_w");
	conn_add(conn, sizeof(conn), "PWD", "wrong;pw}");
	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	rc_direct = connect_str(dbc, conn, 1);
	diag_get(SQL_HANDLE_DBC, dbc, &direct);
	if (SQL_SUCCEEDED(rc_direct))
		SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	snprintf(conn, sizeof(conn), "DSN=cs_pg_w");
	conn_add(conn, sizeof(conn), "PWD", "wrong;pw}");
	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	rc_via = connect_str(dbc, conn, 1);
	diag_get(SQL_HANDLE_DBC, dbc, &via);
	if (SQL_SUCCEEDED(rc_via))
		SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	same = rc_direct == rc_via && direct.n == via.n;
	for (i = 0; same && i < direct.n; i++)
		same = strcmp(direct.state[i], via.state[i]) == 0 && direct.native[i] == via.native[i] &&
		       strcmp(direct.msg[i], via.msg[i]) == 0;
	result(rc_direct == SQL_ERROR && direct.n > 0 && same,
	       "wrong password (PWD in the connection string): cs_pg_w fails exactly as pg_w does");
	if (!(rc_direct == SQL_ERROR && direct.n > 0 && same)) {
		note("pg_w: return code %d", (int)rc_direct);
		diag_print(&direct);
		note("cs_pg_w: return code %d", (int)rc_via);
		diag_print(&via);
	}
	for (i = 0; i < via.n; i++)
		if (strstr(via.msg[i], "wrong;pw"))
			break;
	result(i == via.n, "the wrong password does not appear in credshim's diagnostics");
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- (f) DSN-less connections and the output connection string --------- */

static void test_dsnless(void)
{
	static const char *const keys[] = { "DRIVER", "TargetDriver", "Servername", "Port", "Database", "UID",
					    "PWD" };
	const char *values[7];
	const char *pw = env_or("CS_PG_PASSWORD", "");
	SQLHENV env = env_new();
	SQLHDBC dbc = SQL_NULL_HDBC;
	char conn[1024], out[2048], again[1100], small[16], direct[2048], *tail;
	SQLWCHAR wconn[1024], wout[1024], wsmall[8];
	SQLSMALLINT outlen = -1, smalllen = -1;
	struct diag d;
	SQLRETURN rc;
	size_t i;
	int ok;

	values[0] = "credshim";
	values[1] = "PostgreSQL Unicode";
	values[2] = env_or("CS_PG_HOST", "127.0.0.1");
	values[3] = env_or("CS_PG_PORT", "");
	values[4] = env_or("CS_PG_DATABASE", "cs_test");
	values[5] = env_or("CS_PG_USER", "cs_user");
	values[6] = pw;
	conn[0] = 0;
	for (i = 0; i < 7; i++)
		conn_add(conn, sizeof(conn), keys[i], values[i]);
	result(strpbrk(pw, ";}=") != NULL, "the test password holds ';', '}' or '=' (it is '%s')", pw);

	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	memset(out, 0, sizeof(out));
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, (SQLCHAR *)out, sizeof(out), &outlen,
			      SQL_DRIVER_NOPROMPT);
	ok = SQL_SUCCEEDED(rc) && query_int(dbc, "SELECT COUNT(*) FROM cs_fixture", 0) == 3;
	result(ok, "DSN-less DRIVER={credshim};TargetDriver={PostgreSQL Unicode};... with a braced password");
	if (!SQL_SUCCEEDED(rc))
		diag_show(SQL_HANDLE_DBC, dbc);
	if (!ok)
		goto out;
	result(outlen == (SQLSMALLINT)strlen(out), "output length %d is the string's length %zu", outlen, strlen(out));
	/*
	 * credshim's keys as the application gave them, then psqlODBC's own
	 * completed string: exactly what psqlODBC returns for the same keys
	 * directly after its own DRIVER, the password included (pass-through
	 * returns what the target returns).
	 */
	snprintf(again, sizeof(again), "DRIVER={PostgreSQL Unicode}%s", strchr(conn + 1, ';'));
	{
		char *p = strstr(again, ";TargetDriver=");
		char *q = p ? strchr(p + 1, ';') : NULL;

		if (p && q)
			memmove(p, q, strlen(q) + 1);
	}
	SQLDisconnect(dbc);
	if (SQL_SUCCEEDED(connect_str_out(dbc, again, direct, sizeof(direct))))
		SQLDisconnect(dbc);
	tail = strncmp(direct, "DRIVER=", 7) == 0 ? strchr(direct, ';') : NULL;
	ok = tail && strlen(out) > strlen(tail) && strcmp(out + strlen(out) - strlen(tail), tail) == 0 &&
	     strncmp(out, "DRIVER=", 7) == 0 && strstr(out, "TargetDriver=");
	result(ok, "output = DRIVER and TargetDriver, then psqlODBC's own completed string as it returns it "
	       "directly");
	if (!ok)
		note("through credshim: %s\n    directly:        %s", out, direct);
	result(strstr(out, ";PWD=") != NULL, "pass-through: psqlODBC returns its PWD and credshim keeps it");

	/* The output string connects again as it is. */
	rc = connect_str(dbc, out, 0);
	result(SQL_SUCCEEDED(rc) && query_int(dbc, "SELECT 1", 0) == 1, "the output connection string connects again");
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);

	/* Truncated output: 01004 and the full length. */
	memset(small, 'x', sizeof(small));
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, (SQLCHAR *)small, 10, &smalllen,
			      SQL_DRIVER_NOPROMPT);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	ok = rc == SQL_SUCCESS_WITH_INFO && diag_mentions(&d, "01004", NULL) && smalllen == outlen &&
	     small[9] == 0 && strncmp(small, out, 9) == 0;
	result(ok, "output buffer of 10 bytes: SQL_SUCCESS_WITH_INFO, 01004, full length %d, 9 bytes + NUL "
	       "(got rc %d, length %d)", outlen, (int)rc, smalllen);
	if (!ok)
		diag_print(&d);
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);

	/* The same through SQLDriverConnectW. */
	for (i = 0; conn[i] && i + 1 < sizeof(wconn) / sizeof(wconn[0]); i++)
		wconn[i] = (SQLWCHAR)(unsigned char)conn[i];
	wconn[i] = 0;
	/* (conn is ASCII unless the password is not: then compare less.) */
	memset(wout, 0, sizeof(wout));
	outlen = -1;
	rc = SQLDriverConnectW(dbc, NULL, wconn, SQL_NTS, wout, sizeof(wout) / sizeof(wout[0]), &outlen,
			       SQL_DRIVER_NOPROMPT);
	ok = SQL_SUCCEEDED(rc);
	for (i = 0; ok && out[i]; i++)
		ok = wout[i] == (SQLWCHAR)(unsigned char)out[i];
	ok = ok && wout[i] == 0 && outlen == (SQLSMALLINT)strlen(out);
	result(ok, "SQLDriverConnectW: the same output string, length %d characters", outlen);
	if (!SQL_SUCCEEDED(rc))
		diag_show(SQL_HANDLE_DBC, dbc);
	else
		SQLDisconnect(dbc);
	memset(wsmall, 0xff, sizeof(wsmall));
	smalllen = -1;
	rc = SQLDriverConnectW(dbc, NULL, wconn, SQL_NTS, wsmall, 5, &smalllen, SQL_DRIVER_NOPROMPT);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	ok = rc == SQL_SUCCESS_WITH_INFO && diag_mentions(&d, "01004", NULL) && smalllen == (SQLSMALLINT)strlen(out) &&
	     wsmall[4] == 0;
	result(ok, "SQLDriverConnectW output buffer of 5 characters: SQL_SUCCESS_WITH_INFO, 01004, full length "
	       "(got rc %d, length %d)", (int)rc, smalllen);
	if (!ok)
		diag_print(&d);
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);
out:
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/*
 * Every SQLDriverConnect completion value behaves through credshim as it
 * does directly (there are no dialogs here: the driver manager refuses
 * SQL_DRIVER_PROMPT without a window, the others never prompt), and an
 * incomplete or unreachable target fails at once instead of waiting for
 * an answer nobody can give.
 */
static void test_completions(void)
{
	static const struct {
		SQLUSMALLINT mode;
		const char *name;
	} modes[] = {
		{ SQL_DRIVER_NOPROMPT, "SQL_DRIVER_NOPROMPT" },
		{ SQL_DRIVER_COMPLETE, "SQL_DRIVER_COMPLETE" },
		{ SQL_DRIVER_PROMPT, "SQL_DRIVER_PROMPT" },
		{ SQL_DRIVER_COMPLETE_REQUIRED, "SQL_DRIVER_COMPLETE_REQUIRED" },
	};
	static const char *const dead = "DRIVER={credshim};TargetDriver={PostgreSQL Unicode};"
					"Servername=127.0.0.1;Port=1;Database=cs_test";
	SQLHENV env = env_new();
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		SQLRETURN rc[2];
		struct diag d[2];
		int j;

		for (j = 0; j < 2; j++) {
			SQLHDBC dbc = SQL_NULL_HDBC;
			SQLCHAR out[1024];
			SQLSMALLINT outlen = 0;

			SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
			rc[j] = SQLDriverConnect(dbc, NULL, (SQLCHAR *)(j ? "DSN=cs_sqlite" : "DSN=sqlite"), SQL_NTS,
						 out, sizeof(out), &outlen, modes[i].mode);
			diag_get(SQL_HANDLE_DBC, dbc, &d[j]);
			if (SQL_SUCCEEDED(rc[j]))
				SQLDisconnect(dbc);
			SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		}
		result(rc[0] == rc[1] && d[0].n == d[1].n && (!d[0].n || strcmp(d[0].state[0], d[1].state[0]) == 0),
		       "%s: cs_sqlite answers as sqlite does (rc %d / %d)", modes[i].name, rc[0], rc[1]);
		if (modes[i].mode != SQL_DRIVER_PROMPT) {
			SQLHDBC dbc = SQL_NULL_HDBC;
			struct diag e;
			time_t t0 = time(NULL);
			SQLRETURN r;

			SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
			r = SQLDriverConnect(dbc, NULL, (SQLCHAR *)dead, SQL_NTS, NULL, 0, NULL, modes[i].mode);
			diag_get(SQL_HANDLE_DBC, dbc, &e);
			result(r == SQL_ERROR && e.n > 0 && strcmp(e.state[0], "08001") == 0 && time(NULL) - t0 < 10,
			       "%s with an unreachable target: 08001 from the target at once, no prompt",
			       modes[i].name);
			SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		}
	}
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

int main(void)
{
	const char *need[] = { "ODBCSYSINI", "ODBCINI", "CS_PG_PORT", "CS_PG_PASSWORD" };
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!getenv(need[i])) {
			printf("FAIL %s is not set: run through tests/run.sh\n0 passed, 1 failed\n", need[i]);
			return 1;
		}
	}
	test_two_targets();
	test_threads();
	test_functions();
	test_handles();
	test_connect_errors();
	test_dsnless();
	test_completions();
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
