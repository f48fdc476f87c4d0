/* SPDX-License-Identifier: MIT */
/*
 * wonly_driver.c - a fake ODBC driver that has only the W variants of the
 * functions with strings, so that credshim must convert every ANSI call
 * of an application to UTF-16 (driver/api/wconv.c with wide = 0), the
 * direction no real driver on the test machines needs.  It links nothing
 * but libc: no driver manager, no ODBC library.
 *
 * The "database" lives in memory:
 *   - SQLDriverConnectW keeps the connection string it was given, and
 *     SQLGetInfoW answers it (FK_INFO_CONNSTR, as received) and its own
 *     parse of it (FK_INFO_CONNKEYS, "key=value" lines); a key Refuse
 *     makes the connect fail with 28000, native 9, a non-ASCII message;
 *   - "SELECT <text>" gives one row of one column, named <text>, whose
 *     value is <text>; "FAIL" fails with 42000, native 7 and a non-ASCII
 *     message ("FAIL LONG": the same, then 300 dots); "WARN" succeeds
 *     with a warning (01000, native 8) and no result set; anything else
 *     succeeds with no result set;
 *   - SQLTablesW gives one row whose columns are the arguments it got
 *     (NULL where it got a null pointer);
 *   - SQL_ATTR_CURRENT_CATALOG keeps what was set.
 * Output strings follow the ODBC rules for W functions: lengths in
 * characters for SQLDescribeColW, SQLGetCursorNameW, SQLNativeSqlW and
 * SQLGetDiagRecW, in bytes for SQLGetInfoW, SQLColAttributeW,
 * SQLGetConnectAttrW and SQLGetDiagFieldW; truncation never splits a
 * surrogate pair and returns SQL_SUCCESS_WITH_INFO with 01004 (the
 * diagnostic functions only return it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "../twide.h"

#define FK_EXPORT __attribute__((visibility("default")))

/* Driver-specific SQLGetInfo types (SQL_INFO_DRIVER_START is 1000). */
#define FK_INFO_CONNSTR  20000 /* the connection string received */
#define FK_INFO_CONNKEYS 20001 /* its pairs as parsed, "key=value\n" each */
#define FK_INFO_LASTBIND 20002 /* the arguments of the last SQLBindParameter */

#define FK_STR   512 /* SQLWCHARs in one stored string */
#define FK_LONG  300 /* dots after the message of "FAIL LONG" */
#define FK_COLS  5
#define FK_DIAGS 4

enum fk_magic { FK_ENV = 0x464b4531, FK_DBC = 0x464b4432, FK_STMT = 0x464b5333 };

struct fk_rec {
	SQLWCHAR state[6];
	SQLINTEGER native;
	SQLWCHAR msg[FK_STR];
};

/* The start of every handle. */
struct fk_head {
	enum fk_magic magic;
	int ndiag;
	struct fk_rec diag[FK_DIAGS];
};

struct fk_env {
	struct fk_head h;
	SQLINTEGER version;
};

struct fk_stmt;

struct fk_dbc {
	struct fk_head h;
	int connected;
	SQLWCHAR conn[FK_STR];
	SQLWCHAR keys[FK_STR];
	SQLWCHAR catalog[FK_STR];
	SQLWCHAR lastbind[FK_STR];
	struct fk_stmt *stmts;
};

struct fk_col {
	SQLWCHAR name[FK_STR];
	SQLWCHAR value[FK_STR];
	int null;
};

struct fk_stmt {
	struct fk_head h;
	struct fk_dbc *dbc;
	struct fk_stmt *next;
	SQLWCHAR text[FK_STR];
	SQLWCHAR cursor[FK_STR];
	int ncols;        /* 0: no result set */
	int row;          /* 0 before the row, 1 on it, 2 past it */
	struct fk_col col[FK_COLS];
	int gd_col;       /* SQLGetData: column being read, and how far */
	size_t gd_off;
};

/* ---- UTF-16 strings ---- */

static size_t fk_wlen(const SQLWCHAR *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* A UTF-8 literal (well-formed: the driver's own) as UTF-16: the code
 * points that fit cap units with the NUL. */
static void fk_lit(SQLWCHAR *out, size_t cap, const char *s)
{
	tw_from_u8(s, strlen(s), out, cap);
}

/* An input string (length in characters, or SQL_NTS) into a stored one.
 * -1 when it does not fit or the length is invalid. */
static int fk_win(SQLWCHAR *out, const SQLWCHAR *s, SQLLEN len)
{
	size_t n;

	if (len == SQL_NTS)
		n = fk_wlen(s);
	else if (len < 0)
		return -1;
	else
		n = (size_t)len;
	if (n >= FK_STR)
		return -1;
	memcpy(out, s, n * sizeof(SQLWCHAR));
	out[n] = 0;
	return 0;
}

static int fk_wprefix(const SQLWCHAR *s, const char *ascii)
{
	for (; *ascii; s++, ascii++)
		if (*s != (unsigned char)*ascii)
			return 0;
	return 1;
}

static int fk_weq(const SQLWCHAR *s, const char *ascii)
{
	return fk_wprefix(s, ascii) && s[strlen(ascii)] == 0;
}

/* ---- diagnostics ---- */

static void fk_post(struct fk_head *h, const char *state, SQLINTEGER native, const char *msg)
{
	struct fk_rec *r;

	if (h->ndiag == FK_DIAGS)
		return;
	r = &h->diag[h->ndiag++];
	fk_lit(r->state, 6, state);
	r->native = native;
	fk_lit(r->msg, FK_STR, msg);
}

static SQLRETURN fk_error(struct fk_head *h, const char *state, const char *msg)
{
	fk_post(h, state, 0, msg);
	return SQL_ERROR;
}

static void *fk_get(SQLHANDLE h, enum fk_magic magic)
{
	struct fk_head *p = h;

	if (!p || p->magic != magic)
		return NULL;
	p->ndiag = 0;
	return p;
}

/*
 * Writes s to an output buffer of buflen characters (bytes when
 * in_bytes); *len (either may be NULL) gets its full length in the same
 * unit.  A truncated copy ends before a split surrogate pair; it gets
 * 01004 on h unless h is NULL (the diagnostic functions).
 */
static SQLRETURN fk_out(struct fk_head *h, const SQLWCHAR *s, void *buf, SQLLEN buflen, int in_bytes,
			SQLLEN *len)
{
	size_t n = fk_wlen(s), cap, k;

	if (buflen < 0)
		return h ? fk_error(h, "HY090", "[fake]invalid buffer length") : SQL_ERROR;
	if (len)
		*len = (SQLLEN)(in_bytes ? n * sizeof(SQLWCHAR) : n);
	cap = in_bytes ? (size_t)buflen / sizeof(SQLWCHAR) : (size_t)buflen;
	if (!buf)
		return SQL_SUCCESS;
	if (cap > 0) {
		k = n < cap ? n : cap - 1;
		if (k < n && k > 0 && s[k - 1] >= 0xD800 && s[k - 1] < 0xDC00)
			k--;
		memcpy(buf, s, k * sizeof(SQLWCHAR));
		((SQLWCHAR *)buf)[k] = 0;
	}
	if (n < cap)
		return SQL_SUCCESS;
	if (h)
		fk_post(h, "01004", 0, "[fake]String data, right truncated");
	return SQL_SUCCESS_WITH_INFO;
}

static SQLRETURN fk_out_s(struct fk_head *h, const SQLWCHAR *s, void *buf, SQLLEN buflen, int in_bytes,
			  SQLSMALLINT *len)
{
	SQLLEN n = 0;
	SQLRETURN rc = fk_out(h, s, buf, buflen, in_bytes, &n);

	if (len && SQL_SUCCEEDED(rc))
		*len = (SQLSMALLINT)n;
	return rc;
}

static SQLRETURN fk_out_lit(struct fk_head *h, const char *lit, void *buf, SQLLEN buflen,
			    SQLSMALLINT *len)
{
	SQLWCHAR w[FK_STR];

	fk_lit(w, FK_STR, lit);
	return fk_out_s(h, w, buf, buflen, 1, len);
}

/* ---- handles ---- */

FK_EXPORT SQLRETURN SQL_API SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
	struct fk_dbc *d;
	struct fk_stmt *s;

	if (!out)
		return SQL_ERROR;
	switch (type) {
	case SQL_HANDLE_ENV: {
		struct fk_env *e = calloc(1, sizeof(*e));

		if (!e)
			return SQL_ERROR;
		e->h.magic = FK_ENV;
		e->version = SQL_OV_ODBC3;
		*out = e;
		return SQL_SUCCESS;
	}
	case SQL_HANDLE_DBC:
		if (!fk_get(in, FK_ENV))
			return SQL_INVALID_HANDLE;
		if (!(d = calloc(1, sizeof(*d))))
			return fk_error(in, "HY001", "[fake]out of memory");
		d->h.magic = FK_DBC;
		*out = d;
		return SQL_SUCCESS;
	case SQL_HANDLE_STMT:
		if (!(d = fk_get(in, FK_DBC)))
			return SQL_INVALID_HANDLE;
		if (!d->connected)
			return fk_error(&d->h, "08003", "[fake]not connected");
		if (!(s = calloc(1, sizeof(*s))))
			return fk_error(&d->h, "HY001", "[fake]out of memory");
		s->h.magic = FK_STMT;
		s->dbc = d;
		fk_lit(s->cursor, FK_STR, "SQL_CUR_fake");
		s->next = d->stmts;
		d->stmts = s;
		*out = s;
		return SQL_SUCCESS;
	}
	return SQL_ERROR;
}

static void fk_stmt_free(struct fk_stmt *s)
{
	struct fk_stmt **pp;

	for (pp = &s->dbc->stmts; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->h.magic = 0;
	free(s);
}

static void fk_disconnect(struct fk_dbc *d)
{
	while (d->stmts)
		fk_stmt_free(d->stmts);
	d->connected = 0;
}

FK_EXPORT SQLRETURN SQL_API SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
	struct fk_head *p;

	switch (type) {
	case SQL_HANDLE_ENV:
		p = fk_get(h, FK_ENV);
		break;
	case SQL_HANDLE_DBC:
		p = fk_get(h, FK_DBC);
		if (p)
			fk_disconnect((struct fk_dbc *)p);
		break;
	case SQL_HANDLE_STMT:
		p = fk_get(h, FK_STMT);
		if (p) {
			fk_stmt_free((struct fk_stmt *)p);
			return SQL_SUCCESS;
		}
		break;
	default:
		return SQL_ERROR;
	}
	if (!p)
		return SQL_INVALID_HANDLE;
	p->magic = 0;
	free(p);
	return SQL_SUCCESS;
}

static void fk_close(struct fk_stmt *s)
{
	s->ncols = 0;
	s->row = 0;
	s->gd_col = 0;
}

FK_EXPORT SQLRETURN SQL_API SQLFreeStmt(SQLHSTMT hstmt, SQLUSMALLINT option)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	switch (option) {
	case SQL_DROP:
		fk_stmt_free(s);
		return SQL_SUCCESS;
	case SQL_CLOSE:
		fk_close(s);
		return SQL_SUCCESS;
	case SQL_UNBIND:
	case SQL_RESET_PARAMS:
		return SQL_SUCCESS;
	}
	return fk_error(&s->h, "HY092", "[fake]invalid option");
}

FK_EXPORT SQLRETURN SQL_API SQLSetEnvAttr(SQLHENV henv, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
	struct fk_env *e = fk_get(henv, FK_ENV);

	if (!e)
		return SQL_INVALID_HANDLE;
	switch (attr) {
	case SQL_ATTR_ODBC_VERSION:
		e->version = (SQLINTEGER)(SQLLEN)value;
		return SQL_SUCCESS;
	case SQL_ATTR_OUTPUT_NTS:
		if ((SQLLEN)value == SQL_TRUE)
			return SQL_SUCCESS;
		return fk_error(&e->h, "HYC00", "[fake]strings are always NUL-terminated");
	}
	return fk_error(&e->h, "HY092", "[fake]invalid environment attribute");
}

FK_EXPORT SQLRETURN SQL_API SQLGetEnvAttr(SQLHENV henv, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER buflen,
					  SQLINTEGER *len)
{
	struct fk_env *e = fk_get(henv, FK_ENV);
	SQLINTEGER v;

	if (!e)
		return SQL_INVALID_HANDLE;
	switch (attr) {
	case SQL_ATTR_ODBC_VERSION:
		v = e->version;
		break;
	case SQL_ATTR_OUTPUT_NTS:
		v = SQL_TRUE;
		break;
	default:
		return fk_error(&e->h, "HY092", "[fake]invalid environment attribute");
	}
	if (value)
		memcpy(value, &v, sizeof(v));
	if (len)
		*len = sizeof(v);
	return SQL_SUCCESS;
}

/* ---- connections ---- */

/*
 * The pairs of an ODBC connection string as "key=value\n" lines: a value
 * in braces may hold ';' and '}}' stands for '}'.  -1 when malformed.
 */
static int fk_parse_conn(const SQLWCHAR *s, SQLWCHAR *out, size_t cap)
{
	size_t k = 0;

	while (*s) {
		if (*s == ';') {
			s++;
			continue;
		}
		for (; *s && *s != '=' && *s != ';'; s++)
			if (k + 1 < cap)
				out[k++] = *s;
		if (*s != '=')
			return -1;
		if (k + 1 < cap)
			out[k++] = *s++;
		if (*s == '{') {
			for (s++;; s++) {
				if (!*s)
					return -1;
				if (*s == '}' && s[1] != '}')
					break;
				if (*s == '}')
					s++;
				if (k + 1 < cap)
					out[k++] = *s;
			}
			s++;
			if (*s && *s != ';')
				return -1;
		} else {
			for (; *s && *s != ';'; s++)
				if (k + 1 < cap)
					out[k++] = *s;
		}
		if (k + 1 < cap)
			out[k++] = '\n';
	}
	out[k] = 0;
	return k + 1 < cap ? 0 : -1;
}

/* Whether the parsed pairs (fk_parse_conn) have the key. */
static int fk_has_key(const SQLWCHAR *keys, const char *key)
{
	for (;;) {
		if (fk_wprefix(keys, key) && keys[strlen(key)] == '=')
			return 1;
		while (*keys && *keys != '\n')
			keys++;
		if (!*keys++)
			return 0;
	}
}

FK_EXPORT SQLRETURN SQL_API SQLDriverConnectW(SQLHDBC hdbc, SQLHWND hwnd, SQLWCHAR *in, SQLSMALLINT inlen,
					      SQLWCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
					      SQLUSMALLINT completion)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	if (d->connected)
		return fk_error(&d->h, "08002", "[fake]already connected");
	if (!in || fk_win(d->conn, in, inlen) != 0)
		return fk_error(&d->h, "HY090", "[fake]invalid connection string length");
	if (fk_parse_conn(d->conn, d->keys, FK_STR) != 0)
		return fk_error(&d->h, "08001", "[fake]malformed connection string");
	if (fk_has_key(d->keys, "Refuse")) {
		fk_post(&d->h, "28000", 9, "[fake]login refused: Grüße ✓ 𝄞");
		return SQL_ERROR;
	}
	d->connected = 1;
	return fk_out_s(&d->h, d->conn, out, outmax, 0, outlen);
}

FK_EXPORT SQLRETURN SQL_API SQLDisconnect(SQLHDBC hdbc)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	if (!d->connected)
		return fk_error(&d->h, "08003", "[fake]not connected");
	fk_disconnect(d);
	return SQL_SUCCESS;
}

/* The functions this driver has, by SQL_API_* number (either variant). */
static const SQLUSMALLINT fk_functions[] = {
	SQL_API_SQLALLOCHANDLE, SQL_API_SQLFREEHANDLE, SQL_API_SQLDISCONNECT, SQL_API_SQLFREESTMT,
	SQL_API_SQLGETFUNCTIONS, SQL_API_SQLSETENVATTR, SQL_API_SQLGETENVATTR,
	SQL_API_SQLDRIVERCONNECT, SQL_API_SQLEXECDIRECT, SQL_API_SQLPREPARE, SQL_API_SQLEXECUTE,
	SQL_API_SQLNUMRESULTCOLS, SQL_API_SQLFETCH, SQL_API_SQLGETDATA, SQL_API_SQLDESCRIBECOL,
	SQL_API_SQLCOLATTRIBUTE, SQL_API_SQLGETINFO, SQL_API_SQLGETDIAGREC, SQL_API_SQLGETDIAGFIELD,
	SQL_API_SQLTABLES, SQL_API_SQLGETCONNECTATTR, SQL_API_SQLSETCONNECTATTR, SQL_API_SQLNATIVESQL,
	SQL_API_SQLGETCURSORNAME, SQL_API_SQLSETCURSORNAME, SQL_API_SQLBINDPARAMETER,
};

#define FK_NFUNCTIONS (sizeof(fk_functions) / sizeof(fk_functions[0]))

FK_EXPORT SQLRETURN SQL_API SQLGetFunctions(SQLHDBC hdbc, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	size_t i;

	if (!d)
		return SQL_INVALID_HANDLE;
	if (!supported)
		return fk_error(&d->h, "HY009", "[fake]null pointer");
	if (id == SQL_API_ODBC3_ALL_FUNCTIONS) {
		memset(supported, 0, SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * sizeof(*supported));
		for (i = 0; i < FK_NFUNCTIONS; i++)
			supported[fk_functions[i] >> 4] |= (SQLUSMALLINT)(1u << (fk_functions[i] & 0xF));
		return SQL_SUCCESS;
	}
	if (id == SQL_API_ALL_FUNCTIONS) {
		memset(supported, 0, 100 * sizeof(*supported));
		for (i = 0; i < FK_NFUNCTIONS; i++)
			if (fk_functions[i] < 100)
				supported[fk_functions[i]] = SQL_TRUE;
		return SQL_SUCCESS;
	}
	*supported = SQL_FALSE;
	for (i = 0; i < FK_NFUNCTIONS; i++)
		if (fk_functions[i] == id)
			*supported = SQL_TRUE;
	return SQL_SUCCESS;
}

/*
 * SQLBindParameter only records its arguments (SQLGetInfoW
 * FK_INFO_LASTBIND): the driver has no SQLBindParam, so a driver manager
 * or credshim must map an application's SQLBindParam to this.
 */
FK_EXPORT SQLRETURN SQL_API SQLBindParameter(SQLHSTMT hstmt, SQLUSMALLINT ipar, SQLSMALLINT iotype,
					     SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN colsize,
					     SQLSMALLINT scale, SQLPOINTER value, SQLLEN buflen, SQLLEN *ind)
{
	struct fk_stmt *st = fk_get(hstmt, FK_STMT);
	char buf[160];

	if (!st)
		return SQL_INVALID_HANDLE;
	snprintf(buf, sizeof(buf), "ipar=%u io=%d ctype=%d sqltype=%d size=%lu scale=%d value=%s buflen=%ld ind=%s",
		 (unsigned)ipar, (int)iotype, (int)ctype, (int)sqltype, (unsigned long)colsize, (int)scale,
		 value ? "set" : "null", (long)buflen, ind ? "set" : "null");
	fk_lit(st->dbc->lastbind, FK_STR, buf);
	return SQL_SUCCESS;
}

/* The string answers of SQLGetInfoW, as UTF-8 literals. */
static const char *fk_info_str(SQLUSMALLINT type)
{
	switch (type) {
	case SQL_DBMS_NAME:
		return "Fäke DB 𝄞";
	case SQL_DBMS_VER:
	case SQL_DRIVER_VER:
		return "01.00.0000";
	case SQL_DRIVER_NAME:
		return "libcs_fake_wonly.so";
	case SQL_DRIVER_ODBC_VER:
		return "03.80";
	case SQL_SERVER_NAME:
		return "fake";
	case SQL_USER_NAME:
		return "";
	case SQL_IDENTIFIER_QUOTE_CHAR:
		return "\"";
	case SQL_CATALOG_NAME_SEPARATOR:
		return ".";
	case SQL_CATALOG_TERM:
		return "catalog";
	case SQL_SEARCH_PATTERN_ESCAPE:
		return "\\";
	case SQL_ACCESSIBLE_TABLES:
	case SQL_DATA_SOURCE_READ_ONLY:
		return "Y";
	case SQL_MULT_RESULT_SETS:
	case SQL_NEED_LONG_DATA_LEN:
		return "N";
	}
	return NULL;
}

/* The SQLUSMALLINT (*small = 1) and SQLUINTEGER answers. */
static int fk_info_num(SQLUSMALLINT type, SQLUINTEGER *v, int *small)
{
	*small = 1;
	switch (type) {
	case SQL_MAX_DRIVER_CONNECTIONS:
	case SQL_MAX_CONCURRENT_ACTIVITIES:
		*v = 0;
		return 1;
	case SQL_TXN_CAPABLE:
		*v = SQL_TC_NONE;
		return 1;
	case SQL_CURSOR_COMMIT_BEHAVIOR:
	case SQL_CURSOR_ROLLBACK_BEHAVIOR:
		*v = SQL_CB_PRESERVE;
		return 1;
	case SQL_MAX_COLUMN_NAME_LEN:
	case SQL_MAX_IDENTIFIER_LEN:
		*v = FK_STR - 1;
		return 1;
	}
	*small = 0;
	switch (type) {
	case SQL_GETDATA_EXTENSIONS:
		*v = SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER;
		return 1;
	case SQL_ASYNC_MODE:
		*v = SQL_AM_NONE;
		return 1;
	case SQL_SCROLL_OPTIONS:
		*v = SQL_SO_FORWARD_ONLY;
		return 1;
	case SQL_ODBC_INTERFACE_CONFORMANCE:
		*v = SQL_OIC_CORE;
		return 1;
	case SQL_DEFAULT_TXN_ISOLATION:
	case SQL_TXN_ISOLATION_OPTION:
		*v = 0;
		return 1;
	}
	return 0;
}

FK_EXPORT SQLRETURN SQL_API SQLGetInfoW(SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value, SQLSMALLINT buflen,
					SQLSMALLINT *len)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	const char *s;
	SQLUINTEGER v;
	int small;

	if (!d)
		return SQL_INVALID_HANDLE;
	if (type == FK_INFO_CONNSTR)
		return fk_out_s(&d->h, d->conn, value, buflen, 1, len);
	if (type == FK_INFO_CONNKEYS)
		return fk_out_s(&d->h, d->keys, value, buflen, 1, len);
	if (type == FK_INFO_LASTBIND)
		return fk_out_s(&d->h, d->lastbind, value, buflen, 1, len);
	if (type == SQL_DATABASE_NAME)
		return fk_out_s(&d->h, d->catalog, value, buflen, 1, len);
	if ((s = fk_info_str(type)))
		return fk_out_lit(&d->h, s, value, buflen, len);
	if (!fk_info_num(type, &v, &small))
		return fk_error(&d->h, "HY096", "[fake]information type out of range");
	if (small) {
		SQLUSMALLINT sv = (SQLUSMALLINT)v;

		if (value)
			memcpy(value, &sv, sizeof(sv));
	} else if (value) {
		memcpy(value, &v, sizeof(v));
	}
	if (len)
		*len = small ? sizeof(SQLUSMALLINT) : sizeof(SQLUINTEGER);
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLSetConnectAttrW(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	switch (attr) {
	case SQL_ATTR_CURRENT_CATALOG:
		if (!value)
			return fk_error(&d->h, "HY009", "[fake]null catalog");
		if (len != SQL_NTS && (len < 0 || len % (SQLINTEGER)sizeof(SQLWCHAR)))
			return fk_error(&d->h, "HY090", "[fake]invalid catalog length");
		if (fk_win(d->catalog, value, len == SQL_NTS ? SQL_NTS : len / (SQLINTEGER)sizeof(SQLWCHAR)))
			return fk_error(&d->h, "HY090", "[fake]catalog name too long");
		return SQL_SUCCESS;
	case SQL_ATTR_AUTOCOMMIT:
	case SQL_ATTR_LOGIN_TIMEOUT:
	case SQL_ATTR_CONNECTION_TIMEOUT:
	case SQL_ATTR_ACCESS_MODE:
		return SQL_SUCCESS;
	}
	return fk_error(&d->h, "HY092", "[fake]invalid connection attribute");
}

FK_EXPORT SQLRETURN SQL_API SQLGetConnectAttrW(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value,
					       SQLINTEGER buflen, SQLINTEGER *len)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	SQLUINTEGER v;
	SQLLEN n = 0;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	switch (attr) {
	case SQL_ATTR_CURRENT_CATALOG:
		rc = fk_out(&d->h, d->catalog, value, buflen, 1, &n);
		if (len && SQL_SUCCEEDED(rc))
			*len = (SQLINTEGER)n;
		return rc;
	case SQL_ATTR_AUTOCOMMIT:
		v = SQL_AUTOCOMMIT_ON;
		break;
	case SQL_ATTR_ACCESS_MODE:
		v = SQL_MODE_READ_WRITE;
		break;
	case SQL_ATTR_LOGIN_TIMEOUT:
	case SQL_ATTR_CONNECTION_TIMEOUT:
		v = 0;
		break;
	case SQL_ATTR_CONNECTION_DEAD:
		v = d->connected ? SQL_CD_FALSE : SQL_CD_TRUE;
		break;
	default:
		return fk_error(&d->h, "HY092", "[fake]invalid connection attribute");
	}
	if (value)
		memcpy(value, &v, sizeof(v));
	if (len)
		*len = sizeof(v);
	return SQL_SUCCESS;
}

/* The native form of a statement: the text after "NATIVE ". */
FK_EXPORT SQLRETURN SQL_API SQLNativeSqlW(SQLHDBC hdbc, SQLWCHAR *in, SQLINTEGER inlen, SQLWCHAR *out,
					  SQLINTEGER buflen, SQLINTEGER *outlen)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	SQLWCHAR text[FK_STR], native[FK_STR + 8];
	SQLLEN n = 0;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	if (!in || fk_win(text, in, inlen) != 0)
		return fk_error(&d->h, "HY090", "[fake]invalid statement length");
	fk_lit(native, 8, "NATIVE ");
	memcpy(native + 7, text, (fk_wlen(text) + 1) * sizeof(SQLWCHAR));
	rc = fk_out(&d->h, native, out, buflen, 0, &n);
	if (outlen && SQL_SUCCEEDED(rc))
		*outlen = (SQLINTEGER)n;
	return rc;
}

/* ---- statements ---- */

static void fk_result_col(struct fk_stmt *s, const char *name, const SQLWCHAR *value)
{
	struct fk_col *c = &s->col[s->ncols++];

	fk_lit(c->name, FK_STR, name);
	c->null = !value;
	if (value)
		memcpy(c->value, value, (fk_wlen(value) + 1) * sizeof(SQLWCHAR));
}

#define FK_FAIL_MSG "[fake]bad Grüße ✓ 𝄞 - this statement was asked to fail"

static SQLRETURN fk_execute(struct fk_stmt *s)
{
	fk_close(s);
	if (fk_weq(s->text, "FAIL")) {
		fk_post(&s->h, "42000", 7, FK_FAIL_MSG);
		return SQL_ERROR;
	}
	if (fk_weq(s->text, "FAIL LONG")) {
		/* longer than the 256 characters credshim's buffers start at */
		char msg[sizeof(FK_FAIL_MSG) + FK_LONG];

		memcpy(msg, FK_FAIL_MSG, sizeof(FK_FAIL_MSG) - 1);
		memset(msg + sizeof(FK_FAIL_MSG) - 1, '.', FK_LONG);
		msg[sizeof(msg) - 1] = '\0';
		fk_post(&s->h, "42000", 7, msg);
		return SQL_ERROR;
	}
	if (fk_weq(s->text, "WARN")) {
		fk_post(&s->h, "01000", 8, "[fake]warning Grüße ✓ 𝄞 - this statement was asked to warn");
		return SQL_SUCCESS_WITH_INFO;
	}
	if (fk_wprefix(s->text, "SELECT ")) {
		struct fk_col *c = &s->col[0];

		memcpy(c->name, s->text + 7, (fk_wlen(s->text + 7) + 1) * sizeof(SQLWCHAR));
		memcpy(c->value, c->name, sizeof(c->value));
		c->null = 0;
		s->ncols = 1;
	}
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLPrepareW(SQLHSTMT hstmt, SQLWCHAR *text, SQLINTEGER len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	fk_close(s);
	if (!text || fk_win(s->text, text, len) != 0)
		return fk_error(&s->h, "HY090", "[fake]invalid statement length");
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLExecute(SQLHSTMT hstmt)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (!s->text[0])
		return fk_error(&s->h, "HY010", "[fake]no statement prepared");
	return fk_execute(s);
}

FK_EXPORT SQLRETURN SQL_API SQLExecDirectW(SQLHSTMT hstmt, SQLWCHAR *text, SQLINTEGER len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (!text || fk_win(s->text, text, len) != 0)
		return fk_error(&s->h, "HY090", "[fake]invalid statement length");
	return fk_execute(s);
}

FK_EXPORT SQLRETURN SQL_API SQLTablesW(SQLHSTMT hstmt, SQLWCHAR *cat, SQLSMALLINT catlen, SQLWCHAR *schema,
				       SQLSMALLINT schemalen, SQLWCHAR *table, SQLSMALLINT tablelen,
				       SQLWCHAR *type, SQLSMALLINT typelen)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);
	SQLWCHAR arg[4][FK_STR];
	const SQLWCHAR *in[4] = {cat, schema, table, type};
	const SQLSMALLINT len[4] = {catlen, schemalen, tablelen, typelen};
	int i;

	if (!s)
		return SQL_INVALID_HANDLE;
	fk_close(s);
	for (i = 0; i < 4; i++)
		if (in[i] && fk_win(arg[i], in[i], len[i]) != 0)
			return fk_error(&s->h, "HY090", "[fake]invalid string length");
	fk_result_col(s, "TABLE_CAT", cat ? arg[0] : NULL);
	fk_result_col(s, "TABLE_SCHEM", schema ? arg[1] : NULL);
	fk_result_col(s, "TABLE_NAME", table ? arg[2] : NULL);
	fk_result_col(s, "TABLE_TYPE", type ? arg[3] : NULL);
	fk_result_col(s, "REMARKS", NULL);
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLNumResultCols(SQLHSTMT hstmt, SQLSMALLINT *count)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (count)
		*count = (SQLSMALLINT)s->ncols;
	return SQL_SUCCESS;
}

static struct fk_col *fk_col_get(struct fk_stmt *s, SQLUSMALLINT col)
{
	if (col < 1 || col > s->ncols) {
		fk_error(&s->h, "07009", "[fake]invalid descriptor index");
		return NULL;
	}
	return &s->col[col - 1];
}

FK_EXPORT SQLRETURN SQL_API SQLDescribeColW(SQLHSTMT hstmt, SQLUSMALLINT col, SQLWCHAR *name, SQLSMALLINT buflen,
					    SQLSMALLINT *namelen, SQLSMALLINT *sqltype, SQLULEN *colsize,
					    SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);
	struct fk_col *c;

	if (!s)
		return SQL_INVALID_HANDLE;
	if (!(c = fk_col_get(s, col)))
		return SQL_ERROR;
	if (sqltype)
		*sqltype = SQL_WVARCHAR;
	if (colsize)
		*colsize = fk_wlen(c->value);
	if (digits)
		*digits = 0;
	if (nullable)
		*nullable = SQL_NULLABLE;
	return fk_out_s(&s->h, c->name, name, buflen, 0, namelen);
}

FK_EXPORT SQLRETURN SQL_API SQLColAttributeW(SQLHSTMT hstmt, SQLUSMALLINT col, SQLUSMALLINT field,
					     SQLPOINTER charattr, SQLSMALLINT buflen, SQLSMALLINT *len,
					     SQLLEN *numattr)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);
	struct fk_col *c;
	SQLLEN v;

	if (!s)
		return SQL_INVALID_HANDLE;
	if (field == SQL_DESC_COUNT || field == SQL_COLUMN_COUNT) {
		if (numattr)
			*numattr = s->ncols;
		return SQL_SUCCESS;
	}
	if (!(c = fk_col_get(s, col)))
		return SQL_ERROR;
	switch (field) {
	case SQL_DESC_NAME:
	case SQL_DESC_LABEL:
	case SQL_DESC_BASE_COLUMN_NAME:
	case SQL_COLUMN_NAME:
		return fk_out_s(&s->h, c->name, charattr, buflen, 1, len);
	case SQL_DESC_TYPE_NAME:
	case SQL_DESC_LOCAL_TYPE_NAME:
		return fk_out_lit(&s->h, "VARCHAR", charattr, buflen, len);
	case SQL_DESC_TABLE_NAME:
	case SQL_DESC_BASE_TABLE_NAME:
	case SQL_DESC_SCHEMA_NAME:
	case SQL_DESC_CATALOG_NAME:
		return fk_out_lit(&s->h, "", charattr, buflen, len);
	case SQL_DESC_TYPE:
	case SQL_DESC_CONCISE_TYPE:
		v = SQL_WVARCHAR;
		break;
	case SQL_DESC_LENGTH:
	case SQL_DESC_DISPLAY_SIZE:
	case SQL_COLUMN_LENGTH:
		v = (SQLLEN)fk_wlen(c->value);
		break;
	case SQL_DESC_OCTET_LENGTH:
		v = (SQLLEN)(fk_wlen(c->value) * sizeof(SQLWCHAR));
		break;
	case SQL_DESC_NULLABLE:
		v = SQL_NULLABLE;
		break;
	default:
		return fk_error(&s->h, "HY091", "[fake]invalid descriptor field identifier");
	}
	if (numattr)
		*numattr = v;
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLFetch(SQLHSTMT hstmt)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (!s->ncols)
		return fk_error(&s->h, "24000", "[fake]invalid cursor state");
	s->gd_col = 0;
	if (s->row < 2)
		s->row++;
	return s->row == 1 ? SQL_SUCCESS : SQL_NO_DATA;
}

/* One UTF-16 string as UTF-8 (out holds 3 bytes per unit and a NUL). */
static size_t fk_to_utf8(const SQLWCHAR *w, char *out)
{
	size_t k = 0;

	for (; *w; w++) {
		unsigned long c = *w;

		if (c >= 0xD800 && c < 0xDC00 && w[1] >= 0xDC00 && w[1] < 0xE000) {
			c = 0x10000 + ((c - 0xD800) << 10) + (w[1] - 0xDC00);
			w++;
		}
		k += tw_put_u8(c, out + k);
	}
	out[k] = '\0';
	return k;
}

/*
 * SQLGetData as SQL_C_CHAR (UTF-8) or SQL_C_WCHAR, in pieces: each call
 * returns what is left of the column (never half a character), then
 * SQL_NO_DATA.
 */
FK_EXPORT SQLRETURN SQL_API SQLGetData(SQLHSTMT hstmt, SQLUSMALLINT col, SQLSMALLINT ctype, SQLPOINTER value,
				       SQLLEN buflen, SQLLEN *ind)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);
	char u8[FK_STR * 3 + 1];
	const char *data;
	struct fk_col *c;
	size_t unit, total, left, room, k;

	if (!s)
		return SQL_INVALID_HANDLE;
	if (s->row != 1)
		return fk_error(&s->h, "24000", "[fake]invalid cursor state");
	if (!(c = fk_col_get(s, col)))
		return SQL_ERROR;
	if (s->gd_col != col) {
		s->gd_col = col;
		s->gd_off = 0;
	} else if (s->gd_off == (size_t)-1) {
		return SQL_NO_DATA;
	}
	if (c->null) {
		if (!ind)
			return fk_error(&s->h, "22002", "[fake]indicator variable required");
		*ind = SQL_NULL_DATA;
		s->gd_off = (size_t)-1;
		return SQL_SUCCESS;
	}
	if (ctype == SQL_C_CHAR) {
		unit = 1;
		total = fk_to_utf8(c->value, u8);
		data = u8;
	} else if (ctype == SQL_C_WCHAR || ctype == SQL_C_DEFAULT) {
		unit = sizeof(SQLWCHAR);
		total = fk_wlen(c->value) * unit;
		data = (const char *)c->value;
	} else {
		return fk_error(&s->h, "07006", "[fake]restricted data type attribute violation");
	}
	if (buflen < 0)
		return fk_error(&s->h, "HY090", "[fake]invalid buffer length");
	left = total - s->gd_off;
	if (ind)
		*ind = (SQLLEN)left;
	room = (size_t)buflen / unit;
	k = room > 0 ? (left / unit < room ? left : (room - 1) * unit) : 0;
	if (k < left && unit == 1)
		while (k > 0 && ((unsigned char)data[s->gd_off + k] & 0xC0) == 0x80)
			k--;
	if (k < left && unit == 2 && k > 0) {
		SQLWCHAR last;

		memcpy(&last, data + s->gd_off + k - 2, sizeof(last));
		if (last >= 0xD800 && last < 0xDC00)
			k -= 2;
	}
	if (value && room > 0) {
		memcpy(value, data + s->gd_off, k);
		memset((char *)value + k, 0, unit);
	}
	if (k < left) {
		s->gd_off += k;
		fk_post(&s->h, "01004", 0, "[fake]String data, right truncated");
		return SQL_SUCCESS_WITH_INFO;
	}
	s->gd_off = (size_t)-1;
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLSetCursorNameW(SQLHSTMT hstmt, SQLWCHAR *name, SQLSMALLINT len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (!name || fk_win(s->cursor, name, len) != 0)
		return fk_error(&s->h, "HY090", "[fake]invalid cursor name length");
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLGetCursorNameW(SQLHSTMT hstmt, SQLWCHAR *name, SQLSMALLINT buflen,
					      SQLSMALLINT *len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	return fk_out_s(&s->h, s->cursor, name, buflen, 0, len);
}

/* ---- diagnostics: these read the records, never clear them ---- */

static struct fk_head *fk_diag_handle(SQLSMALLINT type, SQLHANDLE h)
{
	static const enum fk_magic magic[] = {
		[SQL_HANDLE_ENV] = FK_ENV, [SQL_HANDLE_DBC] = FK_DBC, [SQL_HANDLE_STMT] = FK_STMT,
	};
	struct fk_head *p = h;

	if (type < SQL_HANDLE_ENV || type > SQL_HANDLE_STMT || !p || p->magic != magic[type])
		return NULL;
	return p;
}

FK_EXPORT SQLRETURN SQL_API SQLGetDiagRecW(SQLSMALLINT type, SQLHANDLE handle, SQLSMALLINT rec, SQLWCHAR *state,
					   SQLINTEGER *native, SQLWCHAR *msg, SQLSMALLINT buflen,
					   SQLSMALLINT *msglen)
{
	struct fk_head *h = fk_diag_handle(type, handle);
	const struct fk_rec *r;

	if (!h)
		return SQL_INVALID_HANDLE;
	if (rec < 1 || buflen < 0)
		return SQL_ERROR;
	if (rec > h->ndiag)
		return SQL_NO_DATA;
	r = &h->diag[rec - 1];
	if (state)
		memcpy(state, r->state, sizeof(r->state));
	if (native)
		*native = r->native;
	return fk_out_s(NULL, r->msg, msg, buflen, 0, msglen);
}

FK_EXPORT SQLRETURN SQL_API SQLGetDiagFieldW(SQLSMALLINT type, SQLHANDLE handle, SQLSMALLINT rec,
					     SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
					     SQLSMALLINT *len)
{
	struct fk_head *h = fk_diag_handle(type, handle);
	const struct fk_rec *r;
	SQLWCHAR w[16];
	SQLINTEGER v;

	if (!h)
		return SQL_INVALID_HANDLE;
	if (rec == 0 && field == SQL_DIAG_NUMBER) {
		v = h->ndiag;
		goto integer;
	}
	if (rec == 0 && field == SQL_DIAG_RETURNCODE)
		return SQL_SUCCESS;
	if (rec < 1)
		return SQL_ERROR;
	if (rec > h->ndiag)
		return SQL_NO_DATA;
	r = &h->diag[rec - 1];
	switch (field) {
	case SQL_DIAG_SQLSTATE:
		return fk_out_s(NULL, r->state, info, buflen, 1, len);
	case SQL_DIAG_MESSAGE_TEXT:
		return fk_out_s(NULL, r->msg, info, buflen, 1, len);
	case SQL_DIAG_CLASS_ORIGIN:
	case SQL_DIAG_SUBCLASS_ORIGIN:
		fk_lit(w, 16, "ISO 9075");
		return fk_out_s(NULL, w, info, buflen, 1, len);
	case SQL_DIAG_CONNECTION_NAME:
	case SQL_DIAG_SERVER_NAME:
		fk_lit(w, 16, "fake");
		return fk_out_s(NULL, w, info, buflen, 1, len);
	case SQL_DIAG_NATIVE:
		v = r->native;
		goto integer;
	case SQL_DIAG_COLUMN_NUMBER:
		v = SQL_NO_COLUMN_NUMBER;
		goto integer;
	case SQL_DIAG_ROW_NUMBER: {
		SQLLEN lv = SQL_NO_ROW_NUMBER;

		if (info)
			memcpy(info, &lv, sizeof(lv));
		return SQL_SUCCESS;
	}
	}
	return SQL_ERROR;
integer:
	if (info)
		memcpy(info, &v, sizeof(v));
	return SQL_SUCCESS;
}
