/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the process-wide registry of PAM checkouts (registry.h).
 *
 * An entry's life:
 *
 *   PENDING --checkout ok--> READY --last release--> CHECKIN --> freed
 *      |                       |
 *      |                       +--exit pass--> EXITING --> DONE
 *      +--checkout failed--> FAILED (unlisted; freed at the last release)
 *
 * The last release of a READY entry checks it in; the exit pass checks in
 * the READY entries the process still holds.  Both decide under the
 * registry lock, and the exit pass takes a reference of its own while it
 * works, so an entry is checked in exactly once and freed only by whoever
 * drops the last reference: a connection released during the exit pass
 * finds EXITING (or DONE) and sends nothing.  A DONE entry stays valid
 * for the connections that still point at it.
 *
 * With PamLinger, the last release of a READY entry that may be shared
 * leaves it READY with no reference until linger_until (never past its
 * fresh_until): a new connection joins it; else the reaper thread checks
 * it in then (LINGER is READY with refs 0 and linger_until set).
 *
 * With PamAgent=1 (cfg->agent_socket) the entry's checkout and check-in
 * go to credshim-agent (agent.h) instead of the PAM: the agent shares
 * among processes what this registry shares among one's connections.
 *
 * An entry belongs to the process that took it (pid).  A forked child
 * never joins, checks in or exits the parent's entries: releasing its
 * copy only frees the child's memory; the parent checks the credential in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/log.h"
#include "pam/agent.h"
#include "pam/registry.h"

#define CS_REG_WAIT_SLICE_MS 1000     /* longest single wait on the condition */
#define CS_MARGIN_MIN_MS     5000
#define CS_MARGIN_MAX_MS     300000
#define CS_MS_PER_MIN        60000LL

/*
 * PENDING: the checkout request is in flight; READY: checked out; FAILED:
 * the checkout failed; CHECKIN: its last connection is checking it in;
 * EXITING: the exit pass is checking it in; DONE: checked in by the exit
 * pass while a connection may still point at it.
 */
enum cs_co_state { CS_CO_PENDING, CS_CO_READY, CS_CO_FAILED, CS_CO_CHECKIN, CS_CO_EXITING, CS_CO_DONE };

/* One checkout, shared by refs holders. */
struct cs_checkout {
	struct cs_checkout *next;
	enum cs_co_state state;
	int shareable;                /* may be handed to new connections */
	unsigned refs;
	pid_t pid;                    /* the process that took it */
	long long fresh_until_ms;
	long long linger_until_ms;    /* lingering with refs 0 until then */
	struct cs_pam_err err;        /* when FAILED */
	struct cs_pam_checkout co;
	/* What check-in needs, each an owned copy (never cut); the token is
	 * a secret. */
	struct cs_pam_cfg pam;
};

/* The PAM itself, or credshim-agent when the connection asks for it. */
static int cs_reg_real_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
				struct cs_pam_err *err)
{
	return cfg->agent_socket ? cs_agent_checkout(cfg, out, err) : cs_pam_checkout(cfg, out, err);
}

static int cs_reg_real_checkin(const struct cs_pam_cfg *cfg, const char *id, struct cs_pam_err *err)
{
	return cfg->agent_socket ? cs_agent_checkin(cfg, id, err) : cs_pam_checkin(cfg, id, err);
}

static const struct cs_reg_ops cs_reg_real_ops = {
	cs_reg_real_checkout, cs_reg_real_checkin, cs_pam_now_ms,
};

static const struct cs_reg_ops *cs_ops = &cs_reg_real_ops;
static struct cs_mutex cs_reg_lock = CS_MUTEX_INIT;
static pthread_cond_t cs_reg_cond;
static pthread_once_t cs_reg_once = PTHREAD_ONCE_INIT;
static struct cs_checkout *cs_reg;  /* guarded by cs_reg_lock */
static int cs_reaper_running;       /* guarded by cs_reg_lock */

static void cs_reg_cond_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cs_reg_cond, &ca);
	pthread_condattr_destroy(&ca);
}

/* fork: the child gets the lock free and a condition nobody waits on. */
static void cs_reg_prefork(void)
{
	cs_mutex_lock(&cs_reg_lock);
}

static void cs_reg_postfork_parent(void)
{
	cs_mutex_unlock(&cs_reg_lock);
}

static void cs_reg_postfork_child(void)
{
	cs_reaper_running = 0;
	cs_mutex_unlock(&cs_reg_lock);
	cs_reg_cond_init();
}

static void cs_reg_init(void)
{
	cs_reg_cond_init();
	pthread_atfork(cs_reg_prefork, cs_reg_postfork_parent, cs_reg_postfork_child);
}

void cs_reg_set_ops(const struct cs_reg_ops *ops)
{
	cs_mutex_lock(&cs_reg_lock);
	CS_ASSERT(cs_reg == NULL);
	cs_ops = ops ? ops : &cs_reg_real_ops;
	cs_mutex_unlock(&cs_reg_lock);
}

long long cs_reg_now_ms(void)
{
	return cs_ops->now_ms();
}

long long cs_reg_margin_ms(unsigned long duration_min)
{
	long long m = (long long)duration_min * CS_MS_PER_MIN / 10;

	if (m < CS_MARGIN_MIN_MS)
		m = CS_MARGIN_MIN_MS;
	if (m > CS_MARGIN_MAX_MS)
		m = CS_MARGIN_MAX_MS;
	return m;
}

static int cs_streq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether e was taken by this process from the same PAM, token and
 * runHost as cfg asks for. */
static int cs_co_same(const struct cs_checkout *e, const struct cs_pam_cfg *cfg)
{
	return e->pid == getpid() && cs_streq(e->pam.url, cfg->url) &&
	       cs_streq(e->pam.run_host, cfg->run_host) && cs_streq(e->pam.token, cfg->token) &&
	       cs_streq(e->pam.agent_socket, cfg->agent_socket);
}

/* Whether e may be handed to a new connection configured as cfg. */
static int cs_co_matches_locked(const struct cs_checkout *e, const struct cs_pam_cfg *cfg, long long now)
{
	CS_ASSERT_HELD(&cs_reg_lock);
	return e->shareable && (e->state == CS_CO_PENDING ||
				(e->state == CS_CO_READY && now < e->fresh_until_ms)) &&
	       cs_co_same(e, cfg);
}

static void cs_co_unlink_locked(struct cs_checkout *e)
{
	struct cs_checkout **pp;

	CS_ASSERT_HELD(&cs_reg_lock);
	for (pp = &cs_reg; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			return;
		}
	}
}

static void cs_str_free(const char *s, int secret)
{
	char *p = (char *)s;

	if (p && secret)
		explicit_bzero(p, strlen(p));
	free(p);
}

static void cs_co_free(struct cs_checkout *e)
{
	cs_str_free(e->pam.url, 0);
	cs_str_free(e->pam.run_host, 0);
	cs_str_free(e->pam.ca_file, 0);
	cs_str_free(e->pam.ca_path, 0);
	cs_str_free(e->pam.agent_socket, 0);
	cs_str_free(e->pam.token, 1);
	explicit_bzero(e, sizeof(*e));
	free(e);
}

/* A copy of s, NULL for NULL or ""; -1 when out of memory. */
static int cs_str_dup(const char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

/* A new entry for cfg, PENDING, one reference, not yet listed. */
static struct cs_checkout *cs_co_new(const struct cs_pam_cfg *cfg, int share)
{
	struct cs_checkout *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->state = CS_CO_PENDING;
	e->shareable = share;
	e->refs = 1;
	e->pid = getpid();
	if (cs_str_dup(&e->pam.url, cfg->url) || cs_str_dup(&e->pam.run_host, cfg->run_host) ||
	    cs_str_dup(&e->pam.ca_file, cfg->ca_file) || cs_str_dup(&e->pam.ca_path, cfg->ca_path) ||
	    cs_str_dup(&e->pam.token, cfg->token) ||
	    cs_str_dup(&e->pam.agent_socket, cfg->agent_socket)) {
		cs_co_free(e);
		return NULL;
	}
	e->pam.insecure = cfg->insecure;
	e->pam.timeout_ms = cfg->timeout_ms;
	e->pam.linger_ms = cfg->linger_ms;
	return e;
}

/*
 * Waits for a broadcast on the registry, at most until deadline (on the
 * registry's clock; 0 = none) and at most one slice.  -1 when the
 * deadline has passed.  The caller re-checks what it waits for.
 */
static int cs_reg_wait_locked(long long deadline)
{
	long long slice = CS_REG_WAIT_SLICE_MS, now = cs_ops->now_ms();
	struct timespec ts;

	CS_ASSERT_HELD(&cs_reg_lock);
	if (deadline && now >= deadline)
		return -1;
	if (deadline && deadline - now < slice)
		slice = deadline - now;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(slice / 1000);
	ts.tv_nsec += (long)(slice % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	cs_mutex_wait(&cs_reg_lock, &cs_reg_cond, &ts);
	return 0;
}

static void cs_cred_copy_locked(const struct cs_checkout *e, struct cs_pam_checkout *cred)
{
	CS_ASSERT_HELD(&cs_reg_lock);
	if (cred)
		*cred = e->co;
}

/* Takes a credential from the PAM for e (PENDING, listed, one reference
 * held by the caller) and wakes whoever waits for it.  Lock not held. */
static int cs_co_fill(struct cs_checkout *e, const struct cs_pam_cfg *cfg, int fresh,
		      struct cs_pam_checkout *cred, struct cs_pam_err *err)
{
	struct cs_pam_cfg c = *cfg;
	struct cs_pam_checkout co;
	int r;

	memset(&co, 0, sizeof(co));
	c.share = e->shareable;       /* what the agent is asked for */
	c.fresh = fresh;
	r = cs_ops->checkout(&c, &co, err);
	cs_mutex_lock(&cs_reg_lock);
	if (r == 0) {
		e->co = co;
		e->fresh_until_ms = cs_ops->now_ms() + (long long)cfg->duration_min * CS_MS_PER_MIN -
				    cs_reg_margin_ms(cfg->duration_min);
		e->state = CS_CO_READY;
		cs_cred_copy_locked(e, cred);
	} else {
		e->err = *err;
		e->state = CS_CO_FAILED;
		cs_co_unlink_locked(e);
		if (--e->refs == 0)
			cs_co_free(e);
	}
	pthread_cond_broadcast(&cs_reg_cond);
	cs_mutex_unlock(&cs_reg_lock);
	cs_pam_checkout_wipe(&co);
	return r;
}

/* A check-in of this process's own for cfg's credential is in flight. */
static struct cs_checkout *cs_co_checkin_in_flight_locked(const struct cs_pam_cfg *cfg)
{
	struct cs_checkout *e;

	CS_ASSERT_HELD(&cs_reg_lock);
	for (e = cs_reg; e; e = e->next)
		if ((e->state == CS_CO_CHECKIN || e->state == CS_CO_EXITING) && cs_co_same(e, cfg))
			return e;
	return NULL;
}

/*
 * Joins e (matching, PENDING or READY): waits while it is in flight.
 * 0 with the reference kept, or -1 with *err (the checkout failed, or
 * the deadline passed) and the reference dropped.
 */
static int cs_co_join_locked(struct cs_checkout *e, const struct cs_pam_cfg *cfg,
			     struct cs_pam_checkout *cred, struct cs_pam_err *err)
{
	CS_ASSERT_HELD(&cs_reg_lock);
	e->refs++;
	e->linger_until_ms = 0;
	while (e->state == CS_CO_PENDING) {
		if (cs_reg_wait_locked(cfg->deadline_ms) != 0) {
			e->refs--;
			cs_pam_errf(err, CS_SHYT00, 0, "the login timeout ran out waiting for a "
				    "checkout from the PAM");
			return -1;
		}
	}
	if (e->state == CS_CO_READY) {
		cs_cred_copy_locked(e, cred);
		return 0;
	}
	/* The checkout we waited for failed: its error is ours too. */
	*err = e->err;
	if (--e->refs == 0)
		cs_co_free(e);
	return -1;
}

int cs_reg_acquire(const struct cs_pam_cfg *cfg, int share, int fresh, struct cs_checkout **out,
		   int *joined, struct cs_pam_checkout *cred, struct cs_pam_err *err)
{
	struct cs_checkout *e;
	int r;

	pthread_once(&cs_reg_once, cs_reg_init);
	*out = NULL;
	*joined = 0;
	cs_mutex_lock(&cs_reg_lock);
	for (;;) {
		long long now = cs_ops->now_ms();

		/* A connection that does not share joins nobody either. */
		for (e = fresh || !share ? NULL : cs_reg; e; e = e->next)
			if (cs_co_matches_locked(e, cfg, now))
				break;
		if (e) {
			r = cs_co_join_locked(e, cfg, cred, err);
			cs_mutex_unlock(&cs_reg_lock);
			if (r == 0) {
				*out = e;
				*joined = 1;
			}
			return r;
		}
		/* Our own last connection is checking the credential in: wait
		 * for it, or the PAM would still count it as out. */
		if (!share || !cs_co_checkin_in_flight_locked(cfg))
			break;
		if (cs_reg_wait_locked(cfg->deadline_ms) != 0) {
			cs_mutex_unlock(&cs_reg_lock);
			cs_pam_errf(err, CS_SHYT00, 0, "the login timeout ran out waiting for a check-in");
			return -1;
		}
	}
	e = cs_co_new(cfg, share);
	if (!e) {
		cs_mutex_unlock(&cs_reg_lock);
		cs_pam_errf(err, CS_SHY001, 0, "out of memory");
		return -1;
	}
	e->next = cs_reg;
	cs_reg = e;
	cs_mutex_unlock(&cs_reg_lock);
	if (cs_co_fill(e, cfg, fresh, cred, err) != 0)
		return -1;
	*out = e;
	return 0;
}

int cs_reg_renew(struct cs_checkout **co, const struct cs_pam_cfg *cfg, int share,
		 struct cs_pam_checkout *cred, struct cs_pam_err *err)
{
	struct cs_checkout *old = *co, *e;
	struct cs_pam_err ignored;
	char id[CS_PAM_ID_MAX];
	int joined;

	if (cs_reg_acquire(cfg, share, 1, &e, &joined, cred, err) != 0)
		return -1;
	cs_mutex_lock(&cs_reg_lock);
	old->shareable = 0;           /* never hand it out again */
	cs_mutex_unlock(&cs_reg_lock);
	memset(&ignored, 0, sizeof(ignored));
	cs_reg_release(old, id, sizeof(id), &ignored);
	*co = e;
	return 0;
}

void cs_reg_settle(struct cs_checkout *e)
{
	cs_mutex_lock(&cs_reg_lock);
	if (!e->shareable)
		explicit_bzero(e->co.passwd, sizeof(e->co.passwd));
	cs_mutex_unlock(&cs_reg_lock);
}

/* Checks e in; the caller made sure nobody else does (CHECKIN or
 * EXITING).  Lock not held: this is a network call. */
static int cs_co_checkin(struct cs_checkout *e, long long deadline, struct cs_pam_err *err)
{
	struct cs_pam_cfg p = e->pam;
	int r;

	p.deadline_ms = deadline;
	r = cs_ops->checkin(&p, e->co.id, err);
	if (r == 0)
		cs_log(CS_LOG_INFO, "checked in request %s for runHost %s", e->co.id, e->pam.run_host);
	else
		cs_log(CS_LOG_ERROR, "check-in of request %s for runHost %s failed: %s", e->co.id,
		       e->pam.run_host, err->msg);
	return r;
}

/* A lingering entry of this process whose time is up, or NULL; *next
 * gets the earliest linger_until_ms still to come (0 = none). */
static struct cs_checkout *cs_linger_due_locked(long long now, long long *next)
{
	struct cs_checkout *e;

	CS_ASSERT_HELD(&cs_reg_lock);
	*next = 0;
	for (e = cs_reg; e; e = e->next) {
		if (e->refs || e->state != CS_CO_READY || !e->linger_until_ms || e->pid != getpid())
			continue;
		if (now >= e->linger_until_ms)
			return e;
		if (!*next || e->linger_until_ms < *next)
			*next = e->linger_until_ms;
	}
	return NULL;
}

/*
 * The reaper: checks in each lingering entry when its linger ends, and
 * stops when nothing lingers any more.
 */
static void *cs_reaper(void *arg)
{
	struct cs_checkout *e;
	long long next;

	(void)arg;
	cs_mutex_lock(&cs_reg_lock);
	for (;;) {
		struct cs_pam_err err;

		e = cs_linger_due_locked(cs_ops->now_ms(), &next);
		if (!e) {
			if (!next)
				break;
			cs_reg_wait_locked(next);
			continue;
		}
		e->state = CS_CO_CHECKIN;
		cs_mutex_unlock(&cs_reg_lock);
		memset(&err, 0, sizeof(err));
		cs_log(CS_LOG_INFO, "PamLinger ended for request %s", e->co.id);
		cs_co_checkin(e, 0, &err);
		cs_mutex_lock(&cs_reg_lock);
		cs_co_unlink_locked(e);
		pthread_cond_broadcast(&cs_reg_cond);
		cs_co_free(e);
	}
	cs_reaper_running = 0;
	cs_mutex_unlock(&cs_reg_lock);
	return NULL;
}

/* e (READY, refs 0, this process's) lingers instead of being checked in,
 * when its PamLinger says so and it may still be handed out. */
static int cs_co_linger_locked(struct cs_checkout *e)
{
	long long now = cs_ops->now_ms(), until;
	pthread_attr_t at;
	pthread_t t;

	CS_ASSERT_HELD(&cs_reg_lock);
	/* With the agent, the agent lingers (its lease ends with this one). */
	if (e->pam.linger_ms <= 0 || e->pam.agent_socket || !e->shareable || e->state != CS_CO_READY ||
	    e->pid != getpid() || now >= e->fresh_until_ms)
		return 0;
	until = now + e->pam.linger_ms;
	e->linger_until_ms = until < e->fresh_until_ms ? until : e->fresh_until_ms;
	if (!cs_reaper_running) {
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, cs_reaper, NULL) == 0)
			cs_reaper_running = 1;
		pthread_attr_destroy(&at);
		if (!cs_reaper_running) {
			e->linger_until_ms = 0;
			return 0;
		}
	}
	pthread_cond_broadcast(&cs_reg_cond);  /* the reaper's next wake-up */
	return 1;
}

int cs_reg_busy(void)
{
	int busy;

	cs_mutex_lock(&cs_reg_lock);
	busy = cs_reg != NULL;
	cs_mutex_unlock(&cs_reg_lock);
	return busy;
}

int cs_reg_release(struct cs_checkout *e, char *id, size_t idlen, struct cs_pam_err *err)
{
	int checkin, r = 0;

	cs_mutex_lock(&cs_reg_lock);
	snprintf(id, idlen, "%s", e->co.id);
	if (--e->refs > 0 || cs_co_linger_locked(e)) {
		cs_mutex_unlock(&cs_reg_lock);
		return 0;
	}
	/* The last reference.  EXITING cannot be: the exit pass holds one. */
	CS_ASSERT(e->state != CS_CO_EXITING && e->state != CS_CO_PENDING);
	checkin = e->state == CS_CO_READY && e->pid == getpid();
	if (checkin)
		e->state = CS_CO_CHECKIN;  /* stays listed until the PAM has it */
	else
		cs_co_unlink_locked(e);
	cs_mutex_unlock(&cs_reg_lock);
	if (checkin) {
		r = cs_co_checkin(e, 0, err);
		cs_mutex_lock(&cs_reg_lock);
		cs_co_unlink_locked(e);
		pthread_cond_broadcast(&cs_reg_cond);
		cs_mutex_unlock(&cs_reg_lock);
	}
	cs_co_free(e);
	return r;
}

void cs_reg_exit(void)
{
	long long deadline = cs_ops->now_ms() + CS_REG_EXIT_BUDGET_MS;
	struct cs_checkout *e;

	cs_mutex_lock(&cs_reg_lock);
	for (;;) {
		struct cs_pam_err err;

		for (e = cs_reg; e; e = e->next)
			if (e->pid == getpid() && e->state == CS_CO_READY)
				break;
		if (!e)
			break;
		e->state = CS_CO_EXITING;
		e->refs++;                /* ours while we check it in */
		cs_mutex_unlock(&cs_reg_lock);
		memset(&err, 0, sizeof(err));
		if (cs_ops->now_ms() < deadline)
			cs_co_checkin(e, deadline, &err);
		cs_mutex_lock(&cs_reg_lock);
		/* An exit handler of the application that still disconnects
		 * must not check it in a second time. */
		e->state = CS_CO_DONE;
		cs_co_unlink_locked(e);
		explicit_bzero(&e->co, sizeof(e->co));
		pthread_cond_broadcast(&cs_reg_cond);
		if (--e->refs == 0)
			cs_co_free(e);
	}
	cs_mutex_unlock(&cs_reg_lock);
}
