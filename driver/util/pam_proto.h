/* SPDX-License-Identifier: MIT */
/*
 * pam_proto.h - the PAM credential checkout API as data (pure: no
 * network): the request bodies credshim sends and how a response (HTTP
 * status + body bytes) is judged.  Unit-tested and fuzzed without a
 * network; the network client is pam/pam.h.  docs/pam-protocol.md
 * describes the API: requests, responses, the status rules.
 * Errors come back as a SQLSTATE and a message that never holds a secret.
 */
#ifndef CS_PAM_PROTO_H
#define CS_PAM_PROTO_H

#include <stddef.h>

#include "util/sqlstate.h"

#define CS_PAM_BODY_MAX_MIB 1                 /* response size accepted */
#define CS_PAM_BODY_MAX   (CS_PAM_BODY_MAX_MIB * 1024 * 1024)
#define CS_PAM_JSON_DEPTH 16             /* nesting accepted */
/* A limit as text, for messages: "over " CS_PAM_STR(CS_PAM_BODY_MAX_MIB) " MiB". */
#define CS_PAM_STR_(x) #x
#define CS_PAM_STR(x) CS_PAM_STR_(x)
#define CS_PAM_TOKEN_MAX  4096           /* API token bytes */
#define CS_PAM_ID_MAX     256
#define CS_PAM_FIELD_MAX  1024           /* account / passwd bytes */

struct cs_pam_cfg {
	const char *url;        /* base URL, no trailing slash needed */
	const char *token;      /* secret */
	const char *run_host;
	const char *reason;
	unsigned long duration_min;
	const char *email;      /* may be "" */
	const char *ca_file;    /* NULL or "" = system store */
	const char *ca_path;
	int insecure;           /* 1 = no TLS verification */
	long timeout_ms;        /* one request */
	long long deadline_ms;  /* absolute CLOCK_MONOTONIC ms bounding all
				 * attempts, or 0 for none */
	long long linger_ms;    /* PamLinger: kept after the last release */
	const char *agent_socket; /* PamAgent=1: credshim-agent's socket, which
				   * checks out and in instead (NULL: this process) */
	const char *agent_path;   /* the agent started when nothing listens */
	int share, fresh;       /* for the agent: set by the registry */
	int renew;              /* PamRenew: renew a shared checkout at 409 */
};

struct cs_pam_err {
	enum cs_state state;    /* CS_S08001, CS_S28000, CS_S08004, CS_SHYT00 */
	char sqlstate[6];       /* its code: "08001", ... */
	char msg[512];          /* starts with "[credshim]" */
	long http_status;       /* 0 when no HTTP response */
	long pam_status;        /* the status that decided (the body's or the
				 * HTTP one) when the PAM refused; else 0 */
};

struct cs_pam_checkout {
	char id[CS_PAM_ID_MAX];
	char account[CS_PAM_FIELD_MAX];
	char passwd[CS_PAM_FIELD_MAX];  /* secret: cs_pam_checkout_wipe() */
};

void cs_pam_checkout_wipe(struct cs_pam_checkout *co);

/*
 * Pure: interprets a checkout response.  http_status is the HTTP status,
 * body/len the raw body (not NUL-terminated, len <= CS_PAM_BODY_MAX).
 * Returns 0 with *out filled, or -1 with *err filled (SQLSTATE per the
 * table in docs/troubleshooting.md).
 */
int cs_pam_parse_checkout(long http_status, const char *body, size_t len,
			  struct cs_pam_checkout *out, struct cs_pam_err *err);
/* Pure: interprets a check-in response.  0 or -1 with *err. */
int cs_pam_parse_checkin(long http_status, const char *body, size_t len,
			 struct cs_pam_err *err);
/*
 * Pure: the JSON bodies sent.  Return malloc'ed strings (the caller frees)
 * or NULL on ENOMEM.  Neither body holds a secret.
 */
char *cs_pam_checkout_body(const struct cs_pam_cfg *cfg);
char *cs_pam_checkin_body(const struct cs_pam_cfg *cfg, const char *id);

/*
 * The one rule for the API token, wherever credshim takes one: it goes
 * into an HTTP header, so 1 to CS_PAM_TOKEN_MAX bytes of printable ASCII
 * without blanks (0x21 to 0x7e; a non-ASCII byte is refused too).  NULL
 * when t keeps the rule, else what is wrong, to follow "the API token":
 * "is empty or too long" or "holds a blank or a control character".
 */
const char *cs_pam_token_problem(const char *t);

/*
 * The one rule for a request id (docs/pam-protocol.md): it goes into the
 * check-in URL's path as it is, so 1 to CS_PAM_ID_MAX - 1 bytes of
 * A-Z a-z 0-9 - . _ ~ (RFC 3986's unreserved characters, which need no
 * percent-encoding) and not only dots ("." and ".." are path segments a
 * URL library would resolve).  NULL when id keeps the rule, else what is
 * wrong.  A checkout response with another id is refused (08001).
 */
const char *cs_pam_id_problem(const char *id);

/* Fills *err (shared by both layers): SQLSTATE, HTTP status (0 for none)
 * and "[credshim] " + the message. */
void cs_pam_errf(struct cs_pam_err *err, enum cs_state state, long http, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
