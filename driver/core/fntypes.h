/* SPDX-License-Identifier: MIT */
/*
 * fntypes.h - pointer types for the target's entry points, generated from
 * odbc_api.def: what core and the ODBC API cast a target's function to
 * before calling it.
 */
#ifndef CS_FNTYPES_H
#define CS_FNTYPES_H

#include "core/cs.h"

#define CS_HAND(name, api, w)

/* cs_pf_X for functions without strings, cs_pfa_X / cs_pfw_X for pairs. */
#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pf_##name) params;
#define CS_FWDW CS_FWD
#define CS_PAIR(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pfa_##name) params;
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR

#define CS_TCHAR SQLWCHAR
#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW CS_FWD
#define CS_PAIR(name, api, kind, params, args) typedef SQLRETURN (SQL_API *cs_pfw_##name) params;
#include "core/odbc_api.def"
#undef CS_PAIR
#undef CS_TCHAR

#undef CS_FWD
#undef CS_FWDW
#undef CS_HAND

/* Target entry points that hand-written code calls. */
typedef SQLRETURN (SQL_API *cs_pf_SQLAllocHandle)(SQLSMALLINT, SQLHANDLE, SQLHANDLE *);
typedef SQLRETURN (SQL_API *cs_pf_SQLAllocEnv)(SQLHENV *);
typedef SQLRETURN (SQL_API *cs_pf_SQLAllocConnect)(SQLHENV, SQLHDBC *);
typedef SQLRETURN (SQL_API *cs_pf_SQLAllocStmt)(SQLHDBC, SQLHSTMT *);
typedef SQLRETURN (SQL_API *cs_pf_SQLFreeHandle)(SQLSMALLINT, SQLHANDLE);
typedef SQLRETURN (SQL_API *cs_pf_SQLFreeEnv)(SQLHENV);
typedef SQLRETURN (SQL_API *cs_pf_SQLFreeConnect)(SQLHDBC);
typedef SQLRETURN (SQL_API *cs_pf_SQLFreeStmt)(SQLHSTMT, SQLUSMALLINT);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetEnvAttr)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetEnvAttr)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *);
typedef SQLRETURN (SQL_API *cs_pf_SQLEndTran)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT);
typedef SQLRETURN (SQL_API *cs_pf_SQLTransact)(SQLHENV, SQLHDBC, SQLUSMALLINT);
typedef SQLRETURN (SQL_API *cs_pf_SQLDisconnect)(SQLHDBC);
typedef SQLRETURN (SQL_API *cs_pfa_SQLDriverConnect)(SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT,
						    SQLCHAR *, SQLSMALLINT, SQLSMALLINT *, SQLUSMALLINT);
typedef SQLRETURN (SQL_API *cs_pfw_SQLDriverConnect)(SQLHDBC, SQLHWND, SQLWCHAR *, SQLSMALLINT,
						    SQLWCHAR *, SQLSMALLINT, SQLSMALLINT *, SQLUSMALLINT);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetConnectAttr)(SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetConnectAttr)(SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetConnectOption)(SQLHDBC, SQLUSMALLINT, SQLULEN);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetConnectOption)(SQLHDBC, SQLUSMALLINT, SQLPOINTER);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetStmtAttr)(SQLHSTMT, SQLINTEGER, SQLPOINTER, SQLINTEGER);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetStmtAttr)(SQLHSTMT, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetStmtOption)(SQLHSTMT, SQLUSMALLINT, SQLULEN);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetStmtOption)(SQLHSTMT, SQLUSMALLINT, SQLPOINTER);
typedef SQLRETURN (SQL_API *cs_pf_SQLParamOptions)(SQLHSTMT, SQLULEN, SQLULEN *);
typedef SQLRETURN (SQL_API *cs_pf_SQLSetParam)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLSMALLINT,
					      SQLULEN, SQLSMALLINT, SQLPOINTER, SQLLEN *);
typedef SQLRETURN (SQL_API *cs_pf_SQLBindParam)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLSMALLINT,
					       SQLULEN, SQLSMALLINT, SQLPOINTER, SQLLEN *);
typedef SQLRETURN (SQL_API *cs_pf_SQLColAttributes)(SQLHSTMT, SQLUSMALLINT, SQLUSMALLINT, SQLPOINTER,
						   SQLSMALLINT, SQLSMALLINT *, SQLLEN *);
typedef SQLRETURN (SQL_API *cs_pf_SQLCopyDesc)(SQLHDESC, SQLHDESC);
typedef SQLRETURN (SQL_API *cs_pf_SQLCancelHandle)(SQLSMALLINT, SQLHANDLE);
typedef SQLRETURN (SQL_API *cs_pfa_SQLGetDiagRec)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *,
						 SQLINTEGER *, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pfw_SQLGetDiagRec)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLWCHAR *,
						 SQLINTEGER *, SQLWCHAR *, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetDiagField)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLSMALLINT,
						  SQLPOINTER, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pfa_SQLError)(SQLHENV, SQLHDBC, SQLHSTMT, SQLCHAR *, SQLINTEGER *,
					    SQLCHAR *, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pfw_SQLError)(SQLHENV, SQLHDBC, SQLHSTMT, SQLWCHAR *, SQLINTEGER *,
					    SQLWCHAR *, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pf_SQLGetFunctions)(SQLHDBC, SQLUSMALLINT, SQLUSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pfa_SQLGetInfo)(SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *);
typedef SQLRETURN (SQL_API *cs_pfw_SQLGetInfo)(SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *);
#endif
