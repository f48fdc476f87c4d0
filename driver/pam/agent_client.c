/* SPDX-License-Identifier: MIT */
/*
 * agent_client.c - the driver's side of credshim-agent (agent.h): the
 * socket's place and checks, frames within a deadline, autostart, and the
 * registry's checkout and check-in through the agent.
 *
 * A checkout is one connection to the agent: the lease lives as long as
 * it.  The open leases of this process are a list of (request id, socket)
 * so that the check-in of id closes the right one; the agent hands out
 * one request id to several processes, never twice to one lease.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/log.h"
#include "pam/agent.h"
#include "pam/pam.h"

#ifndef CS_AGENT_DEFAULT_PATH
#define CS_AGENT_DEFAULT_PATH "/usr/local/bin/credshim-agent"
#endif

#define CS_AGENT_START_MS   10000   /* how long an autostarted agent may take */
#define CS_AGENT_RETRY_MS   50

struct cs_lease {
	struct cs_lease *next;
	int fd;
	char id[CS_PAM_ID_MAX];
};

static struct cs_mutex cs_lease_lock = CS_MUTEX_INIT;
static struct cs_lease *cs_leases;  /* guarded by cs_lease_lock */
static pthread_once_t cs_lease_once = PTHREAD_ONCE_INIT;

/* The lease list's lock is taken around fork(), so a child forked while
 * another thread added or took a lease gets it free (a leaf: nothing is
 * taken under it). */
static void cs_lease_prefork(void)
{
	cs_mutex_lock(&cs_lease_lock);
}

static void cs_lease_postfork(void)
{
	cs_mutex_unlock(&cs_lease_lock);
}

static void cs_lease_init(void)
{
	pthread_atfork(cs_lease_prefork, cs_lease_postfork, cs_lease_postfork);
}

int cs_agent_default_socket(char *out, size_t outlen)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	int n;

	if (rt && rt[0] == '/')
		n = snprintf(out, outlen, "%s/credshim/agent.sock", rt);
	else
		n = snprintf(out, outlen, "/tmp/credshim-%u/agent.sock", (unsigned)getuid());
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int cs_agent_dir_check(const char *sock, int create, struct cs_pam_err *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(sock, '/');
	struct stat st;
	size_t n;

	if (!slash || strlen(sock) >= sizeof(dir)) {
		cs_pam_errf(err, CS_S08001, 0, "the credshim-agent socket %s must be an absolute path "
			    "under %zu bytes", sock, sizeof(dir));
		return -1;
	}
	n = (size_t)(slash - sock);
	memcpy(dir, sock, n ? n : 1);
	dir[n ? n : 1] = '\0';
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		cs_pam_errf(err, CS_S08001, 0, "cannot create the credshim-agent directory %s: %s", dir,
			    strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) != 0) {
		cs_pam_errf(err, CS_S08001, 0, "the credshim-agent directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		cs_pam_errf(err, CS_S08001, 0, "the credshim-agent directory %s is refused: it must be "
			    "a directory owned by uid %u with mode 0700 (it is %s, uid %u, mode %03o)", dir,
			    (unsigned)getuid(), S_ISDIR(st.st_mode) ? "a directory" : "no directory",
			    (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* Waits until fd is ready for events, at most until deadline (0 = none). */
static int cs_agent_poll(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	for (;;) {
		long long left = deadline ? deadline - cs_pam_now_ms() : -1;

		if (deadline && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&p, 1, deadline ? (int)(left > 60000 ? 60000 : left) : -1);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int cs_agent_send(int fd, const unsigned char *b, size_t n, long long deadline)
{
	size_t at = 0;

	while (at < n) {
		ssize_t w = send(fd, b + at, n - at, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			at += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (cs_agent_poll(fd, POLLOUT, deadline) != 0)
			return -1;
	}
	return 0;
}

/* Reads exactly n bytes. */
static int cs_agent_read(int fd, unsigned char *b, size_t n, long long deadline)
{
	size_t at = 0;

	while (at < n) {
		ssize_t r;

		if (cs_agent_poll(fd, POLLIN, deadline) != 0)
			return -1;
		r = recv(fd, b + at, n - at, MSG_DONTWAIT);
		if (r == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			return -1;
		}
		at += (size_t)r;
	}
	return 0;
}

int cs_agent_recv(int fd, unsigned char *buf, long long deadline, struct cs_amsg *m,
		  enum cs_agent_perr *pe, unsigned *version)
{
	size_t len = 0;

	*pe = CS_AP_OK;
	*version = CS_AGENT_VERSION;
	if (cs_agent_read(fd, buf, CS_AGENT_HEADER, deadline) != 0)
		return -1;
	*pe = cs_agent_header(buf, CS_AGENT_HEADER, version, &len);
	if (*pe == CS_AP_OK && cs_agent_read(fd, buf + CS_AGENT_HEADER, len, deadline) != 0)
		return -1;
	if (*pe == CS_AP_OK)
		*pe = cs_agent_parse(buf, CS_AGENT_HEADER + len, m);
	if (*pe != CS_AP_OK) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int cs_agent_sockaddr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

int cs_agent_dial(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (cs_agent_sockaddr(path, &sa) != 0)
		return -1;
	/* Non-blocking: a blocking connect to an agent whose queue of
	 * connections is full (stalled, or out of fds) would wait for ever,
	 * past any login timeout; this one fails with EAGAIN instead.  The
	 * frames are sent and read with poll and MSG_DONTWAIT anyway. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Starts the agent detached (fork, setsid, fork, exec), as ssh-agent and
 * gpg-agent are started: the application's process never becomes its
 * parent.  The agent itself makes sure only one serves the socket.
 */
static int cs_agent_spawn(const char *prog, const char *sock)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* Only async-signal-safe calls from here on. */
		int fd;

		if (setsid() < 0 || fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		closefrom(3);
		execl(prog, prog, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* A connection to the agent at cfg->agent_socket, starting it when
 * nothing listens.  -1 with *err. */
static int cs_agent_connect(const struct cs_pam_cfg *cfg, struct cs_pam_err *err)
{
	const char *sock = cfg->agent_socket;
	const char *prog = cfg->agent_path ? cfg->agent_path : CS_AGENT_DEFAULT_PATH;
	long long until = cs_pam_now_ms() + CS_AGENT_START_MS;
	int fd, started = 0, full = 0;

	if (cs_agent_dir_check(sock, 1, err) != 0)
		return -1;
	for (;;) {
		fd = cs_agent_dial(sock);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT && errno != ECONNREFUSED && errno != EAGAIN)
			break;
		/* EAGAIN: an agent listens but accepts nothing (its queue is
		 * full): no second agent, only the wait. */
		full = errno == EAGAIN;
		if (!started && !full) {
			cs_log(CS_LOG_INFO, "nothing listens on %s: starting %s", sock, prog);
			if (access(prog, X_OK) != 0) {
				cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s is unreachable and %s "
					    "cannot be started: %s (PamAgentPath)", sock, prog, strerror(errno));
				return -1;
			}
			cs_agent_spawn(prog, sock);
			started = 1;
		}
		if (cfg->deadline_ms && cs_pam_now_ms() >= cfg->deadline_ms) {
			cs_pam_errf(err, CS_SHYT00, 0, "the login timeout ran out waiting for "
				    "credshim-agent at %s to %s", sock, full ? "accept the connection "
				    "(its queue of connections is full)" : "start");
			return -1;
		}
		if (cs_pam_now_ms() >= until) {
			errno = full ? EAGAIN : ETIMEDOUT;
			break;
		}
		usleep(CS_AGENT_RETRY_MS * 1000);
	}
	if (errno == EAGAIN)
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s accepts no connections: its queue "
			    "of connections stayed full for %d s (is it stalled?)", sock,
			    CS_AGENT_START_MS / 1000);
	else
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s is unreachable: %s", sock,
			    strerror(errno));
	return -1;
}

/* How long the agent may take to answer: the login timeout, else the
 * PAM's own bounds with room for its retries. */
static long long cs_agent_deadline(const struct cs_pam_cfg *cfg)
{
	if (cfg->deadline_ms)
		return cfg->deadline_ms;
	return cs_pam_now_ms() + 4 * (long long)cfg->timeout_ms + 5000;
}

/* The error for a failed exchange with the agent. */
static void cs_agent_io_err(const struct cs_pam_cfg *cfg, enum cs_agent_perr pe, unsigned version,
			    struct cs_pam_err *err)
{
	const char *sock = cfg->agent_socket;

	if (errno == ETIMEDOUT && cfg->deadline_ms)
		cs_pam_errf(err, CS_SHYT00, 0, "the login timeout ran out waiting for credshim-agent "
			    "at %s", sock);
	else if (errno == ETIMEDOUT)
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s did not answer in time", sock);
	else if (errno == EPROTO && pe == CS_AP_VERSION)
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s speaks protocol version %u, this "
			    "driver %u: restart the agent of this version", sock, version, CS_AGENT_VERSION);
	else if (errno == EPROTO)
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s sent %s", sock, cs_agent_perr_str(pe));
	else
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s failed mid-request: %s", sock,
			    strerror(errno));
}

/* An ERR frame's SQLSTATE and message as *err (its own SQLSTATE when
 * credshim knows it, else 08001). */
static void cs_agent_err_from(const struct cs_amsg *m, struct cs_pam_err *err)
{
	char code[8], msg[sizeof(err->msg)];
	enum cs_state st = CS_S08001;
	int i;

	cs_amsg_str(m, CS_AT_SQLSTATE, code, sizeof(code));
	if (cs_amsg_str(m, CS_AT_MSG, msg, sizeof(msg)) != 0)
		msg[sizeof(msg) - 1] = '\0';
	for (i = 0; i < CS_STATE__COUNT; i++)
		if (strcmp(cs_states[i].code, code) == 0)
			st = (enum cs_state)i;
	cs_pam_errf(err, st, 0, "%s", strncmp(msg, "[credshim] ", 11) == 0 ? msg + 11 : msg);
}

static void cs_agent_acquire_frame(const struct cs_pam_cfg *cfg, struct cs_awriter *w,
				   unsigned char *buf)
{
	long long wait = cfg->deadline_ms ? cfg->deadline_ms - cs_pam_now_ms() : 0;

	cs_aw_begin(w, buf, CS_AGENT_FRAME_MAX, CS_AM_ACQUIRE);
	cs_aw_str(w, CS_AT_URL, cfg->url);
	cs_aw_str(w, CS_AT_TOKEN, cfg->token);
	cs_aw_str(w, CS_AT_RUNHOST, cfg->run_host);
	cs_aw_str(w, CS_AT_REASON, cfg->reason);
	cs_aw_str(w, CS_AT_EMAIL, cfg->email);
	cs_aw_str(w, CS_AT_CAFILE, cfg->ca_file);
	cs_aw_str(w, CS_AT_CAPATH, cfg->ca_path);
	cs_aw_u64(w, CS_AT_INSECURE, (uint64_t)cfg->insecure);
	cs_aw_u64(w, CS_AT_DURATION, cfg->duration_min);
	cs_aw_u64(w, CS_AT_TIMEOUT_MS, (uint64_t)cfg->timeout_ms);
	cs_aw_u64(w, CS_AT_WAIT_MS, (uint64_t)(wait > 0 ? wait : cfg->deadline_ms ? 1 : 0));
	cs_aw_u64(w, CS_AT_SHARE, (uint64_t)cfg->share);
	cs_aw_u64(w, CS_AT_FRESH, (uint64_t)cfg->fresh);
	cs_aw_u64(w, CS_AT_LINGER_MS, (uint64_t)(cfg->linger_ms > 0 ? cfg->linger_ms : 0));
	cs_aw_u64(w, CS_AT_RENEW, (uint64_t)cfg->renew);
}

int cs_agent_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
		      struct cs_pam_err *err)
{
	unsigned char *buf = malloc(CS_AGENT_FRAME_MAX);
	struct cs_lease *l = calloc(1, sizeof(*l));
	enum cs_agent_perr pe = CS_AP_OK;
	struct cs_awriter w;
	struct cs_amsg m;
	unsigned version;
	size_t n;
	int fd = -1, r = -1;

	if (!buf || !l) {
		cs_pam_errf(err, CS_SHY001, 0, "out of memory");
		goto out_free;
	}
	cs_agent_acquire_frame(cfg, &w, buf);
	n = cs_aw_end(&w);
	if (n == 0) {
		cs_pam_errf(err, CS_S08001, 0, "the PAM settings are too long for credshim-agent");
		goto out_free;
	}
	fd = cs_agent_connect(cfg, err);
	if (fd < 0)
		goto out_free;
	if (cs_agent_send(fd, buf, n, cs_agent_deadline(cfg)) != 0) {
		int e = errno;

		/* An agent that refused the connection (out of descriptors)
		 * answered ERR and closed before the request: its answer is
		 * still there to read. */
		if ((e != EPIPE && e != ECONNRESET) ||
		    cs_agent_recv(fd, buf, cs_pam_now_ms() + 100, &m, &pe, &version) != 0 ||
		    m.type != CS_AM_ERR) {
			errno = e;
			cs_agent_io_err(cfg, CS_AP_OK, CS_AGENT_VERSION, err);
			goto out_close;
		}
	} else if (cs_agent_recv(fd, buf, cs_agent_deadline(cfg), &m, &pe, &version) != 0) {
		cs_agent_io_err(cfg, pe, version, err);
		goto out_close;
	}
	if (m.type == CS_AM_ERR) {
		cs_agent_err_from(&m, err);
		goto out_close;
	}
	if (m.type != CS_AM_CRED || cs_amsg_str(&m, CS_AT_ID, out->id, sizeof(out->id)) ||
	    cs_amsg_str(&m, CS_AT_ACCOUNT, out->account, sizeof(out->account)) ||
	    cs_amsg_str(&m, CS_AT_PASSWD, out->passwd, sizeof(out->passwd))) {
		cs_pam_checkout_wipe(out);
		cs_pam_errf(err, CS_S08001, 0, "credshim-agent at %s answered a checkout with no "
			    "credential", cfg->agent_socket);
		goto out_close;
	}
	l->fd = fd;
	snprintf(l->id, sizeof(l->id), "%s", out->id);
	pthread_once(&cs_lease_once, cs_lease_init);
	cs_mutex_lock(&cs_lease_lock);
	l->next = cs_leases;
	cs_leases = l;
	cs_mutex_unlock(&cs_lease_lock);
	l = NULL;
	fd = -1;
	r = 0;
out_close:
	if (fd >= 0)
		close(fd);
out_free:
	if (buf)
		explicit_bzero(buf, CS_AGENT_FRAME_MAX);
	free(buf);
	free(l);
	return r;
}

/* Takes this process's lease for id out of the list: its socket, or -1. */
static int cs_lease_take(const char *id)
{
	struct cs_lease **pp, *l;
	int fd = -1;

	cs_mutex_lock(&cs_lease_lock);
	for (pp = &cs_leases; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->id, id) == 0) {
			l = *pp;
			*pp = l->next;
			fd = l->fd;
			free(l);
			break;
		}
	}
	cs_mutex_unlock(&cs_lease_lock);
	return fd;
}

int cs_agent_checkin(const struct cs_pam_cfg *cfg, const char *id, struct cs_pam_err *err)
{
	unsigned char buf[CS_AGENT_FRAME_MAX];
	long long deadline = cfg->deadline_ms ? cfg->deadline_ms : cs_agent_deadline(cfg);
	enum cs_agent_perr pe = CS_AP_OK;
	struct cs_awriter w;
	struct cs_amsg m;
	unsigned version;
	char code[8];
	int fd = cs_lease_take(id), r = 0;

	if (fd < 0)
		return 0;
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_RELEASE);
	if (cs_agent_send(fd, buf, cs_aw_end(&w), deadline) != 0 ||
	    cs_agent_recv(fd, buf, deadline, &m, &pe, &version) != 0) {
		/* Closing releases the lease all the same. */
		cs_agent_io_err(cfg, pe, version, err);
		r = -1;
	} else if (m.type == CS_AM_ERR || (m.type == CS_AM_DONE &&
		   cs_amsg_str(&m, CS_AT_SQLSTATE, code, sizeof(code)) == 0 && code[0])) {
		cs_agent_err_from(&m, err);
		r = -1;
	}
	close(fd);
	return r;
}
