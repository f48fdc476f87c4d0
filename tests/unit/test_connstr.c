/* SPDX-License-Identifier: MIT */
/*
 * test_connstr.c - connection-string parser, builder and attribute sets.
 */
#include "check.h"
#include "util/connstr.h"
#include "util/logins.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PARSE(a, s) cs_attrs_parse((a), (s), strlen(s), err, sizeof(err))

static char err[256];

/* Nonzero when a and b hold the same pairs in the same order, bytewise. */
static int attrs_equal(const struct cs_attrs *a, const struct cs_attrs *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, b->v[i].key) != 0 ||
		    strcmp(a->v[i].value, b->v[i].value) != 0)
			return 0;
	return 1;
}

static void test_parse_basic(void)
{
	struct cs_attrs a;

	cs_attrs_init(&a);
	CHECK_INT(PARSE(&a, "DSN=x;UID=u;PWD=p"), 0);
	CHECK_INT(a.n, 3);
	CHECK_STR(a.v[0].key, "DSN");
	CHECK_STR(a.v[0].value, "x");
	CHECK_STR(a.v[1].key, "UID");
	CHECK_STR(a.v[2].value, "p");
	CHECK_STR(err, "");
	cs_attrs_free(&a);
	CHECK(a.n == 0 && a.v == NULL && a.cap == 0);

	/* blanks around keys and unbraced values go, inner ones stay */
	CHECK_INT(PARSE(&a, "  Data Source = x y  ;\tUID=\tu\t\r\n"), 0);
	CHECK_INT(a.n, 2);
	CHECK_STR(cs_attrs_get(&a, "Data Source"), "x y");
	CHECK_STR(cs_attrs_get(&a, "UID"), "u");
	cs_attrs_free(&a);

	/* empty segments and empty strings */
	CHECK_INT(PARSE(&a, ";;A=1;; ;\t;B=2;"), 0);
	CHECK_INT(a.n, 2);
	cs_attrs_free(&a);
	CHECK_INT(PARSE(&a, ""), 0);
	CHECK_INT(PARSE(&a, "   "), 0);
	CHECK_INT(PARSE(&a, ";"), 0);
	CHECK_INT(cs_attrs_parse(&a, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(a.n, 0);

	/* empty values */
	CHECK_INT(PARSE(&a, "A=;B=  ;C={};D=  {  }"), 0);
	CHECK_INT(a.n, 4);
	CHECK_STR(cs_attrs_get(&a, "A"), "");
	CHECK_STR(cs_attrs_get(&a, "B"), "");
	CHECK_STR(cs_attrs_get(&a, "C"), "");
	CHECK_STR(cs_attrs_get(&a, "D"), "  ");
	cs_attrs_free(&a);

	/* '=' and braces inside an unbraced value are plain bytes */
	CHECK_INT(PARSE(&a, "A=b=c;B=x{y}z;C=}"), 0);
	CHECK_STR(cs_attrs_get(&a, "A"), "b=c");
	CHECK_STR(cs_attrs_get(&a, "B"), "x{y}z");
	CHECK_STR(cs_attrs_get(&a, "C"), "}");
	cs_attrs_free(&a);
}

static void test_parse_braces(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "PWD={a;b}", "a;b" },
		{ "PWD={a}}b}", "a}b" },
		{ "PWD={}}}", "}" },
		{ "PWD={}}}}}", "}}" },
		{ "PWD={{}", "{" },
		{ "PWD={{{}", "{{" },
		{ "PWD={=}", "=" },
		{ "PWD={ x }", " x " },
		{ "PWD=  { x }  ", " x " },
		{ "PWD={a=b;c={d}}}", "a=b;c={d}" },
		{ "PWD={\"quoted\"}", "\"quoted\"" },
		{ "PWD={'a';'b'}", "'a';'b'" },
		{ "PWD={p\xc3\xa4ss;\xe2\x82\xac}", "p\xc3\xa4ss;\xe2\x82\xac" },
		{ "PWD={a}\t;X=1", "a" },
	};
	struct cs_attrs a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cs_attrs_init(&a);
		CHECK_INT(PARSE(&a, cases[i].in), 0);
		CHECK_STR(cs_attrs_get(&a, "PWD"), cases[i].want);
		cs_attrs_free(&a);
	}
}

static void test_first_wins(void)
{
	struct cs_attrs a;

	cs_attrs_init(&a);
	CHECK_INT(PARSE(&a, "A=1;a=2;B=3;A=4;b={x;y}"), 0);
	CHECK_INT(a.n, 2);
	CHECK_STR(a.v[0].key, "A");
	CHECK_STR(a.v[0].value, "1");
	CHECK_STR(a.v[1].value, "3");

	/* parsing into a non-empty set never overrides what is there */
	CHECK_INT(PARSE(&a, "a=9;C=2"), 0);
	CHECK_INT(a.n, 3);
	CHECK_STR(cs_attrs_get(&a, "A"), "1");
	CHECK_STR(cs_attrs_get(&a, "C"), "2");
	cs_attrs_free(&a);

	/* a later duplicate is not used, but must still be well-formed */
	CHECK_INT(PARSE(&a, "A=1;A={x"), -1);
	CHECK_INT(a.n, 0);
	/* and a failed parse into a fresh set leaves nothing to free */
	CHECK(a.v == NULL && a.cap == 0);
}

static void test_parse_errors(void)
{
	static const char *bad[] = {
		"A",
		"A=1;B",
		"A=1; B ;C=2",
		"=1",
		" =1",
		"A=1;=2",
		"A={abc",
		"A={abc}}",
		"A={abc}}}}",
		"A={",
		"A={abc}x",
		"A={abc} x;B=1",
		"A={abc}{d}",
		"A={abc}}x}y",
	};
	struct cs_attrs a;
	char key[CS_KEY_MAX + 8], *big;
	size_t i;

	cs_attrs_init(&a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		if (!CHECK_INT(PARSE(&a, bad[i]), -1))
			fprintf(stderr, "    input: %s\n", bad[i]);
		CHECK_INT(a.n, 0);
		CHECK(err[0] != '\0');
		cs_attrs_free(&a);
	}

	/* a failed parse leaves the set as it was */
	CHECK_INT(cs_attrs_set(&a, "X", "1"), 0);
	CHECK_INT(PARSE(&a, "A=1;B=2;C={oops"), -1);
	CHECK_INT(a.n, 1);
	CHECK_STR(cs_attrs_get(&a, "X"), "1");
	CHECK(cs_attrs_get(&a, "A") == NULL);
	cs_attrs_free(&a);

	/* key length limit: CS_KEY_MAX is accepted, one more is not */
	memset(key, 'k', CS_KEY_MAX);
	memcpy(key + CS_KEY_MAX, "=v", 3);
	CHECK_INT(PARSE(&a, key), 0);
	CHECK_INT(a.n, 1);
	cs_attrs_free(&a);
	memset(key, 'k', CS_KEY_MAX + 1);
	memcpy(key + CS_KEY_MAX + 1, "=v", 3);
	CHECK_INT(PARSE(&a, key), -1);

	/* string length limit, counted up to the first NUL */
	big = malloc((size_t)CS_CONNSTR_MAX + 2);
	if (CHECK(big != NULL)) {
		memset(big, 'v', (size_t)CS_CONNSTR_MAX + 1);
		memcpy(big, "A=", 2);
		big[CS_CONNSTR_MAX] = '\0';
		CHECK_INT(cs_attrs_parse(&a, big, CS_CONNSTR_MAX, err, sizeof(err)), 0);
		CHECK_INT(strlen(cs_attrs_get(&a, "A")), CS_CONNSTR_MAX - 2);
		cs_attrs_free(&a);
		/* a buffer size past the NUL is fine */
		CHECK_INT(cs_attrs_parse(&a, big, CS_CONNSTR_MAX + 2, err, sizeof(err)), 0);
		cs_attrs_free(&a);
		big[CS_CONNSTR_MAX] = 'v';
		big[CS_CONNSTR_MAX + 1] = '\0';
		CHECK_INT(cs_attrs_parse(&a, big, CS_CONNSTR_MAX + 1, err, sizeof(err)), -1);
		CHECK_INT(cs_attrs_parse(&a, big, SIZE_MAX, err, sizeof(err)), -1);
		CHECK_INT(a.n, 0);
		free(big);
	}

	/* len is honoured without a NUL, and a NUL ends the string */
	CHECK_INT(cs_attrs_parse(&a, "A=1;B=2", 3, err, sizeof(err)), 0);
	CHECK_INT(a.n, 1);
	CHECK_STR(cs_attrs_get(&a, "A"), "1");
	cs_attrs_free(&a);
	CHECK_INT(cs_attrs_parse(&a, "A=1\0B=2", 7, err, sizeof(err)), 0);
	CHECK_INT(a.n, 1);
	cs_attrs_free(&a);
	CHECK_INT(cs_attrs_parse(&a, "A={1\0}", 6, err, sizeof(err)), -1);

	/* err may be absent or tiny */
	CHECK_INT(cs_attrs_parse(&a, "A", 1, NULL, 0), -1);
	err[0] = 'x';
	err[1] = 'y';
	CHECK_INT(cs_attrs_parse(&a, "A", 1, err, 1), -1);
	CHECK(err[0] == '\0' && err[1] == 'y');
}

/* No error message may quote the input: it could be a password. */
static void test_errors_hide_values(void)
{
	static const char *bad[] = {
		"PWD=S3cr3t;S3cr3t",
		"PWD=S3cr3t;S3cr3t;UID=u",
		"PWD={S3cr3t",
		"PWD={S3cr3t}S3cr3t",
		"PWD={S3cr3t}}",
		"PWD={S3cr3t}};S3cr3t",
		"PWD={S3cr3t} {S3cr3t}",
		"S3cr3t",
		"=S3cr3t",
		"UID=x;  S3cr3t  ",
	};
	struct cs_attrs a;
	size_t i;

	cs_attrs_init(&a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(PARSE(&a, bad[i]), -1);
		if (!CHECK(strstr(err, "S3cr3t") == NULL))
			fprintf(stderr, "    message: %s\n", err);
		CHECK(err[0] != '\0');
	}
	cs_attrs_free(&a);
}

static void test_get_set_remove(void)
{
	struct cs_attrs a;

	cs_attrs_init(&a);
	CHECK(cs_attrs_get(&a, "A") == NULL);
	CHECK_INT(PARSE(&a, "DSN=d;PamUrl=https://pam;PWD=p"), 0);
	CHECK_STR(cs_attrs_get(&a, "dsn"), "d");
	CHECK_STR(cs_attrs_get(&a, "DSN"), "d");
	CHECK_STR(cs_attrs_get(&a, "PAMURL"), "https://pam");
	CHECK_STR(cs_attrs_get(&a, "pamurl"), "https://pam");
	CHECK(cs_attrs_get(&a, "PamUr") == NULL);
	CHECK(cs_attrs_get(&a, "PamUrlx") == NULL);
	CHECK(cs_attrs_get(&a, "") == NULL);
	CHECK(cs_attrs_get(&a, NULL) == NULL);

	/* replacing keeps position and the first spelling */
	CHECK_INT(cs_attrs_set(&a, "pamURL", "https://other"), 0);
	CHECK_INT(a.n, 3);
	CHECK_STR(a.v[1].key, "PamUrl");
	CHECK_STR(a.v[1].value, "https://other");
	CHECK_INT(cs_attrs_set(&a, "New", ""), 0);
	CHECK_INT(a.n, 4);
	CHECK_STR(a.v[3].key, "New");
	CHECK_STR(a.v[3].value, "");
	CHECK_INT(cs_attrs_set(&a, "X", NULL), -1);
	CHECK_INT(cs_attrs_set(&a, NULL, "x"), -1);
	CHECK_INT(a.n, 4);

	cs_attrs_remove(&a, "pamurl");
	CHECK_INT(a.n, 3);
	CHECK_STR(a.v[0].key, "DSN");
	CHECK_STR(a.v[1].key, "PWD");
	CHECK_STR(a.v[2].key, "New");
	cs_attrs_remove(&a, "missing");
	cs_attrs_remove(&a, NULL);
	CHECK_INT(a.n, 3);
	cs_attrs_remove(&a, "new");
	cs_attrs_remove(&a, "dsn");
	CHECK_INT(a.n, 1);
	CHECK_STR(a.v[0].key, "PWD");
	cs_attrs_remove(&a, "PWD");
	CHECK_INT(a.n, 0);
	CHECK_INT(cs_attrs_set(&a, "A", "1"), 0);
	CHECK_STR(cs_attrs_get(&a, "a"), "1");
	cs_attrs_free(&a);
	cs_attrs_free(&a);	/* freeing twice is harmless */
	CHECK_INT(a.n, 0);
}

static void test_merge_missing(void)
{
	struct cs_attrs dst, src;

	cs_attrs_init(&dst);
	cs_attrs_init(&src);
	CHECK_INT(PARSE(&dst, "A=1;B=2"), 0);
	CHECK_INT(PARSE(&src, "b=20;C=3;a=10;D={x;y}"), 0);
	CHECK_INT(cs_attrs_merge_missing(&dst, &src), 0);
	CHECK_INT(dst.n, 4);
	CHECK_STR(dst.v[0].value, "1");
	CHECK_STR(dst.v[1].value, "2");
	CHECK_STR(dst.v[2].key, "C");
	CHECK_STR(dst.v[3].value, "x;y");
	CHECK_INT(src.n, 4);

	/* again: nothing is missing any more */
	CHECK_INT(cs_attrs_merge_missing(&dst, &src), 0);
	CHECK_INT(dst.n, 4);
	cs_attrs_free(&dst);

	/* into an empty set: a copy */
	CHECK_INT(cs_attrs_merge_missing(&dst, &src), 0);
	CHECK(attrs_equal(&dst, &src));
	CHECK(dst.v[0].value != src.v[0].value);
	cs_attrs_free(&src);
	CHECK_INT(cs_attrs_merge_missing(&dst, &src), 0);
	CHECK_INT(dst.n, 4);
	cs_attrs_free(&dst);
}

static void test_needs_braces(void)
{
	static const struct {
		const char *v;
		int want;
	} cases[] = {
		{ "", 0 }, { "abc", 0 }, { "a b", 0 }, { "\"q\"", 0 },
		{ "p\xc3\xa4ss", 0 }, { "a'b", 0 },
		{ "a;b", 1 }, { "{", 1 }, { "}", 1 }, { "a=b", 1 },
		{ " a", 1 }, { "a ", 1 }, { "\ta", 1 }, { "a\n", 1 },
		{ " ", 1 }, { "x{", 1 }, { "x}y", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!CHECK_INT(cs_connstr_needs_braces(cases[i].v), cases[i].want))
			fprintf(stderr, "    value: \"%s\"\n", cases[i].v);
	CHECK_INT(cs_connstr_needs_braces(NULL), 0);
}

static int skip_secret(const char *key, void *ctx)
{
	(*(int *)ctx)++;
	return strcmp(key, "PWD") == 0;
}

static void check_build(const struct cs_attrs *a, const char *want)
{
	char *s = cs_attrs_build(a, NULL, NULL);

	CHECK_STR(s, want);
	free(s);
}

static void test_build(void)
{
	struct cs_attrs a;
	char key[CS_KEY_MAX + 2];
	char *s;
	int calls = 0;

	cs_attrs_init(&a);
	check_build(&a, "");
	cs_attrs_set(&a, "DSN", "d");
	cs_attrs_set(&a, "PWD", "a;b");
	cs_attrs_set(&a, "E", "");
	cs_attrs_set(&a, "R", "}");
	cs_attrs_set(&a, "S", " x ");
	cs_attrs_set(&a, "Q", "{a}}");
	check_build(&a, "DSN=d;PWD={a;b};E=;R={}}};S={ x };Q={{a}}}}}");

	s = cs_attrs_build(&a, skip_secret, &calls);
	CHECK_STR(s, "DSN=d;E=;R={}}};S={ x };Q={{a}}}}}");
	CHECK_INT(calls, 6);	/* asked once per pair */
	free(s);

	/* keys that cannot be written back are left out */
	cs_attrs_free(&a);
	cs_attrs_set(&a, "A", "1");
	cs_attrs_set(&a, "", "empty");
	cs_attrs_set(&a, "k=v", "x");
	cs_attrs_set(&a, "k;v", "x");
	cs_attrs_set(&a, "{k", "x");
	cs_attrs_set(&a, "k}", "x");
	cs_attrs_set(&a, " k", "x");
	cs_attrs_set(&a, "k\t", "x");
	memset(key, 'k', CS_KEY_MAX + 1);
	key[CS_KEY_MAX + 1] = '\0';
	cs_attrs_set(&a, key, "x");
	cs_attrs_set(&a, "B b", "2");
	CHECK_INT(a.n, 10);
	check_build(&a, "A=1;B b=2");
	key[CS_KEY_MAX] = '\0';
	cs_attrs_remove(&a, "A");
	cs_attrs_remove(&a, "B b");
	cs_attrs_set(&a, key, "x");
	s = cs_attrs_build(&a, NULL, NULL);
	CHECK(s != NULL && strlen(s) == CS_KEY_MAX + 2);
	free(s);
	cs_attrs_free(&a);
}

/* Values that would break a naive builder. */
static const char *hostile[] = {
	"", " ", "  ", "\t", ";", ";;", "{", "}", "}}", "{}", "{{}}", "=",
	"==", "a=b", "a;b=c", " lead", "trail ", " both ", "\ttab\t",
	"\"double\"", "'single'", "\"a;b\"", "{a}", "{a}}", "}}}", "}a{",
	"x}", "x{", "p\xc3\xa4ss w\xc3\xb6rd", "\xe2\x82\xac;\xf0\x9f\x94\x91",
	"\xff\xfe", "a\nb", "\r\n", "DSN=evil;Driver=/tmp/x.so",
	"}; Driver={/tmp/evil.so", "S3cr3t}};UID={x", "\\", "\\;",
};

static void test_round_trip_hostile(void)
{
	struct cs_attrs a, b;
	size_t i, j;
	char *s, *s2;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		cs_attrs_init(&a);
		cs_attrs_init(&b);
		cs_attrs_set(&a, "UID", "u");
		cs_attrs_set(&a, "PWD", hostile[i]);
		j = (i + 1) % (sizeof(hostile) / sizeof(hostile[0]));
		cs_attrs_set(&a, "Other Key", hostile[j]);
		s = cs_attrs_build(&a, NULL, NULL);
		if (!CHECK(s != NULL))
			continue;
		if (!CHECK_INT(PARSE(&b, s), 0))
			fprintf(stderr, "    built: %s (%s)\n", s, err);
		if (!CHECK(attrs_equal(&a, &b)))
			fprintf(stderr, "    value: \"%s\" built: %s\n", hostile[i], s);
		/* the value cannot smuggle in another key */
		CHECK_INT(b.n, 3);
		s2 = cs_attrs_build(&b, NULL, NULL);
		CHECK_STR(s2, s);
		free(s2);
		free(s);
		cs_attrs_free(&a);
		cs_attrs_free(&b);
	}
}

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static unsigned rng(unsigned bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % bound);
}

static void random_text(char *buf, size_t max, const char *alphabet,
			size_t alen)
{
	size_t n = rng((unsigned)max), i;

	for (i = 0; i < n; i++)
		buf[i] = alphabet[rng((unsigned)alen)];
	buf[n] = '\0';
}

/* parse(build(x)) == x for generated sets of hostile keys and values. */
static void test_round_trip_random(void)
{
	static const char kchars[] = "abcXYZ_09 .-\"'\\\xc3\xa4";
	static const char vchars[] = "aZ9 \t;{}=\"'\\,.\xc3\xa4\xe2\x82\xac\r\n";
	struct cs_attrs a, b;
	char key[16], val[40], *s, *s2;
	int iter, i, bad = 0;

	for (iter = 0; iter < 3000; iter++) {
		int npairs = (int)rng(9);

		cs_attrs_init(&a);
		cs_attrs_init(&b);
		for (i = 0; i < npairs; i++) {
			size_t kl;

			random_text(key, sizeof(key) - 1, kchars, sizeof(kchars) - 1);
			kl = strlen(key);
			/* writable keys only: no blank at either end, not empty */
			while (kl > 0 && key[kl - 1] == ' ')
				key[--kl] = '\0';
			if (kl == 0 || key[0] == ' ' || cs_attrs_get(&a, key))
				continue;
			random_text(val, sizeof(val) - 1, vchars, sizeof(vchars) - 1);
			cs_attrs_set(&a, key, val);
		}
		s = cs_attrs_build(&a, NULL, NULL);
		if (s == NULL || cs_attrs_parse(&b, s, strlen(s), err, sizeof(err)) ||
		    !attrs_equal(&a, &b)) {
			if (bad++ < 5)
				fprintf(stderr, "    round trip failed: %s\n", s ? s : "(null)");
		} else {
			s2 = cs_attrs_build(&b, NULL, NULL);
			if (!s2 || strcmp(s, s2) != 0)
				bad++;
			free(s2);
		}
		free(s);
		cs_attrs_free(&a);
		cs_attrs_free(&b);
	}
	CHECK_INT(bad, 0);
}

/*
 * Random strings over the connection-string alphabet: either an error,
 * or a set that builds and parses back to itself (a small built-in fuzz).
 */
static void test_random_strings(void)
{
	static const char chars[] = "ab =;{} \t";
	struct cs_attrs a, b;
	char in[48], *s;
	int iter, bad = 0, parsed = 0;

	for (iter = 0; iter < 20000; iter++) {
		random_text(in, sizeof(in) - 1, chars, sizeof(chars) - 1);
		cs_attrs_init(&a);
		cs_attrs_init(&b);
		if (PARSE(&a, in) == 0) {
			size_t i;
			int braced_key = 0;

			parsed++;
			for (i = 0; i < a.n; i++)
				braced_key |= strpbrk(a.v[i].key, "{}") != NULL;
			s = cs_attrs_build(&a, NULL, NULL);
			if (!s || PARSE(&b, s) != 0 ||
			    (!braced_key && !attrs_equal(&a, &b))) {
				if (bad++ < 5)
					fprintf(stderr, "    input \"%s\" built \"%s\"\n",
						in, s ? s : "(null)");
			}
			free(s);
		} else if (a.n != 0 || err[0] == '\0') {
			bad++;
		}
		cs_attrs_free(&a);
		cs_attrs_free(&b);
	}
	CHECK_INT(bad, 0);
	CHECK(parsed > 1000);
}

/* Many distinct keys, or one key many times: linear, not quadratic. */
static void test_many_keys(void)
{
	struct cs_attrs a;
	char *s = malloc(CS_CONNSTR_MAX + 1), last[16];
	size_t len = 0;
	unsigned i;

	if (!CHECK(s != NULL))
		return;
	for (i = 0; len + 16 < CS_CONNSTR_MAX; i++)
		len += (size_t)snprintf(s + len, CS_CONNSTR_MAX + 1 - len, "%x=;", i);
	cs_attrs_init(&a);
	CHECK_INT(cs_attrs_parse(&a, s, len, err, sizeof(err)), 0);
	CHECK_INT(a.n, i);
	CHECK_STR(cs_attrs_get(&a, "0"), "");
	snprintf(last, sizeof(last), "%x", i - 1);
	CHECK_STR(a.v[a.n - 1].key, last);
	cs_attrs_free(&a);

	for (len = 0; len + 4 < CS_CONNSTR_MAX; len += 4)
		memcpy(s + len, (len / 4) % 2 ? "a=1;" : "A=2;", 4);
	CHECK_INT(cs_attrs_parse(&a, s, len, err, sizeof(err)), 0);
	CHECK_INT(a.n, 1);
	cs_attrs_free(&a);
	free(s);
}

/* Every occurrence kept, in order, for the target; get() answers the first. */
static void test_parse_all(void)
{
	struct cs_attrs a, b;

	cs_attrs_init(&a);
	cs_attrs_init(&b);
	CHECK_INT(cs_attrs_parse_all(&a, "DSN=x;PORT=3310;uid=u;PoRt=13330;Port={1;2}", 44, err,
				     sizeof(err)), 0);
	CHECK_INT(a.n, 5);
	CHECK_STR(a.v[1].key, "PORT");
	CHECK_STR(a.v[3].key, "PoRt");
	CHECK_STR(a.v[3].value, "13330");
	CHECK_STR(a.v[4].value, "1;2");
	CHECK_STR(cs_attrs_get(&a, "port"), "3310");
	/* appended as they are, duplicates included */
	CHECK_INT(cs_attrs_append(&b, &a), 0);
	CHECK(attrs_equal(&a, &b));
	CHECK_INT(cs_attrs_add(&b, "dsn", "y"), 0);
	CHECK_INT(b.n, 6);
	CHECK_STR(cs_attrs_get(&b, "DSN"), "x");
	cs_attrs_free(&a);
	cs_attrs_free(&b);
	/* a value the application braced stays braced (psqlODBC
	 * percent-decodes unbraced values), so do values added braced */
	CHECK_INT(cs_attrs_parse_all(&a, "A={x+y};B=x+y", 13, err, sizeof(err)), 0);
	CHECK_INT(cs_attrs_add_braced(&a, "PWD", "p%41"), 0);
	CHECK_INT(cs_attrs_append(&b, &a), 0);
	{
		char *out = cs_attrs_build(&b, NULL, NULL);

		if (CHECK(out != NULL))
			CHECK_STR(out, "A={x+y};B=x+y;PWD={p%41}");
		free(out);
	}
	cs_attrs_free(&a);
	cs_attrs_free(&b);
	/* an error leaves nothing behind, as for the first-wins parse */
	CHECK_INT(cs_attrs_parse_all(&a, "A=1;A=2;B", 9, err, sizeof(err)), -1);
	CHECK_INT(a.n, 0);
}

static int drop_listed(const char *key, void *ctx)
{
	const char *const *list = ctx;

	for (; *list; list++)
		if (cs_connstr_key_eq(*list, key))
			return 1;
	return 0;
}

/* Dropping segments keeps every other byte: spelling, braces, blanks, ';'. */
static void test_filter(void)
{
	static const char *const drop[] = { "DSN", "Driver", "pwd", NULL };
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "DSN=x;UID=u;PWD={a;b}}};Port=1;", "UID=u;Port=1;" },
		{ "DSN=x;UID=u;PWD=p", "UID=u" },
		{ "Driver={PostgreSQL Unicode};DATABASE=d; SERVER = h ;PWD=p", "DATABASE=d; SERVER = h " },
		{ "A=1;;B={x};", "A=1;;B={x};" },
		{ "DSN=x", "" },
		{ "", "" },
		{ "A=1;dsn=x;PwD=y;B=2", "A=1;B=2" },
		/* what does not parse ends the copy */
		{ "A=1;B;PWD=p", "A=1" },
		{ "A=1;B={x", "A=1" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = cs_connstr_filter(cases[i].in, drop_listed, (void *)drop);

		if (CHECK(out != NULL))
			CHECK_STR(out, cases[i].out);
		free(out);
	}
	CHECK(cs_connstr_key_eq("PamInsecure", "PAMINSECURE"));
	CHECK(!cs_connstr_key_eq("PamInsecure", "PamInsecur"));
	CHECK(!cs_connstr_key_eq("Pam", "PamInsecure"));
}

/* The login keys of every known driver family, and nothing else. */
static void test_logins(void)
{
	CHECK_INT(cs_login_key("UID"), CS_LOGIN_USER);
	CHECK_INT(cs_login_key("uid"), CS_LOGIN_USER);
	CHECK_INT(cs_login_key("USER"), CS_LOGIN_USER);
	CHECK_INT(cs_login_key("Username"), CS_LOGIN_USER);
	CHECK_INT(cs_login_key("User ID"), CS_LOGIN_USER);
	CHECK_INT(cs_login_key("PWD"), CS_LOGIN_PASSWORD);
	CHECK_INT(cs_login_key("password"), CS_LOGIN_PASSWORD);
	CHECK_INT(cs_login_key("Passwd"), CS_LOGIN_PASSWORD);
	CHECK_INT(cs_login_key("Port"), CS_LOGIN_NONE);
	CHECK_INT(cs_login_key("Users"), CS_LOGIN_NONE);
	CHECK_INT(cs_login_key("PamToken"), CS_LOGIN_NONE);
	CHECK_INT(cs_login_key(""), CS_LOGIN_NONE);
}

/* The login credshim gives a target: PWD always braced, UID only where
 * it must be (tests/fuzz/fuzz_login.c checks any values). */
static void test_add_login(void)
{
	static const struct {
		const char *account, *passwd, *want;
	} cases[] = {
		{ "cs_app1", "Abc+def", "UID=cs_app1;PWD={Abc+def}" },
		{ "cs_app1", "Abc%41def", "UID=cs_app1;PWD={Abc%41def}" },
		{ "cs_app1", "", "UID=cs_app1;PWD={}" },
		{ "a+b%41", " x}y ", "UID=a+b%41;PWD={ x}}y }" },
		{ "a;b", "p", "UID={a;b};PWD={p}" },
		{ " u ", "p", "UID={ u };PWD={p}" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cs_attrs a;
		char *s;

		cs_attrs_init(&a);
		CHECK_INT(cs_attrs_add_login(&a, "UID", cases[i].account, "PWD", cases[i].passwd), 0);
		s = cs_attrs_build(&a, NULL, NULL);
		CHECK_STR(s, cases[i].want);
		free(s);
		cs_attrs_free(&a);
	}
}

int main(void)
{
	test_add_login();
	test_parse_all();
	test_filter();
	test_logins();
	test_parse_basic();
	test_parse_braces();
	test_first_wins();
	test_parse_errors();
	test_errors_hide_values();
	test_get_set_remove();
	test_merge_missing();
	test_needs_braces();
	test_build();
	test_round_trip_hostile();
	test_round_trip_random();
	test_random_strings();
	test_many_keys();
	return check_done("test_connstr");
}
