/* SPDX-License-Identifier: MIT */
/*
 * connect.h - opening and ending connections through the target, and the
 * connection attributes credshim keeps so it can replay them at connect.
 */
#ifndef CS_CONNECT_H
#define CS_CONNECT_H

#include "cs.h"

/*
 * Connects d from a UTF-8 connection string (keywords as the application
 * gave them: DSN=... or DRIVER=..., TargetDriver, pass-through keys).
 * wide says which variant the application called, so the target is
 * called the same way.  On success *out (may be NULL) receives a
 * malloc'ed UTF-8 output connection string without secrets.
 */
CS_HIDDEN SQLRETURN cs_connect(struct cs_dbc *d, const char *connstr, size_t len,
			       int wide, char **out);
/* SQLDisconnect: may fail (25000 in a transaction) and leave d open. */
CS_HIDDEN SQLRETURN cs_disconnect(struct cs_dbc *d);
/* Ends d whatever it takes (freeing, process exit): rolls back if the
 * target refuses to disconnect.  Nothing when d is not open. */
CS_HIDDEN void cs_connect_end(struct cs_dbc *d);

/* Connection attributes: stored, replayed on the target at connect. */
CS_HIDDEN int cs_cattr_is_string(SQLINTEGER attr);
CS_HIDDEN SQLRETURN cs_dbc_store_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
				      SQLINTEGER len, int wide);
CS_HIDDEN const struct cs_cattr *cs_dbc_find_attr(const struct cs_dbc *d, SQLINTEGER attr);
CS_HIDDEN SQLRETURN cs_dbc_apply_attrs(struct cs_dbc *d, int before_connect);
CS_HIDDEN void cs_dbc_forget_attrs(struct cs_dbc *d);
/* Sets one attribute on the open target connection, converting a string
 * value when the target lacks the variant (wide) the application used. */
CS_HIDDEN SQLRETURN cs_dbc_target_set_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
					   SQLINTEGER len, int wide);

#endif
