/* SPDX-License-Identifier: MIT */
/*
 * fntypes.h - pointer types for the target's entry points, generated from
 * odbc_api.def: what core and the ODBC API cast a target's function to
 * before calling it.
 */
#ifndef CS_FNTYPES_H
#define CS_FNTYPES_H

#include "core/cs.h"

/* credshim converts UTF-8 to UTF-16 code units: unixODBC built with a
 * 4-byte SQLWCHAR (SQL_WCHART_CONVERT) is not supported. */
_Static_assert(sizeof(SQLWCHAR) == 2, "SQLWCHAR must be a 2-byte UTF-16 code unit");

/*
 * cs_pf_X for functions without strings, cs_pfa_X / cs_pfw_X for pairs;
 * hand-written rows get cs_pf_X, and cs_pfa_X / cs_pfw_X when w is 1.
 */
#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pf_##name) params;
#define CS_FWDW CS_FWD
#define CS_PAIR(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pfa_##name) params;
#define CS_HAND(name, api, w, params) \
	typedef SQLRETURN (SQL_API *cs_pf_##name) params; CS_HAND_A##w(name, params)
#define CS_HAND_A0(name, params)
#define CS_HAND_A1(name, params) typedef SQLRETURN (SQL_API *cs_pfa_##name) params;
#include "core/odbc_api.def"
#undef CS_HAND
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR

#define CS_TCHAR SQLWCHAR
#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW CS_FWD
#define CS_PAIR(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pfw_##name) params;
#define CS_HAND(name, api, w, params) CS_HAND_W##w(name, params)
#define CS_HAND_W0(name, params)
#define CS_HAND_W1(name, params) typedef SQLRETURN (SQL_API *cs_pfw_##name) params;
#include "core/odbc_api.def"
#undef CS_HAND
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR

/*
 * The hand-written rows' parameters are checked against the driver
 * manager's headers: a row that disagrees with sql.h / sqlucode.h fails
 * the build here.
 */
#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW CS_FWD
#define CS_PAIR CS_FWD
#define CS_HAND(name, api, w, params) \
	_Static_assert(__builtin_types_compatible_p(cs_pf_##name, __typeof__(&name)), \
		       #name " in odbc_api.def differs from the ODBC headers"); \
	CS_HAND_CHECK_W##w(name)
#define CS_HAND_CHECK_W0(name)
#define CS_HAND_CHECK_W1(name) \
	_Static_assert(__builtin_types_compatible_p(cs_pfw_##name, __typeof__(&name##W)), \
		       #name "W in odbc_api.def differs from the ODBC headers");
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_HAND

#endif
