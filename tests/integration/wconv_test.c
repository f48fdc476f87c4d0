/* SPDX-License-Identifier: MIT */
/*
 * wconv_test.c - credshim's A/W conversion against the driver manager's.
 *
 * A Unicode application calls the W functions; an ANSI-only target
 * (libsqlite3odbc.so, psqlodbca.so) makes credshim convert and call the
 * ANSI ones (driver/api/wconv.c).  Talking to the same target directly,
 * unixODBC converts by itself, so the direct DSN is the reference: the
 * same script of W calls runs against both DSNs of each pair and every
 * observation (return code, SQLSTATEs, lengths, strings) must match.
 *
 * The driver manager's own conversion is not always right, and then it
 * cannot be the reference (unixODBC 2.3.11, DriverManager/SQL*W.c):
 *   - it converts through UCS-2, so characters outside the BMP (a
 *     surrogate pair) do not survive;
 *   - for truncated output it hands the ANSI driver the W buffer size in
 *     bytes and writes up to twice the buffer (SQLGetInfoW,
 *     SQLGetDescFieldW), and truncates UTF-8 in the middle of a sequence;
 *   - SQLGetDescRecW returns the name length in bytes, SQLGetDescFieldW in
 *     ANSI bytes, where the ODBC reference says characters and W bytes.
 * So every output string is also checked against the ODBC reference: it
 * is read with a large buffer, then with a NULL buffer and with buffers
 * too small, and the results must be that full value truncated as the
 * reference says (SQL_SUCCESS_WITH_INFO, 01004, NUL-terminated inside the
 * buffer, the full length in the function's unit, nothing written past
 * the buffer); strings with characters outside the BMP are also checked
 * against the literal the test put in.  Through credshim every rule must
 * hold.  Where the direct result breaks one of them but credshim's meets
 * it, the difference is printed as a NOTE, not counted as a failure.
 *
 * Needs the environment of tests/run.sh (ODBCSYSINI, ODBCINI, the
 * sqlite/cs_sqlite and pg_a/cs_pg_a DSNs); fails without it.
 *
 *   wconv_test                      both pairs
 *   wconv_test <direct> <credshim>  one pair of DSNs
 *   WCONV_VERBOSE=1                 print both results of each NOTE too
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "tcheck.h"
#include "twide.h"

#define STR_CAP 4096  /* SQLWCHARs kept per observation */
#define BUF_CAP 16384 /* SQLWCHARs in the output buffer (room for overflow) */
#define BIG 2048      /* the "large" buffer, in characters */
#define GUARD 0xA5A5u /* fills the output buffer before each call */



/* A UTF-16 copy of a UTF-8 literal, for the W calls (static rotation of
 * buffers so a call can take several). */
static SQLWCHAR *W(const char *s)
{
	static SQLWCHAR ring[8][1024];
	static unsigned next;
	SQLWCHAR *w = ring[next++ % 8];

	tw_from_u8(s, strlen(s), w, 1024);
	return w;
}

/* ---- observations ---- */

/* What a call did, as seen by the application. */
struct ob {
	char what[200];
	SQLRETURN rc;
	SQLLEN len;              /* reported length (-999 when not set) */
	SQLLEN num[4];           /* numeric outputs */
	char states[64];         /* SQLSTATEs of the diagnostic records */
	char state[6];           /* SQLGetDiagRecW's SQLSTATE output */
	int has_str;
	SQLWCHAR str[STR_CAP];   /* the buffer up to its NUL */
	size_t nstr;
	int unterminated;        /* no NUL inside the buffer */
	int overflow;            /* written past the buffer */
	int own_only;            /* may differ between DSNs: spec checks only */

	/* The ODBC reference's result for this call (from the full value). */
	int has_spec;
	SQLRETURN exp_rc;
	SQLLEN exp_len;
	int exp_str;             /* check the string */
	SQLWCHAR exp[STR_CAP];
	size_t nexp;
	int exp_alt;             /* one unit shorter is fine too (a surrogate
				  * pair not split) */
	int exp_01004;
	int exp_num;             /* num[] as in the full call */
	SQLLEN expn[4];

	/* A literal the test knows (outside the BMP: the DM is no reference). */
	int has_want;
	SQLRETURN want_rc;
	int want_str;
	SQLWCHAR want[STR_CAP];
	size_t nwant;
	int want_n;              /* num[0] must be want_num */
	SQLLEN want_num;
};

struct run {
	const char *dsn;
	SQLHENV env;
	SQLHDBC dbc;
	struct ob *ob;
	size_t n, cap;
};

static SQLWCHAR g_buf[BUF_CAP];
static int g_verbose; /* WCONV_VERBOSE=1: print both results of each NOTE */

static struct ob *ob_new(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct ob *ob_new(struct run *r, const char *fmt, ...)
{
	struct ob *o;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct ob *p = realloc(r->ob, cap * sizeof(*p));

		if (!p) {
			fprintf(stderr, "wconv_test: out of memory\n");
			exit(2);
		}
		r->ob = p;
		r->cap = cap;
	}
	o = &r->ob[r->n++];
	memset(o, 0, sizeof(*o));
	o->len = -999;
	va_start(ap, fmt);
	vsnprintf(o->what, sizeof(o->what), fmt, ap);
	va_end(ap);
	return o;
}

/*
 * The SQLSTATEs of a handle's diagnostic records, space-separated.  A
 * repeat of the record before is left out: psqlODBC hands out a message
 * longer than the reader's buffer as several records, so the number of
 * records depends on who read them first (the driver manager reads them
 * directly from an ANSI driver, credshim on the way from one).
 */
static void ob_states(struct ob *o, SQLSMALLINT type, SQLHANDLE h)
{
	SQLSMALLINT i, len;
	SQLWCHAR state[6], msg[1024];
	SQLINTEGER native;
	char last[16] = "";
	size_t k = 0;

	o->states[0] = '\0';
	for (i = 1; i <= 16 && k + 7 < sizeof(o->states); i++) {
		char s8[16];

		if (!SQL_SUCCEEDED(SQLGetDiagRecW(type, h, i, state, &native, msg, 1024, &len)))
			break;
		tw_to_u8(state, 5, s8, sizeof(s8));
		if (strcmp(s8, last) == 0)
			continue;
		snprintf(last, sizeof(last), "%s", s8);
		k += (size_t)snprintf(o->states + k, sizeof(o->states) - k, "%s%s", k ? " " : "", s8);
	}
}

static void ob_set_str(struct ob *o, const SQLWCHAR *s, size_t n)
{
	if (n > STR_CAP - 1)
		n = STR_CAP - 1;
	memcpy(o->str, s, n * sizeof(SQLWCHAR));
	o->str[n] = 0;
	o->nstr = n;
	o->has_str = 1;
}

static void ob_want(struct ob *o, SQLRETURN rc, const char *s)
{
	o->has_want = 1;
	o->want_rc = rc;
	if (s) {
		o->want_str = 1;
		o->nwant = tw_from_u8(s, strlen(s), o->want, STR_CAP);
	}
}

/* Records the return code and diagnostics of a call without output. */
static struct ob *ob_rc(struct run *r, SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
	struct ob *o = ob_new(r, "%s", what);

	o->rc = rc;
	ob_states(o, type, h);
	return o;
}

/* ---- string getters: one W function with an output string ---- */

enum gkind { G_INFO, G_DESCRIBECOL, G_COLATTR, G_COLATTRS, G_DESCFIELD, G_DESCREC, G_CURSORNAME,
	     G_NATIVESQL, G_DIAGREC };

struct gcall {
	enum gkind kind;
	SQLHANDLE h;
	SQLSMALLINT htype;  /* the handle's type, for diagnostics */
	int a, b;           /* info type; column; record; field */
	const SQLWCHAR *in; /* SQLNativeSqlW input */
	SQLINTEGER inlen;
	int big;            /* the large buffer, when not BIG */
};

/* Lengths of these come in bytes, of the others in characters. */
static int g_in_bytes(enum gkind k)
{
	return k == G_INFO || k == G_COLATTR || k == G_COLATTRS || k == G_DESCFIELD;
}

/*
 * Calls g with a buffer of cap characters (cap < 0: a NULL buffer and a
 * buffer length of 0), the buffer filled with GUARD first.
 */
static void gcall_do(const struct gcall *g, int cap, struct ob *o)
{
	SQLWCHAR *b = cap < 0 ? NULL : g_buf;
	SQLSMALLINT chars = cap < 0 ? 0 : (SQLSMALLINT)cap, bytes = (SQLSMALLINT)(chars * 2);
	SQLSMALLINT sl = -999, t = -999, sub = -999, prec = -999, scale = -999, nul = -999;
	SQLINTEGER il = -999, native = -999;
	SQLULEN colsize = 0;
	SQLLEN nattr = -999, length = -999;
	SQLWCHAR state[6] = {0};
	char s8[16];
	size_t i;

	for (i = 0; i < BUF_CAP; i++)
		g_buf[i] = (SQLWCHAR)GUARD;
	switch (g->kind) {
	case G_INFO:
		o->rc = SQLGetInfoW(g->h, (SQLUSMALLINT)g->a, b, bytes, &sl);
		o->len = sl;
		break;
	case G_DESCRIBECOL:
		o->rc = SQLDescribeColW(g->h, (SQLUSMALLINT)g->a, b, chars, &sl, &t, &colsize, &scale, &nul);
		o->len = sl;
		o->num[0] = t;
		o->num[1] = (SQLLEN)colsize;
		o->num[2] = scale;
		o->num[3] = nul;
		break;
	case G_COLATTR:
		o->rc = SQLColAttributeW(g->h, (SQLUSMALLINT)g->a, (SQLUSMALLINT)g->b, b, bytes, &sl, &nattr);
		o->len = sl;
		o->num[0] = nattr;
		break;
	case G_COLATTRS:
		o->rc = SQLColAttributesW(g->h, (SQLUSMALLINT)g->a, (SQLUSMALLINT)g->b, b, bytes, &sl, &nattr);
		o->len = sl;
		break;
	case G_DESCFIELD:
		o->rc = SQLGetDescFieldW(g->h, (SQLSMALLINT)g->a, (SQLSMALLINT)g->b, b, bytes, &il);
		o->len = il;
		break;
	case G_DESCREC:
		o->rc = SQLGetDescRecW(g->h, (SQLSMALLINT)g->a, b, chars, &sl, &t, &sub, &length, &prec,
				       &scale, &nul);
		o->len = sl;
		o->num[0] = t;
		o->num[1] = length;
		o->num[2] = prec * 1000 + scale;
		o->num[3] = nul;
		break;
	case G_CURSORNAME:
		o->rc = SQLGetCursorNameW(g->h, b, chars, &sl);
		o->len = sl;
		break;
	case G_NATIVESQL:
		o->rc = SQLNativeSqlW(g->h, (SQLWCHAR *)g->in, g->inlen, b, cap < 0 ? 0 : cap, &il);
		o->len = il;
		break;
	case G_DIAGREC:
		o->rc = SQLGetDiagRecW(g->htype, g->h, (SQLSMALLINT)g->a, state, &native, b, chars, &sl);
		o->len = sl;
		o->num[0] = native;
		tw_to_u8(state, 5, s8, sizeof(s8));
		snprintf(o->state, sizeof(o->state), "%.5s", s8);
		break;
	}
	if (g->kind != G_DIAGREC)
		ob_states(o, g->htype, g->h);
	if (!b || !SQL_SUCCEEDED(o->rc))
		return;
	for (i = 0; i < (size_t)cap && g_buf[i]; i++)
		;
	o->unterminated = i == (size_t)cap && cap > 0;
	ob_set_str(o, g_buf, i);
	for (i = (size_t)cap; i < BUF_CAP; i++)
		if (g_buf[i] != (SQLWCHAR)GUARD)
			o->overflow = 1;
}

static const char *g_cap_name(int which)
{
	static const char *const names[] = {"NULL buffer", "1 char", "4 chars", "full length",
					    "full length + 1"};
	return names[which];
}

/*
 * Reads one output string: with a large buffer, then with a NULL buffer
 * and smaller ones, each checked against the reference's result derived
 * from the large read.  want (may be NULL): the value the large read
 * must give, when the test knows it.
 */
static void check_string(struct run *r, const struct gcall *g, int own_only, const char *want,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void check_string(struct run *r, const struct gcall *g, int own_only, const char *want,
			 const char *fmt, ...)
{
	static SQLWCHAR full[STR_CAP];
	char what[160];
	struct ob *big;
	SQLRETURN frc;
	SQLLEN fnum[4];
	size_t nf = 0;
	int unit = g_in_bytes(g->kind) ? 2 : 1, which, have_full, big_ok;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	big = ob_new(r, "%s [large buffer]", what);
	gcall_do(g, g->big ? g->big : BIG, big);
	big->own_only = own_only;
	if (g->kind == G_COLATTR)
		big->num[0] = 0; /* NumericAttributePtr: undefined for strings */
	big_ok = SQL_SUCCEEDED(big->rc) && big->has_str && !big->unterminated;
	if (big_ok) {
		/* It fits: the length must be the string's. */
		big->has_spec = 1;
		big->exp_rc = big->rc;
		big->exp_len = (SQLLEN)big->nstr * unit;
	}
	/* The full value the smaller reads are checked against: the
	 * literal when the test knows it, else the large read. */
	if (want) {
		ob_want(big, SQL_SUCCESS, want);
		memcpy(full, big->want, (big->nwant + 1) * sizeof(SQLWCHAR));
		nf = big->nwant;
		frc = SQL_SUCCESS;
		have_full = 1;
	} else {
		memcpy(full, big->str, (big->nstr + 1) * sizeof(SQLWCHAR));
		nf = big->nstr;
		frc = big->rc;
		have_full = big_ok;
	}
	memcpy(fnum, big->num, sizeof(fnum));

	for (which = 0; which < 5; which++) {
		struct ob *o = ob_new(r, "%s [%s]", what, g_cap_name(which));
		int cap;

		switch (which) {
		case 0:
			cap = -1;
			break;
		case 1:
			cap = 1;
			break;
		case 2:
			cap = 4;
			break;
		case 3:
			cap = nf ? (int)nf : 1;
			break;
		default:
			cap = (int)nf + 1;
			break;
		}
		gcall_do(g, cap, o);
		o->own_only = own_only;
		if (g->kind == G_COLATTR)
			o->num[0] = 0;
		if (!have_full)
			continue; /* no full value: compared with the direct DSN only */
		o->has_spec = 1;
		o->exp_len = (SQLLEN)nf * unit;
		o->exp_num = big_ok;
		memcpy(o->expn, fnum, sizeof(o->expn));
		if (cap < 0 || nf < (size_t)cap) {
			o->exp_rc = frc;
			if (cap >= 0) {
				o->exp_str = 1;
				memcpy(o->exp, full, (nf + 1) * sizeof(SQLWCHAR));
				o->nexp = nf;
			}
			continue;
		}
		o->exp_rc = SQL_SUCCESS_WITH_INFO;
		o->exp_01004 = g->kind != G_DIAGREC;
		o->exp_str = 1;
		o->nexp = (size_t)cap - 1;
		memcpy(o->exp, full, o->nexp * sizeof(SQLWCHAR));
		o->exp[o->nexp] = 0;
		o->exp_alt = o->nexp > 0 && full[o->nexp - 1] >= 0xD800 && full[o->nexp - 1] < 0xDC00;
	}
}

/* A numeric output (SQLGetInfoW of a number, numeric column attribute or
 * descriptor field). */
static void check_num(struct run *r, const struct gcall *g, const char *what)
{
	struct ob *o = ob_new(r, "%s", what);
	SQLULEN v = 0;
	SQLSMALLINT sl = -999;
	SQLINTEGER il = -999;
	SQLLEN nattr = -999;

	switch (g->kind) {
	case G_INFO:
		o->rc = SQLGetInfoW(g->h, (SQLUSMALLINT)g->a, &v, sizeof(v), &sl);
		o->len = sl;
		break;
	case G_COLATTR:
		o->rc = SQLColAttributeW(g->h, (SQLUSMALLINT)g->a, (SQLUSMALLINT)g->b, NULL, 0, &sl, &nattr);
		v = (SQLULEN)nattr;
		break;
	case G_COLATTRS:
		o->rc = SQLColAttributesW(g->h, (SQLUSMALLINT)g->a, (SQLUSMALLINT)g->b, NULL, 0, &sl, &nattr);
		v = (SQLULEN)nattr;
		break;
	case G_DESCFIELD:
		o->rc = SQLGetDescFieldW(g->h, (SQLSMALLINT)g->a, (SQLSMALLINT)g->b, &v, sizeof(v), &il);
		break;
	default:
		break;
	}
	o->num[0] = (SQLLEN)v;
	ob_states(o, g->htype, g->h);
}

/* SQLGetData as text (SQL_C_CHAR: the data path is not converted, by
 * credshim or the driver manager; it shows what the target received). */
static void check_data(struct run *r, SQLHSTMT st, SQLUSMALLINT col, const char *want, const char *what)
{
	struct ob *o = ob_new(r, "%s", what);
	char buf[4096];
	SQLLEN ind = -999;

	o->rc = SQLGetData(st, col, SQL_C_CHAR, buf, sizeof(buf), &ind);
	o->len = ind;
	ob_states(o, SQL_HANDLE_STMT, st);
	if (SQL_SUCCEEDED(o->rc) && ind >= 0) {
		SQLWCHAR w[STR_CAP];
		size_t n = tw_from_u8(buf, strlen(buf), w, STR_CAP);

		ob_set_str(o, w, n < STR_CAP ? n : STR_CAP - 1);
	}
	if (want)
		ob_want(o, SQL_SUCCESS, want);
}

/* A whole result set as text: rows of '|'-separated SQL_C_CHAR values. */
static void check_result(struct run *r, SQLHSTMT st, SQLRETURN rc, const char *what)
{
	struct ob *o = ob_rc(r, rc, SQL_HANDLE_STMT, st, what);
	char text[16384], val[1024];
	size_t k = 0;
	SQLSMALLINT ncols = 0, c;
	int rows = 0;

	text[0] = '\0';
	if (SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(SQLNumResultCols(st, &ncols))) {
		while (rows < 200 && SQL_SUCCEEDED(SQLFetch(st))) {
			rows++;
			for (c = 1; c <= ncols && k + 8 < sizeof(text); c++) {
				SQLLEN ind = 0;
				SQLRETURN g = SQLGetData(st, (SQLUSMALLINT)c, SQL_C_CHAR, val, sizeof(val), &ind);
				const char *v = !SQL_SUCCEEDED(g) ? "<error>" : ind == SQL_NULL_DATA ? "<null>" : val;

				k += (size_t)snprintf(text + k, sizeof(text) - k, "%s%s", c > 1 ? "|" : "", v);
			}
			if (k + 2 < sizeof(text))
				text[k++] = '\n';
			text[k < sizeof(text) ? k : sizeof(text) - 1] = '\0';
		}
	}
	SQLFreeStmt(st, SQL_CLOSE);
	o->num[0] = ncols;
	o->num[1] = rows;
	{
		SQLWCHAR w[STR_CAP];
		size_t n = tw_from_u8(text, strlen(text), w, STR_CAP);

		ob_set_str(o, w, n < STR_CAP ? n : STR_CAP - 1);
	}
}

/* ---- the script: the same calls on both DSNs of a pair ---- */

struct infotype {
	SQLUSMALLINT type;
	const char *name;
};

#define IT(t) {t, #t}

/*
 * The string types the target answers.  The driver manager answers
 * SQL_DATA_SOURCE_NAME, SQL_DM_VER, SQL_ODBC_VER and SQL_XOPEN_CLI_YEAR
 * itself (and writes them whole whatever the buffer): credshim never
 * sees those.
 */
static const struct infotype info_strings[] = {
	IT(SQL_ACCESSIBLE_PROCEDURES), IT(SQL_ACCESSIBLE_TABLES), IT(SQL_CATALOG_NAME),
	IT(SQL_CATALOG_NAME_SEPARATOR), IT(SQL_CATALOG_TERM), IT(SQL_COLLATION_SEQ),
	IT(SQL_COLUMN_ALIAS), IT(SQL_DATA_SOURCE_READ_ONLY), IT(SQL_DATABASE_NAME),
	IT(SQL_DBMS_NAME), IT(SQL_DBMS_VER), IT(SQL_DESCRIBE_PARAMETER), IT(SQL_DRIVER_NAME),
	IT(SQL_DRIVER_ODBC_VER), IT(SQL_DRIVER_VER), IT(SQL_EXPRESSIONS_IN_ORDERBY),
	IT(SQL_IDENTIFIER_QUOTE_CHAR), IT(SQL_INTEGRITY), IT(SQL_KEYWORDS), IT(SQL_LIKE_ESCAPE_CLAUSE),
	IT(SQL_MAX_ROW_SIZE_INCLUDES_LONG), IT(SQL_MULT_RESULT_SETS), IT(SQL_MULTIPLE_ACTIVE_TXN),
	IT(SQL_NEED_LONG_DATA_LEN), IT(SQL_ORDER_BY_COLUMNS_IN_SELECT), IT(SQL_OUTER_JOINS),
	IT(SQL_PROCEDURE_TERM), IT(SQL_PROCEDURES), IT(SQL_ROW_UPDATES), IT(SQL_SCHEMA_TERM),
	IT(SQL_SEARCH_PATTERN_ESCAPE), IT(SQL_SERVER_NAME), IT(SQL_SPECIAL_CHARACTERS),
	IT(SQL_TABLE_TERM), IT(SQL_USER_NAME),
};

static const struct infotype info_numbers[] = {
	IT(SQL_ACTIVE_STATEMENTS), IT(SQL_CURSOR_COMMIT_BEHAVIOR), IT(SQL_DEFAULT_TXN_ISOLATION),
	IT(SQL_GETDATA_EXTENSIONS), IT(SQL_IDENTIFIER_CASE), IT(SQL_MAX_COLUMN_NAME_LEN),
	IT(SQL_MAX_IDENTIFIER_LEN), IT(SQL_ODBC_INTERFACE_CONFORMANCE), IT(SQL_SCROLL_OPTIONS),
	IT(SQL_SQL_CONFORMANCE), IT(SQL_STRING_FUNCTIONS), IT(SQL_TXN_CAPABLE),
	IT(SQL_TXN_ISOLATION_OPTION), IT(SQL_CONVERT_FUNCTIONS),
};

static void script_info(struct run *r)
{
	struct gcall g = {G_INFO, r->dbc, SQL_HANDLE_DBC, 0, 0, NULL, 0, 0};
	size_t i;

	for (i = 0; i < sizeof(info_strings) / sizeof(info_strings[0]); i++) {
		g.a = info_strings[i].type;
		check_string(r, &g, 0, NULL, "SQLGetInfoW(%s)", info_strings[i].name);
	}
	for (i = 0; i < sizeof(info_numbers) / sizeof(info_numbers[0]); i++) {
		char what[100];

		g.a = info_numbers[i].type;
		snprintf(what, sizeof(what), "SQLGetInfoW(%s)", info_numbers[i].name);
		check_num(r, &g, what);
	}
}

static void script_nativesql(struct run *r)
{
	static const char *const sql[] = {
		"SELECT id FROM cs_fixture WHERE txt = 'one'",
		"SELECT {fn UCASE('abc')} AS x",
		"SELECT 'Grüße ✓' AS x",
	};
	const char *clef = "SELECT 'Grüße ✓ 𝄞' AS x", *cut = "SELECT '𝄞' AS x -- not passed";
	struct gcall g = {G_NATIVESQL, r->dbc, SQL_HANDLE_DBC, 0, 0, NULL, SQL_NTS, 0};
	SQLWCHAR in[256];
	size_t i;

	/*
	 * sqliteodbc's SQLNativeSql writes a NUL into its input at
	 * BufferLength - 1, and unixODBC's copy of the input for an ANSI
	 * driver holds 4 bytes per character: a larger buffer corrupts the
	 * driver manager's heap on the direct DSN.
	 */
	g.in = in;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		g.big = 4 * (int)tw_from_u8(sql[i], strlen(sql[i]), in, 256);
		check_string(r, &g, 0, NULL, "SQLNativeSqlW(\"%s\")", sql[i]);
	}
	/* Outside the BMP: no escape in it, so the driver returns it as is. */
	g.big = 4 * (int)tw_from_u8(clef, strlen(clef), in, 256);
	check_string(r, &g, 0, clef, "SQLNativeSqlW(\"%s\")", clef);
	/* An input length in characters: a surrogate pair counts two. */
	tw_from_u8(cut, strlen(cut), in, 256);
	g.inlen = 16;
	g.big = 4 * 16;
	check_string(r, &g, 0, "SELECT '𝄞' AS x", "SQLNativeSqlW(\"SELECT '𝄞' AS x ...\", 16)");
}

static SQLHSTMT stmt_new(struct run *r)
{
	SQLHSTMT st = SQL_NULL_HSTMT;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, r->dbc, &st)))
		fprintf(stderr, "%s: SQLAllocHandle(STMT) failed\n", r->dsn);
	return st;
}

/* Column metadata of the statement's result, through every W function
 * that reads it. */
static void script_columns(struct run *r, SQLHSTMT st, int ncols, const char *tag)
{
	static const struct {
		SQLUSMALLINT field;
		const char *name;
		int is_str;
	} attrs[] = {
		{SQL_DESC_NAME, "SQL_DESC_NAME", 1},
		{SQL_DESC_LABEL, "SQL_DESC_LABEL", 1},
		{SQL_DESC_TYPE_NAME, "SQL_DESC_TYPE_NAME", 1},
		{SQL_DESC_BASE_COLUMN_NAME, "SQL_DESC_BASE_COLUMN_NAME", 1},
		{SQL_DESC_TABLE_NAME, "SQL_DESC_TABLE_NAME", 1},
		{SQL_COLUMN_NAME, "SQL_COLUMN_NAME", 1},
		{SQL_DESC_TYPE, "SQL_DESC_TYPE", 0},
		{SQL_DESC_LENGTH, "SQL_DESC_LENGTH", 0},
		{SQL_DESC_NULLABLE, "SQL_DESC_NULLABLE", 0},
	};
	struct gcall g = {G_DESCRIBECOL, st, SQL_HANDLE_STMT, 0, 0, NULL, 0, 0};
	SQLHDESC ird = SQL_NULL_HDESC;
	SQLRETURN rc;
	size_t i;
	int c;

	for (c = 1; c <= ncols; c++) {
		g.kind = G_DESCRIBECOL;
		g.a = c;
		check_string(r, &g, 0, NULL, "%s: SQLDescribeColW(%d)", tag, c);
		g.kind = G_COLATTR;
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			char what[160];

			g.b = attrs[i].field;
			snprintf(what, sizeof(what), "%s: SQLColAttributeW(%d, %s)", tag, c, attrs[i].name);
			if (attrs[i].is_str)
				check_string(r, &g, 0, NULL, "%s", what);
			else
				check_num(r, &g, what);
		}
	}

	rc = SQLGetStmtAttrW(st, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLGetStmtAttrW(SQL_ATTR_IMP_ROW_DESC)");
	if (!SQL_SUCCEEDED(rc))
		return;
	g.h = ird;
	g.htype = SQL_HANDLE_DESC;
	g.kind = G_DESCFIELD;
	g.a = 0;
	g.b = SQL_DESC_COUNT;
	check_num(r, &g, "IRD SQLGetDescFieldW(0, SQL_DESC_COUNT)");
	for (c = 1; c <= ncols; c++) {
		char what[160];

		g.kind = G_DESCFIELD;
		g.a = c;
		g.b = SQL_DESC_NAME;
		check_string(r, &g, 0, NULL, "%s: IRD SQLGetDescFieldW(%d, SQL_DESC_NAME)", tag, c);
		g.b = SQL_DESC_TYPE_NAME;
		check_string(r, &g, 0, NULL, "%s: IRD SQLGetDescFieldW(%d, SQL_DESC_TYPE_NAME)", tag, c);
		g.b = SQL_DESC_TYPE;
		snprintf(what, sizeof(what), "%s: IRD SQLGetDescFieldW(%d, SQL_DESC_TYPE)", tag, c);
		check_num(r, &g, what);
		g.kind = G_DESCREC;
		check_string(r, &g, 0, NULL, "%s: IRD SQLGetDescRecW(%d)", tag, c);
	}
}

static void script_statements(struct run *r)
{
	/* Inside the BMP, so the driver manager's own conversion is a
	 * reference. */
	const char *q1 = "SELECT id AS \"ab\", txt AS \"Grüße ✓\", "
			 "id AS \"long_column_name_for_truncation_checks\" FROM cs_fixture WHERE id = 2";
	const char *q2 = "SELECT id, txt AS \"𝄞 clef\" FROM cs_fixture WHERE txt = 'Grüße ✓ 𝄞'";
	const char *q3 = "SELECT 'Grüße ✓ 𝄞' AS v FROM cs_fixture WHERE id = 1 AND garbage(";
	const char *q3_end = strstr(q3, " AND garbage(");
	SQLWCHAR q3w[256];
	SQLHSTMT st = stmt_new(r);
	SQLSMALLINT ncols = 0;
	SQLRETURN rc;
	struct gcall g = {G_DESCRIBECOL, st, SQL_HANDLE_STMT, 2, 0, NULL, 0, 0};
	struct ob *o;

	rc = SQLExecDirectW(st, W(q1), SQL_NTS);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLExecDirectW(q1: BMP aliases)");
	rc = SQLNumResultCols(st, &ncols);
	o = ob_rc(r, rc, SQL_HANDLE_STMT, st, "q1: SQLNumResultCols");
	o->num[0] = ncols;
	script_columns(r, st, ncols, "q1");
	rc = SQLFetch(st);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "q1: SQLFetch");
	check_data(r, st, 2, "Grüße ✓ 𝄞", "q1: SQLGetData(2)");
	SQLFreeStmt(st, SQL_CLOSE);

	rc = SQLPrepareW(st, W(q1), SQL_NTS);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLPrepareW(q1)");
	check_string(r, &g, 0, NULL, "q1 prepared: SQLDescribeColW(2)");
	rc = SQLExecute(st);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "q1 prepared: SQLExecute");
	rc = SQLFetch(st);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "q1 prepared: SQLFetch");
	check_data(r, st, 2, "Grüße ✓ 𝄞", "q1 prepared: SQLGetData(2)");
	SQLFreeStmt(st, SQL_CLOSE);

	/* Outside the BMP: checked against the literals. */
	rc = SQLExecDirectW(st, W(q2), SQL_NTS);
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLExecDirectW(q2: surrogate pair in text and alias)"),
		SQL_SUCCESS, NULL);
	rc = SQLFetch(st);
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "q2: SQLFetch"), SQL_SUCCESS, NULL);
	check_data(r, st, 1, "2", "q2: SQLGetData(1)");
	check_data(r, st, 2, "Grüße ✓ 𝄞", "q2: SQLGetData(2)");
	check_string(r, &g, 0, "𝄞 clef", "q2: SQLDescribeColW(2)");
	g.kind = G_COLATTR;
	g.b = SQL_DESC_NAME;
	check_string(r, &g, 0, "𝄞 clef", "q2: SQLColAttributeW(2, SQL_DESC_NAME)");
	SQLFreeStmt(st, SQL_CLOSE);

	/* A text length in characters (a surrogate pair counts two): only
	 * the text before " AND garbage(" may reach the target. */
	rc = SQLExecDirectW(st, W(q3), (SQLINTEGER)tw_from_u8(q3, (size_t)(q3_end - q3), q3w, 256));
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLExecDirectW(q3, its length in characters)"),
		SQL_SUCCESS, NULL);
	rc = SQLFetch(st);
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "q3: SQLFetch"), SQL_SUCCESS, NULL);
	check_data(r, st, 1, "Grüße ✓ 𝄞", "q3: SQLGetData(1)");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void script_cursor_names(struct run *r)
{
	SQLHSTMT st = stmt_new(r);
	struct gcall g = {G_CURSORNAME, st, SQL_HANDLE_STMT, 0, 0, NULL, 0, 0};
	SQLRETURN rc;
	int named;

	/* The default name may hold an address: it is only checked for
	 * consistency with itself. */
	check_string(r, &g, 1, NULL, "SQLGetCursorNameW(default)");
	/* SQLite disowns SQLSetCursorName in SQLGetFunctions: the driver
	 * manager answers IM001 directly, and so must credshim; the names
	 * read back are then the generated ones. */
	rc = SQLSetCursorNameW(st, W("cur_grüße_✓"), SQL_NTS);
	named = SQL_SUCCEEDED(rc);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLSetCursorNameW(\"cur_grüße_✓\", SQL_NTS)");
	check_string(r, &g, !named, NULL, "SQLGetCursorNameW(\"cur_grüße_✓\")");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	/* A statement of its own: psqlODBC leaks a cursor name replaced. */
	g.h = st = stmt_new(r);
	rc = SQLSetCursorNameW(st, W("cur_𝄞_clef_and_more"), 11);
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLSetCursorNameW(\"cur_𝄞_clef_and_more\", 11)"),
		named ? SQL_SUCCESS : SQL_ERROR, NULL);
	check_string(r, &g, !named, named ? "cur_𝄞_clef" : NULL, "SQLGetCursorNameW(\"cur_𝄞_clef\")");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void script_catalog(struct run *r)
{
	SQLHSTMT st = stmt_new(r);
	SQLRETURN rc;

	rc = SQLTablesW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, NULL, 0);
	check_result(r, st, rc, "SQLTablesW(cs_fixture)");
	rc = SQLTablesW(st, NULL, 0, NULL, 0, W("cs_fixtureXYZ"), 10, NULL, 0);
	check_result(r, st, rc, "SQLTablesW(\"cs_fixtureXYZ\", 10)");
	rc = SQLTablesW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, W("TABLE"), SQL_NTS);
	check_result(r, st, rc, "SQLTablesW(cs_fixture, TABLE)");
	rc = SQLTablesW(st, NULL, 0, NULL, 0, W("grüße%"), SQL_NTS, NULL, 0);
	check_result(r, st, rc, "SQLTablesW(grüße%)");
	rc = SQLColumnsW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, W("%"), SQL_NTS);
	check_result(r, st, rc, "SQLColumnsW(cs_fixture, %)");
	rc = SQLColumnsW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, W("txtXX"), 3);
	check_result(r, st, rc, "SQLColumnsW(cs_fixture, \"txtXX\", 3)");
	rc = SQLPrimaryKeysW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS);
	check_result(r, st, rc, "SQLPrimaryKeysW(cs_fixture)");
	rc = SQLStatisticsW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, SQL_INDEX_ALL, SQL_QUICK);
	check_result(r, st, rc, "SQLStatisticsW(cs_fixture)");
	rc = SQLSpecialColumnsW(st, SQL_BEST_ROWID, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS,
				SQL_SCOPE_SESSION, SQL_NULLABLE);
	check_result(r, st, rc, "SQLSpecialColumnsW(cs_fixture)");
	rc = SQLForeignKeysW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, NULL, 0, NULL, 0, NULL, 0);
	check_result(r, st, rc, "SQLForeignKeysW(cs_fixture)");
	rc = SQLProceduresW(st, NULL, 0, NULL, 0, W("cs_no_such_proc"), SQL_NTS);
	check_result(r, st, rc, "SQLProceduresW(cs_no_such_proc)");
	rc = SQLProcedureColumnsW(st, NULL, 0, NULL, 0, W("cs_no_such_proc"), SQL_NTS, W("%"), SQL_NTS);
	check_result(r, st, rc, "SQLProcedureColumnsW(cs_no_such_proc)");
	rc = SQLTablePrivilegesW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS);
	check_result(r, st, rc, "SQLTablePrivilegesW(cs_fixture)");
	rc = SQLColumnPrivilegesW(st, NULL, 0, NULL, 0, W("cs_fixture"), SQL_NTS, W("txt"), SQL_NTS);
	check_result(r, st, rc, "SQLColumnPrivilegesW(cs_fixture, txt)");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void script_diag(struct run *r)
{
	SQLHSTMT st = stmt_new(r);
	struct gcall g = {G_DIAGREC, st, SQL_HANDLE_STMT, 1, 0, NULL, 0, 0};
	SQLRETURN rc;

	rc = SQLExecDirectW(st, W("SELECT * FROM cs_no_such_table_grüße"), SQL_NTS);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLExecDirectW(no such table)");
	/* Record 1 only: psqlODBC hands out the rest of a message read with
	 * a short buffer as record 2, so what follows depends on the reads. */
	check_string(r, &g, 0, NULL, "SQLGetDiagRecW(1) after an error");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* A value read back through an ODBC 2 option function: must be want. */
static void check_option(struct run *r, SQLRETURN rc, SQLULEN v, SQLSMALLINT type, SQLHANDLE h, SQLLEN want,
			 const char *what)
{
	struct ob *o = ob_rc(r, rc, type, h, what);

	o->num[0] = SQL_SUCCEEDED(rc) ? (SQLLEN)v : -999;
	ob_want(o, SQL_SUCCESS, NULL);
	o->want_n = 1;
	o->want_num = want;
}

/*
 * The ODBC 2 entry points (compat.c): unixODBC passes them to a driver
 * that has them, so through credshim they reach compat.c.  For an ANSI
 * driver unixODBC answers SQLSetConnectOptionW with IM001 (it looks for
 * SQLSetConnectOptionW and SQLSetConnectAttrW only), so the option
 * functions are checked against the values the test set.
 */
static void script_odbc2(struct run *r)
{
	SQLHSTMT st = stmt_new(r);
	struct gcall g = {G_COLATTRS, st, SQL_HANDLE_STMT, 2, SQL_COLUMN_NAME, NULL, 0, 0};
	SQLULEN v;
	SQLRETURN rc;

	v = 0;
	rc = SQLGetConnectOptionW(r->dbc, SQL_AUTOCOMMIT, &v);
	check_option(r, rc, v, SQL_HANDLE_DBC, r->dbc, SQL_AUTOCOMMIT_ON, "SQLGetConnectOptionW(SQL_AUTOCOMMIT)");
	rc = SQLSetConnectOptionW(r->dbc, SQL_AUTOCOMMIT, SQL_AUTOCOMMIT_OFF);
	ob_want(ob_rc(r, rc, SQL_HANDLE_DBC, r->dbc, "SQLSetConnectOptionW(SQL_AUTOCOMMIT, OFF)"),
		SQL_SUCCESS, NULL);
	v = 0;
	rc = SQLGetConnectOption(r->dbc, SQL_AUTOCOMMIT, &v);
	check_option(r, rc, v, SQL_HANDLE_DBC, r->dbc, SQL_AUTOCOMMIT_OFF, "SQLGetConnectOption(SQL_AUTOCOMMIT)");
	rc = SQLSetConnectOption(r->dbc, SQL_AUTOCOMMIT, SQL_AUTOCOMMIT_ON);
	ob_want(ob_rc(r, rc, SQL_HANDLE_DBC, r->dbc, "SQLSetConnectOption(SQL_AUTOCOMMIT, ON)"),
		SQL_SUCCESS, NULL);
	v = 0;
	rc = SQLGetConnectOptionW(r->dbc, SQL_AUTOCOMMIT, &v);
	check_option(r, rc, v, SQL_HANDLE_DBC, r->dbc, SQL_AUTOCOMMIT_ON, "SQLGetConnectOptionW(SQL_AUTOCOMMIT) again");

	rc = SQLSetStmtOption(st, SQL_MAX_ROWS, 2);
	ob_want(ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLSetStmtOption(SQL_MAX_ROWS, 2)"), SQL_SUCCESS, NULL);
	v = 0;
	rc = SQLGetStmtOption(st, SQL_MAX_ROWS, &v);
	check_option(r, rc, v, SQL_HANDLE_STMT, st, 2, "SQLGetStmtOption(SQL_MAX_ROWS)");
	rc = SQLExecDirectW(st, W("SELECT id, txt FROM cs_fixture ORDER BY id"), SQL_NTS);
	check_result(r, st, rc, "SQL_MAX_ROWS 2: SQLExecDirectW(all of cs_fixture)");
	rc = SQLSetStmtOption(st, SQL_MAX_ROWS, 0);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLSetStmtOption(SQL_MAX_ROWS, 0)");

	rc = SQLExecDirectW(st, W("SELECT id, txt AS \"Grüße ✓\" FROM cs_fixture WHERE id = 1"), SQL_NTS);
	ob_rc(r, rc, SQL_HANDLE_STMT, st, "SQLExecDirectW(for SQLColAttributesW)");
	check_string(r, &g, 0, NULL, "SQLColAttributesW(2, SQL_COLUMN_NAME)");
	g.b = SQL_COLUMN_TYPE_NAME;
	check_string(r, &g, 0, NULL, "SQLColAttributesW(2, SQL_COLUMN_TYPE_NAME)");
	g.b = SQL_COLUMN_COUNT;
	check_num(r, &g, "SQLColAttributesW(SQL_COLUMN_COUNT)");
	g.b = SQL_COLUMN_NULLABLE;
	check_num(r, &g, "SQLColAttributesW(1, SQL_COLUMN_NULLABLE)");
	SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static void script(struct run *r)
{
	script_info(r);
	script_nativesql(r);
	script_statements(r);
	script_cursor_names(r);
	script_catalog(r);
	script_odbc2(r);
	script_diag(r);
}

/* ---- running and comparing ---- */

static void print_diag(const char *dsn, SQLSMALLINT type, SQLHANDLE h)
{
	SQLWCHAR state[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT i, len;
	char s8[16], m8[4096];

	for (i = 1; SQL_SUCCEEDED(SQLGetDiagRecW(type, h, i, state, &native, msg, 1024, &len)); i++) {
		tw_to_u8(state, 5, s8, sizeof(s8));
		tw_to_u8(msg, len < 1024 ? (size_t)len : 1023, m8, sizeof(m8));
		fprintf(stderr, "  %s: %s %s\n", dsn, s8, m8);
	}
}

static int run_connect(struct run *r)
{
	char cs[256];
	SQLWCHAR out[1024];
	SQLSMALLINT outlen;
	SQLRETURN rc;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &r->env)) ||
	    !SQL_SUCCEEDED(SQLSetEnvAttr(r->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
	    !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, r->env, &r->dbc))) {
		fprintf(stderr, "%s: cannot allocate handles\n", r->dsn);
		return -1;
	}
	snprintf(cs, sizeof(cs), "DSN=%s;", r->dsn);
	rc = SQLDriverConnectW(r->dbc, NULL, W(cs), SQL_NTS, out, 1024, &outlen, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		fprintf(stderr, "%s: SQLDriverConnectW failed (%d)\n", r->dsn, (int)rc);
		print_diag(r->dsn, SQL_HANDLE_DBC, r->dbc);
		return -1;
	}
	return 0;
}

static void run_end(struct run *r)
{
	if (r->dbc) {
		SQLDisconnect(r->dbc);
		SQLFreeHandle(SQL_HANDLE_DBC, r->dbc);
	}
	if (r->env)
		SQLFreeHandle(SQL_HANDLE_ENV, r->env);
	r->dbc = r->env = NULL;
}

static void ob_print(const char *dsn, const struct ob *o)
{
	char s[8192] = "";

	if (o->has_str)
		tw_to_u8(o->str, o->nstr, s, sizeof(s));
	printf("       %-10s rc=%d len=%ld num=%ld,%ld,%ld,%ld states=[%s]%s%s%s%s%s%s\n", dsn, (int)o->rc,
	       (long)o->len, (long)o->num[0], (long)o->num[1], (long)o->num[2], (long)o->num[3], o->states,
	       o->state[0] ? " state=" : "", o->state, o->has_str ? " str=\"" : " (no string)",
	       o->has_str ? s : "", o->has_str ? "\"" : "",
	       o->overflow ? " WROTE PAST THE BUFFER" : o->unterminated ? " NOT NUL-TERMINATED" : "");
}

static int ws_eq(const SQLWCHAR *a, size_t na, const SQLWCHAR *b, size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(SQLWCHAR)) == 0;
}

enum {
	P_OVERFLOW = 1 << 0, /* wrote past the buffer */
	P_UNTERM = 1 << 1,   /* no NUL inside the buffer */
	P_RC = 1 << 2,       /* return code */
	P_LEN = 1 << 3,      /* length not the full one in the right unit */
	P_01004 = 1 << 4,    /* truncation without a 01004 record */
	P_STR = 1 << 5,      /* string */
	P_NUM = 1 << 6,      /* numeric outputs */
};

static const char *const p_names[] = {
	"wrote past the end of the buffer", "output not NUL-terminated inside the buffer",
	"return code", "length is not the full length in the function's unit",
	"no 01004 record for the truncation", "string", "numeric outputs",
};

/* How o breaks the ODBC reference or the test's literal (P_* bits). */
static unsigned ob_problems(const struct ob *o)
{
	unsigned p = 0;

	if (o->overflow)
		p |= P_OVERFLOW;
	if (o->unterminated)
		p |= P_UNTERM;
	if (o->has_want) {
		if (o->rc != o->want_rc)
			p |= P_RC;
		if (o->want_str && !(o->has_str && ws_eq(o->str, o->nstr, o->want, o->nwant)))
			p |= P_STR;
		if (o->want_n && o->num[0] != o->want_num)
			p |= P_NUM;
	}
	if (!o->has_spec)
		return p;
	if (o->rc != o->exp_rc)
		p |= P_RC;
	if (o->len != o->exp_len)
		p |= P_LEN;
	if (o->exp_01004 && !strstr(o->states, "01004"))
		p |= P_01004;
	if (o->exp_str && !(o->has_str && (ws_eq(o->str, o->nstr, o->exp, o->nexp) ||
					   (o->exp_alt && ws_eq(o->str, o->nstr, o->exp, o->nexp - 1)))))
		p |= P_STR;
	if (o->exp_num && memcmp(o->num, o->expn, sizeof(o->num)) != 0)
		p |= P_NUM;
	return p;
}

/* The names of the P_* bits in p, "; "-separated, in out. */
static const char *p_str(unsigned p, char *out, size_t cap)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(p_names) / sizeof(p_names[0]) && n < cap; i++) {
		if (p & (1u << i))
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "; " : "", p_names[i]);
	}
	return out;
}

/*
 * What differs between the direct result d and credshim's s, leaving out
 * what the direct result got wrong itself (bad): P_* bits (P_RC covers the
 * SQLSTATEs too).  After an error only the return code and the SQLSTATEs
 * count.
 */
static unsigned ob_diff(const struct ob *d, const struct ob *s, unsigned bad)
{
	unsigned p = 0;

	if (!(bad & P_RC) && (d->rc != s->rc || strcmp(d->state, s->state) != 0))
		p |= P_RC;
	if (!(bad & (P_RC | P_01004)) && strcmp(d->states, s->states) != 0)
		p |= P_RC;
	if (d->rc == SQL_ERROR || s->rc == SQL_ERROR)
		return p;
	if (!(bad & (P_LEN | P_RC | P_STR)) && d->len != s->len)
		p |= P_LEN;
	if (!(bad & (P_NUM | P_RC)) && memcmp(d->num, s->num, sizeof(d->num)) != 0)
		p |= P_NUM;
	if (!(bad & (P_STR | P_UNTERM | P_OVERFLOW)) &&
	    (d->has_str != s->has_str || (d->has_str && !ws_eq(d->str, d->nstr, s->str, s->nstr))))
		p |= P_STR;
	return p;
}

/* Direct results that break ODBC where credshim's do not: not failures. */
static int g_notes;

static void compare(const struct run *d, const struct run *s)
{
	char ps_s[256];
	size_t i;

	if (d->n != s->n) {
		result(0, "%s vs %s: %zu observations vs %zu", d->dsn, s->dsn, d->n, s->n);
		return;
	}
	for (i = 0; i < d->n; i++) {
		const struct ob *od = &d->ob[i], *os = &s->ob[i];
		unsigned ps = ob_problems(os), pd, diff;

		if (strcmp(od->what, os->what) != 0) {
			result(0, "%s vs %s: script out of step at \"%s\" / \"%s\"", d->dsn, s->dsn, od->what,
			       os->what);
			return;
		}
		if (ps) {
			result(0, "%s: %s: %s", s->dsn, os->what, p_str(ps, ps_s, sizeof(ps_s)));
			ob_print(s->dsn, os);
			ob_print(d->dsn, od);
			continue;
		}
		pd = ob_problems(od);
		diff = os->own_only ? 0 : ob_diff(od, os, pd);
		if (diff) {
			result(0, "%s vs %s: %s: differs in %s", s->dsn, d->dsn, os->what,
			       p_str(diff, ps_s, sizeof(ps_s)));
			ob_print(s->dsn, os);
			ob_print(d->dsn, od);
			continue;
		}
		result(1, "%s: %s", s->dsn, os->what);
		if (pd) {
			printf("NOTE %s: %s: the direct result breaks ODBC (%s); credshim's does not\n", d->dsn,
			       od->what, p_str(pd, ps_s, sizeof(ps_s)));
			if (g_verbose) {
				ob_print(s->dsn, os);
				ob_print(d->dsn, od);
			}
			g_notes++;
		}
	}
}

static void run_pair(const char *direct, const char *shim)
{
	struct run d = {direct, NULL, NULL, NULL, 0, 0}, s = {shim, NULL, NULL, NULL, 0, 0};

	printf("# %s (credshim) against %s (driver manager and target directly)\n", shim, direct);
	if (run_connect(&d) == 0 && run_connect(&s) == 0) {
		script(&d);
		script(&s);
		compare(&d, &s);
	} else {
		result(0, "cannot connect %s and %s", direct, shim);
	}
	run_end(&d);
	run_end(&s);
	free(d.ob);
	free(s.ob);
}

int main(int argc, char **argv)
{
	if (!getenv("ODBCINI") || !getenv("ODBCSYSINI")) {
		fprintf(stderr, "wconv_test: ODBCINI/ODBCSYSINI are not set; run it through tests/run.sh\n");
		return 2;
	}
	g_verbose = getenv("WCONV_VERBOSE") && strcmp(getenv("WCONV_VERBOSE"), "1") == 0;
	/* unixODBC converts with iconv from the locale's codeset. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		fprintf(stderr, "wconv_test: no C.UTF-8 locale; the direct results will differ\n");
	g_quiet = 1;   /* one check per observation: only the failures are printed */
	if (argc == 3) {
		run_pair(argv[1], argv[2]);
	} else {
		run_pair("sqlite", "cs_sqlite");
		run_pair("pg_a", "cs_pg_a");
	}
	printf("%d passed, %d failed (%d notes: direct results that break ODBC)\n", g_passed, g_failed, g_notes);
	return g_failed ? 1 : 0;
}
