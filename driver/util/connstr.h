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
	int braced;	/* written in braces, whether it needs them or not */
};

struct cs_attrs {
	struct cs_kv *v;
	size_t n;
	size_t cap;
};

/* Largest accepted connection string / key / value, in bytes. */
#define CS_CONNSTR_MAX  65536
#define CS_KEY_MAX      256

/* Wipes (it may hold a secret) and frees the string *s; *s becomes NULL.
 * Nothing when *s is NULL.  The one way credshim drops such a string. */
void cs_wipe_free(char **s);

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

/*
 * The same, but every occurrence of a key is kept, in order: the set a
 * target driver must see when it, not credshim, applies its own rule to
 * repeated keys.  cs_attrs_get still answers the first occurrence.
 */
int cs_attrs_parse_all(struct cs_attrs *a, const char *s, size_t len,
		       char *err, size_t errlen);

/* Value for key (case-insensitive), or NULL. */
const char *cs_attrs_get(const struct cs_attrs *a, const char *key);
/* Sets key to value (replacing and wiping an old value).  0 or -1 (ENOMEM). */
int cs_attrs_set(struct cs_attrs *a, const char *key, const char *value);
/* Appends key=value even when key is present already.  0 or -1. */
int cs_attrs_add(struct cs_attrs *a, const char *key, const char *value);
/* Appends a copy of kv (key, value, bracing) even when its key is present. */
int cs_attrs_add_pair(struct cs_attrs *a, const struct cs_kv *kv);
/* The same, the value always written in braces (a target such as psqlODBC
 * percent-decodes a value without them). */
int cs_attrs_add_braced(struct cs_attrs *a, const char *key, const char *value);
/*
 * Appends the login credshim gives a target: ukey=account, braced only
 * where it must be (psqlODBC keeps the braces of a braced UID as part of
 * the name), and pkey={passwd}, braced whatever it holds (psqlODBC
 * percent-decodes an unbraced PWD: '+', '%').  Built, it parses back, by
 * credshim's rules and by psqlODBC's, to exactly these two pairs
 * (tests/fuzz/fuzz_login.c).  0, or -1 (ENOMEM) with a unchanged.
 */
int cs_attrs_add_login(struct cs_attrs *a, const char *ukey, const char *account,
		       const char *pkey, const char *passwd);
/* Removes key if present (wiping its value). */
void cs_attrs_remove(struct cs_attrs *a, const char *key);
/* For every pair of src whose key is not in dst, append a copy.  0 / -1. */
int cs_attrs_merge_missing(struct cs_attrs *dst, const struct cs_attrs *src);

/*
 * Builds "k1=v1;k2={v;2}" from a, skipping pairs for which skip(key, ctx)
 * returns nonzero (skip may be NULL).  A value is braced when it was
 * braced where it came from (parsed in braces, cs_attrs_add_braced) or
 * contains ';', '{', '}', '=' or starts/ends with a blank; '}' inside
 * braces is doubled.  Returns a malloc'ed string the
 * caller wipes (it may hold a password) and frees, or NULL on ENOMEM.
 */
char *cs_attrs_build(const struct cs_attrs *a,
		     int (*skip)(const char *key, void *ctx), void *ctx);

/* Appends a copy of every pair of src, duplicates included.  0 / -1. */
int cs_attrs_append(struct cs_attrs *dst, const struct cs_attrs *src);

/*
 * A copy of the NUL-terminated connection string s without the segments
 * for whose key drop(key, ctx) returns nonzero; everything else is kept
 * byte for byte.  Stops at a segment that does not parse.  The caller
 * wipes (it may hold a password) and frees; NULL on ENOMEM.
 */
char *cs_connstr_filter(const char *s, int (*drop)(const char *key, void *ctx),
			void *ctx);

/* Nonzero when keys a and b are equal, ignoring ASCII case only (never
 * the locale's: in a Turkish locale "PAMINSECURE" is still PamInsecure). */
int cs_connstr_key_eq(const char *a, const char *b);

/* Nonzero when value must be written in braces. */
int cs_connstr_needs_braces(const char *value);

#endif
