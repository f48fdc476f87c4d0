/* SPDX-License-Identifier: MIT */
/*
 * dsn.c - reading a DSN's keys from odbc.ini through libodbcinst.
 */
#include <stdio.h>
#include <string.h>

#include <odbcinst.h>

#include "util/connstr.h"
#include "core/dsn.h"

#define CS_DSN_KEYS_MAX 16384
#define CS_DSN_VALUE_MAX 4096

/* libodbcinst keeps the ini file paths in static buffers: one caller at a
 * time (connects on several threads would race on them). */
static pthread_mutex_t cs_ini_lock = PTHREAD_MUTEX_INITIALIZER;

int cs_ini_get(const char *section, const char *key, char *out, size_t outlen, const char *file)
{
	int n;

	pthread_mutex_lock(&cs_ini_lock);
	n = SQLGetPrivateProfileString(section, key, "", out, (int)outlen, file);
	pthread_mutex_unlock(&cs_ini_lock);
	return n;
}

/*
 * Appends every key of section dsn in odbc.ini (user and system) to a,
 * except keys a already has: the connection string overrides the DSN.
 * Returns 0, 1 when the DSN has no entries at all, -1 on ENOMEM.
 */
int cs_dsn_read(const char *dsn, struct cs_attrs *a)
{
	char keys[CS_DSN_KEYS_MAX], value[CS_DSN_VALUE_MAX];
	const char *k;
	int n, found = 0, rc = 0;

	memset(keys, 0, sizeof(keys));
	n = cs_ini_get(dsn, NULL, keys, sizeof(keys) - 1, "ODBC.INI");
	if (n <= 0)
		return 1;
	for (k = keys; *k && k < keys + sizeof(keys) - 1; k += strlen(k) + 1) {
		found = 1;
		if (cs_attrs_get(a, k))
			continue;
		value[0] = '\0';
		cs_ini_get(dsn, k, value, sizeof(value), "ODBC.INI");
		if (cs_attrs_set(a, k, value) != 0) {
			rc = -1;
			break;
		}
	}
	explicit_bzero(value, sizeof(value));
	return rc ? rc : !found;
}

/* The Driver entry of a DSN (for TargetDSN), or -1 when there is none. */
int cs_dsn_driver(const char *dsn, char *out, size_t outlen)
{
	int n = cs_ini_get(dsn, "Driver", out, outlen, "ODBC.INI");

	return n > 0 && out[0] ? 0 : -1;
}
