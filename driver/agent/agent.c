/* SPDX-License-Identifier: MIT */
/*
 * agent.c - credshim-agent: holds PAM checkouts for one OS user and lends
 * them to the driver's connections (PamAgent=1) over a Unix socket
 * (docs/architecture.md, "The agent"; the frames are util/agent_proto.h).
 *
 *   credshim-agent [--socket PATH] [--idle SECONDS] [--log FILE]
 *
 * Started by systemd's socket activation (odbcinst/credshim-agent.socket),
 * it serves the listening socket it inherits (LISTEN_FDS, LISTEN_PID) after
 * the same checks of its directory, and leaves the socket to systemd.
 * The socket's directory must be the user's own, mode 0700.  One lock
 * file beside the socket makes one agent per socket: a second one started
 * at the same moment waits for the first to listen and leaves.  Each
 * client connection is served by a thread and holds at most one lease
 * (a reference in the checkout registry, registry.h): when the
 * connection closes, however its process ended, the lease is released
 * and the last release checks the credential in (after PamLinger).  The
 * agent exits after --idle seconds (CREDSHIM_AGENT_IDLE, default 120)
 * with no client and nothing held, and on SIGTERM or SIGINT, checking
 * everything in first.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "pam/agent.h"
#include "pam/pam.h"
#include "pam/registry.h"
#include "util/conf.h"
#include "util/connstr.h"

#define CS_AGENT_IDLE_DEFAULT 120
#define CS_AGENT_IDLE_MAX     86400
#define CS_AGENT_LOCK_WAIT_MS 10000
#define CS_SD_LISTEN_FDS_START 3   /* the first fd systemd passes */
#define CS_AGENT_EXIT_WAIT_MS 30000 /* for requests being served at SIGTERM */

static volatile sig_atomic_t cs_agent_stop;
/* Leaf lock (docs/architecture.md, "Locks"): the requests client threads
 * are serving in the registry, and whether the exit has begun. */
static pthread_mutex_t cs_agent_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cs_agent_cv = PTHREAD_COND_INITIALIZER;
static int cs_agent_working;            /* guarded by cs_agent_mu */
static int cs_agent_closing;            /* guarded by cs_agent_mu */
static dev_t cs_agent_sock_dev;         /* the socket file this agent bound */
static ino_t cs_agent_sock_ino;
static int cs_agent_spare = -1;         /* main thread: a descriptor kept for EMFILE */
static const char *cs_agent_sock_path;  /* for messages */
static int cs_agent_clients;            /* atomic */
static long long cs_agent_last_ms;      /* atomic: last client gone */

/* One client connection and its lease. */
struct cs_client {
	int fd;
	pid_t pid;
	struct cs_checkout *co;
	int share;
	unsigned char buf[CS_AGENT_FRAME_MAX];
	/* the request's settings, owned; token and passwd are secrets */
	char url[CS_AGENT_FIELD_MAX + 1], token[CS_AGENT_FIELD_MAX + 1];
	char run_host[CS_AGENT_FIELD_MAX + 1], reason[CS_AGENT_FIELD_MAX + 1];
	char email[CS_AGENT_FIELD_MAX + 1], ca_file[CS_AGENT_FIELD_MAX + 1];
	char ca_path[CS_AGENT_FIELD_MAX + 1];
	struct cs_pam_cfg cfg;
};

static void cs_agent_on_signal(int sig)
{
	(void)sig;
	cs_agent_stop = 1;
}

/* The client's ACQUIRE as a registry configuration; -1 when a value does
 * not fit. */
static int cs_client_cfg(struct cs_client *c, const struct cs_amsg *m)
{
	struct cs_pam_cfg *p = &c->cfg;
	uint64_t wait = cs_amsg_u64(m, CS_AT_WAIT_MS);

	memset(p, 0, sizeof(*p));
	if (cs_amsg_str(m, CS_AT_URL, c->url, sizeof(c->url)) ||
	    cs_amsg_str(m, CS_AT_TOKEN, c->token, sizeof(c->token)) ||
	    cs_amsg_str(m, CS_AT_RUNHOST, c->run_host, sizeof(c->run_host)) ||
	    cs_amsg_str(m, CS_AT_REASON, c->reason, sizeof(c->reason)) ||
	    cs_amsg_str(m, CS_AT_EMAIL, c->email, sizeof(c->email)) ||
	    cs_amsg_str(m, CS_AT_CAFILE, c->ca_file, sizeof(c->ca_file)) ||
	    cs_amsg_str(m, CS_AT_CAPATH, c->ca_path, sizeof(c->ca_path)))
		return -1;
	p->url = c->url;
	p->token = c->token;
	p->run_host = c->run_host;
	p->reason = c->reason;
	p->email = c->email;
	p->ca_file = c->ca_file[0] ? c->ca_file : NULL;
	p->ca_path = c->ca_path[0] ? c->ca_path : NULL;
	p->insecure = cs_amsg_u64(m, CS_AT_INSECURE) != 0;
	p->duration_min = (unsigned long)cs_amsg_u64(m, CS_AT_DURATION);
	p->timeout_ms = (long)cs_amsg_u64(m, CS_AT_TIMEOUT_MS);
	p->linger_ms = (long long)(cs_amsg_u64(m, CS_AT_LINGER_MS) & 0xffffffffffull);
	p->deadline_ms = wait ? cs_reg_now_ms() + (long long)(wait & 0xffffffffull) : 0;
	c->share = cs_amsg_u64(m, CS_AT_SHARE) != 0;
	p->fresh = cs_amsg_u64(m, CS_AT_FRESH) != 0;
	p->renew = cs_amsg_u64(m, CS_AT_RENEW) != 0;
	if (!p->url[0] || !p->token[0] || !p->run_host[0] || p->duration_min == 0 || p->timeout_ms <= 0)
		return -1;
	return 0;
}

static int cs_client_send_err(struct cs_client *c, const char *sqlstate, const char *msg)
{
	struct cs_awriter w;

	cs_aw_begin(&w, c->buf, sizeof(c->buf), CS_AM_ERR);
	cs_aw_str(&w, CS_AT_SQLSTATE, sqlstate);
	cs_aw_str(&w, CS_AT_MSG, msg);
	return cs_agent_send(c->fd, c->buf, cs_aw_end(&w), 0);
}

/*
 * Counts a registry call a client thread makes, so that the exit waits
 * for it (a checkout in flight at SIGTERM would otherwise be answered by
 * the PAM after the exit pass, and stay out).  -1 when the exit has begun
 * and a new checkout must not start (acquire); a release always goes on.
 */
static int cs_agent_work_begin(int acquire)
{
	int r = 0;

	pthread_mutex_lock(&cs_agent_mu);
	if (acquire && cs_agent_closing)
		r = -1;
	else
		cs_agent_working++;
	pthread_mutex_unlock(&cs_agent_mu);
	return r;
}

/* The end of a counted call; 1 when the exit has begun meanwhile. */
static int cs_agent_work_end(void)
{
	int closing;

	pthread_mutex_lock(&cs_agent_mu);
	cs_agent_working--;
	closing = cs_agent_closing;
	pthread_cond_broadcast(&cs_agent_cv);
	pthread_mutex_unlock(&cs_agent_mu);
	return closing;
}

/* The exit begins: no new checkout, and the calls being made end first
 * (at most CS_AGENT_EXIT_WAIT_MS). */
static void cs_agent_close_wait(void)
{
	long long until = cs_reg_now_ms() + CS_AGENT_EXIT_WAIT_MS;
	int left;

	pthread_mutex_lock(&cs_agent_mu);
	cs_agent_closing = 1;
	while (cs_agent_working > 0 && cs_reg_now_ms() < until) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cs_agent_cv, &cs_agent_mu, &ts);
	}
	left = cs_agent_working;
	pthread_mutex_unlock(&cs_agent_mu);
	if (left > 0)
		cs_log(CS_LOG_WARN, "exiting with %d request(s) still at the PAM after %d s", left,
		       CS_AGENT_EXIT_WAIT_MS / 1000);
}

/* ERR: the agent is exiting (SIGTERM). */
static int cs_client_send_exiting(struct cs_client *c)
{
	char msg[400];

	snprintf(msg, sizeof(msg), "[credshim] credshim-agent at %s is exiting; connect again to "
		 "start another", cs_agent_sock_path);
	return cs_client_send_err(c, "08001", msg);
}

static int cs_client_acquire_now(struct cs_client *c, const struct cs_amsg *m);
static int cs_client_release(struct cs_client *c, struct cs_pam_err *err, char *id, size_t idlen);

/* ACQUIRE: a lease from the registry, answered CRED or ERR; none once the
 * exit has begun (what came back meanwhile goes back at once). */
static int cs_client_acquire(struct cs_client *c, const struct cs_amsg *m)
{
	int r;

	if (c->co)
		return cs_client_send_err(c, "08001", "[credshim] credshim-agent: this connection "
					  "holds a lease already");
	if (cs_agent_work_begin(1) != 0)
		return cs_client_send_exiting(c);
	r = cs_client_acquire_now(c, m);
	cs_agent_work_end();
	return r;
}

/* ACQUIRE, counted by cs_agent_work_begin. */
static int cs_client_acquire_now(struct cs_client *c, const struct cs_amsg *m)
{
	struct cs_pam_checkout cred;
	struct cs_pam_err err;
	struct cs_awriter w;
	int joined, r, closing;

	if (cs_client_cfg(c, m) != 0)
		return cs_client_send_err(c, "08001", "[credshim] credshim-agent: the request's PAM "
					  "settings are incomplete or too long");
	memset(&err, 0, sizeof(err));
	memset(&cred, 0, sizeof(cred));
	if (cs_reg_acquire(&c->cfg, c->share, c->cfg.fresh, &c->co, &joined, &cred, &err) != 0) {
		cs_log(CS_LOG_WARN, "checkout for runHost %s (pid %d) failed: %s", c->run_host,
		       (int)c->pid, err.msg);
		return cs_client_send_err(c, err.sqlstate, err.msg);
	}
	pthread_mutex_lock(&cs_agent_mu);
	closing = cs_agent_closing;
	pthread_mutex_unlock(&cs_agent_mu);
	if (closing) {
		char id[CS_PAM_ID_MAX];

		cs_log(CS_LOG_INFO, "exiting: request %s for pid %d goes back", cred.id, (int)c->pid);
		cs_pam_checkout_wipe(&cred);
		memset(&err, 0, sizeof(err));
		cs_client_release(c, &err, id, sizeof(id));
		return cs_client_send_exiting(c);
	}
	cs_log(CS_LOG_INFO, "lent request %s for runHost %s (account %s) to pid %d%s", cred.id,
	       c->run_host, cred.account, (int)c->pid, joined ? ", shared" : "");
	cs_aw_begin(&w, c->buf, sizeof(c->buf), CS_AM_CRED);
	cs_aw_str(&w, CS_AT_ID, cred.id);
	cs_aw_str(&w, CS_AT_ACCOUNT, cred.account);
	cs_aw_str(&w, CS_AT_PASSWD, cred.passwd);
	cs_aw_u64(&w, CS_AT_JOINED, (uint64_t)joined);
	r = cs_agent_send(c->fd, c->buf, cs_aw_end(&w), 0);
	cs_pam_checkout_wipe(&cred);
	explicit_bzero(c->buf, sizeof(c->buf));
	/* Nobody joins a lease that does not share: it forgets the password. */
	cs_reg_settle(c->co);
	return r;
}

/* Releases the client's lease (the last release checks in). */
static int cs_client_release(struct cs_client *c, struct cs_pam_err *err, char *id, size_t idlen)
{
	int r;

	id[0] = '\0';
	if (!c->co)
		return 0;
	cs_agent_work_begin(0);       /* a check-in the exit waits for */
	r = cs_reg_release(c->co, id, idlen, err);
	cs_agent_work_end();
	c->co = NULL;
	cs_log(CS_LOG_INFO, "pid %d released request %s", (int)c->pid, id);
	return r;
}

static int cs_client_on_release(struct cs_client *c)
{
	struct cs_pam_err err;
	struct cs_awriter w;
	char id[CS_PAM_ID_MAX];
	int failed;

	memset(&err, 0, sizeof(err));
	failed = cs_client_release(c, &err, id, sizeof(id)) != 0;
	cs_aw_begin(&w, c->buf, sizeof(c->buf), CS_AM_DONE);
	cs_aw_str(&w, CS_AT_ID, id);
	if (failed) {
		cs_aw_str(&w, CS_AT_SQLSTATE, err.sqlstate);
		cs_aw_str(&w, CS_AT_MSG, err.msg);
	}
	return cs_agent_send(c->fd, c->buf, cs_aw_end(&w), 0);
}

/* One client: requests until it closes; then its lease goes back. */
static void *cs_client_thread(void *arg)
{
	struct cs_client *c = arg;
	enum cs_agent_perr pe;
	struct cs_pam_err err;
	struct cs_amsg m;
	unsigned version;
	char id[CS_PAM_ID_MAX];

	for (;;) {
		int r;

		if (cs_agent_recv(c->fd, c->buf, 0, &m, &pe, &version) != 0) {
			if (errno == EPROTO)
				cs_log(CS_LOG_WARN, "pid %d sent %s (version %u)", (int)c->pid,
				       cs_agent_perr_str(pe), version);
			if (errno == EPROTO && pe == CS_AP_VERSION)
				cs_client_send_err(c, "08001", "[credshim] credshim-agent speaks another "
						   "protocol version");
			break;
		}
		if (m.type == CS_AM_ACQUIRE)
			r = cs_client_acquire(c, &m);
		else if (m.type == CS_AM_RELEASE)
			r = cs_client_on_release(c);
		else
			break;
		explicit_bzero(c->buf, sizeof(c->buf));
		if (r != 0)
			break;
	}
	memset(&err, 0, sizeof(err));
	cs_client_release(c, &err, id, sizeof(id));
	close(c->fd);
	explicit_bzero(c, sizeof(*c));
	free(c);
	__atomic_store_n(&cs_agent_last_ms, cs_reg_now_ms(), __ATOMIC_RELAXED);
	__atomic_sub_fetch(&cs_agent_clients, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Out of descriptors with connections waiting (accept: EMFILE, ENFILE):
 * poll would report them at once for ever, a busy loop, while their
 * clients wait for nothing until their login timeout.  The spare
 * descriptor makes room to take one, answer it 08001 saying why and
 * close it.  Without a spare, a pause instead of the busy loop.
 */
static void cs_agent_refuse_nofd(int lfd)
{
	unsigned char b[512];
	char msg[400];
	struct cs_awriter w;
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	int fd;

	if (cs_agent_spare < 0) {
		usleep(100 * 1000);
		cs_agent_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return;
	}
	close(cs_agent_spare);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0 && (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) != 0 || uc.uid != getuid())) {
		close(fd);            /* another uid: not a word, as always */
		fd = -1;
	}
	if (fd >= 0) {
		snprintf(msg, sizeof(msg), "[credshim] credshim-agent at %s has no file descriptor "
			 "left for another connection (%d connected)", cs_agent_sock_path,
			 __atomic_load_n(&cs_agent_clients, __ATOMIC_RELAXED));
		cs_aw_begin(&w, b, sizeof(b), CS_AM_ERR);
		cs_aw_str(&w, CS_AT_SQLSTATE, "08001");
		cs_aw_str(&w, CS_AT_MSG, msg);
		cs_agent_send(fd, b, cs_aw_end(&w), cs_pam_now_ms() + 100);
		close(fd);
	}
	cs_agent_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cs_log(CS_LOG_WARN, "out of file descriptors (%d clients): refused a connection",
	       __atomic_load_n(&cs_agent_clients, __ATOMIC_RELAXED));
}

/* A new connection: only from this user (SO_PEERCRED). */
static void cs_agent_accept(int lfd)
{
	struct ucred uc = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t ul = sizeof(uc);
	struct cs_client *c;
	pthread_attr_t at;
	pthread_t t;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			cs_agent_refuse_nofd(lfd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) != 0 || uc.uid != getuid()) {
		cs_log(CS_LOG_WARN, "refused a connection from uid %d (pid %d): only uid %u may use "
		       "this agent", (int)uc.uid, (int)uc.pid, (unsigned)getuid());
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->pid = uc.pid;
	__atomic_add_fetch(&cs_agent_clients, 1, __ATOMIC_RELAXED);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, cs_client_thread, c) != 0) {
		__atomic_sub_fetch(&cs_agent_clients, 1, __ATOMIC_RELAXED);
		close(fd);
		free(c);
	}
	pthread_attr_destroy(&at);
}

/* "<socket>.<suffix>" */
static int cs_agent_sibling(const char *sock, const char *suffix, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s.%s", sock, suffix);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/*
 * Takes the socket's lock, so that one agent serves it.  1 when another
 * agent already listens (this one leaves), 0 with *lockfd, -1 on error.
 */
static int cs_agent_lock(const char *sock, int *lockfd)
{
	char path[4096];
	long long until = cs_pam_now_ms() + CS_AGENT_LOCK_WAIT_MS;
	int fd;

	if (cs_agent_sibling(sock, "lock", path, sizeof(path)) != 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int probe = cs_agent_dial(sock);
		int up = probe >= 0 || errno == EAGAIN;   /* EAGAIN: it listens, busy */

		if (probe >= 0)
			close(probe);
		if (up || cs_pam_now_ms() >= until || cs_agent_stop) {
			close(fd);
			return up ? 1 : -1;
		}
		usleep(50 * 1000);
	}
	*lockfd = fd;
	return 0;
}

static int cs_agent_listen(const char *sock)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (cs_agent_sockaddr(sock, &sa) != 0)
		return -1;
	unlink(sock);                  /* a dead agent's; we hold the lock */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(sock, 0600) != 0 ||
	    listen(fd, 128) != 0 || lstat(sock, &st) != 0) {
		close(fd);
		return -1;
	}
	cs_agent_sock_dev = st.st_dev;
	cs_agent_sock_ino = st.st_ino;
	return fd;
}

/* Removes the socket file if it is still the one this agent bound: one
 * that systemd's socket unit bound since then is systemd's. */
static void cs_agent_unlink(const char *sock)
{
	struct stat st;

	if (lstat(sock, &st) == 0 && st.st_dev == cs_agent_sock_dev && st.st_ino == cs_agent_sock_ino)
		unlink(sock);
}

/* What an inherited fd must be: a listening AF_UNIX stream socket bound
 * to a path (not abstract, not unnamed), whose path goes to sock. */
static int cs_agent_sd_socket(int fd, char *sock, size_t socklen)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa), il = sizeof(int);
	int domain = 0, type = 0, acc = 0;
	size_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &il) != 0 || domain != AF_UNIX ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) != 0 || type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &il) != 0 || !acc) {
		fprintf(stderr, "credshim-agent: fd %d from systemd is no listening Unix stream "
			"socket (ListenStream= a path)\n", fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0 ||
	    sl <= offsetof(struct sockaddr_un, sun_path) || sa.sun_path[0] != '/') {
		fprintf(stderr, "credshim-agent: the socket from systemd is not bound to an "
			"absolute path\n");
		return -1;
	}
	n = strnlen(sa.sun_path, sizeof(sa.sun_path));
	if (n >= socklen || n >= sizeof(sa.sun_path))
		return -1;
	memcpy(sock, sa.sun_path, n);
	sock[n] = '\0';
	return 0;
}

/*
 * Socket activation, by hand (the sd_listen_fds protocol, no libsystemd):
 * when LISTEN_PID is this process and LISTEN_FDS is 1, fd 3 is the
 * listening socket.  0 when not activated, 1 with *lfd and its path in
 * sock (which must equal a --socket given, want), -1 when refused.  The
 * variables are unset so that nothing started later takes them.
 */
static int cs_agent_sd_listen(const char *want, char *sock, size_t socklen, int *lfd)
{
	const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
	unsigned long pid, fds;

	if (!pid_s || !fds_s || cs_conf_uint(pid_s, 0x7fffffff, &pid) != 0 ||
	    pid != (unsigned long)getpid())
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (cs_conf_uint(fds_s, 1024, &fds) != 0 || fds != 1) {
		fprintf(stderr, "credshim-agent: systemd passed LISTEN_FDS=%s; it serves exactly one "
			"socket\n", fds_s);
		return -1;
	}
	if (fcntl(CS_SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) != 0 ||
	    cs_agent_sd_socket(CS_SD_LISTEN_FDS_START, sock, socklen) != 0)
		return -1;
	if (want[0] && strcmp(want, sock) != 0) {
		fprintf(stderr, "credshim-agent: --socket %s, but systemd passed %s\n", want, sock);
		return -1;
	}
	*lfd = CS_SD_LISTEN_FDS_START;
	return 1;
}

/* The inherited socket's own file: a socket of this user that group and
 * others cannot use (SocketMode=0600), beside the directory's checks. */
static int cs_agent_sd_check(const char *sock)
{
	struct cs_pam_err err;
	struct stat st;

	memset(&err, 0, sizeof(err));
	if (cs_agent_dir_check(sock, 0, &err) != 0) {
		fprintf(stderr, "credshim-agent: %s\n", err.msg);
		return -1;
	}
	if (lstat(sock, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & (S_IRWXG | S_IRWXO))) {
		fprintf(stderr, "credshim-agent: the socket %s is refused: it must be a socket owned "
			"by uid %u with mode 0600 (SocketMode=0600)\n", sock, (unsigned)getuid());
		return -1;
	}
	return 0;
}

static void cs_agent_pidfile(const char *sock, int write_it)
{
	char path[4096], pid[32];
	int fd, n;

	if (cs_agent_sibling(sock, "pid", path, sizeof(path)) != 0)
		return;
	if (!write_it) {
		unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, (size_t)n) != n)
		cs_log(CS_LOG_WARN, "cannot write %s", path);
	close(fd);
}

/* Serves until SIGTERM/SIGINT or idle_ms without clients or checkouts. */
static void cs_agent_serve(int lfd, long long idle_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	__atomic_store_n(&cs_agent_last_ms, cs_reg_now_ms(), __ATOMIC_RELAXED);
	while (!cs_agent_stop) {
		int r = poll(&p, 1, 500);

		if (r > 0 && (p.revents & POLLIN))
			cs_agent_accept(lfd);
		if (__atomic_load_n(&cs_agent_clients, __ATOMIC_RELAXED) == 0 && !cs_reg_busy() &&
		    cs_reg_now_ms() - __atomic_load_n(&cs_agent_last_ms, __ATOMIC_RELAXED) >= idle_ms) {
			cs_log(CS_LOG_INFO, "idle for %lld s: exiting", idle_ms / 1000);
			break;
		}
		if (cs_reg_busy() || __atomic_load_n(&cs_agent_clients, __ATOMIC_RELAXED))
			__atomic_store_n(&cs_agent_last_ms, cs_reg_now_ms(), __ATOMIC_RELAXED);
	}
}

static void cs_agent_log_setup(const char *file)
{
	struct cs_attrs a;
	const char *level = getenv("CREDSHIM_AGENT_LOGLEVEL");

	if (!file || !*file)
		return;
	cs_attrs_init(&a);
	cs_attrs_set(&a, cs_keys[CS_K_SHIMLOGFILE].name, file);
	cs_attrs_set(&a, cs_keys[CS_K_SHIMLOGLEVEL].name, level && *level ? level : "info");
	cs_log_configure(&a);
	cs_attrs_free(&a);
}

static int cs_agent_usage(void)
{
	fprintf(stderr, "usage: credshim-agent [--socket PATH] [--idle SECONDS] [--log FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	char sock[108], want[108] = "";
	const char *idle_s = getenv("CREDSHIM_AGENT_IDLE"), *log = getenv("CREDSHIM_AGENT_LOG");
	unsigned long idle = CS_AGENT_IDLE_DEFAULT;
	struct sigaction sa;
	sigset_t stop_sigs;
	struct cs_pam_err err;
	int i, lfd = -1, lockfd = -1, r, activated;

	if (cs_agent_default_socket(sock, sizeof(sock)) != 0)
		sock[0] = '\0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			if (snprintf(want, sizeof(want), "%s", argv[++i]) >= (int)sizeof(want))
				return cs_agent_usage();
			memcpy(sock, want, sizeof(sock));
		} else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc) {
			idle_s = argv[++i];
		} else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
			log = argv[++i];
		} else {
			return cs_agent_usage();
		}
	}
	if (idle_s && *idle_s && (cs_conf_uint(idle_s, CS_AGENT_IDLE_MAX, &idle) != 0 || idle == 0)) {
		fprintf(stderr, "credshim-agent: --idle must be 1 to %d seconds\n", CS_AGENT_IDLE_MAX);
		return 2;
	}
	cs_agent_log_setup(log);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cs_agent_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* An autostarted agent inherits the signal mask of the application's
	 * thread that connected: with SIGTERM blocked there it would never
	 * check in and exit on SIGTERM.  Every thread starts from this mask. */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &stop_sigs, NULL);

	activated = cs_agent_sd_listen(want, sock, sizeof(sock), &lfd);
	if (activated < 0 || (activated && cs_agent_sd_check(sock) != 0))
		return 1;
	memset(&err, 0, sizeof(err));
	if (activated) {
		cs_log(CS_LOG_INFO, "socket activation: serving the socket systemd passed");
	} else if (!sock[0] || cs_agent_dir_check(sock, 1, &err) != 0) {
		fprintf(stderr, "credshim-agent: %s\n", sock[0] ? err.msg : "no socket path");
		return 1;
	}
	r = activated ? 0 : cs_agent_lock(sock, &lockfd);
	if (r != 0) {
		if (r < 0)
			fprintf(stderr, "credshim-agent: cannot take the lock beside %s\n", sock);
		return r > 0 ? 0 : 1;
	}
	if (!activated)
		lfd = cs_agent_listen(sock);
	if (lfd < 0) {
		fprintf(stderr, "credshim-agent: cannot listen on %s: %s\n", sock, strerror(errno));
		return 1;
	}
	cs_agent_pidfile(sock, 1);
	cs_agent_sock_path = sock;
	cs_agent_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cs_log(CS_LOG_INFO, "credshim-agent listening on %s (idle exit after %lu s)", sock, idle);
	cs_reg_background(1);         /* failed check-ins: retried by a thread */
	cs_agent_serve(lfd, (long long)idle * 1000);
	/* Nobody new: then everything held goes back, once the requests
	 * being served have their answers from the PAM.  The socket and the
	 * lock go first: a connect meanwhile starts a new agent at once
	 * instead of waiting for this one's lock (10 s at most). */
	close(lfd);
	if (!activated)                /* systemd's socket stays systemd's */
		cs_agent_unlink(sock);
	cs_agent_pidfile(sock, 0);
	if (lockfd >= 0)
		close(lockfd);
	cs_agent_close_wait();
	cs_reg_exit();
	cs_log(CS_LOG_INFO, "credshim-agent on %s exits", sock);
	return 0;
}
