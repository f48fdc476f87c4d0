/* SPDX-License-Identifier: MIT */
/*
 * connectloop.c - the connect benchmark client (docs/benchmarks.md).
 *
 *   connectloop [--hold] [--keep-env] [--leave-open] CONNSTR N
 *
 * An ordinary ODBC application linked against the unixODBC driver manager.
 * Each cycle allocates its own environment and frees it at the end, as an
 * application that connects now and then does; with --keep-env every cycle
 * uses the one environment of the process.  unixODBC unloads a driver when
 * the last environment using it goes, so without --keep-env and --hold
 * the driver is unloaded after every cycle.
 *
 *   --hold: one connection to CONNSTR opened first (in an environment of
 *           its own) and kept open, so the driver manager never unloads
 *           the driver;
 *   the first cycle (the process's first connect of CONNSTR, or the
 *           second with --hold) and one warm-up cycle;
 *   the measured region: N cycles of
 *           SQLAllocHandle(ENV), SQLSetEnvAttr(SQL_ATTR_ODBC_VERSION),
 *           SQLAllocHandle(DBC), SQLDriverConnect(CONNSTR),
 *           SQLAllocHandle(STMT), SQLExecDirect("SELECT 1"), SQLFetch,
 *           SQLGetData, SQLFreeHandle(STMT), SQLDisconnect,
 *           SQLFreeHandle(DBC), SQLFreeHandle(ENV);
 *   --leave-open: one more connection, never disconnected: the process
 *           exits with it open (the driver's exit handler must end it).
 *
 * Under valgrind --tool=callgrind, client requests bracket the regions:
 * the dump with trigger "first" counts the first cycle (loading the
 * driver, and credshim's first PAM exchange with its TLS set-up), each
 * dump with trigger "cycle" one of the N measured cycles.  Outside
 * valgrind they do nothing.
 *
 * It prints "key value" lines:
 *   first_ns        wall-clock nanoseconds of the first cycle
 *   loop_ns         of the N cycles, in all
 *   rss_kb_1        VmRSS after the first cycle
 *   rss_kb_n        VmRSS after the N cycles
 *   loads_loop      objects added to the process (dl_iterate_phdr's
 *                   dlpi_adds) during the N cycles: 0 when nothing was
 *                   loaded again
 *   objects         objects loaded at the end
 * Exits 0 on success, 1 (with the ODBC diagnostics on stderr) on any
 * failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sql.h>
#include <sqlext.h>

#include <valgrind/callgrind.h>

/* Prints every diagnostic record of a handle after a failed call. */
static void cl_diag(const char *what, SQLSMALLINT type, SQLHANDLE h)
{
	SQLCHAR state[6], msg[512];
	SQLINTEGER native;
	SQLSMALLINT len, i;

	fprintf(stderr, "connectloop: %s failed\n", what);
	for (i = 1;; i++) {
		if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof(msg), &len)))
			break;
		fprintf(stderr, "  [%s] (%ld) %s\n", (char *)state, (long)native, (char *)msg);
	}
}

static int cl_ok(SQLRETURN rc, const char *what, SQLSMALLINT type, SQLHANDLE h)
{
	if (SQL_SUCCEEDED(rc))
		return 0;
	cl_diag(what, type, h);
	return -1;
}

static long long cl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* VmRSS of this process in kB, or -1. */
static long cl_rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

struct cl_objs {
	unsigned long long adds;
	unsigned n;
};

static int cl_obj_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct cl_objs *o = data;

	(void)size;
	o->adds = info->dlpi_adds;
	o->n++;
	return 0;
}

static struct cl_objs cl_objects(void)
{
	struct cl_objs o = { 0, 0 };

	dl_iterate_phdr(cl_obj_cb, &o);
	return o;
}

/* A new environment (ODBC 3); 0 or -1. */
static int cl_env(SQLHENV *env)
{
	if (cl_ok(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, env), "SQLAllocHandle(ENV)", SQL_HANDLE_ENV,
		  SQL_NULL_HANDLE))
		return -1;
	if (cl_ok(SQLSetEnvAttr(*env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), "SQLSetEnvAttr",
		  SQL_HANDLE_ENV, *env)) {
		SQLFreeHandle(SQL_HANDLE_ENV, *env);
		return -1;
	}
	return 0;
}

/* A connection to cs; 0 or -1. */
static int cl_connect(SQLHENV env, const char *cs, SQLHDBC *dbc)
{
	if (cl_ok(SQLAllocHandle(SQL_HANDLE_DBC, env, dbc), "SQLAllocHandle(DBC)", SQL_HANDLE_ENV, env))
		return -1;
	if (cl_ok(SQLDriverConnect(*dbc, NULL, (SQLCHAR *)cs, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT),
		  "SQLDriverConnect", SQL_HANDLE_DBC, *dbc)) {
		SQLFreeHandle(SQL_HANDLE_DBC, *dbc);
		return -1;
	}
	return 0;
}

/* One connect, SELECT 1, disconnect, in env or (NULL) an environment of
 * its own; 0 or -1. */
static int cl_cycle(SQLHENV keep_env, const char *cs)
{
	SQLHENV env = keep_env;
	SQLHDBC dbc;
	SQLHSTMT st;
	SQLINTEGER v = 0;
	SQLLEN ind = 0;
	int r = -1;

	if (!keep_env && cl_env(&env))
		return -1;
	if (cl_connect(env, cs, &dbc))
		goto out_env;
	if (cl_ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), "SQLAllocHandle(STMT)", SQL_HANDLE_DBC, dbc))
		goto out_disconnect;
	if (!cl_ok(SQLExecDirect(st, (SQLCHAR *)"SELECT 1", SQL_NTS), "SQLExecDirect", SQL_HANDLE_STMT, st) &&
	    !cl_ok(SQLFetch(st), "SQLFetch", SQL_HANDLE_STMT, st) &&
	    !cl_ok(SQLGetData(st, 1, SQL_C_SLONG, &v, 0, &ind), "SQLGetData", SQL_HANDLE_STMT, st)) {
		if (v == 1)
			r = 0;
		else
			fprintf(stderr, "connectloop: SELECT 1 gave %ld\n", (long)v);
	}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
out_disconnect:
	if (cl_ok(SQLDisconnect(dbc), "SQLDisconnect", SQL_HANDLE_DBC, dbc))
		r = -1;
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
out_env:
	if (!keep_env)
		SQLFreeHandle(SQL_HANDLE_ENV, env);
	return r;
}

int main(int argc, char **argv)
{
	SQLHENV env, cycle_env = NULL;
	SQLHDBC held = NULL, left = NULL;
	int hold = 0, keep_env = 0, leave_open = 0, argi = 1;
	long n, i, rss1, rssn;
	long long t0, first_ns, loop_ns;
	struct cl_objs before, after;
	const char *cs;
	char *end;

	for (; argi < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
		if (strcmp(argv[argi], "--hold") == 0)
			hold = 1;
		else if (strcmp(argv[argi], "--keep-env") == 0)
			keep_env = 1;
		else if (strcmp(argv[argi], "--leave-open") == 0)
			leave_open = 1;
		else
			break;
	}
	if (argc - argi != 2) {
		fprintf(stderr, "usage: connectloop [--hold] [--keep-env] [--leave-open] CONNSTR N\n");
		return 2;
	}
	cs = argv[argi];
	n = strtol(argv[argi + 1], &end, 10);
	if (*end || n < 1 || n > 1000000) {
		fprintf(stderr, "connectloop: N must be 1..1000000\n");
		return 2;
	}

	if (cl_env(&env))
		return 1;
	if (hold && cl_connect(env, cs, &held))
		return 1;
	if (keep_env)
		cycle_env = env;

	CALLGRIND_ZERO_STATS;
	t0 = cl_now_ns();
	if (cl_cycle(cycle_env, cs))
		return 1;
	first_ns = cl_now_ns() - t0;
	CALLGRIND_DUMP_STATS_AT("first");
	rss1 = cl_rss_kb();
	if (cl_cycle(cycle_env, cs))
		return 1;

	before = cl_objects();
	CALLGRIND_ZERO_STATS;
	t0 = cl_now_ns();
	for (i = 0; i < n; i++) {
		if (cl_cycle(cycle_env, cs))
			return 1;
		/* dumping zeroes the counters: one dump per cycle */
		CALLGRIND_DUMP_STATS_AT("cycle");
	}
	loop_ns = cl_now_ns() - t0;
	after = cl_objects();
	rssn = cl_rss_kb();

	printf("first_ns %lld\nloop_ns %lld\nrss_kb_1 %ld\nrss_kb_n %ld\nloads_loop %llu\nobjects %u\n",
	       first_ns, loop_ns, rss1, rssn, after.adds - before.adds, after.n);
	fflush(stdout);

	if (leave_open) {
		if (cl_connect(env, cs, &left))
			return 1;
		/* exit with it open: the driver's exit handler ends it */
		return 0;
	}
	if (held) {
		if (cl_ok(SQLDisconnect(held), "SQLDisconnect(held)", SQL_HANDLE_DBC, held))
			return 1;
		SQLFreeHandle(SQL_HANDLE_DBC, held);
	}
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	return 0;
}
