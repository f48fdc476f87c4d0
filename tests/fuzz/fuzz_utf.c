/* SPDX-License-Identifier: MIT */
/*
 * fuzz_utf.c - UTF-8 <-> UTF-16 conversion against any input.
 *
 * The input is read twice: as UTF-8 bytes and as host-order UTF-16 code
 * units.  For each reading: the conversion and its way back must give
 * the input again when it was well-formed (judged by a validator written
 * here, apart from the code under test), and otherwise a well-formed
 * result that converts stably; every truncated conversion must report
 * the full size and write the longest prefix of whole code points.  Any
 * breach abort()s.
 */
#include "util/utf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 check: no overlongs, surrogates or values past U+10FFFF. */
static int fz_valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0, len, k;
	uint32_t cp, min;

	while (i < n) {
		uint8_t c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2, cp = c & 0x1Fu, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, cp = c & 0x0Fu, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, cp = c & 0x07u, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static int fz_high(cs_u16 u)
{
	return u >= 0xD800 && u <= 0xDBFF;
}

static int fz_low(cs_u16 u)
{
	return u >= 0xDC00 && u <= 0xDFFF;
}

/* u with every unpaired surrogate replaced by U+FFFD, into out. */
static void fz_sanitize_u16(const cs_u16 *u, size_t n, cs_u16 *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fz_high(u[i]) && i + 1 < n && fz_low(u[i + 1])) {
			out[i] = u[i];
			out[i + 1] = u[i + 1];
			i++;
		} else {
			out[i] = (fz_high(u[i]) || fz_low(u[i])) ? 0xFFFD : u[i];
		}
	}
}

/* Size list for the truncation checks: the edges and a few inside. */
static size_t fz_caps(size_t need, size_t *caps)
{
	size_t n = 0;

	caps[n++] = 0;
	caps[n++] = 1;
	caps[n++] = 2;
	caps[n++] = 3;
	caps[n++] = need / 2 + 1;
	caps[n++] = need;
	caps[n++] = need + 1;
	caps[n++] = need + 2;
	return n;
}

/* Truncated UTF-8 -> UTF-16 outputs are maximal whole-code-point prefixes. */
static void fz_truncate_to_u16(const char *in, size_t n, const cs_u16 *full,
			       size_t need)
{
	size_t caps[8], nc = fz_caps(need, caps), i, w, next;
	cs_u16 *out = malloc((need + 3) * sizeof(*out));

	if (!out)
		abort();
	for (i = 0; i < nc; i++) {
		size_t cap = caps[i];

		out[0] = 0x5A5A;
		if (cs_utf8_to_u16(in, n, out, cap) != need)
			abort();
		if (cap == 0) {
			if (out[0] != 0x5A5A)
				abort();
			continue;
		}
		w = cs_u16_len(out);
		if (w > cap - 1 || w > need || memcmp(out, full, w * sizeof(*out)))
			abort();
		if (w > 0 && fz_high(out[w - 1]))
			abort();	/* split surrogate pair */
		if (w < need) {	/* the next code point did not fit */
			next = (fz_high(full[w]) && w + 1 < need) ? 2 : 1;
			if (w + next <= cap - 1 && full[w] != 0)
				abort();
		}
	}
	free(out);
}

/* Truncated UTF-16 -> UTF-8 outputs are maximal whole-sequence prefixes. */
static void fz_truncate_to_utf8(const cs_u16 *in, size_t n, const char *full,
				size_t need)
{
	size_t caps[8], nc = fz_caps(need, caps), i, w, next;
	char *out = malloc(need + 3);

	if (!out)
		abort();
	for (i = 0; i < nc; i++) {
		size_t cap = caps[i];

		out[0] = 'Z';
		if (cs_u16_to_utf8(in, n, out, cap) != need)
			abort();
		if (cap == 0) {
			if (out[0] != 'Z')
				abort();
			continue;
		}
		w = strlen(out);
		if (w > cap - 1 || w > need || memcmp(out, full, w))
			abort();
		if (w < need && ((unsigned char)full[w] & 0xC0) == 0x80)
			abort();	/* split sequence */
		if (w < need && full[w] != '\0') {
			for (next = 1; w + next < need &&
			     ((unsigned char)full[w + next] & 0xC0) == 0x80; next++)
				;
			if (w + next <= cap - 1)
				abort();
		}
	}
	free(out);
}

static void fz_as_utf8(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t nu, nb, nu2;
	cs_u16 *u, *u2;
	char *back;

	u = cs_utf8_to_u16_dup(in, size, &nu);
	if (!u || nu > size || u[nu] != 0)
		abort();
	back = cs_u16_to_utf8_dup(u, nu, &nb);
	if (!back || !fz_valid_utf8((const uint8_t *)back, nb))
		abort();
	if (fz_valid_utf8(data, size) && (nb != size || memcmp(back, in, size)))
		abort();
	/* a second trip changes nothing */
	u2 = cs_utf8_to_u16_dup(back, nb, &nu2);
	if (!u2 || nu2 != nu || memcmp(u, u2, nu * sizeof(*u)))
		abort();
	fz_truncate_to_u16(in, size, u, nu);
	free(u2);
	free(back);
	free(u);
}

static void fz_as_utf16(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(cs_u16), nb, nu;
	cs_u16 *in, *want, *back;
	char *s;

	/* copied so the units are aligned */
	in = malloc((n + 1) * sizeof(*in));
	want = malloc((n + 1) * sizeof(*want));
	if (!in || !want)
		abort();
	if (n)
		memcpy(in, data, n * sizeof(*in));
	fz_sanitize_u16(in, n, want);

	s = cs_u16_to_utf8_dup(in, n, &nb);
	if (!s || nb > 3 * n || s[nb] != '\0' ||
	    !fz_valid_utf8((const uint8_t *)s, nb))
		abort();
	back = cs_utf8_to_u16_dup(s, nb, &nu);
	if (!back || nu != n || memcmp(back, want, n * sizeof(*want)))
		abort();
	fz_truncate_to_utf8(in, n, s, nb);
	free(back);
	free(s);
	free(want);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_as_utf8(data, size);
	fz_as_utf16(data, size);
	return 0;
}
