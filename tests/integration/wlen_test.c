/* SPDX-License-Identifier: MIT */
/*
 * wlen_test.c - lengths a Unicode application gets from credshim in front
 * of an ANSI-only target stay true across calls (issue 16).
 *
 * credshim converts every output string of a W call to an ANSI-only
 * target (driver/api/wconv.c, diag_api.c, attr_api.c through
 * core/xstr.c's cs_xout_get).  For each converted function with an output
 * string, the test reads the string with the largest buffer the argument
 * allows (the whole answer), then with a NULL buffer and buffers of 0, 1,
 * 2, 3, 7 units, pyodbc's 1023 characters, one short of, exactly and one
 * past the length, and odd byte counts where the length is in bytes, and
 * then again with the reported length + 1, as an application does.  Each
 * time:
 *   - the reported length is the whole answer's (stable across calls);
 *   - the text written is a prefix of the whole answer, NUL-terminated in
 *     the buffer, the whole answer when it fits (SQL_SUCCESS), else
 *     SQL_SUCCESS_WITH_INFO, cut at a character boundary (never half a
 *     surrogate pair), at most one unit short of the buffer;
 *   - nothing is written past the buffer, and the length + 1 re-ask writes
 *     every character the length promises (the test reads them all, under
 *     ASan or valgrind in CI).
 * SQLGetData (SQL_C_WCHAR, which credshim passes to the target unchanged)
 * is read in small pieces: the pieces must add up to the value, every
 * length must be the rest of the value or SQL_NO_TOTAL.
 *
 *   wlen_test pg|sqlite|fake <W connection string>...
 *
 * pg: a PostgreSQL DSN (a RAISE of 8,000 characters); sqlite: an SQLite
 * one; fake: tests/integration/fake/aonly_driver.c behind credshim.
 * Prints PASS/FAIL lines and "N passed, M failed"; exit status 0 only
 * when nothing failed.  Needs the environment of tests/run.sh.
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

#define ZONE 64            /* guard bytes after each output buffer */
#define GUARD 0xA5         /* fills a buffer before each call */
#define MAX_S 32766        /* largest SQLSMALLINT buffer length used (even) */
#define MAX_I 262144       /* largest SQLINTEGER one, in characters */

/* The run a FAIL line names (g_tag): the connection string, and the
 * call being probed. */
static char g_run[160];

/* ---- UTF-16 helpers (the test's own, not credshim's) ---- */

static size_t wlen(const SQLWCHAR *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* UTF-8 to UTF-16 into a malloc'ed, NUL-terminated string. */
static SQLWCHAR *wdup(const char *s)
{
	size_t n = strlen(s);
	SQLWCHAR *w = malloc((n + 1) * sizeof(SQLWCHAR));

	if (!w) {
		fprintf(stderr, "wlen_test: out of memory\n");
		exit(2);
	}
	tw_from_u8(s, n, w, n + 1);
	return w;
}

/* head, n copies of unit, tail (UTF-8), malloc'ed. */
static char *crepeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(hl + ul * n + tl + 1);

	if (!s) {
		fprintf(stderr, "wlen_test: out of memory\n");
		exit(2);
	}
	memcpy(s, head, hl);
	for (i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	return s;
}

/* The same as UTF-16. */
static SQLWCHAR *wrepeat(const char *head, const char *unit, size_t n, const char *tail)
{
	char *s = crepeat(head, unit, n, tail);
	SQLWCHAR *w = wdup(s);

	free(s);
	return w;
}

static int is_high(SQLWCHAR c)
{
	return c >= 0xD800 && c < 0xDC00;
}

/* ---- one converted function with an output string ---- */

enum kind { K_DIAGREC, K_DIAGFIELD, K_INFO, K_CATTR, K_DESCRIBE, K_COLATTR, K_DESCREC, K_DESCFIELD,
	    K_CURSOR, K_NATIVE };

struct probe {
	const char *name;
	enum kind kind;
	SQLSMALLINT htype;
	SQLHANDLE h;
	int a, b;               /* info type, attribute, column, record; field */
	const SQLWCHAR *in;     /* SQLNativeSqlW's input */
	SQLLEN min;             /* no smaller buffer than this (bytes) */
};

/* The length argument counts bytes (else characters). */
static int in_bytes(enum kind k)
{
	return k == K_DIAGFIELD || k == K_INFO || k == K_CATTR || k == K_COLATTR || k == K_DESCFIELD;
}

/* The length argument is an SQLINTEGER (else SQLSMALLINT). */
static int is_int(enum kind k)
{
	return k == K_CATTR || k == K_DESCFIELD || k == K_NATIVE;
}

/* Calls p with buf of buflen (the argument's unit); *len in that unit. */
static SQLRETURN probe_call(const struct probe *p, SQLWCHAR *buf, SQLLEN buflen, SQLLEN *len)
{
	SQLSMALLINT sl = -999, t, dig, nul, sub, prec, scale;
	SQLINTEGER il = -999, native;
	SQLULEN size;
	SQLLEN nattr, length;
	SQLWCHAR state[6];
	SQLRETURN rc = SQL_ERROR;

	switch (p->kind) {
	case K_DIAGREC:
		rc = SQLGetDiagRecW(p->htype, p->h, (SQLSMALLINT)p->a, state, &native, buf, (SQLSMALLINT)buflen,
				    &sl);
		break;
	case K_DIAGFIELD:
		rc = SQLGetDiagFieldW(p->htype, p->h, (SQLSMALLINT)p->a, (SQLSMALLINT)p->b, buf,
				      (SQLSMALLINT)buflen, &sl);
		break;
	case K_INFO:
		rc = SQLGetInfoW(p->h, (SQLUSMALLINT)p->a, buf, (SQLSMALLINT)buflen, &sl);
		break;
	case K_CATTR:
		rc = SQLGetConnectAttrW(p->h, p->a, buf, (SQLINTEGER)buflen, &il);
		break;
	case K_DESCRIBE:
		rc = SQLDescribeColW(p->h, (SQLUSMALLINT)p->a, buf, (SQLSMALLINT)buflen, &sl, &t, &size, &dig,
				     &nul);
		break;
	case K_COLATTR:
		rc = SQLColAttributeW(p->h, (SQLUSMALLINT)p->a, (SQLUSMALLINT)p->b, buf, (SQLSMALLINT)buflen, &sl,
				      &nattr);
		break;
	case K_DESCREC:
		rc = SQLGetDescRecW(p->h, (SQLSMALLINT)p->a, buf, (SQLSMALLINT)buflen, &sl, &t, &sub, &length,
				    &prec, &scale, &nul);
		break;
	case K_DESCFIELD:
		rc = SQLGetDescFieldW(p->h, (SQLSMALLINT)p->a, (SQLSMALLINT)p->b, buf, (SQLINTEGER)buflen, &il);
		break;
	case K_CURSOR:
		rc = SQLGetCursorNameW(p->h, buf, (SQLSMALLINT)buflen, &sl);
		break;
	case K_NATIVE:
		rc = SQLNativeSqlW(p->h, (SQLWCHAR *)p->in, SQL_NTS, buf, (SQLINTEGER)buflen, &il);
		break;
	}
	*len = is_int(p->kind) ? il : sl;
	return rc;
}

/* What one call gave. */
struct got {
	SQLRETURN rc;
	SQLLEN len;
	SQLWCHAR *text;         /* the buffer, NULL for a NULL buffer */
	size_t cap;             /* whole SQLWCHARs the buffer holds */
	size_t n;               /* units before the NUL (cap: no NUL) */
	int overflow;           /* a byte past the buffer changed */
};

/* Calls p with a fresh buffer of buflen (argument units; < 0: NULL). */
static void probe_get(const struct probe *p, SQLLEN buflen, struct got *g)
{
	size_t bytes = buflen < 0 ? 0 : (size_t)buflen * (in_bytes(p->kind) ? 1 : sizeof(SQLWCHAR)), i;
	unsigned char *raw = NULL;

	memset(g, 0, sizeof(*g));
	g->len = -999;
	if (buflen >= 0) {
		raw = malloc(bytes + ZONE);
		if (!raw) {
			fprintf(stderr, "wlen_test: out of memory\n");
			exit(2);
		}
		memset(raw, GUARD, bytes + ZONE);
	}
	g->rc = probe_call(p, (SQLWCHAR *)raw, buflen < 0 ? 0 : buflen, &g->len);
	g->text = (SQLWCHAR *)raw;
	g->cap = bytes / sizeof(SQLWCHAR);
	if (!raw)
		return;
	for (i = bytes; i < bytes + ZONE; i++)
		if (raw[i] != GUARD)
			g->overflow = 1;
	for (g->n = 0; g->n < g->cap && g->text[g->n]; g->n++)
		;
}

static const char *rc_name(SQLRETURN rc)
{
	switch (rc) {
	case SQL_SUCCESS:
		return "SQL_SUCCESS";
	case SQL_SUCCESS_WITH_INFO:
		return "SQL_SUCCESS_WITH_INFO";
	case SQL_NO_DATA:
		return "SQL_NO_DATA";
	case SQL_ERROR:
		return "SQL_ERROR";
	}
	return "other";
}

/*
 * One read of p with buflen against the whole answer (full, nfull units,
 * reported length lfull): the checks of the file comment.
 */
static void probe_check(const struct probe *p, SQLLEN buflen, const char *label, const SQLWCHAR *full,
			size_t nfull, SQLLEN lfull, SQLRETURN rcfull)
{
	struct got g;

	if (buflen >= 0 && buflen * (in_bytes(p->kind) ? 1 : (SQLLEN)sizeof(SQLWCHAR)) < p->min)
		return;
	probe_get(p, buflen, &g);
	result(SQL_SUCCEEDED(g.rc), "%s, %s (%ld): %s", p->name, label, (long)buflen, rc_name(g.rc));
	if (!SQL_SUCCEEDED(g.rc))
		goto out;
	result(g.len == lfull, "%s, %s (%ld): length %ld, the whole answer's is %ld", p->name, label,
	       (long)buflen, (long)g.len, (long)lfull);
	result(!g.overflow, "%s, %s (%ld): written past the buffer", p->name, label, (long)buflen);
	if (!g.text)
		goto out;
	if (g.cap == 0) {
		result(g.rc == SQL_SUCCESS_WITH_INFO, "%s, %s (%ld): %s, want SQL_SUCCESS_WITH_INFO", p->name,
		       label, (long)buflen, rc_name(g.rc));
		goto out;
	}
	result(g.n < g.cap, "%s, %s (%ld): no NUL in the buffer", p->name, label, (long)buflen);
	result(g.n <= nfull && memcmp(g.text, full, (g.n < nfull ? g.n : nfull) * sizeof(SQLWCHAR)) == 0,
	       "%s, %s (%ld): %zu units written, not a prefix of the whole answer (%zu)", p->name, label,
	       (long)buflen, g.n, nfull);
	if (nfull < g.cap) {
		result(g.n == nfull && g.rc == rcfull, "%s, %s (%ld): fits, but %zu of %zu units, %s", p->name,
		       label, (long)buflen, g.n, nfull, rc_name(g.rc));
	} else {
		result(g.rc == SQL_SUCCESS_WITH_INFO, "%s, %s (%ld): truncated, but %s", p->name, label,
		       (long)buflen, rc_name(g.rc));
		result(g.n + 2 >= g.cap && (g.n == 0 || !is_high(g.text[g.n - 1])),
		       "%s, %s (%ld): truncated to %zu units in a buffer of %zu (not at the last character "
		       "boundary)", p->name, label, (long)buflen, g.n, g.cap);
	}
out:
	free(g.text);
}

/*
 * Reads p the ways an application does (file comment).  want: the whole
 * answer when the test knows it (NULL: whatever the largest read gives).
 */
static void probe_run(const struct probe *p, const SQLWCHAR *want)
{
	SQLLEN unit = in_bytes(p->kind) ? (SQLLEN)sizeof(SQLWCHAR) : 1;
	SQLLEN big = is_int(p->kind) ? MAX_I * unit : (in_bytes(p->kind) ? MAX_S : MAX_S / 2);
	static const SQLLEN small[] = {0, 1, 2, 3, 7};
	struct got g, again;
	SQLLEN L, sizes[8];
	size_t n, i;

	probe_get(p, big, &g);
	if (!SQL_SUCCEEDED(g.rc) || !g.text) {
		result(0, "%s, largest buffer: %s", p->name, rc_name(g.rc));
		free(g.text);
		return;
	}
	n = g.n;
	L = g.len;
	result(L == (SQLLEN)n * unit && n < g.cap, "%s: length %ld, but %zu units written", p->name, (long)L, n);
	if (want)
		result(wlen(want) == n && memcmp(want, g.text, n * sizeof(SQLWCHAR)) == 0,
		       "%s: the whole answer is not the value the test expects (%zu units, want %zu)", p->name,
		       n, wlen(want));
	probe_check(p, -1, "NULL buffer", g.text, n, L, g.rc);
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		probe_check(p, small[i] * unit + (unit > 1 && small[i] > 2 ? 1 : 0), "small buffer", g.text, n, L,
			    g.rc);
	probe_check(p, 1023 * unit, "pyodbc's 1023 characters", g.text, n, L, g.rc);
	sizes[0] = L - unit;
	sizes[1] = L;
	sizes[2] = L + unit;
	sizes[3] = L + 2 * unit;
	sizes[4] = unit > 1 ? L + 1 : L / 2;    /* odd byte count */
	sizes[5] = unit > 1 ? L - 1 : L / 3;
	sizes[6] = L / 2 + 1;
	sizes[7] = big;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] >= 0)
			probe_check(p, sizes[i], "near the length", g.text, n, L, g.rc);

	/* pyodbc: 1023 characters; when longer, again with length + 1 and
	 * read length characters. */
	probe_get(p, 1023 * unit, &again);
	if (SQL_SUCCEEDED(again.rc) && again.len >= 1023 * unit) {
		SQLLEN l1 = again.len;

		free(again.text);
		probe_get(p, l1 + unit, &again);
		result(SQL_SUCCEEDED(again.rc) && again.len == l1 && again.text &&
		       memcmp(again.text, g.text, (size_t)(l1 / unit) * sizeof(SQLWCHAR)) == 0 &&
		       again.text[l1 / unit] == 0,
		       "%s: asked again with length + 1 (%ld): %s, length %ld, the %ld characters promised "
		       "not all written", p->name, (long)(l1 + unit), rc_name(again.rc), (long)again.len,
		       (long)(l1 / unit));
	}
	free(again.text);
	free(g.text);
}

/* ---- SQLGetData in pieces (never converted: the target's own answer) ---- */

/*
 * Reads column col of st's current row as ctype (SQL_C_CHAR: UTF-8,
 * SQL_C_WCHAR: UTF-16) in pieces of piece bytes.  want: the value in that
 * encoding, nwant bytes.
 */
static void getdata_pieces(SQLHSTMT st, SQLUSMALLINT col, SQLSMALLINT ctype, const void *want, size_t nwant,
			   SQLLEN piece)
{
	size_t unit = ctype == SQL_C_WCHAR ? sizeof(SQLWCHAR) : 1, got = 0;
	const char *what = ctype == SQL_C_WCHAR ? "SQL_C_WCHAR" : "SQL_C_CHAR";
	unsigned char *buf = malloc((size_t)piece + ZONE);
	SQLLEN ind;
	SQLRETURN rc;
	int calls = 0;

	if (!buf) {
		fprintf(stderr, "wlen_test: out of memory\n");
		exit(2);
	}
	for (;;) {
		size_t k, cap = (size_t)piece / unit, z;

		memset(buf, GUARD, (size_t)piece + ZONE);
		ind = -999;
		rc = SQLGetData(st, col, ctype, buf, piece, &ind);
		if (rc == SQL_NO_DATA || !SQL_SUCCEEDED(rc) || ++calls > 100000)
			break;
		for (k = 0; k < cap && memcmp(buf + k * unit, "\0\0", unit) != 0; k++)
			;
		for (z = (size_t)piece; z < (size_t)piece + ZONE && buf[z] == GUARD; z++)
			;
		result(z == (size_t)piece + ZONE, "SQLGetData(%s, %ld bytes) piece %d: written past the buffer",
		       what, (long)piece, calls);
		result(k < cap, "SQLGetData(%s, %ld bytes) piece %d: no NUL", what, (long)piece, calls);
		result(ind == SQL_NO_TOTAL || ind == (SQLLEN)(nwant - got),
		       "SQLGetData(%s, %ld bytes) piece %d: length %ld, %zu bytes remain", what, (long)piece,
		       calls, (long)ind, nwant - got);
		result(got + k * unit <= nwant && memcmp(buf, (const char *)want + got, k * unit) == 0,
		       "SQLGetData(%s, %ld bytes) piece %d: not the next %zu bytes of the value", what,
		       (long)piece, calls, k * unit);
		got += k * unit;
		if (rc == SQL_SUCCESS || got >= nwant || k >= cap)
			break;
	}
	result(SQL_SUCCEEDED(rc) && got == nwant, "SQLGetData(%s, %ld bytes): %zu of %zu bytes in %d pieces, %s",
	       what, (long)piece, got, nwant, calls, rc_name(rc));
	free(buf);
}

/* ---- the targets ---- */

static SQLHENV g_env;

static void print_diag(SQLSMALLINT type, SQLHANDLE h)
{
	SQLWCHAR state[6], msg[512];
	SQLINTEGER native;
	SQLSMALLINT len, i;
	char s[512];

	for (i = 1; SQL_SUCCEEDED(SQLGetDiagRecW(type, h, i, state, &native, msg, 512, &len)); i++) {
		size_t k;

		for (k = 0; msg[k] && k + 1 < sizeof(s); k++)
			s[k] = msg[k] < 0x80 ? (char)msg[k] : '?';
		s[k] = '\0';
		printf("  diag %d: %c%c%c%c%c %s\n", i, state[0], state[1], state[2], state[3], state[4], s);
	}
}

static SQLHSTMT stmt_exec(SQLHDBC dbc, const SQLWCHAR *sql, SQLRETURN want)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLRETURN rc;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
		result(0, "SQLAllocHandle(STMT)");
		return SQL_NULL_HSTMT;
	}
	rc = SQLExecDirectW(st, (SQLWCHAR *)sql, SQL_NTS);
	result(rc == want, "SQLExecDirectW: %s, want %s", rc_name(rc), rc_name(want));
	if (rc != want && rc != SQL_ERROR)
		print_diag(SQL_HANDLE_STMT, st);
	return st;
}

/* The diagnostic probes of record 1 on st, which holds a long message. */
static void run_diag(SQLHSTMT st, const char *what, const SQLWCHAR *want)
{
	struct probe rec = {"SQLGetDiagRecW", K_DIAGREC, SQL_HANDLE_STMT, st, 1, 0, NULL, 0};
	struct probe msg = {"SQLGetDiagFieldW(MESSAGE_TEXT)", K_DIAGFIELD, SQL_HANDLE_STMT, st, 1,
			    SQL_DIAG_MESSAGE_TEXT, NULL, 0};
	/* unixODBC rewrites the SQLSTATE in the application's buffer after the
	 * driver answered (__map_error_state_w), six characters whatever the
	 * buffer's length: no smaller buffer, or it writes past it. */
	struct probe state = {"SQLGetDiagFieldW(SQLSTATE)", K_DIAGFIELD, SQL_HANDLE_STMT, st, 1,
			      SQL_DIAG_SQLSTATE, NULL, 6 * sizeof(SQLWCHAR)};
	char keep[sizeof(g_run)];

	memcpy(keep, g_run, sizeof(keep));
	snprintf(g_run + strlen(g_run), sizeof(g_run) - strlen(g_run), " %s", what);
	probe_run(&rec, want);
	probe_run(&msg, want);
	probe_run(&state, NULL);
	memcpy(g_run, keep, sizeof(keep));
}

/* The metadata probes of column 1 of st's result; desc: the target has
 * SQLGetDescField (1), and SQLGetDescRec too (2). */
static void run_columns(SQLHSTMT st, const SQLWCHAR *name, int desc)
{
	SQLHDESC ird = SQL_NULL_HDESC;
	struct probe p[] = {
		{"SQLDescribeColW", K_DESCRIBE, SQL_HANDLE_STMT, st, 1, 0, NULL, 0},
		{"SQLColAttributeW(SQL_DESC_NAME)", K_COLATTR, SQL_HANDLE_STMT, st, 1, SQL_DESC_NAME, NULL, 0},
		{"SQLColAttributeW(SQL_DESC_LABEL)", K_COLATTR, SQL_HANDLE_STMT, st, 1, SQL_DESC_LABEL, NULL, 0},
		{"SQLGetCursorNameW", K_CURSOR, SQL_HANDLE_STMT, st, 0, 0, NULL, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		probe_run(&p[i], p[i].kind == K_CURSOR ? NULL : name);
	if (desc && SQL_SUCCEEDED(SQLGetStmtAttrW(st, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL)) && ird) {
		struct probe rec = {"SQLGetDescRecW(IRD)", K_DESCREC, SQL_HANDLE_DESC, ird, 1, 0, NULL, 0};
		struct probe fld = {"SQLGetDescFieldW(IRD, SQL_DESC_NAME)", K_DESCFIELD, SQL_HANDLE_DESC, ird,
				    1, SQL_DESC_NAME, NULL, 0};

		probe_run(&fld, name);
		if (desc > 1)
			probe_run(&rec, name);
	}
}

static void run_info(SQLHDBC dbc, const SQLUSMALLINT *types, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char name[64];
		struct probe p = {name, K_INFO, SQL_HANDLE_DBC, dbc, types[i], 0, NULL, 0};

		snprintf(name, sizeof(name), "SQLGetInfoW(%u)", (unsigned)types[i]);
		probe_run(&p, NULL);
	}
}

static void run_native(SQLHDBC dbc, const SQLWCHAR *sql)
{
	struct probe p = {"SQLNativeSqlW", K_NATIVE, SQL_HANDLE_DBC, dbc, 0, 0, sql, 0};

	probe_run(&p, sql);
}

/* A long value (UTF-8) read back in pieces through SQLGetData: as
 * SQL_C_CHAR, and as SQL_C_WCHAR when the target converts to it. */
static void run_getdata(SQLHDBC dbc, const SQLWCHAR *select, const char *value, int wchar)
{
	static const SQLLEN pieces[] = {7, 8, 64, 1001, 65536};
	SQLWCHAR *wvalue = wdup(value);
	size_t i, t;

	for (t = 0; t <= (size_t)(wchar ? 1 : 0); t++) {
		for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			SQLHSTMT st = stmt_exec(dbc, select, SQL_SUCCESS);

			if (!st)
				break;
			if (!SQL_SUCCEEDED(SQLFetch(st)))
				result(0, "SQLFetch of the long value");
			else if (t == 0)
				getdata_pieces(st, 1, SQL_C_CHAR, value, strlen(value), pieces[i]);
			else if (pieces[i] % 2 == 0) /* sqliteodbc writes past an odd one */
				getdata_pieces(st, 1, SQL_C_WCHAR, wvalue, wlen(wvalue) * sizeof(SQLWCHAR),
					       pieces[i]);
			SQLFreeHandle(SQL_HANDLE_STMT, st);
		}
	}
	free(wvalue);
}

/* A catalog result: the metadata of its third column and its value. */
static void run_catalog(SQLHDBC dbc)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLWCHAR *table = wdup("cs_fixture");
	struct probe p = {"SQLDescribeColW(SQLTablesW column 3)", K_DESCRIBE, SQL_HANDLE_STMT, NULL, 3, 0, NULL,
			  0};
	SQLRETURN rc;

	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	rc = SQLTablesW(st, NULL, 0, NULL, 0, table, SQL_NTS, NULL, 0);
	result(SQL_SUCCEEDED(rc), "SQLTablesW: %s", rc_name(rc));
	if (SQL_SUCCEEDED(rc)) {
		p.h = st;
		probe_run(&p, NULL);
		result(SQL_SUCCEEDED(SQLFetch(st)), "SQLFetch of SQLTablesW");
		getdata_pieces(st, 3, SQL_C_CHAR, "cs_fixture", 10, 4);
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	free(table);
}

/* Record 1 of st's diagnostics, read whole, holds the text needle. */
static void diag_holds(SQLHSTMT st, const SQLWCHAR *needle)
{
	SQLWCHAR *msg = calloc(MAX_S / 2 + 1, sizeof(SQLWCHAR)), state[6];
	SQLINTEGER native;
	SQLSMALLINT len = 0;
	size_t n = wlen(needle), i, k;
	int found = 0;

	if (!msg)
		exit(2);
	if (SQL_SUCCEEDED(SQLGetDiagRecW(SQL_HANDLE_STMT, st, 1, state, &native, msg, MAX_S / 2, &len)))
		for (i = 0; !found && msg[i]; i++) {
			for (k = 0; k < n && msg[i + k] == needle[k]; k++)
				;
			found = k == n;
		}
	result(found, "SQLGetDiagRecW: the message (%d characters) does not hold the %zu the server sent",
	       (int)len, n);
	free(msg);
}

static void target_pg(SQLHDBC dbc)
{
	static const SQLUSMALLINT info[] = {SQL_DBMS_NAME, SQL_DBMS_VER, SQL_DRIVER_NAME, SQL_KEYWORDS,
					    SQL_USER_NAME, SQL_DATABASE_NAME, SQL_SERVER_NAME};
	SQLWCHAR *raise = wdup("DO $$ BEGIN RAISE INFO '%', repeat('ABCDEFGHIJ',800); END $$");
	SQLWCHAR *raised = wrepeat("", "ABCDEFGHIJ", 800, "");
	SQLWCHAR *fail = wdup("DO $$ BEGIN RAISE EXCEPTION '%', repeat('Grüße ✓ 𝄞 ', 900); END $$");
	/* psqlODBC keeps 4,096 bytes of an error message: 200 repetitions */
	SQLWCHAR *failed = wrepeat("", "Grüße ✓ 𝄞 ", 200, "");
	SQLWCHAR *alias = wdup("Grüße_✓_𝄞_Ärger_€_long_alias");
	char *value = crepeat("", "Grüße ✓ 𝄞 ", 900, "");
	SQLWCHAR *select = wdup("SELECT repeat('Grüße ✓ 𝄞 ', 900) AS \"Grüße_✓_𝄞_Ärger_€_long_alias\"");
	SQLWCHAR *native = wrepeat("SELECT '", "Grüße ✓ 𝄞 {fn UCASE('x')} ", 400, "'");
	struct probe cat = {"SQLGetConnectAttrW(SQL_ATTR_CURRENT_CATALOG)", K_CATTR, SQL_HANDLE_DBC, dbc,
			    SQL_ATTR_CURRENT_CATALOG, 0, NULL, 0};
	SQLHSTMT st;

	st = stmt_exec(dbc, raise, SQL_SUCCESS_WITH_INFO);
	if (st) {
		run_diag(st, "RAISE INFO 8,000", NULL);
		diag_holds(st, raised);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	st = stmt_exec(dbc, fail, SQL_ERROR);
	if (st) {
		run_diag(st, "RAISE EXCEPTION 9,900 non-ASCII", NULL);
		diag_holds(st, failed);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	run_info(dbc, info, sizeof(info) / sizeof(info[0]));
	probe_run(&cat, NULL);
	run_native(dbc, native);
	st = stmt_exec(dbc, select, SQL_SUCCESS);
	if (st) {
		run_columns(st, alias, 1);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	/* psqlodbca has no SQL_C_WCHAR (directly neither) */
	run_getdata(dbc, select, value, 0);
	run_catalog(dbc);
	free(raise);
	free(raised);
	free(fail);
	free(failed);
	free(alias);
	free(value);
	free(select);
	free(native);
}

static void target_sqlite(SQLHDBC dbc)
{
	static const SQLUSMALLINT info[] = {SQL_DBMS_NAME, SQL_DBMS_VER, SQL_DRIVER_NAME, SQL_KEYWORDS,
					    SQL_DATABASE_NAME, SQL_SERVER_NAME};
	SQLWCHAR *fail = wrepeat("SELECT * FROM no_such_", "Grüße✓𝄞", 60, "");
	SQLWCHAR *alias = wrepeat("a_", "Grüße ✓ 𝄞 ", 400, "");
	char *value = crepeat("", "Grüße ✓ 𝄞 ", 900, "");
	char *sel8 = crepeat("SELECT '", "Grüße ✓ 𝄞 ", 900, "' AS \"a_");
	char *sel8b = crepeat(sel8, "Grüße ✓ 𝄞 ", 400, "\"");
	SQLWCHAR *select = wdup(sel8b);
	SQLWCHAR *native = wrepeat("SELECT '", "Grüße ✓ 𝄞 ", 900, "'");
	SQLHSTMT st;

	st = stmt_exec(dbc, fail, SQL_ERROR);
	if (st) {
		run_diag(st, "no such table", NULL);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	run_info(dbc, info, sizeof(info) / sizeof(info[0]));
	run_native(dbc, native);
	st = stmt_exec(dbc, select, SQL_SUCCESS);
	if (st) {
		run_columns(st, alias, 0);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	run_getdata(dbc, select, value, 1);
	run_catalog(dbc);
	free(fail);
	free(alias);
	free(value);
	free(sel8);
	free(sel8b);
	free(select);
	free(native);
}

static void target_fake(SQLHDBC dbc)
{
	static const SQLUSMALLINT info[] = {SQL_DBMS_NAME, SQL_KEYWORDS};
	SQLWCHAR *failsql = wdup("FAIL"), *infosql = wdup("INFO"), *sel = wdup("SELECT");
	SQLWCHAR *msg = wrepeat("[fake]", "Grüße ✓ 𝄞 ABCDEFGHIJ ", 400, "");
	SQLWCHAR *col = wrepeat("col_", "Ärger€𝄞x", 300, "");
	SQLWCHAR *cat = wrepeat("cat_", "Öl✓𝄞 ", 2000, "");
	SQLWCHAR *native = wrepeat("SELECT '", "Grüße ✓ 𝄞 ", 3000, "'");
	struct probe cattr = {"SQLGetConnectAttrW(SQL_ATTR_CURRENT_CATALOG)", K_CATTR, SQL_HANDLE_DBC, dbc,
			      SQL_ATTR_CURRENT_CATALOG, 0, NULL, 0};
	struct probe p[] = {
		{"SQLDescribeColW", K_DESCRIBE, SQL_HANDLE_STMT, NULL, 1, 0, NULL, 0},
		{"SQLColAttributeW(SQL_DESC_NAME)", K_COLATTR, SQL_HANDLE_STMT, NULL, 1, SQL_DESC_NAME, NULL, 0},
		{"SQLGetCursorNameW", K_CURSOR, SQL_HANDLE_STMT, NULL, 0, 0, NULL, 0},
	};
	SQLHSTMT st;
	size_t i;

	st = stmt_exec(dbc, failsql, SQL_ERROR);
	if (st) {
		run_diag(st, "FAIL", msg);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	st = stmt_exec(dbc, infosql, SQL_SUCCESS_WITH_INFO);
	if (st) {
		run_diag(st, "INFO", msg);
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	run_info(dbc, info, sizeof(info) / sizeof(info[0]));
	probe_run(&cattr, cat);
	run_native(dbc, native);
	st = stmt_exec(dbc, sel, SQL_SUCCESS);
	if (st) {
		for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
			p[i].h = st;
			probe_run(&p[i], p[i].kind == K_CURSOR ? NULL : col);
		}
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	free(failsql);
	free(infosql);
	free(sel);
	free(msg);
	free(col);
	free(cat);
	free(native);
}

static void run_target(const char *kind, const char *conn)
{
	SQLHDBC dbc = SQL_NULL_HDBC;
	SQLWCHAR *wconn = wdup(conn);
	SQLRETURN rc;
	int before = g_failed;

	snprintf(g_run, sizeof(g_run), "%.150s", conn);
	SQLAllocHandle(SQL_HANDLE_DBC, g_env, &dbc);
	rc = SQLDriverConnectW(dbc, NULL, wconn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	result(SQL_SUCCEEDED(rc), "SQLDriverConnectW: %s", rc_name(rc));
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_DBC, dbc);
	} else {
		if (strcmp(kind, "pg") == 0)
			target_pg(dbc);
		else if (strcmp(kind, "sqlite") == 0)
			target_sqlite(dbc);
		else
			target_fake(dbc);
		SQLDisconnect(dbc);
	}
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	free(wconn);
	printf("%s [%s]\n", g_failed == before ? "PASS" : "FAIL", g_run);
}

int main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setlocale(LC_ALL, "");
	g_tag = g_run;
	g_quiet = 1;   /* thousands of checks: only the failures are printed */
	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: wlen_test pg|sqlite|fake <connection string> ...\n");
		return 2;
	}
	if (!getenv("ODBCSYSINI")) {
		fprintf(stderr, "wlen_test: no ODBCSYSINI: run it through tests/run.sh\n");
		return 2;
	}
	SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &g_env);
	SQLSetEnvAttr(g_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	for (i = 1; i + 1 < argc; i += 2)
		run_target(argv[i], argv[i + 1]);
	SQLFreeHandle(SQL_HANDLE_ENV, g_env);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
