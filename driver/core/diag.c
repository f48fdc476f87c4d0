/* SPDX-License-Identifier: MIT */
/*
 * diag.c - credshim's own diagnostic records.
 *
 * A handle's diagnostics are credshim's own records (errors it raised,
 * records copied from a target handle it had to free) followed by the
 * target handle's records, which stay in the target and are read through
 * it (api/diag_api.c).  Own records are reset at the start of every call
 * on the handle, which costs one branch when there are none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cs.h"
#include "core/fntypes.h"
#include "util/esc.h"
#include "util/utf.h"

#define CS_DIAG_MAX 64 /* own records kept per handle */

void cs_diag_clear_slow(struct cs_handle *h)
{
	unsigned i;

	for (i = 0; i < h->diag.n; i++)
		free(h->diag.rec[i].msg);
	h->diag.n = 0;
	h->diag.error_cursor = 0;
	h->diag.drained = 0;
	h->diag.hide_target = 0;
	h->dirty = 0;
}

static void cs_diag_push(struct cs_handle *h, const char *sqlstate, SQLINTEGER native, char *msg)
{
	struct cs_diag *d = &h->diag;

	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 4;
		struct cs_diag_rec *r;

		if (d->n >= CS_DIAG_MAX || !(r = realloc(d->rec, cap * sizeof(*r)))) {
			free(msg);
			return;
		}
		d->rec = r;
		d->cap = cap;
	}
	snprintf(d->rec[d->n].sqlstate, sizeof(d->rec[d->n].sqlstate), "%s", sqlstate);
	d->rec[d->n].native = native;
	d->rec[d->n].msg = msg;
	d->n++;
	h->dirty = 1;
}

/* Adds one of credshim's own records; its text is escaped (util/esc.h),
 * whatever outside strings the arguments carry. */
SQLRETURN cs_diag_add(struct cs_handle *h, enum cs_state state, const char *fmt, ...)
{
	char buf[1024], text[1024];
	int off;
	va_list ap;

	off = snprintf(buf, sizeof(buf), "[credshim] ");
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cs_esc(buf + off, sizeof(buf) - (size_t)off, text, strlen(text), 0);
	cs_diag_push(h, cs_states[state].code, 0, strdup(buf));
	return SQL_ERROR;
}

/*
 * A W call that unixODBC makes to credshim for a function the target
 * disowns in SQLGetFunctions.  Talking to the target directly, the driver
 * manager itself would refuse the call with this record; credshim gives
 * the application the same one, so it cannot tell the difference.
 */
SQLRETURN cs_disowned(struct cs_handle *h)
{
	cs_diag_push(h, cs_states[CS_SIM001].code, 0,
		     strdup("[unixODBC][Driver Manager]Driver does not support this function"));
	return SQL_ERROR;
}

SQLRETURN cs_not_supported(struct cs_handle *h, const char *fn)
{
	if (!h->drv)
		return cs_diag_add(h, CS_S08003, "%s: the connection is not open", fn);
	return cs_diag_add(h, CS_SIM001, "%s: the target driver %s does not support this function",
			   fn, h->drv->path);
}

void cs_diag_last_first(struct cs_handle *h)
{
	struct cs_diag *d = &h->diag;
	struct cs_diag_rec r;

	if (d->n < 2)
		return;
	r = d->rec[d->n - 1];
	memmove(d->rec + 1, d->rec, (d->n - 1) * sizeof(*d->rec));
	d->rec[0] = r;
}

/*
 * Copies the target handle's records into h's own list, so they survive
 * the target handle being freed (a failed connect, a disconnect).
 */
void cs_diag_import(struct cs_handle *h, struct cs_driver *drv, SQLSMALLINT type, SQLHANDLE th)
{
	SQLSMALLINT i, len;
	SQLINTEGER native;

	if (!drv || !th)
		return;
	for (i = 1; i <= CS_DIAG_MAX; i++) {
		SQLRETURN rc;
		char *msg;

		if (drv->a[CS_FN_SQLGetDiagRec]) {
			SQLCHAR state[6] = "", text[SQL_MAX_MESSAGE_LENGTH * 2];

			rc = ((cs_pfa_SQLGetDiagRec)drv->a[CS_FN_SQLGetDiagRec])(type, th, i, state,
					&native, text, sizeof(text), &len);
			if (!SQL_SUCCEEDED(rc))
				break;
			msg = strdup((char *)text);
			if (msg)
				cs_diag_push(h, (char *)state, native, msg);
		} else if (drv->w[CS_FN_SQLGetDiagRec]) {
			SQLWCHAR state[6] = {0}, text[SQL_MAX_MESSAGE_LENGTH * 2];
			char st8[16];

			rc = ((cs_pfw_SQLGetDiagRec)drv->w[CS_FN_SQLGetDiagRec])(type, th, i, state,
					&native, text, sizeof(text) / sizeof(text[0]), &len);
			if (!SQL_SUCCEEDED(rc))
				break;
			cs_u16_to_utf8(state, cs_u16_len(state), st8, sizeof(st8));
			msg = cs_u16_to_utf8_dup(text, cs_u16_len(text), NULL);
			if (msg)
				cs_diag_push(h, st8, native, msg);
		} else {
			break;
		}
	}
}

struct cs_dbc *cs_handle_dbc(struct cs_handle *h)
{
	switch (CS_TAG_KIND(h->tag)) {
	case CS_KIND_DBC:
		return (struct cs_dbc *)h;
	case CS_KIND_STMT:
		return ((struct cs_stmt *)h)->dbc;
	case CS_KIND_DESC:
		return ((struct cs_desc *)h)->dbc;
	default:
		return NULL;
	}
}

/*
 * Some targets (SQLite ODBC) export SQLGetDiagRec but tell SQLGetFunctions
 * they do not support it; the driver manager then reads their records
 * through SQLError, whose texts differ.  For those, credshim reads them
 * the same way, once, into its own list, so the application sees exactly
 * what it sees without credshim.
 */
void cs_diag_drain(struct cs_handle *h, SQLSMALLINT type)
{
	struct cs_dbc *d = cs_handle_dbc(h);
	struct cs_driver *drv = h->drv;
	SQLHDBC hdbc = SQL_NULL_HDBC;
	SQLHSTMT hstmt = SQL_NULL_HSTMT;
	int i;

	if (!d || !d->diag_via_error || !drv || !h->target || h->diag.drained)
		return;
	if (type == SQL_HANDLE_STMT)
		hstmt = h->target;
	else if (type == SQL_HANDLE_DBC)
		hdbc = h->target;
	else
		return;
	h->diag.drained = 1;
	h->diag.drain_base = h->diag.n;
	h->dirty = 1;
	for (i = 0; i < CS_DIAG_MAX; i++) {
		SQLCHAR state[6] = "", text[SQL_MAX_MESSAGE_LENGTH * 2];
		SQLINTEGER native = 0;
		SQLSMALLINT len = 0;
		SQLRETURN rc;
		char *msg;

		rc = ((cs_pfa_SQLError)drv->a[CS_FN_SQLError])(SQL_NULL_HENV, hdbc, hstmt, state, &native,
							       text, sizeof(text), &len);
		if (!SQL_SUCCEEDED(rc))
			break;
		msg = strdup((char *)text);
		if (msg)
			cs_diag_push(h, (char *)state, native, msg);
	}
}
