/* SPDX-License-Identifier: MIT */
/*
 * utf.c - UTF-8 <-> UTF-16 conversion (pure, no I/O).
 *
 * UTF-8 is decoded strictly (Unicode 15, table 3-7): overlong forms,
 * encoded surrogates (ED A0..BF) and code points above U+10FFFF are
 * ill-formed.  Each maximal subpart of an ill-formed sequence becomes one
 * U+FFFD, the practice Unicode recommends (section 3.9) and WHATWG's
 * decoder follows, so "E1 80 41" gives U+FFFD 'A' and not two U+FFFD or a
 * swallowed 'A'.  In UTF-16 an unpaired surrogate becomes one U+FFFD.
 *
 * Both directions count what the whole conversion needs and write only
 * whole code points: once one does not fit, nothing after it is written
 * either, so the output is always a prefix of the full result.
 */
#include "util/utf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CS_REPLACEMENT 0xFFFDu

size_t cs_u16_len(const cs_u16 *s)
{
	size_t n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

size_t cs_u16_nlen(const cs_u16 *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != 0)
		n++;
	return n;
}

/*
 * Decodes the code point at in[0..n), n >= 1, into *cp.  Returns the
 * bytes consumed: the whole sequence, or for an ill-formed one its
 * maximal subpart (at least 1 byte) with *cp = U+FFFD.
 */
static size_t cs_utf8_decode(const unsigned char *in, size_t n, uint32_t *cp)
{
	unsigned char c = in[0], lo = 0x80, hi = 0xBF;
	size_t more, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {	/* continuation, overlong lead, > U+10FFFF */
		*cp = CS_REPLACEMENT;
		return 1;
	}
	if (c < 0xE0) {
		more = 1;
		v = c & 0x1Fu;
	} else if (c < 0xF0) {
		more = 2;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates */
	} else {
		more = 3;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90;	/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;	/* > U+10FFFF */
	}
	for (i = 1; i <= more; i++) {
		if (i >= n || in[i] < lo || in[i] > hi) {
			*cp = CS_REPLACEMENT;
			return i;
		}
		v = (v << 6) | (in[i] & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return more + 1;
}

/* Decodes the code point at in[0..n), n >= 1; returns the units consumed. */
static size_t cs_u16_decode(const cs_u16 *in, size_t n, uint32_t *cp)
{
	uint32_t c = in[0];

	if (c < 0xD800 || c > 0xDFFF) {
		*cp = c;
		return 1;
	}
	if (c <= 0xDBFF && n >= 2 && in[1] >= 0xDC00 && in[1] <= 0xDFFF) {
		*cp = 0x10000u + ((c - 0xD800u) << 10) + (in[1] - 0xDC00u);
		return 2;
	}
	*cp = CS_REPLACEMENT;
	return 1;
}

/* Writes cp as UTF-8 into b (room for 4); returns the byte count. */
static size_t cs_utf8_encode(uint32_t cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	b[0] = (unsigned char)(0xF0 | (cp >> 18));
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	b[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Writes cp as UTF-16 into u (room for 2); returns the unit count. */
static size_t cs_u16_encode(uint32_t cp, cs_u16 *u)
{
	if (cp < 0x10000) {
		u[0] = (cs_u16)cp;
		return 1;
	}
	cp -= 0x10000;
	u[0] = (cs_u16)(0xD800 | (cp >> 10));
	u[1] = (cs_u16)(0xDC00 | (cp & 0x3FF));
	return 2;
}

/*
 * Where a conversion writes: cap code units of size bytes at out (the NUL
 * included; none when out is NULL).  Only whole code points are written,
 * and once one does not fit nothing after it is (full), so what is
 * written is a prefix of the result; need counts what all of it needs.
 */
struct cs_usink {
	unsigned char *out;
	size_t size;
	size_t cap;
	size_t w;
	size_t need;
	int full;
};

static inline void cs_usink_init(struct cs_usink *k, void *out, size_t size, size_t cap)
{
	k->out = out;
	k->size = size;
	k->cap = out ? cap : 0;
	k->w = 0;
	k->need = 0;
	k->full = 0;
}

/* Appends one code point's n units. */
static inline void cs_usink_put(struct cs_usink *k, const void *units, size_t n)
{
	if (!k->full && k->cap > 0 && n <= k->cap - 1 - k->w) {
		memcpy(k->out + k->w * k->size, units, n * k->size);
		k->w += n;
	} else {
		k->full = 1;
	}
	k->need += n;
}

/* NUL-terminates what was written; the units the whole result needs. */
static inline size_t cs_usink_end(struct cs_usink *k)
{
	if (k->cap > 0)
		memset(k->out + k->w * k->size, 0, k->size);
	return k->need;
}

size_t cs_utf8_to_u16(const char *in, size_t n, cs_u16 *out, size_t outcap)
{
	const unsigned char *p = (const unsigned char *)in;
	struct cs_usink k;
	size_t i = 0;
	cs_u16 u[2];
	uint32_t cp;

	if (!in)
		n = 0;
	cs_usink_init(&k, out, sizeof(*out), outcap);
	while (i < n) {
		i += cs_utf8_decode(p + i, n - i, &cp);
		cs_usink_put(&k, u, cs_u16_encode(cp, u));
	}
	return cs_usink_end(&k);
}

size_t cs_u16_to_utf8(const cs_u16 *in, size_t n, char *out, size_t outcap)
{
	struct cs_usink k;
	size_t i = 0;
	unsigned char b[4];
	uint32_t cp;

	if (!in)
		n = 0;
	cs_usink_init(&k, out, 1, outcap);
	while (i < n) {
		i += cs_u16_decode(in + i, n - i, &cp);
		cs_usink_put(&k, b, cs_utf8_encode(cp, b));
	}
	return cs_usink_end(&k);
}

/* A buffer for a result of need units of size bytes and its NUL, *outlen
 * (may be NULL) set to need; NULL with errno ENOMEM. */
static void *cs_unit_alloc(size_t need, size_t size, size_t *outlen)
{
	void *out = need < SIZE_MAX / size - 1 ? malloc((need + 1) * size) : NULL;

	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	if (outlen)
		*outlen = need;
	return out;
}

cs_u16 *cs_utf8_to_u16_dup(const char *in, size_t n, size_t *outlen)
{
	size_t need = cs_utf8_to_u16(in, n, NULL, 0);
	cs_u16 *out = cs_unit_alloc(need, sizeof(*out), outlen);

	if (out)
		cs_utf8_to_u16(in, n, out, need + 1);
	return out;
}

char *cs_u16_to_utf8_dup(const cs_u16 *in, size_t n, size_t *outlen)
{
	size_t need = cs_u16_to_utf8(in, n, NULL, 0);
	char *out = cs_unit_alloc(need, 1, outlen);

	if (out)
		cs_u16_to_utf8(in, n, out, need + 1);
	return out;
}
