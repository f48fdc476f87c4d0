/* SPDX-License-Identifier: MIT */
/*
 * connect_api.c - SQLConnect, SQLDriverConnect (A and W), SQLDisconnect.
 *
 * Both connect forms become one UTF-8 connection string for cs_connect;
 * the variant the application called is passed on so the target is
 * called the same way.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/connect.h"
#include "util/connstr.h"
#include "api/api.h"
#include "util/utf.h"
#include "core/xstr.h"

/* An application string argument as UTF-8 (owned by x). */
static int cs_arg_utf8(struct cs_xstr *x, int wide, const void *s, SQLLEN len)
{
	size_t n;

	if (wide)
		return cs_xstr_in(x, 1, s, len, 0);
	memset(x, 0, sizeof(*x));
	if (!s)
		return 0;
	if (len == SQL_NTS)
		n = strlen(s);
	else if (len < 0)
		return -1;
	else
		n = strnlen(s, (size_t)len);
	x->owned = strndup(s, n);
	x->owned_bytes = n + 1;
	x->p = x->owned;
	x->n = (SQLINTEGER)n;
	return x->owned ? 0 : -1;
}

/* The connection handle of an entry point, its own diagnostics reset;
 * NULL when hdbc is none. */
static struct cs_dbc *cs_connect_dbc(SQLHDBC hdbc)
{
	struct cs_handle *o = cs_get(hdbc, CS_KIND_DBC);

	if (o)
		cs_diag_reset(o);
	return (struct cs_dbc *)o;
}

static SQLRETURN cs_connect3(SQLHDBC hdbc, const void *dsn, SQLSMALLINT dsnlen, const void *uid,
			     SQLSMALLINT uidlen, const void *pwd, SQLSMALLINT pwdlen, int wide)
{
	struct cs_dbc *d = cs_connect_dbc(hdbc);
	struct cs_xstr xd, xu, xp;
	struct cs_attrs a;
	char *conn = NULL;
	SQLRETURN rc;

	if (!d)
		return SQL_INVALID_HANDLE;
	cs_attrs_init(&a);
	memset(&xu, 0, sizeof(xu));
	memset(&xp, 0, sizeof(xp));
	if (cs_arg_utf8(&xd, wide, dsn, dsnlen) || cs_arg_utf8(&xu, wide, uid, uidlen) ||
	    cs_arg_utf8(&xp, wide, pwd, pwdlen)) {
		rc = cs_diag_add(&d->h, CS_SHY090, "invalid string or buffer length");
		goto out_free;
	}
	if ((xd.p && cs_attrs_set(&a, "DSN", xd.p)) || (xu.p && *(char *)xu.p && cs_attrs_set(&a, "UID", xu.p)) ||
	    (xp.p && *(char *)xp.p && cs_attrs_set(&a, "PWD", xp.p)) || !(conn = cs_attrs_build(&a, NULL, NULL))) {
		rc = cs_diag_add(&d->h, CS_SHY001, "out of memory");
		goto out_free;
	}
	rc = cs_connect(d, conn, strlen(conn), wide, NULL);
out_free:
	cs_wipe_free(&conn);
	cs_attrs_free(&a);
	cs_xstr_free(&xd);
	cs_xstr_free(&xu);
	cs_xstr_free(&xp);
	return rc;
}

CS_EXPORT_AW(SQLConnect, cs_connect3,
	     (SQLHDBC hdbc, SQLCHAR *dsn, SQLSMALLINT dsnlen, SQLCHAR *uid, SQLSMALLINT uidlen, SQLCHAR *pwd,
	      SQLSMALLINT pwdlen),
	     (SQLHDBC hdbc, SQLWCHAR *dsn, SQLSMALLINT dsnlen, SQLWCHAR *uid, SQLSMALLINT uidlen,
	      SQLWCHAR *pwd, SQLSMALLINT pwdlen),
	     (hdbc, dsn, dsnlen, uid, uidlen, pwd, pwdlen))

/*
 * SQLDriverConnect on a platform without dialogs: every completion value
 * behaves as SQL_DRIVER_NOPROMPT (missing information is an error from
 * the target, never a prompt).
 */
static SQLRETURN cs_driver_connect(SQLHDBC hdbc, SQLHWND hwnd, const void *in, SQLSMALLINT inlen,
				   void *out, SQLSMALLINT outmax, SQLSMALLINT *outlen,
				   SQLUSMALLINT completion, int wide)
{
	struct cs_dbc *d = cs_connect_dbc(hdbc);
	struct cs_xstr x;
	char *outconn = NULL;
	SQLLEN n = 0;
	SQLRETURN rc, orc;

	if (!d)
		return SQL_INVALID_HANDLE;
	switch (completion) {
	case SQL_DRIVER_NOPROMPT:
	case SQL_DRIVER_COMPLETE:
	case SQL_DRIVER_PROMPT:
	case SQL_DRIVER_COMPLETE_REQUIRED:
		break;
	default:
		return cs_diag_add(&d->h, CS_SHY110, "invalid driver completion %u", completion);
	}
	if (!in || cs_arg_utf8(&x, wide, in, inlen) != 0)
		return cs_diag_add(&d->h, CS_SHY090, "invalid connection string or length");
	rc = cs_connect(d, x.p, strlen(x.p), wide, &outconn);
	cs_xstr_free(&x);
	if (!SQL_SUCCEEDED(rc))
		return rc;
	orc = cs_out_str(outconn, wide, out, outmax, 0, &n);
	if (outlen)
		*outlen = (SQLSMALLINT)(n > SHRT_MAX ? SHRT_MAX : n);
	if (orc == SQL_SUCCESS_WITH_INFO) {
		cs_diag_add(&d->h, CS_S01004, "String data, right truncated");
		rc = SQL_SUCCESS_WITH_INFO;
	}
	cs_wipe_free(&outconn);
	return rc;
}

CS_EXPORT_AW(SQLDriverConnect, cs_driver_connect,
	     (SQLHDBC hdbc, SQLHWND hwnd, SQLCHAR *in, SQLSMALLINT inlen, SQLCHAR *out, SQLSMALLINT outmax,
	      SQLSMALLINT *outlen, SQLUSMALLINT completion),
	     (SQLHDBC hdbc, SQLHWND hwnd, SQLWCHAR *in, SQLSMALLINT inlen, SQLWCHAR *out,
	      SQLSMALLINT outmax, SQLSMALLINT *outlen, SQLUSMALLINT completion),
	     (hdbc, hwnd, in, inlen, out, outmax, outlen, completion))

CS_EXPORT SQLRETURN SQL_API SQLDisconnect(SQLHDBC hdbc)
{
	struct cs_dbc *d = cs_connect_dbc(hdbc);

	if (!d)
		return SQL_INVALID_HANDLE;
	return cs_disconnect(d);
}
