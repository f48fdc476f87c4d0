/* SPDX-License-Identifier: MIT */
/*
 * twide.h - the test programs' own UTF-8 <-> UTF-16 (not credshim's:
 * they check that one), shared by the C test clients and the fake
 * drivers of tests/integration.  Include after <sqlucode.h>.
 *
 *   tw_from_u8(s, n, out, cap)   n bytes of UTF-8 (well-formed: the
 *                                tests' own text) into out
 *   tw_to_u8(w, n, out, cap)     n UTF-16 units into out, for messages
 *   tw_put_u8(c, out)            one code point as UTF-8
 */
#ifndef CS_TWIDE_H
#define CS_TWIDE_H

#include <stddef.h>

#include <sqlucode.h>

/*
 * Converts n bytes of UTF-8 at s into out (cap units, the NUL included):
 * whole code points while they fit, then the NUL.  Returns the units the
 * whole text needs, without the NUL.
 */
static inline size_t tw_from_u8(const char *s, size_t n, SQLWCHAR *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t k = 0, w = 0;
	int full = 0;

	while (p < end) {
		unsigned long c = *p++;
		int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
		size_t units;

		if (more)
			c &= 0x3Fu >> more;
		for (; more > 0 && p < end; more--)
			c = (c << 6) | (*p++ & 0x3Fu);
		units = c >= 0x10000 ? 2 : 1;
		if (!full && w + units < cap) {
			if (units == 2) {
				out[w++] = (SQLWCHAR)(0xD800 + ((c - 0x10000) >> 10));
				out[w++] = (SQLWCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
			} else {
				out[w++] = (SQLWCHAR)c;
			}
		} else {
			full = 1;
		}
		k += units;
	}
	if (cap)
		out[w] = 0;
	return k;
}

/* Writes code point c as UTF-8 at out (up to 4 bytes); the bytes written. */
static inline size_t tw_put_u8(unsigned long c, char *out)
{
	size_t k = 0;

	if (c < 0x80) {
		out[k++] = (char)c;
	} else if (c < 0x800) {
		out[k++] = (char)(0xC0 | (c >> 6));
		out[k++] = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		out[k++] = (char)(0xE0 | (c >> 12));
		out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[k++] = (char)(0x80 | (c & 0x3F));
	} else {
		out[k++] = (char)(0xF0 | (c >> 18));
		out[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
		out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[k++] = (char)(0x80 | (c & 0x3F));
	}
	return k;
}

/* n UTF-16 units at w as UTF-8 into out (cap bytes, NUL included), for
 * messages: a lone surrogate prints as '?'. */
static inline void tw_to_u8(const SQLWCHAR *w, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 5 < cap; i++) {
		unsigned long c = w[i];

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && w[i + 1] >= 0xDC00 && w[i + 1] < 0xE000) {
			c = 0x10000 + ((c - 0xD800) << 10) + (w[i + 1] - 0xDC00);
			i++;
		} else if (c >= 0xD800 && c < 0xE000) {
			c = '?';
		}
		k += tw_put_u8(c, out + k);
	}
	if (cap)
		out[k] = '\0';
}

#endif
