/* SPDX-License-Identifier: MIT */
/*
 * log.h - credshim's own log (ShimLogFile, ShimLogLevel).  Off unless a
 * DSN or connection string names a file.  Never given a secret.
 */
#ifndef CS_LOG_H
#define CS_LOG_H

#include <time.h>

#include "core/cs.h"

struct cs_attrs;

enum cs_log_level { CS_LOG_ERROR = 0, CS_LOG_WARN, CS_LOG_INFO, CS_LOG_DEBUG };

/* Takes ShimLogFile / ShimLogLevel from a connection's configuration;
 * -1 (and nothing changed) when ShimLogLevel names no level. */
CS_HIDDEN int cs_log_configure(const struct cs_attrs *cfg);
CS_HIDDEN void cs_log(enum cs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* UTC date and time of t seconds since the epoch into tm (fields as
 * gmtime_r's, tm_wday/tm_yday/tm_isdst 0), without gmtime_r's lock. */
CS_HIDDEN void cs_log_utc(long long t, struct tm *tm);

#endif
