/* SPDX-License-Identifier: MIT */
/*
 * sqlstate.c - the SQLSTATE table, generated from sqlstate.def.
 */
#include "util/sqlstate.h"

const struct cs_state_row cs_states[CS_STATE__COUNT] = {
#define CS_STATE(id, code, meaning) { code, meaning },
#include "util/sqlstate.def"
#undef CS_STATE
};
