/* SPDX-License-Identifier: MIT */
/*
 * env.c - target environments.
 *
 * A credshim environment may hold connections through several target
 * drivers at once; each driver needs its own environment handle.  The
 * first connect through a driver allocates it (with the application's
 * ODBC version), the last connection through it gone frees it.
 */
#include <stdlib.h>

#include "core/cs.h"
#include "core/fntypes.h"

/*
 * A target environment with the application's ODBC version.  *refused is
 * set when the target did not take that version as the driver manager
 * asks for it (unixODBC's __connect_part_one): an ODBC 2 driver (no
 * SQLAllocHandle), no SQLSetEnvAttr, or a return other than SQL_SUCCESS.
 */
static SQLRETURN cs_tenv_alloc(struct cs_env *e, struct cs_driver *drv, SQLHENV *out, int *refused)
{
	SQLRETURN rc;

	*refused = 1;
	if (drv->a[CS_FN_SQLAllocHandle])
		rc = ((cs_pf_SQLAllocHandle)drv->a[CS_FN_SQLAllocHandle])(SQL_HANDLE_ENV,
				SQL_NULL_HANDLE, out);
	else
		rc = ((cs_pf_SQLAllocEnv)drv->a[CS_FN_SQLAllocEnv])(out);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	if (drv->a[CS_FN_SQLSetEnvAttr]) {
		cs_pf_SQLSetEnvAttr set = (cs_pf_SQLSetEnvAttr)drv->a[CS_FN_SQLSetEnvAttr];

		rc = set(*out, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)(intptr_t)e->odbc_version, 0);
		*refused = rc != SQL_SUCCESS || !drv->a[CS_FN_SQLAllocHandle];
		if (e->output_nts != SQL_TRUE)
			set(*out, SQL_ATTR_OUTPUT_NTS, (SQLPOINTER)(intptr_t)e->output_nts, 0);
	}
	return SQL_SUCCESS;
}

static void cs_tenv_free(struct cs_tenv *t)
{
	struct cs_driver *drv = t->drv;

	if (drv->a[CS_FN_SQLFreeHandle])
		((cs_pf_SQLFreeHandle)drv->a[CS_FN_SQLFreeHandle])(SQL_HANDLE_ENV, t->henv);
	else if (drv->a[CS_FN_SQLFreeEnv])
		((cs_pf_SQLFreeEnv)drv->a[CS_FN_SQLFreeEnv])(t->henv);
	cs_target_release(drv);
	free(t);
}

static struct cs_tenv *cs_env_tenv_find_locked(struct cs_env *e, struct cs_driver *drv)
{
	struct cs_tenv *t;

	CS_ASSERT_HELD(&e->lock);
	for (t = e->tenvs; t; t = t->next)
		if (t->drv == drv)
			return t;
	return NULL;
}

/*
 * The target environment of e for drv, created at first use (*created
 * set).  Takes a connection reference (released by cs_env_tenv_put).
 * Errors go to errh.  The target is called without the environment lock:
 * two threads that both create one keep the first listed and free the
 * other.
 */
struct cs_tenv *cs_env_tenv_get(struct cs_env *e, struct cs_driver *drv, struct cs_handle *errh,
				int *created)
{
	struct cs_tenv *t, *mine;
	SQLRETURN rc;

	CS_ASSERT_KIND(&e->h, CS_KIND_ENV);
	*created = 0;
	cs_mutex_lock(&e->lock);
	t = cs_env_tenv_find_locked(e, drv);
	if (t)
		t->conns++;
	cs_mutex_unlock(&e->lock);
	if (t)
		return t;
	mine = calloc(1, sizeof(*mine));
	if (!mine) {
		cs_diag_add(errh, CS_SHY001, "out of memory");
		return NULL;
	}
	rc = cs_tenv_alloc(e, drv, &mine->henv, &mine->version_refused);
	if (!SQL_SUCCEEDED(rc)) {
		cs_diag_add(errh, CS_SIM004, "the target driver %s failed to allocate an environment",
			    drv->path);
		free(mine);
		return NULL;
	}
	/* The tenv holds its own reference to the driver. */
	cs_target_ref(drv);
	mine->drv = drv;
	mine->conns = 1;
	cs_mutex_lock(&e->lock);
	t = cs_env_tenv_find_locked(e, drv);
	if (t) {
		t->conns++;
	} else {
		mine->next = e->tenvs;
		e->tenvs = mine;
	}
	cs_mutex_unlock(&e->lock);
	if (!t) {
		*created = 1;
		return mine;
	}
	cs_tenv_free(mine);
	return t;
}

/*
 * Whether a connect through t finds the target speaking the application's
 * ODBC version, decided as unixODBC decides it for a driver it loads
 * itself (__connect_part_one), which otherwise warns 01000 at connect: on
 * the connect that created the environment, the version is refused when
 * setting it was; else it is what the target's SQLGetEnvAttr answers
 * with SQL_SUCCESS (the requested one when it answers otherwise), and on
 * later connects ODBC 2 for a target without SQLGetEnvAttr.
 */
int cs_env_tenv_version_ok(struct cs_env *e, struct cs_tenv *t, int created)
{
	cs_pf_SQLGetEnvAttr get = (cs_pf_SQLGetEnvAttr)t->drv->a[CS_FN_SQLGetEnvAttr];
	SQLINTEGER v = SQL_OV_ODBC2;

	CS_ASSERT_KIND(&e->h, CS_KIND_ENV);
	if (created && t->version_refused)
		v = SQL_OV_ODBC2;
	else if (get && get(t->henv, SQL_ATTR_ODBC_VERSION, &v, 0, NULL) != SQL_SUCCESS)
		v = e->odbc_version;
	else if (!get && created)
		v = e->odbc_version;
	return v == e->odbc_version;
}

/* Drops a connection reference; frees the target environment with the
 * last one (outside the lock: a target call). */
void cs_env_tenv_put(struct cs_env *e, struct cs_tenv *t)
{
	int last = 0;

	CS_ASSERT_KIND(&e->h, CS_KIND_ENV);
	cs_mutex_lock(&e->lock);
	if (--t->conns == 0) {
		CS_LIST_UNLINK(&e->tenvs, t, next);
		last = 1;
	}
	cs_mutex_unlock(&e->lock);
	if (last)
		cs_tenv_free(t);
}
