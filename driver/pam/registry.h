/* SPDX-License-Identifier: MIT */
/*
 * registry.h - the process-wide registry of PAM checkouts.
 *
 * Every credential this process has checked out is an entry here, so that
 *   - connections to the same PAM, token and runHost can share one
 *     (PamShareCheckout=1): a pool of one credential could not serve
 *     several connections otherwise;
 *   - threads connecting at once wait for one checkout in flight instead
 *     of each taking a credential;
 *   - a connect waits while this process's own last connection is checking
 *     the same credential in, or the PAM would still count it as out;
 *   - whatever the process still holds is checked in when it exits.
 * With PamLinger (cfg->linger_ms) the last release keeps a shared checkout
 * that long more (never past the margin below) for the next connection,
 * and a reaper thread checks it in when nobody came.
 * A shared checkout is handed to new connections only while it is younger
 * than its duration minus a margin (cs_reg_margin_ms): after that the PAM
 * has rotated (or will soon rotate) the password.
 * When a connect then gets 409 from the PAM, the registry gives back what
 * this process holds for that runHost and could return, and asks once
 * more: failed check-ins still pending, and with renewal (cfg->renew,
 * PamRenew) the shared checkout inside its margin.
 * A check-in that failed is tried again with backoff while the checkout's
 * duration lasts: on later connects to the same PAM, at exit, and with cs_reg_background
 * (credshim-agent) by a thread of the registry's own.
 * An entry belongs to the process that took it: a forked child never
 * checks in, retries or renews its parent's.
 *
 * The registry reaches the PAM and the clock only through struct
 * cs_reg_ops, so tests/unit/test_registry.c drives it with a scripted
 * fake PAM and a fake clock.  It knows nothing of ODBC handles: errors
 * come back as a struct cs_pam_err for the caller to report.
 *
 * Locking: one registry lock guards every entry's state, refs and
 * shareable flag and the list; it is never held across a call into the
 * PAM (docs/architecture.md, "Locks").
 */
#ifndef CS_REGISTRY_H
#define CS_REGISTRY_H

#include "pam/pam.h"

struct cs_checkout;               /* opaque */

struct cs_reg_ops {
	int (*checkout)(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
			struct cs_pam_err *err);
	int (*checkin)(const struct cs_pam_cfg *cfg, const char *id, struct cs_pam_err *err);
	long long (*now_ms)(void);    /* monotonic milliseconds */
};

/* Replaces the PAM and the clock (unit tests); NULL restores the real
 * ones (cs_pam_checkout, cs_pam_checkin, cs_pam_now_ms).  Only while the
 * registry is empty. */
void cs_reg_set_ops(const struct cs_reg_ops *ops);
/* The registry's clock: cfg->deadline_ms is read on it. */
long long cs_reg_now_ms(void);
/* How long before its expiry a shared checkout stops being handed out: a
 * tenth of the duration, 5 s to 5 min.  Tests only: the environment
 * variable CREDSHIM_TEST_MINUTE_MS (1 to 60000) makes a minute of
 * PamDuration that many milliseconds, and scales the margin's bounds
 * with it, to match the mock PAM's --minute-seconds. */
long long cs_reg_margin_ms(unsigned long duration_min);
/* on: failed check-ins are retried in the background, by a thread of the
 * registry (credshim-agent); off (in-process): on later connects and at
 * exit only.  Either wakes whoever waits on the registry (tests with a
 * fake clock use that after moving it). */
void cs_reg_background(int on);

/*
 * The checkout for cfg: with share, a live shared one of this process
 * (waiting for one in flight, or for this process's own check-in of the
 * same credential in flight), else a new one; with fresh, always a new
 * one.  cfg->deadline_ms (0 = none) bounds every wait.  0 with *out
 * holding a reference, *joined set when it was shared, and *cred (may be
 * NULL) a copy of the credential; or -1 with *err.
 */
int cs_reg_acquire(const struct cs_pam_cfg *cfg, int share, int fresh, struct cs_checkout **out,
		   int *joined, struct cs_pam_checkout *cred, struct cs_pam_err *err);
/*
 * A credential the database refused: takes one fresh checkout for cfg;
 * when there is one, *co is never handed out again, its reference is
 * released and *co becomes the fresh one.  When the PAM has none to give,
 * *co is left as it was (it was not stale).  0 or -1 with *err.
 */
int cs_reg_renew(struct cs_checkout **co, const struct cs_pam_cfg *cfg, int share,
		 struct cs_pam_checkout *cred, struct cs_pam_err *err);
/* A credential the database refused: never handed to another connection
 * and never kept for PamLinger; its last release checks it in. */
void cs_reg_spoil(struct cs_checkout *e);
/* The connection logged in: a checkout nobody may join forgets its
 * password. */
void cs_reg_settle(struct cs_checkout *e);
/*
 * Drops one reference; the last one checks the credential in (once, even
 * when the exit pass runs at the same time), when this process took it.
 * id receives the request id.  0, or -1 with *err when the check-in
 * failed (it is then retried while the checkout's duration lasts, unless
 * the PAM said the request is no longer open).
 */
int cs_reg_release(struct cs_checkout *e, char *id, size_t idlen, struct cs_pam_err *err);
/*
 * The exit pass: checks in every credential this process still holds,
 * and retries the failed check-ins, within CS_REG_EXIT_BUDGET_MS in all.  Entries stay valid for the
 * connections that still point at them (a later release sends nothing).
 */
void cs_reg_exit(void);
/* Whether the registry holds anything (checked out, in flight or
 * lingering): credshim-agent stays while it does. */
int cs_reg_busy(void);

#define CS_REG_EXIT_BUDGET_MS 5000

#endif
