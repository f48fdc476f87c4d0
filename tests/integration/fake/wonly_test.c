/* SPDX-License-Identifier: MIT */
/*
 * wonly_test.c - an ANSI application in front of a target that has only
 * W functions (wonly_driver.c): credshim converts every string from the
 * application's UTF-8 to the target's UTF-16 and back (driver/api/wconv.c
 * with wide = 0, attr_api.c, info_api.c, diag_api.c, core/connect.c).
 *
 * The same script of ANSI calls runs twice: through the driver manager
 * (what an application sees) and straight into libcredshim.so, because
 * unixODBC reads a driver's diagnostics through its W functions when it
 * has them and converts them itself; only the direct run reaches
 * credshim's ANSI diagnostic conversion for errors.  Every output string
 * is read with a large buffer, a NULL buffer and every buffer too small
 * for it: the result must be SQL_SUCCESS_WITH_INFO with 01004 (not for the
 * diagnostic functions, which post nothing), the full length in bytes of
 * UTF-8 and a NUL-terminated prefix that never splits a UTF-8 sequence,
 * nothing written past the buffer.
 *
 * Prints one PASS or FAIL line per check and "N passed, M failed" at the
 * end; the exit status is 0 only when nothing failed.
 *
 *   wonly_test <fake driver .so> [<libcredshim.so>]
 *
 * Needs ODBCSYSINI/ODBCINI from tests/run.sh (DRIVER={credshim}).
 */
#include <dlfcn.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "../tcheck.h"
#include "../twide.h"

/* The fake's driver-specific SQLGetInfo types (wonly_driver.c). */
#define FK_INFO_CONNSTR  20000
#define FK_INFO_CONNKEYS 20001

#define BUF   2048 /* bytes in an output buffer */
#define GUARD 0xA5 /* fills it before each call */


/* ---- the entry points: the driver manager's, or credshim's own ---- */

#define API_FUNCS(X)                                                                             \
	X(AllocHandle, (SQLSMALLINT, SQLHANDLE, SQLHANDLE *))                                    \
	X(FreeHandle, (SQLSMALLINT, SQLHANDLE))                                                  \
	X(SetEnvAttr, (SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER))                             \
	X(DriverConnect, (SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT,      \
			  SQLSMALLINT *, SQLUSMALLINT))                                          \
	X(Disconnect, (SQLHDBC))                                                                 \
	X(GetFunctions, (SQLHDBC, SQLUSMALLINT, SQLUSMALLINT *))                                  \
	X(GetInfo, (SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *))              \
	X(SetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER))                         \
	X(GetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *))           \
	X(NativeSql, (SQLHDBC, SQLCHAR *, SQLINTEGER, SQLCHAR *, SQLINTEGER, SQLINTEGER *))      \
	X(ExecDirect, (SQLHSTMT, SQLCHAR *, SQLINTEGER))                                         \
	X(Prepare, (SQLHSTMT, SQLCHAR *, SQLINTEGER))                                            \
	X(Execute, (SQLHSTMT))                                                                   \
	X(FreeStmt, (SQLHSTMT, SQLUSMALLINT))                                                    \
	X(NumResultCols, (SQLHSTMT, SQLSMALLINT *))                                              \
	X(Fetch, (SQLHSTMT))                                                                     \
	X(GetData, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *))          \
	X(DescribeCol, (SQLHSTMT, SQLUSMALLINT, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *,           \
			SQLSMALLINT *, SQLULEN *, SQLSMALLINT *, SQLSMALLINT *))                 \
	X(ColAttribute, (SQLHSTMT, SQLUSMALLINT, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT,          \
			 SQLSMALLINT *, SQLLEN *))                                               \
	X(Tables, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *,          \
		   SQLSMALLINT, SQLCHAR *, SQLSMALLINT))                                         \
	X(Columns, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *,         \
		    SQLSMALLINT, SQLCHAR *, SQLSMALLINT))                                        \
	X(SetCursorName, (SQLHSTMT, SQLCHAR *, SQLSMALLINT))                                     \
	X(GetCursorName, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *))                      \
	X(GetDiagRec, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *, SQLCHAR *,  \
		       SQLSMALLINT, SQLSMALLINT *))                                              \
	X(GetDiagField, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLSMALLINT, SQLPOINTER,           \
			 SQLSMALLINT, SQLSMALLINT *))                                            \
	X(Error, (SQLHENV, SQLHDBC, SQLHSTMT, SQLCHAR *, SQLINTEGER *, SQLCHAR *, SQLSMALLINT,    \
		  SQLSMALLINT *))

struct api {
	const char *name;
	int dm; /* through the driver manager */
#define X(n, p) SQLRETURN (SQL_API *n) p;
	API_FUNCS(X)
#undef X
};

static const struct api dm_api = {
	"dm", 1,
#define X(n, p) SQL##n,
	API_FUNCS(X)
#undef X
};

static int api_load(struct api *a, const char *path)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		fprintf(stderr, "wonly_test: %s\n", dlerror());
		return -1;
	}
	a->name = "direct";
	a->dm = 0;
#define X(n, p)                                                                  \
	if (!(a->n = (SQLRETURN (SQL_API *) p)dlsym(lib, "SQL" #n))) {           \
		fprintf(stderr, "wonly_test: %s has no SQL%s\n", path, #n);      \
		return -1;                                                       \
	}
	API_FUNCS(X)
#undef X
	return 0;
}

/* ---- UTF-16 of the test's own (twide.h) ---- */

/* Whether the UTF-16 in buf (nbytes long) is exactly the UTF-8 s. */
static int w_equals(const void *buf, size_t nbytes, const char *s)
{
	SQLWCHAR w[BUF];
	size_t n = tw_from_u8(s, strlen(s), w, BUF);

	return nbytes == n * sizeof(SQLWCHAR) && memcmp(buf, w, nbytes) == 0 &&
	       ((const SQLWCHAR *)buf)[n] == 0;
}

/* For messages: UTF-16 shown as hex units. */
static const char *w_hex(const void *buf, size_t nbytes)
{
	static char out[BUF * 3];
	const SQLWCHAR *w = buf;
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; i < nbytes / sizeof(SQLWCHAR) && k + 6 < sizeof(out); i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%04x ", w[i]);
	return out;
}

/* ---- one run of the script ---- */

/*
 * Whether a diagnostic text is msg.  Through the driver manager, texts
 * unixODBC 2.3.11 converts by itself (SQLError, the records of a failed
 * connect) lose their non-ASCII characters with or without credshim: there
 * only the ASCII start is checked, and the text shown in a NOTE.
 */
static int text_is(const char *what, int dm, const char *got, const char *msg)
{
	size_t k = 0;

	if (strcmp(got, msg) == 0)
		return 1;
	while (msg[k] && !((unsigned char)msg[k] & 0x80))
		k++;
	if (!dm || strncmp(got, msg, k) != 0)
		return 0;
	printf("NOTE [%s] %s: the driver manager converts this text itself: \"", g_tag, what);
	for (; *got; got++) {
		unsigned char b = (unsigned char)*got;

		printf(b < 0x20 || b >= 0x80 ? "\\x%02x" : "%c", b);
	}
	printf("\"\n");
	return 1;
}

struct ctx {
	const struct api *a;
	SQLHENV env;
	SQLHDBC dbc;
	SQLHSTMT stmt;
};

static SQLHANDLE ctx_handle(const struct ctx *c, SQLSMALLINT type)
{
	return type == SQL_HANDLE_STMT ? c->stmt : type == SQL_HANDLE_DBC ? c->dbc : c->env;
}

/* Whether handle h has a record with SQLSTATE state (any position). */
static int has_state(const struct ctx *c, SQLSMALLINT type, const char *state)
{
	SQLCHAR st[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT i, len;

	for (i = 1; i < 10; i++) {
		if (!SQL_SUCCEEDED(c->a->GetDiagRec(type, ctx_handle(c, type), i, st, &native, msg,
						    sizeof(msg), &len)))
			return 0;
		if (strcmp((char *)st, state) == 0)
			return 1;
	}
	return 0;
}

static void show_diag(const struct ctx *c, SQLSMALLINT type)
{
	SQLCHAR st[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT i, len;

	for (i = 1; i < 10; i++) {
		if (!SQL_SUCCEEDED(c->a->GetDiagRec(type, ctx_handle(c, type), i, st, &native, msg,
						    sizeof(msg), &len)))
			return;
		note("diagnostic %d: %s %d %s", i, st, (int)native, msg);
	}
}

/*
 * An ANSI output string: call writes into buf (buflen bytes, buf may be
 * NULL) and stores the reported length in *len.
 */
typedef SQLRETURN (*out_call)(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len);

/* Checks one result of an output-string call; 0 when right, else 1 with
 * a note. */
static int out_one(struct ctx *c, const char *what, const unsigned char *buf, SQLLEN buflen, SQLRETURN rc,
		   SQLLEN len, const char *full, SQLSMALLINT htype, int posts)
{
	size_t n = strlen(full), k, i;
	int big = !buf || (size_t)buflen > n;

	if (rc != (big ? SQL_SUCCESS : SQL_SUCCESS_WITH_INFO) || len != (SQLLEN)n) {
		note("%s, buffer %ld: rc %d length %ld, expected rc %d length %zu", what, (long)buflen, rc,
		     (long)len, big ? SQL_SUCCESS : SQL_SUCCESS_WITH_INFO, n);
		if (!SQL_SUCCEEDED(rc))
			show_diag(c, htype);
		return 1;
	}
	if (!buf)
		return 0;
	for (i = (size_t)buflen; i < BUF; i++) {
		if (buf[i] != GUARD) {
			note("%s, buffer %ld: byte %zu past the buffer written", what, (long)buflen, i);
			return 1;
		}
	}
	if (buflen == 0)
		return 0;
	k = n < (size_t)buflen ? n : (size_t)buflen - 1;
	while (k > 0 && k < n && ((unsigned char)full[k] & 0xC0) == 0x80)
		k--;
	if (memchr(buf, '\0', (size_t)buflen) == NULL || strlen((const char *)buf) != k ||
	    memcmp(buf, full, k) != 0) {
		note("%s, buffer %ld: got \"%.*s\", expected \"%.*s\"", what, (long)buflen, (int)buflen, buf,
		     (int)k, full);
		return 1;
	}
	if (!big && posts && !has_state(c, htype, "01004")) {
		note("%s, buffer %ld: no 01004", what, (long)buflen);
		show_diag(c, htype);
		return 1;
	}
	return 0;
}

/*
 * Reads an output string with a large buffer, a NULL buffer and buffers
 * of every size too small (some of them for a long string).  posts: the
 * function posts 01004 on htype's handle when it truncates.
 */
static void check_out(struct ctx *c, const char *what, out_call call, void *arg, const char *full,
		      SQLSMALLINT htype, int posts)
{
	static unsigned char buf[BUF];
	size_t n = strlen(full);
	SQLLEN sizes[64];
	size_t nsizes = 0, i;
	int bad = 0;
	SQLRETURN rc;
	SQLLEN len;

	sizes[nsizes++] = BUF - 1;
	if (n < 40) {
		for (i = 0; i <= n; i++)
			sizes[nsizes++] = (SQLLEN)i;
	} else {
		const SQLLEN some[] = {0, 1, 2, 3, 7, 20, (SQLLEN)n / 2, (SQLLEN)n - 1, (SQLLEN)n};

		for (i = 0; i < sizeof(some) / sizeof(some[0]); i++)
			sizes[nsizes++] = some[i];
	}
	len = -999;
	rc = call(c, arg, NULL, 0, &len);
	bad |= out_one(c, what, NULL, 0, rc, len, full, htype, posts);
	for (i = 0; i < nsizes; i++) {
		memset(buf, GUARD, sizeof(buf));
		len = -999;
		rc = call(c, arg, buf, sizes[i], &len);
		bad |= out_one(c, what, buf, sizes[i], rc, len, full, htype, posts);
	}
	result(!bad, "%s: \"%s\" (%zu bytes) whole, with no buffer and truncated%s", what,
	       n < 60 ? full : "<long>", n, posts ? " with 01004" : "");
}

/* ---- the output-string calls ---- */

static SQLRETURN call_describe(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT n = -999, type, digits, nullable;
	SQLULEN size;
	SQLRETURN rc = c->a->DescribeCol(c->stmt, 1, buf, (SQLSMALLINT)buflen, &n, &type, &size, &digits,
					 &nullable);

	*len = n;
	return rc;
}

static SQLRETURN call_colattr(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT n = -999;
	SQLRETURN rc = c->a->ColAttribute(c->stmt, 1, *(SQLUSMALLINT *)arg, buf, (SQLSMALLINT)buflen, &n, NULL);

	*len = n;
	return rc;
}

static SQLRETURN call_getinfo(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT n = -999;
	SQLRETURN rc = c->a->GetInfo(c->dbc, *(SQLUSMALLINT *)arg, buf, (SQLSMALLINT)buflen, &n);

	*len = n;
	return rc;
}

static SQLRETURN call_catalog(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLINTEGER n = -999;
	SQLRETURN rc = c->a->GetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, buf, (SQLINTEGER)buflen, &n);

	*len = n;
	return rc;
}

static SQLRETURN call_native(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLINTEGER n = -999;
	SQLRETURN rc = c->a->NativeSql(c->dbc, arg, SQL_NTS, buf, (SQLINTEGER)buflen, &n);

	*len = n;
	return rc;
}

static SQLRETURN call_cursor(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT n = -999;
	SQLRETURN rc = c->a->GetCursorName(c->stmt, buf, (SQLSMALLINT)buflen, &n);

	*len = n;
	return rc;
}

static SQLRETURN call_diagrec(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLCHAR state[6];
	SQLINTEGER native;
	SQLSMALLINT n = -999;
	SQLRETURN rc = c->a->GetDiagRec(SQL_HANDLE_STMT, c->stmt, 1, state, &native, buf, (SQLSMALLINT)buflen,
					&n);

	*len = n;
	return rc;
}

static SQLRETURN call_diagfield(struct ctx *c, void *arg, SQLCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT n = -999;
	SQLRETURN rc = c->a->GetDiagField(SQL_HANDLE_STMT, c->stmt, 1, *(SQLSMALLINT *)arg, buf,
					  (SQLSMALLINT)buflen, &n);

	*len = n;
	return rc;
}

/* ---- the script ---- */

#define GRUSS "Grüße ✓ 𝄞" /* 2-, 3- and 4-byte UTF-8, a surrogate pair in UTF-16 */
#define FAIL_MSG "[fake]bad Grüße ✓ 𝄞 - this statement was asked to fail"
#define WARN_MSG "[fake]warning Grüße ✓ 𝄞 - this statement was asked to warn"
#define REFUSED_MSG "[fake]login refused: Grüße ✓ 𝄞"

/* The fake must really lack the ANSI functions, or this test proves
 * nothing. */
static void check_fake(const char *path)
{
	static const char *const ansi[] = {"SQLDriverConnect", "SQLExecDirect", "SQLPrepare", "SQLDescribeCol",
					   "SQLColAttribute", "SQLGetInfo", "SQLGetDiagRec", "SQLGetDiagField",
					   "SQLTables", "SQLGetConnectAttr", "SQLSetConnectAttr", "SQLNativeSql",
					   "SQLGetCursorName", "SQLSetCursorName", "SQLError", "SQLConnect"};
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	size_t i;
	int ok;

	g_tag = "fake";
	if (!lib) {
		result(0, "dlopen %s: %s", path, dlerror());
		return;
	}
	ok = dlsym(lib, "SQLDriverConnectW") && dlsym(lib, "SQLGetDiagRecW");
	for (i = 0; i < sizeof(ansi) / sizeof(ansi[0]); i++) {
		if (dlsym(lib, ansi[i])) {
			note("the fake driver exports %s", ansi[i]);
			ok = 0;
		}
	}
	result(ok, "the fake driver has the W functions and none of their ANSI variants");
	dlclose(lib);
}

static int connect_fake(struct ctx *c, const char *fake)
{
	char conn[1024], refused[1100], out[1024];
	SQLCHAR st[6];
	SQLINTEGER native = 0, catlen = -999;
	SQLSMALLINT outlen = -999;
	int text_ok;
	SQLRETURN rc;

	snprintf(conn, sizeof(conn), "DRIVER={credshim};TargetDriver=%s;Extra={a;b}}c};Name=Grüße", fake);
	c->a->AllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env);
	c->a->SetEnvAttr(c->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	c->a->AllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc);

	/* Stored by credshim, given to the target (converted) before its
	 * connect. */
	rc = c->a->SetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, (SQLPOINTER) "Kätalog vor 𝄞", SQL_NTS);
	result(rc == SQL_SUCCESS, "SQLSetConnectAttr(CURRENT_CATALOG) before connect: rc %d", rc);

	memset(out, 0, sizeof(out));
	rc = c->a->GetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, out, sizeof(out), &catlen);
	result(rc == SQL_SUCCESS && strcmp(out, "Kätalog vor 𝄞") == 0 && catlen == 17,
	       "SQLGetConnectAttr(CURRENT_CATALOG) before connect answers it: rc %d \"%s\" %d", rc, out,
	       (int)catlen);

	/* The fake refuses: its record, read through its W function when
	 * credshim frees the target connection, reaches the application. */
	snprintf(refused, sizeof(refused), "%s;Refuse=yes", conn);
	rc = c->a->DriverConnect(c->dbc, NULL, (SQLCHAR *)refused, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	memset(st, 0, sizeof(st));
	memset(out, 0, sizeof(out));
	c->a->GetDiagRec(SQL_HANDLE_DBC, c->dbc, 1, st, &native, (SQLCHAR *)out, sizeof(out), &outlen);
	/* unixODBC reads these records with the driver's SQLError and
	 * widens them byte by byte (SQLDriverConnect.c) */
	text_ok = text_is("a refused connect", c->a->dm, out, REFUSED_MSG) &&
		  outlen == (SQLSMALLINT)strlen(out);
	result(rc == SQL_ERROR && strcmp((char *)st, "28000") == 0 && native == 9 && text_ok,
	       "a connect the fake refuses: rc %d %s %d \"%s\" %d bytes", rc, st, (int)native, out, outlen);

	rc = c->a->DriverConnect(c->dbc, NULL, (SQLCHAR *)conn, SQL_NTS, (SQLCHAR *)out, sizeof(out), &outlen,
				 SQL_DRIVER_NOPROMPT);
	result(rc == SQL_SUCCESS, "SQLDriverConnect to the W-only fake: rc %d", rc);
	if (!SQL_SUCCEEDED(rc)) {
		show_diag(c, SQL_HANDLE_DBC);
		return -1;
	}
	result(outlen == (SQLSMALLINT)strlen(out) && strstr(out, "Name=Grüße") != NULL,
	       "output connection string in UTF-8, length in bytes: %d \"%s\"", outlen, out);
	return 0;
}

/* What the fake was given: the keys credshim passes on, values intact. */
static void check_received(struct ctx *c)
{
	static const char keys[] = "Extra=a;b}c\nName=Grüße\n";
	SQLWCHAR w[BUF];
	SQLSMALLINT len = -999;
	SQLRETURN rc;

	memset(w, 0, sizeof(w));
	rc = c->a->GetInfo(c->dbc, FK_INFO_CONNSTR, w, sizeof(w) - 2, &len);
	/* A driver-specific type is not known to be a string: it passes
	 * through as the target wrote it, UTF-16. */
	result(SQL_SUCCEEDED(rc) && len > 0 && w_equals(w, (size_t)len, "Extra={a;b}}c};Name=Grüße"),
	       "the fake received the connection string Extra={a;b}}c};Name=Grüße in UTF-16");
	if (!SQL_SUCCEEDED(rc) || !w_equals(w, (size_t)len, "Extra={a;b}}c};Name=Grüße"))
		note("rc %d, %d bytes: %s", rc, len, w_hex(w, len > 0 ? (size_t)len : 0));
	memset(w, 0, sizeof(w));
	rc = c->a->GetInfo(c->dbc, FK_INFO_CONNKEYS, w, sizeof(w) - 2, &len);
	result(SQL_SUCCEEDED(rc) && len > 0 && w_equals(w, (size_t)len, keys),
	       "as parsed by the fake: Extra=a;b}c, Name=Grüße (with ü and ß as UTF-16), no other key");
}

static void check_functions(struct ctx *c)
{
	static const SQLUSMALLINT yes[] = {SQL_API_SQLEXECDIRECT, SQL_API_SQLPREPARE, SQL_API_SQLDESCRIBECOL,
					   SQL_API_SQLCOLATTRIBUTE, SQL_API_SQLGETINFO, SQL_API_SQLTABLES,
					   SQL_API_SQLNATIVESQL, SQL_API_SQLGETCURSORNAME,
					   SQL_API_SQLSETCURSORNAME, SQL_API_SQLGETCONNECTATTR,
					   SQL_API_SQLSETCONNECTATTR, SQL_API_SQLGETDIAGREC,
					   SQL_API_SQLGETDIAGFIELD, SQL_API_SQLGETDATA, SQL_API_SQLFETCH};
	static const SQLUSMALLINT no[] = {SQL_API_SQLCOLUMNS, SQL_API_SQLBINDCOL, SQL_API_SQLGETSTMTATTR,
					  SQL_API_SQLPRIMARYKEYS, SQL_API_SQLGETDESCFIELD};
	SQLUSMALLINT all[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE], one;
	size_t i;
	int ok = 1;
	SQLRETURN rc;

	rc = c->a->GetFunctions(c->dbc, SQL_API_ODBC3_ALL_FUNCTIONS, all);
	ok = SQL_SUCCEEDED(rc);
	for (i = 0; ok && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!SQL_FUNC_EXISTS(all, yes[i]) || !SQL_SUCCEEDED(c->a->GetFunctions(c->dbc, yes[i], &one)) ||
		    one != SQL_TRUE) {
			note("function %u reported missing", yes[i]);
			ok = 0;
		}
	}
	for (i = 0; ok && i < sizeof(no) / sizeof(no[0]); i++) {
		if (SQL_FUNC_EXISTS(all, no[i]) || !SQL_SUCCEEDED(c->a->GetFunctions(c->dbc, no[i], &one)) ||
		    one != SQL_FALSE) {
			note("function %u reported present", no[i]);
			ok = 0;
		}
	}
	result(ok, "SQLGetFunctions reports what the fake has in either variant, and not what it lacks");
}

static void check_info(struct ctx *c)
{
	SQLUSMALLINT type = SQL_DBMS_NAME, us = 99;
	SQLUINTEGER ui = 0;
	SQLSMALLINT len = -999;
	char s[64];
	SQLRETURN rc;

	check_out(c, "SQLGetInfo(SQL_DBMS_NAME)", call_getinfo, &type, "Fäke DB 𝄞", SQL_HANDLE_DBC, 1);
	type = SQL_DRIVER_ODBC_VER;
	check_out(c, "SQLGetInfo(SQL_DRIVER_ODBC_VER)", call_getinfo, &type, "03.80", SQL_HANDLE_DBC, 1);
	rc = c->a->GetInfo(c->dbc, SQL_MAX_CONCURRENT_ACTIVITIES, &us, sizeof(us), &len);
	result(rc == SQL_SUCCESS && us == 0 && len == sizeof(us),
	       "SQLGetInfo(SQL_MAX_CONCURRENT_ACTIVITIES) is a SQLUSMALLINT 0: rc %d value %u length %d", rc,
	       us, len);
	rc = c->a->GetInfo(c->dbc, SQL_GETDATA_EXTENSIONS, &ui, sizeof(ui), &len);
	result(rc == SQL_SUCCESS && ui == (SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER) && len == sizeof(ui),
	       "SQLGetInfo(SQL_GETDATA_EXTENSIONS) is a SQLUINTEGER: rc %d value %u length %d", rc,
	       (unsigned)ui, len);
	rc = c->a->GetInfo(c->dbc, SQL_DATA_SOURCE_NAME, s, sizeof(s), &len);
	result(rc == SQL_SUCCESS && len == 0 && s[0] == '\0',
	       "SQLGetInfo(SQL_DATA_SOURCE_NAME) of a DSN-less connection is empty: rc %d length %d", rc, len);
}

static void check_catalog(struct ctx *c)
{
	char longcat[400];
	size_t i;
	SQLRETURN rc;

	check_out(c, "SQLGetConnectAttr(CURRENT_CATALOG) set before connect", call_catalog, NULL,
		  "Kätalog vor 𝄞", SQL_HANDLE_DBC, 1);
	/* an explicit length in bytes: the rest of the buffer is not part
	 * of the value */
	rc = c->a->SetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, (SQLPOINTER) "Cätalog 𝄞 nachXXX",
				  (SQLINTEGER)strlen("Cätalog 𝄞 nach"));
	result(rc == SQL_SUCCESS, "SQLSetConnectAttr(CURRENT_CATALOG) after connect, length in bytes: rc %d",
	       rc);
	check_out(c, "SQLGetConnectAttr(CURRENT_CATALOG)", call_catalog, NULL, "Cätalog 𝄞 nach",
		  SQL_HANDLE_DBC, 1);
	/* longer than any buffer credshim starts with */
	snprintf(longcat, sizeof(longcat), "Läng ");
	for (i = strlen(longcat); i < 300; i++)
		longcat[i] = (char)('a' + i % 26);
	longcat[i] = '\0';
	rc = c->a->SetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, longcat, SQL_NTS);
	result(rc == SQL_SUCCESS, "SQLSetConnectAttr(CURRENT_CATALOG) with %zu bytes: rc %d", strlen(longcat),
	       rc);
	check_out(c, "SQLGetConnectAttr(CURRENT_CATALOG) long", call_catalog, NULL, longcat, SQL_HANDLE_DBC, 1);
	c->a->SetConnectAttr(c->dbc, SQL_ATTR_CURRENT_CATALOG, (SQLPOINTER) "main", SQL_NTS);
}

static void check_native(struct ctx *c)
{
	char text[] = "SELECT ✓ {fn UCASE('𝄞')}";

	check_out(c, "SQLNativeSql", call_native, text, "NATIVE SELECT ✓ {fn UCASE('𝄞')}", SQL_HANDLE_DBC, 1);
}

/* One SQL_C_CHAR column read whole, then the end of its data. */
static void check_getdata_char(struct ctx *c, SQLUSMALLINT col, const char *expect, const char *what)
{
	char buf[256];
	SQLLEN ind = -999;
	SQLRETURN rc;

	memset(buf, 0, sizeof(buf));
	rc = c->a->GetData(c->stmt, col, SQL_C_CHAR, buf, sizeof(buf), &ind);
	if (!expect) {
		result(rc == SQL_SUCCESS && ind == SQL_NULL_DATA, "SQLGetData(%s) is NULL: rc %d indicator %ld",
		       what, rc, (long)ind);
		return;
	}
	result(rc == SQL_SUCCESS && ind == (SQLLEN)strlen(expect) && strcmp(buf, expect) == 0,
	       "SQLGetData(%s, SQL_C_CHAR) = \"%s\" (%zu bytes): rc %d \"%s\" indicator %ld", what, expect,
	       strlen(expect), rc, buf, (long)ind);
}

static void check_select(struct ctx *c)
{
	static const char query[] = "SELECT " GRUSS;
	SQLUSMALLINT field = SQL_DESC_NAME;
	SQLWCHAR w[64];
	SQLSMALLINT ncols = -1;
	SQLLEN ind = -999, octets = -1;
	char buf[64];
	int ok;
	SQLRETURN rc;

	rc = c->a->ExecDirect(c->stmt, (SQLCHAR *)query, SQL_NTS);
	result(rc == SQL_SUCCESS, "SQLExecDirect(\"%s\", SQL_NTS): rc %d", query, rc);
	if (!SQL_SUCCEEDED(rc)) {
		show_diag(c, SQL_HANDLE_STMT);
		return;
	}
	rc = c->a->NumResultCols(c->stmt, &ncols);
	result(rc == SQL_SUCCESS && ncols == 1, "one result column: %d", ncols);
	check_out(c, "SQLDescribeCol name", call_describe, NULL, GRUSS, SQL_HANDLE_STMT, 1);
	check_out(c, "SQLColAttribute(SQL_DESC_NAME)", call_colattr, &field, GRUSS, SQL_HANDLE_STMT, 1);
	field = SQL_DESC_TYPE_NAME;
	check_out(c, "SQLColAttribute(SQL_DESC_TYPE_NAME)", call_colattr, &field, "VARCHAR", SQL_HANDLE_STMT, 1);
	rc = c->a->ColAttribute(c->stmt, 1, SQL_DESC_OCTET_LENGTH, NULL, 0, NULL, &octets);
	result(rc == SQL_SUCCESS && octets == 20,
	       "SQLColAttribute(SQL_DESC_OCTET_LENGTH), a number, passes through: rc %d %ld", rc, (long)octets);

	rc = c->a->Fetch(c->stmt);
	result(rc == SQL_SUCCESS, "SQLFetch: rc %d", rc);
	/* in pieces: the fake's own truncation, its 01004 read through
	 * credshim */
	memset(buf, 0, sizeof(buf));
	rc = c->a->GetData(c->stmt, 1, SQL_C_CHAR, buf, 8, &ind);
	result(rc == SQL_SUCCESS_WITH_INFO && ind == 16 && strcmp(buf, "Grüße") == 0 &&
		       has_state(c, SQL_HANDLE_STMT, "01004"),
	       "SQLGetData(SQL_C_CHAR, 8 bytes) = \"Grüße\" with 01004, 16 bytes in all: rc %d \"%s\" %ld", rc,
	       buf, (long)ind);
	check_getdata_char(c, 1, " ✓ 𝄞", "the rest");
	rc = c->a->GetData(c->stmt, 1, SQL_C_CHAR, buf, sizeof(buf), &ind);
	result(rc == SQL_NO_DATA, "SQLGetData after the last piece: rc %d", rc);
	c->a->FreeStmt(c->stmt, SQL_CLOSE);

	/* an explicit length in bytes, shorter than the buffer */
	rc = c->a->ExecDirect(c->stmt, (SQLCHAR *)"SELECT " GRUSS "XYZ", (SQLINTEGER)strlen(query));
	result(rc == SQL_SUCCESS && SQL_SUCCEEDED(c->a->Fetch(c->stmt)),
	       "SQLExecDirect with a length in bytes: rc %d", rc);
	memset(w, 0, sizeof(w));
	rc = c->a->GetData(c->stmt, 1, SQL_C_WCHAR, w, sizeof(w), &ind);
	ok = rc == SQL_SUCCESS && ind == 20 && w_equals(w, (size_t)ind, GRUSS);
	result(ok, "SQLGetData(SQL_C_WCHAR) = \"" GRUSS "\" as UTF-16 with a surrogate pair, 20 bytes: rc %d %ld",
	       rc, (long)ind);
	if (!ok && ind > 0 && ind < (SQLLEN)sizeof(w))
		note("%s", w_hex(w, (size_t)ind));
	c->a->FreeStmt(c->stmt, SQL_CLOSE);

	rc = c->a->Prepare(c->stmt, (SQLCHAR *)"SELECT prepared ✓", SQL_NTS);
	result(rc == SQL_SUCCESS && SQL_SUCCEEDED(c->a->Execute(c->stmt)) && SQL_SUCCEEDED(c->a->Fetch(c->stmt)),
	       "SQLPrepare + SQLExecute: rc %d", rc);
	check_getdata_char(c, 1, "prepared ✓", "prepared");
	c->a->FreeStmt(c->stmt, SQL_CLOSE);
}

static void check_tables(struct ctx *c)
{
	static const char pattern[] = "Tä%𝄞";
	SQLRETURN rc;

	rc = c->a->Tables(c->stmt, NULL, 0, (SQLCHAR *)"", SQL_NTS, (SQLCHAR *)"Tä%𝄞XYZ",
			  (SQLSMALLINT)strlen(pattern), (SQLCHAR *)"TABLE", SQL_NTS);
	result(rc == SQL_SUCCESS && SQL_SUCCEEDED(c->a->Fetch(c->stmt)),
	       "SQLTables(NULL, \"\", \"%s\" with a length in bytes, \"TABLE\"): rc %d", pattern, rc);
	check_getdata_char(c, 1, NULL, "TABLE_CAT from a null pointer");
	check_getdata_char(c, 2, "", "TABLE_SCHEM");
	check_getdata_char(c, 3, pattern, "TABLE_NAME");
	check_getdata_char(c, 4, "TABLE", "TABLE_TYPE");
	c->a->FreeStmt(c->stmt, SQL_CLOSE);
}

static void check_cursor(struct ctx *c)
{
	SQLRETURN rc;

	check_out(c, "SQLGetCursorName (the fake's default)", call_cursor, NULL, "SQL_CUR_fake", SQL_HANDLE_STMT,
		  1);
	rc = c->a->SetCursorName(c->stmt, (SQLCHAR *)"Cürsor_𝄞XYZ", (SQLSMALLINT)strlen("Cürsor_𝄞"));
	result(rc == SQL_SUCCESS, "SQLSetCursorName with a length in bytes: rc %d", rc);
	check_out(c, "SQLGetCursorName", call_cursor, NULL, "Cürsor_𝄞", SQL_HANDLE_STMT, 1);
}

/*
 * A diagnostic record of the fake, posted by the statement: through
 * SQLGetDiagRec and SQLGetDiagField (converted by credshim, or by the
 * driver manager from credshim's W functions).
 */
static void check_diag(struct ctx *c, const char *stmt, SQLRETURN want, const char *state, SQLINTEGER native,
		       const char *msg)
{
	SQLSMALLINT field = SQL_DIAG_MESSAGE_TEXT;
	SQLCHAR st[6] = "", text[1024] = "";
	SQLINTEGER nat = -1, count = -1;
	SQLSMALLINT len = -999;
	char what[96];
	SQLRETURN rc;

	rc = c->a->ExecDirect(c->stmt, (SQLCHAR *)stmt, SQL_NTS);
	result(rc == want, "SQLExecDirect(\"%s\"): rc %d, expected %d", stmt, rc, want);
	rc = c->a->GetDiagRec(SQL_HANDLE_STMT, c->stmt, 1, st, &nat, text, sizeof(text), &len);
	result(rc == SQL_SUCCESS && strcmp((char *)st, state) == 0 && nat == native &&
		       strcmp((char *)text, msg) == 0 && len == (SQLSMALLINT)strlen(msg),
	       "SQLGetDiagRec: %s, native %d, the message in UTF-8, its length in bytes (%zu)", state,
	       (int)native, strlen(msg));
	if (rc != SQL_SUCCESS || strcmp((char *)text, msg) != 0)
		note("rc %d: %s %d \"%s\" length %d", rc, st, (int)nat, text, len);
	rc = c->a->GetDiagRec(SQL_HANDLE_STMT, c->stmt, 2, st, &nat, text, sizeof(text), &len);
	result(rc == SQL_NO_DATA, "SQLGetDiagRec(2): SQL_NO_DATA, rc %d", rc);
	rc = c->a->GetDiagField(SQL_HANDLE_STMT, c->stmt, 0, SQL_DIAG_NUMBER, &count, 0, NULL);
	result(rc == SQL_SUCCESS && count == 1, "SQLGetDiagField(SQL_DIAG_NUMBER) = 1: rc %d %d", rc, (int)count);
	nat = -1;
	rc = c->a->GetDiagField(SQL_HANDLE_STMT, c->stmt, 1, SQL_DIAG_NATIVE, &nat, 0, NULL);
	result(rc == SQL_SUCCESS && nat == native, "SQLGetDiagField(SQL_DIAG_NATIVE) = %d: rc %d %d", (int)native,
	       rc, (int)nat);
	memset(st, 0, sizeof(st));
	len = -999;
	rc = c->a->GetDiagField(SQL_HANDLE_STMT, c->stmt, 1, SQL_DIAG_SQLSTATE, st, sizeof(st), &len);
	result(rc == SQL_SUCCESS && strcmp((char *)st, state) == 0 && len == 5,
	       "SQLGetDiagField(SQL_DIAG_SQLSTATE) = %s, 5 bytes: rc %d \"%s\" %d", state, rc, st, len);
	memset(text, 0, sizeof(text));
	len = -999;
	rc = c->a->GetDiagField(SQL_HANDLE_STMT, c->stmt, 1, SQL_DIAG_CLASS_ORIGIN, text, sizeof(text), &len);
	result(rc == SQL_SUCCESS && strcmp((char *)text, "ISO 9075") == 0 && len == 8,
	       "SQLGetDiagField(SQL_DIAG_CLASS_ORIGIN) = the fake's ISO 9075: rc %d \"%s\" %d", rc, text, len);
	snprintf(what, sizeof(what), "SQLGetDiagRec message of \"%s\"", stmt);
	check_out(c, what, call_diagrec, NULL, msg, SQL_HANDLE_STMT, 0);
	snprintf(what, sizeof(what), "SQLGetDiagField(SQL_DIAG_MESSAGE_TEXT) of \"%s\"", stmt);
	check_out(c, what, call_diagfield, &field, msg, SQL_HANDLE_STMT, 0);
	/* last: SQLError consumes the records it returns */
	memset(text, 0, sizeof(text));
	rc = c->a->Error(SQL_NULL_HENV, SQL_NULL_HDBC, c->stmt, st, &nat, text, sizeof(text), &len);
	/* unixODBC's SQLError keeps the low byte of each UTF-16 unit */
	result(rc == SQL_SUCCESS && strcmp((char *)st, state) == 0 && nat == native &&
		       text_is("SQLError", c->a->dm, (char *)text, msg) && len == (SQLSMALLINT)strlen((char *)text),
	       "SQLError: %s, native %d, the message in UTF-8: rc %d %s %d", state, (int)native, rc, st,
	       (int)nat);
	rc = c->a->Error(SQL_NULL_HENV, SQL_NULL_HDBC, c->stmt, st, &nat, text, sizeof(text), &len);
	result(rc == SQL_NO_DATA, "SQLError again: SQL_NO_DATA, rc %d", rc);
}

static void check_missing(struct ctx *c)
{
	SQLCHAR st[6] = "", text[512] = "";
	SQLINTEGER nat;
	SQLSMALLINT len;
	SQLRETURN rc;
	SQLHSTMT other = SQL_NULL_HSTMT;

	/* A function the target has in neither variant, called on the newer
	 * of two statements: the record goes on that one, not the older. */
	if (SQL_SUCCEEDED(c->a->AllocHandle(SQL_HANDLE_STMT, c->dbc, &other))) {
		rc = c->a->Columns(other, NULL, 0, NULL, 0, (SQLCHAR *)"t", SQL_NTS, NULL, 0);
		c->a->GetDiagRec(SQL_HANDLE_STMT, other, 1, st, &nat, text, sizeof(text), &len);
		result(rc == SQL_ERROR && strcmp((char *)st, "IM001") == 0,
		       "SQLColumns on a second statement: IM001 on it, rc %d %s %s", rc, st, text);
		memset(st, 0, sizeof(st));
		c->a->GetDiagRec(SQL_HANDLE_STMT, c->stmt, 1, st, &nat, text, sizeof(text), &len);
		result(strcmp((char *)st, "IM001") != 0, "and not on the first: %s", st);
		c->a->FreeHandle(SQL_HANDLE_STMT, other);
	} else {
		result(0, "SQLAllocHandle(STMT) for a second statement");
	}
	rc = c->a->Columns(c->stmt, NULL, 0, NULL, 0, (SQLCHAR *)"t", SQL_NTS, NULL, 0);
	memset(st, 0, sizeof(st));
	c->a->GetDiagRec(SQL_HANDLE_STMT, c->stmt, 1, st, &nat, text, sizeof(text), &len);
	result(rc == SQL_ERROR && strcmp((char *)st, "IM001") == 0,
	       "SQLColumns, which the fake has in neither variant: IM001, rc %d %s %s", rc, st, text);
}

static void run(const struct api *a, const char *fake)
{
	struct ctx c = {a, SQL_NULL_HENV, SQL_NULL_HDBC, SQL_NULL_HSTMT};
	char longmsg[1024];

	g_tag = a->name;
	if (connect_fake(&c, fake) != 0)
		goto out_free;
	check_received(&c);
	check_functions(&c);
	check_info(&c);
	check_catalog(&c);
	check_native(&c);
	if (!SQL_SUCCEEDED(a->AllocHandle(SQL_HANDLE_STMT, c.dbc, &c.stmt))) {
		result(0, "SQLAllocHandle(STMT)");
		goto out_disconnect;
	}
	check_select(&c);
	check_tables(&c);
	check_cursor(&c);
	check_diag(&c, "FAIL", SQL_ERROR, "42000", 7, FAIL_MSG);
	check_diag(&c, "WARN", SQL_SUCCESS_WITH_INFO, "01000", 8, WARN_MSG);
	/* the fake's "FAIL LONG" message: 300 dots more */
	snprintf(longmsg, sizeof(longmsg), "%s", FAIL_MSG);
	memset(longmsg + strlen(FAIL_MSG), '.', 300);
	longmsg[strlen(FAIL_MSG) + 300] = '\0';
	check_diag(&c, "FAIL LONG", SQL_ERROR, "42000", 7, longmsg);
	check_missing(&c);
	a->FreeHandle(SQL_HANDLE_STMT, c.stmt);
out_disconnect:
	result(a->Disconnect(c.dbc) == SQL_SUCCESS, "SQLDisconnect");
out_free:
	a->FreeHandle(SQL_HANDLE_DBC, c.dbc);
	a->FreeHandle(SQL_HANDLE_ENV, c.env);
}

int main(int argc, char **argv)
{
	struct api direct;

	if (argc < 2 || argc > 3 || argv[1][0] != '/') {
		fprintf(stderr, "usage: wonly_test /path/to/fake-driver.so [/path/to/libcredshim.so]\n");
		return 2;
	}
	g_tag = "";
	/* a UTF-8 application: the driver manager converts by the locale */
	setlocale(LC_ALL, "");
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_fake(argv[1]);
	run(&dm_api, argv[1]);
	if (argc == 3) {
		if (api_load(&direct, argv[2]) != 0)
			return 1;
		run(&direct, argv[1]);
	}
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed != 0;
}
