/* SPDX-License-Identifier: MIT */
/*
 * strinfo.h - which SQLGetInfo types, descriptor and column attribute
 * fields and diagnostic fields are character strings (ODBC 3.8).
 *
 * Only those values need converting between UTF-8 and UTF-16 when the
 * application and the target use different variants; every other value
 * is a number, a bitmask or a pointer and passes through untouched.
 */
#ifndef CS_STRINFO_H
#define CS_STRINFO_H

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

/* SQLGetInfo InfoType (ODBC 2 aliases included: same numbers). */
int cs_info_is_string(SQLUSMALLINT type);
/* SQLColAttribute FieldIdentifier, ODBC 3 SQL_DESC_* and ODBC 2 SQL_COLUMN_*. */
int cs_colattr_is_string(SQLUSMALLINT field);
/* SQLGetDescField / SQLSetDescField FieldIdentifier. */
int cs_descfield_is_string(SQLSMALLINT field);
/* SQLGetDiagField DiagIdentifier. */
int cs_diagfield_is_string(SQLSMALLINT field);

#endif
