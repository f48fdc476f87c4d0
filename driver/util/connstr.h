/* SPDX-License-Identifier: MIT */
/*
 * connstr.h - ODBC connection strings and attribute sets (pure, no I/O).
 *
 * An attribute set is an ordered list of key=value pairs with
 * case-insensitive keys.  It is what a DSN, a connection string and the
 * merge of both turn into, and what the target's connection string is
 * built from.  Values may be secrets (PWD, PamToken): every value is wiped
 * with explicit_bzero when the set is freed or a value replaced.
 */
#ifndef CS_CONNSTR_H
#define CS_CONNSTR_H

#include <stddef.h>

struct cs_kv {
	char *key;
	char *value;
};

struct cs_attrs {
	struct cs_kv *v;
	size_t n;
	size_t cap;
};

/* Largest accepted connection string / key / value, in bytes. */
#define CS_CONNSTR_MAX  65536
#define CS_KEY_MAX      256

void cs_attrs_init(struct cs_attrs *a);
/* Wipes every value, frees everything; the set is empty and reusable. */
void cs_attrs_free(struct cs_attrs *a);

/*
 * Parses "k1=v1;k2={v;2};..." of len bytes (len may be SIZE_MAX-ish:
 * pass strlen() yourself; the string need not be NUL-terminated).
 * Keys and unbraced values are trimmed of surrounding blanks.  A braced
 * value runs to the first '}' not followed by another '}', and "}}" inside
 * it stands for one '}'.  Empty segments (";;") are skipped.  When a key
 * appears more than once in the string, the first occurrence wins, as the
 * ODBC specification says.  Pairs are appended to a (keys already present
 * in a are NOT overridden: call on a fresh set, then merge).
 * Returns 0, or -1 with a message in err (never quoting a value) for:
 * a segment without '=', an empty key, an unterminated brace, text after
 * a closing brace before ';', or an over-long string/key.
 */
int cs_attrs_parse(struct cs_attrs *a, const char *s, size_t len,
		   char *err, size_t errlen);

/* Value for key (case-insensitive), or NULL. */
const char *cs_attrs_get(const struct cs_attrs *a, const char *key);
/* Sets key to value (replacing and wiping an old value).  0 or -1 (ENOMEM). */
int cs_attrs_set(struct cs_attrs *a, const char *key, const char *value);
/* Removes key if present (wiping its value). */
void cs_attrs_remove(struct cs_attrs *a, const char *key);
/* For every pair of src whose key is not in dst, append a copy.  0 / -1. */
int cs_attrs_merge_missing(struct cs_attrs *dst, const struct cs_attrs *src);

/*
 * Builds "k1=v1;k2={v;2}" from a, skipping pairs for which skip(key, ctx)
 * returns nonzero (skip may be NULL).  A value is braced when it contains
 * ';', '{', '}', '=' or starts/ends with a blank, or is empty-safe as
 * needed; '}' inside braces is doubled.  Returns a malloc'ed string the
 * caller wipes (it may hold a password) and frees, or NULL on ENOMEM.
 */
char *cs_attrs_build(const struct cs_attrs *a,
		     int (*skip)(const char *key, void *ctx), void *ctx);

/* Nonzero when value must be written in braces. */
int cs_connstr_needs_braces(const char *value);

#endif
