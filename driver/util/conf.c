/* SPDX-License-Identifier: MIT */
/*
 * conf.c - the table of configuration keys credshim owns, generated from
 * keys.def, and the parsers for its typed values (pure, no I/O).
 *
 * Names compare case-insensitively in ASCII only, so a lookup does not
 * depend on the application's locale (in a Turkish locale "PAMINSECURE"
 * must still find "PamInsecure").
 */
#include "conf.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

const struct cs_key cs_keys[CS_K__COUNT] = {
#define CS_KEY(id, name, def, flags, help) \
	[CS_K_##id] = { name, def, flags, help },
#include "keys.def"
#undef CS_KEY
};

/* Blanks allowed around a typed value. */
static int cs_conf_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static unsigned char cs_conf_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality of NUL-terminated a and b[0..blen). */
static int cs_conf_eqn(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++) {
		if (a[i] == '\0' ||
		    cs_conf_lower((unsigned char)a[i]) !=
		    cs_conf_lower((unsigned char)b[i]))
			return 0;
	}
	return a[blen] == '\0';
}

const struct cs_key *cs_conf_find(const char *name)
{
	size_t i, len;

	if (!name)
		return NULL;
	len = strlen(name);
	for (i = 0; i < CS_K__COUNT; i++)
		if (cs_conf_eqn(cs_keys[i].name, name, len))
			return &cs_keys[i];
	return NULL;
}

/* Narrows v to the text between its surrounding blanks: [*b, *e). */
static void cs_conf_trim(const char *v, const char **b, const char **e)
{
	const char *end = v + strlen(v);

	while (v < end && cs_conf_blank(*v))
		v++;
	while (end > v && cs_conf_blank(end[-1]))
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
		if (cs_conf_eqn(cs_bool_words[i].word, b, (size_t)(e - b)))
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
