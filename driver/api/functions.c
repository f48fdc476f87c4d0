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

#include "fntypes.h"

static const SQLUSMALLINT cs_api_ids[CS_FN__COUNT] = {
#define CS_FWD(name, api, kind, params, args) api,
#define CS_FWDW CS_FWD
#define CS_PAIR CS_FWD
#define CS_HAND(name, api, w) api,
#include "odbc_api.def"
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
		memset(out, 0, 100 * sizeof(*out));
		for (i = 0; i < CS_FN__COUNT; i++)
			if (cs_api_ids[i] < 100 && cs_fn_available(drv, i))
				out[cs_api_ids[i]] = SQL_TRUE;
	} else {
		*out = cs_has_api(drv, id);
	}
}

CS_EXPORT SQLRETURN SQL_API SQLGetFunctions(SQLHDBC hdbc, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
	struct cs_dbc *d = (struct cs_dbc *)cs_get(hdbc, CS_KIND_DBC);

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_diag_reset(&d->h);
	if (!supported)
		return cs_diag_add(&d->h, "HY009", "SQLGetFunctions: null pointer for the answer");
	if (d->connected && d->h.drv->a[CS_FN_SQLGetFunctions])
		return ((cs_pf_SQLGetFunctions)d->h.drv->a[CS_FN_SQLGetFunctions])(d->h.target, id, supported);
	cs_functions_map(d->connected ? d->h.drv : NULL, id, supported);
	return SQL_SUCCESS;
}
