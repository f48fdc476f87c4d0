/* SPDX-License-Identifier: MIT */
/*
 * conf.h - the table of configuration keys credshim owns (keys.def).
 */
#ifndef CS_CONF_H
#define CS_CONF_H

#define CS_KF_SECRET 0x01u
#define CS_KF_PAM    0x02u
#define CS_KF_BOOL   0x04u
#define CS_KF_UINT   0x08u

enum cs_key_id {
#define CS_KEY(id, name, def, flags, help) CS_K_##id,
#include "keys.def"
#undef CS_KEY
	CS_K__COUNT
};

struct cs_key {
	const char *name;
	const char *def;
	unsigned flags;
	const char *help;
};

extern const struct cs_key cs_keys[CS_K__COUNT];

/* Row for name (case-insensitive), or NULL when credshim does not own it. */
const struct cs_key *cs_conf_find(const char *name);
/* Parses a CS_KF_BOOL value: 1, 0, or -1 when not a boolean. */
int cs_conf_bool(const char *v);
/* Parses a CS_KF_UINT value into *out (<= max): 0, or -1 when invalid. */
int cs_conf_uint(const char *v, unsigned long max, unsigned long *out);

#endif
