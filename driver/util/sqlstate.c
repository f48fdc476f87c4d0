/* SPDX-License-Identifier: MIT */
/*
 * sqlstate.c - the SQLSTATE table, generated from sqlstate.def.
 */
#include "sqlstate.h"

const struct cs_state_row cs_states[CS_STATE__COUNT] = {
#define CS_STATE(id, code, meaning) { code, meaning },
#include "sqlstate.def"
#undef CS_STATE
};
