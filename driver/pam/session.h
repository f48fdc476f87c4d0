/* SPDX-License-Identifier: MIT */
/*
 * session.h - PAM mode of a connection: which credential it logs in with
 * and when that credential goes back (docs/architecture.md).
 *
 * Connect calls cs_auth_begin; when the configuration has no Pam* key it
 * leaves auth->on = 0 and the application's UID/PWD go to the target.
 * Otherwise it checks a credential out (or joins a live shared checkout)
 * and puts its account and password in auth.  After the target login,
 * cs_auth_retry may ask for one fresh checkout (a shared credential the
 * database refused), and cs_auth_settle either attaches the checkout to
 * the connection or gives it back at once.  cs_auth_end gives it back when
 * the connection ends.
 */
#ifndef CS_SESSION_H
#define CS_SESSION_H

#include "core/cs.h"
#include "pam/pam.h"

struct cs_attrs;
struct cs_auth_cfg;

struct cs_auth {
	int on;
	char id[CS_PAM_ID_MAX];          /* the checkout's request id */
	char account[CS_PAM_FIELD_MAX];
	char passwd[CS_PAM_FIELD_MAX];  /* secret */
	struct cs_checkout *co;          /* reference held */
	struct cs_auth_cfg *cfg;         /* settings, for a fresh checkout */
	int joined;                      /* co was a live shared checkout */
	int retried;
};

CS_HIDDEN SQLRETURN cs_auth_begin(struct cs_dbc *d, const struct cs_attrs *cfg, struct cs_auth *a);
/* After a failed login: 1 when a fresh checkout was taken and the login
 * should be tried once more (a->account/passwd updated). */
CS_HIDDEN int cs_auth_retry(struct cs_dbc *d, struct cs_auth *a);
/* After the (last) login: ok attaches the checkout to d, else returns it. */
CS_HIDDEN void cs_auth_settle(struct cs_dbc *d, struct cs_auth *a, int ok);
/* The connection ended: releases its checkout; SQL_SUCCESS_WITH_INFO with
 * a 01000 record on d when the check-in failed. */
CS_HIDDEN SQLRETURN cs_auth_end(struct cs_dbc *d);
CS_HIDDEN void cs_auth_wipe(struct cs_auth *a);

#endif
