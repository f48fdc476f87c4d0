/* SPDX-License-Identifier: MIT */
/*
 * xstr.c - string conversion between the application and the target when
 * their encodings differ (see xstr.h).
 */
#include <stdlib.h>
#include <string.h>

#include "util/utf.h"
#include "core/xstr.h"

/* Largest buffer (bytes) credshim gives a target for one output string. */
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
	else if (from_wide)
		n = cs_u16_nlen(s, len_in_bytes ? (size_t)len / sizeof(SQLWCHAR) : (size_t)len);
	else
		n = strnlen(s, (size_t)len);

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

/* A target's output string in the other encoding: the buffer credshim
 * hands the target, and what it needs to know to ask again. */
struct cs_xout {
	void *buf;         /* pass to the target */
	SQLLEN buflen;     /* its size, in the unit of the length argument */
	size_t bytes;      /* its size in bytes (one NUL unit more allocated) */
	int app_wide;      /* the application's encoding: 1 UTF-16, 0 UTF-8 */
	int in_bytes;      /* the length argument counts bytes, not characters */
	SQLLEN max;        /* the largest buflen the argument's type carries */
};

/* Bytes of one code unit of the target's encoding: UTF-8 when the
 * application is wide, else UTF-16. */
static size_t cs_xout_unit(const struct cs_xout *x)
{
	return x->app_wide ? 1 : sizeof(SQLWCHAR);
}

/* The unit of the length argument, in bytes. */
static size_t cs_xout_argunit(const struct cs_xout *x)
{
	return x->in_bytes ? 1 : cs_xout_unit(x);
}

/* x's capacity in the target's code units (room for the NUL included). */
static size_t cs_xout_cap(const struct cs_xout *x)
{
	return x->bytes / cs_xout_unit(x);
}

/* Replaces x's buffer by a zeroed one of units code units (the NUL
 * included), at most x->max in the argument's unit.  0 or -1 (ENOMEM). */
static int cs_xout_resize(struct cs_xout *x, size_t units)
{
	size_t unit = cs_xout_unit(x), argunit = cs_xout_argunit(x);
	size_t maxunits = (size_t)x->max * argunit / unit;
	void *p;

	if (maxunits > CS_XOUT_MAX / unit)
		maxunits = CS_XOUT_MAX / unit;
	if (units > maxunits)
		units = maxunits;
	p = calloc(1, units * unit + sizeof(SQLWCHAR));
	if (!p)
		return -1;
	if (x->buf) {
		explicit_bzero(x->buf, x->bytes);
		free(x->buf);
	}
	x->buf = p;
	x->bytes = units * unit;
	x->buflen = (SQLLEN)(x->bytes / argunit);
	return 0;
}

/*
 * Sizes x from the application's buffer (app_buflen in characters, or
 * bytes when in_bytes, of the application's encoding app_wide) so that
 * whatever fits the application's buffer fits x too; max is
 * CS_XOUT_MAX_S or CS_XOUT_MAX_I.  0, or -1 on ENOMEM.
 */
static int cs_xout_init(struct cs_xout *x, int app_wide, SQLLEN app_buflen, int in_bytes, SQLLEN max)
{
	size_t chars;

	memset(x, 0, sizeof(*x));
	x->app_wide = app_wide;
	x->in_bytes = in_bytes;
	x->max = max;
	if (app_buflen < 0)
		app_buflen = 0;
	chars = app_wide && in_bytes ? (size_t)app_buflen / sizeof(SQLWCHAR) : (size_t)app_buflen;
	if (chars > CS_XOUT_MAX / 4)
		chars = CS_XOUT_MAX / 4;
	/*
	 * The target writes the other encoding: UTF-8 needs up to 3 bytes
	 * per UTF-16 unit; UTF-16 needs at most one unit per UTF-8 byte.
	 * Ask for at least 256 so a short string is whole at the first call.
	 */
	if (chars < 256)
		chars = 256;
	return cs_xout_resize(x, app_wide ? chars * 3 + 1 : chars + 1);
}

/* Makes x hold at least units code units of the target's encoding (and
 * the NUL).  0, or -1 on ENOMEM. */
static int cs_xout_reserve(struct cs_xout *x, size_t units)
{
	if (units >= CS_XOUT_MAX || units + 1 <= cs_xout_cap(x))
		return 0;
	/* room to spare, so that a string of that length does not fill it */
	return cs_xout_resize(x, units + units / 8 + 16);
}

/* How many code units of the target's encoding x holds before its NUL. */
static size_t cs_xout_held(const struct cs_xout *x)
{
	const SQLWCHAR *w = x->buf;
	size_t n = 0, max = x->bytes / sizeof(SQLWCHAR);

	if (x->app_wide)
		return strnlen(x->buf, x->bytes);
	while (n < max && w[n])
		n++;
	return n;
}

/* At most this many calls of the target for one string: enough to double
 * the smallest buffer up to CS_XOUT_MAX. */
#define CS_XOUT_TRIES 24

/*
 * Calls the target through call until x holds the whole string (xstr.h),
 * at most CS_XOUT_TRIES times; a string still cut in a buffer of x->max
 * is taken as it is (the same every time).  *rc gets the last call's
 * return.  0, or -1 on ENOMEM (*rc is then SQL_ERROR).
 */
static int cs_xout_ask(struct cs_xout *x, cs_xout_call call, void *ctx, SQLRETURN *rc)
{
	size_t unit = cs_xout_unit(x), cap, held, want, prev = (size_t)-1;
	/* a string within one character of the end has filled the buffer:
	 * a target may stop short of a character that did not fit */
	size_t slack = x->app_wide ? 4 : 2;
	/* the target's length argument: SQLSMALLINT or SQLINTEGER */
	union {
		SQLSMALLINT s;
		SQLINTEGER i;
	} n;
	SQLLEN tlen;
	int tries;

	for (tries = 0;; tries++) {
		memset(&n, 0, sizeof(n));
		*rc = call(ctx, x->buf, x->buflen, &n);
		if (!SQL_SUCCEEDED(*rc))
			return 0;
		tlen = x->max == CS_XOUT_MAX_S ? n.s : n.i;
		cap = cs_xout_cap(x);
		held = cs_xout_held(x);
		want = 0;
		if (tlen >= 0) {
			/* the reported length in the target's code units */
			size_t tl = x->in_bytes ? ((size_t)tlen + unit - 1) / unit : (size_t)tlen;

			/* said longer than written: cut, unless a larger
			 * buffer got no more than the last one */
			if (tl > held && held != prev)
				want = tl;
			else if (held + slack >= cap)
				want = cap * 2;   /* filled: maybe cut */
		} else if (held + slack >= cap) {
			want = cap * 2;           /* SQL_NO_TOTAL and filled */
		}
		if (!want)
			return 0;
		if (tries + 1 >= CS_XOUT_TRIES || x->buflen >= x->max || x->bytes >= CS_XOUT_MAX)
			return 0;         /* as long as credshim asks: take it */
		if (want != cap * 2)      /* room to spare, so that the whole */
			want += want / 8 + 16; /* answer does not fill it */
		if (want <= cap)
			want = cap * 2;
		prev = held;
		if (cs_xout_resize(x, want) != 0) {
			*rc = SQL_ERROR;
			return -1;
		}
	}
}

/* Converts what x holds to the application's buffer; *outlen gets the
 * application-side length of the whole string.  SQL_SUCCESS,
 * SQL_SUCCESS_WITH_INFO when truncated, SQL_ERROR (ENOMEM). */
static SQLRETURN cs_xout_copy(const struct cs_xout *x, void *app_buf, SQLLEN app_buflen, SQLLEN *outlen)
{
	char *u8;
	SQLRETURN rc;

	if (x->app_wide)
		return cs_out_str(x->buf, 1, app_buf, app_buflen, x->in_bytes, outlen);
	u8 = cs_u16_to_utf8_dup(x->buf, cs_xout_held(x), NULL);
	if (!u8)
		return SQL_ERROR;
	rc = cs_out_str(u8, 0, app_buf, app_buflen, 1, outlen);
	explicit_bzero(u8, strlen(u8));
	free(u8);
	return rc;
}

/* The same for a function that posts its diagnostics: rc (the target's
 * return) turned into SQL_SUCCESS_WITH_INFO with 01004 on h when the
 * conversion truncates, HY001 on ENOMEM. */
static SQLRETURN cs_xout_finish(struct cs_xout *x, struct cs_handle *h, SQLRETURN rc, void *app_buf,
			 SQLLEN app_buflen, SQLLEN *outlen)
{
	SQLRETURN orc;

	if (!SQL_SUCCEEDED(rc))
		return rc;
	orc = cs_xout_copy(x, app_buf, app_buflen, outlen);
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

static void cs_xout_free(struct cs_xout *x)
{
	if (x->buf) {
		explicit_bzero(x->buf, x->bytes);
		free(x->buf);
	}
	memset(x, 0, sizeof(*x));
}

SQLRETURN cs_xout_get(struct cs_handle *h, const struct cs_xreq *r, cs_xout_call call, void *ctx)
{
	struct cs_xout x;
	SQLLEN n = 0;
	SQLRETURN rc;

	if (r->buflen < 0)
		return h ? cs_diag_add(h, CS_SHY090, "Invalid string or buffer length") : SQL_ERROR;
	if (cs_xout_init(&x, r->app_wide, r->buflen, r->in_bytes, r->max) != 0 ||
	    cs_xout_reserve(&x, r->min_units) != 0 || cs_xout_ask(&x, call, ctx, &rc) != 0) {
		cs_xout_free(&x);
		return h ? cs_diag_add(h, CS_SHY001, "Memory allocation error") : SQL_ERROR;
	}
	if (h) {
		rc = cs_xout_finish(&x, h, rc, r->buf, r->buflen, &n);
	} else if (SQL_SUCCEEDED(rc)) {
		SQLRETURN orc = cs_xout_copy(&x, r->buf, r->buflen, &n);

		if (orc != SQL_SUCCESS)
			rc = orc;
	}
	cs_xout_free(&x);
	if (SQL_SUCCEEDED(rc) && r->slen)
		*r->slen = n > INT16_MAX ? INT16_MAX : (SQLSMALLINT)n;
	if (SQL_SUCCEEDED(rc) && r->ilen)
		*r->ilen = n > INT32_MAX ? INT32_MAX : (SQLINTEGER)n;
	return rc;
}
