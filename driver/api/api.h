/* SPDX-License-Identifier: MIT */
/*
 * api.h - what the ODBC entry points (driver/api) share: the export
 * attribute and the prototypes of the A/W converters (wconv.c).
 */
#ifndef CS_API_H
#define CS_API_H

#include "core/fntypes.h"

#define CS_EXPORT __attribute__((visibility("default")))

/* The name of the first parameter of each handle kind in odbc_api.def. */
#define CS_HNAME_STMT hstmt
#define CS_HNAME_DESC hdesc
#define CS_HNAME_DBC  hdbc

#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW CS_FWD
#define CS_HAND(name, api, w, params)
/*
 * cs_x_X(o, wide, <the function's arguments, target handle first>):
 * called when the target lacks the variant the application called (wide
 * says which one that was); converts strings and calls the other variant.
 * Strings are void * here: SQLCHAR * (UTF-8) when wide is 0, SQLWCHAR *
 * (UTF-16) when wide is 1.
 */
#define CS_TCHAR void
#define CS_PAIR(name, api, kind, params, args) \
	CS_HIDDEN SQLRETURN cs_x_##name(struct cs_handle *o, int wide, CS_XPARAMS params);
#define CS_XPARAMS(...) __VA_ARGS__
#include "core/odbc_api.def"
#undef CS_PAIR
#undef CS_XPARAMS
#undef CS_TCHAR

#undef CS_FWD
#undef CS_FWDW
#undef CS_HAND

/*
 * The ANSI and W entry points of a hand-written pair (a CS_HAND row with
 * w = 1) whose work is one function: impl gets the application's
 * arguments (args, the parameters' names) and then wide, 0 for name and 1
 * for nameW.  aparams and wparams are the two parameter lists, written
 * out as the ODBC headers declare them (they differ where a string is
 * SQLCHAR * or SQLWCHAR *); CS_EXPORT_AW_SAME when they are the same.
 */
#define CS_EXPORT_AW(name, impl, aparams, wparams, args)                       \
	CS_EXPORT SQLRETURN SQL_API name aparams                                \
	{                                                                       \
		return impl(CS_AW_ARGS args, 0);                                \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name##W wparams                             \
	{                                                                       \
		return impl(CS_AW_ARGS args, 1);                                \
	}
#define CS_EXPORT_AW_SAME(name, impl, params, args) CS_EXPORT_AW(name, impl, params, params, args)
#define CS_AW_ARGS(...) __VA_ARGS__

/* SQLGetInfo is hand-written (info_api.c); its converter is in wconv.c. */
CS_HIDDEN SQLRETURN cs_x_SQLGetInfo(struct cs_handle *o, int wide, SQLHDBC hdbc, SQLUSMALLINT type,
				    SQLPOINTER value, SQLSMALLINT buflen, SQLSMALLINT *len);

#endif
