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
 * Output strings go through cs_xout_get (core/xstr.c), which asks the
 * target until credshim holds the whole string and reports every length
 * from what it holds.  Each converter gives it a call of the target's
 * function with the buffer and length pointer credshim provides and the
 * application's other arguments (a struct cs_xc_<name>, which starts
 * with a struct cs_xcall, and cs_xc_<name>()).
 */

/* The application's side of an output string: its buffer, and where
 * its length goes (an SQLSMALLINT or SQLINTEGER, by the function). */
#define CS_XQ(w, bytes, m, b, blen, sl, il)                                     \
	(&(const struct cs_xreq){.app_wide = (w), .in_bytes = (bytes), .max = (m),  \
				 .buf = (b), .buflen = (blen), .slen = (sl), .ilen = (il)})
#define CS_XQ_S(w, bytes, b, blen, len) CS_XQ(w, bytes, CS_XOUT_MAX_S, b, blen, len, NULL)
#define CS_XQ_I(w, bytes, b, blen, len) CS_XQ(w, bytes, CS_XOUT_MAX_I, b, blen, NULL, len)

/* The head of a converter's call context (struct cs_xcall): the
 * target's other variant of name, or NULL with IM001 on o. */
#define CS_XCALL(o, wide, name, target) {CS_X_FN(o, wide, name), wide, target}

/* Calls the other variant of name through a context's head x. */
#define CS_XC_CALL(name, x, ...) CS_X_CALL(name, (x)->fn, (x)->wide, (x)->target, __VA_ARGS__)

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

static SQLRETURN cs_xc_cursor(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	return CS_XC_CALL(SQLGetCursorName, (const struct cs_xcall *)ctx, buf, (SQLSMALLINT)buflen, tlen);
}

SQLRETURN cs_x_SQLGetCursorName(struct cs_handle *o, int wide, SQLHSTMT hstmt, void *name,
				SQLSMALLINT buflen, SQLSMALLINT *len)
{
	struct cs_xcall c = CS_XCALL(o, wide, SQLGetCursorName, hstmt);

	if (!c.fn)
		return SQL_ERROR;
	return cs_xout_get(o, CS_XQ_S(wide, 0, name, buflen, len), cs_xc_cursor, &c);
}

struct cs_xc_describe {
	struct cs_xcall x;
	SQLUSMALLINT col;
	SQLSMALLINT *sqltype;
	SQLULEN *colsize;
	SQLSMALLINT *digits;
	SQLSMALLINT *nullable;
};

static SQLRETURN cs_xc_describe(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_describe *c = ctx;

	return CS_XC_CALL(SQLDescribeCol, &c->x, c->col, buf, (SQLSMALLINT)buflen, tlen, c->sqltype,
			  c->colsize, c->digits, c->nullable);
}

SQLRETURN cs_x_SQLDescribeCol(struct cs_handle *o, int wide, SQLHSTMT hstmt, SQLUSMALLINT col, void *name,
			      SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *sqltype,
			      SQLULEN *colsize, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
	struct cs_xc_describe c = {CS_XCALL(o, wide, SQLDescribeCol, hstmt), col, sqltype, colsize, digits,
				   nullable};

	if (!c.x.fn)
		return SQL_ERROR;
	return cs_xout_get(o, CS_XQ_S(wide, 0, name, buflen, namelen), cs_xc_describe, &c);
}

struct cs_xc_colattr {
	struct cs_xcall x;
	SQLUSMALLINT col;
	SQLUSMALLINT field;
	SQLLEN *numattr;
};

static SQLRETURN cs_xc_colattr(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_colattr *c = ctx;

	return CS_XC_CALL(SQLColAttribute, &c->x, c->col, c->field, buf, (SQLSMALLINT)buflen, tlen,
			  c->numattr);
}

SQLRETURN cs_x_SQLColAttribute(struct cs_handle *o, int wide, SQLHSTMT hstmt, SQLUSMALLINT col,
			       SQLUSMALLINT field, SQLPOINTER charattr, SQLSMALLINT buflen,
			       SQLSMALLINT *len, SQLLEN *numattr)
{
	struct cs_xc_colattr c = {CS_XCALL(o, wide, SQLColAttribute, hstmt), col, field, numattr};

	if (!c.x.fn)
		return SQL_ERROR;
	if (!cs_colattr_is_string(field))
		return CS_XC_CALL(SQLColAttribute, &c.x, col, field, charattr, buflen, len, numattr);
	return cs_xout_get(o, CS_XQ_S(wide, 1, charattr, buflen, len), cs_xc_colattr, &c);
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

struct cs_xc_descfield {
	struct cs_xcall x;
	SQLSMALLINT rec;
	SQLSMALLINT field;
};

static SQLRETURN cs_xc_descfield(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_descfield *c = ctx;

	return CS_XC_CALL(SQLGetDescField, &c->x, c->rec, c->field, buf, (SQLINTEGER)buflen, tlen);
}

SQLRETURN cs_x_SQLGetDescField(struct cs_handle *o, int wide, SQLHDESC hdesc, SQLSMALLINT rec,
			       SQLSMALLINT field, SQLPOINTER value, SQLINTEGER buflen, SQLINTEGER *len)
{
	struct cs_xc_descfield c = {CS_XCALL(o, wide, SQLGetDescField, hdesc), rec, field};

	if (!c.x.fn)
		return SQL_ERROR;
	if (!cs_descfield_is_string(field))
		return CS_XC_CALL(SQLGetDescField, &c.x, rec, field, value, buflen, len);
	return cs_xout_get(o, CS_XQ_I(wide, 1, value, buflen, len), cs_xc_descfield, &c);
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

struct cs_xc_descrec {
	struct cs_xcall x;
	SQLSMALLINT rec;
	SQLSMALLINT *type;
	SQLSMALLINT *subtype;
	SQLLEN *length;
	SQLSMALLINT *precision;
	SQLSMALLINT *scale;
	SQLSMALLINT *nullable;
};

static SQLRETURN cs_xc_descrec(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_descrec *c = ctx;

	return CS_XC_CALL(SQLGetDescRec, &c->x, c->rec, buf, (SQLSMALLINT)buflen, tlen, c->type,
			  c->subtype, c->length, c->precision, c->scale, c->nullable);
}

SQLRETURN cs_x_SQLGetDescRec(struct cs_handle *o, int wide, SQLHDESC hdesc, SQLSMALLINT rec, void *name,
			     SQLSMALLINT buflen, SQLSMALLINT *namelen, SQLSMALLINT *type,
			     SQLSMALLINT *subtype, SQLLEN *length, SQLSMALLINT *precision,
			     SQLSMALLINT *scale, SQLSMALLINT *nullable)
{
	struct cs_xc_descrec c = {CS_XCALL(o, wide, SQLGetDescRec, hdesc), rec, type, subtype, length,
				  precision, scale, nullable};

	if (!c.x.fn)
		return SQL_ERROR;
	return cs_xout_get(o, CS_XQ_S(wide, 0, name, buflen, namelen), cs_xc_descrec, &c);
}

/* ---- connections ---- */

struct cs_xc_info {
	struct cs_xcall x;
	SQLUSMALLINT type;
};

static SQLRETURN cs_xc_info(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_info *c = ctx;

	return CS_XC_CALL(SQLGetInfo, &c->x, c->type, buf, (SQLSMALLINT)buflen, tlen);
}

SQLRETURN cs_x_SQLGetInfo(struct cs_handle *o, int wide, SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value,
			  SQLSMALLINT buflen, SQLSMALLINT *len)
{
	struct cs_xc_info c = {CS_XCALL(o, wide, SQLGetInfo, hdbc), type};

	if (!c.x.fn)
		return SQL_ERROR;
	if (!cs_info_is_string(type))
		return CS_XC_CALL(SQLGetInfo, &c.x, type, value, buflen, len);
	return cs_xout_get(o, CS_XQ_S(wide, 1, value, buflen, len), cs_xc_info, &c);
}

/*
 * Two workarounds for sqliteodbc 0.9998 (Debian's libsqlite3odbc.so),
 * whose SQLNativeSql copies the input with strncpy, reports the truncated
 * length without a warning, and writes a NUL into its *input* at
 * BufferLength - 1: the output buffer starts as long as the input (the
 * native text rarely differs in length), and the input copy is padded to
 * the output buffer's size before each call so that stray write stays
 * inside it.  (The silent truncation itself is what cs_xout_ask's rule
 * for a buffer filled exactly is for.)
 */
struct cs_xc_native {
	struct cs_xcall x;
	struct cs_xstr *in;
	struct cs_handle *o;
};

static SQLRETURN cs_xc_native(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_native *c = ctx;

	if (cs_xstr_reserve(c->in, (size_t)buflen * (c->x.wide ? 1 : sizeof(SQLWCHAR)) + sizeof(SQLWCHAR)) != 0)
		return cs_diag_add(c->o, CS_SHY001, "Memory allocation error");
	return CS_XC_CALL(SQLNativeSql, &c->x, c->in->p, c->in->n, buf, (SQLINTEGER)buflen, tlen);
}

SQLRETURN cs_x_SQLNativeSql(struct cs_handle *o, int wide, SQLHDBC hdbc, void *in, SQLINTEGER inlen,
			    void *out, SQLINTEGER buflen, SQLINTEGER *outlen)
{
	struct cs_xstr xs;
	struct cs_xc_native c = {CS_XCALL(o, wide, SQLNativeSql, hdbc), &xs, o};
	struct cs_xreq r = *CS_XQ_I(wide, 0, out, buflen, outlen);
	SQLRETURN rc;

	if (!c.x.fn)
		return SQL_ERROR;
	if ((rc = cs_xin(o, &xs, wide, in, inlen, 0)) != SQL_SUCCESS)
		return rc;
	if (xs.p)
		r.min_units = wide ? strlen(xs.p) : cs_u16_len(xs.p);
	rc = cs_xout_get(o, &r, cs_xc_native, &c);
	cs_xstr_free(&xs);
	return rc;
}
