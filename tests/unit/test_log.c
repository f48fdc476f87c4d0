/* SPDX-License-Identifier: MIT */
/*
 * test_log.c - credshim's own log (driver/core/log.c): levels, switching
 * files, whole lines from many threads, and fork() while another thread
 * writes: the child must be able to log and switch files at once (a lock
 * held by the writing thread at the fork would block it for ever; each
 * child has 5 s, then SIGALRM ends it and the check fails); the log's
 * own UTC conversion (glibc's gmtime_r takes a lock fork does not reset).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
#include "util/conf.h"
#include "util/connstr.h"

#define FORKS   40
#define WRITERS 3

static char dir[] = "/tmp/cs-test-log.XXXXXX";
static volatile int stop;

static int configure(const char *file, const char *level)
{
	struct cs_attrs a;
	int rc;

	cs_attrs_init(&a);
	cs_attrs_set(&a, cs_keys[CS_K_SHIMLOGFILE].name, file);
	if (level)
		cs_attrs_set(&a, cs_keys[CS_K_SHIMLOGLEVEL].name, level);
	rc = cs_log_configure(&a);
	cs_attrs_free(&a);
	return rc;
}

static char *path(const char *name)
{
	static char p[4][256];
	static int k;
	char *s = p[k++ % 4];

	snprintf(s, sizeof(p[0]), "%s/%s", dir, name);
	return s;
}

/* Counts the lines of file that end with "tag" and checks that every
 * line is whole: a timestamp, credshim[pid], a level, a text. */
static int lines_with(const char *file, const char *tag, int *broken)
{
	char buf[2048];
	int n = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);

		if (len < 30 || buf[len - 1] != '\n' || buf[4] != '-' || buf[23] != 'Z' ||
		    !strstr(buf, " credshim["))
			(*broken)++;
		buf[len - 1] = '\0';
		if (strstr(buf, tag))
			n++;
	}
	fclose(f);
	return n;
}

static void *writer(void *arg)
{
	long id = (long)arg, i = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) && i < 2000000)
		cs_log(CS_LOG_DEBUG, "writer %ld line %ld", id, i++);
	return NULL;
}

static void test_levels_and_switch(void)
{
	int broken = 0;

	CHECK_INT(configure(path("a.log"), "warn"), 0);
	cs_log(CS_LOG_INFO, "not at warn");
	cs_log(CS_LOG_WARN, "tag-a1");
	CHECK_INT(configure(path("a.log"), "Verbose"), -1);   /* no such level */
	CHECK_INT(configure(path("b.log"), " INFO "), 0);
	cs_log(CS_LOG_INFO, "tag-b1");
	cs_log(CS_LOG_DEBUG, "not at info");
	CHECK_INT(lines_with(path("a.log"), "tag-a1", &broken), 1);
	CHECK_INT(lines_with(path("a.log"), "not at", &broken), 0);
	CHECK_INT(lines_with(path("a.log"), "tag-b1", &broken), 0);
	CHECK_INT(lines_with(path("b.log"), "tag-b1", &broken), 1);
	CHECK_INT(lines_with(path("b.log"), "not at", &broken), 0);
	/* a file that cannot be opened keeps the one in use */
	CHECK_INT(configure(path("no/such/dir.log"), NULL), 0);
	cs_log(CS_LOG_INFO, "tag-b2");
	CHECK_INT(lines_with(path("b.log"), "tag-b2", &broken), 1);
	CHECK_INT(broken, 0);
}

/* cs_log_utc against gmtime_r: every 63 days and 117 s from 1900 on (some
 * 34,000 years), and the edges (epoch, leap days, century years). */
static void test_utc(void)
{
	static const long long edges[] = { 0, -1, 86399, 86400, 951782400 /* 2000-02-29 */,
					   951868800, 4107542400LL /* 2100-02-28 */, 4107628800LL,
					   -2208988800LL /* 1900-01-01 */, 1709164800 /* 2024-02-29 */ };
	long long t;
	int bad = 0;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]) + 200000 && bad < 5; i++) {
		struct tm a, b;
		time_t tt;

		t = i < sizeof(edges) / sizeof(edges[0]) ? edges[i] :
		    -2208988800LL + (long long)(i - sizeof(edges) / sizeof(edges[0])) * (7 * 86400 + 13) * 9;
		tt = (time_t)t;
		cs_log_utc(t, &a);
		gmtime_r(&tt, &b);
		if (a.tm_year != b.tm_year || a.tm_mon != b.tm_mon || a.tm_mday != b.tm_mday ||
		    a.tm_hour != b.tm_hour || a.tm_min != b.tm_min || a.tm_sec != b.tm_sec) {
			fprintf(stderr, "cs_log_utc(%lld): %d-%d-%d %d:%d:%d, gmtime_r %d-%d-%d %d:%d:%d\n", t,
				a.tm_year, a.tm_mon, a.tm_mday, a.tm_hour, a.tm_min, a.tm_sec, b.tm_year,
				b.tm_mon, b.tm_mday, b.tm_hour, b.tm_min, b.tm_sec);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
}

static void test_fork_while_writing(void)
{
	pthread_t th[WRITERS];
	int i, ok = 0, broken = 0;
	long t;

	CHECK_INT(configure(path("c.log"), "debug"), 0);
	for (t = 0; t < WRITERS; t++)
		CHECK_INT(pthread_create(&th[t], NULL, writer, (void *)t), 0);
	usleep(20000);
	for (i = 0; i < FORKS; i++) {
		int st = 0;
		pid_t pid = fork();

		if (pid == 0) {
			alarm(5);
			cs_log(CS_LOG_INFO, "child-line %d", i);
			if (configure(path("d.log"), "debug") != 0)
				_exit(2);
			cs_log(CS_LOG_INFO, "child-switched %d", i);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			break;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else
			fprintf(stderr, "fork %d: child %s %d\n", i,
				WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ?
				WTERMSIG(st) : WEXITSTATUS(st));
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (t = 0; t < WRITERS; t++)
		pthread_join(th[t], NULL);
	CHECK_INT(ok, FORKS);
	CHECK_INT(lines_with(path("c.log"), "child-line", &broken), FORKS);
	CHECK_INT(lines_with(path("d.log"), "child-switched", &broken), FORKS);
	CHECK(lines_with(path("c.log"), "line", &broken) > FORKS);
	CHECK_INT(broken, 0);
}

int main(void)
{
	char cmd[300];
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_utc();
	test_levels_and_switch();
	test_fork_while_writing();
	rc = check_done("test_log");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
