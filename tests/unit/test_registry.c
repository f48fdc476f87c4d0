/* SPDX-License-Identifier: MIT */
/*
 * test_registry.c - the checkout registry (driver/pam/registry.c) driven
 * through its seam: a scripted fake PAM and a fake clock, no network.
 *
 * The fake PAM hands out "req-N" / "acct-N" / "pw-N", counts every call,
 * records the order of checkouts and check-ins, can refuse the next call,
 * can hold calls at a gate (so a test can make a second thread act while
 * one is inside the PAM), and can move the clock during a check-in.
 * Every wait of the test is bounded; a registry that hangs fails the test
 * by its ctest timeout.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pam/registry.h"

#define FAKE_IDS_MAX   4096
#define WAIT_MAX_MS    5000     /* longest a test waits for another thread */
#define QUIET_MS       50       /* how long "nothing happens" is watched */

static struct fake {
	pthread_mutex_t m;
	pthread_cond_t cv;
	int checkouts, checkins;          /* calls made */
	int in_checkout, in_checkin;      /* calls inside the gate now */
	int hold_checkout, hold_checkin;  /* gates closed */
	int refuse_checkout, refuse_checkin; /* the next n calls fail */
	int gone_checkin;                 /* the next n check-ins: 404, no such request */
	int refuse_only;                  /* refuse_checkin and gone_checkin apply to
					   * this request number only (0: any) */
	long long now;                    /* the fake clock, ms */
	long long checkin_step;           /* the clock moves this much per check-in */
	unsigned char checked_in[FAKE_IDS_MAX]; /* per request number */
	char log[4096];                   /* "o1 i1 o2 ..." in call order */
} F = { .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void fake_log(const char *what, int n)
{
	size_t len = strlen(F.log);

	snprintf(F.log + len, sizeof(F.log) - len, "%s%s%d", len ? " " : "", what, n);
}

static int fake_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
			 struct cs_pam_err *err)
{
	int n, refuse;

	pthread_mutex_lock(&F.m);
	n = ++F.checkouts;
	F.in_checkout++;
	pthread_cond_broadcast(&F.cv);
	while (F.hold_checkout)
		pthread_cond_wait(&F.cv, &F.m);
	F.in_checkout--;
	refuse = F.refuse_checkout > 0;
	if (refuse)
		F.refuse_checkout--;
	fake_log(refuse ? "x" : "o", n);
	pthread_mutex_unlock(&F.m);
	if (refuse) {
		cs_pam_errf(err, CS_S08004, 409, "PAM checkout failed: no credential free");
		return -1;
	}
	snprintf(out->id, sizeof(out->id), "req-%d", n);
	snprintf(out->account, sizeof(out->account), "acct-%d", n);
	snprintf(out->passwd, sizeof(out->passwd), "pw-%d", n);
	return 0;
}

static int fake_checkin(const struct cs_pam_cfg *cfg, const char *id, struct cs_pam_err *err)
{
	int n = 0, refuse;

	sscanf(id, "req-%d", &n);
	pthread_mutex_lock(&F.m);
	F.checkins++;
	F.in_checkin++;
	pthread_cond_broadcast(&F.cv);
	while (F.hold_checkin)
		pthread_cond_wait(&F.cv, &F.m);
	F.in_checkin--;
	F.now += F.checkin_step;
	refuse = F.refuse_only && F.refuse_only != n ? 0 :
		 F.refuse_checkin > 0 ? 1 : F.gone_checkin > 0 ? 2 : 0;
	if (refuse == 1)
		F.refuse_checkin--;
	else if (refuse == 2)
		F.gone_checkin--;
	else if (n > 0 && n < FAKE_IDS_MAX)
		F.checked_in[n]++;
	fake_log(refuse == 1 ? "f" : refuse == 2 ? "g" : "i", n);
	pthread_mutex_unlock(&F.m);
	if (refuse == 1) {
		cs_pam_errf(err, CS_S08001, 500, "PAM check-in failed: HTTP 500");
		err->pam_status = 500;
		return -1;
	}
	if (refuse == 2) {
		cs_pam_errf(err, CS_S08001, 200, "PAM check-in failed: no such request");
		err->pam_status = 404;
		return -1;
	}
	return 0;
}

static long long fake_now(void)
{
	long long t;

	pthread_mutex_lock(&F.m);
	t = F.now;
	pthread_mutex_unlock(&F.m);
	return t;
}

static const struct cs_reg_ops fake_ops = { fake_checkout, fake_checkin, fake_now };

static void fake_reset(void)
{
	pthread_mutex_lock(&F.m);
	F.checkouts = F.checkins = 0;
	F.hold_checkout = F.hold_checkin = 0;
	F.refuse_checkout = F.refuse_checkin = F.gone_checkin = F.refuse_only = 0;
	F.checkin_step = 0;
	F.now = 1000000;
	memset(F.checked_in, 0, sizeof(F.checked_in));
	F.log[0] = '\0';
	pthread_mutex_unlock(&F.m);
}

static void fake_set(int *field, int v)
{
	pthread_mutex_lock(&F.m);
	*field = v;
	pthread_cond_broadcast(&F.cv);
	pthread_mutex_unlock(&F.m);
}

static int fake_get(const int *field)
{
	int v;

	pthread_mutex_lock(&F.m);
	v = *field;
	pthread_mutex_unlock(&F.m);
	return v;
}

static void fake_advance(long long ms)
{
	pthread_mutex_lock(&F.m);
	F.now += ms;
	pthread_mutex_unlock(&F.m);
}

/* Waits (bounded) until *field >= want.  1 when it got there. */
static int fake_wait(const int *field, int want)
{
	struct timespec ts;
	int ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MAX_MS / 1000;
	pthread_mutex_lock(&F.m);
	while (*field < want)
		if (pthread_cond_timedwait(&F.cv, &F.m, &ts) != 0)
			break;
	ok = *field >= want;
	pthread_mutex_unlock(&F.m);
	return ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static struct cs_pam_cfg cfg_for(const char *run_host, unsigned long duration_min)
{
	struct cs_pam_cfg c;

	memset(&c, 0, sizeof(c));
	c.url = "https://pam.example:8443";
	c.token = "token-1";
	c.run_host = run_host;
	c.reason = "unit test";
	c.email = "";
	c.duration_min = duration_min;
	c.timeout_ms = 1000;
	return c;
}

/* One connection's view: acquire and what it got. */
struct conn {
	struct cs_pam_cfg cfg;
	int share, fresh;
	struct cs_checkout *co;
	int joined, rc, done;
	struct cs_pam_checkout cred;
	struct cs_pam_err err;
	pthread_t th;
};

static int conn_acquire(struct conn *c)
{
	memset(&c->err, 0, sizeof(c->err));
	c->rc = cs_reg_acquire(&c->cfg, c->share, c->fresh, &c->co, &c->joined, &c->cred, &c->err);
	return c->rc;
}

static int conn_release(struct conn *c)
{
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;

	memset(&err, 0, sizeof(err));
	return cs_reg_release(c->co, id, sizeof(id), &err);
}

static void *acquire_thread(void *arg)
{
	struct conn *c = arg;

	conn_acquire(c);
	pthread_mutex_lock(&F.m);
	c->done = 1;
	pthread_cond_broadcast(&F.cv);
	pthread_mutex_unlock(&F.m);
	return NULL;
}

static void *release_thread(void *arg)
{
	struct conn *c = arg;

	c->rc = conn_release(c);
	pthread_mutex_lock(&F.m);
	c->done = 1;
	pthread_cond_broadcast(&F.cv);
	pthread_mutex_unlock(&F.m);
	return NULL;
}

static void *exit_thread(void *arg)
{
	int *done = arg;

	cs_reg_exit();
	fake_set(done, 1);
	return NULL;
}

static struct conn conn_new(const char *run_host, int share)
{
	struct conn c;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg_for(run_host, 60);
	c.share = share;
	return c;
}

static void test_sharing_on(void)
{
	struct conn a = conn_new("h-share", 1), b = conn_new("h-share", 1);

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(a.joined, 0);
	CHECK_STR(a.cred.account, "acct-1");
	CHECK_STR(a.cred.passwd, "pw-1");
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 1);
	CHECK(a.co == b.co);
	CHECK_STR(b.cred.id, "req-1");
	CHECK_STR(b.cred.passwd, "pw-1");
	CHECK_INT(F.checkouts, 1);
	/* Check-in at the last release only. */
	CHECK_INT(conn_release(&b), 0);
	CHECK_INT(F.checkins, 0);
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(F.checkins, 1);
	CHECK_STR(F.log, "o1 i1");
	/* Another runHost, token or PAM is another credential. */
	a = conn_new("h-share", 1);
	b = conn_new("h-other", 1);
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 0);
	conn_release(&a);
	conn_release(&b);
	a = conn_new("h-share", 1);
	b = conn_new("h-share", 1);
	b.cfg.token = "token-2";
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 0);
	conn_release(&a);
	conn_release(&b);
	CHECK_INT(F.checkouts, 5);
	CHECK_INT(F.checkins, 5);
}

static void test_sharing_off(void)
{
	struct conn a = conn_new("h-off", 0), b = conn_new("h-off", 0), c = conn_new("h-off", 1);

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 0);
	CHECK(a.co != b.co);
	CHECK_STR(b.cred.id, "req-2");
	/* A sharing connection does not join an unshared checkout. */
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(c.joined, 0);
	CHECK_INT(F.checkouts, 3);
	conn_release(&a);
	CHECK_INT(F.checkins, 1);
	conn_release(&b);
	conn_release(&c);
	CHECK_INT(F.checkins, 3);
	/* The password of a checkout nobody may join is forgotten once the
	 * connection has logged in; nothing else changes. */
	a = conn_new("h-off", 0);
	CHECK_INT(conn_acquire(&a), 0);
	cs_reg_settle(a.co);
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(F.checkins, 4);
}

static void test_join_in_flight(void)
{
	struct conn a = conn_new("h-fly", 1), b = conn_new("h-fly", 1);

	fake_reset();
	fake_set(&F.hold_checkout, 1);
	pthread_create(&a.th, NULL, acquire_thread, &a);
	CHECK(fake_wait(&F.in_checkout, 1));
	pthread_create(&b.th, NULL, acquire_thread, &b);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&b.done), 0);       /* waits for a's checkout */
	CHECK_INT(fake_get(&F.checkouts), 1);  /* and takes none itself */
	fake_set(&F.hold_checkout, 0);
	pthread_join(a.th, NULL);
	pthread_join(b.th, NULL);
	CHECK_INT(a.rc, 0);
	CHECK_INT(b.rc, 0);
	CHECK_INT(a.joined, 0);
	CHECK_INT(b.joined, 1);
	CHECK(a.co == b.co);
	CHECK_STR(b.cred.passwd, "pw-1");
	CHECK_INT(F.checkouts, 1);
	conn_release(&a);
	conn_release(&b);
	CHECK_INT(F.checkins, 1);

	/* The checkout in flight fails: whoever waited gets its error. */
	a = conn_new("h-fly", 1);
	b = conn_new("h-fly", 1);
	fake_reset();
	fake_set(&F.hold_checkout, 1);
	fake_set(&F.refuse_checkout, 1);
	pthread_create(&a.th, NULL, acquire_thread, &a);
	CHECK(fake_wait(&F.in_checkout, 1));
	pthread_create(&b.th, NULL, acquire_thread, &b);
	sleep_ms(QUIET_MS);
	fake_set(&F.hold_checkout, 0);
	pthread_join(a.th, NULL);
	pthread_join(b.th, NULL);
	CHECK_INT(a.rc, -1);
	CHECK_INT(b.rc, -1);
	CHECK_STR(a.err.sqlstate, "08004");
	CHECK_STR(b.err.sqlstate, "08004");
	CHECK_INT(F.checkouts, 1);
	CHECK_INT(F.checkins, 0);

	/* The login timeout runs out while waiting: HYT00, nothing held. */
	a = conn_new("h-fly", 1);
	b = conn_new("h-fly", 1);
	fake_reset();
	b.cfg.deadline_ms = fake_now() + 100;
	fake_set(&F.hold_checkout, 1);
	pthread_create(&a.th, NULL, acquire_thread, &a);
	CHECK(fake_wait(&F.in_checkout, 1));
	pthread_create(&b.th, NULL, acquire_thread, &b);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&b.done), 0);
	fake_advance(100);
	CHECK(fake_wait(&b.done, 1));
	fake_set(&F.hold_checkout, 0);
	pthread_join(a.th, NULL);
	pthread_join(b.th, NULL);
	CHECK_INT(a.rc, 0);
	CHECK_INT(b.rc, -1);
	CHECK_STR(b.err.sqlstate, "HYT00");
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(F.checkins, 1);
}

static void test_wait_own_checkin(void)
{
	struct conn a = conn_new("h-own", 1), b = conn_new("h-own", 1);

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.hold_checkin, 1);
	pthread_create(&a.th, NULL, release_thread, &a);
	CHECK(fake_wait(&F.in_checkin, 1));
	pthread_create(&b.th, NULL, acquire_thread, &b);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&b.done), 0);       /* waits for the check-in */
	CHECK_INT(fake_get(&F.checkouts), 1);
	fake_set(&F.hold_checkin, 0);
	pthread_join(a.th, NULL);
	pthread_join(b.th, NULL);
	CHECK_INT(a.rc, 0);
	CHECK_INT(b.rc, 0);
	CHECK_INT(b.joined, 0);
	CHECK_STR(b.cred.id, "req-2");
	CHECK_STR(F.log, "o1 i1 o2");        /* checked in before out again */
	conn_release(&b);

	/* Without sharing there is nothing to wait for. */
	a = conn_new("h-own", 0);
	b = conn_new("h-own", 0);
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.hold_checkin, 1);
	pthread_create(&a.th, NULL, release_thread, &a);
	CHECK(fake_wait(&F.in_checkin, 1));
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_STR(b.cred.id, "req-2");
	fake_set(&F.hold_checkin, 0);
	pthread_join(a.th, NULL);
	conn_release(&b);
	CHECK_INT(F.checkins, 2);
}

static void test_expiry_margin(void)
{
	struct conn a = conn_new("h-exp", 1), b = conn_new("h-exp", 1), c = conn_new("h-exp", 1);
	long long t0;

	CHECK_INT(cs_reg_margin_ms(0), 5000);
	CHECK_INT(cs_reg_margin_ms(1), 6000);
	CHECK_INT(cs_reg_margin_ms(10), 60000);
	CHECK_INT(cs_reg_margin_ms(50), 300000);
	CHECK_INT(cs_reg_margin_ms(600), 300000);

	fake_reset();
	a.cfg.duration_min = b.cfg.duration_min = c.cfg.duration_min = 10;
	t0 = fake_now();
	CHECK_INT(conn_acquire(&a), 0);
	/* 10 minutes minus a margin of one minute: joined up to 9 minutes. */
	fake_advance(9 * 60000 - 1);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 1);
	fake_advance(1);
	CHECK_INT(fake_now() - t0, 9 * 60000);
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(c.joined, 0);
	CHECK_STR(c.cred.id, "req-2");
	conn_release(&a);
	conn_release(&b);
	conn_release(&c);
	CHECK_INT(F.checkins, 2);
}

/* PamLinger: the last release keeps a shared checkout for the next
 * connect; the reaper checks it in when the linger ends, never past the
 * expiry margin; a checkout that does not share never lingers. */
static void test_linger(void)
{
	struct conn a = conn_new("h-linger", 1), b = conn_new("h-linger", 1);
	struct conn c = conn_new("h-linger", 1), d = conn_new("h-linger", 0);

	fake_reset();
	a.cfg.linger_ms = b.cfg.linger_ms = d.cfg.linger_ms = 30000;
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(fake_get(&F.checkins), 0);
	fake_advance(29000);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 1);
	CHECK_STR(b.cred.id, "req-1");
	CHECK_INT(conn_release(&b), 0);      /* lingers 30 s from now */
	fake_advance(29000);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&F.checkins), 0);
	fake_advance(2000);
	CHECK(fake_wait(&F.checkins, 1));
	CHECK_INT(fake_get(&F.checkouts), 1);
	/* 1 minute: fresh for 54 s, so a linger of 10 minutes ends there. */
	c.cfg.duration_min = 1;
	c.cfg.linger_ms = 600000;
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(conn_release(&c), 0);
	fake_advance(53000);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&F.checkins), 1);
	fake_advance(1000);
	CHECK(fake_wait(&F.checkins, 2));
	CHECK_INT(conn_acquire(&d), 0);
	CHECK_INT(conn_release(&d), 0);
	CHECK_INT(fake_get(&F.checkins), 3);
	/* A credential the database refused does not linger. */
	CHECK_INT(conn_acquire(&a), 0);
	cs_reg_spoil(a.co);
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(fake_get(&F.checkins), 4);
	CHECK_STR(F.log, "o1 i1 o2 i2 o3 i3 o4 i4");
}

static void test_renew(void)
{
	struct conn a = conn_new("h-ren", 1), b = conn_new("h-ren", 1), c = conn_new("h-ren", 1);
	struct cs_checkout *old;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 1);
	/* b's login was refused: one fresh checkout; the old one is never
	 * handed out again but stays a's until a releases it. */
	old = b.co;
	CHECK_INT(cs_reg_renew(&b.co, &b.cfg, b.share, &b.cred, &b.err), 0);
	CHECK(b.co != old);
	CHECK_STR(b.cred.id, "req-2");
	CHECK_STR(b.cred.passwd, "pw-2");
	CHECK_INT(F.checkouts, 2);
	CHECK_INT(F.checkins, 0);
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(c.joined, 1);
	CHECK_STR(c.cred.id, "req-2");
	conn_release(&a);
	CHECK_STR(F.log, "o1 o2 i1");
	conn_release(&b);
	conn_release(&c);
	CHECK_INT(F.checkins, 2);

	/* The PAM has no fresh one: nothing changes, the old one stays shared. */
	a = conn_new("h-ren", 1);
	b = conn_new("h-ren", 1);
	c = conn_new("h-ren", 1);
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	old = b.co;
	fake_set(&F.refuse_checkout, 1);
	CHECK_INT(cs_reg_renew(&b.co, &b.cfg, b.share, &b.cred, &b.err), -1);
	CHECK_STR(b.err.sqlstate, "08004");
	CHECK(b.co == old);
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(c.joined, 1);
	CHECK_STR(c.cred.id, "req-1");
	conn_release(&a);
	conn_release(&b);
	conn_release(&c);
	CHECK_STR(F.log, "o1 x2 i1");
}

static void test_failed_checkin(void)
{
	struct conn a = conn_new("h-fail", 1), b = conn_new("h-fail", 1);
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 1);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	CHECK_STR(id, "req-1");
	CHECK_STR(err.sqlstate, "08001");
	/* Nobody joins it: the next connect checks out anew. */
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 0);
	CHECK_STR(b.cred.id, "req-2");
	conn_release(&b);
	CHECK_STR(F.log, "o1 f1 o2 i2");
	/* A connect once the retry is due tries it again first. */
	fake_advance(1000);
	b = conn_new("h-fail", 1);
	CHECK_INT(conn_acquire(&b), 0);
	conn_release(&b);
	CHECK_STR(F.log, "o1 f1 o2 i2 i1 o3 i3");
	CHECK_INT(F.checked_in[1], 1);
	/* Accepted: never sent again. */
	fake_advance(3600000);
	b = conn_new("h-fail", 1);
	CHECK_INT(conn_acquire(&b), 0);
	conn_release(&b);
	CHECK_INT(F.checked_in[1], 1);
	CHECK_INT(F.checkins, 5);
	CHECK(!cs_reg_busy());
}

/* A connect on another runHost, for the retries it runs first. */
static void poke(void)
{
	struct conn p = conn_new("h-poke", 1);

	CHECK_INT(conn_acquire(&p), 0);
	conn_release(&p);
}

/* How many check-in calls request n got ("f", "g" or "i" in the log). */
static int checkin_calls(int n)
{
	char want[3][16];
	const char *p;
	int k = 0, i;

	snprintf(want[0], sizeof(want[0]), "f%d", n);
	snprintf(want[1], sizeof(want[1]), "g%d", n);
	snprintf(want[2], sizeof(want[2]), "i%d", n);
	for (p = F.log; *p; p += strcspn(p, " "), p += *p == ' ') {
		size_t len = strcspn(p, " ");

		for (i = 0; i < 3; i++)
			if (strlen(want[i]) == len && strncmp(p, want[i], len) == 0)
				k++;
	}
	return k;
}

/*
 * A failed check-in is tried again after 1, 2, 4 ... s (not before), until
 * the PAM takes it, and never after that.
 */
static void test_retry_backoff(void)
{
	struct conn a = conn_new("h-back", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;

	fake_reset();
	F.refuse_only = 1;
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 3);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	CHECK_INT(checkin_calls(1), 1);
	fake_advance(999);
	poke();
	CHECK_INT(checkin_calls(1), 1);       /* not due yet */
	fake_advance(1);
	poke();
	CHECK_INT(checkin_calls(1), 2);
	fake_advance(1999);
	poke();
	CHECK_INT(checkin_calls(1), 2);
	fake_advance(1);
	poke();
	CHECK_INT(checkin_calls(1), 3);
	fake_advance(4000);
	poke();
	CHECK_INT(checkin_calls(1), 4);
	CHECK_INT(F.checked_in[1], 1);
	fake_advance(600000);
	poke();
	CHECK_INT(checkin_calls(1), 4);
	CHECK(!cs_reg_busy());
}

/* The retries end with the checkout's duration: 1 minute here. */
static void test_retry_expiry(void)
{
	struct conn a = conn_new("h-exp", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;
	int i;

	fake_reset();
	F.refuse_only = 1;
	a.cfg.duration_min = 1;
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 1000);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	for (i = 0; i < 70; i++) {
		fake_advance(1000);
		poke();
	}
	/* At 0, 1, 3, 7, 15 and 31 s; the next (63 s) is past the minute. */
	CHECK_INT(checkin_calls(1), 6);
	CHECK(!cs_reg_busy());
}

/* The PAM says the request is no longer open: not retried. */
static void test_retry_gone(void)
{
	struct conn a = conn_new("h-gone", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;

	fake_reset();
	F.refuse_only = 1;
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.gone_checkin, 1);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	fake_advance(10000);
	poke();
	CHECK_INT(checkin_calls(1), 1);
	CHECK(!cs_reg_busy());
}

/* A connect for the same runHost that gets 409 retries the pending
 * check-in at once (not due yet) and asks again. */
static void test_retry_on_409(void)
{
	struct conn a = conn_new("h-409", 1), b = conn_new("h-409", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 1);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	fake_set(&F.refuse_checkout, 1);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_STR(b.cred.id, "req-3");
	CHECK_STR(F.log, "o1 f1 x2 i1 o3");
	conn_release(&b);
	/* Still failing: the connect gets the 409. */
	a = conn_new("h-409", 1);
	b = conn_new("h-409", 1);
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 2);
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	fake_set(&F.refuse_checkout, 1);
	CHECK_INT(conn_acquire(&b), -1);
	CHECK_STR(b.err.sqlstate, "08004");
	CHECK_STR(F.log, "o1 f1 x2 f1");
	fake_advance(2000);
	poke();
	CHECK_INT(F.checked_in[1], 1);
	CHECK(!cs_reg_busy());
}

/*
 * Renewal: the shared checkout is inside its margin and the PAM has no
 * other credential (409): the old request goes back, a new one comes
 * out, the old one's connections send nothing at their release.
 */
static void test_renewal(void)
{
	struct conn a = conn_new("h-rn", 1), b = conn_new("h-rn", 1), c = conn_new("h-rn", 1);

	fake_reset();
	a.cfg.renew = b.cfg.renew = c.cfg.renew = 1;
	CHECK_INT(conn_acquire(&a), 0);
	fake_advance(56 * 60000LL);           /* past 60 min minus the 5 min margin */
	fake_set(&F.refuse_checkout, 1);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(b.joined, 0);
	CHECK_STR(b.cred.id, "req-3");
	CHECK_STR(F.log, "o1 x2 i1 o3");
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(c.joined, 1);
	CHECK_STR(c.cred.id, "req-3");
	CHECK_INT(conn_release(&a), 0);       /* renewed: sends nothing */
	CHECK_INT(F.checkins, 1);
	conn_release(&b);
	conn_release(&c);
	CHECK_STR(F.log, "o1 x2 i1 o3 i3");
	CHECK(!cs_reg_busy());

	/* Turned off: the gap (08004) until the old one goes back. */
	a = conn_new("h-rn", 1);
	b = conn_new("h-rn", 1);
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_advance(56 * 60000LL);
	fake_set(&F.refuse_checkout, 1);
	CHECK_INT(conn_acquire(&b), -1);
	CHECK_STR(b.err.sqlstate, "08004");
	conn_release(&a);
	CHECK_STR(F.log, "o1 x2 i1");

	/* Inside the margin but not refused: no renewal, a second checkout. */
	a = conn_new("h-rn", 1);
	b = conn_new("h-rn", 1);
	a.cfg.renew = b.cfg.renew = 1;
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_advance(56 * 60000LL);
	CHECK_INT(conn_acquire(&b), 0);
	conn_release(&a);
	conn_release(&b);
	CHECK_STR(F.log, "o1 o2 i1 i2");

	/* The renewal's check-in fails: the connect gets 409, the old
	 * request waits for its retry, which a later 409 runs at once. */
	a = conn_new("h-rn", 1);
	b = conn_new("h-rn", 1);
	c = conn_new("h-rn", 1);
	a.cfg.renew = b.cfg.renew = c.cfg.renew = 1;
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_advance(56 * 60000LL);
	fake_set(&F.refuse_checkout, 2);
	fake_set(&F.refuse_checkin, 1);
	CHECK_INT(conn_acquire(&b), -1);
	CHECK_STR(b.err.sqlstate, "08004");
	CHECK_INT(conn_release(&a), 0);       /* waits for its retry */
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_STR(F.log, "o1 x2 f1 x3 i1 o4");
	conn_release(&c);
	CHECK_INT(F.checked_in[1], 1);
	CHECK(!cs_reg_busy());
}

/* The exit pass retries a failed check-in within its budget. */
static void test_exit_retry(void)
{
	struct conn a = conn_new("h-xr", 1);
	int exit_done = 0, i;
	pthread_t ex;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 2);
	pthread_create(&ex, NULL, exit_thread, &exit_done);
	/* The clock moves 200 ms at a time, and the exit pass, waiting for
	 * the next attempt, is woken to look at it (cs_reg_background wakes
	 * the registry's waiters): attempts at 0, 1 and 3 s, within 5 s. */
	for (i = 0; i < 250 && !fake_get(&exit_done); i++) {
		fake_advance(200);
		cs_reg_background(0);
		sleep_ms(20);
	}
	CHECK(fake_wait(&exit_done, 1));
	pthread_join(ex, NULL);
	CHECK_STR(F.log, "o1 f1 f1 i1");
	CHECK_INT(conn_release(&a), 0);       /* the application's own, later */
	CHECK_INT(F.checkins, 3);
	CHECK(!cs_reg_busy());
}

/* With cs_reg_background (the agent), a thread retries on its own. */
static void test_background_retry(void)
{
	struct conn a = conn_new("h-bg", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;
	int i;

	fake_reset();
	cs_reg_background(1);
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 1);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	sleep_ms(QUIET_MS);
	CHECK_INT(fake_get(&F.checkins), 1);  /* not before it is due */
	fake_advance(1000);
	CHECK(fake_wait(&F.checkins, 2));
	for (i = 0; i < 100 && cs_reg_busy(); i++)
		sleep_ms(QUIET_MS);
	CHECK(!cs_reg_busy());
	CHECK_STR(F.log, "o1 f1 i1");
	cs_reg_background(0);
}

static void test_exit_pass(void)
{
	struct conn a = conn_new("h-exit", 1), b = conn_new("h-exit", 1), c = conn_new("h-exit", 0);
	struct conn many[3];
	int i;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(conn_acquire(&b), 0);
	CHECK_INT(conn_acquire(&c), 0);
	cs_reg_exit();
	CHECK_STR(F.log, "o1 o2 i2 i1");
	CHECK_INT(F.checked_in[2], 1);
	/* Connections that end later (the application's own exit handler)
	 * send nothing a second time. */
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(conn_release(&b), 0);
	CHECK_INT(conn_release(&c), 0);
	CHECK_INT(F.checkins, 2);
	/* A new connect after the exit pass takes a new checkout. */
	a = conn_new("h-exit", 1);
	CHECK_INT(conn_acquire(&a), 0);
	CHECK_INT(a.joined, 0);
	conn_release(&a);

	/* The budget: check-ins stop once 5 s have gone. */
	fake_reset();
	F.checkin_step = 3000;
	for (i = 0; i < 3; i++) {
		many[i] = conn_new("h-exit", 0);
		CHECK_INT(conn_acquire(&many[i]), 0);
	}
	cs_reg_exit();
	CHECK_INT(F.checkins, 2);
	for (i = 0; i < 3; i++)
		CHECK_INT(conn_release(&many[i]), 0);
	CHECK_INT(F.checkins, 2);
}

/*
 * A connect retries the due check-ins of its own PAM only: one to
 * another PamUrl that hangs (a PAM down) must not hold it up nor eat its
 * login timeout.
 */
static void test_retry_other_pam(void)
{
	struct conn a = conn_new("h-op", 1), b = conn_new("h-op", 1), c = conn_new("h-op2", 1);
	char id[CS_PAM_ID_MAX];
	struct cs_pam_err err;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.refuse_checkin, 1);
	memset(&err, 0, sizeof(err));
	CHECK_INT(cs_reg_release(a.co, id, sizeof(id), &err), -1);
	fake_advance(1000);                      /* its retry is due */
	fake_set(&F.hold_checkin, 1);            /* and would hang */
	b.cfg.url = "https://other-pam.example";
	pthread_create(&b.th, NULL, acquire_thread, &b);
	CHECK(fake_wait(&b.done, 1));
	CHECK_INT(b.rc, 0);
	CHECK_INT(fake_get(&F.checkins), 1);     /* the other PAM's: not tried */
	fake_set(&F.hold_checkin, 0);
	pthread_join(b.th, NULL);
	/* A connect to the same PAM (another runHost) retries it. */
	CHECK_INT(conn_acquire(&c), 0);
	CHECK_INT(F.checkins, 2);
	CHECK_INT(F.checked_in[1], 1);
	CHECK_INT(conn_release(&b), 0);
	CHECK_INT(conn_release(&c), 0);
	CHECK(!cs_reg_busy());
}

/*
 * The exit pass and a last release at the same time: exactly one
 * check-in, no write after free (ASan), no race (TSan), in both orders.
 */
static void test_exit_race(void)
{
	struct conn a = conn_new("h-race", 1);
	int exit_done = 0, i, twice = 0;
	pthread_t ex;

	/* The exit pass is inside the PAM when the connection ends. */
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.hold_checkin, 1);
	pthread_create(&ex, NULL, exit_thread, &exit_done);
	CHECK(fake_wait(&F.in_checkin, 1));
	pthread_create(&a.th, NULL, release_thread, &a);
	CHECK(fake_wait(&a.done, 1));          /* returns at once */
	CHECK_INT(a.rc, 0);
	CHECK_INT(fake_get(&F.checkins), 1);
	fake_set(&F.hold_checkin, 0);
	pthread_join(ex, NULL);
	pthread_join(a.th, NULL);
	CHECK_INT(F.checkins, 1);
	CHECK_INT(F.checked_in[1], 1);

	/* The connection's check-in is in flight when the exit pass runs. */
	a = conn_new("h-race", 1);
	exit_done = 0;
	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fake_set(&F.hold_checkin, 1);
	pthread_create(&a.th, NULL, release_thread, &a);
	CHECK(fake_wait(&F.in_checkin, 1));
	pthread_create(&ex, NULL, exit_thread, &exit_done);
	CHECK(fake_wait(&exit_done, 1));       /* nothing READY: returns */
	fake_set(&F.hold_checkin, 0);
	pthread_join(ex, NULL);
	pthread_join(a.th, NULL);
	CHECK_INT(F.checkins, 1);
	CHECK_INT(F.checked_in[1], 1);

	/* Free-running: many rounds, whatever the interleaving. */
	fake_reset();
	for (i = 0; i < 200; i++) {
		struct conn r = conn_new("h-race", i % 2);

		exit_done = 0;
		CHECK_INT(conn_acquire(&r), 0);
		pthread_create(&r.th, NULL, release_thread, &r);
		pthread_create(&ex, NULL, exit_thread, &exit_done);
		pthread_join(r.th, NULL);
		pthread_join(ex, NULL);
	}
	for (i = 1; i <= 200; i++)
		twice += F.checked_in[i] != 1;
	CHECK_INT(F.checkouts, 200);
	CHECK_INT(F.checkins, 200);
	CHECK_INT(twice, 0);
}

/*
 * fork: the child never joins, checks in or exits the parent's checkout;
 * the parent's stays its own.
 */
static void test_fork(void)
{
	struct conn a = conn_new("h-fork", 1);
	int status = -1;
	pid_t pid;

	fake_reset();
	CHECK_INT(conn_acquire(&a), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct conn b = conn_new("h-fork", 1);
		int bad = 0;

		bad |= conn_acquire(&b) != 0;
		bad |= b.joined != 0;                  /* not the parent's */
		bad |= strcmp(b.cred.id, "req-2") != 0;
		bad |= conn_release(&a) != 0;          /* the inherited one */
		bad |= F.checkins != 0;                /* sends nothing */
		cs_reg_exit();                         /* b only */
		bad |= F.checkins != 1 || F.checked_in[2] != 1 || F.checked_in[1] != 0;
		_exit(bad ? 1 : 0);
	}
	CHECK(pid > 0);
	if (pid > 0)
		CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(F.checkins, 0);
	/* The parent still holds it and checks it in itself. */
	CHECK_INT(conn_release(&a), 0);
	CHECK_INT(F.checkins, 1);
	CHECK_INT(F.checked_in[1], 1);
}

int main(void)
{
	cs_reg_set_ops(&fake_ops);
	test_sharing_on();
	test_sharing_off();
	test_join_in_flight();
	test_wait_own_checkin();
	test_expiry_margin();
	test_linger();
	test_renew();
	test_failed_checkin();
	test_retry_backoff();
	test_retry_expiry();
	test_retry_gone();
	test_retry_on_409();
	test_retry_other_pam();
	test_renewal();
	test_exit_retry();
	test_background_retry();
	test_exit_pass();
	test_fork();
	test_exit_race();
	cs_reg_set_ops(NULL);
	return check_done("test_registry");
}
