/* SPDX-License-Identifier: MIT */
/*
 * difftest.c - the differential test: one fixed script of ODBC calls,
 * printed as a normalized transcript.
 *
 *   difftest DSN ansi|wide [TABLE]
 *
 * Run once against a target driver's own DSN and once against the credshim
 * DSN in front of it (tests/integration/difftest.sh), the two transcripts
 * must be byte for byte the same: credshim promises the application sees
 * exactly what the target driver would show it.
 *
 * Every call prints its name (with the arguments that matter), its return
 * code, every output it produced (strings, lengths, numbers, descriptor
 * fields) and every diagnostic record the driver manager then holds for the
 * handle.  Pointers and handle values are never printed, only facts about
 * them ("same handle: yes").  In 'wide' mode every call with a string
 * argument is the W function, in 'ansi' mode the A function; strings are
 * printed as UTF-8 with invalid bytes and control characters escaped.
 *
 * The few outputs that legitimately depend on which DSN was used are
 * normalized where they are printed, each with a comment saying why.
 *
 * TABLE (default cs_difftest) names the table the script creates and
 * drops; it appears in the transcript, so both runs of a comparison must
 * be given the same one.
 *
 * CS_DIFFTEST_QUIRKS (environment, both runs of a comparison alike) names,
 * separated by blanks, steps a target cannot survive even when called
 * directly; each is then left out, and the transcript says so:
 *   shallow_ird_copy  SQLCopyDesc from an IRD shares the IRD's strings, so
 *                     freeing the copy after the statement frees them twice
 *                     (MariaDB Connector/ODBC 3.1: abort in SQLFreeHandle).
 *   server_name_not_dsn the target's SQL_DIAG_SERVER_NAME is not the DSN
 *                     connected to (MariaDB Connector/ODBC 3.1): credshim
 *                     answers its own DSN there, as the ODBC reference
 *                     defines the field (SQLGetInfo's SQL_DATA_SOURCE_NAME),
 *                     so only the return code is compared.
 *   out_string_app_keys the target's completed connection string depends
 *                     on whether it was given a DSN of its own: MariaDB
 *                     echoes its input, SQLite fills its defaults from its
 *                     DSN; through credshim (TargetDriver) it gets the
 *                     DSN's keys instead.  Only the keys the application
 *                     wrote are compared in it.
 *   text_length_as_is the target reads a statement text's explicit length
 *                     as is, past a NUL inside it, and crashes in its
 *                     parser on the NUL (MariaDB Connector/ODBC 3.1,
 *                     called directly, under ASan); the statement texts
 *                     are then given their exact length instead of their
 *                     buffer's.
 *
 * Exit status: 0 when the script ran to the end
 * (failed calls are part of the transcript), 2 when the connection could
 * not be opened, 1 on a usage error.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#define TB_CHARS 4096

/* An output string buffer of either width. */
struct tb {
	union {
		SQLCHAR a[TB_CHARS];
		SQLWCHAR w[TB_CHARS];
	} u;
};

static int g_wide;
static const char *g_dsn;
static const char *g_table;
static SQLHENV g_env;
static SQLHDBC g_dbc;
static int g_shallow_ird_copy;	/* CS_DIFFTEST_QUIRKS: shallow_ird_copy */
static int g_server_name_not_dsn;	/* CS_DIFFTEST_QUIRKS: server_name_not_dsn */
static int g_out_string_app_keys;	/* CS_DIFFTEST_QUIRKS: out_string_app_keys */
static int g_text_length_as_is;	/* CS_DIFFTEST_QUIRKS: text_length_as_is */

/* ---- printing ---------------------------------------------------------- */

static void put_cp(unsigned long cp)
{
	if (cp == '"' || cp == '\\')
		printf("\\%c", (int)cp);
	else if (cp == '\n')
		fputs("\\n", stdout);
	else if (cp == '\t')
		fputs("\\t", stdout);
	else if (cp == '\r')
		fputs("\\r", stdout);
	else if (cp < 0x20 || cp == 0x7f)
		printf("\\x%02lX", cp);
	else if (cp < 0x80)
		putchar((int)cp);
	else if (cp < 0x800)
		printf("%c%c", (int)(0xC0 | (cp >> 6)), (int)(0x80 | (cp & 0x3F)));
	else if (cp < 0x10000)
		printf("%c%c%c", (int)(0xE0 | (cp >> 12)), (int)(0x80 | ((cp >> 6) & 0x3F)),
		       (int)(0x80 | (cp & 0x3F)));
	else
		printf("%c%c%c%c", (int)(0xF0 | (cp >> 18)), (int)(0x80 | ((cp >> 12) & 0x3F)),
		       (int)(0x80 | ((cp >> 6) & 0x3F)), (int)(0x80 | (cp & 0x3F)));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* n bytes, quoted; invalid UTF-8 bytes as \xNN. */
static void put_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long cp;
	size_t i = 0, k;

	putchar('"');
	while (i < n) {
		k = utf8_seq(s + i, n - i, &cp);
		if (k == 0) {
			printf("\\x%02X", s[i]);
			k = 1;
		} else {
			put_cp(cp);
		}
		i += k;
	}
	putchar('"');
}

static size_t wlen(const SQLWCHAR *w)
{
	size_t n = 0;

	while (w[n])
		n++;
	return n;
}

/* n UTF-16 units, quoted; unpaired surrogates as \uXXXX. */
static void put_wide(const SQLWCHAR *w, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned long c = w[i];

		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && w[i + 1] >= 0xDC00 && w[i + 1] <= 0xDFFF) {
			c = 0x10000 + ((c - 0xD800) << 10) + (w[i + 1] - 0xDC00u);
			i++;
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			printf("\\u%04lX", c);
			continue;
		}
		put_cp(c);
	}
	putchar('"');
}

/* A NUL-terminated output string of the current mode. */
static void put_t(const struct tb *b)
{
	if (g_wide)
		put_wide(b->u.w, wlen(b->u.w));
	else
		put_bytes(b->u.a, strlen((const char *)b->u.a));
}

static void tb_clear(struct tb *b)
{
	memset(b, 0, sizeof(*b));
}

static const char *rcname(SQLRETURN rc)
{
	static char buf[32];

	switch (rc) {
	case SQL_SUCCESS: return "SQL_SUCCESS";
	case SQL_SUCCESS_WITH_INFO: return "SQL_SUCCESS_WITH_INFO";
	case SQL_ERROR: return "SQL_ERROR";
	case SQL_INVALID_HANDLE: return "SQL_INVALID_HANDLE";
	case SQL_NO_DATA: return "SQL_NO_DATA";
	case SQL_NEED_DATA: return "SQL_NEED_DATA";
	case SQL_STILL_EXECUTING: return "SQL_STILL_EXECUTING";
	default:
		snprintf(buf, sizeof(buf), "rc=%d", (int)rc);
		return buf;
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- strings in ------------------------------------------------------- */

/* UTF-8 to UTF-16 (NUL-terminated; input is trusted test text). */
static size_t u16_from(const char *s, SQLWCHAR *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, len = strlen(s), i = 0, k;
	unsigned long cp;

	while (i < len && n + 2 < cap) {
		k = utf8_seq(p + i, len - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out[n++] = (SQLWCHAR)(0xD800 + (cp >> 10));
			out[n++] = (SQLWCHAR)(0xDC00 + (cp & 0x3FF));
		} else {
			out[n++] = (SQLWCHAR)cp;
		}
	}
	out[n] = 0;
	return n;
}

/* A string argument in the current mode: the text itself (ANSI) or a
 * UTF-16 copy in one of eight rotating buffers (wide). */
static SQLPOINTER tin(const char *s)
{
	static SQLWCHAR ring[8][TB_CHARS];
	static unsigned next;
	SQLWCHAR *b;

	if (!s)
		return NULL;
	if (!g_wide)
		return (SQLPOINTER)(uintptr_t)s;
	b = ring[next++ % 8];
	u16_from(s, b, TB_CHARS);
	return b;
}

/* A SQLSTATE from a buffer of the current mode, as ASCII. */
static void state_str(const void *buf, char out[6])
{
	int i;

	for (i = 0; i < 5; i++)
		out[i] = g_wide ? (char)((const SQLWCHAR *)buf)[i] : (char)((const SQLCHAR *)buf)[i];
	out[5] = 0;
}

/* Bytes per character of the current mode: the unit of the byte-length
 * arguments of the W functions. */
static SQLSMALLINT tch(void)
{
	return g_wide ? (SQLSMALLINT)sizeof(SQLWCHAR) : 1;
}

static SQLSMALLINT tctype(void)
{
	return g_wide ? SQL_C_WCHAR : SQL_C_CHAR;
}

/* ---- the A/W wrappers ------------------------------------------------- */

static SQLRETURN x_diagrec(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec, void *state, SQLINTEGER *native,
			   struct tb *msg, SQLSMALLINT cap, SQLSMALLINT *len)
{
	return g_wide ? SQLGetDiagRecW(ht, h, rec, state, native, msg->u.w, cap, len)
		      : SQLGetDiagRec(ht, h, rec, state, native, msg->u.a, cap, len);
}

static SQLRETURN x_diagfield(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER v,
			     SQLSMALLINT buflen, SQLSMALLINT *len)
{
	return g_wide ? SQLGetDiagFieldW(ht, h, rec, field, v, buflen, len)
		      : SQLGetDiagField(ht, h, rec, field, v, buflen, len);
}

static SQLRETURN x_error(SQLHENV e, SQLHDBC d, SQLHSTMT s, void *state, SQLINTEGER *native, struct tb *msg,
			 SQLSMALLINT cap, SQLSMALLINT *len)
{
	return g_wide ? SQLErrorW(e, d, s, state, native, msg->u.w, cap, len)
		      : SQLError(e, d, s, state, native, msg->u.a, cap, len);
}

static SQLRETURN x_exec(SQLHSTMT s, const char *sql)
{
	return g_wide ? SQLExecDirectW(s, tin(sql), SQL_NTS) : SQLExecDirect(s, tin(sql), SQL_NTS);
}

static SQLRETURN x_prepare(SQLHSTMT s, const char *sql)
{
	return g_wide ? SQLPrepareW(s, tin(sql), SQL_NTS) : SQLPrepare(s, tin(sql), SQL_NTS);
}

static SQLRETURN x_getinfo(SQLUSMALLINT type, SQLPOINTER v, SQLSMALLINT buflen, SQLSMALLINT *len)
{
	return g_wide ? SQLGetInfoW(g_dbc, type, v, buflen, len) : SQLGetInfo(g_dbc, type, v, buflen, len);
}

static SQLRETURN x_setconnattr(SQLINTEGER attr, SQLPOINTER v, SQLINTEGER len)
{
	return g_wide ? SQLSetConnectAttrW(g_dbc, attr, v, len) : SQLSetConnectAttr(g_dbc, attr, v, len);
}

static SQLRETURN x_getconnattr(SQLINTEGER attr, SQLPOINTER v, SQLINTEGER buflen, SQLINTEGER *len)
{
	return g_wide ? SQLGetConnectAttrW(g_dbc, attr, v, buflen, len)
		      : SQLGetConnectAttr(g_dbc, attr, v, buflen, len);
}

static SQLRETURN x_setstmtattr(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v, SQLINTEGER len)
{
	return g_wide ? SQLSetStmtAttrW(s, attr, v, len) : SQLSetStmtAttr(s, attr, v, len);
}

static SQLRETURN x_getstmtattr(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v, SQLINTEGER buflen, SQLINTEGER *len)
{
	return g_wide ? SQLGetStmtAttrW(s, attr, v, buflen, len) : SQLGetStmtAttr(s, attr, v, buflen, len);
}

static SQLRETURN x_describecol(SQLHSTMT s, SQLUSMALLINT col, struct tb *name, SQLSMALLINT cap, SQLSMALLINT *namelen,
			       SQLSMALLINT *type, SQLULEN *size, SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
	return g_wide ? SQLDescribeColW(s, col, name->u.w, cap, namelen, type, size, digits, nullable)
		      : SQLDescribeCol(s, col, name->u.a, cap, namelen, type, size, digits, nullable);
}

static SQLRETURN x_colattr(SQLHSTMT s, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER cbuf, SQLSMALLINT buflen,
			   SQLSMALLINT *len, SQLLEN *num)
{
	return g_wide ? SQLColAttributeW(s, col, field, cbuf, buflen, len, num)
		      : SQLColAttribute(s, col, field, cbuf, buflen, len, num);
}

static SQLRETURN x_colattrs(SQLHSTMT s, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER cbuf, SQLSMALLINT buflen,
			    SQLSMALLINT *len, SQLLEN *num)
{
	return g_wide ? SQLColAttributesW(s, col, field, cbuf, buflen, len, num)
		      : SQLColAttributes(s, col, field, cbuf, buflen, len, num);
}

static SQLRETURN x_getdescfield(SQLHDESC d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER v, SQLINTEGER buflen,
				SQLINTEGER *len)
{
	return g_wide ? SQLGetDescFieldW(d, rec, field, v, buflen, len) : SQLGetDescField(d, rec, field, v, buflen, len);
}

static SQLRETURN x_setdescfield(SQLHDESC d, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER v, SQLINTEGER buflen)
{
	return g_wide ? SQLSetDescFieldW(d, rec, field, v, buflen) : SQLSetDescField(d, rec, field, v, buflen);
}

static SQLRETURN x_getdescrec(SQLHDESC d, SQLSMALLINT rec, struct tb *name, SQLSMALLINT cap, SQLSMALLINT *namelen,
			      SQLSMALLINT *type, SQLSMALLINT *sub, SQLLEN *length, SQLSMALLINT *prec,
			      SQLSMALLINT *scale, SQLSMALLINT *nullable)
{
	return g_wide ? SQLGetDescRecW(d, rec, name->u.w, cap, namelen, type, sub, length, prec, scale, nullable)
		      : SQLGetDescRec(d, rec, name->u.a, cap, namelen, type, sub, length, prec, scale, nullable);
}

static SQLRETURN x_nativesql(const char *in, struct tb *out, SQLINTEGER cap, SQLINTEGER *len)
{
	return g_wide ? SQLNativeSqlW(g_dbc, tin(in), SQL_NTS, out->u.w, cap, len)
		      : SQLNativeSql(g_dbc, tin(in), SQL_NTS, out->u.a, cap, len);
}

static SQLRETURN x_getcursorname(SQLHSTMT s, struct tb *out, SQLSMALLINT cap, SQLSMALLINT *len)
{
	return g_wide ? SQLGetCursorNameW(s, out->u.w, cap, len) : SQLGetCursorName(s, out->u.a, cap, len);
}

static SQLRETURN x_setcursorname(SQLHSTMT s, const char *name)
{
	return g_wide ? SQLSetCursorNameW(s, tin(name), SQL_NTS) : SQLSetCursorName(s, tin(name), SQL_NTS);
}

static SQLRETURN x_typeinfo(SQLHSTMT s, SQLSMALLINT type)
{
	return g_wide ? SQLGetTypeInfoW(s, type) : SQLGetTypeInfo(s, type);
}

/* The catalog functions, by number, with NULL catalog and schema. */
enum cat_fn { CAT_TABLES, CAT_COLUMNS, CAT_PKEYS, CAT_STATS, CAT_SPECIAL };

static SQLRETURN x_catalog(SQLHSTMT s, enum cat_fn f, const char *table, const char *extra)
{
	switch (f) {
	case CAT_TABLES:
		return g_wide ? SQLTablesW(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, tin(extra), SQL_NTS)
			      : SQLTables(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, tin(extra), SQL_NTS);
	case CAT_COLUMNS:
		return g_wide ? SQLColumnsW(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, NULL, 0)
			      : SQLColumns(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, NULL, 0);
	case CAT_PKEYS:
		return g_wide ? SQLPrimaryKeysW(s, NULL, 0, NULL, 0, tin(table), SQL_NTS)
			      : SQLPrimaryKeys(s, NULL, 0, NULL, 0, tin(table), SQL_NTS);
	case CAT_STATS:
		return g_wide ? SQLStatisticsW(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK)
			      : SQLStatistics(s, NULL, 0, NULL, 0, tin(table), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK);
	case CAT_SPECIAL:
		return g_wide ? SQLSpecialColumnsW(s, SQL_BEST_ROWID, NULL, 0, NULL, 0, tin(table), SQL_NTS,
						   SQL_SCOPE_SESSION, SQL_NULLABLE)
			      : SQLSpecialColumns(s, SQL_BEST_ROWID, NULL, 0, NULL, 0, tin(table), SQL_NTS,
						  SQL_SCOPE_SESSION, SQL_NULLABLE);
	}
	return SQL_ERROR;
}

/* ---- diagnostics ------------------------------------------------------ */

static const char *htname(SQLSMALLINT ht)
{
	switch (ht) {
	case SQL_HANDLE_ENV: return "env";
	case SQL_HANDLE_DBC: return "dbc";
	case SQL_HANDLE_STMT: return "stmt";
	case SQL_HANDLE_DESC: return "desc";
	default: return "?";
	}
}

/* Every diagnostic record the handle holds, by SQLGetDiagRec. */
static void diags(SQLSMALLINT ht, SQLHANDLE h)
{
	SQLSMALLINT rec, len;
	SQLINTEGER native;
	SQLWCHAR state[6];
	struct tb msg;
	char st[6];
	SQLRETURN rc;

	for (rec = 1; rec <= 50; rec++) {
		memset(state, 0, sizeof(state));
		tb_clear(&msg);
		native = -999;
		len = -999;
		rc = x_diagrec(ht, h, rec, state, &native, &msg, TB_CHARS, &len);
		if (rc == SQL_NO_DATA)
			return;
		if (!SQL_SUCCEEDED(rc)) {
			say("    diag %s[%d]: SQLGetDiagRec -> %s", htname(ht), rec, rcname(rc));
			return;
		}
		state_str(state, st);
		printf("    diag %s[%d]: %s native=%ld len=%d%s ", htname(ht), rec, st, (long)native, len,
		       rc == SQL_SUCCESS ? "" : " (SQL_SUCCESS_WITH_INFO)");
		put_t(&msg);
		putchar('\n');
	}
	say("    diag %s: more than 50 records", htname(ht));
}

/* Prints "what -> rc" and the diagnostics the call left; returns rc. */
static SQLRETURN chk(const char *what, SQLRETURN rc, SQLSMALLINT ht, SQLHANDLE h)
{
	say("%s -> %s", what, rcname(rc));
	if (h)
		diags(ht, h);
	return rc;
}

static void diagfield_str(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field, const char *name)
{
	struct tb b;
	SQLSMALLINT len = -999;
	SQLRETURN rc;

	tb_clear(&b);
	rc = x_diagfield(ht, h, rec, field, b.u.a, (SQLSMALLINT)(TB_CHARS * tch()), &len);
	printf("    [%d] %s -> %s len=%d ", rec, name, rcname(rc), len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
}

/* The DSN connected to, in the current mode, is what b holds? */
static int is_dsn(const struct tb *b)
{
	SQLWCHAR want[256];

	if (!g_wide)
		return strcmp((const char *)b->u.a, g_dsn) == 0;
	u16_from(g_dsn, want, 256);
	return wlen(b->u.w) == wlen(want) && memcmp(b->u.w, want, wlen(want) * sizeof(SQLWCHAR)) == 0;
}

/*
 * SQL_DIAG_SERVER_NAME is, by the ODBC reference, SQLGetInfo's
 * SQL_DATA_SOURCE_NAME: the DSN connected to, which differs between the
 * two runs by construction.  Printed as whether it is that DSN.
 */
static void diagfield_dsn(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec)
{
	struct tb b;
	SQLSMALLINT len = -999;
	SQLRETURN rc;

	tb_clear(&b);
	rc = x_diagfield(ht, h, rec, SQL_DIAG_SERVER_NAME, b.u.a, (SQLSMALLINT)(TB_CHARS * tch()), &len);
	if (g_server_name_not_dsn && SQL_SUCCEEDED(rc))
		say("    [%d] SQL_DIAG_SERVER_NAME -> %s (not compared: the target answers no DSN)", rec,
		    rcname(rc));
	else
		say("    [%d] SQL_DIAG_SERVER_NAME -> %s the DSN connected to: %s", rec, rcname(rc),
		    SQL_SUCCEEDED(rc) && is_dsn(&b) ? "yes" : "no");
}

static void diagfield_num(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field, const char *name,
			  int is_len)
{
	SQLLEN v = -999;
	SQLINTEGER iv = -999;
	SQLRETURN rc;

	if (is_len) {
		rc = x_diagfield(ht, h, rec, field, &v, 0, NULL);
		say("    [%d] %s -> %s %ld", rec, name, rcname(rc), SQL_SUCCEEDED(rc) ? (long)v : -999L);
	} else {
		rc = x_diagfield(ht, h, rec, field, &iv, 0, NULL);
		say("    [%d] %s -> %s %ld", rec, name, rcname(rc), SQL_SUCCEEDED(rc) ? (long)iv : -999L);
	}
}

/* A numeric field of which only the return code is printed. */
static void diagfield_rc(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field, const char *name)
{
	SQLLEN v = 0;

	say("    [%d] %s -> %s", rec, name, rcname(x_diagfield(ht, h, rec, field, &v, 0, NULL)));
}

/*
 * The diagnostics of a handle field by field with SQLGetDiagField: the
 * header, then per record SQLSTATE, native error, message text and the
 * origin fields.
 */
static void diag_fields(SQLSMALLINT ht, SQLHANDLE h)
{
	SQLINTEGER n = -999;
	SQLSMALLINT rc16 = -999;
	SQLRETURN rc;
	int rec;

	rc = x_diagfield(ht, h, 0, SQL_DIAG_NUMBER, &n, 0, NULL);
	say("  SQLGetDiagField(%s, SQL_DIAG_NUMBER) -> %s %ld", htname(ht), rcname(rc), (long)n);
	rc = x_diagfield(ht, h, 0, SQL_DIAG_RETURNCODE, &rc16, 0, NULL);
	say("  SQLGetDiagField(%s, SQL_DIAG_RETURNCODE) -> %s %d", htname(ht), rcname(rc), rc16);
	if (ht == SQL_HANDLE_STMT) {
		diagfield_num(ht, h, 0, SQL_DIAG_ROW_COUNT, "SQL_DIAG_ROW_COUNT", 1);
		diagfield_str(ht, h, 0, SQL_DIAG_DYNAMIC_FUNCTION, "SQL_DIAG_DYNAMIC_FUNCTION");
		diagfield_num(ht, h, 0, SQL_DIAG_DYNAMIC_FUNCTION_CODE, "SQL_DIAG_DYNAMIC_FUNCTION_CODE", 0);
	}
	if (!SQL_SUCCEEDED(rc) || n < 0 || n > 50)
		return;
	for (rec = 1; rec <= n; rec++) {
		diagfield_str(ht, h, (SQLSMALLINT)rec, SQL_DIAG_SQLSTATE, "SQL_DIAG_SQLSTATE");
		diagfield_num(ht, h, (SQLSMALLINT)rec, SQL_DIAG_NATIVE, "SQL_DIAG_NATIVE", 0);
		diagfield_str(ht, h, (SQLSMALLINT)rec, SQL_DIAG_MESSAGE_TEXT, "SQL_DIAG_MESSAGE_TEXT");
		diagfield_str(ht, h, (SQLSMALLINT)rec, SQL_DIAG_CLASS_ORIGIN, "SQL_DIAG_CLASS_ORIGIN");
		diagfield_str(ht, h, (SQLSMALLINT)rec, SQL_DIAG_SUBCLASS_ORIGIN, "SQL_DIAG_SUBCLASS_ORIGIN");
		diagfield_str(ht, h, (SQLSMALLINT)rec, SQL_DIAG_CONNECTION_NAME, "SQL_DIAG_CONNECTION_NAME");
		diagfield_dsn(ht, h, (SQLSMALLINT)rec);
		if (ht == SQL_HANDLE_STMT) {
			/*
			 * Return codes only: for a record it read with the
			 * driver's SQLError (SQLite's, whose SQLGetFunctions
			 * denies SQLGetDiagRec), unixODBC 2.3.11 answers these
			 * two with SQL_SUCCESS and uninitialized memory
			 * (SQLGetDiagField.c copies ptr->diag_row_number without
			 * looking at diag_row_number_ret), a different number
			 * on every run.
			 */
			diagfield_rc(ht, h, (SQLSMALLINT)rec, SQL_DIAG_ROW_NUMBER, "SQL_DIAG_ROW_NUMBER");
			diagfield_rc(ht, h, (SQLSMALLINT)rec, SQL_DIAG_COLUMN_NUMBER, "SQL_DIAG_COLUMN_NUMBER");
		}
	}
	/* One past the last record. */
	rc = x_diagfield(ht, h, (SQLSMALLINT)(n + 1), SQL_DIAG_SQLSTATE, NULL, 0, NULL);
	say("  SQLGetDiagField(%s, record %ld, SQL_DIAG_SQLSTATE) -> %s", htname(ht), (long)n + 1, rcname(rc));
}

/* SQLGetDiagRec of record 1 into a buffer of cap characters. */
static void diag_truncated(SQLSMALLINT ht, SQLHANDLE h, SQLSMALLINT cap)
{
	SQLWCHAR state[6];
	SQLINTEGER native = -999;
	SQLSMALLINT len = -999;
	struct tb msg;
	char st[6];
	SQLRETURN rc;

	memset(state, 0, sizeof(state));
	tb_clear(&msg);
	rc = x_diagrec(ht, h, 1, state, &native, &msg, cap, &len);
	state_str(state, st);
	printf("  SQLGetDiagRec(%s, 1, buffer %d chars) -> %s %s native=%ld len=%d ", htname(ht), cap, rcname(rc),
	       SQL_SUCCEEDED(rc) ? st : "-", (long)native, len);
	if (SQL_SUCCEEDED(rc))
		put_t(&msg);
	putchar('\n');
}

/* SQLError (ODBC 2) on the handle triple until it says SQL_NO_DATA. */
static void sqlerror_loop(const char *what, SQLHENV e, SQLHDBC d, SQLHSTMT s)
{
	SQLWCHAR state[6];
	SQLINTEGER native;
	SQLSMALLINT len;
	struct tb msg;
	char st[6];
	SQLRETURN rc;
	int i;

	for (i = 1; i <= 50; i++) {
		memset(state, 0, sizeof(state));
		tb_clear(&msg);
		native = -999;
		len = -999;
		rc = x_error(e, d, s, state, &native, &msg, TB_CHARS, &len);
		printf("  SQLError(%s) #%d -> %s", what, i, rcname(rc));
		if (SQL_SUCCEEDED(rc)) {
			state_str(state, st);
			printf(" %s native=%ld len=%d ", st, (long)native, len);
			put_t(&msg);
		}
		putchar('\n');
		if (!SQL_SUCCEEDED(rc))
			return;
	}
	say("  SQLError(%s): more than 50 records", what);
}

/* ---- statements ------------------------------------------------------- */

static SQLHSTMT new_stmt(void)
{
	SQLHSTMT s = SQL_NULL_HSTMT;

	chk("SQLAllocHandle(STMT)", SQLAllocHandle(SQL_HANDLE_STMT, g_dbc, &s), SQL_HANDLE_DBC, g_dbc);
	return s;
}

static void free_stmt(SQLHSTMT s)
{
	if (s)
		chk("SQLFreeHandle(STMT)", SQLFreeHandle(SQL_HANDLE_STMT, s), 0, NULL);
}

/* Executes SQL without printing anything (set-up that may or may not
 * have work to do, such as dropping a table left by an aborted run). */
static void quiet_exec(const char *sql)
{
	SQLHSTMT s = SQL_NULL_HSTMT;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, g_dbc, &s)))
		return;
	x_exec(s, sql);
	SQLFreeHandle(SQL_HANDLE_STMT, s);
}

static SQLRETURN exec_show(SQLHSTMT s, const char *sql)
{
	char what[600];

	snprintf(what, sizeof(what), "SQLExecDirect(%s)", sql);
	return chk(what, x_exec(s, sql), SQL_HANDLE_STMT, s);
}

static void rowcount(SQLHSTMT s)
{
	SQLLEN n = -999;
	SQLRETURN rc = SQLRowCount(s, &n);

	say("SQLRowCount -> %s %ld", rcname(rc), (long)n);
	diags(SQL_HANDLE_STMT, s);
}

static void describe_col(SQLHSTMT s, SQLUSMALLINT col)
{
	struct tb name;
	SQLSMALLINT namelen = -999, type = -999, digits = -999, nullable = -999;
	SQLULEN size = 0;
	SQLRETURN rc;

	tb_clear(&name);
	rc = x_describecol(s, col, &name, 256, &namelen, &type, &size, &digits, &nullable);
	printf("  SQLDescribeCol(%u) -> %s name=", col, rcname(rc));
	if (SQL_SUCCEEDED(rc))
		put_t(&name);
	printf(" namelen=%d type=%d size=%lu digits=%d nullable=%d\n", namelen, type, (unsigned long)size, digits,
	       nullable);
	diags(SQL_HANDLE_STMT, s);
}

/* SQLGetData of one column as text of the current mode, whole. */
static SQLRETURN getdata_text(SQLHSTMT s, SQLUSMALLINT col)
{
	struct tb b;
	SQLLEN ind = -999;
	SQLRETURN rc;

	tb_clear(&b);
	rc = SQLGetData(s, col, tctype(), b.u.a, (SQLLEN)(TB_CHARS - 1) * tch(), &ind);
	printf("    SQLGetData(%u) -> %s ind=%ld ", col, rcname(rc), (long)ind);
	if (SQL_SUCCEEDED(rc) && ind != SQL_NULL_DATA)
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_STMT, s);
	return rc;
}

/*
 * The result set: column count, SQLDescribeCol of each shown column, then
 * up to maxrows rows by SQLFetch + SQLGetData.  Only the first maxcols
 * columns are shown: catalog functions return the standard columns first
 * and drivers may add their own after them (psqlODBC's SQLColumns adds the
 * table's OID, which changes each time the table is created, so two runs
 * would differ however correct credshim is).
 */
static void dump_result(SQLHSTMT s, int maxcols, int maxrows)
{
	SQLSMALLINT n = -999;
	SQLRETURN rc;
	int c, row, ncols;

	rc = SQLNumResultCols(s, &n);
	say("  SQLNumResultCols -> %s %d", rcname(rc), n);
	diags(SQL_HANDLE_STMT, s);
	if (!SQL_SUCCEEDED(rc) || n <= 0)
		return;
	ncols = n < maxcols ? n : maxcols;
	if (ncols < n)
		say("  (showing the first %d columns)", ncols);
	for (c = 1; c <= ncols; c++)
		describe_col(s, (SQLUSMALLINT)c);
	for (row = 1; row <= maxrows; row++) {
		rc = SQLFetch(s);
		say("  SQLFetch #%d -> %s", row, rcname(rc));
		diags(SQL_HANDLE_STMT, s);
		if (!SQL_SUCCEEDED(rc))
			break;
		for (c = 1; c <= ncols; c++)
			getdata_text(s, (SQLUSMALLINT)c);
	}
	if (row > maxrows)
		say("  (stopped after %d rows)", maxrows);
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);
}

/*
 * A connection string in the current mode in a buffer of cap characters,
 * NUL-padded, with text after the NUL that must never be read: an
 * application that passes its buffer size as the length.
 */
static SQLPOINTER tin_padded(const char *s, const char *junk, size_t cap)
{
	static SQLWCHAR w[TB_CHARS];
	static SQLCHAR a[TB_CHARS];
	size_t n = strlen(s);

	memset(a, 0, sizeof(a));
	memset(w, 0, sizeof(w));
	if (cap > TB_CHARS || n + 1 + strlen(junk) >= cap)
		return NULL;
	if (!g_wide) {
		memcpy(a, s, n);
		memcpy(a + n + 1, junk, strlen(junk));
		return a;
	}
	n = u16_from(s, w, TB_CHARS);
	u16_from(junk, w + n + 1, TB_CHARS - n - 1);
	return w;
}

/* Whether a key of an output connection string names the DSN or driver
 * connected to, or is credshim's own: the part that legitimately differs
 * between the target's DSN and credshim's DSN in front of it. */
static int out_key_own(const char *k, size_t n)
{
	static const char *const own[] = { "DSN", "DRIVER", "Description" };
	static const char *const prefix[] = { "Target", "Pam", "Shim" };
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == n && strncasecmp(own[i], k, n) == 0)
			return 1;
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (n > strlen(prefix[i]) && strncasecmp(prefix[i], k, strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

/* Whether key k (n bytes) is one of the keys of the connection string
 * app (ASCII case-insensitive). */
static int out_key_in(const char *k, size_t n, const char *app)
{
	const char *p;

	for (p = app; *p; p++)
		if ((p == app || p[-1] == ';') && strncasecmp(p, k, n) == 0 && p[n] == '=')
			return 1;
	return 0;
}

/*
 * Prints an output connection string without its DSN/DRIVER and credshim
 * keys, every other byte as the driver returned it: through credshim it
 * must be the target's own completed string.  With the quirk
 * out_string_app_keys only the keys of app are printed.
 */
static void say_out_string(const char *what, const struct tb *b, const char *app)
{
	char u[TB_CHARS * 4], kept[TB_CHARS * 4], *p, *seg;
	size_t n = 0, k = 0;

	if (g_wide) {
		size_t i, len = wlen(b->u.w);

		for (i = 0; i < len && n + 1 < sizeof(u); i++)
			u[n++] = b->u.w[i] < 0x80 ? (char)b->u.w[i] : '?';
		u[n] = 0;
	} else {
		snprintf(u, sizeof(u), "%s", (const char *)b->u.a);
	}
	for (p = u; *p; p = seg) {
		const char *eq = strchr(p, '=');
		int brace = eq && eq[1] == '{';

		seg = p;
		if (brace) {	/* to the closing brace not doubled */
			for (seg = (char *)eq + 2; *seg && !(seg[0] == '}' && seg[1] != '}'); seg += seg[0] == '}' ? 2 : 1)
				;
			if (*seg)
				seg++;
		}
		seg += strcspn(seg, ";");
		if (*seg)
			seg++;
		if (eq && eq < seg && out_key_own(p, (size_t)(eq - p)))
			continue;
		if (g_out_string_app_keys && (!eq || eq > seg || !out_key_in(p, (size_t)(eq - p), app)))
			continue;
		memcpy(kept + k, p, (size_t)(seg - p));
		k += (size_t)(seg - p);
	}
	/* What follows a kept segment may have been left out: its ';' then
	 * ends the string only in one of the two runs. */
	if (g_out_string_app_keys && k > 0 && kept[k - 1] == ';')
		k--;
	printf("%s%s: ", what, g_out_string_app_keys ? " (the application's keys only)" : "");
	put_bytes(kept, k);
	putchar('\n');
}

/* ---- the script ------------------------------------------------------- */

static void step_env(void)
{
	SQLINTEGER v = -999;
	SQLRETURN rc;

	say("== environment");
	rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &g_env);
	say("SQLAllocHandle(ENV) -> %s", rcname(rc));
	chk("SQLSetEnvAttr(SQL_ATTR_ODBC_VERSION, 3)",
	    SQLSetEnvAttr(g_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), SQL_HANDLE_ENV, g_env);
	rc = SQLGetEnvAttr(g_env, SQL_ATTR_ODBC_VERSION, &v, 0, NULL);
	say("SQLGetEnvAttr(SQL_ATTR_ODBC_VERSION) -> %s %ld", rcname(rc), (long)v);
}

static void show_connattr_num(const char *name, SQLINTEGER attr)
{
	SQLULEN v = 0xDEAD;
	SQLINTEGER len = -999;
	SQLRETURN rc;

	rc = x_getconnattr(attr, &v, 0, &len);
	say("SQLGetConnectAttr(%s) -> %s %lu", name, rcname(rc), SQL_SUCCEEDED(rc) ? (unsigned long)v : 0UL);
	diags(SQL_HANDLE_DBC, g_dbc);
}

static void show_connattr_str(const char *name, SQLINTEGER attr, struct tb *b)
{
	SQLINTEGER len = -999;
	SQLRETURN rc;

	tb_clear(b);
	rc = x_getconnattr(attr, b->u.a, TB_CHARS * tch(), &len);
	printf("SQLGetConnectAttr(%s) -> %s len=%ld ", name, rcname(rc), (long)len);
	if (SQL_SUCCEEDED(rc))
		put_t(b);
	putchar('\n');
	diags(SQL_HANDLE_DBC, g_dbc);
}

/* Allocates the connection, sets attributes before connecting, connects
 * with "DSN=<dsn>".  Returns 0 when connected. */
static int step_connect(void)
{
	char conn[512];
	struct tb out;
	SQLSMALLINT outlen = -999;
	SQLRETURN rc;

	say("== connect");
	chk("SQLAllocHandle(DBC)", SQLAllocHandle(SQL_HANDLE_DBC, g_env, &g_dbc), SQL_HANDLE_ENV, g_env);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	chk("SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, OFF) before connect",
	    x_setconnattr(SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, SQL_IS_UINTEGER), SQL_HANDLE_DBC, g_dbc);
	chk("SQLSetConnectAttr(SQL_ATTR_LOGIN_TIMEOUT, 7) before connect",
	    x_setconnattr(SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)7, SQL_IS_UINTEGER), SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	show_connattr_num("SQL_ATTR_LOGIN_TIMEOUT", SQL_ATTR_LOGIN_TIMEOUT);

	snprintf(conn, sizeof(conn), "DSN=%s", g_dsn);
	tb_clear(&out);
	rc = g_wide ? SQLDriverConnectW(g_dbc, NULL, tin(conn), SQL_NTS, out.u.w, 1024, &outlen, SQL_DRIVER_NOPROMPT)
		    : SQLDriverConnect(g_dbc, NULL, tin(conn), SQL_NTS, out.u.a, 1024, &outlen, SQL_DRIVER_NOPROMPT);
	say("SQLDriverConnect(DSN=...) -> %s", rcname(rc));
	/* The target's completed string, as credshim must pass it on. */
	if (SQL_SUCCEEDED(rc))
		say_out_string("  output string, DSN/DRIVER and credshim's keys left out", &out, conn);
	diags(SQL_HANDLE_DBC, g_dbc);
	if (!SQL_SUCCEEDED(rc)) {
		say("connect failed");
		return -1;
	}
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	show_connattr_num("SQL_ATTR_LOGIN_TIMEOUT", SQL_ATTR_LOGIN_TIMEOUT);
	chk("SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, ON)",
	    x_setconnattr(SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, SQL_IS_UINTEGER), SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	return 0;
}

struct info {
	SQLUSMALLINT id;
	const char *name;
	char kind; /* s: string, h: SQLUSMALLINT, i: SQLUINTEGER */
};

#define INFO(id, kind) { id, #id, kind }

static const struct info g_infos[] = {
	INFO(SQL_DBMS_NAME, 's'),
	INFO(SQL_DBMS_VER, 's'),
	INFO(SQL_DRIVER_NAME, 's'),
	INFO(SQL_DRIVER_VER, 's'),
	INFO(SQL_DRIVER_ODBC_VER, 's'),
	INFO(SQL_ODBC_VER, 's'),
	INFO(SQL_SERVER_NAME, 's'),
	INFO(SQL_DATABASE_NAME, 's'),
	INFO(SQL_USER_NAME, 's'),
	INFO(SQL_IDENTIFIER_QUOTE_CHAR, 's'),
	INFO(SQL_CATALOG_NAME_SEPARATOR, 's'),
	INFO(SQL_CATALOG_TERM, 's'),
	INFO(SQL_SCHEMA_TERM, 's'),
	INFO(SQL_TABLE_TERM, 's'),
	INFO(SQL_PROCEDURE_TERM, 's'),
	INFO(SQL_SEARCH_PATTERN_ESCAPE, 's'),
	INFO(SQL_SPECIAL_CHARACTERS, 's'),
	INFO(SQL_KEYWORDS, 's'),
	INFO(SQL_MULT_RESULT_SETS, 's'),
	INFO(SQL_ACCESSIBLE_TABLES, 's'),
	INFO(SQL_DESCRIBE_PARAMETER, 's'),
	INFO(SQL_COLLATION_SEQ, 's'),
	INFO(SQL_MAX_COLUMN_NAME_LEN, 'h'),
	INFO(SQL_MAX_IDENTIFIER_LEN, 'h'),
	INFO(SQL_MAX_TABLE_NAME_LEN, 'h'),
	INFO(SQL_TXN_CAPABLE, 'h'),
	INFO(SQL_CURSOR_COMMIT_BEHAVIOR, 'h'),
	INFO(SQL_CURSOR_ROLLBACK_BEHAVIOR, 'h'),
	INFO(SQL_NULL_COLLATION, 'h'),
	INFO(SQL_IDENTIFIER_CASE, 'h'),
	INFO(SQL_QUOTED_IDENTIFIER_CASE, 'h'),
	INFO(SQL_CONCAT_NULL_BEHAVIOR, 'h'),
	INFO(SQL_DEFAULT_TXN_ISOLATION, 'i'),
	INFO(SQL_TXN_ISOLATION_OPTION, 'i'),
	INFO(SQL_GETDATA_EXTENSIONS, 'i'),
	INFO(SQL_SQL_CONFORMANCE, 'i'),
	INFO(SQL_ODBC_INTERFACE_CONFORMANCE, 'i'),
	INFO(SQL_STRING_FUNCTIONS, 'i'),
	INFO(SQL_NUMERIC_FUNCTIONS, 'i'),
	INFO(SQL_CONVERT_FUNCTIONS, 'i'),
	INFO(SQL_SCROLL_OPTIONS, 'i'),
	INFO(SQL_STATIC_CURSOR_ATTRIBUTES1, 'i'),
	INFO(SQL_CATALOG_USAGE, 'i'),
	INFO(SQL_SCHEMA_USAGE, 'i'),
	INFO(SQL_MAX_STATEMENT_LEN, 'i'),
	INFO(SQL_ASYNC_MODE, 'i'),
};

static void step_getinfo(void)
{
	struct tb b;
	SQLSMALLINT len;
	SQLUSMALLINT h;
	SQLUINTEGER i;
	SQLRETURN rc;
	size_t k;

	say("== SQLGetInfo");
	for (k = 0; k < sizeof(g_infos) / sizeof(g_infos[0]); k++) {
		const struct info *in = &g_infos[k];

		len = -999;
		switch (in->kind) {
		case 's':
			tb_clear(&b);
			rc = x_getinfo(in->id, b.u.a, (SQLSMALLINT)(TB_CHARS * tch()), &len);
			printf("SQLGetInfo(%s) -> %s len=%d ", in->name, rcname(rc), len);
			if (SQL_SUCCEEDED(rc))
				put_t(&b);
			putchar('\n');
			break;
		case 'h':
			h = 0xDEAD;
			rc = x_getinfo(in->id, &h, sizeof(h), &len);
			say("SQLGetInfo(%s) -> %s len=%d %u", in->name, rcname(rc), len, SQL_SUCCEEDED(rc) ? h : 0);
			break;
		default:
			i = 0xDEAD;
			rc = x_getinfo(in->id, &i, sizeof(i), &len);
			say("SQLGetInfo(%s) -> %s len=%d %lu", in->name, rcname(rc), len,
			    SQL_SUCCEEDED(rc) ? (unsigned long)i : 0UL);
			break;
		}
		diags(SQL_HANDLE_DBC, g_dbc);
	}

	/*
	 * Truncation, in ANSI mode only: unixODBC 2.3.11's SQLGetInfoW over
	 * an ANSI driver (psqlodbca, SQLite) hands the driver an unterminated
	 * heap copy and writes 2 * strlen + 2 bytes into the application's
	 * buffer whatever its length (SQLGetInfoW.c; ASan reports a
	 * heap-buffer-overflow), so a truncated wide answer of the direct
	 * run is undefined, nothing to compare against.
	 */
	if (!g_wide) {
		static const struct info trunc[] = { INFO(SQL_DBMS_NAME, 's'), INFO(SQL_KEYWORDS, 's') };
		static const SQLSMALLINT sizes[] = { 5, 10 };

		for (k = 0; k < 2; k++) {
			tb_clear(&b);
			len = -999;
			rc = x_getinfo(trunc[k].id, b.u.a, sizes[k], &len);
			printf("SQLGetInfo(%s, %d bytes) -> %s len=%d ", trunc[k].name, sizes[k], rcname(rc), len);
			if (SQL_SUCCEEDED(rc))
				put_t(&b);
			putchar('\n');
			diags(SQL_HANDLE_DBC, g_dbc);
		}
	}
	len = -999;
	rc = x_getinfo(SQL_DBMS_NAME, NULL, 0, &len);
	say("SQLGetInfo(SQL_DBMS_NAME, NULL buffer) -> %s len=%d", rcname(rc), len);
	diags(SQL_HANDLE_DBC, g_dbc);

	/*
	 * SQL_DATA_SOURCE_NAME names the DSN the application connected to,
	 * which differs between the two runs by construction: print whether
	 * it is that DSN.
	 */
	tb_clear(&b);
	len = -999;
	rc = x_getinfo(SQL_DATA_SOURCE_NAME, b.u.a, (SQLSMALLINT)(TB_CHARS * tch()), &len);
	say("SQLGetInfo(SQL_DATA_SOURCE_NAME) -> %s the DSN connected to: %s", rcname(rc),
	    SQL_SUCCEEDED(rc) && is_dsn(&b) ? "yes" : "no");
	diags(SQL_HANDLE_DBC, g_dbc);

	rc = x_getinfo(9999, b.u.a, 100, &len);
	chk("SQLGetInfo(9999)", rc, SQL_HANDLE_DBC, g_dbc);
}

static void step_functions(void)
{
	SQLUSMALLINT bits[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
	SQLUSMALLINT all[100];
	SQLUSMALLINT one;
	SQLRETURN rc;
	int i, col = 0;
	static const SQLUSMALLINT ids[] = {
		SQL_API_SQLFETCHSCROLL, SQL_API_SQLBROWSECONNECT, SQL_API_SQLDESCRIBEPARAM,
		SQL_API_SQLBULKOPERATIONS, SQL_API_SQLSETPOS, SQL_API_SQLCOPYDESC, SQL_API_SQLGETDIAGREC,
	};

	say("== SQLGetFunctions");
	memset(bits, 0, sizeof(bits));
	rc = SQLGetFunctions(g_dbc, SQL_API_ODBC3_ALL_FUNCTIONS, bits);
	say("SQLGetFunctions(SQL_API_ODBC3_ALL_FUNCTIONS) -> %s; supported:", rcname(rc));
	for (i = 0; i < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * 16; i++) {
		if (SQL_FUNC_EXISTS(bits, i)) {
			printf(" %d", i);
			if (++col % 20 == 0)
				putchar('\n');
		}
	}
	putchar('\n');
	diags(SQL_HANDLE_DBC, g_dbc);
	memset(all, 0, sizeof(all));
	rc = SQLGetFunctions(g_dbc, SQL_API_ALL_FUNCTIONS, all);
	printf("SQLGetFunctions(SQL_API_ALL_FUNCTIONS) -> %s; supported:", rcname(rc));
	for (i = 0; i < 100; i++)
		if (all[i])
			printf(" %d", i);
	putchar('\n');
	diags(SQL_HANDLE_DBC, g_dbc);
	for (i = 0; i < (int)(sizeof(ids) / sizeof(ids[0])); i++) {
		one = 0xDEAD;
		rc = SQLGetFunctions(g_dbc, ids[i], &one);
		say("SQLGetFunctions(%u) -> %s %u", ids[i], rcname(rc), one);
	}
}

static void step_connattrs(void)
{
	struct tb b, cat;
	SQLRETURN rc;

	say("== connection attributes");
	show_connattr_num("SQL_ATTR_TXN_ISOLATION", SQL_ATTR_TXN_ISOLATION);
	chk("SQLSetConnectAttr(SQL_ATTR_TXN_ISOLATION, SERIALIZABLE)",
	    x_setconnattr(SQL_ATTR_TXN_ISOLATION, (SQLPOINTER)SQL_TXN_SERIALIZABLE, SQL_IS_UINTEGER), SQL_HANDLE_DBC,
	    g_dbc);
	show_connattr_num("SQL_ATTR_TXN_ISOLATION", SQL_ATTR_TXN_ISOLATION);
	chk("SQLSetConnectAttr(SQL_ATTR_TXN_ISOLATION, READ_COMMITTED)",
	    x_setconnattr(SQL_ATTR_TXN_ISOLATION, (SQLPOINTER)SQL_TXN_READ_COMMITTED, SQL_IS_UINTEGER),
	    SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_TXN_ISOLATION", SQL_ATTR_TXN_ISOLATION);
	show_connattr_num("SQL_ATTR_ACCESS_MODE", SQL_ATTR_ACCESS_MODE);
	chk("SQLSetConnectAttr(SQL_ATTR_ACCESS_MODE, READ_WRITE)",
	    x_setconnattr(SQL_ATTR_ACCESS_MODE, (SQLPOINTER)SQL_MODE_READ_WRITE, SQL_IS_UINTEGER), SQL_HANDLE_DBC,
	    g_dbc);
	show_connattr_num("SQL_ATTR_ACCESS_MODE", SQL_ATTR_ACCESS_MODE);
	show_connattr_str("SQL_ATTR_CURRENT_CATALOG", SQL_ATTR_CURRENT_CATALOG, &cat);
	/* Setting it to the value just read back, in the current mode. */
	rc = x_setconnattr(SQL_ATTR_CURRENT_CATALOG, cat.u.a, SQL_NTS);
	chk("SQLSetConnectAttr(SQL_ATTR_CURRENT_CATALOG, <the same>)", rc, SQL_HANDLE_DBC, g_dbc);
	show_connattr_str("SQL_ATTR_CURRENT_CATALOG", SQL_ATTR_CURRENT_CATALOG, &b);
	show_connattr_num("SQL_ATTR_CONNECTION_DEAD", SQL_ATTR_CONNECTION_DEAD);
	show_connattr_num("SQL_ATTR_METADATA_ID", SQL_ATTR_METADATA_ID);
	show_connattr_num("SQL_ATTR_ODBC_CURSORS", SQL_ATTR_ODBC_CURSORS);
}

/* The Unicode test string, UTF-8. */
static const char g_uni[] = "Grüße ✓ 𝄞";
static const char g_long[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX-Grüße ✓ 𝄞-end";

static void step_ddl(void)
{
	char sql[512];
	SQLHSTMT s;

	say("== DDL");
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", g_table);
	quiet_exec(sql);
	s = new_stmt();
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE %s (id INTEGER NOT NULL PRIMARY KEY, i INTEGER, d DOUBLE PRECISION, "
		 "v VARCHAR(100), w VARCHAR(100), dt DATE, uq INTEGER UNIQUE)",
		 g_table);
	exec_show(s, sql);
	snprintf(sql, sizeof(sql), "CREATE INDEX %s_v ON %s (v)", g_table, g_table);
	exec_show(s, sql);
	free_stmt(s);
}

struct row {
	SQLINTEGER id, i, uq;
	SQLLEN id_ind, i_ind, d_ind, v_ind, w_ind, dt_ind, uq_ind;
	double d;
	char v[200];
	SQLWCHAR w[200];
	SQL_DATE_STRUCT dt;
};

static void row_set(struct row *r, int id, int i, int inull, double d, const char *v, const char *w, int y, int m,
		    int day)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->i = i;
	r->i_ind = inull ? SQL_NULL_DATA : 0;
	r->d = d;
	r->d_ind = 0;
	if (v) {
		snprintf(r->v, sizeof(r->v), "%s", v);
		r->v_ind = SQL_NTS;
	} else {
		r->v_ind = SQL_NULL_DATA;
	}
	if (w) {
		size_t n = u16_from(w, r->w, 200);

		r->w_ind = (SQLLEN)(n * sizeof(SQLWCHAR));
	} else {
		r->w_ind = SQL_NULL_DATA;
	}
	r->dt.year = (SQLSMALLINT)y;
	r->dt.month = (SQLUSMALLINT)m;
	r->dt.day = (SQLUSMALLINT)day;
	r->dt_ind = y ? 0 : SQL_NULL_DATA;
	r->uq = id * 10;
	r->uq_ind = 0;
}

static void bind_param(SQLHSTMT s, SQLUSMALLINT n, SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN size,
		       SQLPOINTER v, SQLLEN buflen, SQLLEN *ind)
{
	char what[96];

	snprintf(what, sizeof(what), "SQLBindParameter(%u, ctype %d, sqltype %d)", n, ctype, sqltype);
	chk(what, SQLBindParameter(s, n, SQL_PARAM_INPUT, ctype, sqltype, size, 0, v, buflen, ind), SQL_HANDLE_STMT,
	    s);
}

static void step_insert(void)
{
	static struct row r;
	char sql[512];
	SQLHSTMT s;
	SQLSMALLINT np = -999, type = -999, digits = -999, nullable = -999;
	SQLULEN size = 0;
	SQLRETURN rc;
	int k;

	say("== INSERT with parameters");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, i, d, v, w, dt, uq) VALUES (?, ?, ?, ?, ?, ?, ?)", g_table);
	chk("SQLPrepare(INSERT ...)", x_prepare(s, sql), SQL_HANDLE_STMT, s);
	rc = SQLNumParams(s, &np);
	say("SQLNumParams -> %s %d", rcname(rc), np);
	diags(SQL_HANDLE_STMT, s);
	rc = SQLDescribeParam(s, 1, &type, &size, &digits, &nullable);
	say("SQLDescribeParam(1) -> %s type=%d size=%lu digits=%d nullable=%d", rcname(rc), type,
	    (unsigned long)size, digits, nullable);
	diags(SQL_HANDLE_STMT, s);
	bind_param(s, 1, SQL_C_SLONG, SQL_INTEGER, 0, &r.id, 0, &r.id_ind);
	bind_param(s, 2, SQL_C_SLONG, SQL_INTEGER, 0, &r.i, 0, &r.i_ind);
	bind_param(s, 3, SQL_C_DOUBLE, SQL_DOUBLE, 15, &r.d, 0, &r.d_ind);
	bind_param(s, 4, SQL_C_CHAR, SQL_VARCHAR, 100, r.v, sizeof(r.v), &r.v_ind);
	bind_param(s, 5, SQL_C_WCHAR, SQL_WVARCHAR, 100, r.w, sizeof(r.w), &r.w_ind);
	bind_param(s, 6, SQL_C_TYPE_DATE, SQL_TYPE_DATE, 10, &r.dt, 0, &r.dt_ind);
	bind_param(s, 7, SQL_C_SLONG, SQL_INTEGER, 0, &r.uq, 0, &r.uq_ind);
	for (k = 1; k <= 4; k++) {
		switch (k) {
		case 1:
			row_set(&r, 1, 42, 0, 3.25, "plain ascii", g_uni, 2024, 2, 29);
			break;
		case 2:
			row_set(&r, 2, 0, 1, -0.5, g_uni, NULL, 0, 0, 0);
			break;
		case 3:
			row_set(&r, 3, -7, 0, 1e10, g_long, "x", 1999, 12, 31);
			break;
		default:
			row_set(&r, 4, 2147483647, 0, 0.1, "", g_long, 1970, 1, 1);
			break;
		}
		say("row %d:", k);
		chk("SQLExecute", SQLExecute(s), SQL_HANDLE_STMT, s);
		rowcount(s);
	}
	free_stmt(s);
}

static void print_date(const char *name, const SQL_DATE_STRUCT *d, SQLLEN ind)
{
	if (ind == SQL_NULL_DATA)
		printf(" %s=NULL", name);
	else
		printf(" %s=%04d-%02u-%02u(ind %ld)", name, d->year, d->month, d->day, (long)ind);
}

static void step_select_bind(void)
{
	struct row r;
	char sql[512];
	SQLHSTMT s;
	SQLRETURN rc;
	int k;

	say("== SELECT with SQLBindCol");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "SELECT id, i, d, v, w, dt FROM %s ORDER BY id", g_table);
	memset(&r, 0, sizeof(r));
	chk("SQLBindCol(1, SLONG)", SQLBindCol(s, 1, SQL_C_SLONG, &r.id, 0, &r.id_ind), SQL_HANDLE_STMT, s);
	chk("SQLBindCol(2, SLONG)", SQLBindCol(s, 2, SQL_C_SLONG, &r.i, 0, &r.i_ind), SQL_HANDLE_STMT, s);
	chk("SQLBindCol(3, DOUBLE)", SQLBindCol(s, 3, SQL_C_DOUBLE, &r.d, 0, &r.d_ind), SQL_HANDLE_STMT, s);
	/* 32 bytes: the long value is truncated (01004). */
	chk("SQLBindCol(4, CHAR, 32)", SQLBindCol(s, 4, SQL_C_CHAR, r.v, 32, &r.v_ind), SQL_HANDLE_STMT, s);
	chk("SQLBindCol(5, WCHAR)", SQLBindCol(s, 5, SQL_C_WCHAR, r.w, sizeof(r.w), &r.w_ind), SQL_HANDLE_STMT, s);
	chk("SQLBindCol(6, TYPE_DATE)", SQLBindCol(s, 6, SQL_C_TYPE_DATE, &r.dt, 0, &r.dt_ind), SQL_HANDLE_STMT, s);
	exec_show(s, sql);
	rowcount(s);
	for (k = 1; k <= 10; k++) {
		memset(r.v, 0, sizeof(r.v));
		memset(r.w, 0, sizeof(r.w));
		r.id_ind = r.i_ind = r.d_ind = r.v_ind = r.w_ind = r.dt_ind = -999;
		rc = SQLFetch(s);
		say("SQLFetch #%d -> %s", k, rcname(rc));
		diags(SQL_HANDLE_STMT, s);
		if (!SQL_SUCCEEDED(rc))
			break;
		printf("  id=%ld(ind %ld)", (long)r.id, (long)r.id_ind);
		if (r.i_ind == SQL_NULL_DATA)
			printf(" i=NULL");
		else
			printf(" i=%ld(ind %ld)", (long)r.i, (long)r.i_ind);
		printf(" d=%.17g(ind %ld) v(ind %ld)=", r.d, (long)r.d_ind, (long)r.v_ind);
		if (r.v_ind != SQL_NULL_DATA)
			put_bytes(r.v, strlen(r.v));
		printf(" w(ind %ld)=", (long)r.w_ind);
		if (r.w_ind != SQL_NULL_DATA)
			put_wide(r.w, wlen(r.w));
		print_date("dt", &r.dt, r.dt_ind);
		putchar('\n');
	}
	chk("SQLCloseCursor", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	chk("SQLFreeStmt(SQL_UNBIND)", SQLFreeStmt(s, SQL_UNBIND), SQL_HANDLE_STMT, s);

	/* Block fetch: two rows at a time, column-wise. */
	{
		SQLINTEGER ids[2];
		SQLLEN inds[2];
		SQLUSMALLINT status[2];
		SQLULEN fetched = 0;

		say("-- block fetch, 2 rows per call");
		chk("SQLSetStmtAttr(SQL_ATTR_ROW_ARRAY_SIZE, 2)",
		    x_setstmtattr(s, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)2, 0), SQL_HANDLE_STMT, s);
		chk("SQLSetStmtAttr(SQL_ATTR_ROW_STATUS_PTR)", x_setstmtattr(s, SQL_ATTR_ROW_STATUS_PTR, status, 0),
		    SQL_HANDLE_STMT, s);
		chk("SQLSetStmtAttr(SQL_ATTR_ROWS_FETCHED_PTR)",
		    x_setstmtattr(s, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0), SQL_HANDLE_STMT, s);
		chk("SQLBindCol(1, SLONG)", SQLBindCol(s, 1, SQL_C_SLONG, ids, 0, inds), SQL_HANDLE_STMT, s);
		snprintf(sql, sizeof(sql), "SELECT id FROM %s ORDER BY id", g_table);
		exec_show(s, sql);
		for (k = 1; k <= 5; k++) {
			memset(ids, 0, sizeof(ids));
			status[0] = status[1] = 0xDEAD;
			fetched = 999;
			rc = SQLFetchScroll(s, SQL_FETCH_NEXT, 0);
			say("SQLFetchScroll(NEXT) #%d -> %s fetched=%lu", k, rcname(rc), (unsigned long)fetched);
			diags(SQL_HANDLE_STMT, s);
			if (!SQL_SUCCEEDED(rc))
				break;
			say("  ids=%ld,%ld status=%u,%u", (long)ids[0], fetched > 1 ? (long)ids[1] : -1L, status[0],
			    fetched > 1 ? status[1] : 0xDEAD);
		}
	}
	free_stmt(s);
}

/* SQLGetData of one column in chunks of chunk bytes until SQL_NO_DATA. */
static void getdata_chunks(SQLHSTMT s, SQLUSMALLINT col, SQLSMALLINT ctype, SQLLEN chunk)
{
	unsigned char buf[256];
	SQLLEN ind;
	SQLRETURN rc;
	int k;

	for (k = 1; k <= 30; k++) {
		memset(buf, 0, sizeof(buf));
		ind = -999;
		rc = SQLGetData(s, col, ctype, buf, chunk, &ind);
		printf("    SQLGetData(%u, %s, %ld bytes) #%d -> %s ind=%ld ", col,
		       ctype == SQL_C_WCHAR ? "WCHAR" : "CHAR", (long)chunk, k, rcname(rc), (long)ind);
		if (SQL_SUCCEEDED(rc) && ind != SQL_NULL_DATA) {
			if (ctype == SQL_C_WCHAR)
				put_wide((SQLWCHAR *)buf, wlen((SQLWCHAR *)buf));
			else
				put_bytes(buf, strlen((char *)buf));
		}
		putchar('\n');
		diags(SQL_HANDLE_STMT, s);
		if (!SQL_SUCCEEDED(rc) || ind == SQL_NULL_DATA)
			return;
	}
	say("    (more than 30 chunks)");
}

static void step_select_getdata(void)
{
	char sql[512];
	SQLHSTMT s;
	SQLINTEGER iv;
	double dv;
	SQL_DATE_STRUCT dt;
	SQLLEN ind;
	SQLRETURN rc;
	int k;

	say("== SELECT with SQLGetData");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "SELECT id, i, d, v, w, dt FROM %s ORDER BY id", g_table);
	exec_show(s, sql);
	for (k = 1; k <= 10; k++) {
		rc = SQLFetch(s);
		say("SQLFetch #%d -> %s", k, rcname(rc));
		diags(SQL_HANDLE_STMT, s);
		if (!SQL_SUCCEEDED(rc))
			break;
		getdata_text(s, 1);
		ind = -999;
		iv = -999;
		rc = SQLGetData(s, 2, SQL_C_SLONG, &iv, 0, &ind);
		say("    SQLGetData(2, SLONG) -> %s ind=%ld %ld", rcname(rc), (long)ind,
		    ind == SQL_NULL_DATA ? 0L : (long)iv);
		diags(SQL_HANDLE_STMT, s);
		ind = -999;
		dv = -999;
		rc = SQLGetData(s, 3, SQL_C_DOUBLE, &dv, 0, &ind);
		say("    SQLGetData(3, DOUBLE) -> %s ind=%ld %.17g", rcname(rc), (long)ind, dv);
		diags(SQL_HANDLE_STMT, s);
		/* Small chunks: 01004 with the length of what is left, then
		 * the rest, then SQL_NO_DATA. */
		getdata_chunks(s, 4, SQL_C_CHAR, 16);
		getdata_chunks(s, 5, SQL_C_WCHAR, 14);
		memset(&dt, 0, sizeof(dt));
		ind = -999;
		rc = SQLGetData(s, 6, SQL_C_TYPE_DATE, &dt, 0, &ind);
		printf("    SQLGetData(6, TYPE_DATE) -> %s", rcname(rc));
		print_date("dt", &dt, ind);
		putchar('\n');
		diags(SQL_HANDLE_STMT, s);
		/* Column 1 again (not allowed by most drivers: 07009/HY109). */
		if (k == 1)
			getdata_text(s, 1);
	}
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);
	free_stmt(s);
}

struct colfield {
	SQLUSMALLINT id;
	const char *name;
	int is_str;
};

#define CF(id, s) { id, #id, s }

static const struct colfield g_colfields[] = {
	CF(SQL_DESC_NAME, 1),
	CF(SQL_DESC_LABEL, 1),
	CF(SQL_DESC_TYPE_NAME, 1),
	CF(SQL_DESC_LOCAL_TYPE_NAME, 1),
	CF(SQL_DESC_TABLE_NAME, 1),
	CF(SQL_DESC_BASE_TABLE_NAME, 1),
	CF(SQL_DESC_BASE_COLUMN_NAME, 1),
	CF(SQL_DESC_SCHEMA_NAME, 1),
	CF(SQL_DESC_CATALOG_NAME, 1),
	CF(SQL_DESC_LITERAL_PREFIX, 1),
	CF(SQL_DESC_LITERAL_SUFFIX, 1),
	CF(SQL_DESC_TYPE, 0),
	CF(SQL_DESC_CONCISE_TYPE, 0),
	CF(SQL_DESC_LENGTH, 0),
	CF(SQL_DESC_OCTET_LENGTH, 0),
	CF(SQL_DESC_PRECISION, 0),
	CF(SQL_DESC_SCALE, 0),
	CF(SQL_DESC_NULLABLE, 0),
	CF(SQL_DESC_DISPLAY_SIZE, 0),
	CF(SQL_DESC_UNSIGNED, 0),
	CF(SQL_DESC_SEARCHABLE, 0),
	CF(SQL_DESC_UPDATABLE, 0),
	CF(SQL_DESC_AUTO_UNIQUE_VALUE, 0),
	CF(SQL_DESC_CASE_SENSITIVE, 0),
	CF(SQL_DESC_FIXED_PREC_SCALE, 0),
	CF(SQL_DESC_NUM_PREC_RADIX, 0),
	CF(SQL_DESC_UNNAMED, 0),
};

static void colattr_one(SQLHSTMT s, SQLUSMALLINT col, const struct colfield *f)
{
	struct tb b;
	SQLSMALLINT len = -999;
	SQLLEN num = -999;
	SQLRETURN rc;

	tb_clear(&b);
	if (f->is_str) {
		rc = x_colattr(s, col, f->id, b.u.a, (SQLSMALLINT)(512 * tch()), &len, NULL);
		printf("  SQLColAttribute(%u, %s) -> %s len=%d ", col, f->name, rcname(rc), len);
		if (SQL_SUCCEEDED(rc))
			put_t(&b);
		putchar('\n');
	} else {
		rc = x_colattr(s, col, f->id, NULL, 0, NULL, &num);
		say("  SQLColAttribute(%u, %s) -> %s %ld", col, f->name, rcname(rc), (long)num);
	}
	diags(SQL_HANDLE_STMT, s);
}

static void step_colattr(void)
{
	char sql[512];
	struct tb b;
	SQLSMALLINT len, n = -999;
	SQLLEN num;
	SQLHSTMT s;
	SQLRETURN rc;
	size_t k;
	int c;

	say("== SQLDescribeCol, SQLColAttribute");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "SELECT id, i, d, v, w AS \"wide %s\", dt FROM %s ORDER BY id", g_uni, g_table);
	exec_show(s, sql);
	rc = SQLNumResultCols(s, &n);
	say("SQLNumResultCols -> %s %d", rcname(rc), n);
	diags(SQL_HANDLE_STMT, s);
	for (c = 1; c <= n && c <= 10; c++) {
		describe_col(s, (SQLUSMALLINT)c);
		for (k = 0; k < sizeof(g_colfields) / sizeof(g_colfields[0]); k++)
			colattr_one(s, (SQLUSMALLINT)c, &g_colfields[k]);
	}
	num = -999;
	rc = x_colattr(s, 0, SQL_DESC_COUNT, NULL, 0, NULL, &num);
	say("SQLColAttribute(0, SQL_DESC_COUNT) -> %s %ld", rcname(rc), (long)num);
	diags(SQL_HANDLE_STMT, s);

	/* Truncation of a string attribute and of a column name. */
	tb_clear(&b);
	len = -999;
	rc = x_colattr(s, 5, SQL_DESC_NAME, b.u.a, (SQLSMALLINT)(4 * tch()), &len, NULL);
	printf("SQLColAttribute(5, SQL_DESC_NAME, %d bytes) -> %s len=%d ", 4 * tch(), rcname(rc), len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_STMT, s);
	{
		SQLSMALLINT namelen = -999, type = -999, digits = -999, nullable = -999;
		SQLULEN size = 0;

		tb_clear(&b);
		rc = x_describecol(s, 5, &b, 4, &namelen, &type, &size, &digits, &nullable);
		printf("SQLDescribeCol(5, 4 chars) -> %s name=", rcname(rc));
		if (SQL_SUCCEEDED(rc))
			put_t(&b);
		say(" namelen=%d type=%d size=%lu", namelen, type, (unsigned long)size);
		diags(SQL_HANDLE_STMT, s);
	}
	/* An invalid column number. */
	num = -999;
	rc = x_colattr(s, 99, SQL_DESC_TYPE, NULL, 0, NULL, &num);
	chk("SQLColAttribute(99, SQL_DESC_TYPE)", rc, SQL_HANDLE_STMT, s);

	/* ODBC 2 SQLColAttributes. */
	tb_clear(&b);
	len = -999;
	rc = x_colattrs(s, 4, SQL_COLUMN_NAME, b.u.a, (SQLSMALLINT)(256 * tch()), &len, NULL);
	printf("SQLColAttributes(4, SQL_COLUMN_NAME) -> %s len=%d ", rcname(rc), len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_STMT, s);
	num = -999;
	rc = x_colattrs(s, 4, SQL_COLUMN_LENGTH, NULL, 0, NULL, &num);
	say("SQLColAttributes(4, SQL_COLUMN_LENGTH) -> %s %ld", rcname(rc), (long)num);
	diags(SQL_HANDLE_STMT, s);
	num = -999;
	rc = x_colattrs(s, 0, SQL_COLUMN_COUNT, NULL, 0, NULL, &num);
	say("SQLColAttributes(0, SQL_COLUMN_COUNT) -> %s %ld", rcname(rc), (long)num);
	diags(SQL_HANDLE_STMT, s);
	rowcount(s);
	chk("SQLCloseCursor", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	free_stmt(s);
}

static void step_catalog(void)
{
	SQLHSTMT s;

	say("== catalog functions");
	s = new_stmt();
	if (SQL_SUCCEEDED(chk("SQLTables(table, TABLE)", x_catalog(s, CAT_TABLES, g_table, "TABLE"), SQL_HANDLE_STMT,
			      s)))
		dump_result(s, 5, 5);
	if (SQL_SUCCEEDED(chk("SQLColumns(table)", x_catalog(s, CAT_COLUMNS, g_table, NULL), SQL_HANDLE_STMT, s)))
		dump_result(s, 18, 10);
	if (SQL_SUCCEEDED(chk("SQLPrimaryKeys(table)", x_catalog(s, CAT_PKEYS, g_table, NULL), SQL_HANDLE_STMT, s)))
		dump_result(s, 6, 5);
	if (SQL_SUCCEEDED(chk("SQLStatistics(table, ALL, QUICK)", x_catalog(s, CAT_STATS, g_table, NULL),
			      SQL_HANDLE_STMT, s)))
		dump_result(s, 13, 10);
	if (SQL_SUCCEEDED(chk("SQLSpecialColumns(BEST_ROWID, table)", x_catalog(s, CAT_SPECIAL, g_table, NULL),
			      SQL_HANDLE_STMT, s)))
		dump_result(s, 8, 5);
	if (SQL_SUCCEEDED(chk("SQLTables(no such table)", x_catalog(s, CAT_TABLES, "cs_no_such_table", NULL),
			      SQL_HANDLE_STMT, s)))
		dump_result(s, 5, 5);
	say("-- SQLGetTypeInfo");
	if (SQL_SUCCEEDED(chk("SQLGetTypeInfo(SQL_ALL_TYPES)", x_typeinfo(s, SQL_ALL_TYPES), SQL_HANDLE_STMT, s)))
		dump_result(s, 19, 6);
	if (SQL_SUCCEEDED(chk("SQLGetTypeInfo(SQL_INTEGER)", x_typeinfo(s, SQL_INTEGER), SQL_HANDLE_STMT, s)))
		dump_result(s, 19, 3);
	free_stmt(s);
}

/* Numeric descriptor field. */
static void descfield_num(SQLHDESC d, SQLSMALLINT rec, SQLSMALLINT field, const char *name, int width)
{
	SQLLEN v = 0;
	SQLINTEGER len = -999;
	SQLRETURN rc;

	rc = x_getdescfield(d, rec, field, &v, 0, &len);
	if (width == 2)
		v = (SQLSMALLINT)v;
	else if (width == 4)
		v = (SQLINTEGER)v;
	say("  SQLGetDescField(%d, %s) -> %s %ld", rec, name, rcname(rc), SQL_SUCCEEDED(rc) ? (long)v : -999L);
	diags(SQL_HANDLE_DESC, d);
}

static void descfield_str(SQLHDESC d, SQLSMALLINT rec, SQLSMALLINT field, const char *name)
{
	struct tb b;
	SQLINTEGER len = -999;
	SQLRETURN rc;

	tb_clear(&b);
	rc = x_getdescfield(d, rec, field, b.u.a, 512 * tch(), &len);
	printf("  SQLGetDescField(%d, %s) -> %s len=%ld ", rec, name, rcname(rc), (long)len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_DESC, d);
}

static void descrec(SQLHDESC d, SQLSMALLINT rec)
{
	struct tb name;
	SQLSMALLINT namelen = -999, type = -999, sub = -999, prec = -999, scale = -999, nullable = -999;
	SQLLEN length = -999;
	SQLRETURN rc;

	tb_clear(&name);
	rc = x_getdescrec(d, rec, &name, 256, &namelen, &type, &sub, &length, &prec, &scale, &nullable);
	printf("  SQLGetDescRec(%d) -> %s name=", rec, rcname(rc));
	if (SQL_SUCCEEDED(rc))
		put_t(&name);
	say(" namelen=%d type=%d sub=%d length=%ld precision=%d scale=%d nullable=%d", namelen, type, sub,
	    (long)length, prec, scale, nullable);
	diags(SQL_HANDLE_DESC, d);
}

static SQLHDESC get_desc(SQLHSTMT s, SQLINTEGER attr, const char *name)
{
	SQLHDESC d = SQL_NULL_HDESC;
	SQLINTEGER len = -999;
	SQLRETURN rc;

	rc = x_getstmtattr(s, attr, &d, SQL_IS_POINTER, &len);
	say("SQLGetStmtAttr(%s) -> %s handle: %s", name, rcname(rc), d ? "non-null" : "null");
	diags(SQL_HANDLE_STMT, s);
	return d;
}

static void step_descriptors(void)
{
	char sql[512];
	SQLHSTMT s;
	SQLHDESC ird, ard, ard2, apd, ipd, ird2, expl = SQL_NULL_HDESC, copy = SQL_NULL_HDESC;
	SQLINTEGER id = 0;
	SQLLEN id_ind = 0, v_ind = 0;
	char v[64];
	SQLPOINTER p;
	SQLRETURN rc;
	int k;
	SQLSMALLINT rec;

	say("== descriptors");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "SELECT id, v FROM %s WHERE id < 3 ORDER BY id", g_table);
	exec_show(s, sql);
	ird = get_desc(s, SQL_ATTR_IMP_ROW_DESC, "SQL_ATTR_IMP_ROW_DESC");
	ird2 = get_desc(s, SQL_ATTR_IMP_ROW_DESC, "SQL_ATTR_IMP_ROW_DESC");
	say("  same handle both times: %s", ird == ird2 ? "yes" : "no");
	ard = get_desc(s, SQL_ATTR_APP_ROW_DESC, "SQL_ATTR_APP_ROW_DESC");
	apd = get_desc(s, SQL_ATTR_APP_PARAM_DESC, "SQL_ATTR_APP_PARAM_DESC");
	ipd = get_desc(s, SQL_ATTR_IMP_PARAM_DESC, "SQL_ATTR_IMP_PARAM_DESC");
	say("  four different handles: %s",
	    ird != ard && ird != apd && ird != ipd && ard != apd && ard != ipd && apd != ipd ? "yes" : "no");
	if (ird) {
		say("-- IRD");
		descfield_num(ird, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		descfield_num(ird, 0, SQL_DESC_ALLOC_TYPE, "SQL_DESC_ALLOC_TYPE", 2);
		for (rec = 1; rec <= 2; rec++) {
			descrec(ird, rec);
			descfield_str(ird, rec, SQL_DESC_NAME, "SQL_DESC_NAME");
			descfield_str(ird, rec, SQL_DESC_TYPE_NAME, "SQL_DESC_TYPE_NAME");
			descfield_str(ird, rec, SQL_DESC_LABEL, "SQL_DESC_LABEL");
			descfield_str(ird, rec, SQL_DESC_BASE_COLUMN_NAME, "SQL_DESC_BASE_COLUMN_NAME");
			descfield_num(ird, rec, SQL_DESC_TYPE, "SQL_DESC_TYPE", 2);
			descfield_num(ird, rec, SQL_DESC_CONCISE_TYPE, "SQL_DESC_CONCISE_TYPE", 2);
			descfield_num(ird, rec, SQL_DESC_LENGTH, "SQL_DESC_LENGTH", 8);
			descfield_num(ird, rec, SQL_DESC_OCTET_LENGTH, "SQL_DESC_OCTET_LENGTH", 8);
			descfield_num(ird, rec, SQL_DESC_NULLABLE, "SQL_DESC_NULLABLE", 2);
			descfield_num(ird, rec, SQL_DESC_UNNAMED, "SQL_DESC_UNNAMED", 2);
		}
		descrec(ird, 9);
		/* An IRD is read-only: HY016. */
		chk("SQLSetDescField(IRD, 1, SQL_DESC_TYPE)",
		    x_setdescfield(ird, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_INTEGER, 0), SQL_HANDLE_DESC, ird);
	}
	if (ard) {
		say("-- implicit ARD");
		descfield_num(ard, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		descfield_num(ard, 0, SQL_DESC_ALLOC_TYPE, "SQL_DESC_ALLOC_TYPE", 2);
		descfield_num(ard, 0, SQL_DESC_ARRAY_SIZE, "SQL_DESC_ARRAY_SIZE", 8);
	}
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);

	say("-- explicit descriptor as ARD");
	chk("SQLAllocHandle(DESC)", SQLAllocHandle(SQL_HANDLE_DESC, g_dbc, &expl), SQL_HANDLE_DBC, g_dbc);
	if (expl) {
		descfield_num(expl, 0, SQL_DESC_ALLOC_TYPE, "SQL_DESC_ALLOC_TYPE", 2);
		chk("SQLSetStmtAttr(SQL_ATTR_APP_ROW_DESC, explicit)",
		    x_setstmtattr(s, SQL_ATTR_APP_ROW_DESC, expl, SQL_IS_POINTER), SQL_HANDLE_STMT, s);
		ard2 = get_desc(s, SQL_ATTR_APP_ROW_DESC, "SQL_ATTR_APP_ROW_DESC");
		say("  same handle as the one set: %s", ard2 == expl ? "yes" : "no");
		/* Column 1 bound through the descriptor, column 2 by
		 * SQLBindCol (which writes into the explicit ARD). */
		chk("SQLSetDescField(1, SQL_DESC_TYPE, SLONG)",
		    x_setdescfield(expl, 1, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_SLONG, 0), SQL_HANDLE_DESC, expl);
		chk("SQLSetDescField(1, SQL_DESC_INDICATOR_PTR)",
		    x_setdescfield(expl, 1, SQL_DESC_INDICATOR_PTR, &id_ind, 0), SQL_HANDLE_DESC, expl);
		chk("SQLSetDescField(1, SQL_DESC_OCTET_LENGTH_PTR)",
		    x_setdescfield(expl, 1, SQL_DESC_OCTET_LENGTH_PTR, &id_ind, 0), SQL_HANDLE_DESC, expl);
		chk("SQLSetDescField(1, SQL_DESC_DATA_PTR)", x_setdescfield(expl, 1, SQL_DESC_DATA_PTR, &id, 0),
		    SQL_HANDLE_DESC, expl);
		chk("SQLBindCol(2, CHAR)", SQLBindCol(s, 2, SQL_C_CHAR, v, sizeof(v), &v_ind), SQL_HANDLE_STMT, s);
		descfield_num(expl, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		descfield_num(expl, 2, SQL_DESC_TYPE, "SQL_DESC_TYPE", 2);
		descfield_num(expl, 2, SQL_DESC_OCTET_LENGTH, "SQL_DESC_OCTET_LENGTH", 8);
		p = NULL;
		rc = x_getdescfield(expl, 1, SQL_DESC_DATA_PTR, &p, SQL_IS_POINTER, NULL);
		say("  SQLGetDescField(1, SQL_DESC_DATA_PTR) -> %s the bound variable: %s", rcname(rc),
		    p == (SQLPOINTER)&id ? "yes" : "no");
		p = NULL;
		rc = x_getdescfield(expl, 2, SQL_DESC_DATA_PTR, &p, SQL_IS_POINTER, NULL);
		say("  SQLGetDescField(2, SQL_DESC_DATA_PTR) -> %s the bound variable: %s", rcname(rc),
		    p == (SQLPOINTER)v ? "yes" : "no");
		exec_show(s, sql);
		for (k = 1; k <= 3; k++) {
			id = -1;
			id_ind = v_ind = -999;
			memset(v, 0, sizeof(v));
			rc = SQLFetch(s);
			say("SQLFetch #%d -> %s", k, rcname(rc));
			diags(SQL_HANDLE_STMT, s);
			if (!SQL_SUCCEEDED(rc))
				break;
			printf("  id=%ld(ind %ld) v(ind %ld)=", (long)id, (long)id_ind, (long)v_ind);
			put_bytes(v, strlen(v));
			putchar('\n');
		}
		chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);

		/* SQLCopyDesc from the IRD of an executed statement. */
		exec_show(s, sql);
		ird = get_desc(s, SQL_ATTR_IMP_ROW_DESC, "SQL_ATTR_IMP_ROW_DESC");
		chk("SQLAllocHandle(DESC)", SQLAllocHandle(SQL_HANDLE_DESC, g_dbc, &copy), SQL_HANDLE_DBC, g_dbc);
		if (g_shallow_ird_copy)
			say("SQLCopyDesc(IRD -> explicit) left out: the target's copy shares the IRD's strings");
		else if (ird && copy) {
			chk("SQLCopyDesc(IRD -> explicit)", SQLCopyDesc(ird, copy), SQL_HANDLE_DESC, copy);
			descfield_num(copy, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
			descfield_num(copy, 2, SQL_DESC_TYPE, "SQL_DESC_TYPE", 2);
			descfield_num(copy, 2, SQL_DESC_LENGTH, "SQL_DESC_LENGTH", 8);
			chk("SQLCopyDesc(explicit -> IRD)", SQLCopyDesc(copy, ird), SQL_HANDLE_DESC, ird);
		}
		chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);

		chk("SQLSetStmtAttr(SQL_ATTR_APP_ROW_DESC, NULL)",
		    x_setstmtattr(s, SQL_ATTR_APP_ROW_DESC, SQL_NULL_HDESC, SQL_IS_POINTER), SQL_HANDLE_STMT, s);
		ard2 = get_desc(s, SQL_ATTR_APP_ROW_DESC, "SQL_ATTR_APP_ROW_DESC");
		say("  back to the implicit ARD: %s", ard2 == ard ? "yes" : "no");
		descfield_num(ard2, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		if (copy)
			chk("SQLFreeHandle(DESC copy)", SQLFreeHandle(SQL_HANDLE_DESC, copy), 0, NULL);
		chk("SQLFreeHandle(DESC)", SQLFreeHandle(SQL_HANDLE_DESC, expl), 0, NULL);
	}
	/* An implicit descriptor cannot be freed: HY017. */
	if (ard)
		chk("SQLFreeHandle(DESC implicit ARD)", SQLFreeHandle(SQL_HANDLE_DESC, ard), SQL_HANDLE_DESC, ard);
	free_stmt(s);
}

static void step_prepared(void)
{
	char sql[512];
	SQLHSTMT s;
	SQLINTEGER key = 0;
	SQLLEN key_ind = 0;
	SQLHDESC apd, ipd;
	SQLRETURN rc;
	static const int keys[] = { 1, 3, 99, 2 };
	size_t k;

	say("== prepared statement, re-executed");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "SELECT id, v, w FROM %s WHERE id = ?", g_table);
	chk("SQLPrepare(SELECT ... WHERE id = ?)", x_prepare(s, sql), SQL_HANDLE_STMT, s);
	bind_param(s, 1, SQL_C_SLONG, SQL_INTEGER, 0, &key, 0, &key_ind);
	apd = get_desc(s, SQL_ATTR_APP_PARAM_DESC, "SQL_ATTR_APP_PARAM_DESC");
	ipd = get_desc(s, SQL_ATTR_IMP_PARAM_DESC, "SQL_ATTR_IMP_PARAM_DESC");
	if (apd) {
		descfield_num(apd, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		descfield_num(apd, 1, SQL_DESC_CONCISE_TYPE, "SQL_DESC_CONCISE_TYPE", 2);
	}
	if (ipd) {
		descfield_num(ipd, 0, SQL_DESC_COUNT, "SQL_DESC_COUNT", 2);
		descfield_num(ipd, 1, SQL_DESC_CONCISE_TYPE, "SQL_DESC_CONCISE_TYPE", 2);
		descfield_num(ipd, 1, SQL_DESC_PARAMETER_TYPE, "SQL_DESC_PARAMETER_TYPE", 2);
	}
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		key = keys[k];
		say("-- id = %d", key);
		rc = chk("SQLExecute", SQLExecute(s), SQL_HANDLE_STMT, s);
		if (SQL_SUCCEEDED(rc))
			dump_result(s, 3, 3);
	}
	/* Executing with an open cursor: 24000. */
	key = 1;
	chk("SQLExecute", SQLExecute(s), SQL_HANDLE_STMT, s);
	chk("SQLExecute (cursor still open)", SQLExecute(s), SQL_HANDLE_STMT, s);
	chk("SQLCloseCursor", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	chk("SQLCloseCursor (no cursor)", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	chk("SQLFreeStmt(SQL_RESET_PARAMS)", SQLFreeStmt(s, SQL_RESET_PARAMS), SQL_HANDLE_STMT, s);
	free_stmt(s);
}

static void step_errors(void)
{
	char sql[512];
	SQLHSTMT s;

	say("== errors");
	s = new_stmt();
	say("-- missing table");
	exec_show(s, "SELECT * FROM cs_no_such_table_here");
	diag_fields(SQL_HANDLE_STMT, s);
	say("-- syntax error");
	exec_show(s, "SELEC 1 FROM");
	diag_fields(SQL_HANDLE_STMT, s);
	diag_truncated(SQL_HANDLE_STMT, s, 8);
	diag_truncated(SQL_HANDLE_STMT, s, 1);
	sqlerror_loop("stmt", SQL_NULL_HENV, SQL_NULL_HDBC, s);
	say("-- after SQLError consumed them");
	diags(SQL_HANDLE_STMT, s);
	say("-- constraint violation (duplicate primary key)");
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (1, 'duplicate')", g_table);
	exec_show(s, sql);
	diag_fields(SQL_HANDLE_STMT, s);
	say("-- constraint violation (NOT NULL)");
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (NULL, 'no key')", g_table);
	exec_show(s, sql);
	sqlerror_loop("stmt", SQL_NULL_HENV, SQL_NULL_HDBC, s);
	say("-- a statement that succeeds clears them");
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", g_table);
	exec_show(s, sql);
	diag_fields(SQL_HANDLE_STMT, s);
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);
	say("-- connection-level error");
	chk("SQLGetInfo(9999)", x_getinfo(9999, NULL, 0, NULL), SQL_HANDLE_DBC, g_dbc);
	diag_fields(SQL_HANDLE_DBC, g_dbc);
	sqlerror_loop("dbc", SQL_NULL_HENV, g_dbc, SQL_NULL_HSTMT);
	sqlerror_loop("env", g_env, SQL_NULL_HDBC, SQL_NULL_HSTMT);
	say("-- invalid attribute");
	chk("SQLSetStmtAttr(9999)", x_setstmtattr(s, 9999, (SQLPOINTER)1, 0), SQL_HANDLE_STMT, s);
	chk("SQLSetConnectAttr(9999)", x_setconnattr(9999, (SQLPOINTER)1, 0), SQL_HANDLE_DBC, g_dbc);
	free_stmt(s);
}

static SQLINTEGER count_rows(SQLHSTMT s)
{
	char sql[512];
	SQLINTEGER n = -1;
	SQLLEN ind = 0;
	SQLRETURN rc;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", g_table);
	exec_show(s, sql);
	rc = SQLFetch(s);
	if (SQL_SUCCEEDED(rc))
		rc = SQLGetData(s, 1, SQL_C_SLONG, &n, 0, &ind);
	say("  count -> %s %ld", rcname(rc), (long)n);
	diags(SQL_HANDLE_STMT, s);
	SQLFreeStmt(s, SQL_CLOSE);
	return n;
}

static void step_transactions(void)
{
	char sql[512];
	SQLHSTMT s;

	say("== transactions");
	s = new_stmt();
	chk("SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, OFF)",
	    x_setconnattr(SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, SQL_IS_UINTEGER), SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (10, 'rolled back')", g_table);
	exec_show(s, sql);
	rowcount(s);
	count_rows(s);
	chk("SQLEndTran(DBC, ROLLBACK)", SQLEndTran(SQL_HANDLE_DBC, g_dbc, SQL_ROLLBACK), SQL_HANDLE_DBC, g_dbc);
	count_rows(s);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (10, 'committed')", g_table);
	exec_show(s, sql);
	chk("SQLEndTran(DBC, COMMIT)", SQLEndTran(SQL_HANDLE_DBC, g_dbc, SQL_COMMIT), SQL_HANDLE_DBC, g_dbc);
	count_rows(s);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (11, 'committed on env')", g_table);
	exec_show(s, sql);
	chk("SQLEndTran(ENV, COMMIT)", SQLEndTran(SQL_HANDLE_ENV, g_env, SQL_COMMIT), SQL_HANDLE_ENV, g_env);
	chk("SQLEndTran(DBC, ROLLBACK)", SQLEndTran(SQL_HANDLE_DBC, g_dbc, SQL_ROLLBACK), SQL_HANDLE_DBC, g_dbc);
	count_rows(s);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (id, v) VALUES (12, 'rolled back by SQLTransact')", g_table);
	exec_show(s, sql);
	chk("SQLTransact(dbc, ROLLBACK)", SQLTransact(SQL_NULL_HENV, g_dbc, SQL_ROLLBACK), SQL_HANDLE_DBC, g_dbc);
	count_rows(s);
	chk("SQLEndTran(DBC, 99)", SQLEndTran(SQL_HANDLE_DBC, g_dbc, 99), SQL_HANDLE_DBC, g_dbc);
	chk("SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, ON)",
	    x_setconnattr(SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, SQL_IS_UINTEGER), SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	free_stmt(s);
}

static void stmtattr_num(SQLHSTMT s, const char *name, SQLINTEGER attr)
{
	SQLULEN v = 0xDEAD;
	SQLRETURN rc;

	rc = x_getstmtattr(s, attr, &v, 0, NULL);
	say("SQLGetStmtAttr(%s) -> %s %lu", name, rcname(rc), SQL_SUCCEEDED(rc) ? (unsigned long)v : 0UL);
	diags(SQL_HANDLE_STMT, s);
}

/*
 * SQLGetCursorName.  A name the driver generated may hold the statement's
 * address (SQLite: "CUR_" + pointer), different on every run: only names
 * this script set (they start with "dt_") are printed, any other is shown
 * as "(a generated name)" (its length is printed either way).
 */
static void cursor_name(SQLHSTMT s, SQLSMALLINT cap)
{
	struct tb b;
	SQLSMALLINT len = -999;
	SQLRETURN rc;
	int ours;

	tb_clear(&b);
	rc = x_getcursorname(s, &b, cap, &len);
	printf("SQLGetCursorName(%d chars) -> %s len=%d ", cap, rcname(rc), len);
	if (g_wide)
		ours = b.u.w[0] == 'd' && b.u.w[1] == 't' && b.u.w[2] == '_';
	else
		ours = strncmp((const char *)b.u.a, "dt_", 3) == 0;
	if (SQL_SUCCEEDED(rc)) {
		if (ours)
			put_t(&b);
		else
			printf("(a generated name)");
	}
	putchar('\n');
	diags(SQL_HANDLE_STMT, s);
}

static void step_misc(void)
{
	char sql[512];
	struct tb b;
	SQLINTEGER len;
	SQLHSTMT s;
	SQLRETURN rc;
	int k;

	say("== SQLNativeSql");
	snprintf(sql, sizeof(sql), "SELECT {fn UCASE(v)}, {fn CONCAT(v, 'x')} FROM %s WHERE dt = {d '2024-02-29'}",
		 g_table);
	tb_clear(&b);
	len = -999;
	rc = x_nativesql(sql, &b, TB_CHARS, &len);
	printf("SQLNativeSql -> %s len=%ld ", rcname(rc), (long)len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_DBC, g_dbc);
	tb_clear(&b);
	len = -999;
	rc = x_nativesql(sql, &b, 10, &len);
	printf("SQLNativeSql(10 chars) -> %s len=%ld ", rcname(rc), (long)len);
	if (SQL_SUCCEEDED(rc))
		put_t(&b);
	putchar('\n');
	diags(SQL_HANDLE_DBC, g_dbc);

	s = new_stmt();
	say("== cursor names");
	cursor_name(s, 256);
	chk("SQLSetCursorName(dt_cursor)", x_setcursorname(s, "dt_cursor"), SQL_HANDLE_STMT, s);
	cursor_name(s, 256);
	cursor_name(s, 4);

	say("== statement attributes");
	stmtattr_num(s, "SQL_ATTR_CURSOR_TYPE", SQL_ATTR_CURSOR_TYPE);
	stmtattr_num(s, "SQL_ATTR_CONCURRENCY", SQL_ATTR_CONCURRENCY);
	stmtattr_num(s, "SQL_ATTR_MAX_ROWS", SQL_ATTR_MAX_ROWS);
	stmtattr_num(s, "SQL_ATTR_QUERY_TIMEOUT", SQL_ATTR_QUERY_TIMEOUT);
	stmtattr_num(s, "SQL_ATTR_ROW_ARRAY_SIZE", SQL_ATTR_ROW_ARRAY_SIZE);
	stmtattr_num(s, "SQL_ATTR_NOSCAN", SQL_ATTR_NOSCAN);
	chk("SQLSetStmtAttr(SQL_ATTR_MAX_ROWS, 2)", x_setstmtattr(s, SQL_ATTR_MAX_ROWS, (SQLPOINTER)2, 0),
	    SQL_HANDLE_STMT, s);
	stmtattr_num(s, "SQL_ATTR_MAX_ROWS", SQL_ATTR_MAX_ROWS);
	snprintf(sql, sizeof(sql), "SELECT id FROM %s ORDER BY id", g_table);
	if (SQL_SUCCEEDED(exec_show(s, sql)))
		dump_result(s, 1, 5);
	chk("SQLSetStmtAttr(SQL_ATTR_MAX_ROWS, 0)", x_setstmtattr(s, SQL_ATTR_MAX_ROWS, (SQLPOINTER)0, 0),
	    SQL_HANDLE_STMT, s);

	say("== SQLMoreResults");
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id = 1", g_table);
	exec_show(s, sql);
	chk("SQLFetch", SQLFetch(s), SQL_HANDLE_STMT, s);
	chk("SQLMoreResults", SQLMoreResults(s), SQL_HANDLE_STMT, s);
	chk("SQLMoreResults (again)", SQLMoreResults(s), SQL_HANDLE_STMT, s);
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);
	snprintf(sql, sizeof(sql), "SELECT 1 AS first_one; SELECT 2 AS second_one");
	if (SQL_SUCCEEDED(exec_show(s, sql))) {
		for (k = 1; k <= 3; k++) {
			dump_result(s, 1, 2);
			rc = chk("SQLMoreResults", SQLMoreResults(s), SQL_HANDLE_STMT, s);
			if (!SQL_SUCCEEDED(rc))
				break;
		}
	}
	chk("SQLFreeStmt(SQL_CLOSE)", SQLFreeStmt(s, SQL_CLOSE), SQL_HANDLE_STMT, s);

	say("== SQLCloseCursor");
	snprintf(sql, sizeof(sql), "SELECT id FROM %s", g_table);
	exec_show(s, sql);
	chk("SQLCloseCursor", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	chk("SQLCloseCursor (again)", SQLCloseCursor(s), SQL_HANDLE_STMT, s);
	chk("SQLFetch (no cursor)", SQLFetch(s), SQL_HANDLE_STMT, s);
	chk("SQLFreeStmt(SQL_DROP)", SQLFreeStmt(s, SQL_DROP), 0, NULL);
}

/*
 * The connection string as applications write it: a buffer size as its
 * length, text after the NUL, a key no driver knows given twice (the
 * target applies its own rule to repeats); the output string the target
 * completes; SQLBindParam, which some targets lack (the driver manager
 * maps it to SQLBindParameter for them); statement texts with explicit
 * lengths past their NUL.
 */
static void step_connstr(void)
{
	char conn[512];
	struct tb out;
	SQLSMALLINT outlen = -999;
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLHSTMT s;
	SQLINTEGER v = 7, len;
	SQLLEN ind = 0;
	SQLPOINTER in;
	SQLRETURN rc;

	say("== connection strings");
	chk("SQLAllocHandle(DBC) for a second connection", SQLAllocHandle(SQL_HANDLE_DBC, g_env, &dbc),
	    SQL_HANDLE_ENV, g_env);
	snprintf(conn, sizeof(conn), "DSN=%s;CsDiffKey=1;csdiffkey={2}", g_dsn);
	in = tin_padded(conn, "DSN=nowhere;X={", 400);
	tb_clear(&out);
	rc = g_wide ? SQLDriverConnectW(dbc, NULL, in, 400, out.u.w, 2048, &outlen, SQL_DRIVER_NOPROMPT)
		    : SQLDriverConnect(dbc, NULL, in, 400, out.u.a, 2048, &outlen, SQL_DRIVER_NOPROMPT);
	say("SQLDriverConnect(DSN=...;CsDiffKey=1;csdiffkey={2}, length = buffer size 400) -> %s", rcname(rc));
	diags(SQL_HANDLE_DBC, dbc);
	if (SQL_SUCCEEDED(rc)) {
		say_out_string("  output string, DSN/DRIVER and credshim's keys left out", &out, conn);
		chk("SQLDisconnect (second connection)", SQLDisconnect(dbc), SQL_HANDLE_DBC, dbc);
	}
	chk("SQLFreeHandle(DBC) (second connection)", SQLFreeHandle(SQL_HANDLE_DBC, dbc), 0, NULL);

	s = new_stmt();
	rc = SQLBindParam(s, 1, SQL_C_LONG, SQL_INTEGER, 10, 0, &v, &ind);
	chk("SQLBindParam(1, SQL_C_LONG, SQL_INTEGER)", rc, SQL_HANDLE_STMT, s);
	if (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(exec_show(s, "SELECT ?")))
		dump_result(s, 1, 2);
	free_stmt(s);

	s = new_stmt();
	/* With the quirk text_length_as_is the length is the text's own. */
	len = g_text_length_as_is ? 9 : 300;
	in = tin_padded("SELECT 42", "garbage after the NUL", 300);
	rc = g_wide ? SQLExecDirectW(s, in, len) : SQLExecDirect(s, in, len);
	chk(len == 300 ? "SQLExecDirect(SELECT 42, length = buffer size 300)" : "SQLExecDirect(SELECT 42, length 9)",
	    rc, SQL_HANDLE_STMT, s);
	if (SQL_SUCCEEDED(rc))
		dump_result(s, 1, 2);
	in = tin_padded("SELECT 43", "garbage after the NUL", 300);
	rc = g_wide ? SQLPrepareW(s, in, len) : SQLPrepare(s, in, len);
	chk(len == 300 ? "SQLPrepare(SELECT 43, length = buffer size 300)" : "SQLPrepare(SELECT 43, length 9)", rc,
	    SQL_HANDLE_STMT, s);
	if (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(chk("SQLExecute", SQLExecute(s), SQL_HANDLE_STMT, s)))
		dump_result(s, 1, 2);
	free_stmt(s);
}

/*
 * The diagnostics of a connect, which the driver manager reads from the
 * driver within the connect: one that succeeds with a warning (psqlODBC
 * runs ConnSettings and reports its failure as 01S02; other targets
 * ignore the key), one that fails (a database that cannot exist: SQLite
 * ODBC's text differs between SQLError and SQLGetDiagRec), and connects
 * in an ODBC 2 and an ODBC 3.80 environment (the driver manager warns
 * 01000 when the target does not report the version asked for).
 */
/* Connects a new connection of env with "DSN=<dsn>;<keys>", with
 * SQL_ATTR_ASYNC_ENABLE on set before when async (psqlODBC refuses it,
 * SQLite ODBC warns 01S02, both before and after connect; the driver
 * manager ignores what a driver answers to an attribute it replays
 * before connect); the connection, NULL when the connect failed (then
 * freed). */
static SQLHDBC connect_diags(SQLHENV env, const char *what, const char *keys, int async)
{
	char conn[512];
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLRETURN rc;

	chk("SQLAllocHandle(DBC)", SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), SQL_HANDLE_ENV, env);
	if (async)
		chk("SQLSetConnectAttr(SQL_ATTR_ASYNC_ENABLE, ON) before connect",
		    g_wide ? SQLSetConnectAttrW(dbc, SQL_ATTR_ASYNC_ENABLE, (SQLPOINTER)SQL_ASYNC_ENABLE_ON, 0)
			   : SQLSetConnectAttr(dbc, SQL_ATTR_ASYNC_ENABLE, (SQLPOINTER)SQL_ASYNC_ENABLE_ON, 0),
		    SQL_HANDLE_DBC, dbc);
	snprintf(conn, sizeof(conn), "DSN=%s%s%s", g_dsn, *keys ? ";" : "", keys);
	rc = g_wide ? SQLDriverConnectW(dbc, NULL, tin(conn), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT)
		    : SQLDriverConnect(dbc, NULL, tin(conn), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	chk(what, rc, SQL_HANDLE_DBC, dbc);
	if (SQL_SUCCEEDED(rc))
		return dbc;
	chk("SQLFreeHandle(DBC)", SQLFreeHandle(SQL_HANDLE_DBC, dbc), 0, NULL);
	return SQL_NULL_HDBC;
}

static void disconnect_free(SQLHDBC dbc)
{
	if (!dbc)
		return;
	chk("SQLDisconnect", SQLDisconnect(dbc), SQL_HANDLE_DBC, dbc);
	chk("SQLFreeHandle(DBC)", SQLFreeHandle(SQL_HANDLE_DBC, dbc), 0, NULL);
}

static void step_connect_diags(void)
{
	static const SQLINTEGER versions[] = { SQL_OV_ODBC2, SQL_OV_ODBC3_80 };
	size_t i;

	say("== connect diagnostics");
	disconnect_free(connect_diags(g_env, "SQLDriverConnect(DSN=...;ConnSettings=SELECT 1/0)",
				      "ConnSettings=SELECT 1/0", 0));
	disconnect_free(connect_diags(g_env, "SQLDriverConnect(DSN=...;Database=/nonexistent/cs-difftest/db)",
				      "Database=/nonexistent/cs-difftest/db", 0));
	disconnect_free(connect_diags(g_env, "SQLDriverConnect(DSN=...)", "", 1));
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		SQLHENV env = SQL_NULL_HENV;
		SQLHDBC first;
		char what[128];

		say("SQLAllocHandle(ENV) -> %s", rcname(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)));
		snprintf(what, sizeof(what), "SQLSetEnvAttr(SQL_ATTR_ODBC_VERSION, %ld)", (long)versions[i]);
		chk(what, SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)(intptr_t)versions[i], 0),
		    SQL_HANDLE_ENV, env);
		/* The first connect creates the target's environment, the
		 * second, while the first is open, finds it: the driver
		 * manager asks the target differently then. */
		first = connect_diags(env, "SQLDriverConnect(DSN=...) in that environment", "", 1);
		disconnect_free(connect_diags(env, "SQLDriverConnect(DSN=...) in that environment, a second "
					      "connection", "", 0));
		disconnect_free(first);
		chk("SQLFreeHandle(ENV)", SQLFreeHandle(SQL_HANDLE_ENV, env), 0, NULL);
	}
}

static void step_drop(void)
{
	char sql[512];
	SQLHSTMT s;

	say("== drop");
	s = new_stmt();
	snprintf(sql, sizeof(sql), "DROP TABLE %s", g_table);
	exec_show(s, sql);
	exec_show(s, sql);
	free_stmt(s);
}

static void step_end(void)
{
	SQLHSTMT s;

	say("== disconnect");
	/* A statement left open: SQLDisconnect frees it. */
	s = new_stmt();
	exec_show(s, "SELECT 1");
	chk("SQLDisconnect", SQLDisconnect(g_dbc), SQL_HANDLE_DBC, g_dbc);
	chk("SQLDisconnect (again)", SQLDisconnect(g_dbc), SQL_HANDLE_DBC, g_dbc);
	show_connattr_num("SQL_ATTR_AUTOCOMMIT", SQL_ATTR_AUTOCOMMIT);
	chk("SQLFreeHandle(DBC)", SQLFreeHandle(SQL_HANDLE_DBC, g_dbc), 0, NULL);
	chk("SQLFreeHandle(ENV)", SQLFreeHandle(SQL_HANDLE_ENV, g_env), 0, NULL);
}

int main(int argc, char **argv)
{
	const char *quirks;

	if (argc < 3 || argc > 4 || (strcmp(argv[2], "ansi") != 0 && strcmp(argv[2], "wide") != 0)) {
		fprintf(stderr, "usage: %s DSN ansi|wide [TABLE]\n", argv[0]);
		return 1;
	}
	setlocale(LC_ALL, "");
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_dsn = argv[1];
	g_wide = strcmp(argv[2], "wide") == 0;
	g_table = argc == 4 ? argv[3] : "cs_difftest";
	quirks = getenv("CS_DIFFTEST_QUIRKS");
	g_shallow_ird_copy = quirks && strstr(quirks, "shallow_ird_copy") != NULL;
	g_server_name_not_dsn = quirks && strstr(quirks, "server_name_not_dsn") != NULL;
	g_out_string_app_keys = quirks && strstr(quirks, "out_string_app_keys") != NULL;
	g_text_length_as_is = quirks && strstr(quirks, "text_length_as_is") != NULL;
	say("difftest %s, table %s", argv[2], g_table);

	step_env();
	if (step_connect() != 0)
		return 2;
	step_getinfo();
	step_functions();
	step_connattrs();
	step_ddl();
	step_insert();
	step_select_bind();
	step_select_getdata();
	step_colattr();
	step_catalog();
	step_descriptors();
	step_prepared();
	step_errors();
	step_transactions();
	step_misc();
	step_connstr();
	step_connect_diags();
	step_drop();
	step_end();
	say("end of script");
	return 0;
}
