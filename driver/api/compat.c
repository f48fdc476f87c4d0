/* SPDX-License-Identifier: MIT */
/*
 * compat.c - the ODBC 2 entry points a driver manager may still call.
 *
 * Each forwards to the target's own function when the target has it;
 * otherwise it maps the call to credshim's ODBC 3 equivalent (attr_api.c,
 * forward.c), which is exported from this library too and bound locally
 * (-Bsymbolic), the way the driver manager maps them for ODBC 3 drivers.
 * On a connection not open yet the connection options always go to
 * credshim's SQLSetConnectAttr / SQLGetConnectAttr, which store them for
 * replay at connect.
 *
 * SQLBrowseConnect is refused: browsing would hand the application the
 * intermediate steps of credshim's credential checkout.
 */
#include <stdint.h>

#include "api/connect.h"
#include "api/api.h"
#include "util/strinfo.h"

/*
 * The target's function f for a call in variant wide: that variant, or
 * the other one when the call carries no string (nothing to convert).
 * NULL when the call must be mapped to ODBC 3 instead.
 */
static void *cs_compat_fn(const struct cs_handle *o, enum cs_fn f, int wide, int has_string)
{
	int other;
	void *fn;

	if (!o->drv)
		return NULL;
	fn = cs_fn_pick(o->drv, f, wide, &other);
	return fn && (!other || !has_string) ? fn : NULL;
}

/*
 * The live handle h of kind, its own diagnostics reset, with the
 * target's function f for the call in *fn (cs_compat_fn: NULL when the
 * call is mapped to ODBC 3); NULL when h is no handle of that kind.
 */
static struct cs_handle *cs_compat_begin(SQLHANDLE h, enum cs_kind kind, enum cs_fn f, int wide,
					 int has_string, void **fn)
{
	struct cs_handle *o = cs_get(h, kind);

	if (o) {
		cs_diag_reset(o);
		*fn = cs_compat_fn(o, f, wide, has_string);
	}
	return o;
}

/* ---- connection options ---- */

static SQLRETURN cs_set_connect_option(SQLHDBC hdbc, SQLUSMALLINT option, SQLULEN value, int wide)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);
	SQLPOINTER ptr = (SQLPOINTER)(uintptr_t)value;
	SQLINTEGER len;
	void *fn;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	len = cs_cattr_is_string(option) ? SQL_NTS : 0;
	if (d->connected && (fn = cs_compat_fn(&d->h, CS_FN_SQLSetConnectOption, wide, len == SQL_NTS))) {
		rc = ((cs_pf_SQLSetConnectOption)fn)(d->h.target, option, value);
		/* Keep the stored attributes (replayed at a reconnect) in step
		 * with the target, as SQLSetConnectAttr does.  ODBC 2 statement
		 * options set on a connection (numbered below the first
		 * connection option, SQL_ACCESS_MODE) are not stored. */
		if (SQL_SUCCEEDED(rc) && option >= SQL_ACCESS_MODE &&
		    !SQL_SUCCEEDED(cs_dbc_store_attr(d, option, ptr, len, wide)))
			return SQL_ERROR;
		return rc;
	}
	return wide ? SQLSetConnectAttrW(hdbc, option, ptr, len) : SQLSetConnectAttr(hdbc, option, ptr, len);
}

CS_EXPORT_AW_SAME(SQLSetConnectOption, cs_set_connect_option,
		  (SQLHDBC hdbc, SQLUSMALLINT option, SQLULEN value), (hdbc, option, value))

/* ODBC 2 gives no buffer length: a string option's buffer holds
 * SQL_MAX_OPTION_STRING_LENGTH characters and the NUL, an integer one
 * 32 bits (the driver manager passes the same when it maps the call). */
static SQLRETURN cs_get_connect_option(SQLHDBC hdbc, SQLUSMALLINT option, SQLPOINTER value, int wide)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);
	SQLINTEGER buflen;
	int is_str;
	void *fn;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	is_str = cs_cattr_is_string(option);
	if (d->connected && (fn = cs_compat_fn(&d->h, CS_FN_SQLGetConnectOption, wide, is_str)))
		return ((cs_pf_SQLGetConnectOption)fn)(d->h.target, option, value);
	if (!is_str)
		buflen = sizeof(SQLINTEGER);
	else
		buflen = (SQL_MAX_OPTION_STRING_LENGTH + 1) * (wide ? sizeof(SQLWCHAR) : 1);
	return wide ? SQLGetConnectAttrW(hdbc, option, value, buflen, NULL)
		    : SQLGetConnectAttr(hdbc, option, value, buflen, NULL);
}

CS_EXPORT_AW_SAME(SQLGetConnectOption, cs_get_connect_option,
		  (SQLHDBC hdbc, SQLUSMALLINT option, SQLPOINTER value), (hdbc, option, value))

/* ---- statement options and parameters ---- */

CS_EXPORT SQLRETURN SQL_API SQLSetStmtOption(SQLHSTMT hstmt, SQLUSMALLINT option, SQLULEN value)
{
	void *fn;
	struct cs_handle *o = cs_compat_begin(hstmt, CS_KIND_STMT, CS_FN_SQLSetStmtOption, 0, 0, &fn);

	if (!o)
		return SQL_INVALID_HANDLE;
	if (fn)
		return ((cs_pf_SQLSetStmtOption)fn)(o->target, option, value);
	return SQLSetStmtAttr(hstmt, option, (SQLPOINTER)(uintptr_t)value, 0);
}

CS_EXPORT SQLRETURN SQL_API SQLGetStmtOption(SQLHSTMT hstmt, SQLUSMALLINT option, SQLPOINTER value)
{
	void *fn;
	struct cs_handle *o = cs_compat_begin(hstmt, CS_KIND_STMT, CS_FN_SQLGetStmtOption, 0, 0, &fn);

	if (!o)
		return SQL_INVALID_HANDLE;
	if (fn)
		return ((cs_pf_SQLGetStmtOption)fn)(o->target, option, value);
	return SQLGetStmtAttr(hstmt, option, value, 0, NULL);
}

CS_EXPORT SQLRETURN SQL_API SQLParamOptions(SQLHSTMT hstmt, SQLULEN crow, SQLULEN *pirow)
{
	void *fn;
	struct cs_handle *o = cs_compat_begin(hstmt, CS_KIND_STMT, CS_FN_SQLParamOptions, 0, 0, &fn);
	SQLRETURN rc, rc2;

	if (!o)
		return SQL_INVALID_HANDLE;
	if (fn)
		return ((cs_pf_SQLParamOptions)fn)(o->target, crow, pirow);
	rc = SQLSetStmtAttr(hstmt, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)(uintptr_t)crow, 0);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	rc2 = SQLSetStmtAttr(hstmt, SQL_ATTR_PARAMS_PROCESSED_PTR, pirow, 0);
	return rc2 != SQL_SUCCESS ? rc2 : rc;
}

/*
 * SQLSetParam (ODBC 1) and SQLBindParam (its ODBC 3 name) have the same
 * arguments: the target's own function f when it has it, else
 * SQLBindParameter with the parameter type and buffer length the driver
 * manager uses when it maps the call for a driver that lacks it.
 */
static SQLRETURN cs_bind_param(SQLHSTMT hstmt, enum cs_fn f, SQLSMALLINT iotype, SQLLEN buflen,
			       SQLUSMALLINT ipar, SQLSMALLINT ctype, SQLSMALLINT sqltype, SQLULEN colsize,
			       SQLSMALLINT scale, SQLPOINTER value, SQLLEN *ind)
{
	void *fn;
	struct cs_handle *o = cs_compat_begin(hstmt, CS_KIND_STMT, f, 0, 0, &fn);

	if (!o)
		return SQL_INVALID_HANDLE;
	if (fn)
		return ((cs_pf_SQLBindParam)fn)(o->target, ipar, ctype, sqltype, colsize, scale, value, ind);
	return SQLBindParameter(hstmt, ipar, iotype, ctype, sqltype, colsize, scale, value, buflen, ind);
}

CS_EXPORT SQLRETURN SQL_API SQLSetParam(SQLHSTMT hstmt, SQLUSMALLINT ipar, SQLSMALLINT ctype,
					SQLSMALLINT sqltype, SQLULEN colsize, SQLSMALLINT scale,
					SQLPOINTER value, SQLLEN *ind)
{
	return cs_bind_param(hstmt, CS_FN_SQLSetParam, SQL_PARAM_INPUT_OUTPUT, SQL_SETPARAM_VALUE_MAX, ipar,
			     ctype, sqltype, colsize, scale, value, ind);
}

CS_EXPORT SQLRETURN SQL_API SQLBindParam(SQLHSTMT hstmt, SQLUSMALLINT ipar, SQLSMALLINT ctype,
					 SQLSMALLINT sqltype, SQLULEN colsize, SQLSMALLINT scale,
					 SQLPOINTER value, SQLLEN *ind)
{
	return cs_bind_param(hstmt, CS_FN_SQLBindParam, SQL_PARAM_INPUT, 0, ipar, ctype, sqltype, colsize,
			     scale, value, ind);
}

/* ---- column attributes ---- */

/* The ODBC 3 field for an ODBC 2 SQLColAttributes id: three changed
 * meaning; the others are still accepted by SQLColAttribute. */
static SQLUSMALLINT cs_colattr_odbc3(SQLUSMALLINT field)
{
	switch (field) {
	case SQL_COLUMN_COUNT:
		return SQL_DESC_COUNT;
	case SQL_COLUMN_NAME:
		return SQL_DESC_NAME;
	case SQL_COLUMN_NULLABLE:
		return SQL_DESC_NULLABLE;
	}
	return field;
}

static SQLRETURN cs_col_attributes(SQLHSTMT hstmt, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER charattr,
				   SQLSMALLINT buflen, SQLSMALLINT *len, SQLLEN *numattr, int wide)
{
	void *fn;
	struct cs_handle *o = cs_compat_begin(hstmt, CS_KIND_STMT, CS_FN_SQLColAttributes, wide,
					      cs_colattr_is_string(field), &fn);

	if (!o)
		return SQL_INVALID_HANDLE;
	if (fn)
		return ((cs_pf_SQLColAttributes)fn)(o->target, col, field, charattr, buflen, len, numattr);
	field = cs_colattr_odbc3(field);
	return wide ? SQLColAttributeW(hstmt, col, field, charattr, buflen, len, numattr)
		    : SQLColAttribute(hstmt, col, field, charattr, buflen, len, numattr);
}

CS_EXPORT_AW_SAME(SQLColAttributes, cs_col_attributes,
		  (SQLHSTMT hstmt, SQLUSMALLINT icol, SQLUSMALLINT fDescType, SQLPOINTER rgbDesc,
		   SQLSMALLINT cbDescMax, SQLSMALLINT *pcbDesc, SQLLEN *pfDesc),
		  (hstmt, icol, fDescType, rgbDesc, cbDescMax, pcbDesc, pfDesc))

/* ---- browsing ---- */

static SQLRETURN cs_browse_connect(SQLHDBC hdbc, const char *called)
{
	struct cs_handle *o = cs_get(hdbc, CS_KIND_DBC);

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(o);
	return cs_diag_add(o, CS_SIM001, "%s is not supported: browsing would expose credshim's "
			   "credential checkout step by step; connect with SQLDriverConnect", called);
}

CS_EXPORT SQLRETURN SQL_API SQLBrowseConnect(SQLHDBC hdbc, SQLCHAR *szConnStrIn, SQLSMALLINT cbConnStrIn,
					     SQLCHAR *szConnStrOut, SQLSMALLINT cbConnStrOutMax,
					     SQLSMALLINT *pcbConnStrOut)
{
	return cs_browse_connect(hdbc, "SQLBrowseConnect");
}

CS_EXPORT SQLRETURN SQL_API SQLBrowseConnectW(SQLHDBC hdbc, SQLWCHAR *szConnStrIn, SQLSMALLINT cbConnStrIn,
					      SQLWCHAR *szConnStrOut, SQLSMALLINT cbConnStrOutMax,
					      SQLSMALLINT *pcbConnStrOut)
{
	return cs_browse_connect(hdbc, "SQLBrowseConnectW");
}
