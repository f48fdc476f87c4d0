/* SPDX-License-Identifier: MIT */
/*
 * diag_api.c - SQLGetDiagRec, SQLGetDiagField, SQLError (A and W).
 *
 * A handle's records are credshim's own first, then the target handle's,
 * read through the target unchanged (record numbers shifted by the own
 * count).  Reading diagnostics never clears them.  After the last record
 * every function answers SQL_NO_DATA: unixODBC loops until it does.
 */
#include <string.h>

#include "api/api.h"
#include "util/strinfo.h"
#include "util/utf.h"
#include "core/xstr.h"

static struct cs_handle *cs_diag_handle(SQLSMALLINT type, SQLHANDLE h)
{
	switch (type) {
	case SQL_HANDLE_ENV:
		return cs_get(h, CS_KIND_ENV);
	case SQL_HANDLE_DBC:
		return cs_get(h, CS_KIND_DBC);
	case SQL_HANDLE_STMT:
		return cs_get(h, CS_KIND_STMT);
	case SQL_HANDLE_DESC:
		return cs_get(h, CS_KIND_DESC);
	}
	return NULL;
}

static void cs_state_out(const char *state, int wide, void *out)
{
	if (!out)
		return;
	if (wide)
		cs_utf8_to_u16(state, strlen(state), out, 6);
	else
		memcpy(out, state, 6);
}

static SQLRETURN cs_own_rec(const struct cs_diag_rec *r, int wide, void *state, SQLINTEGER *native,
			    void *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen)
{
	SQLLEN n = 0;
	SQLRETURN rc;

	cs_state_out(r->sqlstate, wide, state);
	if (native)
		*native = r->native;
	rc = cs_out_str(r->msg, wide, msg, buflen, 0, &n);
	if (msglen)
		*msglen = (SQLSMALLINT)n;
	return rc;
}

/* SQLGetDiagRec of the other variant, for cs_xout_get: the state comes
 * in the target's encoding, converted once the text is whole. */
struct cs_xc_rec {
	struct cs_xcall x;
	SQLSMALLINT type;
	SQLSMALLINT rec;
	SQLINTEGER *native;
	SQLWCHAR wstate[6];
	char astate[16];
};

static SQLRETURN cs_xc_rec(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	struct cs_xc_rec *c = ctx;

	if (c->x.wide)
		return ((cs_pfa_SQLGetDiagRec)c->x.fn)(c->type, c->x.target, c->rec, (SQLCHAR *)c->astate,
						       c->native, buf, (SQLSMALLINT)buflen, tlen);
	return ((cs_pfw_SQLGetDiagRec)c->x.fn)(c->type, c->x.target, c->rec, c->wstate, c->native, buf,
					       (SQLSMALLINT)buflen, tlen);
}

/* The target's record rec, converted when it lacks the variant asked. */
static SQLRETURN cs_target_rec(struct cs_handle *o, SQLSMALLINT type, SQLSMALLINT rec, int wide,
			       void *state, SQLINTEGER *native, void *msg, SQLSMALLINT buflen,
			       SQLSMALLINT *msglen)
{
	struct cs_xc_rec c = {.x = {.wide = wide, .target = o->target}, .type = type, .rec = rec,
			      .native = native};
	const struct cs_xreq r = {.app_wide = wide, .max = CS_XOUT_MAX_S, .buf = msg, .buflen = buflen,
				  .slen = msglen};
	int other;
	SQLRETURN rc;

	if (!o->target || !o->drv || o->diag.drained || o->diag.hide_target)
		return SQL_NO_DATA;
	c.x.fn = cs_fn_pick(o->drv, CS_FN_SQLGetDiagRec, wide, &other);
	if (!c.x.fn)
		return SQL_NO_DATA;
	if (!other) {
		if (wide)
			return ((cs_pfw_SQLGetDiagRec)c.x.fn)(type, o->target, rec, state, native, msg, buflen,
							      msglen);
		return ((cs_pfa_SQLGetDiagRec)c.x.fn)(type, o->target, rec, state, native, msg, buflen,
						      msglen);
	}
	/* Diagnostic functions post no diagnostics: truncation only shows
	 * in the return code. */
	rc = cs_xout_get(NULL, &r, cs_xc_rec, &c);
	if (SQL_SUCCEEDED(rc)) {
		if (!wide)
			cs_u16_to_utf8(c.wstate, cs_u16_len(c.wstate), c.astate, sizeof(c.astate));
		cs_state_out(c.astate, wide, state);
	}
	return rc;
}

/* Record rec of o: own records first, then the target's. */
static SQLRETURN cs_diag_rec(struct cs_handle *o, SQLSMALLINT type, SQLSMALLINT rec, int wide,
			     void *state, SQLINTEGER *native, void *msg, SQLSMALLINT buflen,
			     SQLSMALLINT *msglen)
{
	if (rec < 1 || buflen < 0)
		return SQL_ERROR;
	if ((unsigned)rec <= o->diag.n)
		return cs_own_rec(&o->diag.rec[rec - 1], wide, state, native, msg, buflen, msglen);
	return cs_target_rec(o, type, (SQLSMALLINT)(rec - (SQLSMALLINT)o->diag.n), wide, state,
			     native, msg, buflen, msglen);
}

static SQLRETURN cs_get_diag_rec(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, void *state,
				 SQLINTEGER *native, void *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen,
				 int wide)
{
	struct cs_handle *o = cs_diag_handle(type, h);

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_drain(o, type);
	return cs_diag_rec(o, type, rec, wide, state, native, msg, buflen, msglen);
}

CS_EXPORT_AW(SQLGetDiagRec, cs_get_diag_rec,
	     (SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, SQLCHAR *state, SQLINTEGER *native,
	      SQLCHAR *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen),
	     (SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, SQLWCHAR *state, SQLINTEGER *native,
	      SQLWCHAR *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen),
	     (type, h, rec, state, native, msg, buflen, msglen))

/* A field of one of credshim's own records. */
static SQLRETURN cs_own_field(const struct cs_diag_rec *r, const char *server, SQLSMALLINT field, int wide,
			      SQLPOINTER info, SQLSMALLINT buflen, SQLSMALLINT *len)
{
	const char *s;
	SQLINTEGER iv;
	SQLLEN n = 0;
	SQLRETURN rc;

	switch (field) {
	case SQL_DIAG_SQLSTATE:
		s = r->sqlstate;
		break;
	case SQL_DIAG_MESSAGE_TEXT:
		s = r->msg;
		break;
	case SQL_DIAG_CLASS_ORIGIN:
	case SQL_DIAG_SUBCLASS_ORIGIN:
		s = strncmp(r->sqlstate, "IM", 2) == 0 || strncmp(r->sqlstate, "HY", 2) == 0 ||
			strncmp(r->sqlstate, "01S", 3) == 0 ? "ODBC 3.0" : "ISO 9075";
		break;
	case SQL_DIAG_CONNECTION_NAME:
		s = "";
		break;
	case SQL_DIAG_SERVER_NAME:
		s = server;
		break;
	case SQL_DIAG_NATIVE:
		iv = r->native;
		goto integer;
	case SQL_DIAG_COLUMN_NUMBER:
		iv = SQL_NO_COLUMN_NUMBER;
		goto integer;
	case SQL_DIAG_ROW_NUMBER: {
		SQLLEN lv = SQL_NO_ROW_NUMBER;

		if (info)
			memcpy(info, &lv, sizeof(lv));
		return SQL_SUCCESS;
	}
	default:
		return SQL_ERROR;
	}
	rc = cs_out_str(s, wide, info, buflen, 1, &n);
	if (len)
		*len = (SQLSMALLINT)n;
	return rc;
integer:
	if (info)
		memcpy(info, &iv, sizeof(iv));
	return SQL_SUCCESS;
}

struct cs_xc_field {
	struct cs_xcall x;
	SQLSMALLINT type;
	SQLSMALLINT rec;
	SQLSMALLINT field;
};

static SQLRETURN cs_xc_field(void *ctx, void *buf, SQLLEN buflen, void *tlen)
{
	const struct cs_xc_field *c = ctx;

	return ((cs_pf_SQLGetDiagField)c->x.fn)(c->type, c->x.target, c->rec, c->field, buf,
						(SQLSMALLINT)buflen, tlen);
}

/* A field of the target's records or header, converted if need be. */
static SQLRETURN cs_target_field(struct cs_handle *o, SQLSMALLINT type, SQLSMALLINT rec,
				 SQLSMALLINT field, int wide, SQLPOINTER info, SQLSMALLINT buflen,
				 SQLSMALLINT *len)
{
	struct cs_xc_field c = {.x = {.wide = wide, .target = o->target}, .type = type, .rec = rec,
				.field = field};
	const struct cs_xreq r = {.app_wide = wide, .in_bytes = 1, .max = CS_XOUT_MAX_S, .buf = info,
				  .buflen = buflen, .slen = len};
	int other;

	if (!o->target || !o->drv || (o->diag.hide_target && rec > 0))
		return SQL_NO_DATA;
	c.x.fn = cs_fn_pick(o->drv, CS_FN_SQLGetDiagField, wide, &other);
	if (!c.x.fn)
		return SQL_NO_DATA;
	if (!other || !cs_diagfield_is_string(field))
		return ((cs_pf_SQLGetDiagField)c.x.fn)(type, o->target, rec, field, info, buflen, len);
	return cs_xout_get(NULL, &r, cs_xc_field, &c);
}

static SQLRETURN cs_own_count(SQLPOINTER info, SQLINTEGER n)
{
	if (info)
		memcpy(info, &n, sizeof(n));
	return SQL_SUCCESS;
}

static SQLRETURN cs_diag_field(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field,
			       SQLPOINTER info, SQLSMALLINT buflen, SQLSMALLINT *len, int wide)
{
	struct cs_handle *o = cs_diag_handle(type, h);
	struct cs_dbc *d;
	const char *server;
	unsigned own;

	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_drain(o, type);
	own = o->diag.n;
	if (rec == 0 && field == SQL_DIAG_NUMBER) {
		SQLINTEGER total = 0;
		SQLRETURN rc = cs_target_field(o, type, 0, SQL_DIAG_NUMBER, wide, &total, 0, NULL);

		/* With no records of its own, credshim answers exactly as the
		 * target does, even when the target does not know the field. */
		if (o->diag.hide_target)
			return cs_own_count(info, (SQLINTEGER)own);
		if (!own && !o->diag.drained)
			return rc == SQL_NO_DATA && !o->target ? cs_own_count(info, 0) :
				(SQL_SUCCEEDED(rc) ? cs_own_count(info, total) : rc);
		return cs_own_count(info, (SQLINTEGER)own + (SQL_SUCCEEDED(rc) ? total : 0));
	}
	if (rec == 0)
		return cs_target_field(o, type, 0, field, wide, info, buflen, len);
	if (rec < 0)
		return SQL_ERROR;
	d = cs_handle_dbc(o);
	server = d ? d->app_dsn : "";
	/*
	 * Records read through SQLError: the driver manager, reading such a
	 * target itself, keeps only the SQLSTATE, native error and text (its
	 * other string fields answer SQL_ERROR), and sends a record number
	 * past them to the target's SQLGetDiagField, shifted by their count.
	 */
	if (o->diag.drained && (unsigned)rec > o->diag.drain_base) {
		if ((unsigned)rec > own)
			return cs_target_field(o, type, (SQLSMALLINT)(rec - (SQLSMALLINT)own), field, wide, info,
					       buflen, len);
		switch (field) {
		case SQL_DIAG_CLASS_ORIGIN:
		case SQL_DIAG_SUBCLASS_ORIGIN:
		case SQL_DIAG_CONNECTION_NAME:
		case SQL_DIAG_SERVER_NAME:
			return SQL_ERROR;
		}
	}
	if ((unsigned)rec <= own)
		return cs_own_field(&o->diag.rec[rec - 1], server, field, wide, info, buflen, len);
	/* The data source of a record is the credshim DSN (as SQLGetInfo's
	 * SQL_DATA_SOURCE_NAME), not whatever the target was told. */
	if (field == SQL_DIAG_SERVER_NAME) {
		SQLWCHAR probe[16];
		SQLSMALLINT plen = 0;
		SQLRETURN rc = cs_target_field(o, type, (SQLSMALLINT)(rec - (SQLSMALLINT)own),
					       SQL_DIAG_SQLSTATE, wide, probe, sizeof(probe), &plen);
		SQLLEN n = 0;

		if (!SQL_SUCCEEDED(rc))
			return rc;
		rc = cs_out_str(server, wide, info, buflen, 1, &n);
		if (len)
			*len = (SQLSMALLINT)n;
		return rc;
	}
	return cs_target_field(o, type, (SQLSMALLINT)(rec - (SQLSMALLINT)own), field, wide, info, buflen, len);
}

CS_EXPORT_AW_SAME(SQLGetDiagField, cs_diag_field,
		  (SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, SQLSMALLINT field, SQLPOINTER info,
		   SQLSMALLINT buflen, SQLSMALLINT *len),
		  (type, h, rec, field, info, buflen, len))

/*
 * ODBC 2 SQLError: returns the next record not yet returned (own, then
 * the target's) of the most specific handle given.
 */
static SQLRETURN cs_error(SQLHENV henv, SQLHDBC hdbc, SQLHSTMT hstmt, void *state, SQLINTEGER *native,
			  void *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen, int wide)
{
	struct cs_handle *o;
	SQLSMALLINT type;
	SQLRETURN rc;

	if (hstmt) {
		o = cs_get(hstmt, CS_KIND_STMT);
		type = SQL_HANDLE_STMT;
	} else if (hdbc) {
		o = cs_get(hdbc, CS_KIND_DBC);
		type = SQL_HANDLE_DBC;
	} else {
		o = cs_get(henv, CS_KIND_ENV);
		type = SQL_HANDLE_ENV;
	}
	if (!o)
		return SQL_INVALID_HANDLE;
	cs_diag_drain(o, type);
	if (buflen < 0)
		buflen = 0;
	rc = cs_diag_rec(o, type, (SQLSMALLINT)(o->diag.error_cursor + 1), wide, state, native, msg,
			 buflen, msglen);
	if (SQL_SUCCEEDED(rc)) {
		o->diag.error_cursor++;
		o->dirty = 1;
	}
	return rc;
}

CS_EXPORT_AW(SQLError, cs_error,
	     (SQLHENV henv, SQLHDBC hdbc, SQLHSTMT hstmt, SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
	      SQLSMALLINT buflen, SQLSMALLINT *msglen),
	     (SQLHENV henv, SQLHDBC hdbc, SQLHSTMT hstmt, SQLWCHAR *state, SQLINTEGER *native,
	      SQLWCHAR *msg, SQLSMALLINT buflen, SQLSMALLINT *msglen),
	     (henv, hdbc, hstmt, state, native, msg, buflen, msglen))
