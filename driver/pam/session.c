/* SPDX-License-Identifier: MIT */
/*
 * session.c - PAM mode of a connection (see session.h).
 *
 * Checkouts live in a process-wide registry so that
 *   - connections to the same PAM, token and runHost can share one
 *     (PamShareCheckout=1): a pool of one credential could not serve
 *     several connections otherwise;
 *   - threads connecting at once wait for one checkout in flight instead
 *     of each taking a credential;
 *   - whatever a process leaves checked out is checked in when it exits.
 * A shared checkout is handed to new connections only while it is younger
 * than its duration minus a margin: after that the PAM has rotated (or
 * will soon rotate) the password.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/conf.h"
#include "core/attr.h"
#include "util/connstr.h"
#include "core/log.h"
#include "pam/session.h"

#define CS_TOKEN_MAX        4096
#define CS_EXIT_BUDGET_MS   5000   /* check-ins at process exit, in all */
#define CS_DURATION_MAX     525600 /* minutes: one year */
#define CS_TIMEOUT_MAX      600    /* seconds */

/*
 * PENDING: the checkout request is in flight; READY: checked out;
 * FAILED: the checkout failed; CHECKIN: its last connection is checking it
 * in; DONE: checked in at exit while a connection still points at it.
 */
enum cs_co_state { CS_CO_PENDING, CS_CO_READY, CS_CO_FAILED, CS_CO_CHECKIN, CS_CO_DONE };

/* One checkout, shared by refs connections. */
struct cs_checkout {
	struct cs_checkout *next;
	enum cs_co_state state;
	int shareable;           /* may be handed to new connections */
	unsigned refs;
	pid_t pid;               /* the process that took it */
	long long taken_ms;
	long long fresh_until_ms;
	struct cs_pam_err err;   /* when FAILED */
	struct cs_pam_checkout co;
	/* What check-in needs; the token is a secret. */
	char url[2048];
	char run_host[512];
	char ca_file[1024];
	char ca_path[1024];
	int insecure;
	long timeout_ms;
	char token[CS_TOKEN_MAX];
};

static pthread_mutex_t cs_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cs_reg_cond;
static pthread_once_t cs_reg_once = PTHREAD_ONCE_INIT;
static struct cs_checkout *cs_reg;

static void cs_reg_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cs_reg_cond, &ca);
	pthread_condattr_destroy(&ca);
}

/* The settings of one connect, parsed and checked. */
struct cs_auth_cfg {
	struct cs_pam_cfg pam;
	int share;
	char token[CS_TOKEN_MAX];
	char reason[512];
	char token_src[1024];  /* where the token came from, for messages */
};

static void cs_auth_cfg_wipe(struct cs_auth_cfg *c)
{
	explicit_bzero(c, sizeof(*c));
}

static const char *cs_cfg_str(const struct cs_attrs *cfg, enum cs_key_id id)
{
	const char *v = cs_attrs_get(cfg, cs_keys[id].name);

	return v && *v ? v : NULL;
}

static SQLRETURN cs_cfg_uint(struct cs_dbc *d, const struct cs_attrs *cfg, enum cs_key_id id,
			     unsigned long min, unsigned long max, unsigned long *out)
{
	const char *v = cs_cfg_str(cfg, id);

	if (!v)
		v = cs_keys[id].def;
	if (cs_conf_uint(v, max, out) != 0 || *out < min)
		return cs_diag_add(&d->h, CS_S08001, "%s: %s must be a whole number from %lu to %lu",
				   d->dsn, cs_keys[id].name, min, max);
	return SQL_SUCCESS;
}

static SQLRETURN cs_cfg_bool(struct cs_dbc *d, const struct cs_attrs *cfg, enum cs_key_id id, int *out)
{
	const char *v = cs_cfg_str(cfg, id);

	*out = cs_conf_bool(v ? v : cs_keys[id].def);
	if (*out < 0)
		return cs_diag_add(&d->h, CS_S08001, "%s: %s must be 0 or 1", d->dsn, cs_keys[id].name);
	return SQL_SUCCESS;
}

/* Copies the first line of s (trimmed) into out. */
static int cs_token_line(const char *s, size_t n, char *out, size_t outlen)
{
	size_t a = 0, b;

	while (a < n && (s[a] == ' ' || s[a] == '\t'))
		a++;
	b = a;
	while (b < n && s[b] != '\n' && s[b] != '\r')
		b++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b == a || b - a >= outlen)
		return -1;
	memcpy(out, s + a, b - a);
	out[b - a] = '\0';
	return 0;
}

/*
 * Reads the token from PamTokenFile, refusing a file others may read (as
 * ssh refuses a private key).
 */
static SQLRETURN cs_token_from_file(struct cs_dbc *d, const char *path, char *out, size_t outlen)
{
	char buf[CS_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	SQLRETURN rc = SQL_SUCCESS;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s cannot be opened: %s", d->dsn,
				   path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is not a regular file", d->dsn, path);
		goto out_close;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is accessible by group or others "
				 "(mode %03o): run chmod 600 on it", d->dsn, path,
				 (unsigned)(st.st_mode & 0777));
		goto out_close;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0 || cs_token_line(buf, (size_t)n, out, outlen) != 0)
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s does not start with a token line",
				 d->dsn, path);
	explicit_bzero(buf, sizeof(buf));
out_close:
	close(fd);
	return rc;
}

/* Reads the token from exactly one of PamToken, PamTokenFile, PamTokenEnv. */
static SQLRETURN cs_cfg_token_read(struct cs_dbc *d, const struct cs_attrs *cfg, char *out, size_t outlen)
{
	const char *tok = cs_cfg_str(cfg, CS_K_PAMTOKEN);
	const char *file = cs_cfg_str(cfg, CS_K_PAMTOKENFILE);
	const char *env = cs_cfg_str(cfg, CS_K_PAMTOKENENV);
	const char *v;

	if (!!tok + !!file + !!env != 1)
		return cs_diag_add(&d->h, CS_S08001, "%s: set exactly one of PamToken, PamTokenFile and "
				   "PamTokenEnv (%s)", d->dsn, tok || file || env ? "several are set" :
				   "none is set");
	if (file)
		return cs_token_from_file(d, file, out, outlen);
	v = tok;
	if (env && !(v = getenv(env)))
		return cs_diag_add(&d->h, CS_S08001, "%s: PamTokenEnv names %s, which is not set in the "
				   "environment", d->dsn, env);
	if (cs_token_line(v, strlen(v), out, outlen) != 0)
		return cs_diag_add(&d->h, CS_S08001, "%s: the API token from %s is empty or too long",
				   d->dsn, env ? "PamTokenEnv" : "PamToken");
	return SQL_SUCCESS;
}

/* A token goes into an HTTP header: printable ASCII without blanks. */
static int cs_token_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

/* The API token, read and checked. */
static SQLRETURN cs_cfg_token(struct cs_dbc *d, const struct cs_attrs *cfg, char *out, size_t outlen)
{
	SQLRETURN rc = cs_cfg_token_read(d, cfg, out, outlen);

	if (rc == SQL_SUCCESS && !cs_token_ok(out)) {
		explicit_bzero(out, outlen);
		return cs_diag_add(&d->h, CS_S08001, "%s: the API token from %s holds a blank or a control "
				   "character", d->dsn, cs_cfg_str(cfg, CS_K_PAMTOKEN) ? "PamToken" :
				   cs_cfg_str(cfg, CS_K_PAMTOKENFILE) ? "PamTokenFile" : "PamTokenEnv");
	}
	return rc;
}

static void cs_default_reason(char *out, size_t outlen)
{
	char host[256] = "?", prog[256] = "?";
	const char *user = getenv("USER");
	ssize_t n = readlink("/proc/self/exe", prog, sizeof(prog) - 1);

	if (n > 0)
		prog[n] = '\0';
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, outlen, "credshim ODBC connection by %s@%s from %s (pid %d)",
		 user ? user : "?", host, prog, (int)getpid());
}

/* Checks and collects every Pam* setting of one connect. */
static SQLRETURN cs_auth_config(struct cs_dbc *d, const struct cs_attrs *cfg, struct cs_auth_cfg *c)
{
	struct cs_pam_cfg *p = &c->pam;
	unsigned long duration, timeout;
	const struct cs_cattr *lt;
	SQLRETURN rc;

	memset(c, 0, sizeof(*c));
	p->url = cs_cfg_str(cfg, CS_K_PAMURL);
	p->run_host = cs_cfg_str(cfg, CS_K_PAMRUNHOST);
	if (!p->url)
		return cs_diag_add(&d->h, CS_S08001, "%s: PamUrl is required when any Pam* key is set", d->dsn);
	if (!p->run_host)
		return cs_diag_add(&d->h, CS_S08001, "%s: PamRunHost is required when any Pam* key is set", d->dsn);
	if ((rc = cs_cfg_bool(d, cfg, CS_K_PAMINSECURE, &p->insecure)) != SQL_SUCCESS ||
	    (rc = cs_cfg_bool(d, cfg, CS_K_PAMSHARECHECKOUT, &c->share)) != SQL_SUCCESS ||
	    (rc = cs_cfg_uint(d, cfg, CS_K_PAMDURATION, 1, CS_DURATION_MAX, &duration)) != SQL_SUCCESS ||
	    (rc = cs_cfg_uint(d, cfg, CS_K_PAMTIMEOUT, 1, CS_TIMEOUT_MAX, &timeout)) != SQL_SUCCESS)
		return rc;
	if (strncasecmp(p->url, "https://", 8) != 0 &&
	    !(p->insecure && strncasecmp(p->url, "http://", 7) == 0))
		return cs_diag_add(&d->h, CS_S08001, "%s: PamUrl must start with https:// (plain http:// "
				   "sends the API token unencrypted and needs PamInsecure=1)", d->dsn);
	rc = cs_cfg_token(d, cfg, c->token, sizeof(c->token));
	if (rc != SQL_SUCCESS)
		return rc;
	if (cs_cfg_str(cfg, CS_K_PAMTOKENFILE))
		snprintf(c->token_src, sizeof(c->token_src), "PamTokenFile %s",
			 cs_cfg_str(cfg, CS_K_PAMTOKENFILE));
	else if (cs_cfg_str(cfg, CS_K_PAMTOKENENV))
		snprintf(c->token_src, sizeof(c->token_src), "PamTokenEnv %s",
			 cs_cfg_str(cfg, CS_K_PAMTOKENENV));
	else
		snprintf(c->token_src, sizeof(c->token_src), "PamToken");
	p->token = c->token;
	p->reason = cs_cfg_str(cfg, CS_K_PAMREASON);
	if (!p->reason) {
		cs_default_reason(c->reason, sizeof(c->reason));
		p->reason = c->reason;
	}
	p->email = cs_cfg_str(cfg, CS_K_PAMEMAIL);
	if (!p->email)
		p->email = "";
	p->ca_file = cs_cfg_str(cfg, CS_K_PAMCAFILE);
	p->ca_path = cs_cfg_str(cfg, CS_K_PAMCAPATH);
	p->duration_min = duration;
	p->timeout_ms = (long)timeout * 1000;
	lt = cs_dbc_find_attr(d, SQL_ATTR_LOGIN_TIMEOUT);
	if (lt && !lt->is_str && lt->ival > 0)
		p->deadline_ms = cs_pam_now_ms() + (long long)lt->ival * 1000;
	if (p->insecure)
		cs_log(CS_LOG_WARN, "%s: PamInsecure=1: the PAM's TLS certificate is not verified", d->dsn);
	return SQL_SUCCESS;
}

/* Safety margin before a checkout's expiry: a tenth of it, 5 s to 5 min. */
static long long cs_margin_ms(unsigned long duration_min)
{
	long long m = (long long)duration_min * 6000;

	if (m < 5000)
		m = 5000;
	if (m > 300000)
		m = 300000;
	return m;
}

/* Whether e was taken by this process from the same PAM, token and
 * runHost as c asks for. */
static int cs_co_same(const struct cs_checkout *e, const struct cs_auth_cfg *c)
{
	return e->pid == getpid() && strcmp(e->url, c->pam.url) == 0 &&
	       strcmp(e->run_host, c->pam.run_host) == 0 && strcmp(e->token, c->token) == 0;
}

/* Whether e may be handed to a new connection configured as c. */
static int cs_co_matches(const struct cs_checkout *e, const struct cs_auth_cfg *c, long long now)
{
	return e->shareable && (e->state == CS_CO_PENDING ||
				(e->state == CS_CO_READY && now < e->fresh_until_ms)) &&
	       cs_co_same(e, c);
}

static void cs_co_unlink_locked(struct cs_checkout *e)
{
	struct cs_checkout **pp;

	for (pp = &cs_reg; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			return;
		}
	}
}

static void cs_co_free(struct cs_checkout *e)
{
	explicit_bzero(e, sizeof(*e));
	free(e);
}

static void cs_co_pam_cfg(const struct cs_checkout *e, struct cs_pam_cfg *p, long long deadline)
{
	memset(p, 0, sizeof(*p));
	p->url = e->url;
	p->token = e->token;
	p->run_host = e->run_host;
	p->ca_file = e->ca_file[0] ? e->ca_file : NULL;
	p->ca_path = e->ca_path[0] ? e->ca_path : NULL;
	p->insecure = e->insecure;
	p->timeout_ms = e->timeout_ms;
	p->deadline_ms = deadline;
}

static void cs_session_atexit(void);

static void cs_register_atexit(void)
{
	atexit(cs_session_atexit);
}

/* A new registry entry for c, PENDING, one reference. */
static struct cs_checkout *cs_co_new(const struct cs_auth_cfg *c)
{
	struct cs_checkout *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->state = CS_CO_PENDING;
	e->shareable = c->share;
	e->refs = 1;
	e->pid = getpid();
	snprintf(e->url, sizeof(e->url), "%s", c->pam.url);
	snprintf(e->run_host, sizeof(e->run_host), "%s", c->pam.run_host);
	snprintf(e->ca_file, sizeof(e->ca_file), "%s", c->pam.ca_file ? c->pam.ca_file : "");
	snprintf(e->ca_path, sizeof(e->ca_path), "%s", c->pam.ca_path ? c->pam.ca_path : "");
	snprintf(e->token, sizeof(e->token), "%s", c->token);
	e->insecure = c->pam.insecure;
	e->timeout_ms = c->pam.timeout_ms;
	return e;
}

/* Takes a credential from the PAM for entry e (PENDING, in the registry)
 * and wakes whoever waits for it. */
static int cs_co_fill(struct cs_checkout *e, const struct cs_auth_cfg *c)
{
	static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;
	struct cs_pam_checkout co;
	struct cs_pam_err err;
	int r;

	memset(&err, 0, sizeof(err));
	r = cs_pam_checkout(&c->pam, &co, &err);
	/* After the first request, so that it runs before the TLS library's
	 * own exit handler (atexit runs handlers in reverse order). */
	pthread_once(&atexit_once, cs_register_atexit);
	pthread_mutex_lock(&cs_reg_lock);
	if (r == 0) {
		e->co = co;
		e->taken_ms = cs_pam_now_ms();
		e->fresh_until_ms = e->taken_ms + (long long)c->pam.duration_min * 60000 -
				    cs_margin_ms(c->pam.duration_min);
		e->state = CS_CO_READY;
	} else {
		e->err = err;
		e->state = CS_CO_FAILED;
		cs_co_unlink_locked(e);
	}
	pthread_cond_broadcast(&cs_reg_cond);
	pthread_mutex_unlock(&cs_reg_lock);
	cs_pam_checkout_wipe(&co);
	return r;
}

/* A refused token (28000) names where it came from, never the token. */
static SQLRETURN cs_co_error(struct cs_dbc *d, const struct cs_pam_err *err,
			     const struct cs_auth_cfg *c)
{
	return cs_diag_add(&d->h, err->state, "%s: %s%s%s", d->dsn,
			   strncmp(err->msg, "[credshim] ", 11) == 0 ? err->msg + 11 : err->msg,
			   err->state == CS_S28000 ? "; the API token came from " : "",
			   err->state == CS_S28000 ? c->token_src : "");
}

/* Waits (bounded by the deadline) while e is PENDING.  Lock held. */
static int cs_co_wait_locked(struct cs_checkout *e, long long deadline)
{
	while (e->state == CS_CO_PENDING) {
		struct timespec ts;
		long long until = deadline ? deadline : cs_pam_now_ms() + 1000;

		ts.tv_sec = until / 1000;
		ts.tv_nsec = (until % 1000) * 1000000;
		if (pthread_cond_timedwait(&cs_reg_cond, &cs_reg_lock, &ts) == ETIMEDOUT && deadline &&
		    cs_pam_now_ms() >= deadline)
			return -1;
	}
	return 0;
}

/*
 * Finds or takes the checkout for c: a live shared one (waiting for one in
 * flight), or a new one.  *out holds a reference.
 */
static SQLRETURN cs_co_acquire(struct cs_dbc *d, const struct cs_auth_cfg *c, int fresh,
			       struct cs_checkout **out, int *joined)
{
	struct cs_checkout *e;
	struct cs_pam_err err;

	pthread_once(&cs_reg_once, cs_reg_init);
	pthread_mutex_lock(&cs_reg_lock);
	for (;;) {
		long long now = cs_pam_now_ms();

		for (e = fresh ? NULL : cs_reg; e; e = e->next)
			if (cs_co_matches(e, c, now))
				break;
		if (!e && c->share) {
			/* Our own last connection is checking the credential in:
			 * wait for it, or the PAM would still count it as out. */
			for (e = cs_reg; e; e = e->next)
				if (e->state == CS_CO_CHECKIN && cs_co_same(e, c))
					break;
			if (e) {
				struct timespec ts;
				long long until = c->pam.deadline_ms ? c->pam.deadline_ms : now + 1000;

				if (c->pam.deadline_ms && now >= c->pam.deadline_ms) {
					pthread_mutex_unlock(&cs_reg_lock);
					return cs_diag_add(&d->h, CS_SHYT00, "%s: the login timeout ran out waiting for "
							   "a check-in", d->dsn);
				}
				ts.tv_sec = until / 1000;
				ts.tv_nsec = (until % 1000) * 1000000;
				pthread_cond_timedwait(&cs_reg_cond, &cs_reg_lock, &ts);
				continue;
			}
		}
		if (!e)
			break;
		e->refs++;
		if (cs_co_wait_locked(e, c->pam.deadline_ms) != 0) {
			e->refs--;
			pthread_mutex_unlock(&cs_reg_lock);
			return cs_diag_add(&d->h, CS_SHYT00, "%s: the login timeout ran out waiting for "
					   "a checkout from the PAM", d->dsn);
		}
		if (e->state == CS_CO_READY) {
			pthread_mutex_unlock(&cs_reg_lock);
			cs_log(CS_LOG_INFO, "%s: sharing checkout %s for runHost %s", d->dsn, e->co.id,
			       e->run_host);
			*out = e;
			*joined = 1;
			return SQL_SUCCESS;
		}
		/* The checkout we waited for failed: its error is ours too. */
		err = e->err;
		if (--e->refs == 0)
			cs_co_free(e);
		pthread_mutex_unlock(&cs_reg_lock);
		return cs_co_error(d, &err, c);
	}
	e = cs_co_new(c);
	if (!e) {
		pthread_mutex_unlock(&cs_reg_lock);
		return cs_diag_add(&d->h, CS_SHY001, "out of memory");
	}
	e->next = cs_reg;
	cs_reg = e;
	pthread_mutex_unlock(&cs_reg_lock);

	if (cs_co_fill(e, c) != 0) {
		pthread_mutex_lock(&cs_reg_lock);
		err = e->err;
		if (--e->refs == 0)
			cs_co_free(e);
		pthread_mutex_unlock(&cs_reg_lock);
		cs_log(CS_LOG_ERROR, "%s: checkout for runHost %s failed: %s", d->dsn, c->pam.run_host,
		       err.msg);
		return cs_co_error(d, &err, c);
	}
	cs_log(CS_LOG_INFO, "%s: checked out request %s for runHost %s (account %s)", d->dsn,
	       e->co.id, e->run_host, e->co.account);
	*out = e;
	*joined = 0;
	return SQL_SUCCESS;
}

/* Checks e in, outside the lock (e is CHECKIN or unlisted: nobody else uses it). */
static int cs_co_checkin(struct cs_checkout *e, long long deadline, struct cs_pam_err *err)
{
	struct cs_pam_cfg p;
	int r;

	cs_co_pam_cfg(e, &p, deadline);
	r = cs_pam_checkin(&p, e->co.id, err);
	if (r == 0)
		cs_log(CS_LOG_INFO, "checked in request %s for runHost %s", e->co.id, e->run_host);
	else
		cs_log(CS_LOG_ERROR, "check-in of request %s for runHost %s failed: %s", e->co.id,
		       e->run_host, err->msg);
	return r;
}

/*
 * Drops one reference; the last one checks the credential in.  Returns 0,
 * or -1 with *err when the check-in failed.
 */
static int cs_co_release(struct cs_checkout *e, struct cs_pam_err *err, char *id, size_t idlen)
{
	int last, r = 0;

	pthread_mutex_lock(&cs_reg_lock);
	last = --e->refs == 0;
	if (last && e->state == CS_CO_READY)
		e->state = CS_CO_CHECKIN;   /* stays listed until the PAM has it */
	else if (last)
		cs_co_unlink_locked(e);
	pthread_mutex_unlock(&cs_reg_lock);
	if (!last)
		return 0;
	snprintf(id, idlen, "%s", e->co.id);
	if (e->state == CS_CO_CHECKIN) {
		r = cs_co_checkin(e, 0, err);
		pthread_mutex_lock(&cs_reg_lock);
		cs_co_unlink_locked(e);
		pthread_cond_broadcast(&cs_reg_cond);
		pthread_mutex_unlock(&cs_reg_lock);
	}
	cs_co_free(e);
	return r;
}

SQLRETURN cs_auth_begin(struct cs_dbc *d, const struct cs_attrs *cfg, struct cs_auth *a)
{
	struct cs_auth_cfg c;
	SQLRETURN rc;
	int i, wanted = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < CS_K__COUNT; i++)
		if ((cs_keys[i].flags & CS_KF_PAM) && cs_cfg_str(cfg, (enum cs_key_id)i))
			wanted = 1;
	if (!wanted)
		return SQL_SUCCESS;
	if (cs_attrs_get(cfg, "UID") || cs_attrs_get(cfg, "PWD"))
		cs_log(CS_LOG_INFO, "%s: PAM mode: the UID/PWD given by the application are ignored", d->dsn);
	rc = cs_auth_config(d, cfg, &c);
	if (rc == SQL_SUCCESS)
		rc = cs_co_acquire(d, &c, 0, &a->co, &a->joined);
	if (rc == SQL_SUCCESS) {
		a->on = 1;
		snprintf(a->account, sizeof(a->account), "%s", a->co->co.account);
		snprintf(a->passwd, sizeof(a->passwd), "%s", a->co->co.passwd);
		a->cfg = malloc(sizeof(c));
		if (a->cfg) {
			memcpy(a->cfg, &c, sizeof(c));
			a->cfg->pam.token = a->cfg->token;
			if (c.pam.reason == c.reason)
				a->cfg->pam.reason = a->cfg->reason;
		}
	}
	cs_auth_cfg_wipe(&c);
	return rc;
}

/* Whether the target's diagnostics (imported on d) say the login was
 * refused: SQLSTATE class 28, or a driver's "authentication failed". */
static int cs_login_refused(const struct cs_dbc *d)
{
	unsigned i;

	for (i = 0; i < d->h.diag.n; i++) {
		const struct cs_diag_rec *r = &d->h.diag.rec[i];

		if (strncmp(r->sqlstate, "28", 2) == 0 || strstr(r->msg, "authentication failed") ||
		    strstr(r->msg, "Access denied"))
			return 1;
	}
	return 0;
}

int cs_auth_retry(struct cs_dbc *d, struct cs_auth *a)
{
	struct cs_checkout *old = a->co, *e = NULL;
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];
	unsigned ndiag = d->h.diag.n;
	int joined;

	/* Only a checkout this connection joined can be stale; a fresh one
	 * refused is the target's answer. */
	if (a->retried || !a->joined || !a->cfg || !cs_login_refused(d))
		return 0;
	a->retried = 1;
	cs_log(CS_LOG_WARN, "%s: the database refused shared checkout %s; trying a fresh checkout",
	       d->dsn, old->co.id);
	/*
	 * The old checkout is held until the fresh one is there: when the PAM
	 * refuses a fresh one (its pool is what this process already holds),
	 * the old one was not stale and stays shared for the connections that
	 * use it and the ones to come; the application gets the target's own
	 * error, not the failed checkout's.
	 */
	if (cs_co_acquire(d, a->cfg, 1, &e, &joined) != SQL_SUCCESS) {
		cs_diag_truncate(&d->h, ndiag);
		cs_log(CS_LOG_WARN, "%s: no fresh checkout either; checkout %s stays shared", d->dsn,
		       old->co.id);
		return 0;
	}
	pthread_mutex_lock(&cs_reg_lock);
	old->shareable = 0;    /* never hand it out again */
	pthread_mutex_unlock(&cs_reg_lock);
	cs_co_release(old, &err, id, sizeof(id));
	a->co = e;
	a->joined = 0;
	snprintf(a->account, sizeof(a->account), "%s", e->co.account);
	snprintf(a->passwd, sizeof(a->passwd), "%s", e->co.passwd);
	return 1;
}

void cs_auth_settle(struct cs_dbc *d, struct cs_auth *a, int ok)
{
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];

	if (!a->co)
		return;
	if (ok) {
		d->checkout = a->co;
		/* Only a connection that may join needs the password again. */
		pthread_mutex_lock(&cs_reg_lock);
		if (!a->co->shareable)
			explicit_bzero(a->co->co.passwd, sizeof(a->co->co.passwd));
		pthread_mutex_unlock(&cs_reg_lock);
	} else if (cs_co_release(a->co, &err, id, sizeof(id)) != 0) {
		cs_diag_add(&d->h, CS_S01000, "%s: the login failed and check-in of request %s failed "
			    "too (%s); the PAM checks it in when its duration ends", d->dsn, id, err.msg);
	}
	a->co = NULL;
}

SQLRETURN cs_auth_end(struct cs_dbc *d)
{
	struct cs_checkout *e = d->checkout;
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];

	if (!e)
		return SQL_SUCCESS;
	d->checkout = NULL;
	memset(&err, 0, sizeof(err));
	if (cs_co_release(e, &err, id, sizeof(id)) == 0)
		return SQL_SUCCESS;
	cs_diag_add(&d->h, CS_S01000, "%s: disconnected, but check-in of request %s failed (%s); the "
		    "PAM checks it in when its duration ends", d->dsn, id, err.msg);
	return SQL_SUCCESS_WITH_INFO;
}

void cs_auth_wipe(struct cs_auth *a)
{
	if (a->cfg) {
		cs_auth_cfg_wipe(a->cfg);
		free(a->cfg);
	}
	explicit_bzero(a, sizeof(*a));
}

/*
 * At exit (or when the library is unloaded): checks in whatever this
 * process still holds (connections never disconnected), within a few
 * seconds in all.  A crash skips this; then the PAM's own expiry after
 * PamDuration is the backstop.
 */
static void cs_session_atexit(void)
{
	long long deadline = cs_pam_now_ms() + CS_EXIT_BUDGET_MS;

	for (;;) {
		struct cs_checkout *e;
		struct cs_pam_err err;

		pthread_mutex_lock(&cs_reg_lock);
		for (e = cs_reg; e; e = e->next)
			if (e->pid == getpid() && e->state == CS_CO_READY)
				break;
		if (e)
			cs_co_unlink_locked(e);
		pthread_mutex_unlock(&cs_reg_lock);
		if (!e)
			break;
		if (cs_pam_now_ms() < deadline)
			cs_co_checkin(e, deadline, &err);
		explicit_bzero(&e->co, sizeof(e->co));
		explicit_bzero(e->token, sizeof(e->token));
		/* An exit handler of the application that still disconnects
		 * must not check it in a second time. */
		pthread_mutex_lock(&cs_reg_lock);
		e->state = CS_CO_DONE;
		pthread_mutex_unlock(&cs_reg_lock);
		/* Connections may still point at it: leave the memory. */
	}
}
