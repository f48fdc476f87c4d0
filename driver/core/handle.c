/* SPDX-License-Identifier: MIT */
/*
 * handle.c - credshim's handle objects.
 *
 * Handles are never given back to malloc: a freed one is marked dead and
 * kept on a free list of its kind for reuse.  A stale handle that an
 * application (or a test) passes after freeing it therefore reads as dead
 * memory and answers SQL_INVALID_HANDLE instead of touching freed memory.
 * Allocation and release take one process-wide lock; the per-call handle
 * check (cs_get in cs.h) takes none.
 */
#include <stdlib.h>
#include <string.h>

#include "core/cs.h"

/*
 * Freed handles are never returned to malloc: a stale handle must still
 * be readable memory holding a dead tag.  They wait in a first-in,
 * first-out quarantine per kind and are reused only once more than
 * CS_HANDLE_QUARANTINE handles of that kind have been freed after them, so
 * an application's stale pointer keeps answering SQL_INVALID_HANDLE for at
 * least that many frees instead of naming the next handle allocated
 * (docs/architecture.md, "Who owns which handle").
 */
#define CS_HANDLE_QUARANTINE 1024

struct cs_free {
	struct cs_free *next;
};

struct cs_free_queue {
	struct cs_free *head, *tail;  /* oldest first */
	size_t n;
};

/* Every handle ever allocated, per kind, for cs_handle_by_target: none is
 * ever given back to malloc, so the list only grows with the peak. */
struct cs_all {
	struct cs_handle **h;
	size_t n, cap;
};

static struct cs_mutex cs_handle_lock = CS_MUTEX_INIT;
static struct cs_free_queue cs_free_queues[CS_KIND_DESC + 1];  /* guarded by cs_handle_lock */
static struct cs_all cs_all[CS_KIND_DESC + 1];                  /* guarded by cs_handle_lock */

static size_t cs_kind_size(enum cs_kind kind)
{
	switch (kind) {
	case CS_KIND_ENV:
		return sizeof(struct cs_env);
	case CS_KIND_DBC:
		return sizeof(struct cs_dbc);
	case CS_KIND_STMT:
		return sizeof(struct cs_stmt);
	case CS_KIND_DESC:
		return sizeof(struct cs_desc);
	}
	return 0;
}

/*
 * The free list link lives after the header, so a dead handle keeps its
 * dead magic and kind where cs_get() looks.
 */
#define CS_FREE_LINK(h) ((struct cs_free *)((char *)(h) + sizeof(struct cs_handle)))

/* The oldest freed handle of a kind, when it has served its quarantine. */
static struct cs_handle *cs_free_take_locked(enum cs_kind kind)
{
	struct cs_free_queue *q = &cs_free_queues[kind];
	struct cs_free *f = q->head;

	CS_ASSERT_HELD(&cs_handle_lock);
	if (q->n <= CS_HANDLE_QUARANTINE)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	return (struct cs_handle *)((char *)f - sizeof(struct cs_handle));
}

static void cs_free_put_locked(enum cs_kind kind, struct cs_handle *h)
{
	struct cs_free_queue *q = &cs_free_queues[kind];
	struct cs_free *f = CS_FREE_LINK(h);

	CS_ASSERT_HELD(&cs_handle_lock);
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	q->n++;
}

/* Adds a new handle to cs_all; -1 when out of memory. */
static int cs_all_add_locked(enum cs_kind kind, struct cs_handle *h)
{
	struct cs_all *all = &cs_all[kind];

	CS_ASSERT_HELD(&cs_handle_lock);
	if (all->n == all->cap) {
		size_t cap = all->cap ? 2 * all->cap : 64;
		struct cs_handle **p = realloc(all->h, cap * sizeof(*p));

		if (!p)
			return -1;
		all->h = p;
		all->cap = cap;
	}
	all->h[all->n++] = h;
	return 0;
}

void *cs_handle_new(enum cs_kind kind)
{
	size_t size = cs_kind_size(kind);
	struct cs_handle *h;

	cs_mutex_lock(&cs_handle_lock);
	h = cs_free_take_locked(kind);
	if (!h) {
		h = malloc(size);
		if (h && cs_all_add_locked(kind, h) != 0) {
			free(h);
			h = NULL;
		}
	}
	cs_mutex_unlock(&cs_handle_lock);
	if (!h)
		return NULL;
	memset(h, 0, size);
	h->tag = CS_TAG(kind);
	return h;
}

void cs_handle_release(struct cs_handle *h)
{
	enum cs_kind kind = CS_TAG_KIND(h->tag);

	CS_ASSERT(h->tag == CS_TAG(kind));
	cs_diag_clear_slow(h);
	free(h->diag.rec);
	memset(h, 0, cs_kind_size(kind));
	h->tag = CS_TAG_DEAD(kind);
	cs_mutex_lock(&cs_handle_lock);
	cs_free_put_locked(kind, h);
	cs_mutex_unlock(&cs_handle_lock);
}

/*
 * Wraps one of a statement's implicit descriptors (which = 0..3 for ARD,
 * APD, IRD, IPD), reusing the wrapper while the target hands back the same
 * handle.
 */
struct cs_desc *cs_desc_wrap(struct cs_stmt *s, int which, SQLHDESC target)
{
	struct cs_desc *ds = s->implicit[which];

	CS_ASSERT_KIND(&s->h, CS_KIND_STMT);
	if (ds && ds->h.target == target)
		return ds;
	if (!ds) {
		ds = cs_handle_new(CS_KIND_DESC);
		if (!ds)
			return NULL;
		ds->dbc = s->dbc;
		ds->stmt = s;
		ds->h.drv = s->h.drv;
		s->implicit[which] = ds;
	}
	ds->h.target = target;
	return ds;
}

/*
 * Finds credshim's wrapper for a target descriptor handle that a target
 * returned: an explicit descriptor of the connection, or one of the
 * statement's implicit ones.
 */
struct cs_desc *cs_desc_find(struct cs_dbc *d, struct cs_stmt *s, SQLHDESC target)
{
	struct cs_desc *ds;
	int i;

	if (s) {
		for (i = 0; i < 4; i++)
			if (s->implicit[i] && s->implicit[i]->h.target == target)
				return s->implicit[i];
	}
	cs_mutex_lock(&d->lock);
	for (ds = d->descs; ds; ds = ds->next)
		if (ds->h.target == target)
			break;
	cs_mutex_unlock(&d->lock);
	return ds;
}

/* Releases a statement wrapper and its implicit descriptor wrappers (the
 * caller has freed or lost the target statement and unlinked it). */
void cs_stmt_destroy(struct cs_stmt *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s->implicit[i])
			cs_handle_release(&s->implicit[i]->h);
	cs_handle_release(&s->h);
}

void cs_desc_destroy(struct cs_desc *ds)
{
	cs_handle_release(&ds->h);
}

/*
 * Releases every statement and explicit descriptor wrapper of a
 * connection: the target frees its own when the connection ends.
 */
void cs_dbc_drop_children(struct cs_dbc *d)
{
	struct cs_stmt *s, *snext;
	struct cs_desc *ds, *dnext;

	CS_ASSERT_KIND(&d->h, CS_KIND_DBC);
	cs_mutex_lock(&d->lock);
	s = d->stmts;
	ds = d->descs;
	d->stmts = NULL;
	d->descs = NULL;
	cs_mutex_unlock(&d->lock);
	for (; s; s = snext) {
		snext = s->next;
		cs_stmt_destroy(s);
	}
	for (; ds; ds = dnext) {
		dnext = ds->next;
		cs_desc_destroy(ds);
	}
}

/*
 * The handle a forwarder's stub was called for: the stub gets only the
 * target's handle.  It reads the tag, target and driver of handles that
 * other threads are using (or allocating, or freeing) without their
 * owners' synchronisation: aligned words, and a value read mid-change
 * cannot match, since th belongs to the handle the caller is using,
 * which no other thread changes meanwhile.  So ThreadSanitizer is told to
 * look away from this function only.
 */
__attribute__((no_sanitize("thread")))
struct cs_handle *cs_handle_by_target(enum cs_kind kind, SQLHANDLE th, enum cs_fn f,
				      const void *stub)
{
	struct cs_all *all = &cs_all[kind];
	struct cs_handle *found = NULL;
	size_t i;

	cs_mutex_lock(&cs_handle_lock);
	for (i = 0; i < all->n && !found; i++) {
		struct cs_handle *h = all->h[i];

		if (h->tag == CS_TAG(kind) && h->target == th && h->drv && h->drv->fast[f] == stub)
			found = h;
	}
	cs_mutex_unlock(&cs_handle_lock);
	return found;
}
