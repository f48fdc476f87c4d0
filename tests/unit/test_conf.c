/* SPDX-License-Identifier: MIT */
/*
 * test_conf.c - the key table (keys.def) and its value parsers.
 */
#include "check.h"
#include "util/conf.h"
#include "util/connstr.h"

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

/* The edit distance behind the suggestions. */
static void test_distance(void)
{
	char longname[CS_CONF_NAME_MAX + 2];

	CHECK_INT(cs_conf_distance("PamUrl", "PamUrl"), 0);
	CHECK_INT(cs_conf_distance("pamurl", "PAMURL"), 0);
	CHECK_INT(cs_conf_distance("PamDuraton", "PamDuration"), 1);   /* deletion */
	CHECK_INT(cs_conf_distance("PamRunHots", "PamRunHost"), 1);    /* swap */
	CHECK_INT(cs_conf_distance("PamToken-file", "PamTokenFile"), 1);
	CHECK_INT(cs_conf_distance("PamTokan", "PamToken"), 1);        /* substitution */
	CHECK_INT(cs_conf_distance("", "abc"), 3);
	CHECK_INT(cs_conf_distance("abc", ""), 3);
	CHECK_INT(cs_conf_distance("kitten", "sitting"), 3);
	CHECK_INT(cs_conf_distance("ca", "abc"), 3);                   /* OSA, not Damerau */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(cs_conf_distance(longname, "PamUrl") == CS_CONF_FAR);
	CHECK(cs_conf_distance(NULL, "PamUrl") == CS_CONF_FAR);
	longname[CS_CONF_NAME_MAX] = '\0';
	CHECK_INT(cs_conf_distance(longname, longname), 0);
}

static int parse(struct cs_attrs *a, const char *s)
{
	char err[128];

	return cs_attrs_parse(a, s, strlen(s), err, sizeof(err));
}

/* Unknown keys in Pam*, Shim*, Target* get a suggestion; others pass. */
static void test_unknown(void)
{
	static const struct { const char *key, *near; } cases[] = {
		{ "PamDuraton", "PamDuration" },
		{ "PamRunHots", "PamRunHost" },
		{ "PamToken-file", "PamTokenFile" },
		{ "pamtokenenvironment", "PamTokenEnv" },
		{ "PAMURI", "PamUrl" },
		{ "PamCaFiles", "PamCAFile" },
		{ "ShimLogfil", "ShimLogFile" },
		{ "ShimLogLvl", "ShimLogLevel" },
		{ "TargetDrvier", "TargetDriver" },
		{ "TargetDSNs", "TargetDSN" },
		{ "Target", "TargetDSN" },
		{ "Pam", "PamUrl" },
	};
	static const char *const passing[] = {
		"PamDuration", "pamduration", "PAMRUNHOST", "ShimLogFile", "TargetDriver",
		"Servername", "Port", "Database", "SSLmode", "UID", "PWD", "Trusted_Connection",
		"Pa", "Shi", "Targe", "XPamUrl", "", "ApplicationIntent", "Encrypt",
	};
	struct cs_attrs a;
	char msg[128];
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		const struct cs_key *k = cs_conf_unknown(cases[i].key);

		if (!CHECK(k != NULL && strcmp(k->name, cases[i].near) == 0))
			fprintf(stderr, "    %s: suggested %s, want %s\n", cases[i].key,
				k ? k->name : "nothing", cases[i].near);
	}
	for (i = 0; i < NELEM(passing); i++)
		if (!CHECK(cs_conf_unknown(passing[i]) == NULL))
			fprintf(stderr, "    %s reported\n", passing[i]);
	CHECK(cs_conf_unknown(NULL) == NULL);
	CHECK(cs_conf_in_namespace("pAm"));
	CHECK(cs_conf_in_namespace("SHIMx"));
	CHECK(cs_conf_in_namespace("targetX"));
	CHECK(!cs_conf_in_namespace("Driver"));
	CHECK(!cs_conf_in_namespace(NULL));
	/* every row of the table is its own nearest key */
	for (i = 0; i < CS_K__COUNT; i++)
		CHECK(cs_conf_nearest(cs_keys[i].name) == &cs_keys[i]);

	/* over a whole key set: the first unknown one, only names in the text */
	cs_attrs_init(&a);
	CHECK_INT(parse(&a, "DSN=x;Servername=h;PamUrl=https://p;PamDuraton=480;"
			"PamRunHots=secret-value"), 0);
	CHECK_INT(cs_conf_check_keys(&a, msg, sizeof(msg)), 1);
	CHECK_STR(msg, "unknown key PamDuraton; did you mean PamDuration?");
	CHECK(strstr(msg, "480") == NULL);
	cs_attrs_free(&a);
	/* the only Pam* key, misspelled: still reported */
	CHECK_INT(parse(&a, "Driver=credshim;PamRunHots=secret-value;Port=5432"), 0);
	CHECK_INT(cs_conf_check_keys(&a, msg, sizeof(msg)), 1);
	CHECK_STR(msg, "unknown key PamRunHots; did you mean PamRunHost?");
	CHECK(strstr(msg, "secret") == NULL);
	cs_attrs_free(&a);
	CHECK_INT(parse(&a, "DSN=x;TargetDriver=PostgreSQL Unicode;Servername=h;"
			"PamUrl=https://p;pamtokenfile=/t;SSLmode=require"), 0);
	msg[0] = '\0';
	CHECK_INT(cs_conf_check_keys(&a, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	cs_attrs_free(&a);
}

int main(void)
{
	test_table();
	test_find();
	test_bool();
	test_uint();
	test_distance();
	test_unknown();
	return check_done("test_conf");
}
