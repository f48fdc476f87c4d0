/* SPDX-License-Identifier: MIT */
/*
 * pam_test.c - credshim's PAM mode end to end: the application calls
 * unixODBC, unixODBC loads credshim, credshim checks a credential out of
 * this test's own mock PAM (tests/mockpam/mockpam.py, started by lib.sh)
 * and logs in to PostgreSQL through psqlODBC with it.
 *
 *   pam_test basic|config|faults|sharing|threads|timeout|exit|secrets
 *
 * Each scenario asserts, prints one PASS or FAIL line per check and
 * "N passed, M failed" at the end; the exit status is 0 only when nothing
 * failed.  Every scenario ends by checking that nothing is outstanding at
 * the mock.  The mock is driven through its control API (/_mock/...) with
 * libcurl; the password a checkout handed out is read from
 * /_mock/issued (the mock runs with --expose-passwords), so that a test can
 * log in with it directly and grep logs for it.
 *
 * Needs the environment lib.sh exports (MOCKPAM_URL, PAM_CONN, ...).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

/* ---- results ---------------------------------------------------------- */

#include "../tcheck.h"
#include "../twide.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("pam_test: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- configuration (from lib.sh) ---------------------------------------- */

static struct {
	const char *url, *ca, *dir, *token, *token2, *token_file, *bad_token_file,
		*open_token_file, *conn, *direct, *pg_port, *pg_password;
	int slow;   /* time bounds are multiplied by this (valgrind, sanitizers) */
} g;

static const char *env_need(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v)
		die("%s is not set: run through tests/run.sh -R integration.pam", name);
	return v;
}

static void config_load(void)
{
	long slow;

	g.url = env_need("MOCKPAM_URL");
	g.ca = env_need("MOCKPAM_CA");
	g.dir = env_need("PAM_DIR");
	g.token = env_need("PAM_TOKEN");
	g.token2 = env_need("PAM_TOKEN2");
	g.token_file = env_need("PAM_TOKEN_FILE");
	g.bad_token_file = env_need("PAM_BAD_TOKEN_FILE");
	g.open_token_file = env_need("PAM_OPEN_TOKEN_FILE");
	g.conn = env_need("PAM_CONN");
	g.direct = env_need("PAM_DIRECT");
	g.pg_port = env_need("CS_PG_PORT");
	g.pg_password = env_need("CS_PG_PASSWORD");
	/* How much slower than a plain build: 5 under valgrind, CS_SLOW (2
	 * in a sanitizer build, pam.cmake) or 1; every time bound scales. */
	slow = getenv("CS_SLOW") ? strtol(getenv("CS_SLOW"), NULL, 10) : 1;
	g.slow = getenv("CS_VALGRIND") && strcmp(getenv("CS_VALGRIND"), "1") == 0 ? 5 :
		 slow > 1 && slow <= 10 ? (int)slow : 1;
}

/* A connection string (or any text) built with printf, in a buffer the
 * caller frees. */
static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return s;
}

/* A value in braces, '}' doubled: safe in any connection string. */
static char *braced(const char *v)
{
	size_t n = strlen(v), i, o = 0;
	char *s = malloc(2 * n + 3);

	if (!s)
		die("out of memory");
	s[o++] = '{';
	for (i = 0; i < n; i++) {
		s[o++] = v[i];
		if (v[i] == '}')
			s[o++] = '}';
	}
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

/* ---- the mock's control API ------------------------------------------------ */

struct buf {
	char *p;
	size_t n;
};

static size_t buf_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;
	char *p = realloc(b->p, b->n + n + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* One control request; returns the parsed JSON answer of an HTTP 200, or
 * NULL (with a note). */
static cJSON *mock_call(const char *method, const char *path, const char *body)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hd = NULL;
	struct buf b = { NULL, 0 };
	char url[1024];
	long code = 0;
	CURLcode c;
	cJSON *j = NULL;

	if (!h)
		die("curl_easy_init failed");
	snprintf(url, sizeof(url), "%s%s", g.url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, g.ca);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (body) {
		hd = curl_slist_append(hd, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (c != CURLE_OK)
		note("mock %s %s: %s", method, path, curl_easy_strerror(c));
	else if (code != 200)
		note("mock %s %s: HTTP %ld %s", method, path, code, b.p ? b.p : "");
	else if (!(j = cJSON_Parse(b.p ? b.p : "")))
		note("mock %s %s: answer is not JSON", method, path);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	free(b.p);
	return j;
}

static cJSON *mock_state(void)
{
	return mock_call("GET", "/_mock/state", NULL);
}

/* Number of outstanding checkouts, or -1. */
static int mock_outstanding(void)
{
	cJSON *s = mock_state();
	int n = -1;

	if (s && cJSON_IsArray(cJSON_GetObjectItem(s, "outstanding")))
		n = cJSON_GetArraySize(cJSON_GetObjectItem(s, "outstanding"));
	cJSON_Delete(s);
	return n;
}

/* A counter of /_mock/state, or -1. */
static long mock_counter(const char *name)
{
	cJSON *s = mock_state();
	cJSON *v = s ? cJSON_GetObjectItem(s, name) : NULL;
	long n = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;

	cJSON_Delete(s);
	return n;
}

static void mock_post(const char *path, const char *body)
{
	cJSON *j = mock_call("POST", path, body);

	if (!j)
		die("mock control call %s failed", path);
	cJSON_Delete(j);
}

/* Faults cleared, counters and request log zeroed (checkouts stay). */
static void mock_reset(void)
{
	mock_post("/_mock/reset", "{}");
}

static void mock_checkin_all(void)
{
	mock_post("/_mock/checkin-all", "{}");
}

/* Queues a fault: count -1 = until the next reset. */
static void mock_fault(const char *mode, const char *on, int count, double delay)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"mode\":\"%s\",\"on\":\"%s\",\"count\":%d,\"delay\":%g}", mode,
		 on, count, delay);
	mock_post("/_mock/fault", body);
}

/* Polls until n checkouts are outstanding (at most ms); 1 when reached. */
static int mock_wait_outstanding(int n, long ms)
{
	long long until = now_ms() + ms * g.slow;
	int got;

	for (;;) {
		got = mock_outstanding();
		if (got == n)
			return 1;
		if (now_ms() >= until) {
			note("outstanding checkouts: %d, expected %d", got, n);
			return 0;
		}
		sleep_ms(50);
	}
}

/* The only outstanding checkout's id and account; 0 when not exactly one. */
static int mock_only(char *id, size_t idlen, char *account, size_t alen)
{
	cJSON *s = mock_state();
	cJSON *o = s ? cJSON_GetObjectItem(s, "outstanding") : NULL;
	cJSON *e, *i, *a;
	int ok = 0;

	if (cJSON_IsArray(o) && cJSON_GetArraySize(o) == 1) {
		e = cJSON_GetArrayItem(o, 0);
		i = cJSON_GetObjectItem(e, "id");
		a = cJSON_GetObjectItem(e, "account");
		if (cJSON_IsString(i) && cJSON_IsString(a)) {
			snprintf(id, idlen, "%s", i->valuestring);
			snprintf(account, alen, "%s", a->valuestring);
			ok = 1;
		}
	} else {
		note("expected one outstanding checkout, got %d", cJSON_IsArray(o) ? cJSON_GetArraySize(o) : -1);
	}
	cJSON_Delete(s);
	return ok;
}

/* The password the mock issued with request id; 0 when unknown. */
static int mock_password(const char *id, char *pw, size_t pwlen)
{
	cJSON *j = mock_call("GET", "/_mock/issued", NULL);
	cJSON *list = j ? cJSON_GetObjectItem(j, "issued") : NULL, *e;
	int ok = 0;

	cJSON_ArrayForEach(e, list) {
		cJSON *i = cJSON_GetObjectItem(e, "id"), *p = cJSON_GetObjectItem(e, "passwd");

		if (cJSON_IsString(i) && cJSON_IsString(p) && strcmp(i->valuestring, id) == 0) {
			snprintf(pw, pwlen, "%s", p->valuestring);
			ok = 1;
		}
	}
	cJSON_Delete(j);
	return ok;
}

/* Every password the mock issued so far (a NULL-terminated array). */
static char **mock_all_passwords(int *n)
{
	cJSON *j = mock_call("GET", "/_mock/issued", NULL);
	cJSON *list = j ? cJSON_GetObjectItem(j, "issued") : NULL, *e;
	char **out = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(char *));
	int k = 0;

	if (!out)
		die("out of memory");
	cJSON_ArrayForEach(e, list) {
		cJSON *p = cJSON_GetObjectItem(e, "passwd");

		if (cJSON_IsString(p))
			out[k++] = strdup(p->valuestring);
	}
	cJSON_Delete(j);
	*n = k;
	return out;
}

/* ---- ODBC helpers ------------------------------------------------------------ */


/* Every message this process saw, for the secrets check. */
static char *g_seen;
static size_t g_seen_n;

static void seen_add(const char *s)
{
	size_t n = strlen(s);
	char *p;

	pthread_mutex_lock(&g_out_lock);
	p = realloc(g_seen, g_seen_n + n + 2);
	if (p) {
		memcpy(p + g_seen_n, s, n);
		p[g_seen_n + n] = '\n';
		p[g_seen_n + n + 1] = '\0';
		g_seen = p;
		g_seen_n += n + 1;
	}
	pthread_mutex_unlock(&g_out_lock);
}

/* A record's text without the driver manager's "[unixODBC]" in front. */
static const char *diag_text(const char *msg)
{
	static const char dm[] = "[unixODBC]";

	return strncmp(msg, dm, sizeof(dm) - 1) == 0 ? msg + sizeof(dm) - 1 : msg;
}

static SQLHENV env_new(void)
{
	SQLHENV env = SQL_NULL_HENV;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
	    !SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)))
		die("cannot allocate an ODBC environment");
	return env;
}

static SQLHDBC dbc_new(SQLHENV env)
{
	SQLHDBC dbc = SQL_NULL_HDBC;

	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)))
		die("cannot allocate a connection handle");
	return dbc;
}

static void dbc_free(SQLHDBC dbc)
{
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

/* SQLDriverConnect (A); the output connection string in out. */
static SQLRETURN conn_a(SQLHDBC dbc, const char *conn, char *out, size_t outlen)
{
	SQLCHAR o[4096];
	SQLSMALLINT olen = 0;
	SQLRETURN rc;

	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, o, sizeof(o), &olen,
			      SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc)) {
		o[sizeof(o) - 1] = 0;
		seen_add((char *)o);
		if (out)
			snprintf(out, outlen, "%s", (char *)o);
	}
	return rc;
}

/* SQLDriverConnectW; the output connection string (as UTF-8) in out. */
static SQLRETURN conn_w(SQLHDBC dbc, const char *conn, char *out, size_t outlen)
{
	SQLWCHAR in[4096], o[4096];
	SQLSMALLINT olen = 0;
	SQLRETURN rc;
	char u[8192];
	size_t n = 0;

	tw_from_u8(conn, strlen(conn), in, sizeof(in) / sizeof(in[0]));
	rc = SQLDriverConnectW(dbc, NULL, in, SQL_NTS, o, sizeof(o) / sizeof(o[0]), &olen,
			       SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc)) {
		o[sizeof(o) / sizeof(o[0]) - 1] = 0;
		while (o[n])
			n++;
		tw_to_u8(o, n, u, sizeof(u));
		seen_add(u);
		if (out && outlen > 0) {
			size_t k = strnlen(u, outlen - 1);

			memcpy(out, u, k);
			out[k] = '\0';
		}
	}
	return rc;
}

/* The first column of the first row of sql, as text; 0 on success. */
static int query_text(SQLHDBC dbc, const char *sql, char *out, size_t outlen)
{
	SQLHSTMT st = SQL_NULL_HSTMT;
	SQLLEN ind = 0;
	SQLRETURN rc;

	out[0] = '\0';
	if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
		diag_show(SQL_HANDLE_DBC, dbc);
		return -1;
	}
	rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
	if (SQL_SUCCEEDED(rc))
		rc = SQLFetch(st);
	if (SQL_SUCCEEDED(rc))
		rc = SQLGetData(st, 1, SQL_C_CHAR, out, (SQLLEN)outlen, &ind);
	if (!SQL_SUCCEEDED(rc))
		diag_show(SQL_HANDLE_STMT, st);
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return SQL_SUCCEEDED(rc) ? 0 : -1;
}

static int current_user_is(SQLHDBC dbc, const char *want)
{
	char u[128];

	if (query_text(dbc, "SELECT current_user", u, sizeof(u)) != 0)
		return 0;
	if (strcmp(u, want) != 0) {
		note("current_user is '%s', expected '%s'", u, want);
		return 0;
	}
	return 1;
}

/*
 * Logs in to PostgreSQL directly through psqlODBC (no credshim) as account
 * with pw: 1 when it works (and runs as account), 0 when PostgreSQL
 * refuses the password, -1 on anything else.
 */
static int direct_login(SQLHENV env, const char *account, const char *pw)
{
	SQLHDBC dbc = dbc_new(env);
	char *bpw = braced(pw);
	char *conn = xprintf("%s;UID=%s;PWD=%s", g.direct, account, bpw);
	struct diag d;
	SQLRETURN rc;
	int r = -1;

	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc)) {
		r = current_user_is(dbc, account) ? 1 : -1;
		SQLDisconnect(dbc);
	} else {
		diag_get(SQL_HANDLE_DBC, dbc, &d);
		if (d.n > 0 && strstr(d.msg[0], "password authentication failed"))
			r = 0;
		else
			diag_print(&d);
	}
	explicit_bzero(conn, strlen(conn));
	explicit_bzero(bpw, strlen(bpw));
	free(conn);
	free(bpw);
	dbc_free(dbc);
	return r;
}

/* The runHost connection string: PAM_CONN + PamRunHost + token file + extra. */
static char *pam_conn(const char *runhost, const char *extra)
{
	return xprintf("%s;PamRunHost=%s;PamTokenFile=%s%s%s", g.conn, runhost, g.token_file,
		       extra && *extra ? ";" : "", extra ? extra : "");
}

/*
 * Connects with conn and expects a refusal: SQL_ERROR, SQLSTATE state in
 * the first record, whose text starts with "[credshim]" and holds text,
 * within max_ms; then nothing outstanding at the mock.  login_timeout > 0
 * sets SQL_ATTR_LOGIN_TIMEOUT first.
 */
static void expect_refused(SQLHENV env, const char *what, const char *conn, const char *state,
			   const char *text, long max_ms, long login_timeout)
{
	SQLHDBC dbc = dbc_new(env);
	struct diag d;
	long long t0;
	long el;
	SQLRETURN rc;
	int ok;

	if (login_timeout > 0)
		SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)login_timeout, 0);
	t0 = now_ms();
	rc = conn_a(dbc, conn, NULL, 0);
	el = (long)(now_ms() - t0);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	ok = rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], state) == 0 &&
	     strncmp(diag_text(d.msg[0]), "[credshim] ", 11) == 0 && strstr(d.msg[0], text) &&
	     el <= max_ms * g.slow;
	result(ok, "%s: %s from [credshim] naming '%s' in %ld ms (limit %ld)", what, state, text, el,
	       max_ms * g.slow);
	if (!ok) {
		note("rc %d", (int)rc);
		diag_print(&d);
	}
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);
	dbc_free(dbc);
	result(mock_wait_outstanding(0, 3000), "%s: nothing outstanding afterwards", what);
}

/* Connects dbc with the A or W call; 1 on success (diagnostics shown otherwise). */
static int connect_ok(SQLHDBC dbc, const char *conn, int wide, char *out, size_t outlen)
{
	SQLRETURN rc = wide ? conn_w(dbc, conn, out, outlen) : conn_a(dbc, conn, out, outlen);

	if (!SQL_SUCCEEDED(rc)) {
		note("connect failed (rc %d): %.200s", (int)rc, conn);
		diag_show(SQL_HANDLE_DBC, dbc);
		return 0;
	}
	return 1;
}

static int disconnect_ok(SQLHDBC dbc)
{
	SQLRETURN rc = SQLDisconnect(dbc);

	if (rc != SQL_SUCCESS) {
		note("SQLDisconnect returned %d", (int)rc);
		diag_show(SQL_HANDLE_DBC, dbc);
		return 0;
	}
	return 1;
}

static void end_nothing_outstanding(void)
{
	result(mock_wait_outstanding(0, 3000), "end: nothing outstanding at the mock");
}

/* ---- basic: connect, query, disconnect; the password's lifetime ------------ */

/*
 * One full cycle on dbc: connect, the account logs in and queries, the
 * issued password works directly while checked out, disconnect checks it
 * in and the password stops working.
 */
static void cycle_checked(SQLHENV env, SQLHDBC dbc, const char *what, const char *conn, int wide,
			  const char *pool)
{
	char id[128], account[128], pw[256], out[4096];
	long ins;
	int ok;

	ins = mock_counter("checkins");
	ok = connect_ok(dbc, conn, wide, out, sizeof(out));
	result(ok, "%s: connects", what);
	if (!ok)
		return;
	ok = mock_only(id, sizeof(id), account, sizeof(account)) && strstr(pool, account);
	result(ok, "%s: one checkout outstanding, account %s of pool %s", what, account, pool);
	result(ok && current_user_is(dbc, account), "%s: queries run as %s", what, account);
	ok = ok && mock_password(id, pw, sizeof(pw));
	result(ok && direct_login(env, account, pw) == 1,
	       "%s: while connected, the issued password logs in to PostgreSQL directly", what);
	result(disconnect_ok(dbc), "%s: SQLDisconnect returns SQL_SUCCESS", what);
	result(mock_wait_outstanding(0, 3000) && mock_counter("checkins") == ins + 1,
	       "%s: disconnect checked the credential in", what);
	result(ok && direct_login(env, account, pw) == 0,
	       "%s: after the check-in PostgreSQL refuses the old password", what);
	explicit_bzero(pw, sizeof(pw));
}

static void t_basic(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = dbc_new(env);
	char out[4096], *c, *t2;
	struct diag d;
	SQLHSTMT st;
	SQLRETURN rc;
	long ins, conns, hands;
	int ok, i;

	cycle_checked(env, dbc, "DSN=pam_pg1 (SQLDriverConnect)", "DSN=pam_pg1", 0, "cs_app1");
	/* The same handle again, W call, DSN-less, token from the environment. */
	c = xprintf("%s;PamRunHost=pg2;PamTokenEnv=PAM_TOKEN", g.conn);
	cycle_checked(env, dbc, "DSN-less, PamTokenEnv (SQLDriverConnectW)", c, 1, "cs_app2 cs_app3");
	free(c);
	cycle_checked(env, dbc, "DSN=pam_pg1_a (ANSI psqlODBC)", "DSN=pam_pg1_a", 0, "cs_app1");

	/* SQLConnect with UID/PWD: ignored in PAM mode. */
	rc = SQLConnect(dbc, (SQLCHAR *)"pam_pg1", SQL_NTS, (SQLCHAR *)"cs_user", SQL_NTS,
			(SQLCHAR *)getenv("CS_PG_PASSWORD"), SQL_NTS);
	ok = SQL_SUCCEEDED(rc);
	if (!ok)
		diag_show(SQL_HANDLE_DBC, dbc);
	result(ok && current_user_is(dbc, "cs_app1"),
	       "SQLConnect(pam_pg1, cs_user, its password): the application's UID/PWD are ignored");
	/* A statement with an open cursor when disconnecting. */
	if (ok && SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
		SQLExecDirect(st, (SQLCHAR *)"SELECT id FROM cs_fixture ORDER BY id", SQL_NTS);
		SQLFetch(st);
	}
	result(ok && disconnect_ok(dbc) && mock_wait_outstanding(0, 3000),
	       "disconnect with an open cursor checks the credential in");

	/* Output connection string: no token, no UID/PWD in PAM mode. */
	t2 = braced(g.token2);
	c = xprintf("%s;PamRunHost=pg1;PamToken=%s;UID=cs_user;PWD={secret;pwd}", g.conn, t2);
	free(t2);
	ok = connect_ok(dbc, c, 0, out, sizeof(out));
	result(ok && !strcasestr(out, "PamToken") && !strstr(out, g.token2) && !strcasestr(out, "UID=") &&
	       !strcasestr(out, "PWD=") && !strstr(out, "secret;pwd") && strstr(out, "PamRunHost=pg1"),
	       "output connection string keeps PamRunHost, drops PamToken, UID and PWD");
	if (!ok || !strstr(out, "PamRunHost"))
		note("out: %s", out);
	if (ok)
		result(disconnect_ok(dbc), "PamToken in the string: disconnect");
	free(c);

	/* The target refuses the login: its diagnostics, the credential back. */
	ins = mock_counter("checkins");
	rc = conn_a(dbc, "DSN=pam_nodb", NULL, 0);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	ok = rc == SQL_ERROR && d.n > 0 && strstr(d.msg[0], "cs_no_such_database") &&
	     !strstr(d.msg[0], "[credshim]");
	result(ok, "target login failure (no such database): psqlODBC's diagnostic, not credshim's");
	if (!ok)
		diag_print(&d);
	result(mock_wait_outstanding(0, 3000) && mock_counter("checkins") == ins + 1,
	       "target login failure: the checkout was checked in at once");

	/* And the handle still works afterwards. */
	cycle_checked(env, dbc, "reconnect after the failure", "DSN=pam_pg1", 1, "cs_app1");

	/* Keep-alive: the connects of one process reuse their PAM connection
	 * (the one opened above, or at most one new one), so they pay no
	 * further TLS handshake.  The mock counts connections when it accepts
	 * them. */
	mock_reset();
	for (i = 0; i < 5; i++)
		cycle_checked(env, dbc, "keep-alive cycle", "DSN=pam_pg1", 0, "cs_app1");
	conns = mock_counter("connections");
	hands = mock_counter("tls_handshakes");
	result(conns >= 0 && conns <= 1 && hands >= 0 && hands <= 1,
	       "five connects and disconnects (ten PAM requests) opened at most one new connection and "
	       "TLS handshake (connections %ld, handshakes %ld)", conns, hands);

	dbc_free(dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- config: refusals that never reach the PAM -------------------------------- */

static void t_config(void)
{
	SQLHENV env = env_new();
	char *tgt = xprintf("DRIVER={credshim};TargetDriver={PostgreSQL Unicode};Servername=127.0.0.1;"
			    "Port=%s;Database=cs_test", g.pg_port);
	char *empty = xprintf("%s/empty-token", g.dir);
	char *c, *c2;
	FILE *f;
	SQLHDBC dbc;
	char out[4096], id[128], acc[128];
	struct {
		const char *what, *keys, *state, *text;
	} cases[] = {
		{ "PamRunHost missing", "PamTokenFile=%T", "08001", "PamRunHost" },
		{ "no token key", "PamRunHost=pg1", "08001", "PamTokenFile" },
		{ "two token keys", "PamRunHost=pg1;PamTokenFile=%T;PamTokenEnv=PAM_TOKEN", "08001",
		  "several are set" },
		{ "PamTokenEnv names an unset variable", "PamRunHost=pg1;PamTokenEnv=CS_PAM_NO_SUCH_VAR",
		  "08001", "PamTokenEnv" },
		{ "PamTokenFile readable by others", "PamRunHost=pg1;PamTokenFile=%O", "08001",
		  "PamTokenFile" },
		{ "PamTokenFile missing", "PamRunHost=pg1;PamTokenFile=%D/no-such-file", "08001",
		  "PamTokenFile" },
		{ "PamTokenFile empty", "PamRunHost=pg1;PamTokenFile=%E", "08001", "PamTokenFile" },
		{ "PamTokenFile a directory", "PamRunHost=pg1;PamTokenFile=%D", "08001", "PamTokenFile" },
		{ "PamDuration=0", "PamRunHost=pg1;PamTokenFile=%T;PamDuration=0", "08001", "PamDuration" },
		{ "PamDuration=525601", "PamRunHost=pg1;PamTokenFile=%T;PamDuration=525601", "08001",
		  "PamDuration" },
		{ "PamDuration=-5", "PamRunHost=pg1;PamTokenFile=%T;PamDuration=-5", "08001", "PamDuration" },
		{ "PamDuration=abc", "PamRunHost=pg1;PamTokenFile=%T;PamDuration=abc", "08001", "PamDuration" },
		{ "PamTimeout=0", "PamRunHost=pg1;PamTokenFile=%T;PamTimeout=0", "08001", "PamTimeout" },
		{ "PamTimeout=601", "PamRunHost=pg1;PamTokenFile=%T;PamTimeout=601", "08001", "PamTimeout" },
		{ "PamShareCheckout=2", "PamRunHost=pg1;PamTokenFile=%T;PamShareCheckout=2", "08001",
		  "PamShareCheckout" },
		{ "PamInsecure=maybe", "PamRunHost=pg1;PamTokenFile=%T;PamInsecure=maybe", "08001",
		  "PamInsecure" },
	};
	size_t i;

	mock_reset();
	f = fopen(empty, "w");
	if (!f || fchmod(fileno(f), 0600) != 0)
		die("cannot write %s", empty);
	fclose(f);

	/* PamUrl itself. */
	c = xprintf("%s;PamRunHost=pg1;PamTokenFile=%s", tgt, g.token_file);
	expect_refused(env, "PamUrl missing", c, "08001", "PamUrl", 3000, 0);
	free(c);
	c = xprintf("%s;PamUrl=http://127.0.0.1:1;PamRunHost=pg1;PamTokenFile=%s", tgt, g.token_file);
	expect_refused(env, "PamUrl http:// without PamInsecure", c, "08001", "PamUrl", 3000, 0);
	free(c);
	c = xprintf("%s;PamUrl=ftp://127.0.0.1/;PamRunHost=pg1;PamTokenFile=%s", tgt, g.token_file);
	expect_refused(env, "PamUrl ftp://", c, "08001", "PamUrl", 3000, 0);
	free(c);
	c = xprintf("%s;PamUrl=%s/?x=1;PamRunHost=pg1;PamTokenFile=%s", tgt, g.url, g.token_file);
	expect_refused(env, "PamUrl with a query", c, "08001", "PamUrl", 3000, 0);
	free(c);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char keys[2048];
		const char *k;
		size_t o = 0;

		/* %T token file, %O open token file, %E empty file, %D the test dir */
		for (k = cases[i].keys; *k && o + 1024 < sizeof(keys); k++) {
			if (k[0] == '%' && k[1]) {
				const char *v = k[1] == 'T' ? g.token_file : k[1] == 'O' ? g.open_token_file :
						k[1] == 'E' ? empty : g.dir;

				o += (size_t)snprintf(keys + o, sizeof(keys) - o, "%s", v);
				k++;
			} else {
				keys[o++] = *k;
			}
		}
		keys[o] = '\0';
		c = xprintf("%s;%s", g.conn, keys);
		expect_refused(env, cases[i].what, c, cases[i].state, cases[i].text, 3000, 0);
		free(c);
	}
	/* The token goes into an HTTP header: a blank in it is refused before
	 * anything is sent, naming the key (08001). */
	c = xprintf("%s;PamRunHost=pg1;PamToken={two words}", g.conn);
	expect_refused(env, "PamToken with a blank", c, "08001", "PamToken", 3000, 0);
	free(c);
	result(mock_counter("requests_total") == 0, "none of the refusals above sent anything to the PAM");

	/* Accepted spellings. */
	dbc = dbc_new(env);
	c = xprintf("%s;pamrunhost=pg1;PAMTOKENFILE=%s;PamDuration= 5 ", g.conn, g.token_file);
	result(connect_ok(dbc, c, 0, out, sizeof(out)) && current_user_is(dbc, "cs_app1"),
	       "keys are case-insensitive; PamDuration=' 5 ' accepted");
	{
		cJSON *s = mock_state();
		cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "outstanding"), 0);
		cJSON *du = e ? cJSON_GetObjectItem(e, "duration") : NULL;

		result(cJSON_IsNumber(du) && du->valuedouble == 5.0, "PamDuration=5 reaches the PAM as 5 minutes");
		cJSON_Delete(s);
	}
	result(disconnect_ok(dbc) && mock_wait_outstanding(0, 3000), "disconnect checks it in");
	free(c);
	c2 = braced(g.token2);
	c = xprintf("%s;PamRunHost=pg1;PamToken=%s", g.conn, c2);
	result(connect_ok(dbc, c, 1, out, sizeof(out)) && current_user_is(dbc, "cs_app1") &&
	       disconnect_ok(dbc), "PamToken with ; { } = in braces works");
	free(c);
	free(c2);
	c = xprintf("%s;PamRunHost=pg1;PamTokenFile=%s;PamInsecure=1;PamCAFile=%s/certs/other-ca.pem",
		    g.conn, g.token_file, g.dir);
	result(connect_ok(dbc, c, 0, out, sizeof(out)) && current_user_is(dbc, "cs_app1") &&
	       disconnect_ok(dbc), "PamInsecure=1: a certificate the CA file cannot verify is accepted");
	free(c);
	c = xprintf("%s;PamUrl=%s/;PamRunHost=pg1;PamTokenFile=%s;PamCAFile=%s", tgt, g.url, g.token_file,
		    g.ca);
	result(connect_ok(dbc, c, 0, out, sizeof(out)) && mock_only(id, sizeof(id), acc, sizeof(acc)) &&
	       disconnect_ok(dbc), "PamUrl with a trailing '/'");
	free(c);
	dbc_free(dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	unlink(empty);
	free(empty);
	free(tgt);
	end_nothing_outstanding();
}

/* ---- faults ------------------------------------------------------------------- */

/* A port on 127.0.0.1 where nothing listens (bound, not listening). */
static int closed_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &len) != 0)
		die("cannot bind a port");
	return ntohs(a.sin_port);
}

/* A check-in fault: disconnect answers SQL_SUCCESS_WITH_INFO with a 01000
 * record naming the request id; the credential stays out at the PAM. */
static void checkin_fault(SQLHENV env, const char *mode, int count)
{
	SQLHDBC dbc = dbc_new(env);
	char *c = pam_conn("pg1", NULL);
	char id[128], acc[128];
	struct diag d;
	long long t0;
	long el;
	SQLRETURN rc;
	int ok, i, found = 0;

	mock_reset();
	if (!connect_ok(dbc, c, 0, NULL, 0) || !mock_only(id, sizeof(id), acc, sizeof(acc))) {
		result(0, "check-in fault %s: connect", mode);
		goto out;
	}
	mock_fault(mode, "checkin", count, 0);
	t0 = now_ms();
	rc = SQLDisconnect(dbc);
	el = (long)(now_ms() - t0);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	for (i = 0; i < d.n; i++)
		if (strcmp(d.state[i], "01000") == 0 && strstr(d.msg[i], id) &&
		    strncmp(diag_text(d.msg[i]), "[credshim] ", 11) == 0)
			found = 1;
	ok = rc == SQL_SUCCESS_WITH_INFO && found && el <= 5000L * g.slow;
	result(ok, "check-in fault %s: SQLDisconnect SQL_SUCCESS_WITH_INFO, 01000 naming request %s, "
	       "in %ld ms", mode, id, el);
	if (!ok) {
		note("rc %d", (int)rc);
		diag_print(&d);
	}
	mock_reset();
	/* The PAM still has it: an administrator's forced check-in cleans up. */
	result(mock_outstanding() == 1, "check-in fault %s: the credential is still out at the PAM", mode);
	mock_checkin_all();
	result(mock_wait_outstanding(0, 3000), "check-in fault %s: forced check-in leaves nothing", mode);
out:
	free(c);
	dbc_free(dbc);
}

static void t_faults(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc;
	char *c = pam_conn("pg1", NULL), *u;
	struct {
		const char *mode;
		int count;
		const char *state, *text;
		long max_requests;
	} co[] = {
		{ "http401", -1, "28000", "API token", 1 },
		{ "http403", -1, "28000", "HTTP 403", 1 },
		{ "body403", -1, "28000", "denied", 1 },
		{ "http409", -1, "08004", "in use", 1 },
		{ "body409", -1, "08004", "in use", 1 },
		{ "http500", -1, "08001", "500", 1 },
		{ "http502-html", -1, "08001", "502", 1 },
		{ "html", -1, "08001", "PAM", 1 },
		{ "malformed_json", -1, "08001", "JSON", 1 },
		{ "truncated_json", -1, "08001", "may now hold a checkout", 1 },
		{ "drop", -1, "08001", "may now hold a checkout", 1 },
		{ "oversized", -1, "08001", "1 MiB", 1 },
		{ "missing_passwd", -1, "08001", "passwd", 1 },
		{ "deep_json", -1, "08001", "PAM", 1 },
	};
	size_t i;
	int fd, port, ok;
	long n;

	for (i = 0; i < sizeof(co) / sizeof(co[0]); i++) {
		char what[128];

		mock_reset();
		mock_fault(co[i].mode, "checkout", co[i].count, 0);
		snprintf(what, sizeof(what), "checkout fault %s", co[i].mode);
		expect_refused(env, what, c, co[i].state, co[i].text, 5000, 0);
		n = mock_counter("requests_total");
		result(n >= 1 && n <= co[i].max_requests, "%s: %ld request(s), at most %ld", what, n,
		       co[i].max_requests);
	}

	/* A checkout that reached the PAM is never sent again (hostile: the
	 * PAM checks out and then breaks off); a check-in is retried. */
	dbc = dbc_new(env);
	mock_reset();
	mock_fault("http500", "checkin", 1, 0);
	ok = connect_ok(dbc, c, 0, NULL, 0);
	result(ok && disconnect_ok(dbc) && mock_wait_outstanding(0, 3000),
	       "one HTTP 500 on check-in: retried, SQL_SUCCESS, checked in");
	dbc_free(dbc);

	/* Nobody listening, and a certificate from another CA. */
	mock_reset();
	port = closed_port(&fd);
	u = xprintf("DRIVER={credshim};TargetDriver={PostgreSQL Unicode};Servername=127.0.0.1;Port=%s;"
		    "Database=cs_test;PamUrl=https://127.0.0.1:%d;PamRunHost=pg1;PamTokenFile=%s",
		    g.pg_port, port, g.token_file);
	expect_refused(env, "PAM unreachable (connection refused)", u, "08001", "cannot reach", 5000, 0);
	free(u);
	close(fd);
	expect_refused(env, "TLS verification failure (PamCAFile of another CA)", "DSN=pam_wrongca", "08001",
		       "TLS verification", 5000, 0);
	expect_refused(env, "TLS verification failure (system CA store)",
		       "DSN=pam_pg1;PamCAFile=/etc/ssl/certs/ca-certificates.crt", "08001",
		       "TLS verification", 5000, 0);
	expect_refused(env, "token the PAM does not know", "DSN=pam_badtoken", "28000", "API token", 5000, 0);
	expect_refused(env, "runHost the PAM denies (body status 403)", "DSN=pam_deny", "28000", "denied",
		       5000, 0);

	/* Faults on check-in. */
	checkin_fault(env, "http500", -1);
	checkin_fault(env, "drop", -1);
	checkin_fault(env, "html", -1);
	checkin_fault(env, "http401", -1);
	checkin_fault(env, "body403", -1);
	checkin_fault(env, "malformed_json", -1);

	mock_reset();
	free(c);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- sharing ---------------------------------------------------------------------- */

static void t_sharing(void)
{
	SQLHENV env = env_new();
	SQLHDBC a = dbc_new(env), b = dbc_new(env), x = dbc_new(env);
	char id1[128], id2[128], acc[128], *c, *t2;
	struct diag d;
	SQLRETURN rc;
	int ok, i;

	/* PamShareCheckout=1 (default): two connections, one checkout. */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1", 0, NULL, 0) && connect_ok(b, "DSN=pam_pg1", 1, NULL, 0);
	result(ok && current_user_is(a, "cs_app1") && current_user_is(b, "cs_app1"),
	       "sharing on: two connections to the one-account pool both log in as cs_app1");
	result(mock_counter("checkouts") == 1 && mock_outstanding() == 1, "sharing on: one checkout serves both");
	result(disconnect_ok(a) && mock_outstanding() == 1 && mock_counter("checkins") == 0,
	       "sharing on: the first disconnect keeps the shared checkout");
	result(current_user_is(b, "cs_app1"), "sharing on: the other connection still works");
	result(disconnect_ok(b) && mock_wait_outstanding(0, 3000) && mock_counter("checkins") == 1,
	       "sharing on: the last disconnect checks it in");

	/* PamShareCheckout=0: one checkout per connection. */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1_noshare", 0, NULL, 0);
	result(ok, "sharing off: the first connection gets the pool's only account");
	{
		long long t0 = now_ms();

		rc = conn_a(b, "DSN=pam_pg1_noshare", NULL, 0);
		diag_get(SQL_HANDLE_DBC, b, &d);
		result(rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], "08004") == 0 &&
		       strncmp(diag_text(d.msg[0]), "[credshim] ", 11) == 0 && now_ms() - t0 < 5000 * g.slow,
		       "sharing off: a second connection gets 08004 (all credentials in use)");
		if (rc != SQL_ERROR)
			diag_print(&d);
	}
	result(mock_outstanding() == 1, "sharing off: the refusal left the first checkout alone");
	/* A connection that shares cannot join a checkout that does not. */
	rc = conn_a(b, "DSN=pam_pg1", NULL, 0);
	diag_get(SQL_HANDLE_DBC, b, &d);
	result(rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], "08004") == 0,
	       "a sharing connection does not join an unshared checkout: 08004");
	result(disconnect_ok(a) && mock_wait_outstanding(0, 3000), "sharing off: disconnect checks it in");

	/* Pool of two without sharing: two connections, the third is refused. */
	mock_reset();
	c = xprintf("DSN=pam_pg2;PamShareCheckout=0");
	ok = connect_ok(a, c, 0, NULL, 0) && connect_ok(b, c, 0, NULL, 0);
	result(ok && mock_outstanding() == 2, "sharing off, pool of two: two connections, two checkouts");
	rc = conn_a(x, c, NULL, 0);
	diag_get(SQL_HANDLE_DBC, x, &d);
	result(rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], "08004") == 0, "... the third gets 08004");
	result(disconnect_ok(a) && disconnect_ok(b) && mock_wait_outstanding(0, 3000), "... both checked in");
	free(c);

	/* Different runHosts or tokens never share. */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1", 0, NULL, 0) && connect_ok(b, "DSN=pam_pg2", 0, NULL, 0);
	result(ok && mock_outstanding() == 2, "two runHosts: two checkouts");
	t2 = braced(g.token2);
	c = xprintf("%s;PamRunHost=pg1;PamToken=%s", g.conn, t2);
	rc = conn_a(x, c, NULL, 0);
	diag_get(SQL_HANDLE_DBC, x, &d);
	result(rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], "08004") == 0,
	       "another token to the same runHost does not share: 08004");
	free(c);
	free(t2);
	result(disconnect_ok(a) && disconnect_ok(b) && mock_wait_outstanding(0, 3000), "... all checked in");

	/*
	 * An administrator forces the check-in (the password is rotated) while
	 * a connection shares the checkout: the next connection is refused by
	 * the database with the shared password, checks out afresh once and
	 * logs in.  The first connection's session lives on.
	 */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1", 0, NULL, 0) && mock_only(id1, sizeof(id1), acc, sizeof(acc));
	mock_checkin_all();
	ok = ok && connect_ok(b, "DSN=pam_pg1", 0, NULL, 0) && current_user_is(b, "cs_app1");
	result(ok, "after a forced check-in, a new connection to the shared checkout still logs in");
	result(ok && mock_counter("checkouts") == 2 && mock_only(id2, sizeof(id2), acc, sizeof(acc)) &&
	       strcmp(id1, id2) != 0, "... with one fresh checkout (request %s after %s)", id2, id1);
	ok = ok && connect_ok(x, "DSN=pam_pg1", 0, NULL, 0);
	result(ok && mock_counter("checkouts") == 2, "a third connection shares the fresh checkout");
	result(current_user_is(a, "cs_app1"), "the first connection's session still works");
	rc = SQLDisconnect(a);
	diag_get(SQL_HANDLE_DBC, a, &d);
	for (i = 0, ok = rc == SQL_SUCCESS; i < d.n && rc == SQL_SUCCESS_WITH_INFO; i++)
		if (strcmp(d.state[i], "01000") == 0 && strstr(d.msg[i], id1))
			ok = 1;
	result(ok, "the first connection's disconnect: the forced-in request %s is reported (01000) or "
	       "silently done (rc %d)", id1, (int)rc);
	result(mock_outstanding() == 1, "the fresh checkout is still out");
	result(disconnect_ok(b) && disconnect_ok(x) && mock_wait_outstanding(0, 3000),
	       "the last two disconnects check the fresh one in");

	dbc_free(a);
	dbc_free(b);
	dbc_free(x);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- threads ------------------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 25

struct worker {
	pthread_t th;
	int id;
	int jitter;    /* ms between cycles: 0 .. jitter-1 */
	SQLHENV env;
	const char *dsn;
	const char *pool;
	int rounds;
	long long deadline;
	int done;
	int failures;
	char first[600];
};

static void worker_fail(struct worker *w, int round, const char *what, SQLSMALLINT ht, SQLHANDLE h)
{
	struct diag d;

	if (ht)
		diag_get(ht, h, &d);
	else
		d.n = 0;
	if (w->failures++ == 0)
		snprintf(w->first, sizeof(w->first), "round %d: %.40s: %s %.500s", round, what,
			 d.n ? d.state[0] : "", d.n ? d.msg[0] : "");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int r;

	for (r = 0; r < w->rounds; r++) {
		SQLHDBC dbc = SQL_NULL_HDBC;
		char u[128];

		if (now_ms() > w->deadline) {
			worker_fail(w, r, "out of time", 0, NULL);
			break;
		}
		if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, w->env, &dbc))) {
			worker_fail(w, r, "SQLAllocHandle", SQL_HANDLE_ENV, w->env);
			continue;
		}
		if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)w->dsn, SQL_NTS, NULL, 0, NULL,
						    SQL_DRIVER_NOPROMPT))) {
			worker_fail(w, r, "connect", SQL_HANDLE_DBC, dbc);
		} else {
			if (query_text(dbc, "SELECT current_user", u, sizeof(u)) != 0 || !strstr(w->pool, u))
				worker_fail(w, r, "query", 0, NULL);
			if (SQLDisconnect(dbc) != SQL_SUCCESS)
				worker_fail(w, r, "disconnect", SQL_HANDLE_DBC, dbc);
		}
		SQLFreeHandle(SQL_HANDLE_DBC, dbc);
		w->done++;
		/* A little jitter, so that every connection of the process is
		 * sometimes closed at once (the shared checkout's last release)
		 * while another thread is about to connect. */
		sleep_ms((w->id * 3 + r * 7) % w->jitter);
	}
	return NULL;
}

static void threads_run(int nthreads, int rounds, int jitter, const char *dsn, const char *pool,
			const char *what)
{
	struct worker w[THREADS];
	SQLHENV env = env_new();
	long long t0 = now_ms();
	int i, done = 0, failures = 0;
	long cos, cis;

	mock_reset();
	memset(w, 0, sizeof(w));
	for (i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].jitter = jitter;
		w[i].rounds = rounds;
		w[i].env = env;
		w[i].dsn = dsn;
		w[i].pool = pool;
		w[i].deadline = t0 + 60000LL * g.slow;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		done += w[i].done;
		failures += w[i].failures;
		if (w[i].failures)
			note("thread %d: %d failure(s), first: %s", i, w[i].failures, w[i].first);
	}
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	result(failures == 0 && done == nthreads * rounds,
	       "%s: %d threads x %d connect/query/disconnect cycles, %d done, %d failures, %lld ms", what,
	       nthreads, rounds, done, failures, now_ms() - t0);
	result(mock_wait_outstanding(0, 3000), "%s: nothing outstanding afterwards", what);
	cos = mock_counter("checkouts");
	cis = mock_counter("checkins");
	result(cos >= 1 && cos == cis, "%s: %ld checkouts, %ld check-ins", what, cos, cis);
	if (strstr(dsn, "PamShareCheckout=0"))
		result(cos == nthreads * rounds, "%s: one checkout per connection (%ld)", what, cos);
}

static void t_threads(void)
{
	threads_run(THREADS, ROUNDS, 5, "DSN=pam_pg1", "cs_app1", "sharing on, pool of one");
	threads_run(THREADS, ROUNDS, 5, "DSN=pam_pgt;PamShareCheckout=0",
		    "cs_pam_t1 cs_pam_t2 cs_pam_t3 cs_pam_t4 cs_pam_t5 cs_pam_t6 cs_pam_t7 cs_pam_t8",
		    "sharing off, pool of eight");
	/*
	 * Fewer threads, so that the shared checkout's last connection often
	 * closes (and checks it in) while another thread connects: that
	 * connection must not fail for the credential still being on its way
	 * back to the PAM.
	 */
	threads_run(3, ROUNDS, 10, "DSN=pam_pg1", "cs_app1", "sharing on, pool of one, 3 threads");
	end_nothing_outstanding();
}

/* ---- timeouts ----------------------------------------------------------------------- */

struct bg_connect {
	pthread_t th;
	SQLHENV env;
	SQLHDBC dbc;
	const char *conn;
	long login_timeout;
	SQLRETURN rc;
	long ms;
	struct diag d;
};

static void *bg_connect_main(void *arg)
{
	struct bg_connect *b = arg;
	long long t0;

	b->dbc = dbc_new(b->env);
	if (b->login_timeout > 0)
		SQLSetConnectAttr(b->dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)b->login_timeout, 0);
	t0 = now_ms();
	b->rc = SQLDriverConnect(b->dbc, NULL, (SQLCHAR *)b->conn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
	b->ms = (long)(now_ms() - t0);
	diag_get(SQL_HANDLE_DBC, b->dbc, &b->d);
	return NULL;
}

/* Waits until the mock has noticed that clients went away from n slow
 * requests (so that none of them is processed later). */
static int mock_wait_gone(long n, long ms)
{
	long long until = now_ms() + ms;

	while (mock_counter("client_gone") < n) {
		if (now_ms() > until)
			return 0;
		sleep_ms(50);
	}
	return 1;
}

static void t_timeout(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = dbc_new(env);
	struct bg_connect b[3];
	char *c;
	long long t0;
	SQLRETURN rc;
	struct diag d;
	int i, ok;

	/* PamTimeout: the slow PAM answers after 3 s; credshim waits 1 s. */
	mock_reset();
	mock_fault("slow", "checkout", -1, 3);
	c = pam_conn("pg1", "PamTimeout=1");
	expect_refused(env, "slow PAM, PamTimeout=1", c, "HYT00", "timed out", 2500, 0);
	free(c);
	/* SQL_ATTR_LOGIN_TIMEOUT bounds the checkout as well. */
	c = pam_conn("pg1", NULL);
	expect_refused(env, "slow PAM, SQL_ATTR_LOGIN_TIMEOUT=1", c, "HYT00", "timed out", 2500, 1);
	result(mock_wait_gone(2, 5000) && mock_counter("checkouts") == 0 && mock_outstanding() == 0,
	       "the timed-out checkouts were never completed at the PAM");
	free(c);

	/*
	 * Connections waiting for one checkout in flight: A starts it (the PAM
	 * takes 2 s), B waits with a login timeout of 1 s and gives up, C waits
	 * without one and shares A's checkout.
	 */
	mock_reset();
	mock_fault("slow", "checkout", 1, 2);
	memset(b, 0, sizeof(b));
	for (i = 0; i < 3; i++) {
		b[i].env = env;
		b[i].conn = "DSN=pam_pg1";
		b[i].login_timeout = i == 1 ? 1 : 0;
		if (pthread_create(&b[i].th, NULL, bg_connect_main, &b[i]) != 0)
			die("pthread_create");
		if (i == 0)
			sleep_ms(300);
	}
	for (i = 0; i < 3; i++)
		pthread_join(b[i].th, NULL);
	ok = SQL_SUCCEEDED(b[0].rc) && b[0].ms >= 1800 && b[0].ms < 6000L * g.slow;
	result(ok, "in-flight checkout: the first connection waits for the slow PAM (%ld ms)", b[0].ms);
	ok = b[1].rc == SQL_ERROR && b[1].d.n > 0 && strcmp(b[1].d.state[0], "HYT00") == 0 &&
	     b[1].ms < 2000L * g.slow;
	result(ok, "in-flight checkout: a waiter with SQL_ATTR_LOGIN_TIMEOUT=1 gets HYT00 (%ld ms)", b[1].ms);
	if (!ok)
		diag_print(&b[1].d);
	ok = SQL_SUCCEEDED(b[2].rc) && mock_counter("checkouts") == 1 && current_user_is(b[2].dbc, "cs_app1");
	result(ok, "in-flight checkout: a waiter without a timeout shares it (one checkout, %ld ms)", b[2].ms);
	for (i = 0; i < 3; i++) {
		if (SQL_SUCCEEDED(b[i].rc))
			disconnect_ok(b[i].dbc);
		dbc_free(b[i].dbc);
	}
	result(mock_wait_outstanding(0, 3000), "in-flight checkout: all checked in");

	/* SQL_ATTR_LOGIN_TIMEOUT is an SQLUINTEGER: the driver manager passes
	 * 0xFFFFFFFF as (SQLPOINTER)-1, which credshim must not take for a
	 * deadline already past: the checkout goes out, and psqlODBC gives
	 * its own answer to 4294967295 s, as it would directly. */
	mock_reset();
	c = pam_conn("pg1", NULL);
	SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)(SQLLEN)-1, 0);
	rc = conn_a(dbc, c, NULL, 0);
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	ok = rc == SQL_ERROR && d.n > 0 && strcmp(d.state[0], "HYT00") != 0 && strstr(d.msg[0], "4294967295") &&
	     mock_counter("checkouts") == 1;
	result(ok, "SQL_ATTR_LOGIN_TIMEOUT=0xFFFFFFFF: checked out, the target's own refusal of the value");
	if (!ok)
		diag_print(&d);
	result(mock_wait_outstanding(0, 3000), "SQL_ATTR_LOGIN_TIMEOUT=0xFFFFFFFF: checked in again");
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);
	free(c);
	dbc_free(dbc);
	dbc = dbc_new(env);

	/* A check-in that outlives PamTimeout. */
	mock_reset();
	c = pam_conn("pg1", "PamTimeout=1");
	if (connect_ok(dbc, c, 0, NULL, 0)) {
		mock_fault("slow", "checkin", -1, 3);
		t0 = now_ms();
		rc = SQLDisconnect(dbc);
		diag_get(SQL_HANDLE_DBC, dbc, &d);
		ok = rc == SQL_SUCCESS_WITH_INFO && d.n > 0 && strcmp(d.state[0], "01000") == 0 &&
		     now_ms() - t0 < 2500L * g.slow;
		result(ok, "slow check-in, PamTimeout=1: SQL_SUCCESS_WITH_INFO 01000 in %lld ms", now_ms() - t0);
		if (!ok)
			diag_print(&d);
		mock_wait_gone(1, 5000);
		mock_reset();
		mock_checkin_all();
	} else {
		result(0, "slow check-in: connect");
	}
	free(c);
	dbc_free(dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- process exit ------------------------------------------------------------------- */

static void *exit_thread(void *arg)
{
	exit((int)(long)arg);
}

/* The child: connects three times (two share pg1, one on pg2) and ends
 * without disconnecting or freeing anything. */
/* The "late-disconnect" child's connections, ended by its own exit
 * handler, which runs after credshim's (registered before it). */
static SQLHENV g_late_env;
static SQLHDBC g_late[3];

static void late_disconnect(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		SQLDisconnect(g_late[i]);
		SQLFreeHandle(SQL_HANDLE_DBC, g_late[i]);
	}
	SQLFreeHandle(SQL_HANDLE_ENV, g_late_env);
}

static int child_main(const char *mode)
{
	SQLHENV env = env_new();
	SQLHDBC d1 = dbc_new(env), d2 = dbc_new(env), d3 = dbc_new(env);
	pthread_t th;

	if (strcmp(mode, "late-disconnect") == 0) {
		g_late_env = env;
		g_late[0] = d1;
		g_late[1] = d2;
		g_late[2] = d3;
		atexit(late_disconnect);
	}

	if (!connect_ok(d1, "DSN=pam_pg1", 0, NULL, 0) || !connect_ok(d2, "DSN=pam_pg1", 1, NULL, 0) ||
	    !connect_ok(d3, "DSN=pam_pg2", 0, NULL, 0) || !current_user_is(d2, "cs_app1"))
		return 10;
	fflush(stdout);
	if (strcmp(mode, "return") == 0)
		return 0;
	if (strcmp(mode, "exit") == 0)
		exit(3);
	if (strcmp(mode, "thread-exit") == 0) {
		pthread_create(&th, NULL, exit_thread, (void *)4L);
		pthread_join(th, NULL);
	}
	if (strcmp(mode, "_exit") == 0)
		_exit(5);
	if (strcmp(mode, "late-disconnect") == 0)
		exit(6);
	if (strcmp(mode, "disconnect-return") == 0) {
		/* pg1's check-in fails (the parent set the fault): 01000 */
		SQLDisconnect(d1);
		if (SQLDisconnect(d2) != SQL_SUCCESS_WITH_INFO || !disconnect_ok(d3))
			return 12;
		return 7;
	}
	return 11;
}

/* Runs "pam_test child <mode>"; its exit status (or -1), elapsed ms in *ms. */
static int run_child(const char *self, const char *mode, long *ms)
{
	long long t0 = now_ms();
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(self, self, "child", mode, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (now_ms() - t0 > 30000L * g.slow) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			note("child %s killed after 30 s", mode);
			*ms = (long)(now_ms() - t0);
			return -1;
		}
		sleep_ms(20);
	}
	*ms = (long)(now_ms() - t0);
	if (WIFSIGNALED(st))
		note("child %s: signal %d", mode, WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void t_exit(const char *self)
{
	struct {
		const char *mode;
		int status;
	} m[] = { { "return", 0 }, { "exit", 3 }, { "thread-exit", 4 } };
	size_t i;
	long ms;
	int st;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		mock_reset();
		st = run_child(self, m[i].mode, &ms);
		result(st == m[i].status, "exit without disconnect (%s): child ended with status %d (%d), %ld ms",
		       m[i].mode, st, m[i].status, ms);
		result(mock_counter("checkouts") == 2, "exit (%s): two checkouts (two connections shared one)",
		       m[i].mode);
		result(mock_wait_outstanding(0, 2000) && mock_counter("checkins") == 2,
		       "exit (%s): the exit handler checked both in", m[i].mode);
	}

	/* The application's own exit handler disconnects after credshim's
	 * has checked everything in: no second check-in, no crash. */
	mock_reset();
	st = run_child(self, "late-disconnect", &ms);
	result(st == 6 && mock_wait_outstanding(0, 2000) && mock_counter("checkins") == 2 &&
	       mock_counter("requests_total") == 4,
	       "an application exit handler that disconnects after credshim's: status %d, two checkouts and "
	       "two check-ins, nothing sent twice (%ld requests)", st, mock_counter("requests_total"));

	/* The PAM hangs at exit: the handler gives up after its 5 s budget. */
	mock_reset();
	mock_fault("slow", "checkin", -1, 9);
	st = run_child(self, "return", &ms);
	result(st == 0 && ms >= 4000 && ms < 8000L * g.slow,
	       "exit while the PAM hangs on check-in: the process still ends, in %ld ms (budget 5 s)", ms);
	mock_wait_gone(1, 10000);
	mock_reset();
	result(mock_outstanding() == 2, "... leaving both credentials to the PAM's expiry");
	mock_checkin_all();

	/* A check-in that failed at SQLDisconnect (all 3 attempts) is retried
	 * by the exit handler when it falls due (1 s later), within the exit
	 * budget: nothing is left out although the program never connects
	 * again. */
	mock_reset();
	mock_fault("http500", "checkin", 3, 0);
	st = run_child(self, "disconnect-return", &ms);
	result(st == 7 && ms >= 1000 && mock_wait_outstanding(0, 2000) && mock_counter("checkouts") == 2 &&
	       mock_counter("checkins") == 2 && mock_counter("requests_total") == 7,
	       "a check-in refused 3 times at SQLDisconnect, then the program returns: the exit handler "
	       "checks it in 1 s later (status %d, %ld ms, %ld requests: 2 checkouts, 3 refused, 2 check-ins)",
	       st, ms, mock_counter("requests_total"));
	mock_checkin_all();

	/* _exit skips exit handlers, like a crash: the PAM's expiry is the backstop. */
	mock_reset();
	st = run_child(self, "_exit", &ms);
	result(st == 5 && mock_outstanding() == 2,
	       "_exit (no exit handlers run): the checkouts stay out until the PAM's expiry");
	mock_checkin_all();
	end_nothing_outstanding();
}

/* ---- secrets ------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, len = 0, r;

	*n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (len + 65536 > cap) {
			char *q = realloc(p, cap = len + 65536 * 2);

			if (!q)
				die("out of memory");
			p = q;
		}
		r = fread(p + len, 1, cap - len - 1, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	p[len] = '\0';
	*n = len;
	return p;
}

/* Whether secret s (or its brace-escaped form) occurs in text. */
static int leaks(const char *text, size_t n, const char *s)
{
	char *b;
	int r;

	if (!text || !*s)
		return 0;
	if (memmem(text, n, s, strlen(s)))
		return 1;
	b = braced(s);
	r = memmem(text, n, b + 1, strlen(b) - 2) != NULL;
	free(b);
	return r;
}

static void t_secrets(void)
{
	SQLHENV env = env_new();
	SQLHDBC a = dbc_new(env), b = dbc_new(env);
	char *log = xprintf("%s/shim.log", g.dir), *trace = xprintf("%s/odbc-trace.log", g.dir);
	char *mocklog = xprintf("%s/mock.log", g.dir);
	char *c, *t2, *badtok;
	char out[4096];
	size_t nlog, ntrace, nmock, nbad;
	char *tlog, *ttrace, *tmock;
	char **pw;
	struct diag d;
	int npw, i, leak;
	struct {
		const char *name;
		const char *text;
		size_t n;
		int token2_allowed;
	} where[4];

	mock_reset();
	/* Token from a file, debug log on: connect, query, disconnect. */
	c = xprintf("%s;PamRunHost=pg1;PamTokenFile=%s;ShimLogFile=%s;ShimLogLevel=debug", g.conn,
		    g.token_file, log);
	result(connect_ok(a, c, 0, out, sizeof(out)) && current_user_is(a, "cs_app1") && disconnect_ok(a),
	       "secrets: PamTokenFile, ShimLogLevel=debug: connect, query, disconnect");
	free(c);
	/* DSN with the token file, W call. */
	result(connect_ok(a, "DSN=pam_pg2;ShimLogLevel=debug", 1, out, sizeof(out)) && disconnect_ok(a),
	       "secrets: DSN=pam_pg2 (W): connect, disconnect");
	/* Token from the environment. */
	c = xprintf("%s;PamRunHost=pg2;PamTokenEnv=PAM_TOKEN;ShimLogLevel=debug", g.conn);
	result(connect_ok(a, c, 1, out, sizeof(out)) && disconnect_ok(a),
	       "secrets: PamTokenEnv (W): connect, disconnect");
	free(c);
	/* Token in the connection string, A and W (first, where unixODBC's
	 * trace, which cuts strings at about 100 bytes, shows it). */
	t2 = braced(g.token2);
	c = xprintf("PamToken=%s;%s;PamRunHost=pg1;ShimLogLevel=debug", t2, g.conn);
	result(connect_ok(a, c, 0, out, sizeof(out)) && disconnect_ok(a) &&
	       connect_ok(a, c, 1, out, sizeof(out)) && disconnect_ok(a),
	       "secrets: PamToken in the connection string (A and W): connect, disconnect");
	free(c);
	free(t2);
	/* A shared checkout refused after a forced check-in: the retry path. */
	result(connect_ok(a, "DSN=pam_pg1", 0, NULL, 0), "secrets: forced check-in: first connection");
	mock_checkin_all();
	result(connect_ok(b, "DSN=pam_pg1", 0, NULL, 0) && disconnect_ok(b),
	       "secrets: forced check-in: the second connection checks out afresh");
	SQLDisconnect(a);
	diag_get(SQL_HANDLE_DBC, a, &d);   /* collected for the check below */
	/* Refusals and a failed check-in, whose messages are checked too. */
	expect_refused(env, "secrets: bad token", "DSN=pam_badtoken", "28000", "API token", 5000, 0);
	if (connect_ok(a, "DSN=pam_pg1", 0, NULL, 0)) {
		mock_fault("http500", "checkin", -1, 0);
		SQLDisconnect(a);
		diag_get(SQL_HANDLE_DBC, a, &d);
		mock_reset();
		mock_checkin_all();
	}
	result(conn_a(a, "DSN=pam_nodb", NULL, 0) == SQL_ERROR, "secrets: target login failure");
	diag_get(SQL_HANDLE_DBC, a, &d);
	dbc_free(a);
	dbc_free(b);
	SQLFreeHandle(SQL_HANDLE_ENV, env);   /* ends the driver manager's trace of this env */

	pw = mock_all_passwords(&npw);
	badtok = read_file(g.bad_token_file, &nbad);
	if (badtok)
		badtok[strcspn(badtok, "\r\n")] = '\0';
	tlog = read_file(log, &nlog);
	ttrace = read_file(trace, &ntrace);
	tmock = read_file(mocklog, &nmock);
	result(npw >= 7, "secrets: the mock issued %d passwords to check for", npw);
	result(tlog && strstr(tlog, "checked out request") && strstr(tlog, "checking out afresh") &&
	       strstr(tlog, "check-in of request"),
	       "secrets: credshim's debug log records checkouts, the retry and the failed check-in");
	result(ttrace && strstr(ttrace, "SQLDriverConnect"), "secrets: unixODBC's trace is on (%zu bytes)",
	       ntrace);
	where[0].name = "credshim's log";
	where[0].text = tlog;
	where[0].n = nlog;
	where[0].token2_allowed = 0;
	/* The driver manager traces the connection string the application
	 * passes: a PamToken written there is in the trace, by unixODBC. */
	where[1].name = "unixODBC's trace";
	where[1].text = ttrace;
	where[1].n = ntrace;
	where[1].token2_allowed = 1;
	where[2].name = "the mock's log";
	where[2].text = tmock;
	where[2].n = nmock;
	where[2].token2_allowed = 0;
	where[3].name = "output connection strings and diagnostics";
	where[3].text = g_seen;
	where[3].n = g_seen_n;
	where[3].token2_allowed = 0;
	for (i = 0; i < 4; i++) {
		int k;

		leak = 0;
		for (k = 0; k < npw; k++)
			leak |= leaks(where[i].text, where[i].n, pw[k]);
		result(!leak, "secrets: no checked-out password in %s", where[i].name);
		result(!leaks(where[i].text, where[i].n, g.token) &&
		       !leaks(where[i].text, where[i].n, strchr(g.token, '-') + 1),
		       "secrets: the API token from the file / environment is not in %s", where[i].name);
		result(!badtok || !leaks(where[i].text, where[i].n, badtok),
		       "secrets: the refused token is not in %s", where[i].name);
		if (!where[i].token2_allowed)
			result(!leaks(where[i].text, where[i].n, g.token2) &&
			       !leaks(where[i].text, where[i].n, strrchr(g.token2, '-') + 1),
			       "secrets: the API token passed as PamToken is not in %s", where[i].name);
		else if (leaks(where[i].text, where[i].n, g.token2))
			note("(PamToken written in the application's connection string appears in unixODBC's "
			     "own trace of SQLDriverConnect: the driver manager logs what the application "
			     "passes)");
	}
	for (i = 0; i < npw; i++) {
		explicit_bzero(pw[i], strlen(pw[i]));
		free(pw[i]);
	}
	free(pw);
	free(tlog);
	free(ttrace);
	free(tmock);
	free(badtok);
	free(log);
	free(trace);
	free(mocklog);
	end_nothing_outstanding();
}

/* ---- expiry: a shared checkout near its end is not handed out -------------- */

/*
 * PamDuration=1: credshim hands a shared checkout to new connections only
 * until its duration minus the safety margin (6 s of a minute here), since
 * the PAM rotates the password when the duration ends.  A connection made
 * after that takes a checkout of its own (the pool of two has a second
 * account), and the old one is checked in when its last connection ends.
 */
static void t_expiry(void)
{
	SQLHENV env = env_new();
	SQLHDBC a = dbc_new(env), b = dbc_new(env);
	static const char conn[] = "DSN=pam_pg2;PamDuration=1";
	char ua[64] = "", ub[64] = "";
	long long t0;
	int ok;

	mock_reset();
	t0 = now_ms();
	ok = connect_ok(a, conn, 0, NULL, 0) && query_text(a, "SELECT current_user", ua, sizeof(ua)) == 0;
	result(ok && mock_counter("checkouts") == 1, "expiry: the first connection checks out (as %s)", ua);
	/* 55 s after the checkout: past 60 s minus the 6 s margin. */
	while (now_ms() - t0 < 55000)
		sleep_ms(500);
	ok = connect_ok(b, conn, 0, NULL, 0) && query_text(b, "SELECT current_user", ub, sizeof(ub)) == 0;
	result(ok && mock_counter("checkouts") == 2 && strcmp(ua, ub) != 0,
	       "expiry: a connection 55 s into a 1-minute checkout gets a checkout of its own (%s, not %s)",
	       ub, ua);
	result(disconnect_ok(a) && mock_wait_outstanding(1, 3000) && mock_counter("checkins") == 1,
	       "expiry: the old checkout is checked in when its last connection ends");
	result(disconnect_ok(b) && mock_wait_outstanding(0, 3000), "expiry: and the new one at its disconnect");
	dbc_free(a);
	dbc_free(b);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- lifecycle: renewal, retried check-ins, a forked child (run_c.sh) ----------------- */

/*
 * run_c.sh runs these with a 5-second minute at the mock and in credshim
 * (CREDSHIM_TEST_MINUTE_MS): PamDuration=1 expires 5 s after the
 * checkout and credshim's margin is its tenth, 0.5 s.  runHost pg1 has a
 * pool of one.  With agent, every connection goes through credshim-agent
 * (PamAgent=1, started by the first connect).
 */
static char *lc_conn(int agent, const char *extra)
{
	const char *prog = getenv("CS_AGENT_PROG"), *sock = getenv("PAM_AGENT_SOCK");
	char *more, *c;

	if (agent && (!prog || !sock))
		die("CS_AGENT_PROG and PAM_AGENT_SOCK must be set (run_c.sh, pam.cmake)");
	more = agent ? xprintf("%s;PamAgent=1;PamAgentSocket={%s};PamAgentPath={%s}", extra, sock, prog) :
		       xprintf("%s", extra);
	c = pam_conn("pg1", more);
	free(more);
	return c;
}

#define LC_RING 4

/*
 * Connections overlap without a pause across two expiries: every 200 ms
 * a new one connects and each open one queries, and the oldest of
 * LC_RING disconnects.  Renewal gives the new ones a fresh credential
 * while the old ones keep their sessions (PostgreSQL keeps a session
 * when its role's password changes).
 */
static void lc_renewal(SQLHENV env, int agent)
{
	SQLHDBC ring[LC_RING] = { 0 };
	char *c = lc_conn(agent, "PamDuration=1");
	long long t0, third = 0;
	long co, ci, auto_ci;
	int i, rounds = 0, bad_connect = 0, bad_query = 0, bad_disc = 0;

	mock_reset();
	t0 = now_ms();
	/* Until a second past the third checkout (two renewals), 15 s at most. */
	while (now_ms() - t0 < 15000 && !(third && now_ms() - third > 1000)) {
		int k = rounds++ % LC_RING;
		char v[16];

		if (ring[k]) {
			bad_disc += !disconnect_ok(ring[k]);
			dbc_free(ring[k]);
		}
		ring[k] = dbc_new(env);
		if (!connect_ok(ring[k], c, 0, NULL, 0)) {
			note("connect %d failed at %lld ms", rounds, now_ms() - t0);
			bad_connect++;
			dbc_free(ring[k]);
			ring[k] = NULL;
		}
		for (i = 0; i < LC_RING; i++)
			if (ring[i] && query_text(ring[i], "SELECT 1", v, sizeof(v)) != 0)
				bad_query++;
		if (!third && mock_counter("checkouts") >= 3)
			third = now_ms();
		sleep_ms(200);
	}
	for (i = 0; i < LC_RING; i++) {
		if (ring[i]) {
			bad_disc += !disconnect_ok(ring[i]);
			dbc_free(ring[i]);
		}
	}
	co = mock_counter("checkouts");
	result(bad_connect == 0, "renewal: %d connects overlapping across two expiries (%lld ms, 5 s "
	       "checkouts), none failed (%d failed)", rounds, now_ms() - t0, bad_connect);
	result(bad_query == 0, "renewal: every open connection kept querying across the password "
	       "changes (%d failed queries)", bad_query);
	result(bad_disc == 0, "renewal: every disconnect SQL_SUCCESS (%d not)", bad_disc);
	result(co >= 3, "renewal: %ld checkouts (two renewals at least)", co);
	result(mock_wait_outstanding(0, 3000), "renewal: nothing outstanding after the last disconnect");
	ci = mock_counter("checkins");
	auto_ci = mock_counter("auto_checkins");
	result(ci == co && auto_ci == 0, "renewal: every checkout checked in once by credshim (%ld "
	       "checkouts, %ld check-ins, %ld expired at the PAM)", co, ci, auto_ci);
	free(c);
}

/* Lines of the log at path that hold both a and b. */
static int lc_log_count(const char *path, const char *a, const char *b)
{
	size_t n = 0;
	char *text = read_file(path, &n), *line, *end;
	int k = 0;

	if (!text)
		return 0;
	for (line = text; line < text + n; line = end + 1) {
		end = memchr(line, '\n', (size_t)(text + n - line));
		if (!end)
			end = text + n;
		*end = '\0';
		if (strstr(line, a) && strstr(line, b))
			k++;
	}
	free(text);
	return k;
}

/*
 * A check-in that fails three times, then succeeds: in-process the
 * connects that get 409 retry it first; through the agent, the agent
 * retries it by itself with backoff.  Nothing is left out and the PAM
 * gets the request back exactly once.
 */
static void lc_retry(SQLHENV env, int agent)
{
	/* The log that says what was retried: the agent's, or credshim's own. */
	char *log = agent ? xprintf("%s", getenv("CREDSHIM_AGENT_LOG")) : xprintf("%s/lc-shim.log", g.dir);
	char *extra = xprintf("PamDuration=5;ShimLogFile={%s/lc-shim.log};ShimLogLevel=info", g.dir);
	char *c = lc_conn(agent, extra);
	SQLHDBC a = dbc_new(env), b;
	char id[128], acc[128];
	long long t0;
	int fails = 0, ok, tries;
	SQLRETURN rc;

	mock_reset();
	if (!connect_ok(a, c, 0, NULL, 0) || !mock_only(id, sizeof(id), acc, sizeof(acc))) {
		result(0, "retry: connect");
		goto out;
	}
	mock_fault("http500", "checkin", -1, 0);
	rc = SQLDisconnect(a);
	result(rc == SQL_SUCCESS_WITH_INFO, "retry: the check-in of request %s fails: SQLDisconnect "
	       "SQL_SUCCESS_WITH_INFO (rc %d)", id, (int)rc);
	t0 = now_ms();
	for (tries = 0; now_ms() - t0 < 15000; tries++) {
		fails = lc_log_count(log, id, "failed (attempt");
		if (fails >= 3)
			break;
		if (!agent) {
			/* Pool of one: the PAM answers 409, and the connect retries
			 * the pending check-in first. */
			b = dbc_new(env);
			if (SQL_SUCCEEDED(conn_a(b, c, NULL, 0))) {
				result(0, "retry: a connect succeeded while the check-in failed");
				SQLDisconnect(b);
			}
			dbc_free(b);
		} else {
			sleep_ms(200);
		}
	}
	result(fails == 3, "retry: three failed attempts logged for request %s (%d, %s)", id, fails,
	       agent ? "by the agent, in the background" : "each by a connect that got 409");
	mock_reset();                         /* the PAM answers again */
	if (agent) {
		ok = mock_wait_outstanding(0, 10000);
		result(ok, "retry: the agent's next attempt checks request %s in", id);
	}
	b = dbc_new(env);
	ok = connect_ok(b, c, 0, NULL, 0) && disconnect_ok(b);
	dbc_free(b);
	result(ok, "retry: %sa connect and disconnect succeed", agent ? "then " : "the pending check-in "
	       "goes first, then ");
	result(mock_wait_outstanding(0, 3000) && mock_counter("checkins") == 2 &&
	       mock_counter("checkouts") == 1, "retry: request %s checked in once, nothing left out "
	       "(%ld check-ins since the PAM answers again, 1 expected for it + 1 for the new one)", id,
	       mock_counter("checkins"));
	result(lc_log_count(log, id, "checked in request") == 1 &&
	       lc_log_count(log, id, "(attempt 4)") == 1, "retry: the log says attempt 4 succeeded, once");
out:
	dbc_free(a);
	free(c);
	free(extra);
	free(log);
}

/*
 * fork: the child disconnects the connection it inherited (as pyodbc's
 * finalizer does at sys.exit) and exits, while the parent connects and
 * queries; the credential stays out until the parent's own last
 * disconnect checks it in, once.
 */
static void lc_fork(SQLHENV env, int agent)
{
	char *c = lc_conn(agent, "PamDuration=5");
	SQLHDBC a = dbc_new(env), b = dbc_new(env);
	int status = -1, bad = 0, i, ok;
	char v[16];
	pid_t pid;

	mock_reset();
	if (!connect_ok(a, c, 0, NULL, 0)) {
		result(0, "fork: connect");
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		SQLDisconnect(a);
		SQLFreeHandle(SQL_HANDLE_DBC, a);
		exit(0);                      /* the exit handlers run too */
	}
	ok = connect_ok(b, c, 0, NULL, 0);
	for (i = 0; i < 20; i++) {
		bad += query_text(b, "SELECT 1", v, sizeof(v)) != 0;
		sleep_ms(25);
	}
	result(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "fork: the child disconnected its inherited connection and exited");
	result(ok && bad == 0 && query_text(b, "SELECT 1", v, sizeof(v)) == 0,
	       "fork: the parent connected and kept querying meanwhile (%d failed queries)", bad);
	result(mock_counter("checkins") == 0 && mock_outstanding() == 1,
	       "fork: the child checked nothing in (%ld check-ins, %d outstanding)",
	       mock_counter("checkins"), mock_outstanding());
	/* The child's disconnect went to the server over the socket both
	 * share: what is left of a is the parent's to close, however the
	 * target answers. */
	SQLDisconnect(a);
	result(mock_counter("checkins") == 0, "fork: the parent's first disconnect keeps it out "
	       "for its other connection");
	result(disconnect_ok(b) && mock_wait_outstanding(0, 3000) && mock_counter("checkins") == 1,
	       "fork: the parent's last disconnect checks it in, once");
out:
	dbc_free(a);
	dbc_free(b);
	free(c);
}

static void t_lifecycle(int agent)
{
	SQLHENV env = env_new();

	lc_renewal(env, agent);
	lc_retry(env, agent);
	lc_fork(env, agent);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- main ------------------------------------------------------------------------------ */

/* ---- connstr: the checked-out login is the only one the target sees -------- */

/* Nonzero when the output connection string holds a login key or the token. */
static int out_has_login(const char *out)
{
	static const char *const keys[] = { "UID=", "PWD=", "Password=", "Username=", "USER=", "User ID=",
					    "PamToken=" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = out;
		size_t n = strlen(keys[i]);

		for (; (p = strcasestr(p, keys[i])) != NULL; p += n)
			if (p == out || p[-1] == ';')
				return 1;
	}
	return 0;
}

static void t_connstr(void)
{
	SQLHENV env = env_new();
	SQLHDBC a = dbc_new(env), b = dbc_new(env), c = dbc_new(env);
	char out[4096], *conn, *bpw = braced(g.pg_password);
	struct diag d;
	SQLRETURN rc;
	int ok;

	/* Every user and password alias of the application is dropped: the
	 * target (psqlODBC reads Username and Password) logs in with the
	 * checked-out account, not with cs_user's own working credential. */
	mock_reset();
	conn = xprintf("DSN=pam_pg1;Username=cs_user;Password=%s;USER=cs_user;User ID=cs_user;PASSWORD=x", bpw);
	ok = connect_ok(a, conn, 0, out, sizeof(out));
	result(ok && current_user_is(a, "cs_app1"),
	       "aliases: Username/Password/USER/User ID of the application are ignored, the login is cs_app1");
	result(ok && strncmp(out, "DSN=pam_pg1", 11) == 0 && !out_has_login(out) && !strstr(out, g.pg_password),
	       "aliases: the output string starts with DSN=pam_pg1 and holds no login, no password, no token");
	if (ok && out_has_login(out))
		note("output: %s", out);
	result(ok && disconnect_ok(a) && mock_wait_outstanding(0, 3000), "aliases: checked in");
	free(conn);

	/* A TargetDSN's own Username/Password in odbc.ini are overridden. */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1_tdsn", 1, out, sizeof(out));
	result(ok && current_user_is(a, "cs_app1"),
	       "TargetDSN: its Username/Password in odbc.ini give way to the checked-out cs_app1");
	result(ok && !out_has_login(out) && !strstr(out, "DSN=pam_target_login"),
	       "TargetDSN: the output string holds no login and names credshim's DSN only");
	result(ok && disconnect_ok(a) && mock_wait_outstanding(0, 3000), "TargetDSN: checked in");

	/* A joined login the database refuses, with a pool of one held by
	 * this very checkout: the fresh checkout cannot help (409), so the
	 * application gets credshim's 28000 saying the checkout stays shared,
	 * then the target's own error (not the failed fresh checkout's), and
	 * the checkout stays shared for the connection using it and the ones
	 * to come. */
	mock_reset();
	ok = connect_ok(a, "DSN=pam_pg1", 0, NULL, 0);
	result(ok && mock_outstanding() == 1, "refused join: the first connection holds pg1's only account");
	rc = conn_a(b, "DSN=pam_pg1;Database=cs_refused", NULL, 0);
	diag_get(SQL_HANDLE_DBC, b, &d);
	ok = rc == SQL_ERROR && d.n > 1 && strcmp(d.state[0], "28000") == 0 &&
	     strncmp(diag_text(d.msg[0]), "[credshim] ", 11) == 0 &&
	     strstr(d.msg[0], "runHost pg1 (account cs_app1, request ") &&
	     strstr(d.msg[0], "it stays checked out, shared by other connections of this process") &&
	     strcmp(d.state[1], "08004") != 0 && !strstr(d.msg[1], "[credshim]") &&
	     strstr(d.msg[1], "authentication failed");
	result(ok, "refused join: credshim's 28000 (the checkout stays shared), then the target's own "
	       "refusal, not the failed fresh checkout");
	if (!ok)
		diag_print(&d);
	result(mock_outstanding() == 1 && current_user_is(a, "cs_app1"),
	       "refused join: the first connection and its checkout are untouched");
	ok = connect_ok(c, "DSN=pam_pg1", 1, NULL, 0);
	result(ok && current_user_is(c, "cs_app1") && mock_outstanding() == 1,
	       "refused join: a later connect still joins the shared checkout");
	result(ok && disconnect_ok(c) && disconnect_ok(a) && mock_wait_outstanding(0, 3000),
	       "refused join: the last disconnect checks it in");

	explicit_bzero(bpw, strlen(bpw));
	free(bpw);
	dbc_free(a);
	dbc_free(b);
	dbc_free(c);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* ---- passwords: every password style, through the W and A targets ------ */

/* Whether pw holds every character (UTF-8 sequences too) of must. */
static int has_all(const char *pw, const char *const *must)
{
	for (; *must; must++)
		if (!strstr(pw, *must))
			return 0;
	return 1;
}

/*
 * Each password style of the mock (tests/mockpam/README.md) logs in
 * through psqlODBC's Unicode and ANSI drivers, each called by credshim in
 * the variant the application used: 4 logins per style.  "symbols" has
 * '+' and '%' and nothing that needs braces, which psqlODBC percent-decodes
 * when a PWD value reaches it unbraced.
 */
static void t_passwords(void)
{
	static const char *const hostile[] = { ";", "{", "}", "=", "'", "\"", " ", "%", NULL };
	static const char *const symbols[] = { "+", "%", "&", "#", "!", "~", "^", "*", NULL };
	static const char *const spaces[] = { " ", "+", "%", NULL };
	static const char *const utf8[] = { "\xc3\xa9", "\xc3\x9f", "\xe6\x97\xa5", "\xe2\x82\xac", NULL };
	static const char *const mixed[] = { ";", "}", "+", "%", "\xc3\xa9", NULL };
	static const struct {
		const char *style;
		const char *const *must;
	} styles[] = {
		{ "hostile", hostile }, { "symbols", symbols }, { "spaces", spaces },
		{ "utf8", utf8 }, { "mixed", mixed },
	};
	SQLHENV env = env_new();
	SQLHDBC dbc = dbc_new(env);
	size_t i;
	int k;

	mock_reset();
	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		char body[64];

		snprintf(body, sizeof(body), "{\"style\":\"%s\"}", styles[i].style);
		mock_post("/_mock/password-style", body);
		for (k = 0; k < 4; k++) {
			const char *dsn = k & 1 ? "pam_pg1_a" : "pam_pg1";
			int wide = k >> 1;
			char *c = xprintf("DSN=%s", dsn), id[128], acct[128], pw[256];
			int ok = connect_ok(dbc, c, wide, NULL, 0);
			int styled = ok && mock_only(id, sizeof(id), acct, sizeof(acct)) &&
				     mock_password(id, pw, sizeof(pw)) && has_all(pw, styles[i].must);

			if (styled && strcmp(styles[i].style, "symbols") == 0)
				styled = !strpbrk(pw, ";{}= ");
			ok = ok && current_user_is(dbc, "cs_app1");
			ok = disconnect_ok(dbc) && ok;
			result(ok && styled, "passwords: style %s through %s (%s driver), %s call: logged in "
			       "as cs_app1 with a password holding the style's characters", styles[i].style,
			       dsn, k & 1 ? "ANSI" : "Unicode", wide ? "W" : "A");
			explicit_bzero(pw, sizeof(pw));
			free(c);
		}
	}
	mock_post("/_mock/password-style", "{\"style\":\"hostile\"}");
	result(mock_counter("checkouts") == 20 && mock_wait_outstanding(0, 3000),
	       "passwords: 20 checkouts, all checked in");
	dbc_free(dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- tokenfile: what PamTokenFile may be ------------------------------- */

/* The FIFO case must not hang the test: a connect still blocked in open()
 * after this many seconds ends the program with a FAIL line. */
#define TOKENFILE_FIFO_BOUND_S 10

static void fifo_alarm(int sig)
{
	static const char m[] = "FAIL tokenfile: PamTokenFile a FIFO: the connect still blocks\n";
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, m, sizeof(m) - 1);
	(void)w;
	_exit(1);
}

/* A copy of the token file at path, mode 0600; the new file's path. */
static char *token_copy(const char *path)
{
	size_t n;
	char *t = read_file(g.token_file, &n);
	FILE *f = fopen(path, "w");

	if (!t || !f || fchmod(fileno(f), 0600) != 0 || fwrite(t, 1, n, f) != n)
		die("cannot write %s", path);
	fclose(f);
	free(t);
	return xprintf("%s", path);
}

/* A connect with PamTokenFile=path is refused with 08001 and the message
 * want (freed here). */
static void token_file_refused(SQLHENV env, const char *label, const char *path, char *want)
{
	char *c = xprintf("%s;PamRunHost=pg1;PamTokenFile=%s", g.conn, path);

	expect_refused(env, label, c, "08001", want, 3000, 0);
	free(c);
	free(want);
}

/*
 * PamTokenFile is refused, 08001 naming the key, the file and the reason,
 * unless it is a regular file (not a FIFO, which would block open(), not
 * a directory, not a symbolic link) owned by the effective user (root
 * too) and private to it; nothing reaches the PAM.
 */
static void t_tokenfile(void)
{
	SQLHENV env = env_new();
	char *fifo = xprintf("%s/token.fifo", g.dir), *link = xprintf("%s/token.link", g.dir);
	char *other = xprintf("%s/token.other", g.dir);
	const char *other_path;
	unsigned other_uid;

	mock_reset();
	if (mkfifo(fifo, 0600) != 0)
		die("mkfifo %s: %s", fifo, strerror(errno));
	if (symlink(g.token_file, link) != 0)
		die("symlink %s: %s", link, strerror(errno));
	free(token_copy(other));
	if (geteuid() == 0) {
		/* root: a private token file of another user is refused too */
		if (chown(other, 65534, 65534) != 0)
			die("chown %s nobody: %s", other, strerror(errno));
		other_path = other;
		other_uid = 65534;
	} else {
		/* not root: a readable file owned by root */
		other_path = "/etc/passwd";
		other_uid = 0;
	}

	signal(SIGALRM, fifo_alarm);
	alarm(TOKENFILE_FIFO_BOUND_S * (unsigned)g.slow);
	token_file_refused(env, "PamTokenFile a FIFO (no hang)", fifo,
			   xprintf("PamTokenFile %s is a FIFO, not a regular file", fifo));
	alarm(0);
	token_file_refused(env, "PamTokenFile a directory", g.dir,
			   xprintf("PamTokenFile %s is a directory, not a regular file", g.dir));
	token_file_refused(env, "PamTokenFile a symbolic link to the good token file", link,
			   xprintf("PamTokenFile %s is a symbolic link", link));
	token_file_refused(env, geteuid() == 0 ? "PamTokenFile 0600 owned by nobody, running as root" :
			   "PamTokenFile owned by root", other_path,
			   xprintf("PamTokenFile %s is owned by uid %u, not by the user the program "
				   "runs as (uid %u)", other_path, other_uid, (unsigned)geteuid()));
	token_file_refused(env, "PamTokenFile readable by others", g.open_token_file,
			   xprintf("PamTokenFile %s is accessible by group or others (mode 644)",
				   g.open_token_file));

	result(mock_counter("requests_total") == 0, "tokenfile: none of the refusals sent anything to the PAM");
	unlink(fifo);
	unlink(link);
	unlink(other);
	free(fifo);
	free(link);
	free(other);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- refused: the database refuses a checked-out credential ------------- */

/* The id of the last real checkout the mock issued ("" when none). */
static void mock_last_id(char *id, size_t idlen)
{
	cJSON *j = mock_call("GET", "/_mock/issued", NULL);
	cJSON *list = j ? cJSON_GetObjectItem(j, "issued") : NULL;
	int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	cJSON *i = n > 0 ? cJSON_GetObjectItem(cJSON_GetArrayItem(list, n - 1), "id") : NULL;

	snprintf(id, idlen, "%s", cJSON_IsString(i) ? i->valuestring : "");
	cJSON_Delete(j);
}

/*
 * A joined checkout the database refuses: the one fresh retry, refused
 * too (wrong_passwd), and the 28000 names the fresh request, checked in
 * again.  Connection a holds the shared checkout, whose password an
 * administrator's forced check-in (with rotation) has made stale.
 */
static void refused_joined(SQLHENV env, SQLHDBC b)
{
	SQLHDBC a = dbc_new(env);
	char id[128], *want;
	struct diag d;
	SQLRETURN rc;
	int ok;

	mock_reset();
	if (!connect_ok(a, "DSN=pam_pg2", 0, NULL, 0)) {
		result(0, "refused (joined): the first connection");
		dbc_free(a);
		return;
	}
	mock_checkin_all();
	mock_fault("wrong_passwd", "checkout", 1, 0);
	rc = conn_a(b, "DSN=pam_pg2", NULL, 0);
	diag_get(SQL_HANDLE_DBC, b, &d);
	mock_last_id(id, sizeof(id));
	want = xprintf("the database refused the login with the credential checked out from the PAM for "
		       "runHost pg2 (account cs_app");
	ok = rc == SQL_ERROR && d.n >= 2 && strcmp(d.state[0], "28000") == 0 && strstr(d.msg[0], want);
	free(want);
	want = xprintf("request %s); it was checked in again", id);
	ok = ok && *id && strstr(d.msg[0], want) && !strstr(d.msg[1], "[credshim]");
	result(ok && mock_counter("checkouts") == 2,
	       "refused (joined): after the fresh retry, credshim's 28000 names the fresh request, "
	       "checked in again, then the target's records");
	if (!ok)
		diag_print(&d);
	free(want);
	/* a's check-in of the request the administrator took back: 01000 */
	rc = SQLDisconnect(a);
	result(SQL_SUCCEEDED(rc) && mock_wait_outstanding(0, 3000),
	       "refused (joined): the first connection disconnects, nothing outstanding");
	dbc_free(a);
}

/*
 * The mock hands out a password the database does not have (fault
 * wrong_passwd): credshim's 28000 comes first (runHost, account, request,
 * checked in again), then the target's own records; the same at error
 * level in ShimLogFile.  Through the A and the W call.
 */
static void t_refused(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = dbc_new(env);
	char *log = xprintf("%s/refused.log", g.dir), *text, id[128], *want;
	int round;

	unlink(log);
	/* rounds: A call, W call, A call with PamLinger (a refused credential
	 * does not linger) */
	for (round = 0; round < 3; round++) {
		int wide = round == 1;
		const char *how = round == 0 ? "A call" : round == 1 ? "W call" : "A call, PamLinger=30";
		char *c = xprintf("DSN=pam_pg1;ShimLogFile=%s;ShimLogLevel=error%s", log,
				  round == 2 ? ";PamLinger=30" : "");
		long co, ci;
		struct diag d;
		SQLRETURN rc;
		size_t n;
		int ok;

		/* (the log stays open in the process: each round has its id) */
		mock_reset();
		mock_fault("wrong_passwd", "checkout", 1, 0);
		rc = wide ? conn_w(dbc, c, NULL, 0) : conn_a(dbc, c, NULL, 0);
		diag_get(SQL_HANDLE_DBC, dbc, &d);
		mock_last_id(id, sizeof(id));
		want = xprintf("the database refused the login with the credential checked out from the "
			       "PAM for runHost pg1 (account cs_app1, request %s); it was checked in again",
			       id);
		ok = rc == SQL_ERROR && d.n >= 2 && strcmp(d.state[0], "28000") == 0 &&
		     strncmp(diag_text(d.msg[0]), "[credshim] ", 11) == 0 && *id && strstr(d.msg[0], want);
		result(ok, "refused (%s): the first record is credshim's 28000 naming runHost, account, "
		       "request and the check-in", how);
		ok = d.n >= 2 && !strstr(d.msg[1], "[credshim]") &&
		     strstr(d.msg[1], "password authentication failed for user \"cs_app1\"");
		result(ok, "refused (%s): the target's record follows unchanged", how);
		if (!ok || d.n < 2)
			diag_print(&d);
		co = mock_counter("checkouts");
		ci = mock_counter("checkins");
		result(co == 1 && ci == 1 && mock_wait_outstanding(0, 3000),
		       "refused (%s): one checkout, checked in at once (%ld/%ld)", how, co, ci);
		text = read_file(log, &n);
		ok = text && strstr(text, want) && strstr(text, "error");
		result(ok, "refused (%s): the same at error level in ShimLogFile", how);
		if (!ok)
			note("log: %.600s", text ? text : "(none)");
		free(text);
		free(want);
		free(c);
	}
	refused_joined(env, dbc);
	dbc_free(dbc);
	free(log);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* ---- hostile: a PAM that breaks off, lies or injects ------------------------------ */

/* Queues a fault with a "value" (an id, account, message or token part). */
static void mock_fault_value(const char *mode, const char *value)
{
	cJSON *f = cJSON_CreateObject();
	char *body;

	cJSON_AddStringToObject(f, "mode", mode);
	cJSON_AddStringToObject(f, "on", "checkout");
	cJSON_AddNumberToObject(f, "count", 1);
	cJSON_AddStringToObject(f, "value", value);
	body = cJSON_PrintUnformatted(f);
	if (!body)
		die("out of memory");
	mock_post("/_mock/fault", body);
	free(body);
	cJSON_Delete(f);
}

/* The first run of 8 bytes of the API token that text quotes, or NULL. */
static const char *quotes_token(const char *text)
{
	static char win[9];
	size_t i, n = strlen(g.token);

	for (i = 0; i + 8 <= n; i++) {
		memcpy(win, g.token + i, 8);
		win[8] = '\0';
		if (strstr(text, win))
			return win;
	}
	return NULL;
}

/* Every line of the log starts as credshim starts one: nothing forged. */
static int log_lines_ours(const char *text)
{
	const char *p = text, *nl;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (strncmp(p, "20", 2) != 0 || strncmp(p + 24, " credshim[", 10) != 0 ||
		    strncmp(p, "2026-12-02T00:00:00.000Z", 24) == 0) {
			note("log line not credshim's: %.120s", p);
			return 0;
		}
	}
	return 1;
}

/*
 * Connects and expects a refusal: SQL_ERROR with state in the first record,
 * its text holding text; returns the diagnostics in *d.
 */
static int refused_with(SQLHENV env, const char *conn, const char *state, const char *text,
			long max_ms, struct diag *d)
{
	SQLHDBC dbc = dbc_new(env);
	long long t0 = now_ms();
	SQLRETURN rc = conn_a(dbc, conn, NULL, 0);
	long el = (long)(now_ms() - t0);
	int ok;

	diag_get(SQL_HANDLE_DBC, dbc, d);
	ok = rc == SQL_ERROR && d->n > 0 && strcmp(d->state[0], state) == 0 &&
	     strstr(d->msg[0], text) && el <= max_ms * g.slow;
	if (!ok) {
		note("rc %d in %ld ms, wanted %s naming '%s'", (int)rc, el, state, text);
		diag_print(d);
	}
	if (SQL_SUCCEEDED(rc))
		SQLDisconnect(dbc);
	dbc_free(dbc);
	return ok;
}

/* No record of credshim's holds a control character (the target's
 * records pass unchanged: psqlODBC quotes the account it was given). */
static int diag_escaped(const struct diag *d)
{
	const char *p;
	int i;

	for (i = 0; i < d->n; i++)
		for (p = d->msg[i]; strstr(d->msg[i], "[credshim]") && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return 0;
	return 1;
}

static void t_hostile(void)
{
	SQLHENV env = env_new();
	SQLHDBC dbc = dbc_new(env);
	char *log = xprintf("%s/hostile.log", g.dir);
	char *c = pam_conn("pgt", NULL), *cs, *cl;
	static const struct {
		const char *mode, *state, *extra;
		double delay;
	} held[] = {
		{ "held_drop", "08001", NULL, 0 },
		{ "held_empty", "08001", NULL, 0 },
		{ "held_long", "08001", NULL, 0 },
		{ "held_stall", "HYT00", "PamTimeout=1", 5 },
	};
	static const char *const bad_ids[] = { ".", "..", "", "a/b", "../x", "a b", "a%2Fb", "a\nb" };
	static const char *const parts[] = { "head", "tail", "middle", "whole" };
	static const char forged[] = "\n2026-12-02T00:00:00.000Z credshim[1] error: forged line\r\x1b[2K";
	struct diag d;
	size_t i, n;
	char *text, what[160];
	long outs, reqs;
	int ok;

	/* A kept-alive connection to the PAM first: the one libcurl would reuse. */
	mock_reset();
	result(connect_ok(dbc, c, 0, NULL, 0) && disconnect_ok(dbc) && mock_wait_outstanding(0, 3000),
	       "warm-up: a checkout and a check-in over a kept-alive connection");

	/*
	 * The PAM checks out, then the answer never arrives whole.  Each over
	 * the kept-alive connection a cycle just left: an empty answer there
	 * is what libcurl would resend on a fresh connection by itself.
	 */
	for (i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		ok = connect_ok(dbc, c, 0, NULL, 0) && disconnect_ok(dbc);
		mock_reset();
		result(ok && mock_wait_outstanding(0, 3000), "%s: a cycle first, leaving a kept-alive connection",
		       held[i].mode);
		mock_fault(held[i].mode, "checkout", -1, held[i].delay);
		cs = pam_conn("pgt", held[i].extra);
		snprintf(what, sizeof(what), "%s: %s saying the PAM may hold a checkout for runHost pgt",
			 held[i].mode, held[i].state);
		result(refused_with(env, cs, held[i].state,
				    "the PAM may now hold a checkout for runHost pgt until its duration", 5000,
				    &d), "%s", what);
		outs = mock_counter("checkouts");
		reqs = mock_counter("requests_total");
		result(outs == 1 && reqs == 1 && mock_outstanding() == 1 && mock_counter("connections") == 0,
		       "%s: exactly one checkout (%ld), one request (%ld), over the kept-alive connection, held "
		       "at the PAM", held[i].mode, outs, reqs);
		mock_reset();
		mock_checkin_all();
		result(mock_wait_outstanding(0, 3000), "%s: forced check-in leaves nothing", held[i].mode);
		free(cs);
	}
	/* Nothing reached the PAM: retried into success (a refused connection
	 * is retried too: faults, "PAM unreachable"). */
	mock_reset();
	ok = connect_ok(dbc, c, 0, NULL, 0);
	mock_fault("drop", "checkin", 1, 0);
	result(ok && disconnect_ok(dbc) && mock_wait_outstanding(0, 3000) && mock_counter("checkins") == 1,
	       "a check-in answered with nothing is retried (PUT is idempotent): SQL_SUCCESS, checked in");

	/* Item 4: ids that are no path segment of their own. */
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		mock_reset();
		mock_fault_value("bad_id", bad_ids[i]);
		ok = refused_with(env, c, "08001", "CheckOut.Request.id", 5000, &d) &&
		     strstr(d.msg[0], "stays checked out until the PAM's expiry") && diag_escaped(&d);
		reqs = mock_counter("requests_total");
		result(ok && reqs == 1, "request id \"%s\": 08001, the credential stays out, no check-in sent "
		       "(%ld request)", strcmp(bad_ids[i], "a\nb") ? bad_ids[i] : "a\\nb", reqs);
	}

	/* Item 5: an account and a message with newlines forge no log line. */
	cl = pam_conn("pg1", NULL);
	free(c);
	c = xprintf("%s;ShimLogFile=%s;ShimLogLevel=debug", cl, log);
	free(cl);
	mock_reset();
	text = xprintf("acct%s", forged);
	mock_fault_value("bad_account", text);
	free(text);
	dbc_free(dbc);
	dbc = dbc_new(env);
	ok = conn_a(dbc, c, NULL, 0) == SQL_ERROR;
	diag_get(SQL_HANDLE_DBC, dbc, &d);
	result(ok && diag_escaped(&d), "account with a newline: the target refuses it, credshim's records "
	       "escaped");
	mock_reset();
	text = xprintf("denied%s", forged);
	mock_fault_value("message", text);
	free(text);
	ok = refused_with(env, c, "28000", "denied\\n2026-12-02T00:00:00.000Z credshim[1] error: forged "
			  "line\\r\\x1b[2K", 5000, &d) && diag_escaped(&d);
	result(ok, "message with a newline: 28000, the message escaped in the diagnostic");
	text = read_file(log, &n);
	result(text && n > 0 && log_lines_ours(text) && strstr(text, "(account acct\\n2026-12-02") &&
	       strstr(text, "denied\\n2026-12-02"),
	       "ShimLogFile: the account and the message escaped, no forged line");
	free(text);

	/* Item 6: whatever part of the token the PAM quotes, none shows. */
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *q;

		mock_reset();
		mock_fault_value("echo_token", parts[i]);
		ok = refused_with(env, c, "28000", "withheld", 5000, &d);
		for (q = NULL, n = 0; n < (size_t)d.n && !q; n++)
			q = quotes_token(d.msg[n]);
		result(ok && !q, "PAM message quoting the token's %s: 28000, no 8 bytes of the token shown%s%s",
		       parts[i], q ? ", quoted: " : "", q ? q : "");
	}
	mock_reset();
	text = xprintf("%.24s", g.token + strlen(g.token) - 24);
	mock_fault_value("bad_account", text);
	free(text);
	ok = refused_with(env, c, "08001", "quotes the API token", 5000, &d) && !quotes_token(d.msg[0]);
	result(ok, "an account quoting the token's tail: refused, not shown");
	text = read_file(log, &n);
	result(text && !quotes_token(text), "ShimLogFile quotes no 8 bytes of the token");
	free(text);

	mock_reset();
	mock_checkin_all();
	free(c);
	free(log);
	dbc_free(dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	end_nothing_outstanding();
}

/* The exit mode runs this very program again as its child. */
static void t_exit_self(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	t_exit(self);
}

static void t_lifecycle_in_process(void)
{
	t_lifecycle(0);
}

static void t_lifecycle_through_agent(void)
{
	t_lifecycle(1);
}

/* The modes, argv[1]: each one test of tests/integration (pam.<mode>). */
static const struct {
	const char *name;
	void (*run)(void);
} modes[] = {
	{ "basic", t_basic },
	{ "config", t_config },
	{ "faults", t_faults },
	{ "sharing", t_sharing },
	{ "threads", t_threads },
	{ "timeout", t_timeout },
	{ "exit", t_exit_self },
	{ "secrets", t_secrets },
	{ "expiry", t_expiry },
	{ "connstr", t_connstr },
	{ "lifecycle", t_lifecycle_in_process },
	{ "lifecycle_agent", t_lifecycle_through_agent },
	{ "hostile", t_hostile },
	{ "refused", t_refused },
	{ "tokenfile", t_tokenfile },
	{ "passwords", t_passwords },
};

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "";
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]) && strcmp(s, modes[i].name) != 0; i++)
		;
	if (i == sizeof(modes) / sizeof(modes[0]) && (strcmp(s, "child") != 0 || argc < 3)) {
		fprintf(stderr, "usage: pam_test MODE, one of:");
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			fprintf(stderr, " %s", modes[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_diag_seen = seen_add;
	config_load();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("curl_global_init failed");
	if (strcmp(s, "child") == 0 && argc > 2)
		return child_main(argv[2]);
	if (mock_outstanding() != 0)
		die("the mock at %s is not reachable or has checkouts outstanding", g.url);
	modes[i].run();
	free(g_seen);
	curl_global_cleanup();
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed || !g_passed ? 1 : 0;
}
