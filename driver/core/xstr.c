/* SPDX-License-Identifier: MIT */
/*
 * xstr.c - string conversion between the application and the target when
 * their encodings differ (see xstr.h).
 */
#include <stdlib.h>
#include <string.h>

#include "util/utf.h"
#include "core/xstr.h"

/* Longest string (bytes or units) a target may ask cs_xout_grow for. */
#define CS_XOUT_MAX (64u * 1024 * 1024)

int cs_xstr_in(struct cs_xstr *x, int from_wide, const void *s, SQLLEN len, int len_in_bytes)
{
	size_t n, outlen;

	memset(x, 0, sizeof(*x));
	if (!s) {
		x->n = (SQLINTEGER)len;
		return 0;
	}
	if (len == SQL_NTS)
		n = from_wide ? cs_u16_len(s) : strlen(s);
	else if (len < 0)
		return -1;
	else
		n = from_wide && len_in_bytes ? (size_t)len / sizeof(SQLWCHAR) : (size_t)len;

	if (from_wide) {
		char *u8 = cs_u16_to_utf8_dup(s, n, &outlen);

		if (!u8)
			return -1;
		x->owned = u8;
		x->owned_bytes = outlen + 1;
	} else {
		cs_u16 *u16 = cs_utf8_to_u16_dup(s, n, &outlen);

		if (!u16)
			return -1;
		x->owned = u16;
		x->owned_bytes = (outlen + 1) * sizeof(cs_u16);
		if (len_in_bytes)
			outlen *= sizeof(cs_u16);
	}
	x->p = x->owned;
	x->n = len == SQL_NTS ? SQL_NTS : (SQLINTEGER)outlen;
	return 0;
}

void cs_xstr_free(struct cs_xstr *x)
{
	if (x->owned) {
		explicit_bzero(x->owned, x->owned_bytes);
		free(x->owned);
	}
	memset(x, 0, sizeof(*x));
}

int cs_xstr_reserve(struct cs_xstr *x, size_t bytes)
{
	void *p;

	if (!x->owned || x->owned_bytes >= bytes)
		return 0;
	p = calloc(1, bytes);
	if (!p)
		return -1;
	memcpy(p, x->owned, x->owned_bytes);
	explicit_bzero(x->owned, x->owned_bytes);
	free(x->owned);
	x->owned = x->p = p;
	x->owned_bytes = bytes;
	return 0;
}

SQLRETURN cs_out_str(const char *s, int wide, void *buf, SQLLEN buflen, int in_bytes, SQLLEN *outlen)
{
	size_t need, cap;

	if (buflen < 0)
		buflen = 0;
	if (!wide) {
		need = strlen(s);
		if (buf && buflen > 0) {
			size_t k = need < (size_t)buflen ? need : (size_t)buflen - 1;

			/* never end on half a UTF-8 sequence */
			while (k < need && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
				k--;
			memcpy(buf, s, k);
			((char *)buf)[k] = '\0';
		}
		if (outlen)
			*outlen = (SQLLEN)need;
		return !buf || need < (size_t)buflen ? SQL_SUCCESS : SQL_SUCCESS_WITH_INFO;
	}
	cap = in_bytes ? (size_t)buflen / sizeof(SQLWCHAR) : (size_t)buflen;
	need = cs_utf8_to_u16(s, strlen(s), buf ? buf : NULL, buf ? cap : 0);
	if (outlen)
		*outlen = (SQLLEN)(in_bytes ? need * sizeof(SQLWCHAR) : need);
	if (!buf)
		return SQL_SUCCESS;
	return need < cap ? SQL_SUCCESS : SQL_SUCCESS_WITH_INFO;
}

int cs_xout_init(struct cs_xout *x, int app_wide, SQLLEN app_buflen, int in_bytes)
{
	size_t chars;

	memset(x, 0, sizeof(*x));
	if (app_buflen < 0)
		app_buflen = 0;
	chars = app_wide && in_bytes ? (size_t)app_buflen / sizeof(SQLWCHAR) : (size_t)app_buflen;
	/*
	 * The target writes the other encoding: UTF-8 needs up to 3 bytes
	 * per UTF-16 unit; UTF-16 needs at most one unit per UTF-8 byte.
	 * Ask for at least 256 so the full length can be reported.
	 */
	if (chars < 256)
		chars = 256;
	if (app_wide) {
		x->bytes = chars * 3 + 1;
		x->buflen = (SQLLEN)x->bytes;
	} else {
		x->bytes = (chars + 1) * sizeof(SQLWCHAR);
		x->buflen = in_bytes ? (SQLLEN)x->bytes : (SQLLEN)(chars + 1);
	}
	x->buf = calloc(1, x->bytes + sizeof(SQLWCHAR));
	return x->buf ? 0 : -1;
}

SQLRETURN cs_xout_copy(const struct cs_xout *x, int app_wide, void *app_buf, SQLLEN app_buflen,
			int in_bytes, SQLLEN *outlen)
{
	char *u8;
	SQLRETURN rc;

	if (app_wide)
		return cs_out_str(x->buf, 1, app_buf, app_buflen, in_bytes, outlen);
	u8 = cs_u16_to_utf8_dup(x->buf, cs_u16_len(x->buf), NULL);
	if (!u8)
		return SQL_ERROR;
	rc = cs_out_str(u8, 0, app_buf, app_buflen, 1, outlen);
	explicit_bzero(u8, strlen(u8));
	free(u8);
	return rc;
}

SQLRETURN cs_xout_finish(struct cs_xout *x, struct cs_handle *h, SQLRETURN rc, int app_wide,
			 void *app_buf, SQLLEN app_buflen, int in_bytes, SQLLEN *outlen)
{
	SQLRETURN orc;

	if (!SQL_SUCCEEDED(rc))
		return rc;
	orc = cs_xout_copy(x, app_wide, app_buf, app_buflen, in_bytes, outlen);
	if (orc == SQL_ERROR)
		return cs_diag_add(h, CS_SHY001, "out of memory converting a string");
	if (orc == SQL_SUCCESS_WITH_INFO && app_buf) {
		if (rc == SQL_SUCCESS) {
			/* Whatever the target left on its handle is not this
			 * call's: it returned SQL_SUCCESS. */
			h->diag.hide_target = 1;
		}
		cs_diag_add(h, CS_S01004, "String data, right truncated");
		return SQL_SUCCESS_WITH_INFO;
	}
	return rc;
}

int cs_xout_grow(struct cs_xout *x, int app_wide, SQLLEN tlen, int in_bytes)
{
	/* The target writes UTF-8 when the application is wide, else UTF-16;
	 * tlen counts bytes, or UTF-16 units when not in_bytes. */
	size_t unit = !app_wide && !in_bytes ? sizeof(SQLWCHAR) : 1;
	size_t nul = app_wide ? 1 : sizeof(SQLWCHAR);
	size_t need;
	void *p;

	if (tlen < 0 || (size_t)tlen > CS_XOUT_MAX)
		return 0;
	need = (size_t)tlen * unit + nul;
	if (need <= x->bytes)
		return 0;
	p = calloc(1, need + sizeof(SQLWCHAR));
	if (!p)
		return -1;
	explicit_bzero(x->buf, x->bytes);
	free(x->buf);
	x->buf = p;
	x->bytes = need;
	x->buflen = (SQLLEN)(need / unit);
	return 1;
}

void cs_xout_free(struct cs_xout *x)
{
	if (x->buf) {
		explicit_bzero(x->buf, x->bytes);
		free(x->buf);
	}
	memset(x, 0, sizeof(*x));
}
