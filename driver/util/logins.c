/* SPDX-License-Identifier: MIT */
/*
 * logins.c - the table of user and password keys (logins.def).
 */
#include "util/logins.h"

#include <stddef.h>

#include "util/connstr.h"

static const struct {
	const char *key;
	enum cs_login_kind kind;
} cs_logins[] = {
#define CS_LOGIN(key, kind, who) { key, kind },
#include "util/logins.def"
#undef CS_LOGIN
};

enum cs_login_kind cs_login_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(cs_logins) / sizeof(cs_logins[0]); i++)
		if (cs_connstr_key_eq(cs_logins[i].key, key))
			return cs_logins[i].kind;
	return CS_LOGIN_NONE;
}
