/* SPDX-License-Identifier: MIT */
/*
 * test_pam_parse.c - the PAM response parsers and request bodies
 * (driver/util/pam_proto.c), over canned responses.
 */
#include "check.h"
#include "util/pam_proto.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include <cjson/cJSON.h>

#define PW  "S3cr3t-pw!x"
#define OK_BODY \
	"{\"CheckOut\":{\"Request\":{\"id\":\"REQ-42\"},\"account\":\"dbuser\"," \
	"\"passwd\":\"" PW "\"},\"message\":\"OK\",\"status\":200," \
	"\"vrm\":\"3.5.0\"}"

static struct cs_pam_checkout out;
static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

static struct cs_pam_err err;

/* What every failure message must be: prefixed, no secret, no raw body. */
static void check_msg_clean(const char *body, const char *file, int line)
{
	check_report(strncmp(err.msg, "[credshim] ", 11) == 0, file, line,
		     "message starts with [credshim]");
	check_report(strstr(err.msg, PW) == NULL, file, line,
		     "message holds no password");
	check_report(strstr(err.msg, "S3cr3t") == NULL, file, line,
		     "message holds no part of the password");
	if (body && strlen(body) > 24)
		check_report(strstr(err.msg, body) == NULL, file, line,
			     "message does not quote the body");
	check_report(strstr(err.msg, "<html") == NULL &&
		     strstr(err.msg, "<HTML") == NULL, file, line,
		     "message quotes no HTML");
	check_report(strlen(err.msg) < sizeof(err.msg), file, line,
		     "message bounded");
}

/* A checkout response expected to fail with state and holding each of
 * the (up to three) fragments. */
static void co_fail_at(long http, const char *body, size_t len,
		       const char *state, const char *f1, const char *f2,
		       const char *f3, const char *file, int line)
{
	unsigned before = check_failed;
	int rc;

	memset(&out, 'x', sizeof(out));
	rc = cs_pam_parse_checkout(http, body, len, &out, &err);
	check_int(rc, -1, file, line, "parse_checkout fails");
	check_str(err.sqlstate, state, file, line, "sqlstate");
	check_int(err.http_status, http, file, line, "http_status");
	check_report(out.passwd[0] == '\0' && out.id[0] == '\0' &&
		     out.account[0] == '\0', file, line, "output wiped");
	if (f1)
		check_report(strstr(err.msg, f1) != NULL, file, line, f1);
	if (f2)
		check_report(strstr(err.msg, f2) != NULL, file, line, f2);
	if (f3)
		check_report(strstr(err.msg, f3) != NULL, file, line, f3);
	check_msg_clean(body, file, line);
	if (check_failed > before)
		fprintf(stderr, "    msg: %s\n", err.msg);
}

#define CO_FAIL(http, body, state, f1, f2, f3) \
	co_fail_at((http), (body), slen(body), (state), (f1), (f2), (f3), \
		   __FILE__, __LINE__)
#define CO_FAIL_N(http, body, len, state, f1, f2, f3) \
	co_fail_at((http), (body), (len), (state), (f1), (f2), (f3), \
		   __FILE__, __LINE__)

static void co_ok_at(long http, const char *body, size_t len, const char *id,
		     const char *acct, const char *pw, const char *file,
		     int line)
{
	int rc = cs_pam_parse_checkout(http, body, len, &out, &err);

	if (!check_int(rc, 0, file, line, "parse_checkout succeeds"))
		fprintf(stderr, "    msg: %s\n", err.msg);
	check_str(out.id, id, file, line, "id");
	check_str(out.account, acct, file, line, "account");
	check_str(out.passwd, pw, file, line, "passwd");
	check_str(err.sqlstate, "", file, line, "no sqlstate on success");
}

#define CO_OK(http, body, id, acct, pw) \
	co_ok_at((http), (body), strlen(body), (id), (acct), (pw), __FILE__, \
		 __LINE__)

static void ci_at(long http, const char *body, int want, const char *state,
		  const char *frag, const char *file, int line)
{
	int rc = cs_pam_parse_checkin(http, body, slen(body), &err);

	check_int(rc, want, file, line, "parse_checkin result");
	check_str(err.sqlstate, state, file, line, "sqlstate");
	if (frag)
		check_report(strstr(err.msg, frag) != NULL, file, line, frag);
	if (want != 0)
		check_msg_clean(body, file, line);
}

#define CI(http, body, want, state, frag) \
	ci_at((http), (body), (want), (state), (frag), __FILE__, __LINE__)

static void test_success(void)
{
	CO_OK(200, OK_BODY, "REQ-42", "dbuser", PW);
	/* status as a numeric string, duration in either form */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"7\",\"duration\":\"60\"},"
	      "\"account\":\"a\",\"passwd\":\"p\",\"duration\":360},"
	      "\"status\":\"200\",\"message\":\"OK\"}", "7", "a", "p");
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"7\"},\"duration\":\"60\","
	      "\"account\":\"a\",\"passwd\":\"p\"},\"status\":\" 200 \"}",
	      "7", "a", "p");
	/* no status field: the HTTP status decides */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"7\"},\"account\":\"a\","
	      "\"passwd\":\"p\"}}", "7", "a", "p");
	/* 201, blanks around, a status of null is no status */
	CO_OK(201, "  \r\n{\"CheckOut\":{\"Request\":{\"id\":\"7\"},"
	      "\"account\":\"a\",\"passwd\":\"p\"},\"status\":null}\n\n",
	      "7", "a", "p");
	/* member names in another case */
	CO_OK(200, "{\"checkout\":{\"request\":{\"ID\":\"7\"},\"Account\":\"a\","
	      "\"PASSWD\":\"p\"},\"Status\":200}", "7", "a", "p");
	/* escapes decoded, UTF-8 kept */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"a\\u002db\"},"
	      "\"account\":\"us\\u00e9r\",\"passwd\":\"p\\\"q\\\\r\"}}",
	      "a-b", "us\xc3\xa9r", "p\"q\\r");
	/* every character of the id rule */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"AZaz09-._~\"},"
	      "\"account\":\"a\",\"passwd\":\"p\"}}", "AZaz09-._~", "a", "p");
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"..a\"},"
	      "\"account\":\"a\",\"passwd\":\"p\"}}", "..a", "a", "p");
	/* body status 200 under HTTP 200 and extra unknown members */
	CO_OK(200, "{\"x\":[1,2,{\"y\":null}],\"CheckOut\":{\"Request\":{\"id\":"
	      "\"9\",\"extra\":true},\"account\":\"a\",\"passwd\":\"p\"},"
	      "\"status\":200.0}", "9", "a", "p");
	/* cs_pam_checkout_wipe clears everything */
	cs_pam_checkout_wipe(&out);
	CHECK(out.passwd[0] == '\0' && out.account[0] == '\0' &&
	      out.id[0] == '\0');
	cs_pam_checkout_wipe(NULL);
}

static void test_body_status(void)
{
	CO_FAIL(200, "{\"message\":\"Access denied for runHost\",\"status\":403}",
		"28000", "Access denied for runHost", "HTTP 200", "403");
	CO_FAIL(200, "{\"message\":\"All credentials are checked out\","
		"\"status\":409}", "08004", "All credentials", "409", NULL);
	CO_FAIL(200, "{\"message\":\"No such request\",\"status\":\"404\"}",
		"08001", "No such request", "404", NULL);
	CO_FAIL(200, "{\"message\":\"bad token\",\"status\":\"401\"}",
		"28000", "token", "401", NULL);
	/* the body status wins even with CheckOut present */
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"" PW "\"},\"status\":403,\"message\":\"no\"}",
		"28000", "403", NULL, NULL);
	/* a body claiming success under an HTTP failure does not succeed */
	CO_FAIL(500, OK_BODY, "08001", "500", NULL, NULL);
	CO_FAIL(401, OK_BODY, "28000", "401", NULL, NULL);
	/* an HTTP failure with a different body failure: the body decides */
	CO_FAIL(500, "{\"status\":409,\"message\":\"in use\"}", "08004",
		"HTTP 500", "409", NULL);
	/* unreadable status fields */
	CO_FAIL(200, "{\"status\":\"OK\"}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":200.5}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":true}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":99}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":1e300}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":\"2000\"}", "08001", "status", NULL, NULL);
	CO_FAIL(200, "{\"status\":\"\"}", "08001", "status", NULL, NULL);
	CO_FAIL(403, "{\"status\":\"weird\"}", "28000", "403", NULL, NULL);
}

static void test_http_errors(void)
{
	static const char html[] =
		"<html><head><title>502 Bad Gateway</title></head><body>"
		"<center><h1>502 Bad Gateway</h1></center></body></html>\r\n";

	/* 401 / 403: the token or the runHost */
	CO_FAIL(401, "{\"message\":\"Invalid API token\",\"status\":401}",
		"28000", "Invalid API token", "401", "token");
	CO_FAIL(401, "Unauthorized", "28000", "401", "not JSON", NULL);
	CO_FAIL(401, "", "28000", "401", "empty", NULL);
	CO_FAIL(403, "{\"message\":\"runHost access denied\"}", "28000",
		"runHost access denied", "403", NULL);
	CO_FAIL(403, html, "28000", "403", "not JSON", NULL);
	/* 409 and 4xx that say "all in use" */
	CO_FAIL(409, "{\"message\":\"All credentials in use\",\"status\":409}",
		"08004", "All credentials in use", "409", NULL);
	CO_FAIL(409, "", "08004", "409", NULL, NULL);
	CO_FAIL(409, html, "08004", "409", NULL, NULL);
	CO_FAIL(400, "{\"message\":\"All credentials are in use\"}", "08004",
		"400", NULL, NULL);
	CO_FAIL(429, "{\"message\":\"none available right now\"}", "08004",
		"429", NULL, NULL);
	CO_FAIL(404, "{\"message\":\"No password is IN USE for this\"}",
		"08004", "404", NULL, NULL);
	/* other 4xx */
	CO_FAIL(400, "{\"message\":\"Bad request\",\"status\":400}", "08001",
		"Bad request", "400", NULL);
	CO_FAIL(404, "", "08001", "404", NULL, NULL);
	CO_FAIL(422, html, "08001", "422", "not JSON", NULL);
	/* 5xx */
	CO_FAIL(500, "{\"message\":\"Internal error\",\"status\":500}",
		"08001", "Internal error", "500", "server error");
	CO_FAIL(500, "", "08001", "500", NULL, NULL);
	CO_FAIL(502, html, "08001", "502", "not JSON", NULL);
	CO_FAIL(503, "Service Unavailable", "08001", "503", NULL, NULL);
	/* redirects and oddities */
	CO_FAIL(302, "", "08001", "302", "redirect", NULL);
	CO_FAIL(100, "{}", "08001", "100", NULL, NULL);
	CO_FAIL(0, "", "08001", NULL, NULL, NULL);
}

static void test_not_json(void)
{
	static const char *const truncated[] = {
		"{\"CheckOut\":{\"Request\":{\"id\":\"1\"}",
		"{\"CheckOut\":{\"Request\":{\"id\":\"1",
		"{\"CheckOut\":{\"Request\":{\"id\":\"1\\",
		"{\"message\":\"OK\",\"status\":200",
		"[1,2",
		"{",
		"\"abc",
	};
	static const char raw_nul[] =
		"{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"p\0q\"}}";
	size_t i;

	CO_FAIL(200, "<html><body>Login</body></html>", "08001", "not JSON",
		"HTTP 200", NULL);
	CO_FAIL(200, "", "08001", "empty", "not JSON", NULL);
	CO_FAIL(200, " \r\n\t ", "08001", "empty", NULL, NULL);
	CO_FAIL_N(200, NULL, 0, "08001", "empty", NULL, NULL);
	CO_FAIL_N(200, NULL, 5, "08001", "empty", NULL, NULL);
	for (i = 0; i < sizeof(truncated) / sizeof(truncated[0]); i++)
		CO_FAIL(200, truncated[i], "08001", "truncated", NULL, NULL);
	/* JSON, but wrong */
	CO_FAIL(200, "{\"a\":1}}", "08001", "not JSON", NULL, NULL);
	CO_FAIL(200, "{\"a\":1} x", "08001", "not JSON", NULL, NULL);
	CO_FAIL(200, "{\"a\":1}{\"b\":2}", "08001", "not JSON", NULL, NULL);
	CO_FAIL(200, "{a:1}", "08001", "not JSON", NULL, NULL);
	CO_FAIL(200, "{\"a\":tru}", "08001", "not JSON", NULL, NULL);
	CO_FAIL(200, "[" OK_BODY "]", "08001", "not an object", NULL, NULL);
	CO_FAIL(200, "\"" PW "\"", "08001", "not an object", NULL, NULL);
	CO_FAIL(200, "42", "08001", "not an object", NULL, NULL);
	CO_FAIL(200, "null", "08001", "not an object", NULL, NULL);
	/* NUL bytes, raw or escaped, would cut a field silently */
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"p\\u0000q\"}}", "08001", "NUL", NULL, NULL);
	CO_FAIL_N(200, raw_nul, sizeof(raw_nul) - 1, "08001", "NUL", NULL,
		  NULL);
	/* "\\u0000" is a backslash and "u0000": fine */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
	      "\"passwd\":\"p\\\\u0000\"}}", "1", "a", "p\\u0000");
}

/* n nested arrays around a valid checkout. */
static char *nested(int n)
{
	static const char pre[] = "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},"
				  "\"account\":\"a\",\"passwd\":\"p\"},\"x\":";
	size_t len = sizeof(pre) - 1 + 2 * (size_t)n + 2;
	char *s = malloc(len);
	size_t o = 0;
	int i;

	if (!s)
		abort();
	memcpy(s, pre, sizeof(pre) - 1);
	o = sizeof(pre) - 1;
	for (i = 0; i < n; i++)
		s[o++] = '[';
	for (i = 0; i < n; i++)
		s[o++] = ']';
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

static void test_limits(void)
{
	char *s, *big;
	size_t n;

	/* depth: the outer object is level 1 */
	s = nested(15);
	CO_OK(200, s, "1", "a", "p");
	free(s);
	s = nested(16);
	CO_FAIL(200, s, "08001", "deeper", NULL, NULL);
	free(s);
	s = nested(5000);
	CO_FAIL(200, s, "08001", "deeper", NULL, NULL);
	CO_FAIL(500, s, "08001", "500", "deeper", NULL);
	free(s);
	/* brackets inside strings do not count */
	CO_OK(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\",\"x\":\"[[[[[[[[[[[[[[[[[[[[\"},"
	      "\"account\":\"{{{{{{{{{{{{{{{{{{{{{{{\",\"passwd\":\"p\"}}",
	      "1", "{{{{{{{{{{{{{{{{{{{{{{{", "p");

	/* size: CS_PAM_BODY_MAX bytes pass, one more does not */
	n = CS_PAM_BODY_MAX;
	big = malloc(n + 2);
	if (!big)
		abort();
	memset(big, ' ', n + 1);
	memcpy(big, OK_BODY, strlen(OK_BODY));
	big[n + 1] = '\0';
	co_ok_at(200, big, n, "REQ-42", "dbuser", PW, __FILE__, __LINE__);
	CO_FAIL_N(200, big, n + 1, "08001", "1 MiB", NULL, NULL);
	free(big);

	/* field lengths: one byte under the buffer passes */
	big = malloc(4096);
	if (!big)
		abort();
	{
		char id[CS_PAM_ID_MAX + 1], f[CS_PAM_FIELD_MAX + 1];

		memset(id, 'i', sizeof(id));
		id[CS_PAM_ID_MAX - 1] = '\0';
		memset(f, 'f', sizeof(f));
		f[CS_PAM_FIELD_MAX - 1] = '\0';
		snprintf(big, 4096, "{\"CheckOut\":{\"Request\":{\"id\":\"%s\"},"
			 "\"account\":\"%s\",\"passwd\":\"%s\"}}", id, f, f);
		CO_OK(200, big, id, f, f);

		id[CS_PAM_ID_MAX - 1] = 'i';
		id[CS_PAM_ID_MAX] = '\0';
		snprintf(big, 4096, "{\"CheckOut\":{\"Request\":{\"id\":\"%s\"},"
			 "\"account\":\"a\",\"passwd\":\"p\"}}", id);
		CO_FAIL(200, big, "08001", "CheckOut.Request.id", "too long",
			NULL);
		f[CS_PAM_FIELD_MAX - 1] = 'f';
		f[CS_PAM_FIELD_MAX] = '\0';
		snprintf(big, 4096, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},"
			 "\"account\":\"%s\",\"passwd\":\"p\"}}", f);
		CO_FAIL(200, big, "08001", "CheckOut.account", "longer", NULL);
		snprintf(big, 4096, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},"
			 "\"account\":\"a\",\"passwd\":\"%s\"}}", f);
		CO_FAIL(200, big, "08001", "CheckOut.passwd", "longer", NULL);
		CHECK(strstr(err.msg, "ffffffff") == NULL);
	}
	free(big);
}

static void test_fields(void)
{
	CO_FAIL(200, "{\"message\":\"OK\",\"status\":200}", "08001",
		"CheckOut.Request.id", "\"OK\"", NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"account\":\"a\",\"passwd\":\"" PW "\"}}",
		"08001", "CheckOut.Request.id", NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":42},\"account\":\"a\","
		"\"passwd\":\"" PW "\"}}", "08001", "CheckOut.Request.id", NULL,
		NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":\"42\",\"account\":\"a\","
		"\"passwd\":\"" PW "\"}}", "08001", "CheckOut.Request.id", NULL,
		NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"\"},\"account\":\"a\","
		"\"passwd\":\"" PW "\"}}", "08001", "CheckOut.Request.id",
		"empty", "stays checked out until the PAM's expiry");
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},"
		"\"passwd\":\"" PW "\"}}", "08001", "CheckOut.account", NULL,
		NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":"
		"[\"a\"],\"passwd\":\"" PW "\"}}", "08001", "CheckOut.account",
		NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\"}}",
		"08001", "CheckOut.passwd", NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":null}}", "08001", "CheckOut.passwd", NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":12345}}", "08001", "CheckOut.passwd", NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"\"}}", "08001", "CheckOut.passwd", "empty", NULL);
	CO_FAIL(200, "{\"CheckOut\":[],\"status\":200}", "08001",
		"CheckOut.Request.id", NULL, NULL);
}

static void test_messages(void)
{
	char body[2048], longmsg[1200];

	/* control characters and backslashes are escaped, UTF-8 kept */
	CO_FAIL(403, "{\"message\":\"den\\u0001ied\\n\\u00e9\\u001b[31m\\\\n\"}",
		"28000", "den\\x01ied\\n\xc3\xa9\\x1b[31m\\\\n", NULL, NULL);
	/* a forged log line stays on the same line */
	CO_FAIL(200, "{\"status\":403,\"message\":\"no\\n2026-12-02T00:00:00.000Z "
		"credshim[1] info: checked in\\r\"}", "28000",
		"no\\n2026-12-02T00:00:00.000Z credshim[1] info: checked in\\r", NULL, NULL);
	CHECK(strchr(err.msg, '\r') == NULL);
	CHECK(strchr(err.msg, '\x1b') == NULL);
	CHECK(strchr(err.msg, '\n') == NULL);
	/* a long message is cut */
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"message\":\"%s\",\"status\":500}",
		 longmsg);
	CO_FAIL(200, body, "08001", "...", "500", NULL);
	CHECK(strlen(err.msg) < 300);
	/* a message that quotes the password is withheld */
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"" PW "\"},\"status\":403,\"message\":\"password "
		PW " expired\"}", "28000", "403", NULL, NULL);
	CHECK(strstr(err.msg, "expired") == NULL);
	/* non-string messages are ignored */
	CO_FAIL(403, "{\"message\":{\"text\":\"x\"}}", "28000", "403", NULL,
		NULL);
	CO_FAIL(403, "{\"message\":12}", "28000", "403", NULL, NULL);
	/* the body itself never shows */
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"1\"},\"account\":\"a\","
		"\"passwd\":\"" PW "\"}", "08001", "truncated", NULL, NULL);
}

/* A request id goes into the check-in URL as it is: anything else is
 * refused, and the message says the credential stays out. */
static void test_ids(void)
{
	static const char *const bad[] = {
		".", "..", "...", "a/b", "a b", "a%2fb", "a?b", "a#b", "a\\nb",
		"\\u00e9", "a;b", "a\\\\b", "\\u2028",
	};
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"CheckOut\":{\"Request\":{\"id\":"
			 "\"%s\"},\"account\":\"a\",\"passwd\":\"" PW "\"},"
			 "\"status\":200}", bad[i]);
		CO_FAIL(200, body, "08001", "CheckOut.Request.id",
			"stays checked out until the PAM's expiry", NULL);
		CHECK(strchr(err.msg, '\n') == NULL);
		CHECK(strchr(err.msg, '/') == NULL || strstr(err.msg, "\"a/b\""));
	}
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"..\"},\"account\":"
		"\"a\",\"passwd\":\"p\"}}", "08001", "\"..\" is only dots", NULL, NULL);
	CO_FAIL(200, "{\"CheckOut\":{\"Request\":{\"id\":\"a\\nb\"},\"account\":"
		"\"a\",\"passwd\":\"p\"}}", "08001", "\"a\\nb\" holds a character", NULL,
		NULL);
	CHECK(cs_pam_id_problem("REQ-42") == NULL);
	CHECK(cs_pam_id_problem("") != NULL);
	CHECK(cs_pam_id_problem(NULL) != NULL);
	CHECK(cs_pam_id_problem(".") != NULL);
	CHECK(cs_pam_id_problem("..") != NULL);
	CHECK(cs_pam_id_problem(".x") == NULL);
	CHECK(cs_pam_id_problem("x.") == NULL);
	CHECK(cs_pam_id_problem("a+b") != NULL);
	/* the check-in URL never sees it: the checkout is refused */
	memset(body, 'i', 300);
	body[300] = '\0';
	CHECK(cs_pam_id_problem(body) != NULL);
	body[255] = '\0';
	CHECK(cs_pam_id_problem(body) == NULL);
	body[255] = 'i';
	memcpy(body, "{\"CheckOut\":{\"Request\":{\"id\":\"", 30);
	snprintf(body + 300, sizeof(body) - 300, "\"},\"account\":\"a\",\"passwd\":\"p\"}}");
	CO_FAIL(200, body, "08001", "is too long", "stays checked out until the PAM's expiry", NULL);
}

static void test_checkin(void)
{
	CI(200, "{\"message\":\"OK\",\"status\":200,\"vrm\":\"3.5.0\"}", 0, "",
	   NULL);
	CI(200, "{\"message\":\"OK\",\"status\":\"200\"}", 0, "", NULL);
	CI(200, "{}", 0, "", NULL);
	CI(204, "", 0, "", NULL);
	CI(204, NULL, 0, "", NULL);
	CI(200, "", -1, "08001", "empty");
	CI(200, "<html>ok</html>", -1, "08001", "not JSON");
	CI(200, "{\"message\":\"OK\"", -1, "08001", "truncated");
	CI(200, "{\"message\":\"No such request\",\"status\":404}", -1, "08001",
	   "No such request");
	CI(200, "{\"message\":\"denied\",\"status\":403}", -1, "28000",
	   "check-in");
	CI(401, "", -1, "28000", "401");
	CI(404, "{\"message\":\"Request REQ-42 not found\"}", -1, "08001",
	   "REQ-42");
	CI(500, "", -1, "08001", "500");
	CI(502, "<html>bad gateway</html>", -1, "08001", "502");
	CI(200, "{\"status\":\"x\"}", -1, "08001", "status");
}

static void test_request_bodies(void)
{
	struct cs_pam_cfg cfg;
	cJSON *root, *req, *it;
	char *s;

	memset(&cfg, 0, sizeof(cfg));
	cfg.url = "https://pam.example";
	cfg.token = "TOKEN-SECRET-123";
	cfg.run_host = "db-prod \"main\"\\1";
	cfg.reason = "credshim: user app\n(pid 7)";
	cfg.duration_min = 60;
	cfg.email = "ops@example.com";

	s = cs_pam_checkout_body(&cfg);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(strstr(s, "TOKEN") == NULL);
	root = cJSON_Parse(s);
	CHECK(root != NULL);
	req = cJSON_GetObjectItemCaseSensitive(root, "Request");
	CHECK(cJSON_IsObject(req));
	CHECK_INT(cJSON_GetArraySize(root), 1);
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "type")),
		"PasswordCheckout");
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "runHost")),
		cfg.run_host);
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "reason")), cfg.reason);
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "emailid")), cfg.email);
	it = cJSON_GetObjectItemCaseSensitive(req, "duration");
	CHECK(cJSON_IsNumber(it));
	CHECK(cJSON_GetNumberValue(it) == 60.0);
	CHECK(strstr(s, "\"duration\":60") != NULL);
	CHECK_INT(cJSON_GetArraySize(req), 5);
	cJSON_Delete(root);
	free(s);

	/* NULL strings are sent as "" */
	cfg.email = NULL;
	cfg.reason = NULL;
	cfg.duration_min = 1440;
	s = cs_pam_checkout_body(&cfg);
	CHECK(s != NULL);
	root = s ? cJSON_Parse(s) : NULL;
	req = cJSON_GetObjectItemCaseSensitive(root, "Request");
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "emailid")), "");
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "reason")), "");
	CHECK(cJSON_GetNumberValue(
		cJSON_GetObjectItemCaseSensitive(req, "duration")) == 1440.0);
	cJSON_Delete(root);
	free(s);

	s = cs_pam_checkin_body(&cfg, "REQ/42 \"x\"");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(strstr(s, "TOKEN") == NULL);
	root = cJSON_Parse(s);
	req = cJSON_GetObjectItemCaseSensitive(root, "Request");
	CHECK_INT(cJSON_GetArraySize(root), 1);
	CHECK_INT(cJSON_GetArraySize(req), 3);
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "type")),
		"PasswordCheckin");
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "runHost")),
		cfg.run_host);
	CHECK_STR(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(req, "id")), "REQ/42 \"x\"");
	cJSON_Delete(root);
	free(s);
}

/* The one API token rule (session.c and pam_client.c both apply it). */
static void test_token_rule(void)
{
	char big[CS_PAM_TOKEN_MAX + 2];

	CHECK(cs_pam_token_problem("abc-DEF_123.~!") == NULL);
	CHECK_STR(cs_pam_token_problem(""), "is empty or too long");
	CHECK_STR(cs_pam_token_problem(NULL), "is empty or too long");
	CHECK_STR(cs_pam_token_problem("a b"), "holds a blank or a control character");
	CHECK_STR(cs_pam_token_problem("a\tb"), "holds a blank or a control character");
	CHECK_STR(cs_pam_token_problem("a\x7f"), "holds a blank or a control character");
	CHECK_STR(cs_pam_token_problem("caf\xc3\xa9"), "holds a blank or a control character");
	memset(big, 'x', sizeof(big));
	big[CS_PAM_TOKEN_MAX] = '\0';
	CHECK(cs_pam_token_problem(big) == NULL);
	big[CS_PAM_TOKEN_MAX] = 'x';
	big[CS_PAM_TOKEN_MAX + 1] = '\0';
	CHECK_STR(cs_pam_token_problem(big), "is empty or too long");
}

/*
 * A body cJSON refuses part-way holds the password: the strings cJSON had
 * built of it are freed by cJSON itself, so they must never have held
 * it.  The test's cJSON hooks look for the password in every block cJSON
 * frees.
 */
#define WIPE_PW "Wipe-me-0123456789abcdef"
static int wipe_leaks;

static void wipe_scan_free(void *p)
{
	if (p && memmem(p, malloc_usable_size(p), WIPE_PW, strlen(WIPE_PW)))
		wipe_leaks++;
	free(p);
}

static void test_refused_body_wiped(void)
{
	static const char *const bodies[] = {
		"{\"CheckOut\":{\"Request\":{\"id\":\"R-1\"},\"account\":\"a\",\"passwd\":\"" WIPE_PW
		"\"},\"status\":200,\"x\":tru}",
		"{\"CheckOut\":{\"passwd\":\"" WIPE_PW "\"} \"status\":200}",
		"{\"CheckOut\":{\"passwd\":\"" WIPE_PW "\",\"bad\":\"\\q\"}}",
		"{\"CheckOut\":{\"passwd\":\"\\u0041" WIPE_PW "\\ud83d\\ude00\"},\"n\":-}",
		"{\"CheckOut\":{\"passwd\":\"" WIPE_PW "\",\"lone\":\"\\udc00\"}}",
	};
	cJSON_Hooks hooks = { malloc, wipe_scan_free };
	size_t i;

	cJSON_InitHooks(&hooks);
	wipe_leaks = 0;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		CHECK(cs_pam_parse_checkout(200, bodies[i], strlen(bodies[i]), &out, &err) == -1);
		CHECK(strstr(err.msg, "not JSON") != NULL);
		if (!CHECK_INT(wipe_leaks, 0))
			fprintf(stderr, "    body %zu: the password in memory cJSON freed\n", i);
		wipe_leaks = 0;
	}
	/* what cJSON accepts is accepted as before, and wiped */
	CHECK(cs_pam_parse_checkout(200, OK_BODY, strlen(OK_BODY), &out, &err) == 0);
	{
		static const char esc[] = "{\"CheckOut\":{\"Request\":{\"id\":\"R-2\"},\"account\":\"a\","
			"\"passwd\":\"" WIPE_PW "\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\n\"},\"status\":200}";

		CHECK(cs_pam_parse_checkout(200, esc, strlen(esc), &out, &err) == 0);
		CHECK_STR(out.passwd, WIPE_PW "\xc3\xa9\xf0\x9f\x98\x80\"\\/\n");
	}
	CHECK_INT(wipe_leaks, 0);
	cJSON_InitHooks(NULL);
}

/*
 * fork() while another thread parses: the child's own parse must not
 * wait for ever on the parse lock the other thread held at the fork (the
 * child has no such thread to release it).  A thread parses a 200 KB
 * body in a loop while the main thread forks 40 times; each child
 * parses once and must be done within 5 s (alarm).
 */
static volatile int fork_stop;

static void *fork_parser(void *arg)
{
	const char *big = arg;
	struct cs_pam_checkout o;
	struct cs_pam_err e;

	while (!fork_stop)
		cs_pam_parse_checkout(200, big, strlen(big), &o, &e);
	return NULL;
}

static void test_fork_while_parsing(void)
{
	struct timespec pause = { 0, 2000000 };
	size_t n = 200000, i, o;
	char *big = malloc(n + 64);
	pthread_t th;
	int k, hung = 0, status;
	pid_t pid;

	if (!CHECK(big != NULL))
		return;
	o = (size_t)snprintf(big, 64, "{\"status\":200,\"pad\":[");
	for (i = 0; o + 4 < n; i++) {
		big[o++] = i ? ',' : ' ';
		big[o++] = '1';
	}
	memcpy(big + o, "]}", 3);
	/* one parse first, so that whatever the parser sets up once is set up */
	CHECK(cs_pam_parse_checkout(200, OK_BODY, strlen(OK_BODY), &out, &err) == 0);
	fork_stop = 0;
	if (!CHECK(pthread_create(&th, NULL, fork_parser, big) == 0)) {
		free(big);
		return;
	}
	for (k = 0; k < 40 && !hung; k++) {
		nanosleep(&pause, NULL);
		pid = fork();
		if (pid == 0) {
			alarm(5);
			_exit(cs_pam_parse_checkout(200, OK_BODY, strlen(OK_BODY), &out, &err) == 0 ? 0 : 1);
		}
		if (!CHECK(pid > 0))
			break;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			hung = 1;
	}
	CHECK(!hung);
	if (hung)
		fprintf(stderr, "    fork %d: the child's parse hung or failed\n", k);
	fork_stop = 1;
	pthread_join(th, NULL);
	free(big);
}

int main(void)
{
	test_token_rule();
	test_success();
	test_body_status();
	test_http_errors();
	test_not_json();
	test_limits();
	test_fields();
	test_messages();
	test_ids();
	test_checkin();
	test_request_bodies();
	test_refused_body_wiped();
	test_fork_while_parsing();
	return check_done("test_pam_parse");
}
