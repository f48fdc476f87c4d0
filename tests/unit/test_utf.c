/* SPDX-License-Identifier: MIT */
/*
 * test_utf.c - UTF-8 <-> UTF-16 conversion.
 */
#include "check.h"
#include "util/utf.h"

#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD 0xFFFD

/* Converts in[0..n) to UTF-16 and compares with want[0..wantn). */
static void u8_to_u16_is(const char *in, size_t n, const cs_u16 *want,
			 size_t wantn, int line)
{
	cs_u16 out[64];
	size_t got, i;
	int ok;

	got = cs_utf8_to_u16(in, n, out, NELEM(out));
	ok = got == wantn && memcmp(out, want, wantn * sizeof(*want)) == 0 &&
	     out[got] == 0;
	if (!check_report(ok, __FILE__, line, "cs_utf8_to_u16 result")) {
		fprintf(stderr, "    got %zu units:", got);
		for (i = 0; i < got && i < NELEM(out); i++)
			fprintf(stderr, " %04X", out[i]);
		fprintf(stderr, "\n    want %zu units:", wantn);
		for (i = 0; i < wantn; i++)
			fprintf(stderr, " %04X", want[i]);
		fprintf(stderr, "\n");
	}
}

/* Converts in[0..n) to UTF-8 and compares with want[0..wantn). */
static void u16_to_u8_is(const cs_u16 *in, size_t n, const char *want,
			 size_t wantn, int line)
{
	char out[64];
	size_t got, i;
	int ok;

	got = cs_u16_to_utf8(in, n, out, sizeof(out));
	ok = got == wantn && memcmp(out, want, wantn) == 0 && out[got] == '\0';
	if (!check_report(ok, __FILE__, line, "cs_u16_to_utf8 result")) {
		fprintf(stderr, "    got %zu bytes:", got);
		for (i = 0; i < got && i < sizeof(out); i++)
			fprintf(stderr, " %02X", (unsigned char)out[i]);
		fprintf(stderr, "\n");
	}
}

#define U8_TO_U16(in, ...) do { \
	static const cs_u16 want_[] = { __VA_ARGS__ }; \
	u8_to_u16_is((in), sizeof(in) - 1, want_, NELEM(want_), __LINE__); \
} while (0)

#define U16_TO_U8(want, ...) do { \
	static const cs_u16 in_[] = { __VA_ARGS__ }; \
	u16_to_u8_is(in_, NELEM(in_), (want), sizeof(want) - 1, __LINE__); \
} while (0)

static void test_valid(void)
{
	static const cs_u16 s[] = { 'a', 0xE9, 0 };
	static const cs_u16 nul[] = { 'a', 0, 'b' };
	char out8[8];
	cs_u16 out16[8];

	CHECK_INT(cs_u16_len(s), 2);
	CHECK_INT(cs_u16_len(s + 2), 0);

	U8_TO_U16("abc", 'a', 'b', 'c');
	U8_TO_U16("\x7f", 0x7F);
	U8_TO_U16("\xc2\x80", 0x80);
	U8_TO_U16("\xc3\xa9", 0xE9);
	U8_TO_U16("\xdf\xbf", 0x7FF);
	U8_TO_U16("\xe0\xa0\x80", 0x800);
	U8_TO_U16("\xe2\x82\xac", 0x20AC);
	U8_TO_U16("\xed\x9f\xbf", 0xD7FF);
	U8_TO_U16("\xee\x80\x80", 0xE000);
	U8_TO_U16("\xef\xbf\xbd", 0xFFFD);
	U8_TO_U16("\xef\xbf\xbf", 0xFFFF);
	U8_TO_U16("\xf0\x90\x80\x80", 0xD800, 0xDC00);
	U8_TO_U16("\xf0\x9f\x98\x80", 0xD83D, 0xDE00);
	U8_TO_U16("\xf4\x8f\xbf\xbf", 0xDBFF, 0xDFFF);
	U8_TO_U16("p\xc3\xa4ss\xe2\x82\xac\xf0\x9f\x94\x91", 'p', 0xE4, 's', 's',
		  0x20AC, 0xD83D, 0xDD11);

	U16_TO_U8("abc", 'a', 'b', 'c');
	U16_TO_U8("\xc2\x80", 0x80);
	U16_TO_U8("\xdf\xbf", 0x7FF);
	U16_TO_U8("\xe0\xa0\x80", 0x800);
	U16_TO_U8("\xef\xbf\xbf", 0xFFFF);
	U16_TO_U8("\xf0\x90\x80\x80", 0xD800, 0xDC00);
	U16_TO_U8("\xf0\x9f\x98\x80", 0xD83D, 0xDE00);
	U16_TO_U8("\xf4\x8f\xbf\xbf", 0xDBFF, 0xDFFF);

	/* an embedded NUL is data when a length is given */
	CHECK_INT(cs_u16_to_utf8(nul, 3, out8, sizeof(out8)), 3);
	CHECK(memcmp(out8, "a\0b", 4) == 0);
	CHECK_INT(cs_utf8_to_u16("a\0b", 3, out16, NELEM(out16)), 3);
	CHECK(out16[0] == 'a' && out16[1] == 0 && out16[2] == 'b' && out16[3] == 0);

	/* empty and absent input */
	out8[0] = 'x';
	CHECK_INT(cs_u16_to_utf8(s, 0, out8, sizeof(out8)), 0);
	CHECK(out8[0] == '\0');
	out16[0] = 'x';
	CHECK_INT(cs_utf8_to_u16("", 0, out16, NELEM(out16)), 0);
	CHECK(out16[0] == 0);
	CHECK_INT(cs_utf8_to_u16(NULL, 5, out16, NELEM(out16)), 0);
	CHECK_INT(cs_u16_to_utf8(NULL, 5, out8, sizeof(out8)), 0);
	/* sizing only */
	CHECK_INT(cs_utf8_to_u16("\xf0\x9f\x98\x80", 4, NULL, 0), 2);
	CHECK_INT(cs_u16_to_utf8(s, 2, NULL, 0), 3);
}

static void test_invalid_utf8(void)
{
	/* lone continuation bytes and bytes that never start a sequence */
	U8_TO_U16("\x80", FFFD);
	U8_TO_U16("\xbf", FFFD);
	U8_TO_U16("a\x80\x80z", 'a', FFFD, FFFD, 'z');
	U8_TO_U16("\xf5\x80\x80\x80", FFFD, FFFD, FFFD, FFFD);
	U8_TO_U16("\xfe\xff", FFFD, FFFD);
	U8_TO_U16("\xf8\x88\x80\x80\x80", FFFD, FFFD, FFFD, FFFD, FFFD);

	/* overlong forms */
	U8_TO_U16("\xc0\x80", FFFD, FFFD);
	U8_TO_U16("\xc1\xbf", FFFD, FFFD);
	U8_TO_U16("\xc0\xaf", FFFD, FFFD);
	U8_TO_U16("\xe0\x80\xaf", FFFD, FFFD, FFFD);
	U8_TO_U16("\xe0\x9f\xbf", FFFD, FFFD, FFFD);
	U8_TO_U16("\xf0\x80\x80\xaf", FFFD, FFFD, FFFD, FFFD);
	U8_TO_U16("\xf0\x8f\xbf\xbf", FFFD, FFFD, FFFD, FFFD);

	/* surrogates encoded in UTF-8 (CESU-8 pairs too) */
	U8_TO_U16("\xed\xa0\x80", FFFD, FFFD, FFFD);
	U8_TO_U16("\xed\xbf\xbf", FFFD, FFFD, FFFD);
	U8_TO_U16("\xed\xa0\xbd\xed\xb8\x80", FFFD, FFFD, FFFD, FFFD, FFFD, FFFD);

	/* beyond U+10FFFF */
	U8_TO_U16("\xf4\x90\x80\x80", FFFD, FFFD, FFFD, FFFD);
	U8_TO_U16("\xf7\xbf\xbf\xbf", FFFD, FFFD, FFFD, FFFD);

	/* truncated sequences: one U+FFFD per maximal subpart */
	U8_TO_U16("\xc3", FFFD);
	U8_TO_U16("\xe2\x82", FFFD);
	U8_TO_U16("\xf0\x9f\x98", FFFD);
	U8_TO_U16("\xe2\x82" "A", FFFD, 'A');
	U8_TO_U16("\xf0\x9f" "\xc3\xa9", FFFD, 0xE9);
	U8_TO_U16("\xe2\xe2\x82\xac", FFFD, 0x20AC);

	/* Unicode 15 section 3.9, table 3-8 */
	U8_TO_U16("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
		  'a', FFFD, FFFD, FFFD, 'b', FFFD, 'c', FFFD, FFFD, 'd');
}

static void test_invalid_utf16(void)
{
	U16_TO_U8("\xef\xbf\xbd", 0xD800);
	U16_TO_U8("\xef\xbf\xbd", 0xDBFF);
	U16_TO_U8("\xef\xbf\xbd", 0xDC00);
	U16_TO_U8("\xef\xbf\xbd" "A", 0xD800, 'A');
	U16_TO_U8("A\xef\xbf\xbd", 'A', 0xDFFF);
	U16_TO_U8("\xef\xbf\xbd\xef\xbf\xbd", 0xDC00, 0xD800);
	U16_TO_U8("\xef\xbf\xbd\xf0\x90\x80\x80", 0xD800, 0xD800, 0xDC00);
	U16_TO_U8("\xf0\x90\x80\x80\xef\xbf\xbd", 0xD800, 0xDC00, 0xDC00);
	U16_TO_U8("\xef\xbf\xbd\xef\xbf\xbd", 0xDBFF, 0xDBFF);
}

/* The units/bytes at which each code point of the sample ends. */
static const char trunc8[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b\xf4\x8f\xbf\xbf";
static const size_t trunc8_ends[] = { 0, 1, 3, 6, 10, 11, 15 };
static const cs_u16 trunc16[] = { 'a', 0xE9, 0x20AC, 0xD83D, 0xDE00, 'b',
				  0xDBFF, 0xDFFF };
static const size_t trunc16_ends[] = { 0, 1, 2, 3, 5, 6, 8 };

/* Largest code-point boundary that fits in room. */
static size_t fit(const size_t *ends, size_t nends, size_t room)
{
	size_t i, best = 0;

	for (i = 0; i < nends; i++)
		if (ends[i] <= room)
			best = ends[i];
	return best;
}

static void test_truncation(void)
{
	size_t cap, w, n8 = sizeof(trunc8) - 1, n16 = NELEM(trunc16);
	int bad = 0;

	for (cap = 0; cap <= n16 + 2; cap++) {
		cs_u16 out[16];

		memset(out, 0xAA, sizeof(out));
		if (cs_utf8_to_u16(trunc8, n8, out, cap) != n16)
			bad++;
		if (cap == 0) {
			if (out[0] != 0xAAAA)
				bad++;
			continue;
		}
		w = fit(trunc16_ends, NELEM(trunc16_ends), cap - 1);
		if (memcmp(out, trunc16, w * sizeof(*out)) != 0 || out[w] != 0 ||
		    out[w + 1] != 0xAAAA)
			bad++;
		if (w > 0 && out[w - 1] >= 0xD800 && out[w - 1] <= 0xDBFF)
			bad++;	/* split pair */
		if (bad)
			fprintf(stderr, "    utf8->u16 outcap %zu\n", cap);
	}
	CHECK_INT(bad, 0);

	for (cap = 0; cap <= n8 + 2; cap++) {
		char out[24];

		memset(out, 0x55, sizeof(out));
		if (cs_u16_to_utf8(trunc16, n16, out, cap) != n8)
			bad++;
		if (cap == 0) {
			if (out[0] != 0x55)
				bad++;
			continue;
		}
		w = fit(trunc8_ends, NELEM(trunc8_ends), cap - 1);
		if (memcmp(out, trunc8, w) != 0 || out[w] != '\0' ||
		    out[w + 1] != 0x55)
			bad++;
		if (bad)
			fprintf(stderr, "    u16->utf8 outcap %zu\n", cap);
	}
	CHECK_INT(bad, 0);

	/* a code point that does not fit stops the output, even if a
	 * shorter one after it would fit */
	{
		cs_u16 o16[3];
		char o8[4];
		static const cs_u16 in16[] = { 0xD83D, 0xDE00, 'z' };

		CHECK_INT(cs_utf8_to_u16("a\xf0\x9f\x98\x80z", 6, o16, 3), 4);
		CHECK(o16[0] == 'a' && o16[1] == 0);
		CHECK_INT(cs_u16_to_utf8(in16, 3, o8, 4), 5);
		CHECK(o8[0] == '\0');
	}
}

/* Test-local UTF-8 encoder, written apart from the one under test. */
static size_t enc8(unsigned long cp, unsigned char *b)
{
	if (cp <= 0x7F) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp <= 0x7FF) {
		b[0] = (unsigned char)(0xC0 + cp / 64);
		b[1] = (unsigned char)(0x80 + cp % 64);
		return 2;
	}
	if (cp <= 0xFFFF) {
		b[0] = (unsigned char)(0xE0 + cp / 4096);
		b[1] = (unsigned char)(0x80 + cp / 64 % 64);
		b[2] = (unsigned char)(0x80 + cp % 64);
		return 3;
	}
	b[0] = (unsigned char)(0xF0 + cp / 262144);
	b[1] = (unsigned char)(0x80 + cp / 4096 % 64);
	b[2] = (unsigned char)(0x80 + cp / 64 % 64);
	b[3] = (unsigned char)(0x80 + cp % 64);
	return 4;
}

/* Every scalar value converts both ways and back; every lone unit too. */
static void test_every_code_point(void)
{
	unsigned long cp;
	int bad = 0;

	for (cp = 0; cp <= 0x10FFFF; cp++) {
		unsigned char b[4];
		char o8[8];
		cs_u16 u[2], o16[4];
		size_t nb, nu;

		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		nb = enc8(cp, b);
		if (cp < 0x10000) {
			u[0] = (cs_u16)cp;
			nu = 1;
		} else {
			u[0] = (cs_u16)(0xD800 + ((cp - 0x10000) >> 10));
			u[1] = (cs_u16)(0xDC00 + ((cp - 0x10000) & 0x3FF));
			nu = 2;
		}
		if (cs_utf8_to_u16((const char *)b, nb, o16, NELEM(o16)) != nu ||
		    memcmp(o16, u, nu * sizeof(*u)) != 0 ||
		    cs_u16_to_utf8(u, nu, o8, sizeof(o8)) != nb ||
		    memcmp(o8, b, nb) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "    first failure at U+%04lX\n", cp);
		}
	}
	CHECK_INT(bad, 0);

	for (cp = 0xD800, bad = 0; cp <= 0xDFFF; cp++) {
		cs_u16 u = (cs_u16)cp;
		char o8[8];

		if (cs_u16_to_utf8(&u, 1, o8, sizeof(o8)) != 3 ||
		    memcmp(o8, "\xef\xbf\xbd", 4) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

/*
 * Every 1- and 2-byte input and every 3-byte input led by E0..F4: the
 * UTF-16 result converts back to UTF-8 that is stable (valid), and equals
 * the input exactly when no U+FFFD was produced.
 */
static void test_short_inputs(void)
{
	unsigned long x;
	int bad = 0;

	for (x = 0; x < 0x10000 + 256 + 0x150000; x++) {
		unsigned char in[3];
		cs_u16 u[4], u2[4];
		char back[16];
		size_t n, nu, nb, i;
		int replaced = 0;

		if (x < 256) {
			in[0] = (unsigned char)x;
			n = 1;
		} else if (x < 256 + 0x10000) {
			in[0] = (unsigned char)((x - 256) >> 8);
			in[1] = (unsigned char)(x - 256);
			n = 2;
		} else {
			unsigned long y = x - 256 - 0x10000;

			in[0] = (unsigned char)(0xE0 + (y >> 16));
			in[1] = (unsigned char)(y >> 8);
			in[2] = (unsigned char)y;
			n = 3;
		}
		nu = cs_utf8_to_u16((const char *)in, n, u, NELEM(u));
		for (i = 0; i < nu; i++)
			replaced |= u[i] == FFFD;
		nb = cs_u16_to_utf8(u, nu, back, sizeof(back));
		if (cs_utf8_to_u16(back, nb, u2, NELEM(u2)) != nu ||
		    memcmp(u, u2, nu * sizeof(*u)) != 0)
			bad++;
		/* U+FFFD itself (EF BF BD) is valid input, so only compare
		 * when nothing was replaced */
		if (!replaced && (nb != n || memcmp(back, in, n) != 0))
			bad++;
		if (nu > n)
			bad++;	/* never more units than bytes */
	}
	CHECK_INT(bad, 0);
}

static void test_dup(void)
{
	static const cs_u16 in16[] = { 'h', 0xE9, 0xD83D, 0xDE00, 0xDC00 };
	cs_u16 *u;
	char *s;
	size_t len = 99;

	u = cs_utf8_to_u16_dup("h\xc3\xa9\xf0\x9f\x98\x80\xff", 8, &len);
	if (CHECK(u != NULL)) {
		CHECK_INT(len, 5);
		CHECK(u[0] == 'h' && u[1] == 0xE9 && u[2] == 0xD83D &&
		      u[3] == 0xDE00 && u[4] == FFFD && u[5] == 0);
		CHECK_INT(cs_u16_len(u), 5);
		free(u);
	}
	s = cs_u16_to_utf8_dup(in16, NELEM(in16), &len);
	if (CHECK(s != NULL)) {
		CHECK_INT(len, 10);
		CHECK_STR(s, "h\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
		free(s);
	}
	u = cs_utf8_to_u16_dup("", 0, &len);
	if (CHECK(u != NULL)) {
		CHECK_INT(len, 0);
		CHECK(u[0] == 0);
		free(u);
	}
	s = cs_u16_to_utf8_dup(NULL, 0, NULL);
	if (CHECK(s != NULL)) {
		CHECK_STR(s, "");
		free(s);
	}
}

int main(void)
{
	test_valid();
	test_invalid_utf8();
	test_invalid_utf16();
	test_truncation();
	test_every_code_point();
	test_short_inputs();
	test_dup();
	return check_done("test_utf");
}
