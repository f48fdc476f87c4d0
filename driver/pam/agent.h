/* SPDX-License-Identifier: MIT */
/*
 * agent.h - the driver's side of credshim-agent (PamAgent=1), and what the
 * agent (driver/agent/) shares with it: where the socket is, the checks on
 * its directory, and one frame sent or received within a deadline.
 *
 * In a process with PamAgent=1 the checkout registry (registry.h) sends
 * its checkouts here instead of to the PAM: cs_agent_checkout opens a
 * connection to the agent, which lends a credential for as long as that
 * connection stays open; cs_agent_checkin releases it and closes.  When
 * the process ends in any way the kernel closes the connection and the
 * agent releases the lease at once (docs/architecture.md, "The agent").
 * Errors come back as a struct cs_pam_err naming the socket.
 */
#ifndef CS_AGENT_H
#define CS_AGENT_H

#include <stddef.h>

#include "util/agent_proto.h"
#include "util/pam_proto.h"

/* The default socket: $XDG_RUNTIME_DIR/credshim/agent.sock, else
 * /tmp/credshim-<uid>/agent.sock.  -1 when it does not fit. */
int cs_agent_default_socket(char *out, size_t outlen);
/*
 * The socket's directory: created 0700 when missing (create), then
 * checked to be a directory owned by this user that group and others
 * cannot access.  0, or -1 with *err (08001 naming the directory).
 */
int cs_agent_dir_check(const char *sock, int create, struct cs_pam_err *err);

struct sockaddr_un;
/* The address of the Unix socket path: 0, or -1 with errno ENAMETOOLONG
 * when path does not fit. */
int cs_agent_sockaddr(const char *path, struct sockaddr_un *sa);
/* A connected non-blocking socket to path, or -1 with errno (EAGAIN:
 * the agent's queue of connections is full). */
int cs_agent_dial(const char *path);

/* Sends one frame, within deadline (monotonic ms, 0 = none).  0 or -1
 * (errno set; ETIMEDOUT). */
int cs_agent_send(int fd, const unsigned char *b, size_t n, long long deadline);
/*
 * Receives one frame into buf (CS_AGENT_FRAME_MAX bytes) and parses it.
 * 0 with *m; -1 with errno (ETIMEDOUT, ECONNRESET for a close, EPROTO
 * with *pe for a bad frame, *version telling another version).
 */
int cs_agent_recv(int fd, unsigned char *buf, long long deadline, struct cs_amsg *m,
		  enum cs_agent_perr *pe, unsigned *version);

/* The registry's checkout and check-in through the agent. */
int cs_agent_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
		      struct cs_pam_err *err);
int cs_agent_checkin(const struct cs_pam_cfg *cfg, const char *id, struct cs_pam_err *err);

#endif
