/* SPDX-License-Identifier: MIT */
/*
 * connect.h - opening and ending connections through the target (connect.c).
 *
 * Connect sits in the top layer because it composes all three below it:
 * configuration (util), the checkout registry (pam) and the target (core).
 */
#ifndef CS_CONNECT_H
#define CS_CONNECT_H

#include "core/attr.h"
#include "core/cs.h"

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

#endif
