/* SPDX-License-Identifier: MIT */
/*
 * connect.c - opening a connection through the target driver.
 *
 *   application's connection string (or DSN/UID/PWD)
 *     + the DSN's entries from odbc.ini (the connection string wins)
 *     -> TargetDriver / TargetDSN: load the target library
 *     -> [PAM mode: check a credential out; it becomes UID/PWD]
 *     -> target environment (one per driver and credshim environment)
 *     -> target connection handle, stored attributes replayed
 *     -> target SQLDriverConnect with every key credshim does not own
 *
 * Every failure on the way frees what was taken, in reverse order, and
 * leaves the application a diagnostic that names what to fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"
#include "api/connect.h"
#include "util/connstr.h"
#include "core/dsn.h"
#include "api/api.h"
#include "core/log.h"
#include "pam/session.h"
#include "util/logins.h"
#include "util/utf.h"

/* Everything one connect attempt holds, released by cs_conn_ctx_free. */
struct cs_conn_ctx {
	struct cs_attrs in;    /* the application's keys */
	struct cs_attrs all;   /* + the DSN's */
	struct cs_attrs tgt;   /* what the target gets */
	char *tconn;           /* tgt built (holds the password) */
	char *tout;            /* the target's completed string (may too) */
	struct cs_driver *drv;
	struct cs_auth auth;   /* PAM credential, when PAM mode is on */
};

static void cs_conn_ctx_free(struct cs_conn_ctx *c)
{
	cs_attrs_free(&c->in);
	cs_attrs_free(&c->all);
	cs_attrs_free(&c->tgt);
	cs_wipe_free(&c->tconn);
	cs_wipe_free(&c->tout);
	if (c->drv)
		cs_target_release(c->drv);
	cs_auth_wipe(&c->auth);
}

/* Reads the DSN named in the connection string, if any. */
static SQLRETURN cs_conn_read_dsn(struct cs_dbc *d, struct cs_conn_ctx *c)
{
	const char *dsn = cs_attrs_get(&c->all, "DSN");
	const char *driver = cs_attrs_get(&c->all, "DRIVER");
	int r;

	snprintf(d->dsn, sizeof(d->dsn), "%s", dsn && *dsn ? dsn : "(DSN-less connection)");
	snprintf(d->app_dsn, sizeof(d->app_dsn), "%s", dsn ? dsn : "");
	if (!dsn || !*dsn)
		return SQL_SUCCESS;
	r = cs_dsn_read(dsn, &c->all);
	if (r < 0)
		return cs_diag_add(&d->h, CS_SHY001, "out of memory reading DSN '%s'", dsn);
	if (r > 0 && !driver)
		return cs_diag_add(&d->h, CS_SIM002, "data source '%s' has no entries in odbc.ini", dsn);
	return SQL_SUCCESS;
}

/* Finds and loads the target driver named by TargetDriver or TargetDSN. */
static SQLRETURN cs_conn_load_target(struct cs_dbc *d, struct cs_conn_ctx *c)
{
	const char *tdrv = cs_attrs_get(&c->all, "TargetDriver");
	const char *tdsn = cs_attrs_get(&c->all, "TargetDSN");
	char name[1024], path[4096], err[1024];

	if (tdrv && !*tdrv)
		tdrv = NULL;
	if (tdsn && !*tdsn)
		tdsn = NULL;
	if (!tdrv && !tdsn)
		return cs_diag_add(&d->h, CS_SIM002, "%s sets neither TargetDriver nor TargetDSN: add "
				   "TargetDriver=<driver name from odbcinst.ini, or library path> or "
				   "TargetDSN=<DSN of the real driver>", d->dsn);
	if (tdrv && tdsn)
		return cs_diag_add(&d->h, CS_S08001, "%s sets both TargetDriver and TargetDSN: keep one",
				   d->dsn);
	if (tdsn) {
		if (cs_dsn_driver(tdsn, name, sizeof(name)) != 0)
			return cs_diag_add(&d->h, CS_SIM002, "TargetDSN '%s' of %s is not a data source "
					   "with a Driver entry in odbc.ini", tdsn, d->dsn);
		tdrv = name;
	}
	if (cs_target_resolve(tdrv, path, sizeof(path), err, sizeof(err)) != 0)
		return cs_diag_add(&d->h, CS_SIM003, "%s: %s", d->dsn, err);
	c->drv = cs_target_acquire(path, err, sizeof(err));
	if (!c->drv)
		return cs_diag_add(&d->h, CS_SIM003, "%s", err);
	cs_log(CS_LOG_INFO, "%s: target driver %s", d->dsn, c->drv->path);
	return SQL_SUCCESS;
}

/*
 * Whether a key of the application's or the DSN's reaches the target:
 * every key credshim does not own, and UID and PWD in pass-through mode.
 * In PAM mode no key the target could read a login from does (logins.def,
 * whatever the target driver): the checked-out account is the only one.
 */
static int cs_conn_key_for_target(struct cs_dbc *d, const char *key, int pam)
{
	const struct cs_key *own = cs_conf_find(key);

	if (pam && cs_login_key(key)) {
		cs_log(CS_LOG_WARN, "%s: PAM mode ignores %s: the target gets the checked-out account "
		       "and password", d->dsn, key);
		return 0;
	}
	return !own || own == &cs_keys[CS_K_UID] || own == &cs_keys[CS_K_PWD];
}

/*
 * In PAM mode with a TargetDSN: a login the target would read from that
 * DSN in odbc.ini under a name other than UID/PWD is overridden in the
 * connection string with the checked-out one, so that no driver's rule
 * for DSN versus string can pick the DSN's.
 */
static int cs_conn_override_tdsn(struct cs_dbc *d, struct cs_conn_ctx *c, const char *tdsn)
{
	struct cs_attrs t;
	size_t i;
	int r = 0;

	cs_attrs_init(&t);
	if (cs_dsn_read(tdsn, &t) < 0)
		r = -1;
	for (i = 0; i < t.n && !r; i++) {
		const char *k = t.v[i].key;
		enum cs_login_kind kind = cs_login_key(k);

		if (kind == CS_LOGIN_NONE)
			continue;
		cs_log(CS_LOG_WARN, "%s: PAM mode overrides %s of target DSN %s with the checked-out "
		       "%s", d->dsn, k, tdsn, kind == CS_LOGIN_USER ? "account" : "password");
		if (!cs_connstr_key_eq(k, "UID") && !cs_connstr_key_eq(k, "PWD"))
			r = kind == CS_LOGIN_USER ? cs_attrs_add(&c->tgt, k, c->auth.account)
						  : cs_attrs_add_braced(&c->tgt, k, c->auth.passwd);
	}
	cs_attrs_free(&t);
	return r;
}

/*
 * The target's connection string: DSN (TargetDSN), in PAM mode the
 * checked-out login as the only one, then the keys of the application and
 * the DSN that reach the target, in their order, repeated keys included:
 * for a key credshim does not own, the target applies its own rule.
 */
static SQLRETURN cs_conn_build_target(struct cs_dbc *d, struct cs_conn_ctx *c)
{
	const char *tdsn = cs_attrs_get(&c->all, "TargetDSN");
	size_t i;
	int r = 0;

	if (tdsn && *tdsn)
		r |= cs_attrs_add(&c->tgt, "DSN", tdsn);
	if (c->auth.on) {
		/* The password in braces whatever it holds, the account
		 * only where it must be (cs_attrs_add_login). */
		r |= cs_attrs_add_login(&c->tgt, "UID", c->auth.account, "PWD", c->auth.passwd);
		if (!r && tdsn && *tdsn)
			r |= cs_conn_override_tdsn(d, c, tdsn);
	}
	for (i = 0; i < c->all.n && !r; i++)
		if (cs_conn_key_for_target(d, c->all.v[i].key, c->auth.on))
			r |= cs_attrs_add_pair(&c->tgt, &c->all.v[i]);
	if (r || !(c->tconn = cs_attrs_build(&c->tgt, NULL, NULL)))
		return cs_diag_add(&d->h, CS_SHY001, "out of memory building the target connection string");
	return SQL_SUCCESS;
}

/* The longest completed connection string taken from a target. */
#define CS_TARGET_OUT_MAX 32766

/*
 * Calls the target's SQLDriverConnect in the variant the application
 * used when it has it, never prompting.  The target's completed
 * connection string goes to *tout as UTF-8 (NULL when it gave none).
 */
static SQLRETURN cs_conn_call_target(struct cs_dbc *d, const char *tconn, int wide, char **tout)
{
	struct cs_driver *drv = d->h.drv;
	int other;
	void *fn = cs_fn_pick(drv, CS_FN_SQLDriverConnect, wide, &other);
	int twide = wide != other;
	SQLSMALLINT outlen = 0;
	size_t n = 0, tn, bytes = (CS_TARGET_OUT_MAX + 1) * (twide ? sizeof(SQLWCHAR) : 1);
	void *out, *w = NULL, *in = (void *)tconn;
	SQLRETURN rc;

	*tout = NULL;
	if (!fn)
		return cs_diag_add(&d->h, CS_SIM001, "target driver %s has no SQLDriverConnect", drv->path);
	out = calloc(1, bytes);
	if (twide && out)
		in = w = cs_utf8_to_u16_dup(tconn, strlen(tconn), &n);
	if (!out || !in) {
		rc = cs_diag_add(&d->h, CS_SHY001, "out of memory");
		goto out_free;
	}
	if (twide)
		rc = ((cs_pfw_SQLDriverConnect)fn)(d->h.target, NULL, in, SQL_NTS, out, CS_TARGET_OUT_MAX,
						   &outlen, SQL_DRIVER_NOPROMPT);
	else
		rc = ((cs_pfa_SQLDriverConnect)fn)(d->h.target, NULL, in, SQL_NTS, out, CS_TARGET_OUT_MAX,
						   &outlen, SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc) && outlen > 0)
		*tout = twide ? cs_u16_to_utf8_dup(out, cs_u16_nlen(out, CS_TARGET_OUT_MAX), &tn)
			      : strndup(out, CS_TARGET_OUT_MAX);
out_free:
	if (w) {
		explicit_bzero(w, n * sizeof(cs_u16));
		free(w);
	}
	if (out) {
		explicit_bzero(out, bytes);
		free(out);
	}
	return rc;
}

static SQLRETURN cs_target_alloc_dbc(struct cs_dbc *d, struct cs_tenv *t, SQLHDBC *out)
{
	struct cs_driver *drv = t->drv;

	if (drv->a[CS_FN_SQLAllocHandle])
		return ((cs_pf_SQLAllocHandle)drv->a[CS_FN_SQLAllocHandle])(SQL_HANDLE_DBC, t->henv, out);
	if (drv->a[CS_FN_SQLAllocConnect])
		return ((cs_pf_SQLAllocConnect)drv->a[CS_FN_SQLAllocConnect])(t->henv, out);
	return cs_diag_add(&d->h, CS_SIM005, "target driver %s cannot allocate a connection", drv->path);
}

static void cs_target_free_dbc(struct cs_driver *drv, SQLHDBC h)
{
	if (drv->a[CS_FN_SQLFreeHandle])
		((cs_pf_SQLFreeHandle)drv->a[CS_FN_SQLFreeHandle])(SQL_HANDLE_DBC, h);
	else if (drv->a[CS_FN_SQLFreeConnect])
		((cs_pf_SQLFreeConnect)drv->a[CS_FN_SQLFreeConnect])(h);
}

/*
 * Whether the driver manager would read this target's diagnostics through
 * SQLError: it has SQLError and no SQLGetDiagRec it admits to.
 */
static int cs_target_diag_via_error(struct cs_dbc *d)
{
	struct cs_driver *drv = d->h.drv;
	SQLUSMALLINT has = SQL_TRUE;

	if (!drv->a[CS_FN_SQLError])
		return 0;
	if (!drv->a[CS_FN_SQLGetDiagRec] && !drv->w[CS_FN_SQLGetDiagRec])
		return 1;
	if (drv->a[CS_FN_SQLGetFunctions] &&
	    SQL_SUCCEEDED(((cs_pf_SQLGetFunctions)drv->a[CS_FN_SQLGetFunctions])(d->h.target,
			SQL_API_SQLGETDIAGREC, &has)))
		return has != SQL_TRUE;
	return 0;
}

/* Forgets the target connection handle (already disconnected or never
 * connected) and the target environment reference. */
static void cs_conn_drop_target(struct cs_dbc *d)
{
	if (d->h.target)
		cs_target_free_dbc(d->h.drv, d->h.target);
	if (d->tenv)
		cs_env_tenv_put(d->env, d->tenv);
	d->h.target = NULL;
	d->h.drv = NULL;
	d->tenv = NULL;
	d->connected = 0;
	d->pam = 0;
}

/*
 * One login through the target with the context's credentials: a target
 * connection handle with the stored attributes, then its connect.  On
 * failure the target's diagnostics are copied to d and the handle freed.
 */
static SQLRETURN cs_conn_login(struct cs_dbc *d, struct cs_conn_ctx *c, int wide)
{
	SQLHDBC th = SQL_NULL_HDBC;
	SQLRETURN rc;
	int created;

	rc = cs_conn_build_target(d, c);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	d->tenv = cs_env_tenv_get(d->env, c->drv, &d->h, &created);
	if (!d->tenv)
		return SQL_ERROR;
	rc = cs_target_alloc_dbc(d, d->tenv, &th);
	if (!SQL_SUCCEEDED(rc)) {
		cs_conn_drop_target(d);
		return cs_diag_add(&d->h, CS_SIM005, "target driver %s failed to allocate a connection",
				   c->drv->path);
	}
	d->h.drv = c->drv;
	d->h.target = th;
	cs_dbc_apply_attrs(d, 1);
	rc = cs_conn_call_target(d, c->tconn, wide, &c->tout);
	/* The connect's records, before credshim's next calls of the target
	 * (SQLGetFunctions, the attributes below) can clear them. */
	if (rc != SQL_SUCCESS)
		cs_diag_import(&d->h, d->h.drv, SQL_HANDLE_DBC, th, 1);
	if (!SQL_SUCCEEDED(rc)) {
		cs_conn_drop_target(d);
		return rc;
	}
	d->connected = 1;
	/* What the driver manager adds when it finds the target speaking
	 * another ODBC version than the application's (SQL_OV_ODBC3_80 with
	 * psqlODBC 13 or SQLite ODBC), as it would add it directly. */
	if (!cs_env_tenv_version_ok(d->env, d->tenv, created)) {
		cs_diag_dm(&d->h, CS_S01000, "Driver does not support the requested version");
		rc = SQL_SUCCESS_WITH_INFO;
	}
	d->diag_via_error = cs_target_diag_via_error(d);
	d->have_funcs = d->h.drv->a[CS_FN_SQLGetFunctions] &&
		SQL_SUCCEEDED(((cs_pf_SQLGetFunctions)d->h.drv->a[CS_FN_SQLGetFunctions])(d->h.target,
				SQL_API_ODBC3_ALL_FUNCTIONS, d->funcs));
	cs_dbc_apply_attrs(d, 0);
	/* What the target's handle holds now is the connect's records (copied
	 * above) or what credshim's own calls left there (the attributes,
	 * SQLGetFunctions), which the driver manager would not show. */
	cs_diag_hide_target(&d->h);
	return rc;
}

/*
 * Which segments of the target's completed string the application gets
 * back: not the target's DSN or DRIVER (credshim puts its own first), no
 * key credshim owns, and in PAM mode no login at all (the checked-out
 * account and password, under any name).  In pass-through mode the
 * target's UID and PWD stay exactly as the target returns them.
 */
static int cs_out_drop_target_key(const char *key, void *ctx)
{
	const struct cs_key *own = cs_conf_find(key);
	const int *pam = ctx;

	if (*pam && cs_login_key(key))
		return 1;
	return own && own != &cs_keys[CS_K_UID] && own != &cs_keys[CS_K_PWD];
}

/* Which of credshim's keys of the application's string (first
 * occurrences) go back: never a secret (PamToken), never a login (those
 * come from the target's part). */
static int cs_out_skip_own(const char *key, void *ctx)
{
	const struct cs_key *own = cs_conf_find(key);
	const struct cs_attrs *in = ctx;

	if (!own || (own->flags & CS_KF_SECRET) || own == &cs_keys[CS_K_UID] || own == &cs_keys[CS_K_PWD])
		return 1;
	/* DSN= wins over Driver=; giving both back would be ambiguous. */
	return own == &cs_keys[CS_K_DRIVER] && cs_attrs_get(in, "DSN");
}

/*
 * The output connection string: credshim's own keys as the application
 * gave them (its DSN or Driver, TargetDriver/TargetDSN, Pam* but never
 * the token, Shim*), then the target's completed string with its own DSN
 * or DRIVER and, in PAM mode, every login removed; an application that
 * reconnects with it lands on credshim with the same settings.  When the
 * target completed nothing, its part is the application's other keys.
 */
static char *cs_conn_out(struct cs_conn_ctx *c, int pam)
{
	struct cs_attrs own, rest;
	char *head = NULL, *tail = NULL, *out = NULL;
	size_t i, hn, tn;

	cs_attrs_init(&own);
	cs_attrs_init(&rest);
	for (i = 0; i < c->in.n; i++) {
		const char *k = c->in.v[i].key;
		int r;

		if (cs_conf_find(k) && !cs_attrs_get(&own, k))
			r = cs_attrs_add_pair(&own, &c->in.v[i]);
		else if (!c->tout && !cs_out_drop_target_key(k, &pam) && !cs_conf_find(k))
			r = cs_attrs_add_pair(&rest, &c->in.v[i]);
		else
			r = 0;
		if (r)
			goto out_free;
	}
	head = cs_attrs_build(&own, cs_out_skip_own, &c->in);
	tail = c->tout ? cs_connstr_filter(c->tout, cs_out_drop_target_key, &pam)
		       : cs_attrs_build(&rest, NULL, NULL);
	if (!head || !tail)
		goto out_free;
	hn = strlen(head);
	tn = strlen(tail);
	out = malloc(hn + 1 + tn + 1);
	if (!out)
		goto out_free;
	memcpy(out, head, hn);
	if (hn && tn)
		out[hn++] = ';';
	memcpy(out + hn, tail, tn + 1);
out_free:
	cs_wipe_free(&head);
	cs_wipe_free(&tail);
	cs_attrs_free(&own);
	cs_attrs_free(&rest);
	return out;
}

SQLRETURN cs_connect(struct cs_dbc *d, const char *connstr, size_t len, int wide, char **out)
{
	struct cs_conn_ctx c;
	char err[256];
	SQLRETURN rc, arc;

	memset(&c, 0, sizeof(c));
	if (d->connected)
		return cs_diag_add(&d->h, CS_S08002, "the connection is already open");
	if (cs_attrs_parse_all(&c.in, connstr, len, err, sizeof(err)) != 0) {
		rc = cs_diag_add(&d->h, CS_S08001, "invalid %s", err);
		goto out;
	}
	if (cs_attrs_append(&c.all, &c.in) != 0) {
		rc = cs_diag_add(&d->h, CS_SHY001, "out of memory");
		goto out;
	}
	rc = cs_conn_read_dsn(d, &c);
	if (!SQL_SUCCEEDED(rc))
		goto out;
	if (cs_log_configure(&c.all) != 0) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: ShimLogLevel must be error, warn, info or debug",
				 d->dsn);
		goto out;
	}
	if (cs_conf_check_keys(&c.all, err, sizeof(err))) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: %s", d->dsn, err);
		goto out;
	}
	rc = cs_conn_load_target(d, &c);
	if (!SQL_SUCCEEDED(rc))
		goto out;
	arc = cs_auth_begin(d, &c.all, &c.auth);
	if (!SQL_SUCCEEDED(arc)) {
		rc = arc;
		goto out;
	}
	rc = cs_conn_login(d, &c, wide);
	if (!SQL_SUCCEEDED(rc) && c.auth.on && cs_auth_retry(d, &c.auth)) {
		/* A shared checkout the target refused: one fresh try. */
		cs_attrs_free(&c.tgt);
		cs_wipe_free(&c.tconn);
		cs_diag_clear_slow(&d->h);
		rc = cs_conn_login(d, &c, wide);
	}
	if (c.auth.on)
		cs_auth_settle(d, &c.auth, SQL_SUCCEEDED(rc));
	if (!SQL_SUCCEEDED(rc))
		goto out;
	if (arc == SQL_SUCCESS_WITH_INFO)
		rc = SQL_SUCCESS_WITH_INFO;
	d->pam = c.auth.on;
	if (out) {
		*out = cs_conn_out(&c, d->pam);
		if (!*out) {
			/* SQL_ERROR leaves no connection open: close it, check in */
			cs_connect_end(d);
			rc = cs_diag_add(&d->h, CS_SHY001, "out of memory");
			goto out;
		}
	}
	cs_log(CS_LOG_INFO, "%s: connected%s", d->dsn, d->pam ? " with a PAM credential" : "");
out:
	cs_conn_ctx_free(&c);
	return rc;
}

static SQLRETURN cs_target_disconnect(struct cs_dbc *d)
{
	struct cs_driver *drv = d->h.drv;

	if (!drv->a[CS_FN_SQLDisconnect])
		return cs_not_supported(&d->h, "SQLDisconnect");
	return ((cs_pf_SQLDisconnect)drv->a[CS_FN_SQLDisconnect])(d->h.target);
}

/* After the target connection is closed: statements gone, credential
 * returned, handles freed. */
static SQLRETURN cs_conn_closed(struct cs_dbc *d, SQLRETURN rc)
{
	SQLRETURN arc;

	cs_dbc_drop_children(d);
	if (rc == SQL_SUCCESS_WITH_INFO)
		cs_diag_import(&d->h, d->h.drv, SQL_HANDLE_DBC, d->h.target, d->diag_via_error);
	arc = cs_auth_end(d);
	cs_conn_drop_target(d);
	cs_log(CS_LOG_INFO, "%s: disconnected", d->dsn);
	return arc == SQL_SUCCESS_WITH_INFO ? SQL_SUCCESS_WITH_INFO : rc;
}

SQLRETURN cs_disconnect(struct cs_dbc *d)
{
	SQLRETURN rc;

	if (!d->connected)
		return cs_diag_add(&d->h, CS_S08003, "the connection is not open");
	rc = cs_target_disconnect(d);
	if (rc == SQL_ERROR || rc == SQL_INVALID_HANDLE)
		return rc;
	return cs_conn_closed(d, rc);
}

void cs_connect_end(struct cs_dbc *d)
{
	struct cs_driver *drv = d->h.drv;
	SQLRETURN rc;

	if (!d->connected)
		return;
	rc = cs_target_disconnect(d);
	if (!SQL_SUCCEEDED(rc)) {
		/* An open transaction refuses disconnect: roll it back. */
		if (drv->a[CS_FN_SQLEndTran])
			((cs_pf_SQLEndTran)drv->a[CS_FN_SQLEndTran])(SQL_HANDLE_DBC, d->h.target, SQL_ROLLBACK);
		else if (drv->a[CS_FN_SQLTransact])
			((cs_pf_SQLTransact)drv->a[CS_FN_SQLTransact])(SQL_NULL_HENV, d->h.target, SQL_ROLLBACK);
		rc = cs_target_disconnect(d);
	}
	cs_conn_closed(d, SQL_SUCCESS);
}
