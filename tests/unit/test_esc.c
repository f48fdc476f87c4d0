/* SPDX-License-Identifier: MIT */
/*
 * test_esc.c - driver/util/esc.c: escaping outside text for logs and
 * diagnostics, and finding a quoted secret.
 */
#include "util/esc.h"

#include <string.h>

#include "check.h"

static const char *esc(const char *s, unsigned flags)
{
	static char out[256];

	cs_esc(out, sizeof(out), s, strlen(s), flags);
	return out;
}

static void test_escapes(void)
{
	CHECK_STR(esc("plain text 42", 0), "plain text 42");
	CHECK_STR(esc("a\nb\rc\td", 0), "a\\nb\\rc\\td");
	CHECK_STR(esc("x\n2026-12-02T00:00:00Z credshim[1] error: forged", 0),
		  "x\\n2026-12-02T00:00:00Z credshim[1] error: forged");
	CHECK_STR(esc("\x01\x1b[31m\x7f", 0), "\\x01\\x1b[31m\\x7f");
	CHECK_STR(esc("a\\nb", 0), "a\\nb");
	CHECK_STR(esc("a\\nb", CS_ESC_BACKSLASH), "a\\\\nb");
	/* valid UTF-8 stays, invalid bytes are escaped one by one */
	CHECK_STR(esc("Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93 \xf0\x9d\x84\x9e", 0),
		  "Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93 \xf0\x9d\x84\x9e");
	CHECK_STR(esc("\xff\xc3(\xe2\x82", 0), "\\xff\\xc3(\\xe2\\x82");
	CHECK_STR(esc("\xc0\xaf", 0), "\\xc0\\xaf");          /* overlong */
	CHECK_STR(esc("\xed\xa0\x80", 0), "\\xed\\xa0\\x80"); /* surrogate */
	/* C1 NEL, line separator, right-to-left override */
	CHECK_STR(esc("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xae" "d", 0),
		  "a\\u0085b\\u2028c\\u202ed");
}

static void test_bounds(void)
{
	char out[8];
	size_t n;

	n = cs_esc(out, sizeof(out), "abc\ndef", 7, 0);
	CHECK_STR(out, "abc\\nde");
	CHECK_INT(n, 6);
	/* an escape is never cut */
	n = cs_esc(out, 5, "abc\n", 4, 0);
	CHECK_STR(out, "abc");
	CHECK_INT(n, 3);
	/* nor a UTF-8 sequence */
	n = cs_esc(out, 4, "ab\xe2\x9c\x93", 5, 0);
	CHECK_STR(out, "ab");
	CHECK_INT(n, 2);
	/* a NUL inside the given length is escaped too */
	n = cs_esc(out, sizeof(out), "a\0b", 3, 0);
	CHECK_STR(out, "a\\x00b");
	CHECK_INT(n, 3);
	CHECK_INT(cs_esc(out, 0, "abc", 3, 0), 0);
	CHECK_INT(cs_esc(out, 1, "abc", 3, 0), 0);
	CHECK_STR(out, "");
}

static void test_quotes(void)
{
	static const char tok[] = "Tk0123456789abcdefghijKLMNOPQRSTuvwxyz-_.~XY";
	static const char withheld[] = " [text withheld: it quoted the API token]";
	char msg[160];

	CHECK_INT(cs_esc_find_quote("no quote here", tok, 8), -1);
	CHECK_INT(cs_esc_find_quote("head Tk012345", tok, 8), 5);
	CHECK_INT(cs_esc_find_quote("tail wxyz-_.~XY!", tok, 8), 5);
	CHECK_INT(cs_esc_find_quote("mid 6789abcd.", tok, 8), 4);
	CHECK_INT(cs_esc_find_quote("seven 6789abc.", tok, 8), -1);
	CHECK_INT(cs_esc_find_quote("short", "abc", 8), -1);

	snprintf(msg, sizeof(msg), "[credshim] PAM says \"bad token ...%s\"", tok + sizeof(tok) - 1 - 24);
	CHECK(cs_esc_scrub(msg, sizeof(msg), tok, 8, withheld) == 1);
	CHECK_STR(msg, "[credshim] PAM says \"bad token ..." " [text withheld: it quoted the API token]");
	CHECK_INT(cs_esc_find_quote(msg, tok, 8), -1);
	/* the seven bytes before the cut and the text put there make no quote */
	snprintf(msg, sizeof(msg), "x %.14s", tok + 10);
	CHECK(cs_esc_scrub(msg, sizeof(msg), tok, 8, withheld) == 1);
	CHECK_STR(msg, "x  [text withheld: it quoted the API token]");
	snprintf(msg, sizeof(msg), "nothing secret");
	CHECK(cs_esc_scrub(msg, sizeof(msg), tok, 8, withheld) == 0);
	CHECK_STR(msg, "nothing secret");
	/* a withheld text that quotes the secret itself leaves nothing */
	snprintf(msg, sizeof(msg), "a %s", tok);
	CHECK(cs_esc_scrub(msg, sizeof(msg), tok, 8, "Tk0123456789") == 1);
	CHECK_STR(msg, "");
}

int main(void)
{
	test_escapes();
	test_bounds();
	test_quotes();
	return check_done("test_esc");
}
