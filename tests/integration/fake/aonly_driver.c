/* SPDX-License-Identifier: MIT */
/*
 * aonly_driver.c - a fake ANSI-only ODBC driver whose output strings
 * misbehave the ways real ANSI drivers do, so that a Unicode application
 * through credshim (driver/api/wconv.c, diag_api.c, attr_api.c: the
 * conversion asks again until it holds the whole string, core/xstr.c)
 * meets each of them on purpose.  It links nothing but libc.
 *
 * Every output string is UTF-8, long, and has 2-, 3- and 4-byte
 * characters.  How it is cut when the buffer is too small is the
 * connection string's Mode:
 *   honest   at a byte (possibly inside a UTF-8 sequence), the full length
 *            reported, SQL_SUCCESS_WITH_INFO (01004 but for diagnostics);
 *   short    at a character boundary, leaving bytes unused, full length;
 *   silent   buflen - 1 bytes, that length reported, SQL_SUCCESS
 *            (sqliteodbc's SQLNativeSql);
 *   quiet    at a character boundary, that length reported, SQL_SUCCESS;
 *   nototal  buflen - 1 bytes, SQL_NO_TOTAL reported;
 *   pieces   psqlODBC's diagnostics: a message is cut into pieces the
 *            size of the first request on the record (record 1 resets
 *            it), each piece a record, its length the piece's; the other
 *            strings as silent.
 *
 * The "database": SQLExecDirect("FAIL") fails with 42000 and the long
 * message; "INFO" succeeds with it as 01000; anything else gives one row
 * of one column whose name is the long column name and whose value is
 * the statement text.  SQLGetInfo(SQL_DBMS_NAME, SQL_KEYWORDS),
 * SQLGetConnectAttr(SQL_ATTR_CURRENT_CATALOG) and SQLGetCursorName answer
 * long strings; SQLNativeSql echoes its input.
 */
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

#define FK_EXPORT __attribute__((visibility("default")))

enum fk_magic { FK_ENV = 0x414b4531, FK_DBC = 0x414b4432, FK_STMT = 0x414b5333 };
enum fk_mode { FK_HONEST, FK_SHORT, FK_SILENT, FK_NOTOTAL, FK_PIECES, FK_QUIET };

/* The start of every handle: its one diagnostic record. */
struct fk_head {
	enum fk_magic magic;
	struct fk_dbc *dbc;
	char state[6];
	const char *msg;   /* NULL: no record */
	int recsize;       /* pieces: the piece size, -1 before the first read */
};

struct fk_dbc {
	struct fk_head h;
	enum fk_mode mode;
	int connected;
};

struct fk_stmt {
	struct fk_head h;
	char *text;        /* the statement, the value of its one column */
	int ncols;
	int row;           /* 0 before the row, 1 on it, 2 past it */
	size_t gd_off;
};

/*
 * head and n copies of unit, built once into buf (cap bytes): static
 * storage, because credshim unloads the library when its last
 * environment goes and a heap cache would then be lost.
 */
static const char *fk_repeat(char *buf, size_t cap, const char *head, const char *unit, size_t n)
{
	size_t hl = strlen(head), ul = strlen(unit), i;

	if (buf[0] || hl + ul * n >= cap)
		return buf;
	memcpy(buf, head, hl);
	for (i = 0; i < n; i++)
		memcpy(buf + hl + i * ul, unit, ul);
	buf[hl + ul * n] = '\0';
	return buf;
}

#define FK_REPEAT(size, head, unit, n)                                          \
	do {                                                                    \
		static char buf[size];                                          \
		return fk_repeat(buf, sizeof(buf), head, unit, n);              \
	} while (0)

/* 400 x 22 UTF-16 units (28 bytes): 8,800 characters. */
static const char *fk_message(void)
{
	FK_REPEAT(12000, "[fake]", "Grüße ✓ 𝄞 ABCDEFGHIJ ", 400);
}

static const char *fk_colname(void)
{
	FK_REPEAT(5000, "col_", "Ärger€𝄞x", 300);
}

static const char *fk_catalog(void)
{
	FK_REPEAT(23000, "cat_", "Öl✓𝄞 ", 2000);
}

static const char *fk_dbms(void)
{
	FK_REPEAT(5000, "Fäke DB ", "𝄞ab✓", 500);
}

static const char *fk_cursor(void)
{
	FK_REPEAT(200, "SQL_CUR_", "ü✓", 20);
}

static void *fk_get(SQLHANDLE h, enum fk_magic magic)
{
	struct fk_head *p = h;

	return p && p->magic == magic ? p : NULL;
}

static void fk_post(struct fk_head *h, const char *state, const char *msg)
{
	memcpy(h->state, state, 6);
	h->msg = msg;
	h->recsize = -1;
}

static SQLRETURN fk_error(struct fk_head *h, const char *state, const char *msg)
{
	fk_post(h, state, msg);
	return SQL_ERROR;
}

/* Bytes of s[0..n) that end on a whole UTF-8 character. */
static size_t fk_boundary(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/*
 * Writes s (n bytes) to buf of buflen bytes by the mode; *len gets the
 * length the mode reports.  diag: no 01004 posted (the diagnostic
 * functions), h: where to post it.
 */
static SQLRETURN fk_out(struct fk_head *h, enum fk_mode mode, const char *s, size_t n, void *buf,
			SQLLEN buflen, SQLLEN *len)
{
	size_t k = n;
	SQLLEN rep = (SQLLEN)n;

	if (buflen < 0)
		return h ? fk_error(h, "HY090", "[fake]invalid buffer length") : SQL_ERROR;
	if (buf && n >= (size_t)buflen) {
		k = buflen > 0 ? (size_t)buflen - 1 : 0;
		if (mode == FK_SHORT || mode == FK_QUIET)
			k = fk_boundary(s, k);
		if (mode == FK_SILENT || mode == FK_PIECES || mode == FK_QUIET)
			rep = (SQLLEN)k;
		else if (mode == FK_NOTOTAL)
			rep = SQL_NO_TOTAL;
	}
	if (buf && buflen > 0) {
		memcpy(buf, s, k);
		((char *)buf)[k] = '\0';
	}
	if (len)
		*len = rep;
	if (k == n || mode == FK_SILENT || mode == FK_PIECES || mode == FK_QUIET)
		return SQL_SUCCESS;
	if (h)
		fk_post(h, "01004", "[fake]String data, right truncated");
	return SQL_SUCCESS_WITH_INFO;
}

static SQLRETURN fk_out_s(struct fk_head *h, enum fk_mode mode, const char *s, void *buf, SQLLEN buflen,
			  SQLSMALLINT *len)
{
	SQLLEN n = 0;
	SQLRETURN rc = fk_out(h, mode, s, strlen(s), buf, buflen, &n);

	if (len && SQL_SUCCEEDED(rc))
		*len = (SQLSMALLINT)n;
	return rc;
}

/* ---- handles ---- */

FK_EXPORT SQLRETURN SQL_API SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
	struct fk_head *h;
	struct fk_dbc *d = NULL;

	if (!out)
		return SQL_ERROR;
	switch (type) {
	case SQL_HANDLE_ENV:
		h = calloc(1, sizeof(struct fk_head));
		if (!h)
			return SQL_ERROR;
		h->magic = FK_ENV;
		break;
	case SQL_HANDLE_DBC:
		if (!fk_get(in, FK_ENV))
			return SQL_INVALID_HANDLE;
		if (!(h = calloc(1, sizeof(struct fk_dbc))))
			return SQL_ERROR;
		h->magic = FK_DBC;
		break;
	case SQL_HANDLE_STMT:
		if (!(d = fk_get(in, FK_DBC)))
			return SQL_INVALID_HANDLE;
		if (!d->connected)
			return fk_error(&d->h, "08003", "[fake]not connected");
		if (!(h = calloc(1, sizeof(struct fk_stmt))))
			return SQL_ERROR;
		h->magic = FK_STMT;
		break;
	default:
		return SQL_ERROR;
	}
	h->dbc = d ? d : (struct fk_dbc *)(type == SQL_HANDLE_DBC ? h : NULL);
	*out = h;
	return SQL_SUCCESS;
}

static void fk_close(struct fk_stmt *s)
{
	free(s->text);
	s->text = NULL;
	s->ncols = 0;
	s->row = 0;
	s->gd_off = 0;
}

FK_EXPORT SQLRETURN SQL_API SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
	static const enum fk_magic magic[] = {[SQL_HANDLE_ENV] = FK_ENV, [SQL_HANDLE_DBC] = FK_DBC,
					      [SQL_HANDLE_STMT] = FK_STMT};
	struct fk_head *p;

	if (type < SQL_HANDLE_ENV || type > SQL_HANDLE_STMT)
		return SQL_ERROR;
	if (!(p = fk_get(h, magic[type])))
		return SQL_INVALID_HANDLE;
	if (type == SQL_HANDLE_STMT)
		fk_close((struct fk_stmt *)p);
	p->magic = 0;
	free(p);
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLFreeStmt(SQLHSTMT hstmt, SQLUSMALLINT option)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	if (option == SQL_DROP)
		return SQLFreeHandle(SQL_HANDLE_STMT, s);
	if (option == SQL_CLOSE)
		fk_close(s);
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLSetEnvAttr(SQLHENV henv, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
	(void)attr;
	(void)value;
	(void)len;
	return fk_get(henv, FK_ENV) ? SQL_SUCCESS : SQL_INVALID_HANDLE;
}

/* ---- connections ---- */

FK_EXPORT SQLRETURN SQL_API SQLDriverConnect(SQLHDBC hdbc, SQLHWND hwnd, SQLCHAR *in, SQLSMALLINT inlen,
					     SQLCHAR *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
					     SQLUSMALLINT completion)
{
	static const char *const modes[] = {"Mode=honest", "Mode=short", "Mode=silent", "Mode=nototal",
					    "Mode=pieces", "Mode=quiet"};
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	const char *s = (const char *)in;
	size_t i;

	(void)hwnd;
	(void)completion;
	if (!d)
		return SQL_INVALID_HANDLE;
	if (!s || (inlen != SQL_NTS && inlen < 0))
		return fk_error(&d->h, "HY090", "[fake]invalid connection string length");
	d->mode = FK_HONEST;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strstr(s, modes[i]))
			d->mode = (enum fk_mode)i;
	d->connected = 1;
	return fk_out_s(&d->h, FK_HONEST, "fake", out, outmax, outlen);
}

FK_EXPORT SQLRETURN SQL_API SQLDisconnect(SQLHDBC hdbc)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	d->connected = 0;
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLGetInfo(SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value, SQLSMALLINT buflen,
				       SQLSMALLINT *len)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	SQLUSMALLINT u = 0;

	if (!d)
		return SQL_INVALID_HANDLE;
	d->h.msg = NULL;
	switch (type) {
	case SQL_DBMS_NAME:
		return fk_out_s(&d->h, d->mode, fk_dbms(), value, buflen, len);
	case SQL_KEYWORDS:
		return fk_out_s(&d->h, d->mode, fk_message(), value, buflen, len);
	case SQL_DRIVER_ODBC_VER:
		return fk_out_s(&d->h, FK_HONEST, "03.80", value, buflen, len);
	case SQL_GETDATA_EXTENSIONS:
	case SQL_CURSOR_COMMIT_BEHAVIOR:
	case SQL_CURSOR_ROLLBACK_BEHAVIOR:
		break;
	default:
		return fk_error(&d->h, "HY096", "[fake]information type out of range");
	}
	if (value)
		memcpy(value, &u, sizeof(u));
	if (len)
		*len = sizeof(u);
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLSetConnectAttr(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
	(void)attr;
	(void)value;
	(void)len;
	return fk_get(hdbc, FK_DBC) ? SQL_SUCCESS : SQL_INVALID_HANDLE;
}

FK_EXPORT SQLRETURN SQL_API SQLGetConnectAttr(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value,
					      SQLINTEGER buflen, SQLINTEGER *len)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	const char *s = fk_catalog();
	SQLLEN n = 0;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	d->h.msg = NULL;
	if (attr != SQL_ATTR_CURRENT_CATALOG)
		return fk_error(&d->h, "HY092", "[fake]invalid attribute");
	rc = fk_out(&d->h, d->mode, s, strlen(s), value, buflen, &n);
	if (len && SQL_SUCCEEDED(rc))
		*len = (SQLINTEGER)n;
	return rc;
}

FK_EXPORT SQLRETURN SQL_API SQLNativeSql(SQLHDBC hdbc, SQLCHAR *in, SQLINTEGER inlen, SQLCHAR *out,
					 SQLINTEGER buflen, SQLINTEGER *outlen)
{
	struct fk_dbc *d = fk_get(hdbc, FK_DBC);
	SQLLEN n = 0;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	d->h.msg = NULL;
	if (!in || (inlen != SQL_NTS && inlen < 0))
		return fk_error(&d->h, "HY090", "[fake]invalid string length");
	rc = fk_out(&d->h, d->mode, (const char *)in, inlen == SQL_NTS ? strlen((char *)in) : (size_t)inlen,
		    out, buflen, &n);
	if (outlen && SQL_SUCCEEDED(rc))
		*outlen = (SQLINTEGER)n;
	return rc;
}

/* ---- statements ---- */

FK_EXPORT SQLRETURN SQL_API SQLExecDirect(SQLHSTMT hstmt, SQLCHAR *text, SQLINTEGER len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);
	size_t n;

	if (!s)
		return SQL_INVALID_HANDLE;
	s->h.msg = NULL;
	fk_close(s);
	if (!text || (len != SQL_NTS && len < 0))
		return fk_error(&s->h, "HY090", "[fake]invalid string length");
	n = len == SQL_NTS ? strlen((char *)text) : (size_t)len;
	if (n == 4 && memcmp(text, "FAIL", 4) == 0)
		return fk_error(&s->h, "42000", fk_message());
	if (n == 4 && memcmp(text, "INFO", 4) == 0) {
		fk_post(&s->h, "01000", fk_message());
		return SQL_SUCCESS_WITH_INFO;
	}
	if (!(s->text = malloc(n + 1)))
		return fk_error(&s->h, "HY001", "[fake]out of memory");
	memcpy(s->text, text, n);
	s->text[n] = '\0';
	s->ncols = 1;
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

FK_EXPORT SQLRETURN SQL_API SQLDescribeCol(SQLHSTMT hstmt, SQLUSMALLINT col, SQLCHAR *name, SQLSMALLINT buflen,
					   SQLSMALLINT *namelen, SQLSMALLINT *type, SQLULEN *size,
					   SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	s->h.msg = NULL;
	if (col != 1 || !s->ncols)
		return fk_error(&s->h, "07009", "[fake]invalid descriptor index");
	if (type)
		*type = SQL_VARCHAR;
	if (size)
		*size = 10000;
	if (digits)
		*digits = 0;
	if (nullable)
		*nullable = SQL_NULLABLE;
	return fk_out_s(&s->h, s->h.dbc->mode, fk_colname(), name, buflen, namelen);
}

FK_EXPORT SQLRETURN SQL_API SQLColAttribute(SQLHSTMT hstmt, SQLUSMALLINT col, SQLUSMALLINT field,
					    SQLPOINTER charattr, SQLSMALLINT buflen, SQLSMALLINT *len,
					    SQLLEN *numattr)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	s->h.msg = NULL;
	if (col != 1 || !s->ncols)
		return fk_error(&s->h, "07009", "[fake]invalid descriptor index");
	if (field == SQL_DESC_NAME || field == SQL_DESC_LABEL)
		return fk_out_s(&s->h, s->h.dbc->mode, fk_colname(), charattr, buflen, len);
	if (numattr)
		*numattr = 0;
	return SQL_SUCCESS;
}

FK_EXPORT SQLRETURN SQL_API SQLGetCursorName(SQLHSTMT hstmt, SQLCHAR *name, SQLSMALLINT buflen,
					     SQLSMALLINT *len)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	s->h.msg = NULL;
	return fk_out_s(&s->h, s->h.dbc->mode, fk_cursor(), name, buflen, len);
}

FK_EXPORT SQLRETURN SQL_API SQLFetch(SQLHSTMT hstmt)
{
	struct fk_stmt *s = fk_get(hstmt, FK_STMT);

	if (!s)
		return SQL_INVALID_HANDLE;
	s->h.msg = NULL;
	if (!s->ncols)
		return fk_error(&s->h, "24000", "[fake]no result set");
	s->gd_off = 0;
	return ++s->row == 1 ? SQL_SUCCESS : SQL_NO_DATA;
}

/* ---- diagnostics ---- */

static struct fk_head *fk_diag_handle(SQLSMALLINT type, SQLHANDLE h)
{
	switch (type) {
	case SQL_HANDLE_ENV:
		return fk_get(h, FK_ENV);
	case SQL_HANDLE_DBC:
		return fk_get(h, FK_DBC);
	case SQL_HANDLE_STMT:
		return fk_get(h, FK_STMT);
	}
	return NULL;
}

/*
 * The text of record rec: the whole message, or in pieces mode the
 * rec-th piece (psqlODBC's ER_ReturnError): the piece size is set by the
 * first request on the handle's record and by every request of record 1
 * with a buffer.  NULL past the last record.
 */
static const char *fk_rec_text(struct fk_head *h, SQLSMALLINT rec, SQLLEN buflen, size_t *n)
{
	size_t len, start;

	if (!h->msg || rec < 1)
		return NULL;
	len = strlen(h->msg);
	if (!h->dbc || h->dbc->mode != FK_PIECES) {
		*n = len;
		return rec == 1 ? h->msg : NULL;
	}
	if (h->recsize < 0 || (rec == 1 && buflen > 0))
		h->recsize = buflen > 0 ? (int)buflen - 1 : (int)len;
	if (h->recsize <= 0)
		h->recsize = (int)len;
	start = (size_t)(rec - 1) * (size_t)h->recsize;
	if (start > len || (rec > 1 && start == len))
		return NULL;
	*n = len - start < (size_t)h->recsize ? len - start : (size_t)h->recsize;
	return h->msg + start;
}

static enum fk_mode fk_diag_mode(const struct fk_head *h)
{
	return h->dbc ? h->dbc->mode : FK_HONEST;
}

FK_EXPORT SQLRETURN SQL_API SQLGetDiagRec(SQLSMALLINT type, SQLHANDLE handle, SQLSMALLINT rec, SQLCHAR *state,
					  SQLINTEGER *native, SQLCHAR *msg, SQLSMALLINT buflen,
					  SQLSMALLINT *len)
{
	struct fk_head *h = fk_diag_handle(type, handle);
	const char *text;
	size_t n = 0;
	SQLLEN l = 0;
	SQLRETURN rc;

	if (!h)
		return SQL_INVALID_HANDLE;
	if (!(text = fk_rec_text(h, rec, buflen, &n)))
		return SQL_NO_DATA;
	if (state)
		memcpy(state, h->state, 6);
	if (native)
		*native = 7;
	rc = fk_out(NULL, fk_diag_mode(h), text, n, msg, buflen, &l);
	if (len && SQL_SUCCEEDED(rc))
		*len = (SQLSMALLINT)l;
	return rc;
}

FK_EXPORT SQLRETURN SQL_API SQLGetDiagField(SQLSMALLINT type, SQLHANDLE handle, SQLSMALLINT rec,
					    SQLSMALLINT field, SQLPOINTER info, SQLSMALLINT buflen,
					    SQLSMALLINT *len)
{
	struct fk_head *h = fk_diag_handle(type, handle);
	const char *text;
	size_t n = 0;
	SQLLEN l = 0;
	SQLRETURN rc;

	if (!h)
		return SQL_INVALID_HANDLE;
	if (rec == 0 && field == SQL_DIAG_NUMBER) {
		SQLINTEGER count = h->msg ? 1 : 0;

		if (info)
			memcpy(info, &count, sizeof(count));
		return SQL_SUCCESS;
	}
	if (!(text = fk_rec_text(h, rec, buflen, &n)))
		return SQL_NO_DATA;
	switch (field) {
	case SQL_DIAG_MESSAGE_TEXT:
		break;
	case SQL_DIAG_SQLSTATE:
		text = h->state;
		n = 5;
		break;
	case SQL_DIAG_NATIVE: {
		SQLINTEGER v = 7;

		if (info)
			memcpy(info, &v, sizeof(v));
		return SQL_SUCCESS;
	}
	default:
		return SQL_ERROR;
	}
	rc = fk_out(NULL, fk_diag_mode(h), text, n, info, buflen, &l);
	if (len && SQL_SUCCEEDED(rc))
		*len = (SQLSMALLINT)l;
	return rc;
}
