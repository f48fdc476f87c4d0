/* SPDX-License-Identifier: MIT */
/*
 * strinfo.c - the character-string values of SQLGetInfo, SQLColAttribute,
 * SQLGetDescField/SQLSetDescField and SQLGetDiagField (see strinfo.h).
 *
 * The lists follow the ODBC 3.8 reference ("Character string" returns);
 * unixODBC's DriverManager/SQLGetInfoW.c and SQLColAttributeW.c convert the
 * same sets for ANSI drivers.
 */
#include "util/strinfo.h"

int cs_info_is_string(SQLUSMALLINT type)
{
	switch (type) {
	case SQL_ACCESSIBLE_PROCEDURES:
	case SQL_ACCESSIBLE_TABLES:
	case SQL_CATALOG_NAME:
	case SQL_CATALOG_NAME_SEPARATOR:  /* SQL_QUALIFIER_NAME_SEPARATOR */
	case SQL_CATALOG_TERM:            /* SQL_QUALIFIER_TERM */
	case SQL_COLLATION_SEQ:
	case SQL_COLUMN_ALIAS:
	case SQL_DATA_SOURCE_NAME:
	case SQL_DATA_SOURCE_READ_ONLY:
	case SQL_DATABASE_NAME:
	case SQL_DBMS_NAME:
	case SQL_DBMS_VER:
	case SQL_DESCRIBE_PARAMETER:
	case SQL_DM_VER:
	case SQL_DRIVER_NAME:
	case SQL_DRIVER_ODBC_VER:
	case SQL_DRIVER_VER:
	case SQL_EXPRESSIONS_IN_ORDERBY:
	case SQL_IDENTIFIER_QUOTE_CHAR:
	case SQL_INTEGRITY:               /* SQL_ODBC_SQL_OPT_IEF */
	case SQL_KEYWORDS:
	case SQL_LIKE_ESCAPE_CLAUSE:
	case SQL_MAX_ROW_SIZE_INCLUDES_LONG:
	case SQL_MULT_RESULT_SETS:
	case SQL_MULTIPLE_ACTIVE_TXN:
	case SQL_NEED_LONG_DATA_LEN:
	case SQL_ODBC_VER:
	case SQL_ORDER_BY_COLUMNS_IN_SELECT:
	case SQL_OUTER_JOINS:             /* ODBC 2: "Y", "N", "P", "F" */
	case SQL_PROCEDURE_TERM:
	case SQL_PROCEDURES:
	case SQL_ROW_UPDATES:
	case SQL_SCHEMA_TERM:             /* SQL_OWNER_TERM */
	case SQL_SEARCH_PATTERN_ESCAPE:
	case SQL_SERVER_NAME:
	case SQL_SPECIAL_CHARACTERS:
	case SQL_TABLE_TERM:
	case SQL_USER_NAME:
	case SQL_XOPEN_CLI_YEAR:
		return 1;
	}
	return 0;
}

/* The string fields of a descriptor record (SQLGetDescField). */
static int cs_desc_string_field(int field)
{
	switch (field) {
	case SQL_DESC_BASE_COLUMN_NAME:
	case SQL_DESC_BASE_TABLE_NAME:
	case SQL_DESC_CATALOG_NAME:
	case SQL_DESC_LABEL:
	case SQL_DESC_LITERAL_PREFIX:
	case SQL_DESC_LITERAL_SUFFIX:
	case SQL_DESC_LOCAL_TYPE_NAME:
	case SQL_DESC_NAME:
	case SQL_DESC_SCHEMA_NAME:
	case SQL_DESC_TABLE_NAME:
	case SQL_DESC_TYPE_NAME:
		return 1;
	}
	return 0;
}

int cs_colattr_is_string(SQLUSMALLINT field)
{
	/*
	 * The ODBC 2 SQL_COLUMN_* string ids share their numbers with
	 * SQL_DESC_* fields (TYPE_NAME 14, TABLE_NAME 15, OWNER_NAME 16,
	 * QUALIFIER_NAME 17, LABEL 18) except SQL_COLUMN_NAME.
	 */
	return field == SQL_COLUMN_NAME || cs_desc_string_field(field);
}

int cs_descfield_is_string(SQLSMALLINT field)
{
	return cs_desc_string_field(field);
}

int cs_diagfield_is_string(SQLSMALLINT field)
{
	switch (field) {
	case SQL_DIAG_CLASS_ORIGIN:
	case SQL_DIAG_CONNECTION_NAME:
	case SQL_DIAG_DYNAMIC_FUNCTION:
	case SQL_DIAG_MESSAGE_TEXT:
	case SQL_DIAG_SERVER_NAME:
	case SQL_DIAG_SQLSTATE:
	case SQL_DIAG_SUBCLASS_ORIGIN:
		return 1;
	}
	return 0;
}
