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
 * Output strings of a target in the other encoding.
 *
 * The stable-length rule lives in cs_xout_get (xstr.c): credshim asks the
 * target until it holds the whole string, and every length it reports is
 * computed from the text it holds, never taken from the target's report.
 * A target's answer may depend on the buffer it is given (psqlODBC cuts a
 * long diagnostic into pieces sized by the first request on the record;
 * sqliteodbc's SQLNativeSql truncates without saying so): a string that
 * fills the buffer (to within one character), or whose reported length is
 * longer than what was written or unknown (SQL_NO_TOTAL), is taken as
 * cut, and the target is asked again with a larger buffer.  So the
 * application gets the same length however it asks, and that length is
 * backed by the characters written when it asks again with length + 1.
 */

/* The largest buffer length an SQLSMALLINT / SQLINTEGER argument carries
 * (even, so that a byte count stays whole UTF-16 units). */
#define CS_XOUT_MAX_S ((SQLLEN)INT16_MAX - 1)
#define CS_XOUT_MAX_I ((SQLLEN)INT32_MAX - 1)

/*
 * One call of the target with credshim's buffer: call the target's
 * function with buf and buflen (in the unit of its length argument), and
 * tlen as its length pointer: an SQLSMALLINT * when the request's max is
 * CS_XOUT_MAX_S, else an SQLINTEGER *.
 */
typedef SQLRETURN (*cs_xout_call)(void *ctx, void *buf, SQLLEN buflen, void *tlen);

/*
 * The head of a call's context: the target's function of the other
 * variant, which variant the application called, and the target handle.
 * A converter's context starts with it and adds its other arguments.
 */
struct cs_xcall {
	void *fn;
	int wide;          /* the application called W: fn is the ANSI one */
	SQLHANDLE target;
};

/* The application's side of a converted output string. */
struct cs_xreq {
	int app_wide;      /* the application called the W function */
	int in_bytes;      /* the length argument counts bytes, not characters */
	SQLLEN max;        /* CS_XOUT_MAX_S or CS_XOUT_MAX_I: the argument's type */
	void *buf;         /* the application's buffer (may be NULL) */
	SQLLEN buflen;     /* its length */
	size_t min_units;  /* give the target at least this many code units */
	SQLSMALLINT *slen; /* out: the whole string's length (either, or none) */
	SQLINTEGER *ilen;
};

/*
 * The one way credshim reads a target's output string for an application
 * of the other encoding: sizes a buffer (cs_xout_init), asks the target
 * through call until it holds the whole string (cs_xout_ask), converts it
 * into r->buf and stores the whole string's length in *r->slen or
 * *r->ilen when the call succeeded (cs_xout_finish; clamped to the type).
 * A negative r->buflen answers HY090.  With h NULL (the diagnostic
 * functions) nothing is posted: truncation shows only in the return code,
 * ENOMEM and a bad length give SQL_ERROR.
 */
CS_HIDDEN SQLRETURN cs_xout_get(struct cs_handle *h, const struct cs_xreq *r, cs_xout_call call,
				void *ctx);

#endif
