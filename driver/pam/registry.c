/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the process-wide registry of PAM checkouts (registry.h).
 *
 * An entry's life:
 *
 *   PENDING --checkout ok--> READY --last release--> CHECKIN --ok--> freed
 *      |                       |                        |
 *      |                       +--exit pass--> EXITING  +--failed--> RETRY
 *      |                       +--renewal--> CHECKIN       (listed until the PAM
 *      +--checkout failed--> FAILED                         accepts it, says the
 *         (unlisted; freed at the last release)            request is no longer
 *                                                          open, or it expires)
 *
 * Whoever checks an entry in (a last release, the reaper, the exit pass,
 * a renewal, a retry) first sets CHECKIN or EXITING under the registry
 * lock and holds a reference of its own while it works, so an entry is
 * checked in by one thread at a time and freed only by whoever drops the
 * last reference.  An entry that is finished (checked in, given up) but
 * still pointed at by connections is DONE and unlisted: their release
 * sends nothing.  A RETRY entry belongs to the list (refs counts only the
 * connections still pointing at it).
 *
 * Failed check-ins (RETRY) are tried again with backoff (1 s, doubling
 * to 1 min) until the checkout's duration ends: on a later connect of
 * this process to the same PAM (PamUrl), at once when a connect for the same runHost gets 409,
 * at exit within the exit budget, and with cs_reg_background (the agent)
 * by the reaper thread.  A request the PAM accepted is never sent again;
 * one the PAM no longer knows (404, 410) is given up.
 *
 * Renewal (PamRenew=1): a connect that finds this process's shared
 * checkout inside its expiry margin asks for a fresh one; when the PAM
 * answers 409 (the pool is what that checkout holds), the old request is
 * checked in (its connections keep their sessions: the database keeps a
 * session when its password changes) and the checkout is asked for once
 * more.
 *
 * With PamLinger, the last release of a READY entry that may be shared
 * leaves it READY with no reference until linger_until (never past its
 * fresh_until): a new connection joins it; else the reaper thread checks
 * it in then (LINGER is READY with refs 0 and linger_until set).
 *
 * With PamAgent=1 (cfg->agent_socket) the entry's checkout and check-in
 * go to credshim-agent (agent.h) instead of the PAM: the agent shares
 * among processes what this registry shares among one's connections,
 * and renews and retries itself (this side does neither).
 *
 * An entry belongs to the process that took it (pid).  A forked child
 * never joins, checks in, retries, renews or exits the parent's entries:
 * releasing its copy only frees the child's memory; the parent checks
 * the credential in.
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
#define CS_RETRY_FIRST_MS    1000     /* first wait after a failed check-in */
#define CS_RETRY_MAX_MS      60000    /* the backoff doubles up to this */
/* Test-only: milliseconds a PamDuration minute counts for credshim, to
 * match the mock PAM's --minute-seconds (tests/README.md). */
#define CS_MINUTE_ENV        "CREDSHIM_TEST_MINUTE_MS"

/*
 * PENDING: the checkout request is in flight; READY: checked out; FAILED:
 * the checkout failed; CHECKIN: a check-in is in flight (last release,
 * reaper, renewal, retry); EXITING: the exit pass is checking it in;
 * RETRY: a check-in failed and is due again at retry_at_ms; DONE: checked
 * in or given up while a connection may still point at it.
 */
enum cs_co_state {
	CS_CO_PENDING, CS_CO_READY, CS_CO_FAILED, CS_CO_CHECKIN, CS_CO_EXITING, CS_CO_RETRY, CS_CO_DONE
};

/* One checkout, shared by refs holders. */
struct cs_checkout {
	struct cs_checkout *next;
	enum cs_co_state state;
	int shareable;                /* may be handed to new connections */
	unsigned refs;
	pid_t pid;                    /* the process that took it */
	long long fresh_until_ms;
	long long expires_ms;         /* the PAM's own expiry (its duration) */
	long long linger_until_ms;    /* lingering with refs 0 until then */
	long long retry_at_ms;        /* RETRY: the next attempt */
	unsigned attempts;            /* check-in attempts made */
	unsigned round;               /* the cs_reg_retry call that last tried it */
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
static int cs_background;           /* guarded by cs_reg_lock: the reaper retries */
static long long cs_minute_ms = CS_MS_PER_MIN;  /* set once by cs_reg_init */

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

/* CREDSHIM_TEST_MINUTE_MS: 1 to 60000, else ignored. */
static void cs_reg_minute_init(void)
{
	const char *v = getenv(CS_MINUTE_ENV);
	char *end;
	long n;

	if (!v || !*v)
		return;
	n = strtol(v, &end, 10);
	if (*end == '\0' && n >= 1 && n <= CS_MS_PER_MIN)
		cs_minute_ms = n;
}

static void cs_reg_init(void)
{
	cs_reg_minute_init();
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
	long long m, lo, hi;

	pthread_once(&cs_reg_once, cs_reg_init);
	m = (long long)duration_min * cs_minute_ms / 10;
	lo = CS_MARGIN_MIN_MS * cs_minute_ms / CS_MS_PER_MIN;
	hi = CS_MARGIN_MAX_MS * cs_minute_ms / CS_MS_PER_MIN;
	if (m < lo)
		m = lo;
	if (m > hi)
		m = hi;
	return m;
}

void cs_reg_background(int on)
{
	pthread_once(&cs_reg_once, cs_reg_init);
	cs_mutex_lock(&cs_reg_lock);
	cs_background = on;
	pthread_cond_broadcast(&cs_reg_cond);  /* waiters look again */
	cs_mutex_unlock(&cs_reg_lock);
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
	e->pam.renew = cfg->renew;
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

/* e goes to the caller to be checked in (st: CHECKIN or EXITING), with a
 * reference of its own that cs_co_checkin drops. */
static void cs_co_take_locked(struct cs_checkout *e, enum cs_co_state st)
{
	CS_ASSERT_HELD(&cs_reg_lock);
	e->state = st;
	e->refs++;
	e->linger_until_ms = 0;
}

/* The wait after the n-th failed check-in attempt: 1 s, doubling, 1 min
 * at most. */
static long long cs_retry_backoff_ms(unsigned n)
{
	long long w = CS_RETRY_FIRST_MS;

	while (n-- > 1 && w < CS_RETRY_MAX_MS)
		w *= 2;
	return w < CS_RETRY_MAX_MS ? w : CS_RETRY_MAX_MS;
}

/* The PAM says the request is no longer open: another attempt could only
 * get the same answer. */
static int cs_checkin_gone(const struct cs_pam_err *err)
{
	return err->pam_status == 404 || err->pam_status == 410;
}

static void cs_reaper_start_locked(void);

/*
 * Checks e in (the caller took it: cs_co_take_locked).  Lock not held:
 * this is a network call.  Then, under the lock: accepted, no longer
 * open at the PAM, or not to be retried: DONE and unlisted, freed here
 * when no connection points at it; else RETRY after the backoff, while
 * the checkout's duration lasts (only this process's own entries, never
 * through the agent, which retries itself).  *ended (may be NULL) says
 * whether the PAM no longer holds it.  0, or -1 with *err.
 */
static int cs_co_checkin(struct cs_checkout *e, long long deadline, struct cs_pam_err *err, int *ended)
{
	struct cs_pam_cfg p = e->pam;
	char id[CS_PAM_ID_MAX], rh[256];
	long long wait = 0;
	int r, retry = 0, gone, last;
	unsigned n;

	snprintf(id, sizeof(id), "%s", e->co.id);
	snprintf(rh, sizeof(rh), "%s", e->pam.run_host ? e->pam.run_host : "");
	p.deadline_ms = deadline;
	r = cs_ops->checkin(&p, id, err);
	gone = r != 0 && cs_checkin_gone(err);
	cs_mutex_lock(&cs_reg_lock);
	n = ++e->attempts;
	if (r != 0 && !gone && !e->pam.agent_socket && e->pid == getpid()) {
		long long now = cs_ops->now_ms();

		wait = cs_retry_backoff_ms(n);
		retry = now + wait < e->expires_ms;
	}
	if (retry) {
		e->state = CS_CO_RETRY;
		e->retry_at_ms = cs_ops->now_ms() + wait;
		if (cs_background)
			cs_reaper_start_locked();
	} else {
		e->state = CS_CO_DONE;
		cs_co_unlink_locked(e);
		cs_pam_checkout_wipe(&e->co);
	}
	pthread_cond_broadcast(&cs_reg_cond);
	last = --e->refs == 0 && e->state == CS_CO_DONE;
	cs_mutex_unlock(&cs_reg_lock);
	if (last)
		cs_co_free(e);
	if (ended)
		*ended = r == 0 || gone;
	if (r == 0)
		cs_log(CS_LOG_INFO, "checked in request %s for runHost %s (attempt %u)", id, rh, n);
	else if (retry)
		cs_log(CS_LOG_WARN, "check-in of request %s for runHost %s failed (attempt %u): %s; "
		       "retrying in %lld ms", id, rh, n, err->msg, wait);
	else if (gone)
		cs_log(CS_LOG_WARN, "check-in of request %s for runHost %s (attempt %u): the PAM no "
		       "longer has it open (%s); not retried", id, rh, n, err->msg);
	else
		cs_log(CS_LOG_ERROR, "check-in of request %s for runHost %s failed (attempt %u): %s%s",
		       id, rh, n, err->msg, p.agent_socket ? "" : "; not retried: its duration ends "
		       "first, the PAM checks it in then");
	return r;
}

/*
 * Tries again this process's failed check-ins: with cfg, every one for
 * cfg's PAM, token and runHost at once (a connect got 409); without,
 * every one that is due, of the PAM at url only when url is not NULL (a
 * connect waits for no other PAM: one that is down would hold it up and
 * eat its login timeout).  Each at most once per call.  Returns how many
 * the PAM no longer holds.
 */
static int cs_reg_retry(const struct cs_pam_cfg *cfg, const char *url, long long deadline)
{
	static unsigned round;        /* guarded by cs_reg_lock */
	struct cs_checkout *e;
	unsigned me;
	int freed = 0;

	cs_mutex_lock(&cs_reg_lock);
	me = ++round;
	for (;;) {
		long long now = cs_ops->now_ms();
		struct cs_pam_err err;
		int ended = 0;

		for (e = cs_reg; e; e = e->next)
			if (e->state == CS_CO_RETRY && e->pid == getpid() && e->round != me &&
			    (cfg ? cs_co_same(e, cfg) :
			     now >= e->retry_at_ms && (!url || cs_streq(e->pam.url, url))))
				break;
		if (!e)
			break;
		e->round = me;
		cs_co_take_locked(e, CS_CO_CHECKIN);
		cs_mutex_unlock(&cs_reg_lock);
		memset(&err, 0, sizeof(err));
		cs_co_checkin(e, deadline, &err, &ended);
		freed += ended;
		cs_mutex_lock(&cs_reg_lock);
	}
	cs_mutex_unlock(&cs_reg_lock);
	return freed;
}

/*
 * Renewal: when this process holds a shared checkout for cfg that is
 * inside its expiry margin, checks it in (its connections keep their
 * sessions and, unlisted, send nothing at their release).  1 when the
 * PAM no longer holds it.
 */
static int cs_co_renew_stale(const struct cs_pam_cfg *cfg)
{
	struct cs_checkout *e;
	struct cs_pam_err err;
	long long now;
	int ended = 0;

	cs_mutex_lock(&cs_reg_lock);
	now = cs_ops->now_ms();
	for (e = cs_reg; e; e = e->next)
		if (e->state == CS_CO_READY && e->shareable && now >= e->fresh_until_ms && cs_co_same(e, cfg))
			break;
	if (!e) {
		cs_mutex_unlock(&cs_reg_lock);
		return 0;
	}
	e->shareable = 0;
	cs_co_take_locked(e, CS_CO_CHECKIN);
	cs_log(CS_LOG_INFO, "renewal: request %s for runHost %s is inside its expiry margin and the "
	       "PAM has no credential free: checking it in (%u connection(s) keep their sessions) "
	       "and checking out again", e->co.id, cfg->run_host, e->refs - 1);
	cs_mutex_unlock(&cs_reg_lock);
	memset(&err, 0, sizeof(err));
	cs_co_checkin(e, cfg->deadline_ms, &err, &ended);
	return ended;
}

/* Takes a credential from the PAM for e (PENDING, listed, one reference
 * held by the caller) and wakes whoever waits for it.  When the PAM has
 * none free (08004), gives back first what this process holds for the
 * same runHost and could return (failed check-ins, and with renewal a
 * shared checkout inside its margin), and asks once more.  Lock not held. */
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
	if (r != 0 && err->state == CS_S08004 && !cfg->agent_socket &&
	    cs_reg_retry(cfg, NULL, cfg->deadline_ms) + (cfg->renew ? cs_co_renew_stale(cfg) : 0) > 0) {
		memset(err, 0, sizeof(*err));
		r = cs_ops->checkout(&c, &co, err);
	}
	cs_mutex_lock(&cs_reg_lock);
	if (r == 0) {
		long long now = cs_ops->now_ms();

		e->co = co;
		e->expires_ms = now + (long long)cfg->duration_min * cs_minute_ms;
		e->fresh_until_ms = e->expires_ms - cs_reg_margin_ms(cfg->duration_min);
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
	cs_reg_retry(NULL, cfg->url, cfg->deadline_ms);  /* this PAM's failed check-ins that are due */
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
	cs_reg_spoil(old);
	memset(&ignored, 0, sizeof(ignored));
	cs_reg_release(old, id, sizeof(id), &ignored);
	*co = e;
	return 0;
}

void cs_reg_spoil(struct cs_checkout *e)
{
	cs_mutex_lock(&cs_reg_lock);
	e->shareable = 0;
	cs_mutex_unlock(&cs_reg_lock);
}

void cs_reg_settle(struct cs_checkout *e)
{
	cs_mutex_lock(&cs_reg_lock);
	if (!e->shareable)
		explicit_bzero(e->co.passwd, sizeof(e->co.passwd));
	cs_mutex_unlock(&cs_reg_lock);
}

/*
 * What the reaper does next: a lingering entry whose time is up, or
 * (with cs_background) a failed check-in that is due; NULL when none is,
 * with *next the earliest time one will be (0 = none).
 */
static struct cs_checkout *cs_reaper_due_locked(long long now, long long *next)
{
	struct cs_checkout *e;

	CS_ASSERT_HELD(&cs_reg_lock);
	*next = 0;
	for (e = cs_reg; e; e = e->next) {
		long long at;

		if (e->pid != getpid())
			continue;
		if (e->state == CS_CO_READY && !e->refs && e->linger_until_ms)
			at = e->linger_until_ms;
		else if (e->state == CS_CO_RETRY && cs_background)
			at = e->retry_at_ms;
		else
			continue;
		if (now >= at)
			return e;
		if (!*next || at < *next)
			*next = at;
	}
	return NULL;
}

/*
 * The reaper: checks in each lingering entry when its linger ends and,
 * in the agent, each failed check-in when it is due; stops when nothing
 * is left to wait for.
 */
static void *cs_reaper(void *arg)
{
	struct cs_checkout *e;
	long long next;

	(void)arg;
	cs_mutex_lock(&cs_reg_lock);
	for (;;) {
		struct cs_pam_err err;
		int linger;

		e = cs_reaper_due_locked(cs_ops->now_ms(), &next);
		if (!e) {
			if (!next)
				break;
			cs_reg_wait_locked(next);
			continue;
		}
		linger = e->state == CS_CO_READY;
		if (linger)
			cs_log(CS_LOG_INFO, "PamLinger ended for request %s", e->co.id);
		cs_co_take_locked(e, CS_CO_CHECKIN);
		cs_mutex_unlock(&cs_reg_lock);
		memset(&err, 0, sizeof(err));
		cs_co_checkin(e, 0, &err, NULL);
		cs_mutex_lock(&cs_reg_lock);
	}
	cs_reaper_running = 0;
	cs_mutex_unlock(&cs_reg_lock);
	return NULL;
}

/* Starts the reaper unless it runs; 0 when it runs. */
static int cs_reaper_start_now_locked(void)
{
	pthread_attr_t at;
	pthread_t t;

	CS_ASSERT_HELD(&cs_reg_lock);
	if (!cs_reaper_running) {
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, cs_reaper, NULL) == 0)
			cs_reaper_running = 1;
		pthread_attr_destroy(&at);
	}
	pthread_cond_broadcast(&cs_reg_cond);  /* the reaper's next wake-up */
	return cs_reaper_running ? 0 : -1;
}

static void cs_reaper_start_locked(void)
{
	if (cs_reaper_start_now_locked() != 0)
		cs_log(CS_LOG_WARN, "cannot start the thread that retries check-ins");
}

/* e (READY, refs 0, this process's) lingers instead of being checked in,
 * when its PamLinger says so and it may still be handed out. */
static int cs_co_linger_locked(struct cs_checkout *e)
{
	long long now = cs_ops->now_ms(), until;

	CS_ASSERT_HELD(&cs_reg_lock);
	/* With the agent, the agent lingers (its lease ends with this one). */
	if (e->pam.linger_ms <= 0 || e->pam.agent_socket || !e->shareable || e->state != CS_CO_READY ||
	    e->pid != getpid() || now >= e->fresh_until_ms)
		return 0;
	until = now + e->pam.linger_ms;
	e->linger_until_ms = until < e->fresh_until_ms ? until : e->fresh_until_ms;
	if (cs_reaper_start_now_locked() != 0) {
		e->linger_until_ms = 0;
		return 0;
	}
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
	cs_mutex_lock(&cs_reg_lock);
	snprintf(id, idlen, "%s", e->co.id);
	if (--e->refs > 0 || cs_co_linger_locked(e)) {
		cs_mutex_unlock(&cs_reg_lock);
		return 0;
	}
	/* The last reference.  PENDING, CHECKIN and EXITING cannot be: whoever
	 * works on the entry holds a reference of its own. */
	CS_ASSERT(e->state != CS_CO_EXITING && e->state != CS_CO_PENDING && e->state != CS_CO_CHECKIN);
	/* Only the process that took it checks it in: a forked child's
	 * release of an inherited connection frees its own copy, nothing
	 * more. */
	if (e->pid == getpid() && e->state == CS_CO_RETRY) {
		cs_mutex_unlock(&cs_reg_lock);  /* the list keeps it for the retry */
		return 0;
	}
	if (e->pid == getpid() && e->state == CS_CO_READY) {
		e->state = CS_CO_CHECKIN;     /* our reference becomes the check-in's */
		e->refs = 1;
		cs_mutex_unlock(&cs_reg_lock);
		return cs_co_checkin(e, 0, err, NULL);
	}
	cs_co_unlink_locked(e);
	cs_mutex_unlock(&cs_reg_lock);
	cs_co_free(e);
	return 0;
}

/*
 * The next entry the exit pass checks in: READY, or RETRY and due; *next
 * gets the earliest retry still to come (0 = none).
 */
static struct cs_checkout *cs_exit_next_locked(long long now, long long *next)
{
	struct cs_checkout *e;

	CS_ASSERT_HELD(&cs_reg_lock);
	*next = 0;
	for (e = cs_reg; e; e = e->next) {
		if (e->pid != getpid())
			continue;
		if (e->state == CS_CO_READY || (e->state == CS_CO_RETRY && now >= e->retry_at_ms))
			return e;
		if (e->state == CS_CO_RETRY && (!*next || e->retry_at_ms < *next))
			*next = e->retry_at_ms;
	}
	return NULL;
}

void cs_reg_exit(void)
{
	long long deadline = cs_ops->now_ms() + CS_REG_EXIT_BUDGET_MS;
	long long real_end = cs_pam_now_ms() + CS_REG_EXIT_BUDGET_MS;  /* whatever the clock */
	struct cs_checkout *e;

	cs_mutex_lock(&cs_reg_lock);
	for (;;) {
		long long now = cs_ops->now_ms(), next;
		struct cs_pam_err err;

		e = cs_exit_next_locked(now, &next);
		if (!e && next && next < deadline && cs_pam_now_ms() < real_end &&
		    cs_reg_wait_locked(next) == 0)
			continue;
		if (!e)
			break;
		if (now >= deadline) {
			if (e->state == CS_CO_RETRY)
				break;
			/* Out of time: an exit handler of the application that
			 * still disconnects must not send it either. */
			e->state = CS_CO_DONE;
			cs_co_unlink_locked(e);
			cs_pam_checkout_wipe(&e->co);
			if (e->refs == 0)
				cs_co_free(e);
			continue;
		}
		cs_co_take_locked(e, CS_CO_EXITING);
		cs_mutex_unlock(&cs_reg_lock);
		memset(&err, 0, sizeof(err));
		cs_co_checkin(e, deadline, &err, NULL);
		cs_mutex_lock(&cs_reg_lock);
	}
	cs_mutex_unlock(&cs_reg_lock);
}
