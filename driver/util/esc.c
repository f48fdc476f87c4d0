/* SPDX-License-Identifier: MIT */
/*
 * esc.c - escaping of outside text for logs and diagnostics, and the
 * search for a quoted secret (esc.h says what is escaped and why).
 */
#include "util/esc.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), its code point
 * in *cp; 0 when the bytes there are not valid UTF-8. */
static size_t cs_esc_utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t need, i;
	unsigned long c, min;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0) {
		need = 2; c = s[0] & 0x1f; min = 0x80;
	} else if (s[0] < 0xf0) {
		need = 3; c = s[0] & 0x0f; min = 0x800;
	} else {
		need = 4; c = s[0] & 0x07; min = 0x10000;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need;
}

/* Code points escaped although valid: C1 controls, line and paragraph
 * separators, bidirectional controls. */
static int cs_esc_hidden(unsigned long c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

size_t cs_esc(char *dst, size_t cap, const char *src, size_t len, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, in, outn;
	char tmp[16];
	unsigned long cp;

	if (cap == 0)
		return 0;
	while (i < len) {
		unsigned char c = s[i];
		const char *out = tmp;

		in = 1;
		if (c == '\n') {
			out = "\\n";
		} else if (c == '\r') {
			out = "\\r";
		} else if (c == '\t') {
			out = "\\t";
		} else if (c == '\\' && (flags & CS_ESC_BACKSLASH)) {
			out = "\\\\";
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		} else if ((in = cs_esc_utf8(s + i, len - i, &cp)) == 0) {
			in = 1;
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else if (cs_esc_hidden(cp)) {
			snprintf(tmp, sizeof(tmp), "\\u%04lx", cp);
		} else {
			memcpy(tmp, s + i, in);
			tmp[in] = '\0';
		}
		outn = strlen(out);
		if (o + outn + 1 > cap)
			break;
		memcpy(dst + o, out, outn);
		o += outn;
		i += in;
	}
	dst[o] = '\0';
	return i;
}

long cs_esc_find_quote(const char *text, const char *secret, size_t min)
{
	size_t tn, sn, i, j;

	if (!text || !secret || min == 0)
		return -1;
	tn = strlen(text);
	sn = strlen(secret);
	if (tn < min || sn < min)
		return -1;
	for (i = 0; i + min <= tn; i++) {
		for (j = 0; j + min <= sn; j++) {
			if (text[i] == secret[j] && memcmp(text + i, secret + j, min) == 0)
				return (long)i;
		}
	}
	return -1;
}

int cs_esc_scrub(char *text, size_t cap, const char *secret, size_t min, const char *withheld)
{
	long at;
	int cut = 0, rounds = 0;
	size_t off;

	while ((at = cs_esc_find_quote(text, secret, min)) >= 0 && rounds++ < 8) {
		off = (size_t)at;
		explicit_bzero(text + off, cap - off);
		snprintf(text + off, cap - off, "%s", withheld);
		cut = 1;
	}
	if (cs_esc_find_quote(text, secret, min) >= 0) {
		/* withheld itself quotes the secret: keep nothing at all. */
		explicit_bzero(text, cap);
		cut = 1;
	}
	return cut;
}
