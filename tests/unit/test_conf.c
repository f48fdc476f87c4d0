/* SPDX-License-Identifier: MIT */
/*
 * test_conf.c - the key table (keys.def) and its value parsers.
 */
#include "check.h"
#include "conf.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every row is complete, names are unique, typed defaults parse. */
static void test_table(void)
{
	size_t i, j;
	int bad = 0;

	CHECK(CS_K__COUNT > 0);
	for (i = 0; i < CS_K__COUNT; i++) {
		const struct cs_key *k = &cs_keys[i];
		unsigned long u;

		if (!k->name || !k->def || !k->help || k->name[0] == '\0' ||
		    k->help[0] == '\0') {
			fprintf(stderr, "    row %zu incomplete\n", i);
			bad++;
			continue;
		}
		if (cs_conf_find(k->name) != k)
			bad++;
		for (j = 0; j < i; j++)
			if (cs_conf_find(cs_keys[j].name) == k)
				bad++;
		if (strpbrk(k->name, "=;{} \t") != NULL)
			bad++;	/* must be writable in a connection string */
		if ((k->flags & CS_KF_BOOL) && cs_conf_bool(k->def) < 0)
			bad++;
		if ((k->flags & CS_KF_UINT) && cs_conf_uint(k->def, ULONG_MAX, &u))
			bad++;
		if ((k->flags & CS_KF_BOOL) && (k->flags & CS_KF_UINT))
			bad++;
		if (k->flags & ~(CS_KF_SECRET | CS_KF_PAM | CS_KF_BOOL | CS_KF_UINT))
			bad++;
	}
	CHECK_INT(bad, 0);

	/* the rows the rest of the driver relies on */
	CHECK_STR(cs_keys[CS_K_PWD].name, "PWD");
	CHECK(cs_keys[CS_K_PWD].flags & CS_KF_SECRET);
	CHECK(cs_keys[CS_K_PAMTOKEN].flags & CS_KF_SECRET);
	CHECK(cs_keys[CS_K_PAMTOKEN].flags & CS_KF_PAM);
	CHECK(!(cs_keys[CS_K_UID].flags & CS_KF_SECRET));
	CHECK(!(cs_keys[CS_K_PAMURL].flags & CS_KF_SECRET));
	CHECK(cs_keys[CS_K_PAMINSECURE].flags & CS_KF_BOOL);
	CHECK_STR(cs_keys[CS_K_PAMINSECURE].def, "0");
	CHECK(cs_keys[CS_K_PAMTIMEOUT].flags & CS_KF_UINT);
	CHECK_STR(cs_keys[CS_K_PAMDURATION].def, "60");
	CHECK_STR(cs_keys[CS_K_SHIMLOGLEVEL].def, "warn");
}

static void test_find(void)
{
	CHECK(cs_conf_find("PamUrl") == &cs_keys[CS_K_PAMURL]);
	CHECK(cs_conf_find("pamurl") == &cs_keys[CS_K_PAMURL]);
	CHECK(cs_conf_find("PAMURL") == &cs_keys[CS_K_PAMURL]);
	CHECK(cs_conf_find("pAmUrL") == &cs_keys[CS_K_PAMURL]);
	CHECK(cs_conf_find("pwd") == &cs_keys[CS_K_PWD]);
	CHECK(cs_conf_find("targetdriver") == &cs_keys[CS_K_TARGETDRIVER]);
	CHECK(cs_conf_find("PAMINSECURE") == &cs_keys[CS_K_PAMINSECURE]);
	CHECK(cs_conf_find("Database") == NULL);	/* the target's key */
	CHECK(cs_conf_find("PamUr") == NULL);
	CHECK(cs_conf_find("PamUrl ") == NULL);
	CHECK(cs_conf_find(" PamUrl") == NULL);
	CHECK(cs_conf_find("PamUrlx") == NULL);
	CHECK(cs_conf_find("") == NULL);
	CHECK(cs_conf_find(NULL) == NULL);
	/* ASCII folding only: a dotless or dotted I is not an I */
	CHECK(cs_conf_find("PAM\xc4\xb1NSECURE") == NULL);
	CHECK(cs_conf_find("PWD\xc2\xa0") == NULL);
}

static void test_bool(void)
{
	static const struct {
		const char *v;
		int want;
	} cases[] = {
		{ "1", 1 }, { "0", 0 }, { "yes", 1 }, { "no", 0 },
		{ "true", 1 }, { "false", 0 }, { "on", 1 }, { "off", 0 },
		{ "YES", 1 }, { "No", 0 }, { "TRUE", 1 }, { "fAlSe", 0 },
		{ "ON", 1 }, { "Off", 0 }, { " 1 ", 1 }, { "\tyes\n", 1 },
		{ "", -1 }, { " ", -1 }, { "2", -1 }, { "01", -1 }, { "10", -1 },
		{ "-1", -1 }, { "+1", -1 }, { "y", -1 }, { "n", -1 },
		{ "t", -1 }, { "f", -1 }, { "yess", -1 }, { "ye", -1 },
		{ "o", -1 }, { "onn", -1 }, { "of", -1 }, { "1 1", -1 },
		{ "true1", -1 }, { "enable", -1 }, { "1\xc2\xa0", -1 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		if (!CHECK_INT(cs_conf_bool(cases[i].v), cases[i].want))
			fprintf(stderr, "    value: \"%s\"\n", cases[i].v);
	CHECK_INT(cs_conf_bool(NULL), -1);
}

static void test_uint(void)
{
	static const struct {
		const char *v;
		unsigned long max;
		int rc;
		unsigned long want;
	} cases[] = {
		{ "0", 10, 0, 0 },
		{ "7", 10, 0, 7 },
		{ "10", 10, 0, 10 },
		{ "11", 10, -1, 0 },
		{ "007", 10, 0, 7 },
		{ "  60  ", 1000, 0, 60 },
		{ "\t60\n", 1000, 0, 60 },
		{ "60", 0, -1, 0 },
		{ "0", 0, 0, 0 },
		{ "", 10, -1, 0 },
		{ "   ", 10, -1, 0 },
		{ "-1", ULONG_MAX, -1, 0 },
		{ "+1", ULONG_MAX, -1, 0 },
		{ "- 1", ULONG_MAX, -1, 0 },
		{ "0x10", ULONG_MAX, -1, 0 },
		{ "1e3", ULONG_MAX, -1, 0 },
		{ "1.5", ULONG_MAX, -1, 0 },
		{ "1 2", ULONG_MAX, -1, 0 },
		{ "12a", ULONG_MAX, -1, 0 },
		{ "a12", ULONG_MAX, -1, 0 },
		{ "\xd9\xa1", ULONG_MAX, -1, 0 },	/* Arabic-Indic one */
	};
	char buf[64];
	unsigned long out;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		out = 12345;
		if (!CHECK_INT(cs_conf_uint(cases[i].v, cases[i].max, &out), cases[i].rc))
			fprintf(stderr, "    value: \"%s\"\n", cases[i].v);
		CHECK_INT(out, cases[i].rc == 0 ? cases[i].want : 12345);
	}

	/* the edges of unsigned long */
	snprintf(buf, sizeof(buf), "%lu", ULONG_MAX);
	CHECK_INT(cs_conf_uint(buf, ULONG_MAX, &out), 0);
	CHECK(out == ULONG_MAX);
	CHECK_INT(cs_conf_uint(buf, ULONG_MAX - 1, &out), -1);
	snprintf(buf, sizeof(buf), "%lu0", ULONG_MAX);
	CHECK_INT(cs_conf_uint(buf, ULONG_MAX, &out), -1);
	snprintf(buf, sizeof(buf), "%lu", ULONG_MAX / 10 + 1);
	memcpy(buf + strlen(buf), "0", 2);	/* just above ULONG_MAX */
	CHECK_INT(cs_conf_uint(buf, ULONG_MAX, &out), -1);
	snprintf(buf, sizeof(buf), "%lu", ULONG_MAX);
	buf[strlen(buf) - 1]++;			/* ULONG_MAX + 1 */
	CHECK_INT(cs_conf_uint(buf, ULONG_MAX, &out), -1);
	CHECK_INT(cs_conf_uint("00000000000000000000000000000042", 100, &out), 0);
	CHECK(out == 42);
	CHECK_INT(cs_conf_uint(NULL, 10, &out), -1);
}

int main(void)
{
	test_table();
	test_find();
	test_bool();
	test_uint();
	return check_done("test_conf");
}
