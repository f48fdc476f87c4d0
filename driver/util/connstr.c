/* SPDX-License-Identifier: MIT */
/*
 * connstr.c - ODBC connection strings and attribute sets (pure, no I/O).
 *
 * The grammar, as the ODBC specification and unixODBC read it:
 *
 *   string  := segment { ';' segment }
 *   segment := blank*                              (empty, skipped)
 *            | key '=' value
 *   key     := any bytes but '=' and ';', trimmed of blanks, 1..CS_KEY_MAX
 *   value   := blank* '{' braced '}' blank*        ("}}" is one '}')
 *            | bytes up to ';', trimmed of blanks
 *
 * A NUL byte ends the string even when len is larger, so a caller may pass
 * a buffer size.  Keys compare case-insensitively in ASCII only: the result
 * must not depend on the application's locale.
 *
 * Every value may be a secret: it is wiped with explicit_bzero before its
 * memory is freed, and no error message ever quotes input text (a value
 * with an unbraced ';' would otherwise show up as a "segment").
 */
#include "util/connstr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"

int cs_connstr_key_eq(const char *a, const char *b)
{
	return cs_ascii_eqn(a, b, strlen(b));
}

void cs_wipe_free(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static char *cs_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void cs_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cs_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void cs_attrs_init(struct cs_attrs *a)
{
	a->v = NULL;
	a->n = 0;
	a->cap = 0;
}

/* Wipes and frees the pairs a->v[from..n) and shortens the set to from. */
static void cs_attrs_truncate(struct cs_attrs *a, size_t from)
{
	size_t i;

	for (i = from; i < a->n; i++) {
		free(a->v[i].key);
		cs_wipe_free(&a->v[i].value);
	}
	a->n = from;
}

void cs_attrs_free(struct cs_attrs *a)
{
	cs_attrs_truncate(a, 0);
	free(a->v);
	cs_attrs_init(a);
}

/*
 * Undoes a failed parse or merge: drops the pairs from n0 on, and the
 * array too when the set had none before, so that a caller who only
 * frees sets that hold something leaks nothing.
 */
static void cs_attrs_rollback(struct cs_attrs *a, size_t n0, size_t cap0)
{
	if (cap0 == 0)
		cs_attrs_free(a);
	else
		cs_attrs_truncate(a, n0);
}

/* Makes room for one more pair (the array holds pointers, no secrets). */
static int cs_attrs_grow(struct cs_attrs *a)
{
	struct cs_kv *nv;
	size_t cap;

	if (a->n < a->cap)
		return 0;
	cap = a->cap ? a->cap : 8;
	if (cap > SIZE_MAX / 2 / sizeof(*nv))
		goto out_nomem;
	cap *= 2;
	nv = realloc(a->v, cap * sizeof(*nv));
	if (!nv)
		goto out_nomem;
	a->v = nv;
	a->cap = cap;
	return 0;

out_nomem:
	errno = ENOMEM;
	return -1;
}

/* Appends copies of key[0..klen) and value[0..vlen).  0 or -1 (ENOMEM). */
static int cs_attrs_push(struct cs_attrs *a, const char *key, size_t klen,
			 const char *value, size_t vlen)
{
	char *k, *v;

	if (cs_attrs_grow(a))
		return -1;
	k = cs_strndup(key, klen);
	if (!k)
		goto out_nomem;
	v = cs_strndup(value, vlen);
	if (!v)
		goto out_free_key;
	a->v[a->n].key = k;
	a->v[a->n].value = v;
	a->v[a->n].braced = 0;
	a->n++;
	return 0;

out_free_key:
	free(k);
out_nomem:
	errno = ENOMEM;
	return -1;
}

/*
 * A throw-away hash index over the keys of a set, so that parsing or
 * merging n pairs costs O(n) lookups instead of O(n^2) string compares
 * (a hostile 64 KiB string can hold ~13000 distinct keys).  Slots hold a
 * pair's index + 1; 0 is empty.
 */
struct cs_kidx {
	size_t *slot;
	size_t mask;
	size_t used;
};

static size_t cs_key_hash(const char *k, size_t klen)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < klen; i++) {
		h ^= cs_ascii_lower((unsigned char)k[i]);
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

/* Slot holding key, or the empty slot where it would go. */
static size_t cs_kidx_slot(const struct cs_kidx *x, const struct cs_attrs *a,
			   const char *key, size_t klen)
{
	size_t i = cs_key_hash(key, klen) & x->mask;

	while (x->slot[i] != 0 &&
	       !cs_ascii_eqn(a->v[x->slot[i] - 1].key, key, klen))
		i = (i + 1) & x->mask;
	return i;
}

static int cs_kidx_has(const struct cs_kidx *x, const struct cs_attrs *a,
		       const char *key, size_t klen)
{
	return x->slot[cs_kidx_slot(x, a, key, klen)] != 0;
}

/* (Re)builds x over every pair of a, with room for at least want keys. */
static int cs_kidx_build(struct cs_kidx *x, const struct cs_attrs *a,
			 size_t want)
{
	size_t size = 16, i, *slot;

	while (size / 2 < want) {
		if (size > SIZE_MAX / 2 / sizeof(*slot))
			goto out_nomem;
		size *= 2;
	}
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		goto out_nomem;
	free(x->slot);
	x->slot = slot;
	x->mask = size - 1;
	x->used = 0;
	for (i = 0; i < a->n; i++) {
		size_t s = cs_kidx_slot(x, a, a->v[i].key, strlen(a->v[i].key));

		if (x->slot[s] == 0) {
			x->slot[s] = i + 1;
			x->used++;
		}
	}
	return 0;

out_nomem:
	errno = ENOMEM;
	return -1;
}

/* Records the last pair of a, which must not be in x yet. */
static int cs_kidx_add_last(struct cs_kidx *x, const struct cs_attrs *a)
{
	const char *key = a->v[a->n - 1].key;

	if ((x->used + 1) * 2 > x->mask + 1)
		return cs_kidx_build(x, a, (x->mask + 1));	/* doubles */
	x->slot[cs_kidx_slot(x, a, key, strlen(key))] = a->n;
	x->used++;
	return 0;
}

/* Where one segment's key and value lie in the input. */
struct cs_seg {
	size_t key_off, key_len;
	size_t val_off, val_len;	/* raw: "}}" not yet unescaped */
	int braced;
};

/*
 * Scans a braced value whose '{' is at s[p]: on success *end is the
 * index of the closing '}'.  "}}" is an escaped '}', so "{a}}" is
 * unterminated rather than "a" followed by junk.
 */
static int cs_scan_braced(const char *s, size_t len, size_t p, size_t *end)
{
	for (p++; p < len; p++) {
		if (s[p] != '}')
			continue;
		if (p + 1 < len && s[p + 1] == '}') {
			p++;
			continue;
		}
		*end = p;
		return 0;
	}
	return -1;
}

/*
 * Scans the segment that starts at *pos and moves *pos past its ';'.
 * Returns 1 with seg filled, 0 for an empty segment, -1 with err set.
 */
static int cs_scan_segment(const char *s, size_t len, size_t *pos,
			   struct cs_seg *seg, char *err, size_t errlen)
{
	size_t p = *pos, start, end;

	while (p < len && cs_ascii_blank((unsigned char)s[p]))
		p++;
	if (p == len || s[p] == ';') {
		*pos = p < len ? p + 1 : p;
		return 0;
	}
	start = p;
	while (p < len && s[p] != '=' && s[p] != ';')
		p++;
	if (p == len || s[p] == ';') {
		cs_err(err, errlen, "connection string: no '=' in the segment at offset %zu",
		       start);
		return -1;
	}
	end = p;
	while (end > start && cs_ascii_blank((unsigned char)s[end - 1]))
		end--;
	if (end == start) {
		cs_err(err, errlen, "connection string: empty key at offset %zu", start);
		return -1;
	}
	if (end - start > CS_KEY_MAX) {
		cs_err(err, errlen, "connection string: key at offset %zu is longer than %d bytes",
		       start, CS_KEY_MAX);
		return -1;
	}
	seg->key_off = start;
	seg->key_len = end - start;

	p++;	/* '=' */
	while (p < len && cs_ascii_blank((unsigned char)s[p]))
		p++;
	if (p < len && s[p] == '{') {
		if (cs_scan_braced(s, len, p, &end)) {
			cs_err(err, errlen, "connection string: unterminated '{' at offset %zu", p);
			return -1;
		}
		seg->val_off = p + 1;
		seg->val_len = end - p - 1;
		seg->braced = 1;
		p = end + 1;
		while (p < len && cs_ascii_blank((unsigned char)s[p]))
			p++;
		if (p < len && s[p] != ';') {
			cs_err(err, errlen, "connection string: text after the closing '}' at offset %zu",
			       p);
			return -1;
		}
	} else {
		start = p;
		while (p < len && s[p] != ';')
			p++;
		end = p;
		while (end > start && cs_ascii_blank((unsigned char)s[end - 1]))
			end--;
		seg->val_off = start;
		seg->val_len = end - start;
		seg->braced = 0;
	}
	*pos = p < len ? p + 1 : p;
	return 1;
}

/* Appends the pair seg describes, unescaping "}}" in a braced value. */
static int cs_attrs_push_seg(struct cs_attrs *a, const char *s,
			     const struct cs_seg *seg)
{
	const char *raw = s + seg->val_off;
	char *v;
	size_t i, j;
	int rc;

	if (!seg->braced)
		return cs_attrs_push(a, s + seg->key_off, seg->key_len, raw,
				     seg->val_len);
	v = malloc(seg->val_len + 1);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0, j = 0; i < seg->val_len; i++, j++) {
		v[j] = raw[i];
		if (raw[i] == '}')
			i++;	/* the scanner saw "}}" here */
	}
	rc = cs_attrs_push(a, s + seg->key_off, seg->key_len, v, j);
	explicit_bzero(v, j);
	free(v);
	if (rc == 0)
		a->v[a->n - 1].braced = 1;
	return rc;
}

/*
 * The effective length of s: up to the first NUL within len bytes.  At
 * most CS_CONNSTR_MAX + 1 bytes are looked at, which is enough to say
 * "too long".
 */
static size_t cs_connstr_len(const char *s, size_t len)
{
	const char *nul;

	if (len > (size_t)CS_CONNSTR_MAX + 1)
		len = (size_t)CS_CONNSTR_MAX + 1;
	nul = memchr(s, '\0', len);
	return nul ? (size_t)(nul - s) : len;
}

/*
 * Parses a connection string into a (see connstr.h).  On error nothing
 * is added to a: the pairs appended so far are wiped and removed, so a
 * half-parsed password never lingers in the set.
 */
static int cs_attrs_parse_opt(struct cs_attrs *a, const char *s, size_t len,
			      int keep_all, char *err, size_t errlen)
{
	struct cs_kidx idx = { NULL, 0, 0 };
	struct cs_seg seg;
	size_t n0 = a->n, cap0 = a->cap, pos = 0;
	int r;

	cs_err(err, errlen, "%s", "");
	len = s ? cs_connstr_len(s, len) : 0;
	if (len > CS_CONNSTR_MAX) {
		cs_err(err, errlen, "connection string is longer than %d bytes",
		       CS_CONNSTR_MAX);
		return -1;
	}
	if (cs_kidx_build(&idx, a, a->n + 8))
		goto out_nomem;
	while (pos < len) {
		r = cs_scan_segment(s, len, &pos, &seg, err, errlen);
		if (r < 0)
			goto out_rollback;
		if (r == 0)
			continue;	/* empty */
		if (!keep_all && cs_kidx_has(&idx, a, s + seg.key_off, seg.key_len))
			continue;	/* not the first occurrence */
		if (cs_attrs_push_seg(a, s, &seg))
			goto out_nomem;
		if (!keep_all && cs_kidx_add_last(&idx, a))
			goto out_nomem;
	}
	free(idx.slot);
	return 0;

out_nomem:
	cs_err(err, errlen, "%s", "connection string: out of memory");
out_rollback:
	free(idx.slot);
	cs_attrs_rollback(a, n0, cap0);
	return -1;
}

int cs_attrs_parse(struct cs_attrs *a, const char *s, size_t len,
		   char *err, size_t errlen)
{
	return cs_attrs_parse_opt(a, s, len, 0, err, errlen);
}

int cs_attrs_parse_all(struct cs_attrs *a, const char *s, size_t len,
		       char *err, size_t errlen)
{
	return cs_attrs_parse_opt(a, s, len, 1, err, errlen);
}

const char *cs_attrs_get(const struct cs_attrs *a, const char *key)
{
	size_t i, klen;

	if (!key)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < a->n; i++)
		if (cs_ascii_eqn(a->v[i].key, key, klen))
			return a->v[i].value;
	return NULL;
}

/* Index of key in a, or a->n when absent. */
static size_t cs_attrs_find(const struct cs_attrs *a, const char *key)
{
	size_t i, klen = strlen(key);

	for (i = 0; i < a->n; i++)
		if (cs_ascii_eqn(a->v[i].key, key, klen))
			break;
	return i;
}

/*
 * Sets key to value.  A key already present keeps its position and its
 * spelling; only the value changes, and the old one is wiped.
 */
int cs_attrs_set(struct cs_attrs *a, const char *key, const char *value)
{
	size_t i;
	char *v;

	if (!key || !value) {
		errno = EINVAL;
		return -1;
	}
	i = cs_attrs_find(a, key);
	if (i == a->n)
		return cs_attrs_push(a, key, strlen(key), value, strlen(value));
	v = cs_strndup(value, strlen(value));
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	cs_wipe_free(&a->v[i].value);
	a->v[i].value = v;
	return 0;
}

void cs_attrs_remove(struct cs_attrs *a, const char *key)
{
	size_t i;

	if (!key)
		return;
	i = cs_attrs_find(a, key);
	if (i == a->n)
		return;
	free(a->v[i].key);
	cs_wipe_free(&a->v[i].value);
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(a->v[0]));
	a->n--;
}

/* Appends what dst lacks of src, in src's order; all or nothing. */
int cs_attrs_merge_missing(struct cs_attrs *dst, const struct cs_attrs *src)
{
	struct cs_kidx idx = { NULL, 0, 0 };
	size_t n0 = dst->n, cap0 = dst->cap, i;

	if (src->n == 0)
		return 0;
	if (cs_kidx_build(&idx, dst, dst->n + src->n))
		return -1;
	for (i = 0; i < src->n; i++) {
		const char *k = src->v[i].key, *v = src->v[i].value;
		size_t klen = strlen(k);

		if (cs_kidx_has(&idx, dst, k, klen))
			continue;
		if (cs_attrs_push(dst, k, klen, v, strlen(v)))
			goto out_rollback;
		dst->v[dst->n - 1].braced = src->v[i].braced;
		if (cs_kidx_add_last(&idx, dst))
			goto out_rollback;
	}
	free(idx.slot);
	return 0;

out_rollback:
	free(idx.slot);
	cs_attrs_rollback(dst, n0, cap0);
	errno = ENOMEM;
	return -1;
}

int cs_attrs_add(struct cs_attrs *a, const char *key, const char *value)
{
	if (!key || !value) {
		errno = EINVAL;
		return -1;
	}
	return cs_attrs_push(a, key, strlen(key), value, strlen(value));
}

int cs_attrs_add_pair(struct cs_attrs *a, const struct cs_kv *kv)
{
	if (cs_attrs_add(a, kv->key, kv->value))
		return -1;
	a->v[a->n - 1].braced = kv->braced;
	return 0;
}

int cs_attrs_add_braced(struct cs_attrs *a, const char *key, const char *value)
{
	if (cs_attrs_add(a, key, value))
		return -1;
	a->v[a->n - 1].braced = 1;
	return 0;
}

int cs_attrs_add_login(struct cs_attrs *a, const char *ukey, const char *account,
		       const char *pkey, const char *passwd)
{
	size_t n = a->n;

	if (cs_attrs_add(a, ukey, account) == 0 && cs_attrs_add_braced(a, pkey, passwd) == 0)
		return 0;
	cs_attrs_truncate(a, n);
	return -1;
}

/* Appends a copy of every pair of src, duplicates included; all or nothing. */
int cs_attrs_append(struct cs_attrs *dst, const struct cs_attrs *src)
{
	size_t n0 = dst->n, cap0 = dst->cap, i;

	for (i = 0; i < src->n; i++) {
		if (cs_attrs_add_pair(dst, &src->v[i])) {
			cs_attrs_rollback(dst, n0, cap0);
			return -1;
		}
	}
	return 0;
}

/*
 * Copies s without the segments drop() names, every other byte as it was
 * (spelling, braces, blanks, a trailing ';').  The key handed to drop()
 * is NUL-terminated and trimmed.  A segment that does not parse ends the
 * copy there: what follows it cannot be split into pairs safely.
 */
char *cs_connstr_filter(const char *s, int (*drop)(const char *key, void *ctx),
			void *ctx)
{
	size_t len = cs_connstr_len(s, SIZE_MAX), pos = 0, start, o = 0;
	char key[CS_KEY_MAX + 1], *out;
	struct cs_seg seg;
	int r;

	out = malloc(len + 1);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	while (pos < len) {
		start = pos;
		r = cs_scan_segment(s, len, &pos, &seg, NULL, 0);
		if (r < 0)
			break;
		if (r > 0) {
			memcpy(key, s + seg.key_off, seg.key_len);
			key[seg.key_len] = '\0';
			if (drop(key, ctx))
				continue;
		}
		memcpy(out + o, s + start, pos - start);
		o += pos - start;
	}
	/* A dropped last segment leaves the ';' before it: keep the
	 * string's own ending instead. */
	if (o > 0 && out[o - 1] == ';' && (len == 0 || s[len - 1] != ';'))
		o--;
	out[o] = '\0';
	return out;
}

int cs_connstr_needs_braces(const char *value)
{
	size_t len;

	if (!value || value[0] == '\0')
		return 0;
	len = strlen(value);
	if (cs_ascii_blank((unsigned char)value[0]) ||
	    cs_ascii_blank((unsigned char)value[len - 1]))
		return 1;
	return strpbrk(value, ";{}=") != NULL;
}

/*
 * Nonzero when key can be written so that parsing gives it back: not
 * empty, at most CS_KEY_MAX bytes, none of = ; { } (keys are never
 * braced), and no blank at either end (the parser trims those).
 */
static int cs_key_writable(const char *key)
{
	size_t len = strlen(key);

	if (len == 0 || len > CS_KEY_MAX)
		return 0;
	if (cs_ascii_blank((unsigned char)key[0]) ||
	    cs_ascii_blank((unsigned char)key[len - 1]))
		return 0;
	return strpbrk(key, "=;{}") == NULL;
}

static int cs_size_add(size_t *acc, size_t x)
{
	if (SIZE_MAX - *acc < x)
		return -1;
	*acc += x;
	return 0;
}

/* Bytes "key=value" takes once written, braces and "}}" included. */
static int cs_pair_size(const struct cs_kv *kv, size_t *acc)
{
	size_t vlen = strlen(kv->value), extra = 0, i;

	if (kv->braced || cs_connstr_needs_braces(kv->value)) {
		extra = 2;
		for (i = 0; i < vlen; i++)
			if (kv->value[i] == '}')
				extra++;
	}
	if (cs_size_add(acc, strlen(kv->key)) || cs_size_add(acc, 1) ||
	    cs_size_add(acc, vlen) || cs_size_add(acc, extra))
		return -1;
	return 0;
}

/* Writes "key=value" at out (sized by cs_pair_size); returns its end. */
static char *cs_pair_write(const struct cs_kv *kv, char *out)
{
	size_t klen = strlen(kv->key);
	const char *v;

	memcpy(out, kv->key, klen);
	out += klen;
	*out++ = '=';
	if (!kv->braced && !cs_connstr_needs_braces(kv->value)) {
		size_t vlen = strlen(kv->value);

		memcpy(out, kv->value, vlen);
		return out + vlen;
	}
	*out++ = '{';
	for (v = kv->value; *v; v++) {
		*out++ = *v;
		if (*v == '}')
			*out++ = '}';
	}
	*out++ = '}';
	return out;
}

/*
 * Builds the connection string of a (see connstr.h).  Pairs whose key
 * cannot be written back (cs_key_writable) are left out silently, like
 * the ones skip rejects: writing them would change their meaning.  skip
 * is asked once per pair and the answer kept, so the buffer sized in the
 * first pass is the one filled in the second whatever skip does.
 */
char *cs_attrs_build(const struct cs_attrs *a,
		     int (*skip)(const char *key, void *ctx), void *ctx)
{
	size_t size = 1, i;
	int first = 1;
	char *out = NULL, *p, *want;

	want = malloc(a->n ? a->n : 1);
	if (!want)
		goto out_nomem;
	for (i = 0; i < a->n; i++) {
		want[i] = cs_key_writable(a->v[i].key) &&
			  !(skip && skip(a->v[i].key, ctx));
		if (!want[i])
			continue;
		if (cs_pair_size(&a->v[i], &size) || cs_size_add(&size, 1))
			goto out_free_want;	/* the 1 is for ';' */
	}
	out = malloc(size);
	if (!out)
		goto out_free_want;
	p = out;
	for (i = 0; i < a->n; i++) {
		if (!want[i])
			continue;
		if (!first)
			*p++ = ';';
		first = 0;
		p = cs_pair_write(&a->v[i], p);
	}
	*p = '\0';
	free(want);
	return out;

out_free_want:
	free(want);
out_nomem:
	errno = ENOMEM;
	return NULL;
}
