/*
 * session.c - PAM mode of a connection (see session.h).
 */
#include <string.h>

#include "conf.h"
#include "connstr.h"
#include "session.h"

/* PAM mode is on as soon as any Pam* key has a value. */
static int cs_auth_wanted(const struct cs_attrs *cfg)
{
	int i;

	for (i = 0; i < CS_K__COUNT; i++) {
		const char *v;

		if (!(cs_keys[i].flags & CS_KF_PAM))
			continue;
		v = cs_attrs_get(cfg, cs_keys[i].name);
		if (v && *v)
			return 1;
	}
	return 0;
}

SQLRETURN cs_auth_begin(struct cs_dbc *d, const struct cs_attrs *cfg, struct cs_auth *a)
{
	memset(a, 0, sizeof(*a));
	if (!cs_auth_wanted(cfg))
		return SQL_SUCCESS;
	return cs_diag_add(&d->h, "08001", "%s: PAM keys are set but this build has no PAM client",
			   d->dsn);
}

int cs_auth_retry(struct cs_dbc *d, struct cs_auth *a)
{
	return 0;
}

void cs_auth_settle(struct cs_dbc *d, struct cs_auth *a, int ok)
{
}

SQLRETURN cs_auth_end(struct cs_dbc *d)
{
	return SQL_SUCCESS;
}

void cs_auth_wipe(struct cs_auth *a)
{
	explicit_bzero(a, sizeof(*a));
}
