/* SPDX-License-Identifier: MIT */
/*
 * attr_api.c - connection and statement attributes (A and W).
 *
 * Connection attributes are stored by credshim (core/attr.c) so they can
 * be replayed at connect and answered before it.  Statement attributes
 * pass through, except the four descriptor attributes, whose values are
 * descriptor handles: credshim's wrappers on the application side, the
 * target's handles on the target side.
 */
#include <string.h>

#include "api/connect.h"
#include "api/api.h"
#include "core/xstr.h"

static SQLRETURN cs_set_connect_attr(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len,
				     int wide)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	if (!d->connected)
		return cs_dbc_store_attr(d, attr, value, len, wide);
	rc = cs_dbc_target_set_attr(d, attr, value, len, wide);
	if (SQL_SUCCEEDED(rc) && !SQL_SUCCEEDED(cs_dbc_store_attr(d, attr, value, len, wide)))
		return SQL_ERROR;
	return rc;
}

CS_EXPORT_AW_SAME(SQLSetConnectAttr, cs_set_connect_attr,
		  (SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len), (hdbc, attr, value, len))

/* The ODBC defaults of attributes an application may read before
 * connecting without having set them. */
static int cs_cattr_default(SQLINTEGER attr, SQLUINTEGER *v)
{
	switch (attr) {
	case SQL_ATTR_AUTOCOMMIT:
		*v = SQL_AUTOCOMMIT_ON;
		return 1;
	case SQL_ATTR_ACCESS_MODE:
		*v = SQL_MODE_READ_WRITE;
		return 1;
	case SQL_ATTR_LOGIN_TIMEOUT:
	case SQL_ATTR_CONNECTION_TIMEOUT:
		*v = 0;
		return 1;
	case SQL_ATTR_CONNECTION_DEAD:
		*v = SQL_CD_TRUE;
		return 1;
	case SQL_ATTR_METADATA_ID:
		*v = SQL_FALSE;
		return 1;
	case SQL_ATTR_ASYNC_ENABLE:
		*v = SQL_ASYNC_ENABLE_OFF;
		return 1;
	case SQL_ATTR_TRACE:
		*v = SQL_OPT_TRACE_OFF;
		return 1;
	}
	return 0;
}

/* Answers from the stored attributes on a connection not open yet. */
static SQLRETURN cs_get_stored_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
				    SQLINTEGER buflen, SQLINTEGER *len, int wide)
{
	const struct cs_cattr *c = cs_dbc_find_attr(d, attr);
	SQLUINTEGER v;
	SQLLEN n = 0;
	SQLRETURN rc;

	if (c && c->is_str) {
		struct cs_xstr x = {0};
		const char *u8 = c->str;

		if (c->wide && cs_xstr_in(&x, 1, c->str, c->strlen_bytes, 1) != 0)
			return cs_diag_add(&d->h, CS_SHY001, "out of memory");
		if (c->wide)
			u8 = x.p;
		rc = cs_out_str(u8, wide, value, buflen, 1, &n);
		cs_xstr_free(&x);
		if (len)
			*len = (SQLINTEGER)n;
		if (rc == SQL_SUCCESS_WITH_INFO)
			cs_diag_add(&d->h, CS_S01004, "String data, right truncated");
		return rc;
	}
	if (c)
		v = (SQLUINTEGER)c->ival;
	else if (!cs_cattr_default(attr, &v))
		return cs_diag_add(&d->h, CS_S08003, "connection attribute %d is not known before the "
				   "connection is open", (int)attr);
	if (attr == SQL_ATTR_QUIET_MODE) {
		SQLULEN p = c ? c->ival : 0;

		if (value)
			memcpy(value, &p, sizeof(p));
	} else if (value) {
		memcpy(value, &v, sizeof(v));
	}
	if (len)
		*len = sizeof(v);
	return SQL_SUCCESS;
}

struct cs_xc_cattr {
	struct cs_xcall x;
	SQLINTEGER attr;
};

static SQLRETURN cs_xc_cattr(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_cattr *c = ctx;

	return ((cs_pf_SQLGetConnectAttr)c->x.fn)(c->x.target, c->attr, buf, (SQLINTEGER)buflen, tlen);
}

static SQLRETURN cs_get_connect_attr(SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value,
				     SQLINTEGER buflen, SQLINTEGER *len, int wide)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);
	struct cs_xc_cattr c = {.x.wide = wide, .attr = attr};
	const struct cs_xreq r = {.app_wide = wide, .in_bytes = 1, .max = CS_XOUT_MAX_I, .buf = value,
				  .buflen = buflen, .ilen = len};
	int other;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	if (!d->connected)
		return cs_get_stored_attr(d, attr, value, buflen, len, wide);
	c.x.fn = cs_fn_pick(d->h.drv, CS_FN_SQLGetConnectAttr, wide, &other);
	if (!c.x.fn)
		return cs_not_supported(&d->h, "SQLGetConnectAttr");
	if (!other || !cs_cattr_is_string(attr))
		return ((cs_pf_SQLGetConnectAttr)c.x.fn)(d->h.target, attr, value, buflen, len);
	c.x.target = d->h.target;
	return cs_xout_get(&d->h, &r, cs_xc_cattr, &c);
}

CS_EXPORT_AW_SAME(SQLGetConnectAttr, cs_get_connect_attr,
		  (SQLHDBC hdbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER buflen, SQLINTEGER *len),
		  (hdbc, attr, value, buflen, len))

static int cs_desc_attr_index(SQLINTEGER attr)
{
	switch (attr) {
	case SQL_ATTR_APP_ROW_DESC:
		return 0;
	case SQL_ATTR_APP_PARAM_DESC:
		return 1;
	case SQL_ATTR_IMP_ROW_DESC:
		return 2;
	case SQL_ATTR_IMP_PARAM_DESC:
		return 3;
	}
	return -1;
}

static SQLRETURN cs_set_stmt_attr(SQLHSTMT hstmt, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len,
				  int wide)
{
	struct cs_handle *o = cs_get(hstmt, CS_KIND_STMT);
	int other;
	void *fn;

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(o);
	if (cs_desc_attr_index(attr) >= 0 && value) {
		struct cs_handle *ds = cs_get(value, CS_KIND_DESC);

		if (!ds)
			return cs_diag_add(o, CS_SHY024, "the descriptor handle is not valid");
		value = ds->target;
	}
	fn = cs_fn_pick(o->drv, CS_FN_SQLSetStmtAttr, wide, &other);
	if (fn)
		return ((cs_pf_SQLSetStmtAttr)fn)(o->target, attr, value, len);
	if (o->drv->a[CS_FN_SQLSetStmtOption])
		return ((cs_pf_SQLSetStmtOption)o->drv->a[CS_FN_SQLSetStmtOption])(o->target,
				(SQLUSMALLINT)attr, (SQLULEN)(uintptr_t)value);
	return cs_not_supported(o, "SQLSetStmtAttr");
}

CS_EXPORT_AW_SAME(SQLSetStmtAttr, cs_set_stmt_attr,
		  (SQLHSTMT hstmt, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len), (hstmt, attr, value, len))

/* A descriptor handle from the target, as the application must see it. */
static SQLRETURN cs_wrap_desc_value(struct cs_stmt *s, int which, SQLPOINTER value)
{
	SQLHDESC th;
	struct cs_desc *ds;

	memcpy(&th, value, sizeof(th));
	if (!th)
		return SQL_SUCCESS;
	ds = cs_desc_find(s->dbc, s, th);
	if (!ds)
		ds = cs_desc_wrap(s, which, th);
	if (!ds)
		return cs_diag_add(&s->h, CS_SHY001, "out of memory");
	memcpy(value, &ds, sizeof(ds));
	return SQL_SUCCESS;
}

static SQLRETURN cs_get_stmt_attr(SQLHSTMT hstmt, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER buflen,
				  SQLINTEGER *len, int wide)
{
	struct cs_handle *o = cs_get(hstmt, CS_KIND_STMT);
	int other, which;
	void *fn;
	SQLRETURN rc;

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(o);
	fn = cs_fn_pick(o->drv, CS_FN_SQLGetStmtAttr, wide, &other);
	if (fn)
		rc = ((cs_pf_SQLGetStmtAttr)fn)(o->target, attr, value, buflen, len);
	else if (o->drv->a[CS_FN_SQLGetStmtOption])
		rc = ((cs_pf_SQLGetStmtOption)o->drv->a[CS_FN_SQLGetStmtOption])(o->target,
				(SQLUSMALLINT)attr, value);
	else
		return cs_not_supported(o, "SQLGetStmtAttr");
	which = cs_desc_attr_index(attr);
	if (which < 0 || !SQL_SUCCEEDED(rc) || !value)
		return rc;
	if (cs_wrap_desc_value((struct cs_stmt *)o, which, value) != SQL_SUCCESS)
		return SQL_ERROR;
	return rc;
}

CS_EXPORT_AW_SAME(SQLGetStmtAttr, cs_get_stmt_attr,
		  (SQLHSTMT hstmt, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER buflen, SQLINTEGER *len),
		  (hstmt, attr, value, buflen, len))
