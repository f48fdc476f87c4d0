/* SPDX-License-Identifier: MIT */
/*
 * wconv.c - the A/W converters of odbc_api.def's CS_PAIR rows.
 *
 * forward.c calls cs_x_<name>() when the target lacks the variant the
 * application called: wide = 1 means the application called the W
 * function (UTF-16 strings) and the target has only the ANSI one (UTF-8);
 * wide = 0 the reverse.  Each converter finds the other variant (IM001
 * when the target has neither), converts the string arguments, calls it,
 * and converts output strings back, reporting truncation (01004) and full
 * lengths in the unit each function defines:
 *
 *   characters: SQLDescribeCol, SQLGetCursorName, SQLGetDescRec,
 *               SQLNativeSql and every input string length;
 *   bytes:      SQLGetInfo, SQLColAttribute, SQLGetDescField,
 *               SQLSetDescField.
 */
#include <stdint.h>
#include <string.h>

#include "api/api.h"
#include "util/strinfo.h"
#include "util/utf.h"
#include "core/xstr.h"

/* The target's other variant of function f, or NULL with IM001 on o. */
static void *cs_x_fn(struct cs_handle *o, int wide, enum cs_fn f, const char *called)
{
	void *fn = wide ? o->drv->a[f] : o->drv->w[f];

	if (!fn)
		cs_not_supported(o, called);
	return fn;
}

#define CS_X_FN(o, wide, name) cs_x_fn(o, wide, CS_FN_##name, (wide) ? #name "W" : #name)

/* Calls fn, the target's other variant, through its type: ANSI when the
 * application called W, W when it called ANSI. */
#define CS_X_CALL(name, fn, wide, ...)                                          \
	((wide) ? ((cs_pfa_##name)(fn))(__VA_ARGS__) : ((cs_pfw_##name)(fn))(__VA_ARGS__))

/* The diagnostic for a failed input conversion: a bad length or ENOMEM. */
static SQLRETURN cs_xin_fail(struct cs_handle *o, SQLLEN len)
{
	if (len < 0 && len != SQL_NTS)
		return cs_diag_add(o, CS_SHY090, "Invalid string or buffer length");
	return cs_diag_add(o, CS_SHY001, "Memory allocation error");
}

static SQLRETURN cs_xin(struct cs_handle *o, struct cs_xstr *x, int wide, const void *s, SQLLEN len,
			int in_bytes)
{
	if (cs_xstr_in(x, wide, s, len, in_bytes) != 0)
		return cs_xin_fail(o, len);
	return SQL_SUCCESS;
}

/* A converted length for an SQLSMALLINT argument: the string is also
 * NUL-terminated, so a length too long for the type becomes SQL_NTS. */
static SQLSMALLINT cs_xlen_s(const struct cs_xstr *x)
{
	return x->n > INT16_MAX ? SQL_NTS : (SQLSMALLINT)x->n;
}

/*
 * Catalog functions: a statement and up to six (string, SQLSMALLINT
 * length in characters) pairs.  CS_XIN converts them all; CS_XA(i) gives
 * the i-th as two arguments for the target.
 */
struct cs_xarg {
	const void *s;
	SQLSMALLINT len;
};

struct cs_xargs {
	struct cs_xstr s[6];
};

static void cs_xargs_free(struct cs_xargs *xa)
{
	size_t i;

	for (i = 0; i < sizeof(xa->s) / sizeof(xa->s[0]); i++)
		cs_xstr_free(&xa->s[i]);
}

static SQLRETURN cs_xargs_in(struct cs_handle *o, struct cs_xargs *xa, int wide,
			     const struct cs_xarg *arg, size_t n)
{
	size_t i;

	memset(xa, 0, sizeof(*xa));
	for (i = 0; i < n; i++) {
		if (cs_xstr_in(&xa->s[i], wide, arg[i].s, arg[i].len, 0) != 0) {
			cs_xargs_free(xa);
			return cs_xin_fail(o, arg[i].len);
		}
	}
	return SQL_SUCCESS;
}

#define CS_XIN(o, xa, wide, ...)                                                \
	cs_xargs_in(o, xa, wide, (const struct cs_xarg[]){__VA_ARGS__},         \
		    sizeof((const struct cs_xarg[]){__VA_ARGS__}) / sizeof(struct cs_xarg))
#define CS_XA(i) xa.s[i].p, cs_xlen_s(&xa.s[i])

/*
 * Output strings.  The target writes into a buffer of its own encoding
 * (struct cs_xout, sized from the application's buffer); when the target
 * reports a longer string than fitted, the buffer grows and the target is
 * called once more, so the application always gets the full length.
 */
static SQLRETURN cs_xo_begin(struct cs_handle *o, struct cs_xout *x, int wide, SQLLEN buflen,
			     int in_bytes)
{
	if (buflen < 0)
		return cs_diag_add(o, CS_SHY090, "Invalid string or buffer length");
	if (cs_xout_init(x, wide, buflen, in_bytes) != 0)
		return cs_diag_add(o, CS_SHY001, "Memory allocation error");
	return SQL_SUCCESS;
}

/* After a target call that reported tlen: 1 to call it again with x
 * enlarged (once only); *rc becomes an error when that fails. */
static int cs_xo_again(struct cs_handle *o, struct cs_xout *x, int wide, SQLRETURN *rc, SQLLEN tlen,
		       int in_bytes, int *tries)
{
	int g;

	if (!SQL_SUCCEEDED(*rc) || (*tries)++ > 0)
		return 0;
	g = cs_xout_grow(x, wide, tlen, in_bytes);
	if (g < 0)
		*rc = cs_diag_add(o, CS_SHY001, "Memory allocation error");
	return g > 0;
}

/* Converts the target's output to the application's buffer, stores the
 * length when the call succeeded, and frees x. */
static SQLRETURN cs_xo_end_s(struct cs_handle *o, struct cs_xout *x, SQLRETURN rc, int wide,
			     void *buf, SQLLEN buflen, int in_bytes, SQLSMALLINT *len)
{
	SQLLEN n = 0;

	rc = cs_xout_finish(x, o, rc, wide, buf, buflen, in_bytes, &n);
	if (SQL_SUCCEEDED(rc) && len)
		*len = n > INT16_MAX ? INT16_MAX : (SQLSMALLINT)n;
	cs_xout_free(x);
	return rc;
}

static SQLRETURN cs_xo_end_i(struct cs_handle *o, struct cs_xout *x, SQLRETURN rc, int wide,
			     void *buf, SQLLEN buflen, int in_bytes, SQLINTEGER *len)
{
	SQLLEN n = 0;

	rc = cs_xout_finish(x, o, rc, wide, buf, buflen, in_bytes, &n);
	if (SQL_SUCCEEDED(rc) && len)
		*len = n > INT32_MAX ? INT32_MAX : (SQLINTEGER)n;
	cs_xout_free(x);
	return rc;
}

/* ---- statements: input strings ---- */

/* SQLExecDirect and SQLPrepare: the same arguments, a statement text
 * (their pointer types are the same too, so one call serves both). */
static SQLRETURN cs_x_text(struct cs_handle *o, int wide, void *fn, SQLHSTMT hstmt, void *text,
			   SQLINTEGER len)
{
	struct cs_xstr xs;
	SQLRETURN rc;

	if (!fn)
		return SQL_ERROR;
	if ((rc = cs_xin(o, &xs, wide, text, len, 0)) != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLExecDirect, fn, wide, hstmt, xs.p, xs.n);
	cs_xstr_free(&xs);
	return rc;
}

SQLRETURN cs_x_SQLExecDirect(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *text, SQLINTEGER len)
{
	return cs_x_text(o, wide, CS_X_FN(o, wide, SQLExecDirect), hstmt, text, len);
}

SQLRETURN cs_x_SQLPrepare(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *text, SQLINTEGER len)
{
	return cs_x_text(o, wide, CS_X_FN(o, wide, SQLPrepare), hstmt, text, len);
}

SQLRETURN cs_x_SQLSetCursorName(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *name, SQLSMALLINT len)
{
	struct cs_xstr xs;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLSetCursorName)))
		return SQL_ERROR;
	if ((rc = cs_xin(o, &xs, wide, name, len, 0)) != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLSetCursorName, fn, wide, hstmt, xs.p, cs_xlen_s(&xs));
	cs_xstr_free(&xs);
	return rc;
}

/* ---- statements: output strings ---- */

SQLRETURN cs_x_SQLGetCursorName(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *name,
				SQLSMALLINT buflen, SQLSMALLINT *len)
{
	struct cs_xout x;
	SQLSMALLINT tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLGetCursorName)))
		return SQL_ERROR;
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 0)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLGetCursorName, fn, wide, hstmt, x.buf, cs_xbuf_s(&x), &tlen);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 0, &tries));
	return cs_xo_end_s(o, &x, rc, wide, name, buflen, 0, len);
}

SQLRETURN cs_x_SQLDescribeCol(struct cs_handle *o, int wide, SQLHSTMT hstmt, SQLUSMALLINT col, void *name,
			      SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *sqltype,
			      SQLULEN *colsize, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
	struct cs_xout x;
	SQLSMALLINT tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLDescribeCol)))
		return SQL_ERROR;
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 0)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLDescribeCol, fn, wide, hstmt, col, x.buf, cs_xbuf_s(&x), &tlen,
			       sqltype, colsize, digits, nullable);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 0, &tries));
	return cs_xo_end_s(o, &x, rc, wide, name, buflen, 0, namelen);
}

SQLRETURN cs_x_SQLColAttribute(struct cs_handle *o, int wide, SQLHSTMT hstmt, SQLUSMALLINT col,
			       SQLUSMALLINT field, SQLPOINTER charattr, SQLSMALLINT buflen,
			       SQLSMALLINT *len, SQLLEN *numattr)
{
	struct cs_xout x;
	SQLSMALLINT tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLColAttribute)))
		return SQL_ERROR;
	if (!cs_colattr_is_string(field))
		return CS_X_CALL(SQLColAttribute, fn, wide, hstmt, col, field, charattr, buflen, len,
				 numattr);
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 1)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLColAttribute, fn, wide, hstmt, col, field, x.buf, cs_xbuf_s(&x), &tlen,
			       numattr);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 1, &tries));
	return cs_xo_end_s(o, &x, rc, wide, charattr, buflen, 1, len);
}

/* ---- catalog functions ---- */

/*
 * The catalog functions that take only a statement and four (SQLTables,
 * SQLColumns, SQLColumnPrivileges, SQLProcedureColumns) or three
 * (SQLPrimaryKeys, SQLProcedures, SQLTablePrivileges) name patterns: their
 * pointer types are the same within each group, so one call serves each.
 */
static SQLRETURN cs_x_names4(struct cs_handle *o, int wide, void *fn, SQLHSTMT hstmt, void *a,
			     SQLSMALLINT alen, void *b, SQLSMALLINT blen, void *c, SQLSMALLINT clen,
			     void *d, SQLSMALLINT dlen)
{
	struct cs_xargs xa;
	SQLRETURN rc;

	if (!fn)
		return SQL_ERROR;
	rc = CS_XIN(o, &xa, wide, {a, alen}, {b, blen}, {c, clen}, {d, dlen});
	if (rc != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLTables, fn, wide, hstmt, CS_XA(0), CS_XA(1), CS_XA(2), CS_XA(3));
	cs_xargs_free(&xa);
	return rc;
}

static SQLRETURN cs_x_names3(struct cs_handle *o, int wide, void *fn, SQLHSTMT hstmt, void *a,
			     SQLSMALLINT alen, void *b, SQLSMALLINT blen, void *c, SQLSMALLINT clen)
{
	struct cs_xargs xa;
	SQLRETURN rc;

	if (!fn)
		return SQL_ERROR;
	rc = CS_XIN(o, &xa, wide, {a, alen}, {b, blen}, {c, clen});
	if (rc != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLPrimaryKeys, fn, wide, hstmt, CS_XA(0), CS_XA(1), CS_XA(2));
	cs_xargs_free(&xa);
	return rc;
}

SQLRETURN cs_x_SQLTables(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat, SQLSMALLINT catlen,
			 void *schema, SQLSMALLINT schemalen, void *table, SQLSMALLINT tablelen,
			 void *type, SQLSMALLINT typelen)
{
	return cs_x_names4(o, wide, CS_X_FN(o, wide, SQLTables), hstmt,
			   cat, catlen, schema, schemalen, table, tablelen, type, typelen);
}

SQLRETURN cs_x_SQLColumns(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat, SQLSMALLINT catlen,
			  void *schema, SQLSMALLINT schemalen, void *table, SQLSMALLINT tablelen,
			  void *column, SQLSMALLINT columnlen)
{
	return cs_x_names4(o, wide, CS_X_FN(o, wide, SQLColumns), hstmt,
			   cat, catlen, schema, schemalen, table, tablelen, column, columnlen);
}

SQLRETURN cs_x_SQLColumnPrivileges(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat,
				   SQLSMALLINT catlen, void *schema, SQLSMALLINT schemalen, void *table,
				   SQLSMALLINT tablelen, void *column, SQLSMALLINT columnlen)
{
	return cs_x_names4(o, wide, CS_X_FN(o, wide, SQLColumnPrivileges), hstmt,
			   cat, catlen, schema, schemalen, table, tablelen, column, columnlen);
}

SQLRETURN cs_x_SQLForeignKeys(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *pkcat,
			      SQLSMALLINT pkcatlen, void *pkschema, SQLSMALLINT pkschemalen,
			      void *pktable, SQLSMALLINT pktablelen, void *fkcat, SQLSMALLINT fkcatlen,
			      void *fkschema, SQLSMALLINT fkschemalen, void *fktable,
			      SQLSMALLINT fktablelen)
{
	struct cs_xargs xa;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLForeignKeys)))
		return SQL_ERROR;
	rc = CS_XIN(o, &xa, wide, {pkcat, pkcatlen}, {pkschema, pkschemalen}, {pktable, pktablelen},
		    {fkcat, fkcatlen}, {fkschema, fkschemalen}, {fktable, fktablelen});
	if (rc != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLForeignKeys, fn, wide, hstmt, CS_XA(0), CS_XA(1), CS_XA(2), CS_XA(3),
		       CS_XA(4), CS_XA(5));
	cs_xargs_free(&xa);
	return rc;
}

SQLRETURN cs_x_SQLPrimaryKeys(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat, SQLSMALLINT catlen,
			      void *schema, SQLSMALLINT schemalen, void *table, SQLSMALLINT tablelen)
{
	return cs_x_names3(o, wide, CS_X_FN(o, wide, SQLPrimaryKeys), hstmt,
			   cat, catlen, schema, schemalen, table, tablelen);
}

SQLRETURN cs_x_SQLProcedureColumns(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat,
				   SQLSMALLINT catlen, void *schema, SQLSMALLINT schemalen, void *proc,
				   SQLSMALLINT proclen, void *column, SQLSMALLINT columnlen)
{
	return cs_x_names4(o, wide, CS_X_FN(o, wide, SQLProcedureColumns), hstmt,
			   cat, catlen, schema, schemalen, proc, proclen, column, columnlen);
}

SQLRETURN cs_x_SQLProcedures(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat, SQLSMALLINT catlen,
			     void *schema, SQLSMALLINT schemalen, void *proc, SQLSMALLINT proclen)
{
	return cs_x_names3(o, wide, CS_X_FN(o, wide, SQLProcedures), hstmt,
			   cat, catlen, schema, schemalen, proc, proclen);
}

SQLRETURN cs_x_SQLSpecialColumns(struct cs_handle *o, int wide, SQLHSTMT hstmt, SQLUSMALLINT idtype,
				 void *cat, SQLSMALLINT catlen, void *schema, SQLSMALLINT schemalen,
				 void *table, SQLSMALLINT tablelen, SQLUSMALLINT scope,
				 SQLUSMALLINT nullable)
{
	struct cs_xargs xa;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLSpecialColumns)))
		return SQL_ERROR;
	rc = CS_XIN(o, &xa, wide, {cat, catlen}, {schema, schemalen}, {table, tablelen});
	if (rc != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLSpecialColumns, fn, wide, hstmt, idtype, CS_XA(0), CS_XA(1), CS_XA(2), scope,
		       nullable);
	cs_xargs_free(&xa);
	return rc;
}

SQLRETURN cs_x_SQLStatistics(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat, SQLSMALLINT catlen,
			     void *schema, SQLSMALLINT schemalen, void *table, SQLSMALLINT tablelen,
			     SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
	struct cs_xargs xa;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLStatistics)))
		return SQL_ERROR;
	rc = CS_XIN(o, &xa, wide, {cat, catlen}, {schema, schemalen}, {table, tablelen});
	if (rc != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLStatistics, fn, wide, hstmt, CS_XA(0), CS_XA(1), CS_XA(2), unique, reserved);
	cs_xargs_free(&xa);
	return rc;
}

SQLRETURN cs_x_SQLTablePrivileges(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *cat,
				  SQLSMALLINT catlen, void *schema, SQLSMALLINT schemalen, void *table,
				  SQLSMALLINT tablelen)
{
	return cs_x_names3(o, wide, CS_X_FN(o, wide, SQLTablePrivileges), hstmt,
			   cat, catlen, schema, schemalen, table, tablelen);
}

/* ---- descriptors ---- */

SQLRETURN cs_x_SQLGetDescField(struct cs_handle *o, int wide, SQLHDESC hdesc, SQLSMALLINT rec,
			       SQLSMALLINT field, SQLPOINTER value, SQLINTEGER buflen, SQLINTEGER *len)
{
	struct cs_xout x;
	SQLINTEGER tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLGetDescField)))
		return SQL_ERROR;
	if (!cs_descfield_is_string(field))
		return CS_X_CALL(SQLGetDescField, fn, wide, hdesc, rec, field, value, buflen, len);
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 1)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLGetDescField, fn, wide, hdesc, rec, field, x.buf, cs_xbuf_i(&x), &tlen);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 1, &tries));
	return cs_xo_end_i(o, &x, rc, wide, value, buflen, 1, len);
}

SQLRETURN cs_x_SQLSetDescField(struct cs_handle *o, int wide, SQLHDESC hdesc, SQLSMALLINT rec,
			       SQLSMALLINT field, SQLPOINTER value, SQLINTEGER buflen)
{
	struct cs_xstr xs;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLSetDescField)))
		return SQL_ERROR;
	if (!cs_descfield_is_string(field))
		return CS_X_CALL(SQLSetDescField, fn, wide, hdesc, rec, field, value, buflen);
	if ((rc = cs_xin(o, &xs, wide, value, buflen, 1)) != SQL_SUCCESS)
		return rc;
	rc = CS_X_CALL(SQLSetDescField, fn, wide, hdesc, rec, field, xs.p, xs.n);
	cs_xstr_free(&xs);
	return rc;
}

SQLRETURN cs_x_SQLGetDescRec(struct cs_handle *o, int wide, SQLHDESC hdesc, SQLSMALLINT rec, void *name,
			     SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
			     SQLSMALLINT *subtype, SQLLEN *length, SQLSMALLINT *precision,
			     SQLSMALLINT *scale, SQLSMALLINT *nullable)
{
	struct cs_xout x;
	SQLSMALLINT tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLGetDescRec)))
		return SQL_ERROR;
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 0)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLGetDescRec, fn, wide, hdesc, rec, x.buf, cs_xbuf_s(&x), &tlen, type,
			       subtype, length, precision, scale, nullable);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 0, &tries));
	return cs_xo_end_s(o, &x, rc, wide, name, buflen, 0, namelen);
}

/* ---- connections ---- */

SQLRETURN cs_x_SQLGetInfo(struct cs_handle *o, int wide, SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value,
			  SQLSMALLINT buflen, SQLSMALLINT *len)
{
	struct cs_xout x;
	SQLSMALLINT tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLGetInfo)))
		return SQL_ERROR;
	if (!cs_info_is_string(type))
		return CS_X_CALL(SQLGetInfo, fn, wide, hdbc, type, value, buflen, len);
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 1)) != SQL_SUCCESS)
		return rc;
	do {
		tlen = 0;
		rc = CS_X_CALL(SQLGetInfo, fn, wide, hdbc, type, x.buf, cs_xbuf_s(&x), &tlen);
	} while (cs_xo_again(o, &x, wide, &rc, tlen, 1, &tries));
	return cs_xo_end_s(o, &x, rc, wide, value, buflen, 1, len);
}

/*
 * Two workarounds for sqliteodbc 0.9998 (Debian's libsqlite3odbc.so),
 * whose SQLNativeSql copies the input with strncpy, reports the truncated
 * length without a warning, and writes a NUL into its *input* at
 * BufferLength - 1: the output buffer starts as long as the input (the
 * native text rarely differs in length), and the input copy is padded to
 * the output buffer's size so that stray write stays inside it.
 */
SQLRETURN cs_x_SQLNativeSql(struct cs_handle *o, int wide, SQLHDBC hdbc, void *in, SQLINTEGER inlen,
			    void *out, SQLINTEGER buflen, SQLINTEGER *outlen)
{
	struct cs_xstr xs;
	struct cs_xout x;
	SQLINTEGER tlen;
	int tries = 0;
	void *fn;
	SQLRETURN rc;

	if (!(fn = CS_X_FN(o, wide, SQLNativeSql)))
		return SQL_ERROR;
	if ((rc = cs_xin(o, &xs, wide, in, inlen, 0)) != SQL_SUCCESS)
		return rc;
	if ((rc = cs_xo_begin(o, &x, wide, buflen, 0)) != SQL_SUCCESS)
		goto out_free_in;
	if (xs.p && cs_xout_grow(&x, wide, (SQLLEN)(wide ? strlen(xs.p) : cs_u16_len(xs.p)), 0) < 0)
		rc = cs_diag_add(o, CS_SHY001, "Memory allocation error");
	else
		do {
			if (cs_xstr_reserve(&xs, x.bytes + sizeof(SQLWCHAR)) != 0) {
				rc = cs_diag_add(o, CS_SHY001, "Memory allocation error");
				break;
			}
			tlen = 0;
			rc = CS_X_CALL(SQLNativeSql, fn, wide, hdbc, xs.p, xs.n, x.buf, cs_xbuf_i(&x), &tlen);
		} while (cs_xo_again(o, &x, wide, &rc, tlen, 0, &tries));
	/* also frees x, and passes an error through */
	rc = cs_xo_end_i(o, &x, rc, wide, out, buflen, 0, outlen);
out_free_in:
	cs_xstr_free(&xs);
	return rc;
}
