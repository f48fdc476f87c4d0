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
 * A record worded as the driver manager words its own ("[unixODBC][Driver
 * Manager]" and text), where credshim stands in for something the driver
 * manager does when it talks to a target itself, so the application
 * cannot tell the difference.
 */
void cs_diag_dm(struct cs_handle *h, enum cs_state state, const char *text)
{
	static const char prefix[] = "[unixODBC][Driver Manager]";
	size_t n = strlen(text);
	char *msg = malloc(sizeof(prefix) + n);

	if (!msg)
		return;
	memcpy(msg, prefix, sizeof(prefix) - 1);
	memcpy(msg + sizeof(prefix) - 1, text, n + 1);
	cs_diag_push(h, cs_states[state].code, 0, msg);
}

/*
 * A W call that unixODBC makes to credshim for a function the target
 * disowns in SQLGetFunctions.  Talking to the target directly, the driver
 * manager itself would refuse the call with this record.
 */
SQLRETURN cs_disowned(struct cs_handle *h)
{
	cs_diag_dm(h, CS_SIM001, "Driver does not support this function");
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
 * One record of a target handle through its SQLError (via_error) or
 * SQLGetDiagRec, ANSI when it has that, else W, into h's own list; with
 * a buffer of SQL_MAX_MESSAGE_LENGTH + 1 characters, the driver
 * manager's (a target may cut a longer message into records of the size
 * it is asked for).  SQL_SUCCEEDED when there was one.
 */
static SQLRETURN cs_diag_import_one(struct cs_handle *h, struct cs_driver *drv, SQLSMALLINT type,
				    SQLHANDLE th, SQLSMALLINT rec, int via_error)
{
	enum cs_fn f = via_error ? CS_FN_SQLError : CS_FN_SQLGetDiagRec;
	SQLHDBC hdbc = type == SQL_HANDLE_DBC ? th : SQL_NULL_HDBC;
	SQLHSTMT hstmt = type == SQL_HANDLE_STMT ? th : SQL_NULL_HSTMT;
	SQLINTEGER native = 0;
	SQLSMALLINT len = 0;
	SQLRETURN rc;
	char *msg;

	if (drv->a[f]) {
		SQLCHAR state[6] = "", text[SQL_MAX_MESSAGE_LENGTH + 1] = "";

		if (via_error)
			rc = ((cs_pfa_SQLError)drv->a[f])(SQL_NULL_HENV, hdbc, hstmt, state, &native, text,
							  sizeof(text), &len);
		else
			rc = ((cs_pfa_SQLGetDiagRec)drv->a[f])(type, th, rec, state, &native, text,
							       sizeof(text), &len);
		if (SQL_SUCCEEDED(rc) && (msg = strndup((char *)text, sizeof(text) - 1)))
			cs_diag_push(h, (char *)state, native, msg);
	} else {
		SQLWCHAR state[6] = {0}, text[SQL_MAX_MESSAGE_LENGTH + 1] = {0};
		const SQLSMALLINT cap = sizeof(text) / sizeof(text[0]);
		char st8[6];

		if (via_error)
			rc = ((cs_pfw_SQLError)drv->w[f])(SQL_NULL_HENV, hdbc, hstmt, state, &native, text, cap,
							  &len);
		else
			rc = ((cs_pfw_SQLGetDiagRec)drv->w[f])(type, th, rec, state, &native, text, cap, &len);
		if (!SQL_SUCCEEDED(rc))
			return rc;
		cs_u16_to_utf8(state, cs_u16_nlen(state, 5), st8, sizeof(st8));
		msg = cs_u16_to_utf8_dup(text, cs_u16_nlen(text, (size_t)cap - 1), NULL);
		if (msg)
			cs_diag_push(h, st8, native, msg);
	}
	return rc;
}

/*
 * Copies every diagnostic record of a target handle into h's own list,
 * read as the driver manager reads them when it talks to the target
 * itself: through SQLError when via_error (always after a connect: the
 * driver manager reads a connect's records through SQLError when the
 * driver has it) and the target has it, else SQLGetDiagRec.  For a
 * failed connect or a disconnect, whose target handle is freed, and for
 * a connect that succeeded with warnings, which later calls of the target
 * may clear (psqlODBC's SQLGetFunctions does): the records left on the
 * target are not read again.
 */
void cs_diag_import(struct cs_handle *h, struct cs_driver *drv, SQLSMALLINT type, SQLHANDLE th,
		    int via_error)
{
	SQLSMALLINT i;

	if (!drv || !th)
		return;
	if (!drv->a[CS_FN_SQLError] && !drv->w[CS_FN_SQLError])
		via_error = 0;
	if (!via_error && !drv->a[CS_FN_SQLGetDiagRec] && !drv->w[CS_FN_SQLGetDiagRec])
		return;
	for (i = 1; i <= CS_DIAG_MAX; i++)
		if (!SQL_SUCCEEDED(cs_diag_import_one(h, drv, type, th, i, via_error)))
			break;
	cs_diag_hide_target(h);
}

void cs_diag_hide_target(struct cs_handle *h)
{
	h->diag.hide_target = 1;
	h->dirty = 1;   /* so that the next call resets it */
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

	if (!d || !d->diag_via_error || !drv || !h->target || h->diag.drained || h->diag.hide_target)
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
