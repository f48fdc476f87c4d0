/* SPDX-License-Identifier: MIT */
/*
 * info_api.c - SQLGetInfo (A and W).
 *
 * Every answer is the target's, except SQL_DATA_SOURCE_NAME: that is the
 * data source the application connected to (the credshim DSN), which
 * the target cannot know.
 */
#include "api/api.h"
#include "core/xstr.h"

static SQLRETURN cs_get_info(SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value, SQLSMALLINT buflen,
			     SQLSMALLINT *len, int wide)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);
	void *fn;
	SQLLEN n = 0;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	if (!d->connected)
		return cs_not_supported(&d->h, wide ? "SQLGetInfoW" : "SQLGetInfo");
	if (type == SQL_DATA_SOURCE_NAME) {
		rc = cs_out_str(d->app_dsn, wide, value, buflen, 1, &n);
		if (len)
			*len = (SQLSMALLINT)n;
		if (rc == SQL_SUCCESS_WITH_INFO)
			cs_diag_add(&d->h, CS_S01004, "String data, right truncated");
		return rc;
	}
	fn = wide ? d->h.drv->w[CS_FN_SQLGetInfo] : d->h.drv->a[CS_FN_SQLGetInfo];
	if (fn)
		return ((cs_pfa_SQLGetInfo)fn)(d->h.target, type, value, buflen, len);
	if (wide && !cs_target_admits(&d->h, SQL_API_SQLGETINFO))
		return cs_disowned(&d->h);
	return cs_x_SQLGetInfo(&d->h, wide, d->h.target, type, value, buflen, len);
}

CS_EXPORT_AW_SAME(SQLGetInfo, cs_get_info,
		  (SQLHDBC hdbc, SQLUSMALLINT type, SQLPOINTER value, SQLSMALLINT buflen, SQLSMALLINT *len),
		  (hdbc, type, value, buflen, len))
