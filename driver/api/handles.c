/* SPDX-License-Identifier: MIT */
/*
 * handles.c - allocation and freeing of handles, environment attributes,
 * transactions: the entry points that create or destroy credshim's
 * wrappers around the target's handles.
 */
#include <stdlib.h>
#include <string.h>

#include "api/connect.h"
#include "api/api.h"

/* Target SQLAllocHandle for a statement or descriptor, with the ODBC 2
 * fallback for statements. */
static SQLRETURN cs_target_alloc(struct cs_driver *drv, SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
	if (drv->a[CS_FN_SQLAllocHandle])
		return ((cs_pf_SQLAllocHandle)drv->a[CS_FN_SQLAllocHandle])(type, in, out);
	if (type == SQL_HANDLE_STMT && drv->a[CS_FN_SQLAllocStmt])
		return ((cs_pf_SQLAllocStmt)drv->a[CS_FN_SQLAllocStmt])(in, out);
	return SQL_ERROR;
}

static SQLRETURN cs_target_free(struct cs_driver *drv, SQLSMALLINT type, SQLHANDLE h)
{
	if (drv->a[CS_FN_SQLFreeHandle])
		return ((cs_pf_SQLFreeHandle)drv->a[CS_FN_SQLFreeHandle])(type, h);
	if (type == SQL_HANDLE_STMT && drv->a[CS_FN_SQLFreeStmt])
		return ((cs_pf_SQLFreeStmt)drv->a[CS_FN_SQLFreeStmt])(h, SQL_DROP);
	if (type == SQL_HANDLE_DBC && drv->a[CS_FN_SQLFreeConnect])
		return ((cs_pf_SQLFreeConnect)drv->a[CS_FN_SQLFreeConnect])(h);
	return SQL_ERROR;
}

static SQLRETURN cs_alloc_env(SQLHANDLE *out)
{
	struct cs_env *e = cs_handle_new(CS_KIND_ENV);

	if (!e)
		return SQL_ERROR;
	cs_mutex_init(&e->lock);
	e->odbc_version = SQL_OV_ODBC3;
	e->output_nts = SQL_TRUE;
	e->cp_match = SQL_CP_STRICT_MATCH;
	*out = e;
	return SQL_SUCCESS;
}

static SQLRETURN cs_alloc_dbc(struct cs_env *e, SQLHANDLE *out)
{
	struct cs_dbc *d = cs_handle_new(CS_KIND_DBC);

	if (!d)
		return cs_diag_add(&e->h, CS_SHY001, "out of memory");
	cs_mutex_init(&d->lock);
	d->env = e;
	cs_mutex_lock(&e->lock);
	d->next_in_env = e->dbcs;
	e->dbcs = d;
	cs_mutex_unlock(&e->lock);
	*out = d;
	return SQL_SUCCESS;
}

/*
 * A statement or explicit descriptor on d: the target's handle first, then
 * credshim's wrapper, linked into d's list of its kind.
 */
static SQLRETURN cs_alloc_child(struct cs_dbc *d, SQLSMALLINT type, SQLHANDLE *out)
{
	enum cs_kind kind = type == SQL_HANDLE_STMT ? CS_KIND_STMT : CS_KIND_DESC;
	SQLHANDLE th = SQL_NULL_HANDLE;
	struct cs_handle *h;
	SQLRETURN rc;

	if (!d->connected)
		return cs_diag_add(&d->h, CS_S08003, "the connection is not open");
	rc = cs_target_alloc(d->h.drv, type, d->h.target, &th);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	h = cs_handle_new(kind);
	if (!h) {
		cs_target_free(d->h.drv, type, th);
		return cs_diag_add(&d->h, CS_SHY001, "out of memory");
	}
	h->target = th;
	h->drv = d->h.drv;
	cs_mutex_lock(&d->lock);
	if (kind == CS_KIND_STMT) {
		struct cs_stmt *s = (struct cs_stmt *)h;

		s->dbc = d;
		s->next = d->stmts;
		d->stmts = s;
	} else {
		struct cs_desc *ds = (struct cs_desc *)h;

		ds->dbc = d;
		ds->next = d->descs;
		d->descs = ds;
	}
	cs_mutex_unlock(&d->lock);
	*out = h;
	return rc;
}

CS_EXPORT SQLRETURN SQL_API SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
	struct cs_handle *o;

	if (!out)
		return SQL_ERROR;
	*out = SQL_NULL_HANDLE;
	switch (type) {
	case SQL_HANDLE_ENV:
		return cs_alloc_env(out);
	case SQL_HANDLE_DBC:
		if (!(o = cs_get(in, CS_KIND_ENV)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_alloc_dbc((struct cs_env *)o, out);
	case SQL_HANDLE_STMT:
		if (!(o = cs_get(in, CS_KIND_DBC)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_alloc_child((struct cs_dbc *)o, SQL_HANDLE_STMT, out);
	case SQL_HANDLE_DESC:
		if (!(o = cs_get(in, CS_KIND_DBC)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_alloc_child((struct cs_dbc *)o, SQL_HANDLE_DESC, out);
	}
	return SQL_ERROR;
}

CS_EXPORT SQLRETURN SQL_API SQLAllocEnv(SQLHENV *out)
{
	return SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, out);
}

CS_EXPORT SQLRETURN SQL_API SQLAllocConnect(SQLHENV env, SQLHDBC *out)
{
	return SQLAllocHandle(SQL_HANDLE_DBC, env, out);
}

CS_EXPORT SQLRETURN SQL_API SQLAllocStmt(SQLHDBC dbc, SQLHSTMT *out)
{
	return SQLAllocHandle(SQL_HANDLE_STMT, dbc, out);
}

static SQLRETURN cs_free_stmt(struct cs_stmt *s)
{
	struct cs_dbc *d = s->dbc;
	SQLRETURN rc;

	rc = cs_target_free(s->h.drv, SQL_HANDLE_STMT, s->h.target);
	if (rc == SQL_ERROR)
		return rc;
	cs_mutex_lock(&d->lock);
	CS_LIST_UNLINK(&d->stmts, s, next);
	cs_mutex_unlock(&d->lock);
	cs_stmt_destroy(s);
	return SQL_SUCCESS;
}

/* Statements that used an explicit descriptor fall back to their implicit
 * one when it is freed; their cached wrappers are then stale. */
static void cs_forget_desc(struct cs_dbc *d, struct cs_desc *ds)
{
	struct cs_stmt *s;
	int i;

	for (s = d->stmts; s; s = s->next)
		for (i = 0; i < 4; i++)
			if (s->implicit[i] && s->implicit[i]->h.target == ds->h.target)
				s->implicit[i]->h.target = NULL;
}

static SQLRETURN cs_free_desc(struct cs_desc *ds)
{
	struct cs_dbc *d = ds->dbc;
	SQLRETURN rc;

	if (ds->stmt)
		return cs_diag_add(&ds->h, CS_SHY017, "an implicitly allocated descriptor cannot be freed");
	rc = cs_target_free(ds->h.drv, SQL_HANDLE_DESC, ds->h.target);
	if (rc == SQL_ERROR)
		return rc;
	cs_mutex_lock(&d->lock);
	CS_LIST_UNLINK(&d->descs, ds, next);
	cs_forget_desc(d, ds);
	cs_mutex_unlock(&d->lock);
	cs_desc_destroy(ds);
	return SQL_SUCCESS;
}

/*
 * Frees a connection; a connection still open is ended first, so its
 * credential is checked in whatever order the application frees things.
 */
static SQLRETURN cs_free_dbc(struct cs_dbc *d)
{
	struct cs_env *e = d->env;

	cs_connect_end(d);
	cs_dbc_forget_attrs(d);
	cs_mutex_lock(&e->lock);
	CS_LIST_UNLINK(&e->dbcs, d, next_in_env);
	cs_mutex_unlock(&e->lock);
	cs_mutex_destroy(&d->lock);
	cs_handle_release(&d->h);
	return SQL_SUCCESS;
}

static SQLRETURN cs_free_env(struct cs_env *e)
{
	for (;;) {
		struct cs_dbc *d;

		cs_mutex_lock(&e->lock);
		d = e->dbcs;
		cs_mutex_unlock(&e->lock);
		if (!d)
			break;
		cs_free_dbc(d);
	}
	cs_mutex_destroy(&e->lock);
	cs_handle_release(&e->h);
	return SQL_SUCCESS;
}

CS_EXPORT SQLRETURN SQL_API SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
	struct cs_handle *o;

	switch (type) {
	case SQL_HANDLE_ENV:
		if (!(o = cs_get(h, CS_KIND_ENV)))
			return SQL_INVALID_HANDLE;
		return cs_free_env((struct cs_env *)o);
	case SQL_HANDLE_DBC:
		if (!(o = cs_get(h, CS_KIND_DBC)))
			return SQL_INVALID_HANDLE;
		return cs_free_dbc((struct cs_dbc *)o);
	case SQL_HANDLE_STMT:
		if (!(o = cs_get(h, CS_KIND_STMT)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_free_stmt((struct cs_stmt *)o);
	case SQL_HANDLE_DESC:
		if (!(o = cs_get(h, CS_KIND_DESC)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_free_desc((struct cs_desc *)o);
	}
	return SQL_ERROR;
}

CS_EXPORT SQLRETURN SQL_API SQLFreeEnv(SQLHENV env)
{
	return SQLFreeHandle(SQL_HANDLE_ENV, env);
}

CS_EXPORT SQLRETURN SQL_API SQLFreeConnect(SQLHDBC dbc)
{
	return SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

CS_EXPORT SQLRETURN SQL_API SQLFreeStmt(SQLHSTMT hstmt, SQLUSMALLINT option)
{
	struct cs_handle *o = cs_get(hstmt, CS_KIND_STMT);

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(o);
	if (option == SQL_DROP)
		return cs_free_stmt((struct cs_stmt *)o);
	if (!o->drv->a[CS_FN_SQLFreeStmt])
		return cs_not_supported(o, "SQLFreeStmt");
	return ((cs_pf_SQLFreeStmt)o->drv->a[CS_FN_SQLFreeStmt])(o->target, option);
}

/*
 * The target environments of e, each pinned by a connection reference so
 * that none is freed while the caller uses it without the lock.  *n gets
 * how many; NULL when there are none (or no memory for the list).  Unpin
 * each with cs_env_tenv_put.
 */
static struct cs_tenv **cs_env_pin_tenvs(struct cs_env *e, size_t *n)
{
	struct cs_tenv **v = NULL, *t;
	size_t i = 0;

	cs_mutex_lock(&e->lock);
	for (t = e->tenvs; t; t = t->next)
		i++;
	if (i)
		v = calloc(i, sizeof(*v));
	*n = 0;
	for (t = v ? e->tenvs : NULL; t; t = t->next) {
		t->conns++;
		v[(*n)++] = t;
	}
	cs_mutex_unlock(&e->lock);
	return v;
}

/* Applies an environment attribute to every target environment (target
 * calls, so not under the environment lock). */
static void cs_env_apply(struct cs_env *e, SQLINTEGER attr, SQLPOINTER value)
{
	size_t i, n;
	struct cs_tenv **v = cs_env_pin_tenvs(e, &n);

	for (i = 0; i < n; i++) {
		struct cs_tenv *t = v[i];

		if (t->drv->a[CS_FN_SQLSetEnvAttr])
			((cs_pf_SQLSetEnvAttr)t->drv->a[CS_FN_SQLSetEnvAttr])(t->henv, attr, value, 0);
		cs_env_tenv_put(e, t);
	}
	free(v);
}

CS_EXPORT SQLRETURN SQL_API SQLSetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
	struct cs_env *e;
	SQLINTEGER v = (SQLINTEGER)(intptr_t)value;

	/* Connection pooling is the driver manager's (env may be NULL). */
	if (!env && (attr == SQL_ATTR_CONNECTION_POOLING))
		return SQL_SUCCESS;
	if (!(e = (struct cs_env *)cs_get(env, CS_KIND_ENV)))
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&e->h);
	switch (attr) {
	case SQL_ATTR_ODBC_VERSION:
		if (v != SQL_OV_ODBC2 && v != SQL_OV_ODBC3 && v != SQL_OV_ODBC3_80)
			return cs_diag_add(&e->h, CS_SHY024, "invalid ODBC version %d", (int)v);
		e->odbc_version = v;
		break;
	case SQL_ATTR_OUTPUT_NTS:
		e->output_nts = v;
		break;
	case SQL_ATTR_CP_MATCH:
		e->cp_match = (SQLUINTEGER)v;
		return SQL_SUCCESS;
	case SQL_ATTR_CONNECTION_POOLING:
		return SQL_SUCCESS;
	default:
		return cs_diag_add(&e->h, CS_SHY092, "environment attribute %d is not supported", (int)attr);
	}
	cs_env_apply(e, attr, value);
	return SQL_SUCCESS;
}

CS_EXPORT SQLRETURN SQL_API SQLGetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value,
					  SQLINTEGER buflen, SQLINTEGER *len)
{
	struct cs_env *e = (struct cs_env *)cs_get(env, CS_KIND_ENV);
	SQLINTEGER v;

	if (!e)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&e->h);
	switch (attr) {
	case SQL_ATTR_ODBC_VERSION:
		v = e->odbc_version;
		break;
	case SQL_ATTR_OUTPUT_NTS:
		v = e->output_nts;
		break;
	case SQL_ATTR_CP_MATCH:
		v = (SQLINTEGER)e->cp_match;
		break;
	case SQL_ATTR_CONNECTION_POOLING:
		v = SQL_CP_OFF;
		break;
	default:
		return cs_diag_add(&e->h, CS_SHY092, "environment attribute %d is not supported", (int)attr);
	}
	if (value)
		memcpy(value, &v, sizeof(v));
	if (len)
		*len = sizeof(v);
	return SQL_SUCCESS;
}

static SQLRETURN cs_endtran_dbc(struct cs_handle *o, SQLSMALLINT completion)
{
	struct cs_driver *drv = o->drv;

	if (!drv)
		return cs_diag_add(o, CS_S08003, "the connection is not open");
	if (drv->a[CS_FN_SQLEndTran])
		return ((cs_pf_SQLEndTran)drv->a[CS_FN_SQLEndTran])(SQL_HANDLE_DBC, o->target, completion);
	if (drv->a[CS_FN_SQLTransact])
		return ((cs_pf_SQLTransact)drv->a[CS_FN_SQLTransact])(SQL_NULL_HENV, o->target,
								     (SQLUSMALLINT)completion);
	return cs_not_supported(o, "SQLEndTran");
}

/*
 * Commits or rolls back every connection of the environment.  The list is
 * taken under the environment lock, the targets are called without it; a
 * connection freed meanwhile by another thread reads as dead and is
 * skipped.
 */
static SQLRETURN cs_endtran_env(struct cs_env *e, SQLSMALLINT completion)
{
	SQLRETURN rc = SQL_SUCCESS;
	struct cs_dbc *d, **v = NULL;
	size_t i, n = 0;

	cs_mutex_lock(&e->lock);
	for (d = e->dbcs; d; d = d->next_in_env)
		n++;
	if (n && !(v = calloc(n, sizeof(*v)))) {
		cs_mutex_unlock(&e->lock);
		return cs_diag_add(&e->h, CS_SHY001, "out of memory");
	}
	for (i = 0, d = e->dbcs; d; d = d->next_in_env)
		v[i++] = d;
	cs_mutex_unlock(&e->lock);
	for (i = 0; i < n; i++) {
		SQLRETURN r;

		d = v[i];
		if (!cs_get(d, CS_KIND_DBC) || d->env != e || !d->connected)
			continue;
		r = cs_endtran_dbc(&d->h, completion);
		if (r == SQL_ERROR)
			rc = cs_diag_add(&e->h, CS_S25S01, "the transaction of connection to %s could not "
					 "be completed; see that connection's diagnostics", d->dsn);
		else if (r == SQL_SUCCESS_WITH_INFO && rc == SQL_SUCCESS)
			rc = r;
	}
	free(v);
	return rc;
}

CS_EXPORT SQLRETURN SQL_API SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT completion)
{
	struct cs_handle *o;

	if (type == SQL_HANDLE_ENV) {
		if (!(o = cs_get(h, CS_KIND_ENV)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_endtran_env((struct cs_env *)o, completion);
	}
	if (type == SQL_HANDLE_DBC) {
		if (!(o = cs_get(h, CS_KIND_DBC)))
			return SQL_INVALID_HANDLE;
		cs_diag_reset(o);
		return cs_endtran_dbc(o, completion);
	}
	return SQL_ERROR;
}

CS_EXPORT SQLRETURN SQL_API SQLTransact(SQLHENV env, SQLHDBC dbc, SQLUSMALLINT completion)
{
	if (dbc)
		return SQLEndTran(SQL_HANDLE_DBC, dbc, (SQLSMALLINT)completion);
	return SQLEndTran(SQL_HANDLE_ENV, env, (SQLSMALLINT)completion);
}

CS_EXPORT SQLRETURN SQL_API SQLCancelHandle(SQLSMALLINT type, SQLHANDLE h)
{
	struct cs_handle *o;

	if (type == SQL_HANDLE_STMT)
		return SQLCancel(h);
	if (type != SQL_HANDLE_DBC || !(o = cs_get(h, CS_KIND_DBC)))
		return SQL_INVALID_HANDLE;
	cs_diag_reset(o);
	if (!o->drv || !o->drv->a[CS_FN_SQLCancelHandle])
		return cs_not_supported(o, "SQLCancelHandle");
	return ((cs_pf_SQLCancelHandle)o->drv->a[CS_FN_SQLCancelHandle])(type, o->target);
}

CS_EXPORT SQLRETURN SQL_API SQLCopyDesc(SQLHDESC src, SQLHDESC dst)
{
	struct cs_handle *s = cs_get(src, CS_KIND_DESC), *d = cs_get(dst, CS_KIND_DESC);

	if (!s || !d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(d);
	if (s->drv != d->drv)
		return cs_diag_add(d, CS_SHY024, "descriptors of connections through different "
				   "target drivers cannot be copied");
	if (!d->drv->a[CS_FN_SQLCopyDesc])
		return cs_not_supported(d, "SQLCopyDesc");
	return ((cs_pf_SQLCopyDesc)d->drv->a[CS_FN_SQLCopyDesc])(s->target, d->target);
}
