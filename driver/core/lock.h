/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the process's mutexes, with owner tracking in debug builds so a
 * `_locked` function can assert that its caller holds the lock
 * (CS_ASSERT_HELD).  In release builds a cs_mutex is a pthread mutex and
 * nothing more.  docs/architecture.md lists every lock, what it guards and
 * the order in which they nest.
 */
#ifndef CS_LOCK_H
#define CS_LOCK_H

#include <pthread.h>
#include <time.h>

#include "util/debug.h"

struct cs_mutex {
	pthread_mutex_t m;
#ifdef CS_DEBUG
	_Atomic(pthread_t) owner;    /* valid while held != 0 */
	_Atomic int held;
#endif
};

#define CS_MUTEX_INIT { .m = PTHREAD_MUTEX_INITIALIZER }

static inline void cs_mutex_init(struct cs_mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
#ifdef CS_DEBUG
	l->held = 0;
#endif
}

static inline void cs_mutex_destroy(struct cs_mutex *l)
{
	pthread_mutex_destroy(&l->m);
}

#ifdef CS_DEBUG
static inline void cs_mutex_took(struct cs_mutex *l)
{
	l->owner = pthread_self();
	l->held = 1;
}

static inline void cs_mutex_leaving(struct cs_mutex *l)
{
	CS_ASSERT(l->held && pthread_equal(l->owner, pthread_self()));
	l->held = 0;
}

/* Whether the calling thread holds l. */
static inline int cs_mutex_held(struct cs_mutex *l)
{
	return l->held && pthread_equal(l->owner, pthread_self());
}

#define CS_ASSERT_HELD(l) CS_ASSERT(cs_mutex_held(l))
#else
#define cs_mutex_took(l) ((void)0)
#define cs_mutex_leaving(l) ((void)0)
#define CS_ASSERT_HELD(l) ((void)(l))
#endif

static inline void cs_mutex_lock(struct cs_mutex *l)
{
	pthread_mutex_lock(&l->m);
	cs_mutex_took(l);
}

static inline void cs_mutex_unlock(struct cs_mutex *l)
{
	cs_mutex_leaving(l);
	pthread_mutex_unlock(&l->m);
}

/* pthread_cond_timedwait on l, which the caller holds. */
static inline int cs_mutex_wait(struct cs_mutex *l, pthread_cond_t *cond, const struct timespec *until)
{
	int r;

	cs_mutex_leaving(l);
	r = pthread_cond_timedwait(cond, &l->m, until);
	cs_mutex_took(l);
	return r;
}

#endif
