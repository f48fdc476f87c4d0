/* SPDX-License-Identifier: MIT */
/*
 * fuzz_driverconnect.c - SQLConnect's and SQLDriverConnect's argument
 * handling, A and W, called straight into libcredshim.so (no driver
 * manager) with any bytes and any explicit length.
 *
 * Input: byte 0 picks the entry point (bit 0: W, bit 1: SQLConnect) and
 * how the length is given (bits 2-3: SQL_NTS, the text's length, the text
 * plus a NUL-padded tail of byte 1 units, or a negative length); the rest
 * is the connection string (or SQLConnect's three arguments, split at
 * the first two 0x01 bytes), copied into a buffer as large as the length
 * says, zero-padded: the ODBC contract is that the application's buffer
 * holds the length it gives.  Any byte and length must give a return
 * code and a diagnostic, never a crash; the sanitizer passes replay the
 * corpus.  Inputs that name a target driver or DSN (Target...) are
 * skipped: loading drivers or reaching a PAM is not this target's job.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longest text taken from an input, in characters. */
#define FZ_MAX 2048

static SQLHENV fz_env;

/* A buffer of units characters (of width w) holding text[0..n) and zeros. */
static void *fz_buf(const uint8_t *text, size_t n, size_t units, int w)
{
	size_t i, bytes = (units + 1) * (w ? sizeof(SQLWCHAR) : 1);
	uint8_t *b = calloc(1, bytes);

	if (!b)
		return NULL;
	for (i = 0; i < n && i < units; i++) {
		if (w)
			((SQLWCHAR *)b)[i] = (SQLWCHAR)(text[i] | (i % 7 == 3 ? 0xD800 : 0));
		else
			b[i] = text[i];
	}
	return b;
}

/* The length argument for a text of n characters, by mode. */
static SQLSMALLINT fz_len(int mode, size_t n, unsigned pad, size_t *units)
{
	switch (mode) {
	case 0:
		*units = n;
		return SQL_NTS;
	case 1:
		*units = n;
		return (SQLSMALLINT)n;
	case 2:
		*units = n + pad;
		return (SQLSMALLINT)(n + pad);
	default:
		*units = n;
		return (SQLSMALLINT)-(int)(pad + 4);	/* SQL_NTS is -3 */
	}
}

static void fz_one(SQLHDBC dbc, int w, int connect3, int mode, unsigned pad, const uint8_t *s, size_t n)
{
	size_t units, u2, u3, a = n, b = n;
	const uint8_t *p1, *p2;
	SQLSMALLINT len = fz_len(mode, n, pad, &units), l2, l3, outlen = 0;
	void *in = NULL, *in2 = NULL, *in3 = NULL;
	SQLWCHAR out[256];
	SQLRETURN rc;

	if (!connect3) {
		in = fz_buf(s, n, units, w);
		if (!in)
			return;
		rc = w ? SQLDriverConnectW(dbc, NULL, in, len, out, 256, &outlen, SQL_DRIVER_NOPROMPT)
		       : SQLDriverConnect(dbc, NULL, in, len, (SQLCHAR *)out, sizeof(out), &outlen,
					  SQL_DRIVER_NOPROMPT);
	} else {
		/* DSN \x01 UID \x01 PWD */
		p1 = memchr(s, 1, n);
		a = p1 ? (size_t)(p1 - s) : n;
		p2 = p1 ? memchr(p1 + 1, 1, n - a - 1) : NULL;
		b = p2 ? (size_t)(p2 - p1 - 1) : (p1 ? n - a - 1 : 0);
		len = fz_len(mode, a, pad, &units);
		l2 = fz_len(mode, b, pad, &u2);
		l3 = fz_len(mode, p2 ? n - (size_t)(p2 - s) - 1 : 0, pad, &u3);
		in = fz_buf(s, a, units, w);
		in2 = fz_buf(p1 ? p1 + 1 : s, b, u2, w);
		in3 = fz_buf(p2 ? p2 + 1 : s, p2 ? n - (size_t)(p2 - s) - 1 : 0, u3, w);
		if (!in || !in2 || !in3)
			goto out;
		rc = w ? SQLConnectW(dbc, in, len, in2, l2, in3, l3)
		       : SQLConnect(dbc, in, len, in2, l2, in3, l3);
	}
	if (SQL_SUCCEEDED(rc))
		abort();	/* nothing can connect without a target */
	if (rc != SQL_ERROR)
		abort();
	{
		SQLCHAR state[6], msg[512];
		SQLINTEGER native;
		SQLSMALLINT ml;

		if (!SQL_SUCCEEDED(SQLGetDiagRec(SQL_HANDLE_DBC, dbc, 1, state, &native, msg, sizeof(msg), &ml)))
			abort();	/* an error always says why */
	}
out:
	free(in);
	free(in2);
	free(in3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SQLHDBC dbc = SQL_NULL_HDBC;
	size_t n, i;

	if (size < 2)
		return 0;
	n = size - 2 > FZ_MAX ? FZ_MAX : size - 2;
	for (i = 0; i + 6 <= n; i++)
		if (strncasecmp((const char *)data + 2 + i, "Target", 6) == 0)
			return 0;
	if (!fz_env) {
		setenv("ODBCSYSINI", "/nonexistent-credshim-fuzz", 1);
		setenv("ODBCINI", "/nonexistent-credshim-fuzz/odbc.ini", 1);
		setenv("HOME", "/nonexistent-credshim-fuzz", 1);
		if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &fz_env)))
			abort();
		SQLSetEnvAttr(fz_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
	}
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, fz_env, &dbc)))
		abort();
	fz_one(dbc, data[0] & 1, (data[0] >> 1) & 1, (data[0] >> 2) & 3, data[1], data + 2, n);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	return 0;
}
