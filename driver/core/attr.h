/* SPDX-License-Identifier: MIT */
/*
 * attr.h - the connection attributes credshim keeps so it can replay them
 * on the target connection at connect (attr.c).
 */
#ifndef CS_ATTR_H
#define CS_ATTR_H

#include "core/cs.h"

/* Connection attributes: stored, replayed on the target at connect. */
CS_HIDDEN int cs_cattr_is_string(SQLINTEGER attr);
CS_HIDDEN SQLRETURN cs_dbc_store_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
				      SQLINTEGER len, int wide);
CS_HIDDEN const struct cs_cattr *cs_dbc_find_attr(const struct cs_dbc *d, SQLINTEGER attr);
CS_HIDDEN void cs_dbc_apply_attrs(struct cs_dbc *d, int before_connect);
CS_HIDDEN void cs_dbc_forget_attrs(struct cs_dbc *d);
/* Sets one attribute on the open target connection, converting a string
 * value when the target lacks the variant (wide) the application used. */
CS_HIDDEN SQLRETURN cs_dbc_target_set_attr(struct cs_dbc *d, SQLINTEGER attr, SQLPOINTER value,
					   SQLINTEGER len, int wide);

#endif
