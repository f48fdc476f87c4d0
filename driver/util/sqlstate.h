/* SPDX-License-Identifier: MIT */
/*
 * sqlstate.h - the table of SQLSTATEs credshim raises (sqlstate.def).
 */
#ifndef CS_SQLSTATE_H
#define CS_SQLSTATE_H

enum cs_state {
#define CS_STATE(id, code, meaning) CS_##id,
#include "util/sqlstate.def"
#undef CS_STATE
	CS_STATE__COUNT
};

struct cs_state_row {
	char code[6];
	const char *meaning;
};

extern const struct cs_state_row cs_states[CS_STATE__COUNT];

#endif
