/* SPDX-License-Identifier: MIT */
/*
 * xstr.h - moving strings between the application's encoding and the
 * target's: UTF-8 for ANSI entry points, UTF-16 SQLWCHAR for W ones.
 */
#ifndef CS_XSTR_H
#define CS_XSTR_H

#include "core/cs.h"

/* An input string converted for the target (owned copy, or NULL). */
struct cs_xstr {
	void *p;           /* what to pass to the target */
	SQLINTEGER n;      /* its length in the target's units, or SQL_NTS */
	void *owned;       /* freed (and wiped) by cs_xstr_free */
	size_t owned_bytes;
};

/*
 * Converts an application string to the other encoding.  from_wide says
 * what s holds; len is SQL_NTS or a length in characters (code units), or
 * in bytes when len_in_bytes.  A NULL s stays NULL with len passed on.
 * The converted string is NUL-terminated and its length (in the target's
 * units, bytes when len_in_bytes) stored in x->n.  0, or -1 on ENOMEM /
 * a negative length other than SQL_NTS (the caller reports HY090/HY001).
 */
CS_HIDDEN int cs_xstr_in(struct cs_xstr *x, int from_wide, const void *s,
			 SQLLEN len, int len_in_bytes);
CS_HIDDEN void cs_xstr_free(struct cs_xstr *x);
/*
 * Makes a converted string's buffer at least bytes long, zero-filled past
 * the string (for a target that writes into its input, see wconv.c's
 * SQLNativeSql).  Nothing when x owns no copy.  0, or -1 on ENOMEM.
 */
CS_HIDDEN int cs_xstr_reserve(struct cs_xstr *x, size_t bytes);

/*
 * Writes the NUL-terminated UTF-8 string s to an application buffer, as
 * UTF-8 (wide = 0) or UTF-16 (wide = 1).  buflen is the buffer's size in
 * bytes when in_bytes, else in characters; buf may be NULL.  *outlen (may
 * be NULL) gets the full length in the same unit.  Returns SQL_SUCCESS,
 * or SQL_SUCCESS_WITH_INFO when truncated (the caller adds 01004).
 */
CS_HIDDEN SQLRETURN cs_out_str(const char *s, int wide, void *buf, SQLLEN buflen,
			       int in_bytes, SQLLEN *outlen);

/*
 * A buffer for a target's output string in the other encoding, sized so
 * that whatever fits the application's buffer fits it too.
 */
struct cs_xout {
	void *buf;         /* pass to the target */
	SQLLEN buflen;     /* its size, in the target's units or bytes */
	size_t bytes;
};

/* app_buflen in chars (or bytes when in_bytes) of the app's encoding
 * (app_wide).  0 or -1 (ENOMEM).  A NULL app buffer gives a small one. */
CS_HIDDEN int cs_xout_init(struct cs_xout *x, int app_wide, SQLLEN app_buflen, int in_bytes);
/*
 * Converts what the target wrote (in the encoding opposite to app_wide) to
 * the application's buffer.  rc is the target's return; it is returned,
 * turned into SQL_SUCCESS_WITH_INFO (with 01004 on h) when the conversion
 * truncates.  *outlen gets the application-side length.
 */
CS_HIDDEN SQLRETURN cs_xout_finish(struct cs_xout *x, struct cs_handle *h, SQLRETURN rc,
				   int app_wide, void *app_buf, SQLLEN app_buflen,
				   int in_bytes, SQLLEN *outlen);
/* The same without posting a diagnostic (for the diagnostic functions):
 * SQL_SUCCESS, SQL_SUCCESS_WITH_INFO when truncated, SQL_ERROR (ENOMEM). */
CS_HIDDEN SQLRETURN cs_xout_copy(const struct cs_xout *x, int app_wide, void *app_buf,
				 SQLLEN app_buflen, int in_bytes, SQLLEN *outlen);
/*
 * After a target call that wrote into x and reported tlen, the full length
 * in the unit of x->buflen: 0 when the whole string fitted, 1 when it did
 * not and x has been enlarged to hold it (call the target again, so that
 * cs_xout_finish sees the whole string and reports its full length), -1 on
 * ENOMEM.  A negative tlen (SQL_NO_TOTAL) or an absurd one gives 0.
 */
CS_HIDDEN int cs_xout_grow(struct cs_xout *x, int app_wide, SQLLEN tlen, int in_bytes);
CS_HIDDEN void cs_xout_free(struct cs_xout *x);

/* x's size as an SQLSMALLINT / SQLINTEGER buffer length argument (even,
 * so a byte count stays whole UTF-16 units). */
static inline SQLSMALLINT cs_xbuf_s(const struct cs_xout *x)
{
	return x->buflen > INT16_MAX - 1 ? INT16_MAX - 1 : (SQLSMALLINT)x->buflen;
}

static inline SQLINTEGER cs_xbuf_i(const struct cs_xout *x)
{
	return x->buflen > INT32_MAX - 1 ? INT32_MAX - 1 : (SQLINTEGER)x->buflen;
}

#endif
