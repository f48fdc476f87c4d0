/* SPDX-License-Identifier: MIT */
/*
 * pam_client.c - the two HTTPS exchanges with the PAM, through libcurl.
 *
 * One exchange is up to CS_PAM_ATTEMPTS attempts, after 100 and 300 ms,
 * never past cfg->deadline_ms; a 4xx, a TLS verification failure or a
 * timeout ends it at once.  Judging a response is pam_proto.c's job: this
 * file moves bytes.
 *
 * A checkout (POST) is not idempotent: the PAM hands out a credential for
 * every one it receives.  So it is retried only when the request cannot
 * have reached the PAM: the name did not resolve, the TCP connect failed,
 * the TLS handshake failed (CURLE_COULDNT_RESOLVE_HOST/_PROXY,
 * CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR), and libcurl had not yet
 * read a byte of the body.  Anything later (a dropped or empty answer, a
 * wrong Content-Length, a 5xx, a timeout) fails at once with a message
 * saying the PAM may now hold a checkout for the runHost until its
 * duration ends.  libcurl itself sends a request again, on a fresh
 * connection, when a reused keep-alive connection turns out dead before
 * any answer byte, POSTs included (it rewinds the body).  That is safe
 * only while the body has not left: the PAM cannot act on a POST without
 * its body (the Content-Length says how long it is).  So a checkout's
 * body comes from a read callback, and the seek libcurl needs for the
 * resend is refused once a byte of it was read: libcurl then fails with
 * CURLE_SEND_FAIL_REWIND before it sends anything on the new connection,
 * and the checkout fails with the note above.  A dead connection found
 * while the headers go out is still resent, which is what keep-alive
 * needs.  A check-in (PUT) is idempotent at the PAM and keeps the old
 * rule: connection failures, an empty or broken answer and 5xx are
 * retried.
 *
 * Sharing across the process.  libcurl's share object holds the DNS and
 * TLS session caches for every thread (with a mutex per kind of data).
 * The connection cache is deliberately NOT put in the share: libcurl does
 * not support a shared connection cache used by concurrent threads
 * (CURLSHOPT_SHARE(3), KNOWN_BUGS "A shared connection cache is not
 * thread-safe", curl issues #4915, #13347).  Keep-alive comes instead from
 * a small locked pool of easy handles: an easy handle keeps its own
 * connections across curl_easy_reset(), and one handle is only ever used
 * by one thread at a time.
 *
 * Secrets: the Authorization header is built in a buffer wiped after use,
 * the header list entries are wiped before they are freed, and so is the
 * response buffer (it holds the password).  Copies libcurl makes inside
 * its own buffers are out of our reach.
 */
#include "pam/pam.h"
#include "util/esc.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CS_PAM_ATTEMPTS   3
#define CS_PAM_POOL_MAX   4        /* idle easy handles kept */
#define CS_PAM_HOST_MAX   256
#define CS_PAM_PATH       "/rest/cmdctrl/Request"

static const long cs_pam_backoff_ms[CS_PAM_ATTEMPTS - 1] = { 100, 300 };

static pthread_once_t cs_pam_once = PTHREAD_ONCE_INIT;
static int cs_pam_curl_ready;
static CURLSH *cs_pam_share;
static pthread_mutex_t cs_pam_share_locks[CURL_LOCK_DATA_LAST];

static pthread_mutex_t cs_pam_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static CURL *cs_pam_pool[CS_PAM_POOL_MAX];
static size_t cs_pam_pool_n;
static pid_t cs_pam_pool_pid;   /* process the pooled handles belong to */
static CURL *cs_pam_orphans[CS_PAM_POOL_MAX];  /* a parent's, kept unused */

/* The response body, capped at CS_PAM_BODY_MAX. */
struct cs_pam_buf {
	char *p;
	size_t len;
	size_t cap;
	int too_big;
};

/* One exchange: what is sent, and where, for every attempt. */
struct cs_pam_req {
	const struct cs_pam_cfg *cfg;
	const char *op;              /* "checkout" / "check-in" */
	const char *method;          /* "POST" / "PUT" */
	char *url;
	char host[CS_PAM_HOST_MAX];  /* for messages: the URL's host */
	const char *body;
	size_t body_len;
	size_t body_off;             /* POST: bytes libcurl has read of body */
	struct curl_slist *headers;
	struct cs_pam_buf resp;
	long http;
	char errbuf[CURL_ERROR_SIZE];
};

/* What a checkout's judgement needs: the token, and where the answer goes. */
struct cs_pam_judge_co {
	const struct cs_pam_cfg *cfg;
	struct cs_pam_checkout *out;
};

/* Judges a complete response: pam_proto.c, with the caller's output. */
typedef int (*cs_pam_judge_fn)(long http, const char *body, size_t len,
			       void *ctx, struct cs_pam_err *err);

/* What one attempt leaves for the loop to do. */
enum cs_pam_next {
	CS_PAM_DONE,      /* success, or a failure not worth retrying */
	CS_PAM_RETRY,     /* a failure a later attempt may not meet */
};

long long cs_pam_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies s into dst escaped (util/esc.h), bounded by n (NUL included). */
static void cs_pam_printable(char *dst, size_t n, const char *s)
{
	cs_esc(dst, n, s ? s : "", s ? strlen(s) : 0, CS_ESC_BACKSLASH);
}

static void cs_pam_lock_cb(CURL *h, curl_lock_data data,
			   curl_lock_access access, void *ud)
{
	(void)h;
	(void)access;
	(void)ud;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&cs_pam_share_locks[data]);
}

static void cs_pam_unlock_cb(CURL *h, curl_lock_data data, void *ud)
{
	(void)h;
	(void)ud;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&cs_pam_share_locks[data]);
}

/*
 * fork() takes the pool's and the share's locks first, so that a child
 * never starts with one held by a thread it does not have (its first
 * checkout would wait for ever).  libcurl takes its share locks one at a
 * time, and nothing holds one of these while it waits for another lock.
 */
static void cs_pam_prefork(void)
{
	size_t i;

	pthread_mutex_lock(&cs_pam_pool_lock);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_lock(&cs_pam_share_locks[i]);
}

static void cs_pam_postfork(void)
{
	size_t i;

	for (i = CURL_LOCK_DATA_LAST; i-- > 0;)
		pthread_mutex_unlock(&cs_pam_share_locks[i]);
	pthread_mutex_unlock(&cs_pam_pool_lock);
}

/*
 * Once per process: libcurl's global state (never cleaned up: the
 * application or another library may use libcurl too, and a driver can be
 * unloaded while they do) and the share.  Without a share, requests still
 * work, only without cached DNS answers and TLS sessions.
 */
static void cs_pam_global_init(void)
{
	size_t i;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return;
	cs_pam_curl_ready = 1;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&cs_pam_share_locks[i], NULL);
	pthread_atfork(cs_pam_prefork, cs_pam_postfork, cs_pam_postfork);
	cs_pam_share = curl_share_init();
	if (!cs_pam_share)
		return;
	if (curl_share_setopt(cs_pam_share, CURLSHOPT_LOCKFUNC,
			      cs_pam_lock_cb) != CURLSHE_OK ||
	    curl_share_setopt(cs_pam_share, CURLSHOPT_UNLOCKFUNC,
			      cs_pam_unlock_cb) != CURLSHE_OK ||
	    curl_share_setopt(cs_pam_share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(cs_pam_share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
		curl_share_cleanup(cs_pam_share);
		cs_pam_share = NULL;
	}
}

/*
 * An easy handle from the pool (reset, its connections kept) or a new one.
 * A child of fork() must not talk over its parent's connections (nor
 * close them, which would end the parent's TLS sessions): it sets the
 * inherited handles aside without touching them.
 */
static CURL *cs_pam_handle_get(void)
{
	CURL *h = NULL;

	pthread_mutex_lock(&cs_pam_pool_lock);
	if (cs_pam_pool_pid != getpid()) {
		memcpy(cs_pam_orphans, cs_pam_pool, sizeof(cs_pam_pool));
		cs_pam_pool_n = 0;
		cs_pam_pool_pid = getpid();
	}
	if (cs_pam_pool_n > 0)
		h = cs_pam_pool[--cs_pam_pool_n];
	pthread_mutex_unlock(&cs_pam_pool_lock);
	if (h) {
		curl_easy_reset(h);
		return h;
	}
	return curl_easy_init();
}

/* Gives a handle back to the pool, or frees it when the pool is full. */
static void cs_pam_handle_put(CURL *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&cs_pam_pool_lock);
	if (cs_pam_pool_pid == getpid() && cs_pam_pool_n < CS_PAM_POOL_MAX) {
		cs_pam_pool[cs_pam_pool_n++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&cs_pam_pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

static void cs_pam_buf_wipe(struct cs_pam_buf *b)
{
	if (b->p) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/*
 * libcurl's write callback: appends to the response, growing it by copy
 * (so no unwiped old block is left to realloc) and refusing to go past
 * CS_PAM_BODY_MAX, which aborts the transfer with CURLE_WRITE_ERROR.
 */
static size_t cs_pam_write_cb(char *data, size_t size, size_t nmemb, void *ud)
{
	struct cs_pam_buf *b = ud;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > CS_PAM_BODY_MAX - b->len) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > CS_PAM_BODY_MAX)
			cap = CS_PAM_BODY_MAX;
		p = malloc(cap);
		if (!p)
			return 0;
		if (b->p) {
			memcpy(p, b->p, b->len);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return n;
}

/* libcurl's read callback for a checkout's body: hands it out once. */
static size_t cs_pam_read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct cs_pam_req *rq = ud;
	size_t n = size * nmemb, left = rq->body_len - rq->body_off;

	if (n > left)
		n = left;
	memcpy(dst, rq->body + rq->body_off, n);
	rq->body_off += n;
	return n;
}

/*
 * libcurl's seek callback for a checkout's body: it only ever seeks to
 * resend the body (a retry on a fresh connection), which is refused once
 * a byte of it was read: the PAM may have the first copy.
 */
static int cs_pam_seek_cb(void *ud, curl_off_t offset, int origin)
{
	struct cs_pam_req *rq = ud;

	if (rq->body_off > 0 || offset != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_FAIL;
	return CURL_SEEKFUNC_OK;
}

/* Percent-encodes s into a malloc'ed string (RFC 3986 unreserved kept). */
static char *cs_pam_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *out = malloc(n * 3 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0x0f];
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * Checks cfg->url (an http or https URL with a host and neither query nor
 * fragment), notes its host for messages and builds
 * <url without trailing '/'>/rest/cmdctrl/Request[/<escaped id>].
 */
static int cs_pam_build_url(struct cs_pam_req *rq, const char *id,
			    struct cs_pam_err *err)
{
	const char *base = rq->cfg->url;
	char *scheme = NULL, *host = NULL, *query = NULL, *frag = NULL;
	char *eid = NULL;
	size_t blen, need;
	CURLU *u;
	int rc = -1;

	if (!base || !*base) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: PamUrl is not set",
			    rq->op);
		return -1;
	}
	u = curl_url();
	if (!u) {
		cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory",
			    rq->op);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: PamUrl is not an "
			    "http:// or https:// URL with a host", rq->op);
		goto out_free_parts;
	}
	cs_pam_printable(rq->host, sizeof(rq->host), host);
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: PamUrl must not "
			    "have a query or fragment (host %s)", rq->op,
			    rq->host);
		goto out_free_parts;
	}
	if (id) {
		eid = cs_pam_escape(id);
		if (!eid) {
			cs_pam_errf(err, CS_SHY001, 0,
				    "PAM %s failed: out of memory", rq->op);
			goto out_free_parts;
		}
	}
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	need = blen + sizeof(CS_PAM_PATH) + (eid ? strlen(eid) + 1 : 0);
	rq->url = malloc(need);
	if (!rq->url) {
		cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory",
			    rq->op);
		goto out_free_parts;
	}
	snprintf(rq->url, need, "%.*s%s%s%s", (int)blen, base, CS_PAM_PATH,
		 eid ? "/" : "", eid ? eid : "");
	rc = 0;

out_free_parts:
	free(eid);
	curl_free(frag);
	curl_free(query);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

/* Wipes each header (one holds the token) and frees the list. */
static void cs_pam_headers_free(struct curl_slist *h)
{
	struct curl_slist *it;

	for (it = h; it; it = it->next) {
		if (it->data)
			explicit_bzero(it->data, strlen(it->data));
	}
	curl_slist_free_all(h);
}

/* The request headers, the token's built in a buffer wiped after use. */
static int cs_pam_build_headers(struct cs_pam_req *rq, struct cs_pam_err *err)
{
	static const char auth_prefix[] = "Authorization: Token token=";
	static const char *const fixed[] = {
		"Cache-Control: no-cache",
		"Content-Type: application/json",
		"Accept: application/json",
		"Expect:",    /* no "100-continue" round trip */
	};
	const char *token = rq->cfg->token;
	struct curl_slist *h = NULL, *t;
	const char *why;
	size_t tlen, i, n;
	char *auth;

	why = cs_pam_token_problem(token);
	if (why) {
		/* session.c refuses such a token before: the same rule. */
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: the API token %s", rq->op, why);
		return -1;
	}
	tlen = strlen(token);
	n = sizeof(auth_prefix) + tlen;
	auth = malloc(n);
	if (!auth)
		goto out_nomem;
	memcpy(auth, auth_prefix, sizeof(auth_prefix) - 1);
	memcpy(auth + sizeof(auth_prefix) - 1, token, tlen + 1);
	h = curl_slist_append(NULL, auth);
	explicit_bzero(auth, n);
	free(auth);
	if (!h)
		goto out_nomem;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		t = curl_slist_append(h, fixed[i]);
		if (!t)
			goto out_free_headers;
		h = t;
	}
	rq->headers = h;
	return 0;

out_free_headers:
	cs_pam_headers_free(h);
out_nomem:
	cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory", rq->op);
	return -1;
}

/* Is this exchange a checkout, which must reach the PAM at most once? */
static int cs_pam_once_only(const struct cs_pam_req *rq)
{
	return strcmp(rq->method, "POST") == 0;
}

/* Every libcurl option of one attempt; timeout_ms 0 = none. */
static CURLcode cs_pam_setopts(CURL *h, struct cs_pam_req *rq,
			       long timeout_ms)
{
	const struct cs_pam_cfg *cfg = rq->cfg;
	CURLcode c = CURLE_OK;

#define CS_SET(opt, val) \
	do { if (c == CURLE_OK) c = curl_easy_setopt(h, opt, val); } while (0)
	CS_SET(CURLOPT_URL, rq->url);
	if (cs_pam_share)
		CS_SET(CURLOPT_SHARE, cs_pam_share);
	CS_SET(CURLOPT_NOSIGNAL, 1L);
	CS_SET(CURLOPT_VERBOSE, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	CS_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	CS_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	CS_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	CS_SET(CURLOPT_REDIR_PROTOCOLS,
	       (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	CS_SET(CURLOPT_FOLLOWLOCATION, 0L);
	CS_SET(CURLOPT_USERAGENT, "credshim");
	CS_SET(CURLOPT_HTTPHEADER, rq->headers);
	CS_SET(CURLOPT_PATH_AS_IS, 1L);   /* no dot segment is ever resolved */
	if (cs_pam_once_only(rq)) {
		/* A checkout: the body read once, never rewound. */
		CS_SET(CURLOPT_POST, 1L);
		CS_SET(CURLOPT_READFUNCTION, cs_pam_read_cb);
		CS_SET(CURLOPT_READDATA, rq);
		CS_SET(CURLOPT_SEEKFUNCTION, cs_pam_seek_cb);
		CS_SET(CURLOPT_SEEKDATA, rq);
	} else {
		CS_SET(CURLOPT_CUSTOMREQUEST, rq->method);
		CS_SET(CURLOPT_POSTFIELDS, rq->body);
	}
	CS_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	CS_SET(CURLOPT_WRITEFUNCTION, cs_pam_write_cb);
	CS_SET(CURLOPT_WRITEDATA, &rq->resp);
	CS_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CS_PAM_BODY_MAX);
	CS_SET(CURLOPT_ERRORBUFFER, rq->errbuf);
	CS_SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	CS_SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	CS_SET(CURLOPT_TCP_KEEPALIVE, 1L);
	CS_SET(CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
	CS_SET(CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
	if (cfg->ca_file && *cfg->ca_file)
		CS_SET(CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->ca_path && *cfg->ca_path)
		CS_SET(CURLOPT_CAPATH, cfg->ca_path);
#undef CS_SET
	return c;
}

static int cs_pam_is_tls_verify(CURLcode c)
{
	switch (c) {
	case CURLE_PEER_FAILED_VERIFICATION:   /* = CURLE_SSL_CACERT */
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}

/* Failures before the request was sent: nothing reached the PAM. */
static int cs_pam_is_before_send(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* Failures that mean the request may not have reached a working PAM. */
static int cs_pam_is_unreachable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* libcurl's own words on a failure, printable and bounded. */
static const char *cs_pam_curl_text(struct cs_pam_req *rq, CURLcode c,
				    char *buf, size_t n)
{
	cs_pam_printable(buf, n, rq->errbuf[0] ? rq->errbuf :
			 curl_easy_strerror(c));
	return buf;
}

/* Fills *err for a transfer libcurl could not complete. */
static enum cs_pam_next cs_pam_curl_fail(struct cs_pam_req *rq, CURLcode c,
					 long timeout_ms,
					 struct cs_pam_err *err)
{
	char why[CURL_ERROR_SIZE];

	cs_pam_curl_text(rq, c, why, sizeof(why));
	if ((c == CURLE_WRITE_ERROR && rq->resp.too_big) ||
	    c == CURLE_FILESIZE_EXCEEDED) {
		cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: the "
			    "response from %s is over "
			    CS_PAM_STR(CS_PAM_BODY_MAX_MIB) " MiB", rq->op,
			    rq->host);
		return CS_PAM_DONE;
	}
	if (c == CURLE_OPERATION_TIMEDOUT) {
		cs_pam_errf(err, CS_SHYT00, rq->http, "PAM %s timed out: no "
			    "answer from %s within %ld ms (PamTimeout and the "
			    "login timeout bound it)", rq->op, rq->host,
			    timeout_ms);
		return CS_PAM_DONE;
	}
	if (c == CURLE_SSL_CACERT_BADFILE || c == CURLE_SSL_CRL_BADFILE) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: TLS verification "
			    "of %s impossible (%s); check that PamCAFile / "
			    "PamCAPath name readable PEM certificates", rq->op,
			    rq->host, why);
		return CS_PAM_DONE;
	}
	if (cs_pam_is_tls_verify(c)) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: TLS verification "
			    "of %s failed (%s); set PamCAFile to the CA "
			    "certificate that signed the PAM's certificate",
			    rq->op, rq->host, why);
		return CS_PAM_DONE;
	}
	if (cs_pam_once_only(rq) && cs_pam_is_before_send(c) &&
	    rq->body_off == 0) {
		cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: cannot "
			    "reach the PAM at %s (%s)", rq->op, rq->host, why);
		return CS_PAM_RETRY;
	}
	if (cs_pam_once_only(rq) && c == CURLE_SEND_FAIL_REWIND) {
		/* our seek refused libcurl's resend on a fresh connection */
		cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: the "
			    "exchange with %s broke off after the request was "
			    "sent (the kept-alive connection closed without an "
			    "answer)", rq->op, rq->host);
		return CS_PAM_DONE;
	}
	if (cs_pam_once_only(rq) && cs_pam_is_unreachable(c)) {
		cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: the "
			    "exchange with %s broke off after the request was "
			    "sent (%s)", rq->op, rq->host, why);
		return CS_PAM_DONE;
	}
	if (cs_pam_is_unreachable(c)) {
		cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: cannot "
			    "reach the PAM at %s (%s)", rq->op, rq->host, why);
		return CS_PAM_RETRY;
	}
	if (c == CURLE_OUT_OF_MEMORY) {
		cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory",
			    rq->op);
		return CS_PAM_DONE;
	}
	cs_pam_errf(err, CS_S08001, rq->http, "PAM %s failed: request to %s "
		    "failed (%s)", rq->op, rq->host, why);
	return CS_PAM_DONE;
}

/* Milliseconds one attempt may take (0 = unbounded), or -1 when the
 * deadline has passed. */
static long cs_pam_attempt_ms(const struct cs_pam_cfg *cfg)
{
	long t = cfg->timeout_ms > 0 ? cfg->timeout_ms : 0;
	long long left;

	if (cfg->deadline_ms <= 0)
		return t;
	left = cfg->deadline_ms - cs_pam_now_ms();
	if (left <= 0)
		return -1;
	if (t == 0 || left < t)
		t = left > 0x7fffffffLL ? 0x7fffffff : (long)left;
	return t;
}

/* One attempt: the transfer, then judge() over a complete response. */
static enum cs_pam_next cs_pam_attempt(struct cs_pam_req *rq,
				       cs_pam_judge_fn judge, void *ctx,
				       struct cs_pam_err *err)
{
	enum cs_pam_next next = CS_PAM_DONE;
	long timeout_ms = cs_pam_attempt_ms(rq->cfg);
	CURLcode c;
	CURL *h;

	if (timeout_ms < 0) {
		cs_pam_errf(err, CS_SHYT00, 0, "PAM %s timed out: the login "
			    "timeout passed before %s answered", rq->op,
			    rq->host);
		return CS_PAM_DONE;
	}
	cs_pam_buf_wipe(&rq->resp);
	rq->http = 0;
	rq->errbuf[0] = '\0';
	rq->body_off = 0;
	h = cs_pam_handle_get();
	if (!h) {
		cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory",
			    rq->op);
		return CS_PAM_DONE;
	}
	c = cs_pam_setopts(h, rq, timeout_ms);
	if (c != CURLE_OK) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: libcurl refused "
			    "an option (%s)", rq->op, curl_easy_strerror(c));
		goto out_put_handle;
	}
	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rq->http);
	if (c != CURLE_OK) {
		next = cs_pam_curl_fail(rq, c, timeout_ms, err);
		goto out_put_handle;
	}
	if (judge(rq->http, rq->resp.p, rq->resp.len, ctx, err) != 0 &&
	    rq->http >= 500 && rq->http <= 599 &&
	    err->state == CS_S08001 && !cs_pam_once_only(rq))
		next = CS_PAM_RETRY;

out_put_handle:
	/* The handle's buffers must not carry our pointers into the pool. */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	cs_pam_handle_put(h);
	cs_pam_buf_wipe(&rq->resp);
	return next;
}

/* Sleeps ms milliseconds (through signals). */
static void cs_pam_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * A message must never quote the API token, whatever part of it a PAM
 * echoes: the text is cut at the first run of 8 bytes (or the whole of a
 * shorter token) that occurs anywhere in the token.
 */
static void cs_pam_scrub_token(const struct cs_pam_cfg *cfg, struct cs_pam_err *err)
{
	size_t n;

	if (!cfg->token || !*cfg->token)
		return;
	n = strlen(cfg->token);
	cs_esc_scrub(err->msg, sizeof(err->msg), cfg->token, n < 8 ? n : 8,
		     " [text withheld: it quoted the API token]");
}

/*
 * After a checkout failed once its request may have reached the PAM:
 * says, at the end of the message (cutting what must go to make room),
 * that the PAM may hold a credential credshim can never check in.
 */
static void cs_pam_note_held(const struct cs_pam_cfg *cfg, struct cs_pam_err *err)
{
	char note[256], rh[80];
	size_t n, k;

	if (err->state != CS_S08001 && err->state != CS_SHYT00)
		return;
	cs_pam_printable(rh, sizeof(rh), cfg->run_host);
	snprintf(note, sizeof(note), "; the PAM may now hold a checkout for "
		 "runHost %s until its duration (%lu min) ends: see "
		 "credshim's troubleshooting.md", rh, cfg->duration_min);
	n = strlen(err->msg);
	k = strlen(note);
	if (n + k >= sizeof(err->msg)) {
		n = sizeof(err->msg) - k - 4;
		memcpy(err->msg + n, "...", 4);
		n += 3;
	}
	memcpy(err->msg + n, note, k + 1);
}

/*
 * One exchange with retries: sends body with method to the request URL
 * (with id appended when not NULL) and has judge() read the response.
 */
static int cs_pam_exchange(const struct cs_pam_cfg *cfg, const char *op,
			   const char *method, const char *id,
			   const char *body, cs_pam_judge_fn judge,
			   void *ctx, struct cs_pam_err *err)
{
	struct cs_pam_req rq;
	enum cs_pam_next next;
	int attempt, rc = -1;
	long wait;

	memset(&rq, 0, sizeof(rq));
	rq.cfg = cfg;
	rq.op = op;
	rq.method = method;
	rq.body = body;
	rq.body_len = strlen(body);
	if (cs_pam_build_url(&rq, id, err) != 0)
		goto out_free_url;
	if (cs_pam_build_headers(&rq, err) != 0)
		goto out_free_url;

	for (attempt = 0; attempt < CS_PAM_ATTEMPTS; attempt++) {
		memset(err, 0, sizeof(*err));
		next = cs_pam_attempt(&rq, judge, ctx, err);
		if (next == CS_PAM_DONE) {
			rc = err->sqlstate[0] ? -1 : 0;
			break;
		}
		if (attempt + 1 >= CS_PAM_ATTEMPTS)
			break;
		wait = cs_pam_backoff_ms[attempt];
		if (cfg->deadline_ms > 0 &&
		    cs_pam_now_ms() + wait >= cfg->deadline_ms)
			break;
		cs_pam_sleep_ms(wait);
	}
	if (rc != 0) {
		cs_pam_scrub_token(cfg, err);
		if (cs_pam_once_only(&rq) && rq.body_off > 0)
			cs_pam_note_held(cfg, err);
	}

	cs_pam_headers_free(rq.headers);
out_free_url:
	free(rq.url);
	return rc;
}

/*
 * A checkout response: the parser's judgement, then the one thing only
 * this layer can check, since it holds the token: neither the id nor
 * the account (both are logged) may quote 16 bytes of it.
 */
static int cs_pam_judge_checkout(long http, const char *body, size_t len,
				 void *ctx, struct cs_pam_err *err)
{
	struct cs_pam_judge_co *j = ctx;
	const char *tok = j->cfg->token;
	size_t n = strlen(tok);

	if (cs_pam_parse_checkout(http, body, len, j->out, err) != 0)
		return -1;
	/* 16 bytes, not 8: a structured token and id ("cs-bench-13..." and
	 * "bench-13") can share 8 by chance; 16 of a token's are an echo. */
	if (cs_esc_find_quote(j->out->id, tok, n < 16 ? n : 16) < 0 &&
	    cs_esc_find_quote(j->out->account, tok, n < 16 ? n : 16) < 0)
		return 0;
	cs_pam_checkout_wipe(j->out);
	cs_pam_errf(err, CS_S08001, http, "PAM checkout failed: the "
		    "response's CheckOut.Request.id or CheckOut.account quotes "
		    "the API token, so credshim neither uses nor checks in the "
		    "credential: it stays checked out until the PAM's expiry "
		    "(HTTP %ld)", http);
	return -1;
}

static int cs_pam_judge_checkin(long http, const char *body, size_t len,
				void *ctx, struct cs_pam_err *err)
{
	(void)ctx;
	return cs_pam_parse_checkin(http, body, len, err);
}

/* Common start of both calls: libcurl ready, arguments present. */
static int cs_pam_ready(const struct cs_pam_cfg *cfg, const char *op,
			struct cs_pam_err *err)
{
	pthread_once(&cs_pam_once, cs_pam_global_init);
	if (!cs_pam_curl_ready) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: libcurl could "
			    "not be initialised", op);
		return -1;
	}
	if (!cfg) {
		cs_pam_errf(err, CS_S08001, 0, "PAM %s failed: no PAM "
			    "configuration", op);
		return -1;
	}
	return 0;
}

/* One exchange with a request body built by the caller (NULL: out of
 * memory); frees the body. */
static int cs_pam_send(const struct cs_pam_cfg *cfg, const char *op, const char *method,
		       const char *id, char *body, cs_pam_judge_fn judge, void *ctx,
		       struct cs_pam_err *err)
{
	int rc;

	if (!body) {
		cs_pam_errf(err, CS_SHY001, 0, "PAM %s failed: out of memory", op);
		return -1;
	}
	rc = cs_pam_exchange(cfg, op, method, id, body, judge, ctx, err);
	free(body);
	return rc;
}

int cs_pam_checkout(const struct cs_pam_cfg *cfg, struct cs_pam_checkout *out,
		    struct cs_pam_err *err)
{
	struct cs_pam_judge_co j = { cfg, out };
	int rc;

	cs_pam_checkout_wipe(out);
	memset(err, 0, sizeof(*err));
	if (cs_pam_ready(cfg, "checkout", err) != 0)
		return -1;
	rc = cs_pam_send(cfg, "checkout", "POST", NULL, cs_pam_checkout_body(cfg),
			 cs_pam_judge_checkout, &j, err);
	if (rc != 0)
		cs_pam_checkout_wipe(out);
	return rc;
}

int cs_pam_checkin(const struct cs_pam_cfg *cfg, const char *id,
		   struct cs_pam_err *err)
{
	memset(err, 0, sizeof(*err));
	if (cs_pam_ready(cfg, "check-in", err) != 0)
		return -1;
	if (!id || !*id) {
		cs_pam_errf(err, CS_S08001, 0,
			    "PAM check-in failed: no checkout id");
		return -1;
	}
	return cs_pam_send(cfg, "check-in", "PUT", id, cs_pam_checkin_body(cfg, id),
			   cs_pam_judge_checkin, NULL, err);
}
