/* SPDX-License-Identifier: MIT */
/*
 * session.c - PAM mode of a connection (see session.h): the Pam* settings
 * of a connect, read and checked, and the connection's part in the
 * checkout registry (registry.c), whose errors become the connection's
 * diagnostics here.
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
#include "pam/agent.h"
#include "pam/registry.h"
#include "pam/session.h"

#define CS_DURATION_MAX     525600 /* minutes: one year */
#define CS_TIMEOUT_MAX      600    /* seconds */
#define CS_LINGER_MAX       86400  /* seconds */

/* The settings of one connect, parsed and checked. */
struct cs_auth_cfg {
	struct cs_pam_cfg pam;
	int share;
	char token[CS_PAM_TOKEN_MAX + 1];
	char reason[512];
	char token_src[1024];  /* where the token came from, for messages */
	char agent_sock[108];  /* PamAgent=1: the socket (sun_path's size) */
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
 * Reads the token from PamTokenFile: a regular file, owned by the
 * effective user, that neither group nor others may access (as ssh
 * refuses a private key).  Opened without following a symbolic link and
 * without blocking (a FIFO would block open() itself), then checked on
 * the descriptor it opened (fstat), so what is checked is what is read.
 * Every refusal is 08001 naming the key and the reason.
 */
static SQLRETURN cs_token_from_file(struct cs_dbc *d, const char *path, char *out, size_t outlen)
{
	char buf[CS_PAM_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	SQLRETURN rc = SQL_SUCCESS;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0 && errno == ELOOP)
		return cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is a symbolic link, refused: "
				   "name the file itself", d->dsn, path);
	if (fd < 0)
		return cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s cannot be opened: %s", d->dsn,
				   path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s cannot be examined: %s",
				 d->dsn, path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is %s, not a regular file",
				 d->dsn, path,
				 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
				 S_ISSOCK(st.st_mode) ? "a socket" : S_ISCHR(st.st_mode) ?
				 "a character device" : S_ISBLK(st.st_mode) ? "a block device" :
				 "of another type");
		goto out_close;
	}
	if (st.st_uid != geteuid()) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is owned by uid %u, not by "
				 "the user the program runs as (uid %u)", d->dsn, path,
				 (unsigned)st.st_uid, (unsigned)geteuid());
		goto out_close;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s is accessible by group or "
				 "others (mode %03o): run chmod 600 on it", d->dsn, path,
				 (unsigned)(st.st_mode & 0777));
		goto out_close;
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 || cs_token_line(buf, (size_t)n, out, outlen) != 0)
		rc = cs_diag_add(&d->h, CS_S08001, "%s: PamTokenFile %s does not start with a token "
				 "line", d->dsn, path);
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

/* The API token, read and checked. */
static SQLRETURN cs_cfg_token(struct cs_dbc *d, const struct cs_attrs *cfg, char *out, size_t outlen)
{
	SQLRETURN rc = cs_cfg_token_read(d, cfg, out, outlen);
	const char *why = rc == SQL_SUCCESS ? cs_pam_token_problem(out) : NULL;

	if (why) {
		explicit_bzero(out, outlen);
		return cs_diag_add(&d->h, CS_S08001, "%s: the API token from %s %s", d->dsn,
				   cs_cfg_str(cfg, CS_K_PAMTOKEN) ? "PamToken" :
				   cs_cfg_str(cfg, CS_K_PAMTOKENFILE) ? "PamTokenFile" : "PamTokenEnv", why);
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

/* PamLinger, and with PamAgent=1 the agent's socket and program. */
static SQLRETURN cs_auth_agent_config(struct cs_dbc *d, const struct cs_attrs *cfg,
				      struct cs_auth_cfg *c)
{
	const char *sock = cs_cfg_str(cfg, CS_K_PAMAGENTSOCKET);
	unsigned long linger;
	int agent;
	SQLRETURN rc;

	if ((rc = cs_cfg_uint(d, cfg, CS_K_PAMLINGER, 0, CS_LINGER_MAX, &linger)) != SQL_SUCCESS ||
	    (rc = cs_cfg_bool(d, cfg, CS_K_PAMAGENT, &agent)) != SQL_SUCCESS)
		return rc;
	c->pam.linger_ms = (long long)linger * 1000;
	if (!agent)
		return SQL_SUCCESS;
	if (sock && (sock[0] != '/' || strlen(sock) >= sizeof(c->agent_sock)))
		return cs_diag_add(&d->h, CS_S08001, "%s: PamAgentSocket must be an absolute path under "
				   "%zu bytes", d->dsn, sizeof(c->agent_sock));
	if (sock)
		snprintf(c->agent_sock, sizeof(c->agent_sock), "%s", sock);
	else if (cs_agent_default_socket(c->agent_sock, sizeof(c->agent_sock)) != 0)
		return cs_diag_add(&d->h, CS_S08001, "%s: the default credshim-agent socket path is too "
				   "long ($XDG_RUNTIME_DIR): set PamAgentSocket", d->dsn);
	c->pam.agent_socket = c->agent_sock;
	c->pam.agent_path = cs_cfg_str(cfg, CS_K_PAMAGENTPATH);
	return SQL_SUCCESS;
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
	    (rc = cs_cfg_bool(d, cfg, CS_K_PAMRENEW, &p->renew)) != SQL_SUCCESS ||
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
	/* An SQLUINTEGER, read as the target reads it: the pointer's upper
	 * bits (a -1 passed as a pointer) are no part of it. */
	lt = cs_dbc_find_attr(d, SQL_ATTR_LOGIN_TIMEOUT);
	if (lt && !lt->is_str && (SQLUINTEGER)lt->ival > 0)
		p->deadline_ms = cs_reg_now_ms() + (long long)(SQLUINTEGER)lt->ival * 1000;
	if (p->insecure)
		cs_log(CS_LOG_WARN, "%s: PamInsecure=1: the PAM's TLS certificate is not verified", d->dsn);
	return cs_auth_agent_config(d, cfg, c);
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

/*
 * At exit (or when the library is unloaded): checks in whatever this
 * process still holds (connections never disconnected), within a few
 * seconds in all.  A crash skips this; then the PAM's own expiry after
 * PamDuration is the backstop.
 */
static void cs_session_atexit(void)
{
	cs_reg_exit();
}

static void cs_register_atexit(void)
{
	atexit(cs_session_atexit);
}

/* The registry's checkout for c, with the connection's diagnostics and
 * log lines. */
static SQLRETURN cs_co_acquire(struct cs_dbc *d, const struct cs_auth_cfg *c, int fresh,
			       struct cs_checkout **out, int *joined, struct cs_pam_checkout *cred)
{
	static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;
	struct cs_pam_err err;
	int r;

	memset(&err, 0, sizeof(err));
	r = cs_reg_acquire(&c->pam, c->share, fresh, out, joined, cred, &err);
	/* After the first request, so that the exit pass runs before the TLS
	 * library's own exit handler (atexit runs handlers in reverse order). */
	pthread_once(&atexit_once, cs_register_atexit);
	if (r != 0) {
		if (err.state != CS_SHYT00)
			cs_log(CS_LOG_ERROR, "%s: checkout for runHost %s failed: %s", d->dsn,
			       c->pam.run_host, err.msg);
		return cs_co_error(d, &err, c);
	}
	if (*joined)
		cs_log(CS_LOG_INFO, "%s: sharing checkout %s for runHost %s", d->dsn, cred->id,
		       c->pam.run_host);
	else
		cs_log(CS_LOG_INFO, "%s: checked out request %s for runHost %s (account %s)", d->dsn,
		       cred->id, c->pam.run_host, cred->account);
	return SQL_SUCCESS;
}

/* Takes the account and password of cred into a (and wipes cred). */
static void cs_auth_take(struct cs_auth *a, struct cs_pam_checkout *cred)
{
	snprintf(a->id, sizeof(a->id), "%s", cred->id);
	snprintf(a->account, sizeof(a->account), "%s", cred->account);
	snprintf(a->passwd, sizeof(a->passwd), "%s", cred->passwd);
	cs_pam_checkout_wipe(cred);
}

SQLRETURN cs_auth_begin(struct cs_dbc *d, const struct cs_attrs *cfg, struct cs_auth *a)
{
	struct cs_pam_checkout cred;
	struct cs_auth_cfg c;
	SQLRETURN rc;
	int i, wanted = 0;

	CS_ASSERT_KIND(&d->h, CS_KIND_DBC);
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
		rc = cs_co_acquire(d, &c, 0, &a->co, &a->joined, &cred);
	if (rc == SQL_SUCCESS) {
		a->on = 1;
		cs_auth_take(a, &cred);
		a->cfg = malloc(sizeof(c));
		if (a->cfg) {
			memcpy(a->cfg, &c, sizeof(c));
			a->cfg->pam.token = a->cfg->token;
			if (c.pam.reason == c.reason)
				a->cfg->pam.reason = a->cfg->reason;
			if (c.pam.agent_socket)
				a->cfg->pam.agent_socket = a->cfg->agent_sock;
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
	struct cs_pam_checkout cred;
	struct cs_pam_err err;

	/* Only a checkout this connection joined can be stale; a fresh one
	 * refused is the target's answer. */
	if (a->retried || !a->joined || !a->cfg || !cs_login_refused(d))
		return 0;
	a->retried = 1;
	cs_log(CS_LOG_WARN, "%s: the database refused shared checkout %s; checking out afresh",
	       d->dsn, a->id);
	/*
	 * The old checkout is held until the fresh one is there: when the PAM
	 * refuses a fresh one (its pool is what this process already holds),
	 * the old one was not stale and stays shared for the connections that
	 * use it and the ones to come; the application gets the target's own
	 * error, not the failed checkout's.
	 */
	memset(&err, 0, sizeof(err));
	if (cs_reg_renew(&a->co, &a->cfg->pam, a->cfg->share, &cred, &err) != 0) {
		cs_log(CS_LOG_WARN, "%s: no fresh checkout either (%s); checkout %s stays shared",
		       d->dsn, err.msg, a->id);
		return 0;
	}
	cs_log(CS_LOG_INFO, "%s: checked out request %s for runHost %s (account %s)", d->dsn,
	       cred.id, a->cfg->pam.run_host, cred.account);
	a->joined = 0;
	cs_auth_take(a, &cred);
	return 1;
}

/*
 * The target refused the login with the checked-out credential (after
 * the one fresh retry): credshim's own 28000 record goes before the
 * target's, saying where the credential came from and what became of it,
 * and the same line goes to the log at error level.  rel is the result of
 * returning the checkout, err its failure.
 */
static void cs_auth_refused(struct cs_dbc *d, const struct cs_auth *a, const char *id, int rel,
			    const struct cs_pam_err *err)
{
	const char *rh = a->cfg && a->cfg->pam.run_host ? a->cfg->pam.run_host : "?";
	char what[sizeof(err->msg) + 96];
	unsigned n = d->h.diag.n;

	if (rel != 0)
		snprintf(what, sizeof(what), "its check-in failed (%s): the PAM checks it in when "
			 "its duration ends", err->msg);
	else if (a->joined)
		snprintf(what, sizeof(what), "it stays checked out, shared by other connections of "
			 "this process");
	else if (a->cfg && a->cfg->pam.agent_socket && a->cfg->pam.linger_ms > 0 && a->cfg->share)
		snprintf(what, sizeof(what), "it was returned to credshim-agent, which checks it in "
			 "when PamLinger ends");
	else
		snprintf(what, sizeof(what), "it was checked in again");
	cs_log(CS_LOG_ERROR, "%s: the database refused the login with the credential checked out "
	       "from the PAM for runHost %s (account %s, request %s); %s", d->dsn, rh, a->account,
	       id, what);
	cs_diag_add(&d->h, CS_S28000, "%s: the database refused the login with the credential "
		    "checked out from the PAM for runHost %s (account %s, request %s); %s; the target "
		    "driver's records follow", d->dsn, rh, a->account, id, what);
	if (d->h.diag.n == n + 1)
		cs_diag_last_first(&d->h);
}

void cs_auth_settle(struct cs_dbc *d, struct cs_auth *a, int ok)
{
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];
	int refused, rel;

	if (!a->co)
		return;
	memset(&err, 0, sizeof(err));
	if (ok) {
		d->checkout = a->co;
		/* Only a connection that may join needs the password again. */
		cs_reg_settle(a->co);
		a->co = NULL;
		return;
	}
	refused = cs_login_refused(d);
	/* A fresh credential the database refused is no use to a later
	 * connect: checked in now, not shared, not kept for PamLinger. */
	if (refused && !a->joined)
		cs_reg_spoil(a->co);
	rel = cs_reg_release(a->co, id, sizeof(id), &err);
	a->co = NULL;
	if (refused)
		cs_auth_refused(d, a, id, rel, &err);
	else if (rel != 0)
		cs_diag_add(&d->h, CS_S01000, "%s: the login failed and check-in of request %s failed "
			    "too (%s); credshim retries it while the checkout lasts, unless the PAM no longer "
			    "has it open", d->dsn, id, err.msg);
}

SQLRETURN cs_auth_end(struct cs_dbc *d)
{
	struct cs_checkout *e = d->checkout;
	struct cs_pam_err err;
	char id[CS_PAM_ID_MAX];

	CS_ASSERT_KIND(&d->h, CS_KIND_DBC);
	if (!e)
		return SQL_SUCCESS;
	d->checkout = NULL;
	memset(&err, 0, sizeof(err));
	if (cs_reg_release(e, id, sizeof(id), &err) == 0)
		return SQL_SUCCESS;
	cs_diag_add(&d->h, CS_S01000, "%s: disconnected, but check-in of request %s failed (%s); "
		    "credshim retries it while the checkout lasts, unless the PAM no longer has it open",
		    d->dsn, id, err.msg);
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
