/* SPDX-License-Identifier: MIT */
/*
 * fuzz_connstr.c - the connection-string parser against any input.
 *
 * Parses the input; when it is accepted, checks what the set may hold,
 * builds it, re-parses the build output and requires the same set back
 * (minus the keys the builder cannot write), and requires the build to
 * be canonical: building the re-parsed set gives the same string.  A
 * rejected input must leave the set empty with a message.  Any breach
 * abort()s so libFuzzer (or the corpus replay) reports it.
 */
#include "util/connstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* What the builder can write back: keys without braces (see connstr.c). */
static int fz_writable(const char *key)
{
	return strpbrk(key, "{}") == NULL;
}

/* Every key the parser produced is trimmed, bounded and unique. */
static void fz_check_set(const struct cs_attrs *a)
{
	size_t i, klen;

	for (i = 0; i < a->n; i++) {
		const char *k = a->v[i].key, *v = a->v[i].value;

		klen = strlen(k);
		if (klen == 0 || klen > CS_KEY_MAX || strpbrk(k, "=;") ||
		    fz_blank(k[0]) || fz_blank(k[klen - 1]))
			abort();
		/* the first pair with this key (in any case) is this one */
		if (cs_attrs_get(a, k) != v)
			abort();
	}
}

/* b must hold exactly the writable pairs of a, in order. */
static void fz_check_same(const struct cs_attrs *a, const struct cs_attrs *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		if (!fz_writable(a->v[i].key))
			continue;
		if (j >= b->n || strcmp(a->v[i].key, b->v[j].key) != 0 ||
		    strcmp(a->v[i].value, b->v[j].value) != 0)
			abort();
		j++;
	}
	if (j != b->n)
		abort();
}

static int fz_skip_odd(const char *key, void *ctx)
{
	return (int)((*(size_t *)ctx)++ & 1);
}

/* Merging into an empty set copies; a skipping build drops pairs only. */
static void fz_check_merge_skip(const struct cs_attrs *a)
{
	struct cs_attrs c, d;
	size_t calls = 0;
	char err[128], *s;

	cs_attrs_init(&c);
	cs_attrs_init(&d);
	if (cs_attrs_merge_missing(&c, a) != 0 || c.n != a->n)
		abort();
	if (cs_attrs_merge_missing(&c, a) != 0 || c.n != a->n)
		abort();
	s = cs_attrs_build(&c, fz_skip_odd, &calls);
	if (!s)
		abort();
	if (strlen(s) <= CS_CONNSTR_MAX &&
	    cs_attrs_parse(&d, s, strlen(s), err, sizeof(err)) != 0)
		abort();
	if (d.n > c.n)
		abort();
	free(s);
	cs_attrs_free(&d);
	cs_attrs_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_attrs a, b;
	char err[128], *s, *s2;
	size_t slen;

	cs_attrs_init(&a);
	cs_attrs_init(&b);
	err[0] = 'x';
	if (cs_attrs_parse(&a, (const char *)data, size, err, sizeof(err)) != 0) {
		if (a.n != 0 || err[0] == '\0' || !memchr(err, '\0', sizeof(err)))
			abort();
		cs_attrs_free(&a);
		return 0;
	}
	if (err[0] != '\0')
		abort();
	fz_check_set(&a);

	s = cs_attrs_build(&a, NULL, NULL);
	if (!s)
		abort();
	slen = strlen(s);
	/* braces and "}}" can make the build longer than the input */
	if (slen <= CS_CONNSTR_MAX) {
		if (cs_attrs_parse(&b, s, slen, err, sizeof(err)) != 0)
			abort();
		fz_check_same(&a, &b);
		s2 = cs_attrs_build(&b, NULL, NULL);
		if (!s2 || strcmp(s, s2) != 0)
			abort();
		free(s2);
	}
	fz_check_merge_skip(&a);

	free(s);
	cs_attrs_free(&b);
	cs_attrs_free(&a);
	return 0;
}
