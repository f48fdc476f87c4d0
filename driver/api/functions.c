/* SPDX-License-Identifier: MIT */
/*
 * functions.c - SQLGetFunctions.
 *
 * Once connected, the answer is the target's own (unixODBC asks right
 * after connect and disables what it is told is missing).  A target
 * without SQLGetFunctions, or a connection not yet open, is answered from
 * the function table: the target's entry points, or everything credshim
 * implements.
 */
#include <string.h>

#include "api/api.h"

/* SQL_API_ALL_FUNCTIONS answers an array of this many SQLUSMALLINTs, one
 * per ODBC 2 function number (the ODBC reference, SQLGetFunctions). */
#define CS_ODBC2_FUNCTIONS_SIZE 100

static const SQLUSMALLINT cs_api_ids[CS_FN__COUNT] = {
#define CS_FWD(name, api, kind, params, args) api,
#define CS_FWDW CS_FWD
#define CS_PAIR CS_FWD
#define CS_HAND(name, api, w, params) api,
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_HAND
};

static int cs_fn_available(const struct cs_driver *drv, int i)
{
	return !drv || drv->a[i] || drv->w[i];
}

static SQLUSMALLINT cs_has_api(const struct cs_driver *drv, SQLUSMALLINT id)
{
	int i;

	for (i = 0; i < CS_FN__COUNT; i++)
		if (cs_api_ids[i] == id)
			return cs_fn_available(drv, i) ? SQL_TRUE : SQL_FALSE;
	return SQL_FALSE;
}

static void cs_functions_map(const struct cs_driver *drv, SQLUSMALLINT id, SQLUSMALLINT *out)
{
	int i;

	if (id == SQL_API_ODBC3_ALL_FUNCTIONS) {
		memset(out, 0, SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * sizeof(*out));
		for (i = 0; i < CS_FN__COUNT; i++)
			if (cs_api_ids[i] < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE * 16 && cs_fn_available(drv, i))
				out[cs_api_ids[i] >> 4] |= (SQLUSMALLINT)(1u << (cs_api_ids[i] & 0xF));
	} else if (id == SQL_API_ALL_FUNCTIONS) {
		memset(out, 0, CS_ODBC2_FUNCTIONS_SIZE * sizeof(*out));
		for (i = 0; i < CS_FN__COUNT; i++)
			if (cs_api_ids[i] < CS_ODBC2_FUNCTIONS_SIZE && cs_fn_available(drv, i))
				out[cs_api_ids[i]] = SQL_TRUE;
	} else {
		*out = cs_has_api(drv, id);
	}
}

/*
 * Diagnostics are credshim's own functions whatever the target: they
 * read credshim's records and the target's (through SQLError for a target
 * that offers nothing else), so they are always there.
 */
static const SQLUSMALLINT cs_always[] = { SQL_API_SQLGETDIAGREC, SQL_API_SQLGETDIAGFIELD, SQL_API_SQLERROR };

static void cs_functions_add_own(SQLUSMALLINT id, SQLUSMALLINT *out)
{
	size_t i;

	for (i = 0; i < sizeof(cs_always) / sizeof(cs_always[0]); i++) {
		SQLUSMALLINT f = cs_always[i];

		if (id == SQL_API_ODBC3_ALL_FUNCTIONS)
			out[f >> 4] |= (SQLUSMALLINT)(1u << (f & 0xF));
		else if (id == SQL_API_ALL_FUNCTIONS && f < CS_ODBC2_FUNCTIONS_SIZE)
			out[f] = SQL_TRUE;
		else if (id == f)
			*out = SQL_TRUE;
	}
}

CS_EXPORT SQLRETURN SQL_API SQLGetFunctions(SQLHDBC hdbc, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	if (!supported)
		return cs_diag_add(&d->h, CS_SHY009, "SQLGetFunctions: null pointer for the answer");
	if (d->connected && d->h.drv->a[CS_FN_SQLGetFunctions]) {
		SQLRETURN rc = ((cs_pf_SQLGetFunctions)d->h.drv->a[CS_FN_SQLGetFunctions])(d->h.target,
				id, supported);

		if (SQL_SUCCEEDED(rc))
			cs_functions_add_own(id, supported);
		return rc;
	}
	cs_functions_map(d->connected ? d->h.drv : NULL, id, supported);
	cs_functions_add_own(id, supported);
	return SQL_SUCCESS;
}
