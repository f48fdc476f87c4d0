/* SPDX-License-Identifier: MIT */
/*
 * log.c - credshim's own log.
 *
 * One process-wide log file, opened in append mode at the first connect
 * that names one; a later connect naming another file switches to it by
 * dup3() onto the same descriptor, so the descriptor number never changes
 * and a line is one write(2) to it without a lock: a thread that forks
 * while another writes leaves the child nothing held.  The lock serialises
 * only the switching (a leaf: nothing is taken under it), and is taken
 * around fork() so the child gets it free.  Callers never pass secrets: the
 * PAM token and passwords have no path to a log call.  Every line is
 * escaped (util/esc.h) after it is formatted, so a PAM's id, account or
 * message, or a configuration value, can never start a line of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/conf.h"
#include "util/connstr.h"
#include "util/esc.h"
#include "core/log.h"

static pthread_mutex_t cs_log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cs_log_once = PTHREAD_ONCE_INIT;
static int cs_log_fd = -1;     /* read without the lock: atomics */
static char cs_log_path[4096];
static int cs_log_level = CS_LOG_WARN; /* read without the lock: atomics */

static const char *const cs_log_names[] = { "error", "warn", "info", "debug" };

static void cs_log_always(enum cs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The level a ShimLogLevel value names (ASCII, any case, blanks around
 * it ignored as for the other typed keys), -2 for an empty value, or -1. */
static int cs_log_level_of(const char *v)
{
	size_t n = strlen(v);
	int i;

	while (n > 0 && cs_ascii_blank((unsigned char)v[n - 1]))
		n--;
	while (n > 0 && cs_ascii_blank((unsigned char)*v)) {
		v++;
		n--;
	}
	if (n == 0)
		return -2;
	for (i = 0; i <= CS_LOG_DEBUG; i++)
		if (cs_ascii_eqn(cs_log_names[i], v, n))
			return i;
	return -1;
}

static void cs_log_prefork(void)
{
	pthread_mutex_lock(&cs_log_lock);
}

static void cs_log_postfork(void)
{
	pthread_mutex_unlock(&cs_log_lock);
}

static void cs_log_init(void)
{
	pthread_atfork(cs_log_prefork, cs_log_postfork, cs_log_postfork);
}

int cs_log_configure(const struct cs_attrs *cfg)
{
	const char *file = cs_attrs_get(cfg, cs_keys[CS_K_SHIMLOGFILE].name);
	const char *level = cs_attrs_get(cfg, cs_keys[CS_K_SHIMLOGLEVEL].name);
	int lv = -2, opened = 0;

	/* A misspelt level is refused like a misspelt key, log file or not. */
	if (level && (lv = cs_log_level_of(level)) == -1)
		return -1;
	if (!file || !*file)
		return 0;
	pthread_once(&cs_log_once, cs_log_init);
	pthread_mutex_lock(&cs_log_lock);
	if (lv >= 0)
		__atomic_store_n(&cs_log_level, lv, __ATOMIC_RELAXED);
	if (cs_log_fd < 0 || strcmp(file, cs_log_path) != 0) {
		int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);

		if (fd >= 0 && cs_log_fd >= 0) {
			/* the old file is closed by the switch, never the number */
			int r = dup3(fd, cs_log_fd, O_CLOEXEC);

			close(fd);
			fd = r < 0 ? -1 : cs_log_fd;
		}
		if (fd >= 0) {
			__atomic_store_n(&cs_log_fd, fd, __ATOMIC_RELEASE);
			snprintf(cs_log_path, sizeof(cs_log_path), "%s", file);
			opened = 1;
		}
	}
	pthread_mutex_unlock(&cs_log_lock);
	/* Which credshim wrote what follows: at every opening, whatever the
	 * level (the version is defined once, in CMakeLists.txt). */
	if (opened)
		cs_log_always(CS_LOG_INFO, "credshim " CS_VERSION " opened this log");
	return 0;
}

/*
 * The UTC calendar date and time of t seconds since the epoch, by
 * arithmetic: gmtime_r takes glibc's time-zone lock, which fork() does not
 * reset, so a child forked while another thread was inside it would block
 * at its first log line.  Days to civil date: the proleptic Gregorian
 * calendar counted in 400-year eras of 146097 days, years from March.
 */
void cs_log_utc(long long t, struct tm *tm)
{
	long long days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;                          /* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;               /* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;                /* March = 0 */
	y = yoe + era * 400;
	memset(tm, 0, sizeof(*tm));
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	tm->tm_year = (int)(y + (tm->tm_mon <= 1) - 1900);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
}

/* Formats and writes one line, whatever the level setting. */
__attribute__((format(printf, 2, 0)))
static void cs_log_line(enum cs_log_level level, const char *fmt, va_list ap)
{
	char line[1024], text[1024];
	struct timespec ts;
	struct tm tm;
	int off, fd;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	cs_log_utc((long long)ts.tv_sec, &tm);
	off = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ credshim[%d] %s: ",
		       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		       tm.tm_sec, ts.tv_nsec / 1000000, (int)getpid(), cs_log_names[level]);
	vsnprintf(text, sizeof(text), fmt, ap);
	cs_esc(line + off, sizeof(line) - 1 - (size_t)off, text, strlen(text), 0);
	n = strlen(line);
	line[n++] = '\n';
	fd = __atomic_load_n(&cs_log_fd, __ATOMIC_ACQUIRE);
	/* One write: an O_APPEND line lands whole, between other lines. */
	while (fd >= 0 && write(fd, line, n) < 0 && errno == EINTR)
		;
}

static void cs_log_always(enum cs_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cs_log_line(level, fmt, ap);
	va_end(ap);
}

void cs_log(enum cs_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_load_n(&cs_log_fd, __ATOMIC_ACQUIRE) < 0 ||
	    (int)level > __atomic_load_n(&cs_log_level, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	cs_log_line(level, fmt, ap);
	va_end(ap);
}
