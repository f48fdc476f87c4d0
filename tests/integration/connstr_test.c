/* SPDX-License-Identifier: MIT */
/*
 * connstr_test.c - string arguments and connection strings through the
 * driver manager, as the target would see them:
 *
 *   - every string argument with an explicit length longer than the text
 *     (a NUL-padded buffer, text after the NUL) behaves as the same call
 *     with SQL_NTS, A and W, for converted and passed-through targets
 *     (the sanitizer and valgrind passes run this too);
 *   - keys credshim does not own reach the target as written, repeated
 *     keys included, in order; credshim's own keys are first-wins;
 *   - SQLBindParam on a target without it is mapped to SQLBindParameter
 *     exactly as the driver manager maps it for that target directly;
 *   - the output connection string is the target's completed string with
 *     credshim's keys in front, and connects again.
 *
 *   connstr_test FAKE_DRIVER_PATH
 *
 * FAKE_DRIVER_PATH is tests/integration/fake's W-only driver, which shows
 * the connection string it received (SQLGetInfo 20000).  Needs the
 * environment tests/run.sh sets up.  One PASS/FAIL line per check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "tcheck.h"

#define FK_INFO_CONNSTR  20000
#define FK_INFO_LASTBIND 20002

/* Units in the padded buffers: more than any text put in them. */
#define PAD 4096

static const char *g_fake;
static SQLHENV g_env;

/* The first diagnostic of a handle, for FAIL lines. */
static const char *diag(SQLSMALLINT ht, SQLHANDLE h)
{
	static char buf[600];
	SQLCHAR state[6] = "", msg[512] = "";
	SQLINTEGER native;
	SQLSMALLINT len;

	if (!SQL_SUCCEEDED(SQLGetDiagRec(ht, h, 1, state, &native, msg, sizeof(msg), &len)))
		return "(no diagnostic)";
	snprintf(buf, sizeof(buf), "%s %s", state, msg);
	return buf;
}

/* ---- padded buffers ------------------------------------------------------ */

/* ASCII text into UTF-16. */
static void wcopy(SQLWCHAR *out, const char *s)
{
	while (*s)
		*out++ = (SQLWCHAR)(unsigned char)*s++;
	*out = 0;
}

static void wto8(const SQLWCHAR *w, SQLLEN n, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i + 1 < cap && (n == SQL_NTS ? w[i] != 0 : (SQLLEN)i < n); i++)
		out[i] = w[i] < 0x80 ? (char)w[i] : '?';
	out[i] = 0;
}

/*
 * A buffer of PAD units holding text, a NUL, then junk that must never be
 * read as part of the string: invalid UTF-8 in ANSI, an unpaired
 * surrogate in W (its conversion would fail), then zeros.
 */
struct padded {
	SQLCHAR a[PAD];
	SQLWCHAR w[PAD];
};

static void *pad(struct padded *p, int wide, const char *text)
{
	size_t n = strlen(text);

	memset(p, 0, sizeof(*p));
	if (!wide) {
		memcpy(p->a, text, n);
		memcpy(p->a + n + 1, "\xff\xfe;DSN=nowhere;X={", 18);
		return p->a;
	}
	wcopy(p->w, text);
	p->w[n + 1] = 0xD800;
	wcopy(p->w + n + 2, ";DSN=nowhere;X={");
	return p->w;
}

static void *nts(struct padded *p, int wide, const char *text)
{
	memset(p, 0, sizeof(*p));
	if (!wide) {
		snprintf((char *)p->a, sizeof(p->a), "%s", text);
		return p->a;
	}
	wcopy(p->w, text);
	return p->w;
}

/* A string argument: SQL_NTS, or the padded buffer's whole size. */
static void *arg(struct padded *p, int wide, int padded, const char *text, SQLINTEGER *len)
{
	*len = padded ? PAD : SQL_NTS;
	return padded ? pad(p, wide, text) : nts(p, wide, text);
}

/* ---- connections --------------------------------------------------------- */

static SQLRETURN drvconnect(SQLHDBC dbc, int wide, int padded, const char *conn, char *out, size_t outcap)
{
	struct padded p;
	SQLINTEGER len;
	SQLSMALLINT outlen = 0;
	void *in = arg(&p, wide, padded, conn, &len);
	SQLRETURN rc;

	if (wide) {
		SQLWCHAR o[2048] = { 0 };

		rc = SQLDriverConnectW(dbc, NULL, in, (SQLSMALLINT)len, o, 2048, &outlen, SQL_DRIVER_NOPROMPT);
		if (out)
			wto8(o, SQL_NTS, out, outcap);
	} else {
		SQLCHAR o[2048] = "";

		rc = SQLDriverConnect(dbc, NULL, in, (SQLSMALLINT)len, o, sizeof(o), &outlen, SQL_DRIVER_NOPROMPT);
		if (out)
			snprintf(out, outcap, "%s", (char *)o);
	}
	if (out && !SQL_SUCCEEDED(rc))
		out[0] = 0;
	return rc;
}

static SQLHDBC open_dbc(int wide, int padded, const char *conn, char *out, size_t outcap)
{
	SQLHDBC dbc;
	SQLRETURN rc;

	SQLAllocHandle(SQL_HANDLE_DBC, g_env, &dbc);
	rc = drvconnect(dbc, wide, padded, conn, out, outcap);
	if (!SQL_SUCCEEDED(rc)) {
		result(0, "connect %s (%s, %s): %s", conn, wide ? "W" : "A", padded ? "padded" : "SQL_NTS",
		      diag(SQL_HANDLE_DBC, dbc));
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		return NULL;
	}
	return dbc;
}

static void close_dbc(SQLHDBC dbc)
{
	if (!dbc)
		return;
	SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

/* A string SQLGetInfo answer of the connection, as ASCII. */
static void info_str(SQLHDBC dbc, SQLUSMALLINT type, char *out, size_t cap)
{
	SQLWCHAR buf[4096] = { 0 };
	SQLSMALLINT len;

	/* W: the fake's own information types are strings only it knows. */
	if (!SQL_SUCCEEDED(SQLGetInfoW(dbc, type, buf, sizeof(buf), &len)))
		snprintf(out, cap, "(SQLGetInfo %u failed: %s)", type, diag(SQL_HANDLE_DBC, dbc));
	else
		wto8(buf, SQL_NTS, out, cap);
}

/* ---- item 1: explicit lengths -------------------------------------------- */

/* What one statement call gave: return code and the first column of the
 * first row (or the output string), so the padded and NTS runs compare. */
struct res {
	SQLRETURN rc;
	char text[256];
};

static void fetch_first(SQLHSTMT st, SQLRETURN rc, struct res *r)
{
	SQLLEN ind;
	SQLCHAR buf[256] = "";
	long rows = 0;

	r->rc = rc;
	r->text[0] = 0;
	if (!SQL_SUCCEEDED(rc))
		return;
	while (SQL_SUCCEEDED(SQLFetch(st)) && rows < 1000) {
		if (rows++ == 0 && SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, buf, sizeof(buf), &ind)))
			snprintf(r->text, sizeof(r->text), "%s", ind == SQL_NULL_DATA ? "NULL" : (char *)buf);
	}
	snprintf(r->text + strlen(r->text), sizeof(r->text) - strlen(r->text), " [%ld rows]", rows);
	SQLFreeStmt(st, SQL_CLOSE);
}

enum call { C_EXEC, C_PREPARE, C_TABLES, C_COLUMNS, C_NATIVE, C_CURSOR, C_CATALOG, C__N };
static const char *const g_call_names[C__N] = {
	"SQLExecDirect", "SQLPrepare+SQLExecute", "SQLTables", "SQLColumns", "SQLNativeSql",
	"SQLSetCursorName+SQLGetCursorName", "SQLSetConnectAttr(CURRENT_CATALOG)",
};

static void run_call(SQLHDBC dbc, enum call c, int wide, int padded, const char *sql, struct res *r)
{
	struct padded p1, p2;
	SQLINTEGER l1, l2;
	SQLHSTMT st;
	SQLRETURN rc = SQL_ERROR;
	void *s1, *s2;

	memset(r, 0, sizeof(*r));
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	switch (c) {
	case C_EXEC:
		s1 = arg(&p1, wide, padded, sql, &l1);
		rc = wide ? SQLExecDirectW(st, s1, l1) : SQLExecDirect(st, s1, l1);
		fetch_first(st, rc, r);
		break;
	case C_PREPARE:
		s1 = arg(&p1, wide, padded, sql, &l1);
		rc = wide ? SQLPrepareW(st, s1, l1) : SQLPrepare(st, s1, l1);
		if (SQL_SUCCEEDED(rc))
			rc = SQLExecute(st);
		fetch_first(st, rc, r);
		break;
	case C_TABLES:
		s1 = arg(&p1, wide, padded, "cs_fixture", &l1);
		s2 = arg(&p2, wide, padded, "TABLE", &l2);
		rc = wide ? SQLTablesW(st, NULL, 0, NULL, 0, s1, (SQLSMALLINT)l1, s2, (SQLSMALLINT)l2)
			  : SQLTables(st, NULL, 0, NULL, 0, s1, (SQLSMALLINT)l1, s2, (SQLSMALLINT)l2);
		fetch_first(st, rc, r);
		break;
	case C_COLUMNS:
		s1 = arg(&p1, wide, padded, "cs_fixture", &l1);
		s2 = arg(&p2, wide, padded, "t%", &l2);
		rc = wide ? SQLColumnsW(st, NULL, 0, NULL, 0, s1, (SQLSMALLINT)l1, s2, (SQLSMALLINT)l2)
			  : SQLColumns(st, NULL, 0, NULL, 0, s1, (SQLSMALLINT)l1, s2, (SQLSMALLINT)l2);
		fetch_first(st, rc, r);
		break;
	case C_NATIVE: {
		SQLINTEGER outlen = 0;

		s1 = arg(&p1, wide, padded, "SELECT {fn UCASE('x')}", &l1);
		if (wide) {
			SQLWCHAR o[256] = { 0 };

			rc = SQLNativeSqlW(dbc, s1, l1, o, 256, &outlen);
			wto8(o, SQL_NTS, r->text, sizeof(r->text));
		} else {
			rc = SQLNativeSql(dbc, s1, l1, (SQLCHAR *)r->text, sizeof(r->text), &outlen);
		}
		r->rc = rc;
		snprintf(r->text + strlen(r->text), sizeof(r->text) - strlen(r->text), " [%ld]", (long)outlen);
		break;
	}
	case C_CURSOR: {
		SQLSMALLINT outlen = 0;

		s1 = arg(&p1, wide, padded, "cs_cursor_1", &l1);
		rc = wide ? SQLSetCursorNameW(st, s1, (SQLSMALLINT)l1) : SQLSetCursorName(st, s1, (SQLSMALLINT)l1);
		if (SQL_SUCCEEDED(rc) && wide) {
			SQLWCHAR o[64] = { 0 };

			rc = SQLGetCursorNameW(st, o, 64, &outlen);
			wto8(o, SQL_NTS, r->text, sizeof(r->text));
		} else if (SQL_SUCCEEDED(rc)) {
			rc = SQLGetCursorName(st, (SQLCHAR *)r->text, 64, &outlen);
		}
		r->rc = rc;
		break;
	}
	case C_CATALOG:
		/* Bytes in both variants; the padded length covers the junk. */
		s1 = arg(&p1, wide, padded, "cs_test", &l1);
		if (padded)
			l1 *= wide ? (SQLINTEGER)sizeof(SQLWCHAR) : 1;
		else
			l1 = SQL_NTS;
		rc = wide ? SQLSetConnectAttrW(dbc, SQL_ATTR_CURRENT_CATALOG, s1, l1)
			  : SQLSetConnectAttr(dbc, SQL_ATTR_CURRENT_CATALOG, s1, l1);
		r->rc = rc;
		break;
	case C__N:
		break;
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/*
 * One target through credshim: the connect forms with explicit lengths,
 * then every call with a padded buffer, compared with an oracle: the same
 * padded call made directly (the target reads the length its own way and
 * credshim passes it on), or, where credshim converts the string for the
 * target (direct == NULL; the driver manager's own conversion is no
 * oracle), the same call with SQL_NTS: a converted copy ends at the NUL.
 */
static void lengths_target(const char *label, const char *conn, const char *direct, const char *dsn,
			   const char *uid, const char *pwd, const char *sql, int wide)
{
	char out_nts[2048], out_pad[2048];
	struct padded pd, pu, pp;
	SQLINTEGER ld, lu, lp;
	SQLHDBC dbc, d2, od;
	SQLRETURN rc;
	struct res a, b;
	int c;

	printf("-- %s, %s\n", label, wide ? "W" : "A");
	dbc = open_dbc(wide, 0, conn, out_nts, sizeof(out_nts));
	d2 = open_dbc(wide, 1, conn, out_pad, sizeof(out_pad));
	od = direct ? open_dbc(wide, 0, direct, NULL, 0) : NULL;
	if (!dbc || !d2 || (direct && !od)) {
		close_dbc(dbc);
		close_dbc(d2);
		close_dbc(od);
		return;
	}
	result(1, "%s %s: SQLDriverConnect with a padded buffer as its length connects", label, wide ? "W" : "A");
	result(strcmp(out_nts, out_pad) == 0, "%s %s: the same output string either way", label, wide ? "W" : "A");
	close_dbc(d2);

	if (dsn) {
		SQLAllocHandle(SQL_HANDLE_DBC, g_env, &d2);
		arg(&pd, wide, 1, dsn, &ld);
		ld = SQL_MAX_DSN_LENGTH;	/* the driver manager's limit */
		arg(&pu, wide, 1, uid ? uid : "", &lu);
		arg(&pp, wide, 1, pwd ? pwd : "", &lp);
		rc = wide ? SQLConnectW(d2, pd.w, (SQLSMALLINT)ld, uid ? pu.w : NULL, uid ? (SQLSMALLINT)lu : 0,
					pwd ? pp.w : NULL, pwd ? (SQLSMALLINT)lp : 0)
			  : SQLConnect(d2, pd.a, (SQLSMALLINT)ld, uid ? pu.a : NULL, uid ? (SQLSMALLINT)lu : 0,
				       pwd ? pp.a : NULL, pwd ? (SQLSMALLINT)lp : 0);
		result(SQL_SUCCEEDED(rc), "%s %s: SQLConnect with padded DSN, UID and PWD lengths: %s", label,
		      wide ? "W" : "A", SQL_SUCCEEDED(rc) ? "connected" : diag(SQL_HANDLE_DBC, d2));
		close_dbc(d2);
	}

	for (c = 0; c < C__N; c++) {
		run_call(od ? od : dbc, (enum call)c, wide, od != NULL, sql, &a);
		run_call(dbc, (enum call)c, wide, 1, sql, &b);
		if (!result(a.rc == b.rc && strcmp(a.text, b.text) == 0, "%s %s: %s padded = %s (rc %d, \"%s\")",
			   label, wide ? "W" : "A", g_call_names[c], od ? "padded directly" : "SQL_NTS", (int)a.rc,
			   a.text))
			printf("    through credshim: rc %d, \"%s\"\n", (int)b.rc, b.text);
	}
	close_dbc(dbc);
	close_dbc(od);
}

static void test_lengths(void)
{
	char fake[1024], fake_direct[1024];
	int wide;

	snprintf(fake, sizeof(fake), "DRIVER={credshim};TargetDriver=%s", g_fake);
	snprintf(fake_direct, sizeof(fake_direct), "DRIVER=%s", g_fake);
	for (wide = 0; wide <= 1; wide++) {
		/* psqlodbcw has both variants: never converted. */
		lengths_target("cs_pg_w", "DSN=cs_pg_w", "DSN=pg_w", "cs_pg_w", "cs_user", "cs pw;{x}=1",
			       "SELECT 'abc'", wide);
		/* ANSI-only targets: W calls converted. */
		lengths_target("cs_pg_a", "DSN=cs_pg_a", wide ? NULL : "DSN=pg_a", "cs_pg_a", "cs_user",
			       "cs pw;{x}=1", "SELECT 'abc'", wide);
		lengths_target("cs_sqlite", "DSN=cs_sqlite", wide ? NULL : "DSN=sqlite", "cs_sqlite", NULL, NULL,
			       "SELECT 'abc'", wide);
		/* W-only target: ANSI calls converted. */
		lengths_target("fake W-only", fake, wide ? fake_direct : NULL, NULL, NULL, NULL, "SELECT abc", wide);
	}
}

/* ---- item 2: what the target sees ---------------------------------------- */

static void expect_target_string(const char *what, const char *conn, const char *want)
{
	char got[4096];
	SQLHDBC dbc = open_dbc(0, 0, conn, NULL, 0);

	if (!dbc)
		return;
	info_str(dbc, FK_INFO_CONNSTR, got, sizeof(got));
	if (!result(strcmp(got, want) == 0, "%s", what))
		printf("    target got:  %s\n    expected:    %s\n", got, want);
	close_dbc(dbc);
}

static void test_duplicates(void)
{
	char conn[2048], want[2048], *port = getenv("CS_PG_PORT");
	SQLHDBC dbc;

	snprintf(conn, sizeof(conn),
		 "DRIVER={credshim};TargetDriver=%s;Opt=1;OPT=2;opt={3;x};UID=u;USER=v;PWD={a+b%%41};PASSWORD=q;"
		 "ShimLogLevel=warn;TargetDriver=/nonexistent/driver.so;shimloglevel=bogus", g_fake);
	snprintf(want, sizeof(want), "Opt=1;OPT=2;opt={3;x};UID=u;USER=v;PWD={a+b%%41};PASSWORD=q");
	expect_target_string("pass-through: every key credshim does not own reaches the target as written, "
			     "repeated keys included, in order, braced where they were; credshim's keys first-wins and removed", conn,
			     want);

	/* A real target applies its own rule: psqlODBC takes the last Port. */
	if (!result(port != NULL, "CS_PG_PORT is set"))
		return;
	snprintf(conn, sizeof(conn), "DSN=cs_pg_w;Port=1;PORT=%s", port);
	dbc = open_dbc(0, 0, conn, NULL, 0);
	result(dbc != NULL, "psqlODBC through credshim: Port=1;PORT=<server> connects, as it does directly");
	close_dbc(dbc);
	snprintf(conn, sizeof(conn), "DSN=pg_w;Port=1;PORT=%s", port);
	dbc = open_dbc(0, 0, conn, NULL, 0);
	result(dbc != NULL, "psqlODBC directly: Port=1;PORT=<server> connects (the oracle of the check above)");
	close_dbc(dbc);
}

/* ---- item 5: SQLBindParam ------------------------------------------------ */

static void bindparam_lastbind(const char *conn, char *out, size_t cap)
{
	SQLHDBC dbc = open_dbc(0, 0, conn, NULL, 0);
	SQLHSTMT st;
	SQLINTEGER v = 7;
	SQLLEN ind = 0;
	SQLRETURN rc;

	out[0] = 0;
	if (!dbc)
		return;
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	rc = SQLBindParam(st, 1, SQL_C_LONG, SQL_INTEGER, 10, 0, &v, &ind);
	if (!SQL_SUCCEEDED(rc))
		snprintf(out, cap, "SQLBindParam failed: %s", diag(SQL_HANDLE_STMT, st));
	else
		info_str(dbc, FK_INFO_LASTBIND, out, cap);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	close_dbc(dbc);
}

static void test_bindparam(void)
{
	char conn[1024], direct[512], via[512];
	SQLHDBC dbc;
	SQLHSTMT st;
	SQLINTEGER v = 7;
	SQLLEN ind = 0;
	struct res r;

	snprintf(conn, sizeof(conn), "DRIVER=%s", g_fake);
	bindparam_lastbind(conn, direct, sizeof(direct));
	snprintf(conn, sizeof(conn), "DRIVER={credshim};TargetDriver=%s", g_fake);
	bindparam_lastbind(conn, via, sizeof(via));
	result(strncmp(direct, "ipar=1 io=1 ", 12) == 0,
	      "directly, the driver manager maps SQLBindParam to SQLBindParameter: %s", direct);
	result(strcmp(direct, via) == 0, "through credshim, SQLBindParam on a target without it maps the same way: %s",
	      via);

	/* A target with its own SQLBindParam still gets it. */
	dbc = open_dbc(0, 0, "DSN=cs_pg_w", NULL, 0);
	if (!dbc)
		return;
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	result(SQL_SUCCEEDED(SQLBindParam(st, 1, SQL_C_LONG, SQL_INTEGER, 10, 0, &v, &ind)),
	      "psqlODBC: SQLBindParam through credshim");
	fetch_first(st, SQLExecDirect(st, (SQLCHAR *)"SELECT ? + 1", SQL_NTS), &r);
	result(strcmp(r.text, "8 [1 rows]") == 0, "psqlODBC: SELECT ? + 1 with 7 bound gives \"%s\"", r.text);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	close_dbc(dbc);
}

/* ---- item 6: the output connection string -------------------------------- */

static void test_output(void)
{
	char conn[1024], out[2048], want[2048];
	SQLHDBC dbc;
	int wide;

	for (wide = 0; wide <= 1; wide++) {
		snprintf(conn, sizeof(conn), "DRIVER={credshim};TargetDriver=%s;ShimLogLevel=warn;A=1;UID=u;PWD=p;", g_fake);
		dbc = open_dbc(wide, 0, conn, out, sizeof(out));
		close_dbc(dbc);
		snprintf(want, sizeof(want), "DRIVER={credshim};TargetDriver=%s;ShimLogLevel=warn;A=1;UID=u;PWD=p", g_fake);
		if (!result(strcmp(out, want) == 0, "%s: output string = credshim's keys + the target's completed "
			   "string (pass-through keeps the UID and PWD the target returns)", wide ? "W" : "A"))
			printf("    got:      %s\n    expected: %s\n", out, want);
		dbc = open_dbc(wide, 0, out, NULL, 0);
		result(dbc != NULL, "%s: the output string connects again", wide ? "W" : "A");
		close_dbc(dbc);
	}

	/* psqlODBC completes the string with every setting it used; the
	 * oracle: its own output string connects again directly. */
	dbc = open_dbc(0, 0, "DSN=pg_w", out, sizeof(out));
	close_dbc(dbc);
	dbc = open_dbc(0, 0, out, NULL, 0);
	result(dbc != NULL, "psqlODBC directly: its output string connects again: %s", out);
	close_dbc(dbc);
	dbc = open_dbc(0, 0, "DSN=cs_pg_w", out, sizeof(out));
	close_dbc(dbc);
	result(strncmp(out, "DSN=cs_pg_w;", 12) == 0 && strstr(out, "DATABASE=cs_test") &&
	      !strstr(out, "DRIVER=") && !strstr(out, "DSN=cs_pg_w;DSN"),
	      "psqlODBC: DSN=cs_pg_w, then psqlODBC's completed string without its own DSN/DRIVER: %s", out);
	dbc = open_dbc(0, 0, out, NULL, 0);
	result(dbc != NULL, "psqlODBC: the output string connects again through credshim");
	close_dbc(dbc);
	dbc = open_dbc(0, 0, "DSN=cs_pg_tdsn", out, sizeof(out));
	close_dbc(dbc);
	result(strncmp(out, "DSN=cs_pg_tdsn;", 15) == 0 && !strstr(out, "DSN=pg_w"),
	      "TargetDSN: the target's DSN=pg_w is not given back as the application's DSN: %s", out);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FAKE_DRIVER_PATH\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_fake = argv[1];
	SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &g_env);
	SQLSetEnvAttr(g_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	test_lengths();
	test_duplicates();
	test_bindparam();
	test_output();
	SQLFreeHandle(SQL_HANDLE_ENV, g_env);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
