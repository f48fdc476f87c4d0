/* SPDX-License-Identifier: MIT */
/*
 * attr.c - connection attributes kept by credshim.
 *
 * Before a connection is open there is no target handle to give an
 * attribute to, and the driver manager sets the application's attributes
 * between SQLAllocHandle and SQLConnect.  credshim stores every attribute
 * set on a connection (string values copied) and replays them on the
 * target connection handle at connect; attributes stay with the handle
 * across disconnect and reconnect, as ODBC specifies.
 */
#include <stdlib.h>
#include <string.h>

#include "core/attr.h"
#include "core/fntypes.h"
#include "core/log.h"
#include "util/utf.h"
#include "core/xstr.h"

#define CS_CATTR_MAX 64

int cs_cattr_is_string(SQLINTEGER attr)
{
	switch (attr) {
	case SQL_ATTR_CURRENT_CATALOG:
	case SQL_ATTR_TRACEFILE:
	case SQL_ATTR_TRANSLATE_LIB:
		return 1;
	}
	return 0;
}

const struct cs_cattr *cs_dbc_find_attr(const struct cs_dbc *d, SQLINTEGER attr)
{
	unsigned i;

	for (i = 0; i < d->nattrs; i++)
		if (d->attrs[i].attr == attr)
			return &d->attrs[i];
	return NULL;
}

static void cs_cattr_clear(struct cs_cattr *c)
{
	if (c->str) {
		explicit_bzero(c->str, (size_t)c->strlen_bytes);
		free(c->str);
	}
	memset(c, 0, sizeof(*c));
}

/*
 * Whether a value is a string: the standard string attributes, and for
 * driver-defined attributes a length that is not one of the SQL_IS_*
 * markers (the ODBC rule for telling a pointer to a string).
 */
static int cs_value_is_string(SQLINTEGER attr, SQLINTEGER len)
{
	if (cs_cattr_is_string(attr))
		return 1;
	if (attr < SQL_DRIVER_CONN_ATTR_BASE)
		return 0;
	return len == SQL_NTS || len > 0;
}

SQLRETURN cs_dbc_store_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len, int wide)
{
	struct cs_cattr c = {0}, *slot = (struct cs_cattr *)cs_dbc_find_attr(d, attr);
	size_t n;

	CS_ASSERT_KIND(&d->h, CS_KIND_DBC);
	c.attr = attr;
	c.wide = wide;
	if (cs_value_is_string(attr, len) && value) {
		if (len == SQL_NTS)
			n = wide ? cs_u16_len(value) * sizeof(SQLWCHAR) : strlen(value);
		else if (len >= 0)
			n = (size_t)len;
		else
			return cs_diag_add(&d->h, CS_SHY090, "invalid string length %d for attribute %d",
					   (int)len, (int)attr);
		c.is_str = 1;
		c.str = calloc(1, n + sizeof(SQLWCHAR));
		if (!c.str)
			return cs_diag_add(&d->h, CS_SHY001, "out of memory");
		memcpy(c.str, value, n);
		c.strlen_bytes = (SQLINTEGER)n;
	} else {
		c.ival = (SQLULEN)(uintptr_t)value;
	}
	if (slot) {
		cs_cattr_clear(slot);
		*slot = c;
		return SQL_SUCCESS;
	}
	if (d->nattrs == d->capattrs) {
		unsigned cap = d->capattrs ? d->capattrs * 2 : 8;
		struct cs_cattr *a;

		if (cap > CS_CATTR_MAX || !(a = realloc(d->attrs, cap * sizeof(*a)))) {
			cs_cattr_clear(&c);
			return cs_diag_add(&d->h, CS_SHY001, "too many connection attributes");
		}
		d->attrs = a;
		d->capattrs = cap;
	}
	d->attrs[d->nattrs++] = c;
	return SQL_SUCCESS;
}

void cs_dbc_forget_attrs(struct cs_dbc *d)
{
	unsigned i;

	for (i = 0; i < d->nattrs; i++)
		cs_cattr_clear(&d->attrs[i]);
	free(d->attrs);
	d->attrs = NULL;
	d->nattrs = d->capattrs = 0;
}

/*
 * Gives one attribute to the open target connection in the variant the
 * application used, converting a string when the target has only the
 * other one.
 */
SQLRETURN cs_dbc_target_set_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
				 SQLINTEGER len, int wide)
{
	struct cs_driver *drv = d->h.drv;
	struct cs_xstr x;
	int other;
	void *fn = cs_fn_pick(drv, CS_FN_SQLSetConnectAttr, wide, &other);
	SQLRETURN rc;

	if (!fn) {
		if (drv->a[CS_FN_SQLSetConnectOption] && !cs_value_is_string(attr, len))
			return ((cs_pf_SQLSetConnectOption)drv->a[CS_FN_SQLSetConnectOption])(
					d->h.target, (SQLUSMALLINT)attr, (SQLULEN)(uintptr_t)value);
		return cs_not_supported(&d->h, "SQLSetConnectAttr");
	}
	if (!other || !value || !cs_value_is_string(attr, len))
		return ((cs_pf_SQLSetConnectAttr)fn)(d->h.target, attr, value, len);
	if (cs_xstr_in(&x, wide, value, len, 1) != 0)
		return cs_diag_add(&d->h, CS_SHY001, "out of memory converting attribute %d", (int)attr);
	rc = ((cs_pf_SQLSetConnectAttr)fn)(d->h.target, attr, x.p, x.n);
	cs_xstr_free(&x);
	return rc;
}

static SQLRETURN cs_cattr_apply(struct cs_dbc *d, const struct cs_cattr *c)
{
	SQLINTEGER len = c->is_str ? c->strlen_bytes : 0;

	return cs_dbc_target_set_attr(d, c->attr, c->is_str ? c->str : (SQLPOINTER)(uintptr_t)c->ival,
				      len, c->wide);
}

/*
 * Replays the stored attributes on the target connection.  Before the
 * target's connect, an attribute it refuses is marked and tried again
 * after connect (some drivers take the current catalog only then).  A
 * refusal after connect is only logged: the driver manager ignores what
 * a driver answers to the attributes it sets before connect, so the
 * connect through the target itself would not report it either.
 */
void cs_dbc_apply_attrs(struct cs_dbc *d, int before_connect)
{
	unsigned i;

	CS_ASSERT_KIND(&d->h, CS_KIND_DBC);
	for (i = 0; i < d->nattrs; i++) {
		struct cs_cattr *c = &d->attrs[i];
		SQLRETURN r;

		if (!before_connect && !c->retry)
			continue;
		r = cs_cattr_apply(d, c);
		if (before_connect) {
			c->retry = !SQL_SUCCEEDED(r);
			continue;
		}
		c->retry = 0;
		if (!SQL_SUCCEEDED(r))
			cs_log(CS_LOG_WARN, "%s: connection attribute %d set before connect was not accepted "
			       "by the target driver, before or after its connect", d->dsn, (int)c->attr);
	}
}
