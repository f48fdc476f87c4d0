/* SPDX-License-Identifier: MIT */
/* dsn.h - a DSN's entries in odbc.ini. */
#ifndef CS_DSN_H
#define CS_DSN_H

#include <stddef.h>

#include "core/cs.h"

struct cs_attrs;

/* SQLGetPrivateProfileString, serialized. */
CS_HIDDEN int cs_ini_get(const char *section, const char *key, char *out, size_t outlen, const char *file);
CS_HIDDEN int cs_dsn_read(const char *dsn, struct cs_attrs *a);
CS_HIDDEN int cs_dsn_driver(const char *dsn, char *out, size_t outlen);

#endif
