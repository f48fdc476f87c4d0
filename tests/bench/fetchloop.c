/* SPDX-License-Identifier: MIT */
/*
 * fetchloop.c - the fetch-loop benchmark client (docs/benchmarks.md).
 *
 *   fetchloop DSN ROWS
 *
 * An ordinary ODBC application linked against the unixODBC driver manager.
 * It connects to DSN, makes sure table t(a integer, b text, c real) holds
 * exactly ROWS rows (creating and filling it in one transaction with a
 * prepared INSERT when it does not), reconnects, and then runs the measured
 * region:
 *
 *   SQLExecDirect("SELECT a,b,c FROM t")
 *   per row: SQLFetch, SQLGetData x 3 (SQL_C_SLONG, SQL_C_CHAR, SQL_C_DOUBLE)
 *   SQLFreeStmt(SQL_CLOSE)
 *
 * Under valgrind --tool=callgrind, the region is bracketed by client
 * requests: CALLGRIND_ZERO_STATS before it and CALLGRIND_DUMP_STATS_AT
 * ("fetchloop") after it, so the dump with that trigger counts the region's
 * instructions and nothing else (connect, setup and teardown go to the
 * other dumps).  Outside valgrind the requests cost a few instructions and
 * do nothing.
 *
 * It prints one line: the rows read and checksums of what was read, so
 * run-bench.sh can check that the direct and credshim runs read the same
 * data.  Exits 0 on success, 1 (with the ODBC diagnostics on stderr) on
 * any failure.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#include <valgrind/callgrind.h>

#define FL_TEXT_MAX 64

struct fl_conn {
	SQLHENV env;
	SQLHDBC dbc;
};

/* What the measured loop read, summed. */
struct fl_sums {
	long rows;
	int64_t a_sum;
	double c_sum;
	int64_t b_len;
	uint32_t b_hash;              /* FNV-1a over the last byte of each b */
};

/* Prints every diagnostic record of a handle after a failed call. */
static void fl_diag(const char *what, SQLSMALLINT type, SQLHANDLE h)
{
	SQLCHAR state[6], msg[512];
	SQLINTEGER native;
	SQLSMALLINT len, i;

	fprintf(stderr, "fetchloop: %s failed\n", what);
	for (i = 1;; i++) {
		if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg,
						 sizeof(msg), &len)))
			break;
		fprintf(stderr, "  [%s] (%ld) %s\n", (char *)state, (long)native,
			(char *)msg);
	}
}

/* 0 when rc is a success code, else prints the diagnostics and returns -1. */
static int fl_ok(SQLRETURN rc, const char *what, SQLSMALLINT type, SQLHANDLE h)
{
	if (SQL_SUCCEEDED(rc))
		return 0;
	fl_diag(what, type, h);
	return -1;
}

static int fl_connect(struct fl_conn *c, const char *dsn)
{
	c->env = SQL_NULL_HENV;
	c->dbc = SQL_NULL_HDBC;
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env))) {
		fprintf(stderr, "fetchloop: SQLAllocHandle(ENV) failed\n");
		return -1;
	}
	if (fl_ok(SQLSetEnvAttr(c->env, SQL_ATTR_ODBC_VERSION,
				(SQLPOINTER)SQL_OV_ODBC3, 0),
		  "SQLSetEnvAttr(ODBC_VERSION)", SQL_HANDLE_ENV, c->env) ||
	    fl_ok(SQLAllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc),
		  "SQLAllocHandle(DBC)", SQL_HANDLE_ENV, c->env))
		return -1;
	return fl_ok(SQLConnect(c->dbc, (SQLCHAR *)dsn, SQL_NTS, NULL, 0, NULL, 0),
		     "SQLConnect", SQL_HANDLE_DBC, c->dbc);
}

static void fl_disconnect(struct fl_conn *c)
{
	if (c->dbc) {
		SQLDisconnect(c->dbc);
		SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
	}
	if (c->env)
		SQLFreeHandle(SQL_HANDLE_ENV, c->env);
	c->dbc = SQL_NULL_HDBC;
	c->env = SQL_NULL_HENV;
}

/* Runs one statement that returns no rows. */
static int fl_exec(SQLHDBC dbc, const char *sql)
{
	SQLHSTMT st;
	int r;

	if (fl_ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st),
		  "SQLAllocHandle(STMT)", SQL_HANDLE_DBC, dbc))
		return -1;
	r = fl_ok(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), sql,
		  SQL_HANDLE_STMT, st);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return r;
}

/* The number of rows in t, or -1 when t does not exist (or cannot be read). */
static long fl_count(SQLHDBC dbc)
{
	SQLHSTMT st;
	SQLINTEGER n = -1;
	SQLLEN ind;
	long r = -1;

	if (fl_ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st),
		  "SQLAllocHandle(STMT)", SQL_HANDLE_DBC, dbc))
		return -1;
	if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT count(*) FROM t", SQL_NTS)) &&
	    SQL_SUCCEEDED(SQLFetch(st)) &&
	    SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &n, 0, &ind)) &&
	    ind != SQL_NULL_DATA)
		r = n;
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return r;
}

/* The row i of the table: deterministic, so every database built for the
 * same ROWS holds the same bytes. */
static void fl_row(long i, SQLINTEGER *a, char *b, size_t blen, double *c)
{
	*a = (SQLINTEGER)(i * 7 + 1);
	snprintf(b, blen, "text value of row %06ld", i);
	*c = (double)i * 0.25 + 0.5;
}

/* Creates t with rows rows, in one transaction with a prepared INSERT. */
static int fl_fill(SQLHDBC dbc, long rows)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLINTEGER a;
	char b[FL_TEXT_MAX];
	double c;
	SQLLEN a_ind = 0, b_ind = SQL_NTS, c_ind = 0;
	long i;
	int r = -1;

	if (fl_exec(dbc, "DROP TABLE IF EXISTS t") ||
	    fl_ok(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT,
				    (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0),
		  "SQLSetConnectAttr(AUTOCOMMIT_OFF)", SQL_HANDLE_DBC, dbc))
		return -1;
	if (fl_exec(dbc, "CREATE TABLE t (a integer, b text, c real)") ||
	    fl_ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st),
		  "SQLAllocHandle(STMT)", SQL_HANDLE_DBC, dbc))
		goto out_rollback;
	if (fl_ok(SQLPrepare(st, (SQLCHAR *)"INSERT INTO t (a, b, c) VALUES (?, ?, ?)", SQL_NTS),
		  "SQLPrepare(INSERT)", SQL_HANDLE_STMT, st) ||
	    fl_ok(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER,
				   0, 0, &a, 0, &a_ind),
		  "SQLBindParameter(1)", SQL_HANDLE_STMT, st) ||
	    fl_ok(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
				   FL_TEXT_MAX, 0, b, sizeof(b), &b_ind),
		  "SQLBindParameter(2)", SQL_HANDLE_STMT, st) ||
	    fl_ok(SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE,
				   0, 0, &c, 0, &c_ind),
		  "SQLBindParameter(3)", SQL_HANDLE_STMT, st))
		goto out_free_stmt;
	for (i = 0; i < rows; i++) {
		fl_row(i, &a, b, sizeof(b), &c);
		if (fl_ok(SQLExecute(st), "SQLExecute(INSERT)", SQL_HANDLE_STMT, st))
			goto out_free_stmt;
	}
	if (fl_ok(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT),
		  "SQLEndTran(COMMIT)", SQL_HANDLE_DBC, dbc))
		goto out_free_stmt;
	r = 0;
out_free_stmt:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
out_rollback:
	if (r)
		SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
	SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
	return r;
}

/*
 * The measured region.  Nothing but the ODBC calls and the cheapest
 * bookkeeping of what they returned; every failure leaves the region
 * through the same dump, so a failing run never counts setup by mistake.
 */
/* The loop's output buffers: static and aligned, so the drivers copy into
 * the same addresses whatever the stack layout (environment size, argv)
 * of the process; string copies cost instructions by alignment. */
static _Alignas(64) SQLINTEGER fl_a;
static _Alignas(64) char fl_b[FL_TEXT_MAX];
static _Alignas(64) double fl_c;
static _Alignas(64) SQLLEN fl_ind;

static int fl_loop(SQLHSTMT st, struct fl_sums *s)
{
	SQLRETURN rc;
	const char *fail = NULL;

	memset(s, 0, sizeof(*s));
	s->b_hash = 2166136261u;

	CALLGRIND_ZERO_STATS;
	rc = SQLExecDirect(st, (SQLCHAR *)"SELECT a,b,c FROM t", SQL_NTS);
	if (!SQL_SUCCEEDED(rc)) {
		fail = "SQLExecDirect(SELECT)";
		goto out_dump;
	}
	while ((rc = SQLFetch(st)) != SQL_NO_DATA) {
		if (!SQL_SUCCEEDED(rc)) {
			fail = "SQLFetch";
			goto out_dump;
		}
		if (!SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &fl_a, 0, &fl_ind)) ||
		    fl_ind == SQL_NULL_DATA) {
			fail = "SQLGetData(1)";
			goto out_dump;
		}
		s->a_sum += fl_a;
		if (!SQL_SUCCEEDED(SQLGetData(st, 2, SQL_C_CHAR, fl_b, sizeof(fl_b), &fl_ind)) ||
		    fl_ind < 1 || fl_ind >= (SQLLEN)sizeof(fl_b)) {
			fail = "SQLGetData(2)";
			goto out_dump;
		}
		s->b_len += fl_ind;
		s->b_hash = (s->b_hash ^ (uint32_t)(unsigned char)fl_b[fl_ind - 1]) * 16777619u;
		if (!SQL_SUCCEEDED(SQLGetData(st, 3, SQL_C_DOUBLE, &fl_c, 0, &fl_ind)) ||
		    fl_ind == SQL_NULL_DATA) {
			fail = "SQLGetData(3)";
			goto out_dump;
		}
		s->c_sum += fl_c;
		s->rows++;
	}
	rc = SQLFreeStmt(st, SQL_CLOSE);
	if (!SQL_SUCCEEDED(rc))
		fail = "SQLFreeStmt(CLOSE)";
out_dump:
	CALLGRIND_DUMP_STATS_AT("fetchloop");
	if (fail) {
		fl_diag(fail, SQL_HANDLE_STMT, st);
		return -1;
	}
	return 0;
}

/* Parses ROWS: a decimal number from 1 to INT_MAX. */
static int fl_parse_rows(const char *arg, long *rows)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > INT_MAX)
		return -1;
	*rows = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct fl_conn c = { SQL_NULL_HENV, SQL_NULL_HDBC };
	struct fl_sums s;
	SQLHSTMT st = SQL_NULL_HSTMT;
	long rows, have;
	int r = 1;

	if (argc != 3 || fl_parse_rows(argv[2], &rows)) {
		fprintf(stderr, "usage: fetchloop DSN ROWS   (ROWS from 1 to %d)\n", INT_MAX);
		return 2;
	}
	if (fl_connect(&c, argv[1]))
		goto out_disconnect;

	have = fl_count(c.dbc);
	if (have != rows) {
		if (fl_fill(c.dbc, rows))
			goto out_disconnect;
		have = fl_count(c.dbc);
		if (have != rows) {
			fprintf(stderr, "fetchloop: t has %ld rows after filling, want %ld\n",
				have, rows);
			goto out_disconnect;
		}
		/* Measure from a fresh connection, as when t already existed. */
		fl_disconnect(&c);
		if (fl_connect(&c, argv[1]))
			goto out_disconnect;
	}

	if (fl_ok(SQLAllocHandle(SQL_HANDLE_STMT, c.dbc, &st),
		  "SQLAllocHandle(STMT)", SQL_HANDLE_DBC, c.dbc))
		goto out_disconnect;
	if (fl_loop(st, &s))
		goto out_free_stmt;
	if (s.rows != rows) {
		fprintf(stderr, "fetchloop: read %ld rows, want %ld\n", s.rows, rows);
		goto out_free_stmt;
	}
	printf("rows=%ld a_sum=%lld b_len=%lld b_hash=%08x c_sum=%.2f\n", s.rows,
	       (long long)s.a_sum, (long long)s.b_len, (unsigned)s.b_hash, s.c_sum);
	r = 0;
out_free_stmt:
	SQLFreeHandle(SQL_HANDLE_STMT, st);
out_disconnect:
	fl_disconnect(&c);
	return r;
}
