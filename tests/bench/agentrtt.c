/* SPDX-License-Identifier: MIT */
/*
 * agentrtt.c - the socket round trip a connect with PamAgent=1 pays
 * (docs/benchmarks.md, run-agent-bench.sh).
 *
 *   agentrtt SOCKET AGENT URL CAFILE TOKENFILE RUNHOST N
 *
 * Through the driver's own agent client (pam/agent.h), against a running
 * credshim-agent (started through AGENT when nothing listens): one
 * checkout with PamLinger=60 s, checked in, so that the agent holds it;
 * then N times what a connect and a disconnect send the agent while it
 * holds a checkout: connect(2) to SOCKET, ACQUIRE and its CRED (a joined
 * lease, no PAM request), RELEASE and its DONE, close.  Each pair is
 * timed on CLOCK_MONOTONIC; it prints "key value" lines: pairs, min_us,
 * median_us, p90_us, max_us.  Exits 1 when an exchange fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pam/agent.h"
#include "pam/pam.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The token: the file's first line. */
static int read_token(const char *path, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || !fgets(out, (int)outlen, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n ? 0 : -1;
}

/* One checkout and its check-in through the agent; 0 or -1 (printed). */
static int pair(const struct cs_pam_cfg *cfg)
{
	struct cs_pam_checkout co;
	struct cs_pam_err err;
	int r = 0;

	memset(&err, 0, sizeof(err));
	if (cs_agent_checkout(cfg, &co, &err) != 0) {
		fprintf(stderr, "checkout: [%s] %s\n", err.sqlstate, err.msg);
		return -1;
	}
	if (cs_agent_checkin(cfg, co.id, &err) != 0) {
		fprintf(stderr, "check-in: [%s] %s\n", err.sqlstate, err.msg);
		r = -1;
	}
	cs_pam_checkout_wipe(&co);
	return r;
}

int main(int argc, char **argv)
{
	static char token[CS_PAM_TOKEN_MAX + 2];
	struct cs_pam_cfg cfg;
	long long *t;
	long i, n;
	int rc = 1;

	if (argc != 8 || (n = strtol(argv[7], NULL, 10)) < 1 || n > 1000000) {
		fprintf(stderr, "usage: agentrtt SOCKET AGENT URL CAFILE TOKENFILE RUNHOST N\n");
		return 2;
	}
	if (read_token(argv[5], token, sizeof(token)) != 0) {
		fprintf(stderr, "agentrtt: no token in %s\n", argv[5]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.agent_socket = argv[1];
	cfg.agent_path = argv[2];
	cfg.url = argv[3];
	cfg.ca_file = argv[4];
	cfg.token = token;
	cfg.run_host = argv[6];
	cfg.reason = "credshim agentrtt";
	cfg.email = "";
	cfg.duration_min = 10;
	cfg.timeout_ms = 10000;
	cfg.linger_ms = 60000;
	cfg.share = 1;
	t = calloc((size_t)n, sizeof(*t));
	if (!t || pair(&cfg) != 0)      /* the checkout the agent then holds */
		goto out_free;
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		if (pair(&cfg) != 0)
			goto out_free;
		t[i] = now_ns() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_ll);
	printf("pairs %ld\nmin_us %lld\nmedian_us %lld\np90_us %lld\nmax_us %lld\n", n, t[0] / 1000,
	       t[n / 2] / 1000, t[(n * 9) / 10] / 1000, t[n - 1] / 1000);
	rc = 0;
out_free:
	free(t);
	explicit_bzero(token, sizeof(token));
	return rc;
}
