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

static SQLRETURN cs_tenv_alloc(struct cs_env *e, struct cs_driver *drv, SQLHENV *out)
{
	SQLRETURN rc;

	if (drv->a[CS_FN_SQLAllocHandle])
		rc = ((cs_pf_SQLAllocHandle)drv->a[CS_FN_SQLAllocHandle])(SQL_HANDLE_ENV,
				SQL_NULL_HANDLE, out);
	else
		rc = ((cs_pf_SQLAllocEnv)drv->a[CS_FN_SQLAllocEnv])(out);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	if (drv->a[CS_FN_SQLSetEnvAttr]) {
		cs_pf_SQLSetEnvAttr set = (cs_pf_SQLSetEnvAttr)drv->a[CS_FN_SQLSetEnvAttr];

		set(*out, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)(intptr_t)e->odbc_version, 0);
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
 * The target environment of e for drv, created at first use.  Takes a
 * connection reference (released by cs_env_tenv_put).  Errors go to errh.
 * The target is called without the environment lock: two threads that
 * both create one keep the first listed and free the other.
 */
struct cs_tenv *cs_env_tenv_get(struct cs_env *e, struct cs_driver *drv, struct cs_handle *errh)
{
	struct cs_tenv *t, *mine;
	SQLRETURN rc;

	CS_ASSERT_KIND(&e->h, CS_KIND_ENV);
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
	rc = cs_tenv_alloc(e, drv, &mine->henv);
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
	if (!t)
		return mine;
	cs_tenv_free(mine);
	return t;
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
