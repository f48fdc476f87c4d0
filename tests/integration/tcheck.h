/* SPDX-License-Identifier: MIT */
/*
 * tcheck.h - what the C test clients of tests/integration share: PASS and
 * FAIL lines with their tally, notes under a failure, and a handle's
 * diagnostic records.  One copy instead of one per client.  Include it
 * once per program, after <sql.h>; every function is safe from several
 * threads (one output lock, g_out_lock, which a client may use too).
 *
 *   result(ok, fmt, ...)   "PASS ..." or "FAIL ...", counted; returns ok
 *   note(fmt, ...)         an indented line under a result
 *   diag_show(type, h)     the handle's records as notes
 *   return g_failed != 0;  after printing "<n> passed, <m> failed"
 */
#ifndef CS_TCHECK_H
#define CS_TCHECK_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sql.h>
#include <sqlext.h>

static int g_passed;
static int g_failed;
/* Set by a client: g_tag names the run in each line ("PASS [tag] ..."),
 * g_quiet counts passes without a line (a client of thousands of checks
 * prints only its failures). */
static const char *g_tag;
static int g_quiet;
static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;
/* Called with each diagnostic text diag_get reads (pam_test.c keeps them
 * for its secrets check), under no lock; NULL for none. */
static void (*g_diag_seen)(const char *msg);

static inline int result(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int result(int ok, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g_out_lock);
	if (ok)
		g_passed++;
	else
		g_failed++;
	if (!ok || !g_quiet) {
		printf("%s ", ok ? "PASS" : "FAIL");
		if (g_tag)
			printf("[%s] ", g_tag);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		fflush(stdout);
	}
	pthread_mutex_unlock(&g_out_lock);
	return ok;
}

/* An explanation line under a FAIL. */
static inline void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g_out_lock);
	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&g_out_lock);
}

#define DIAG_MAX 8

struct diag {
	int n;
	char state[DIAG_MAX][6];
	SQLINTEGER native[DIAG_MAX];
	char msg[DIAG_MAX][1024];
};

static inline void diag_get(SQLSMALLINT ht, SQLHANDLE h, struct diag *d)
{
	SQLSMALLINT len;

	memset(d, 0, sizeof(*d));
	for (d->n = 0; d->n < DIAG_MAX; d->n++) {
		if (!SQL_SUCCEEDED(SQLGetDiagRec(ht, h, (SQLSMALLINT)(d->n + 1), (SQLCHAR *)d->state[d->n],
						 &d->native[d->n], (SQLCHAR *)d->msg[d->n],
						 sizeof(d->msg[0]), &len)))
			break;
		if (g_diag_seen)
			g_diag_seen(d->msg[d->n]);
	}
}

static inline void diag_print(const struct diag *d)
{
	int i;

	if (d->n == 0)
		note("(no diagnostic records)");
	for (i = 0; i < d->n; i++)
		note("[%d] %s native=%ld %s", i + 1, d->state[i], (long)d->native[i], d->msg[i]);
}

/* Prints the diagnostics of a handle under a failure. */
static inline void diag_show(SQLSMALLINT ht, SQLHANDLE h)
{
	struct diag d;

	diag_get(ht, h, &d);
	diag_print(&d);
}

#endif
