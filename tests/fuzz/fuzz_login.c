/* SPDX-License-Identifier: MIT */
/*
 * fuzz_login.c - the login credshim writes into the target's connection
 * string (cs_attrs_add_login, as api/connect.c uses it in PAM mode), for
 * any account and password.
 *
 * The input is the account, a NUL, then the password (to the next NUL or
 * the end; without a NUL the whole input is the password and the account
 * is empty).  The string built from them must parse back to exactly two
 * pairs, UID and PWD, with exactly those values and no other key:
 *
 *   - by credshim's own parser (util/connstr.c), which reads it first;
 *   - by the rules psqlODBC 13 applies (fz_pg_parse below): pairs split at
 *     ';' outside braces, empty segments skipped, nothing trimmed; a value
 *     starting with '{' runs to the first '}' not part of "}}" and
 *     followed by ';' or the end, braces kept; PWD's braces then taken off
 *     and "}}" read as '}', an unbraced PWD percent-decoded; UID kept as
 *     written (its braces too).  An account that needs braces cannot reach
 *     psqlODBC at all (docs/configuration.md), so for UID that rule is
 *     checked only on accounts that need none.
 *
 * Any breach abort()s so libFuzzer (or fuzz_main.c) reports it.
 */
#include "util/connstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX 4096

struct fz_pair {
	char key[64];
	char *value;	/* malloc'ed, as psqlODBC hands it to its copy function */
};

static int fz_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* PWD as psqlODBC takes it: braces off ("}}" is '}') when the value is
 * enclosed in them, else percent-decoded ('+' is a blank). */
static void fz_pg_password(char *v)
{
	size_t n = strlen(v), i, o = 0;

	if (n >= 2 && v[0] == '{' && v[n - 1] == '}') {
		for (i = 1; i + 1 < n; i++) {
			v[o++] = v[i];
			if (v[i] == '}' && v[i + 1] == '}')
				i++;
		}
	} else {
		for (i = 0; i < n; i++) {
			if (v[i] == '+')
				v[o++] = ' ';
			else if (v[i] == '%' && i + 2 < n && fz_hex(v[i + 1]) >= 0 && fz_hex(v[i + 2]) >= 0) {
				v[o++] = (char)(fz_hex(v[i + 1]) * 16 + fz_hex(v[i + 2]));
				i += 2;
			} else {
				v[o++] = v[i];
			}
		}
	}
	v[o] = '\0';
}

/*
 * Splits s by psqlODBC's rules into at most max pairs; the number found,
 * or -1 when psqlODBC would refuse the string (an unterminated brace, or
 * text after a closing brace).
 */
static int fz_pg_parse(const char *s, struct fz_pair *out, int max)
{
	size_t len = strlen(s), p = 0;
	int n = 0;

	while (p < len) {
		size_t seg = p, eq, end, q;

		while (seg < len && s[seg] == ';')	/* empty segments */
			seg++;
		if (seg >= len)
			break;
		end = seg;
		while (end < len && s[end] != ';' && s[end] != '=')
			end++;
		if (end >= len || s[end] == ';') {	/* no '=': ignored */
			p = end;
			continue;
		}
		eq = end;
		if (s[eq + 1] == '{') {
			for (q = eq + 2;; q++) {
				if (q >= len)
					return -1;
				if (s[q] != '}')
					continue;
				if (s[q + 1] == '}') {
					q++;
					continue;
				}
				if (s[q + 1] != ';' && s[q + 1] != '\0')
					return -1;
				break;
			}
			end = q + 1;
		} else {
			end = eq + 1;
			while (end < len && s[end] != ';')
				end++;
		}
		if (n == max || eq - seg >= sizeof(out[n].key))
			return -1;
		memcpy(out[n].key, s + seg, eq - seg);
		out[n].key[eq - seg] = '\0';
		out[n].value = strndup(s + eq + 1, end - eq - 1);
		if (!out[n].value)
			abort();
		n++;
		p = end;
	}
	return n;
}

/* credshim's parser: exactly UID=account, PWD=passwd. */
static void fz_check_own(const char *s, const char *account, const char *passwd)
{
	struct cs_attrs a;
	char err[128];

	cs_attrs_init(&a);
	if (cs_attrs_parse_all(&a, s, strlen(s), err, sizeof(err)) != 0 || a.n != 2 ||
	    strcmp(a.v[0].key, "UID") != 0 || strcmp(a.v[0].value, account) != 0 ||
	    strcmp(a.v[1].key, "PWD") != 0 || strcmp(a.v[1].value, passwd) != 0)
		abort();
	cs_attrs_free(&a);
}

/* psqlODBC's rules: exactly UID and PWD, PWD exact, UID exact when it
 * needs no braces. */
static void fz_check_pg(const char *s, const char *account, const char *passwd)
{
	struct fz_pair p[3];
	int n = fz_pg_parse(s, p, 3), i;

	if (n != 2 || strcasecmp(p[0].key, "UID") != 0 || strcasecmp(p[1].key, "PWD") != 0)
		abort();
	fz_pg_password(p[1].value);
	if (strcmp(p[1].value, passwd) != 0)
		abort();
	if (!cs_connstr_needs_braces(account) && strcmp(p[0].value, account) != 0)
		abort();
	for (i = 0; i < n; i++)
		free(p[i].value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[FZ_MAX + 2], *account, *passwd, *s;
	const char *nul;
	struct cs_attrs a;

	if (size > FZ_MAX)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	in[size + 1] = '\0';
	nul = memchr(in, '\0', size);
	if (nul) {
		account = in;
		passwd = in + (nul - in) + 1;
	} else {
		account = in + size;	/* "" */
		passwd = in;
	}

	cs_attrs_init(&a);
	if (cs_attrs_add_login(&a, "UID", account, "PWD", passwd) != 0)
		abort();
	s = cs_attrs_build(&a, NULL, NULL);
	if (!s)
		abort();
	fz_check_own(s, account, passwd);
	fz_check_pg(s, account, passwd);
	free(s);
	cs_attrs_free(&a);
	return 0;
}
