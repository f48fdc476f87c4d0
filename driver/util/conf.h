/* SPDX-License-Identifier: MIT */
/*
 * conf.h - the table of configuration keys credshim owns (keys.def).
 */
#ifndef CS_CONF_H
#define CS_CONF_H

#include <stddef.h>

#define CS_KF_SECRET 0x01u
#define CS_KF_PAM    0x02u
#define CS_KF_BOOL   0x04u
#define CS_KF_UINT   0x08u

enum cs_key_id {
#define CS_KEY(id, name, def, flags, help) CS_K_##id,
#include "util/keys.def"
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
/*
 * Unknown keys.  Keys beginning with Pam, Shim or Target (any case) are
 * credshim's namespaces: such a key must be a row of keys.def, so that a
 * misspelling is an error instead of a key silently passed to the target.
 * Every other key belongs to the target driver.
 */
/* Whether name begins with Pam, Shim or Target (ASCII, any case). */
int cs_conf_in_namespace(const char *name);
/* Edit distance between a and b (ASCII case-insensitive; an adjacent
 * transposition counts 1).  Names over CS_CONF_NAME_MAX bytes are
 * CS_CONF_FAR from everything. */
#define CS_CONF_NAME_MAX 256
#define CS_CONF_FAR      ((unsigned)-1)
unsigned cs_conf_distance(const char *a, const char *b);
/* The row of keys.def nearest to name (the first of equally near ones). */
const struct cs_key *cs_conf_nearest(const char *name);
/* NULL when name is a known key or outside credshim's namespaces; else
 * the nearest known key of those namespaces, to suggest. */
const struct cs_key *cs_conf_unknown(const char *name);

struct cs_attrs;
/* Looks for the first unknown key of a: 0 when there is none, else 1 with
 * "unknown key X; did you mean Y?" in msg (holds no value, only names). */
int cs_conf_check_keys(const struct cs_attrs *a, char *msg, size_t msglen);

/* Parses a CS_KF_BOOL value: 1, 0, or -1 when not a boolean. */
int cs_conf_bool(const char *v);
/* Parses a CS_KF_UINT value into *out (<= max): 0, or -1 when invalid. */
int cs_conf_uint(const char *v, unsigned long max, unsigned long *out);

#endif
