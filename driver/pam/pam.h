/* SPDX-License-Identifier: MIT */
/*
 * pam.h - the network client for the PAM credential checkout API: one
 * HTTPS exchange each for checkout and check-in, through libcurl, with
 * retries and timeouts, sharing one connection cache (keep-alive, TLS
 * sessions) across the process.  What is sent and how an answer is judged
 * is the pure protocol layer's (util/pam_proto.h); docs/pam-protocol.md
 * describes the API.
 * Errors come back as a SQLSTATE and a message that never holds a secret.
 */
#ifndef CS_PAM_H
#define CS_PAM_H

#include "util/pam_proto.h"

/* CLOCK_MONOTONIC in milliseconds: the clock deadline_ms is read on. */
long long cs_pam_now_ms(void);

/* Network: POST <url>/rest/cmdctrl/Request.  0 or -1 with *err. */
int cs_pam_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
		    struct cs_pam_err *err);
/* Network: PUT <url>/rest/cmdctrl/Request/<id>.  0 or -1 with *err. */
int cs_pam_checkin(const struct cs_pam_cfg *cfg, const char *id,
		   struct cs_pam_err *err);

#endif
