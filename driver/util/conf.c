/* SPDX-License-Identifier: MIT */
/*
 * conf.c - the table of configuration keys credshim owns, generated from
 * keys.def, and the parsers for its typed values (pure, no I/O).
 *
 * Names compare case-insensitively in ASCII only, so a lookup does not
 * depend on the application's locale (in a Turkish locale "PAMINSECURE"
 * must still find "PamInsecure").
 */
#include "util/conf.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/ascii.h"
#include "util/connstr.h"

const struct cs_key cs_keys[CS_K__COUNT] = {
#define CS_KEY(id, name, def, flags, help) \
	[CS_K_##id] = { name, def, flags, help },
#include "util/keys.def"
#undef CS_KEY
};

const struct cs_key *cs_conf_find(const char *name)
{
	size_t i, len;

	if (!name)
		return NULL;
	len = strlen(name);
	for (i = 0; i < CS_K__COUNT; i++)
		if (cs_ascii_eqn(cs_keys[i].name, name, len))
			return &cs_keys[i];
	return NULL;
}

/* Narrows v to the text between its surrounding blanks: [*b, *e). */
static void cs_conf_trim(const char *v, const char **b, const char **e)
{
	const char *end = v + strlen(v);

	while (v < end && cs_ascii_blank(*v))
		v++;
	while (end > v && cs_ascii_blank(end[-1]))
		end--;
	*b = v;
	*e = end;
}

/*
 * The spellings a boolean key accepts, as a table rather than a chain of
 * comparisons.  Surrounding blanks are ignored, as for cs_conf_uint.
 */
static const struct {
	const char *word;
	int value;
} cs_bool_words[] = {
	{ "1", 1 }, { "yes", 1 }, { "true", 1 }, { "on", 1 },
	{ "0", 0 }, { "no", 0 }, { "false", 0 }, { "off", 0 },
};

int cs_conf_bool(const char *v)
{
	const char *b, *e;
	size_t i;

	if (!v)
		return -1;
	cs_conf_trim(v, &b, &e);
	for (i = 0; i < sizeof(cs_bool_words) / sizeof(cs_bool_words[0]); i++)
		if (cs_ascii_eqn(cs_bool_words[i].word, b, (size_t)(e - b)))
			return cs_bool_words[i].value;
	return -1;
}

/*
 * Decimal digits only, optionally between blanks: no sign (strtoul would
 * take "-1" as ULONG_MAX), no "0x", no empty string.  *out is written
 * only on success.
 */
int cs_conf_uint(const char *v, unsigned long max, unsigned long *out)
{
	const char *b, *e;
	unsigned long n = 0, d;

	if (!v)
		return -1;
	cs_conf_trim(v, &b, &e);
	if (b == e)
		return -1;
	for (; b < e; b++) {
		if (*b < '0' || *b > '9')
			return -1;
		d = (unsigned long)(*b - '0');
		if (n > (ULONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

static const char *const cs_conf_namespaces[] = { "Pam", "Shim", "Target" };

int cs_conf_in_namespace(const char *name)
{
	size_t i, j, len;

	if (!name)
		return 0;
	for (i = 0; i < sizeof(cs_conf_namespaces) / sizeof(cs_conf_namespaces[0]); i++) {
		len = strlen(cs_conf_namespaces[i]);
		for (j = 0; j < len; j++)
			if (cs_ascii_lower((unsigned char)name[j]) !=
			    cs_ascii_lower((unsigned char)cs_conf_namespaces[i][j]))
				break;
		if (j == len)
			return 1;
	}
	return 0;
}

static unsigned cs_conf_min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Optimal string alignment distance over three rows of the dynamic
 * programming table: insertions, deletions, substitutions and swaps of
 * two neighbours ("PamRunHots") each cost 1.
 */
unsigned cs_conf_distance(const char *a, const char *b)
{
	unsigned rows[3][CS_CONF_NAME_MAX + 1];
	unsigned *pp = rows[0], *p = rows[1], *c = rows[2], *t;
	size_t la, lb, i, j;

	if (!a || !b)
		return CS_CONF_FAR;
	la = strlen(a);
	lb = strlen(b);
	if (la > CS_CONF_NAME_MAX || lb > CS_CONF_NAME_MAX)
		return CS_CONF_FAR;
	for (j = 0; j <= lb; j++)
		p[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned char ai = cs_ascii_lower((unsigned char)a[i - 1]);

		c[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned char bj = cs_ascii_lower((unsigned char)b[j - 1]);
			unsigned cost = ai != bj;

			c[j] = cs_conf_min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && ai == cs_ascii_lower((unsigned char)b[j - 2]) &&
			    cs_ascii_lower((unsigned char)a[i - 2]) == bj && pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

/* The nearest row to name, among the namespaced ones only when ns_only. */
static const struct cs_key *cs_conf_nearest_in(const char *name, int ns_only)
{
	const struct cs_key *best = NULL;
	unsigned d, bestd = 0;
	size_t i;

	for (i = 0; i < CS_K__COUNT; i++) {
		if (ns_only && !cs_conf_in_namespace(cs_keys[i].name))
			continue;
		d = cs_conf_distance(name, cs_keys[i].name);
		if (!best || d < bestd) {
			bestd = d;
			best = &cs_keys[i];
		}
	}
	return best;
}

const struct cs_key *cs_conf_nearest(const char *name)
{
	return cs_conf_nearest_in(name, 0);
}

/* A misspelt Pam*, Shim* or Target* key is one of those: "Pam" suggests
 * PamUrl, not PWD. */
const struct cs_key *cs_conf_unknown(const char *name)
{
	if (!cs_conf_in_namespace(name) || cs_conf_find(name))
		return NULL;
	return cs_conf_nearest_in(name, 1);
}

int cs_conf_check_keys(const struct cs_attrs *a, char *msg, size_t msglen)
{
	const struct cs_key *near;
	size_t i;

	for (i = 0; i < a->n; i++) {
		near = cs_conf_unknown(a->v[i].key);
		if (near) {
			snprintf(msg, msglen, "unknown key %s; did you mean %s?", a->v[i].key,
				 near->name);
			return 1;
		}
	}
	return 0;
}
