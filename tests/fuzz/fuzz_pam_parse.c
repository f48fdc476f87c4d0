/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pam_parse.c - the PAM response parsers (driver/util/pam_proto.c).
 *
 * Input: one byte choosing the HTTP status ('0'..'9' pick the entries of
 * cs_fuzz_status in order; other bytes wrap around), then the body.  The
 * body goes through both parsers; the checks below abort on any result
 * the interface does not allow.  The same bytes are then sent through the
 * request-body builders as runHost and id and must come back unchanged.
 */
#include "util/pam_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long cs_fuzz_status[] = {
	200, 201, 204, 401, 403, 404, 409, 500, 502, 302,
};

/* Nonzero when buf[0..cap) holds a NUL. */
static int cs_fuzz_terminated(const char *buf, size_t cap)
{
	return memchr(buf, '\0', cap) != NULL;
}

static int cs_fuzz_all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* An error must be one of the SQLSTATEs allowed, with a bounded message. */
static void cs_fuzz_check_err(const struct cs_pam_err *err, long http)
{
	const char *p;

	if (!cs_fuzz_terminated(err->sqlstate, sizeof(err->sqlstate)) ||
	    !cs_fuzz_terminated(err->msg, sizeof(err->msg)))
		abort();
	if (strcmp(err->sqlstate, "08001") != 0 &&
	    strcmp(err->sqlstate, "28000") != 0 &&
	    strcmp(err->sqlstate, "08004") != 0 &&
	    strcmp(err->sqlstate, "HY001") != 0)
		abort();
	if (strncmp(err->msg, "[credshim] ", 11) != 0)
		abort();
	/* the PAM's text is escaped: no control character gets through */
	for (p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	if (err->http_status != http)
		abort();
}

static void cs_fuzz_parsers(long http, const char *body, size_t len)
{
	struct cs_pam_checkout out;
	struct cs_pam_err err;
	size_t n;

	memset(&out, 0xa5, sizeof(out));
	if (cs_pam_parse_checkout(http, body, len, &out, &err) == 0) {
		if (http < 200 || http > 299)
			abort();
		if (!cs_fuzz_terminated(out.id, sizeof(out.id)) ||
		    !cs_fuzz_terminated(out.account, sizeof(out.account)) ||
		    !cs_fuzz_terminated(out.passwd, sizeof(out.passwd)))
			abort();
		if (!out.id[0] || !out.account[0] || !out.passwd[0])
			abort();
		/* only an id the check-in URL takes as it is */
		if (cs_pam_id_problem(out.id) != NULL)
			abort();
		if (err.sqlstate[0] != '\0')
			abort();
		/* the password never shows in a failure on the same body */
		n = strlen(out.passwd);
		if (cs_pam_parse_checkin(http, body, len, &err) != 0 &&
		    n >= 8 && strstr(err.msg, out.passwd))
			abort();
	} else {
		cs_fuzz_check_err(&err, http);
		if (!cs_fuzz_all_zero(&out, sizeof(out)))
			abort();
	}
	cs_pam_checkout_wipe(&out);

	if (cs_pam_parse_checkin(http, body, len, &err) == 0) {
		if (http < 200 || http > 299 || err.sqlstate[0] != '\0')
			abort();
	} else {
		cs_fuzz_check_err(&err, http);
	}
}

/* Aborts unless obj.name is the string want. */
static void cs_fuzz_expect(const cJSON *obj, const char *name,
			   const char *want)
{
	const char *got = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(obj, name));

	if (!got || strcmp(got, want) != 0)
		abort();
}

/* runHost and id must survive the request builders byte for byte. */
static void cs_fuzz_builders(const char *body, size_t len)
{
	struct cs_pam_cfg cfg;
	const cJSON *req;
	cJSON *root;
	char *s, *str;

	if (len > 4096 || memchr(body, '\0', len))
		return;
	str = malloc(len + 1);
	if (!str)
		return;
	memcpy(str, body, len);
	str[len] = '\0';
	memset(&cfg, 0, sizeof(cfg));
	cfg.run_host = str;
	cfg.reason = str;
	cfg.email = "";
	cfg.duration_min = len;

	s = cs_pam_checkin_body(&cfg, str);
	if (s) {
		root = cJSON_Parse(s);
		req = cJSON_GetObjectItemCaseSensitive(root, "Request");
		cs_fuzz_expect(req, "type", "PasswordCheckin");
		cs_fuzz_expect(req, "id", str);
		cs_fuzz_expect(req, "runHost", str);
		cJSON_Delete(root);
		free(s);
	}
	s = cs_pam_checkout_body(&cfg);
	if (s) {
		root = cJSON_Parse(s);
		req = cJSON_GetObjectItemCaseSensitive(root, "Request");
		cs_fuzz_expect(req, "type", "PasswordCheckout");
		cs_fuzz_expect(req, "reason", str);
		cs_fuzz_expect(req, "emailid", "");
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
			    req, "duration")) != (double)len)
			abort();
		cJSON_Delete(root);
		free(s);
	}
	free(str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nstatus = sizeof(cs_fuzz_status) / sizeof(cs_fuzz_status[0]);
	long http;

	if (size < 1)
		return 0;
	http = cs_fuzz_status[(unsigned char)(data[0] - '0') % nstatus];
	cs_fuzz_parsers(http, (const char *)data + 1, size - 1);
	cs_fuzz_builders((const char *)data + 1, size - 1);
	return 0;
}
