/* SPDX-License-Identifier: MIT */
/*
 * pam_parse.c - the PAM's responses and request bodies (pure: no network).
 *
 * A response is judged on two statuses: the HTTP status and, when the body
 * is a JSON object with a "status" field (a number or a numeric string),
 * that field.  The body's status is authoritative: the PAM answers HTTP 200
 * with a body status of 403 or 409 when it refuses.  Only when it claims
 * success while the HTTP status is a failure does the HTTP status win.
 *
 * SQLSTATEs (docs/troubleshooting.md):
 *   401, 403                            28000  token / runHost refused
 *   409, or a 4xx saying "in use" ...   08004  no credential free now
 *   other 4xx, 5xx, anything else       08001
 *   body not JSON, truncated, too deep,
 *   too big, fields missing or too long 08001
 *
 * Everything the server sent is bounded before it is looked at: the body
 * size (CS_PAM_BODY_MAX), the nesting (CS_PAM_JSON_DEPTH, checked by a
 * scan of our own before cJSON recurses), the length of every field copied
 * out, and the PAM's "message", which is reduced to printable ASCII before
 * it reaches a diagnostic.  The body holds the password: the private copy
 * given to cJSON and every string in the parsed tree are wiped before
 * their memory is freed, and no message ever quotes the body or a field
 * other than "message".
 */
#include "util/pam_proto.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/ascii.h"
#include "util/esc.h"

/* Bytes of the PAM's "message" quoted in a diagnostic. */
#define CS_PAM_MSG_MAX 160

/* Why a body could not be read as JSON. */
enum cs_pam_scan {
	CS_PAM_SCAN_OK,
	CS_PAM_SCAN_EMPTY,
	CS_PAM_SCAN_TOO_BIG,
	CS_PAM_SCAN_TOO_DEEP,
	CS_PAM_SCAN_TRUNCATED,
	CS_PAM_SCAN_NUL,
	CS_PAM_SCAN_NOT_JSON,
	CS_PAM_SCAN_NOT_OBJECT,
	CS_PAM_SCAN_NOMEM,
};

/* What a response says, once read. */
struct cs_pam_resp {
	const char *op;            /* "checkout" or "check-in", for messages */
	long http;                 /* HTTP status */
	cJSON *root;               /* the body, or NULL (see scan) */
	enum cs_pam_scan scan;
	int has_status;            /* body had a usable "status" */
	int bad_status;            /* body had a "status" we cannot read */
	long body_status;
	char msg[CS_PAM_MSG_MAX + 4];  /* sanitised "message", "" if none */
};

/*
 * cJSON records the place of the last parse error in a global it writes on
 * every call: parses from several connecting threads would race on it.
 * fork() takes the lock first, so that a child never starts with it held
 * by a thread it does not have (its first parse would wait for ever).
 */
static pthread_mutex_t cs_pam_cjson_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cs_pam_cjson_once = PTHREAD_ONCE_INIT;

static void cs_pam_cjson_prefork(void)
{
	pthread_mutex_lock(&cs_pam_cjson_lock);
}

static void cs_pam_cjson_postfork(void)
{
	pthread_mutex_unlock(&cs_pam_cjson_lock);
}

static void cs_pam_cjson_init(void)
{
	pthread_atfork(cs_pam_cjson_prefork, cs_pam_cjson_postfork, cs_pam_cjson_postfork);
}

const char *cs_pam_token_problem(const char *t)
{
	size_t i, n = t ? strlen(t) : 0;

	if (n == 0 || n > CS_PAM_TOKEN_MAX)
		return "is empty or too long";
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return "holds a blank or a control character";
	return NULL;
}

/* ASCII case-insensitive: does needle occur in hay? */
static int cs_pam_icontains(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	for (; *hay; hay++) {
		for (i = 0; i < n; i++) {
			if (cs_ascii_lower((unsigned char)hay[i]) !=
			    cs_ascii_lower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

/* Member name of obj (ASCII case-insensitive), or NULL. */
static cJSON *cs_pam_get(const cJSON *obj, const char *name)
{
	cJSON *it;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (it = obj->child; it; it = it->next) {
		if (it->string && cs_ascii_ieq(it->string, name))
			return it;
	}
	return NULL;
}

/* Fills *err: SQLSTATE, HTTP status and "[credshim] " + the message. */
void cs_pam_errf(struct cs_pam_err *err, enum cs_state state, long http, const char *fmt, ...)
{
	static const char prefix[] = "[credshim] ";
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->state = state;
	memcpy(err->sqlstate, cs_states[state].code, sizeof(err->sqlstate));
	err->http_status = http;
	memcpy(err->msg, prefix, sizeof(prefix));
	va_start(ap, fmt);
	vsnprintf(err->msg + sizeof(prefix) - 1,
		  sizeof(err->msg) - (sizeof(prefix) - 1), fmt, ap);
	va_end(ap);
}

/*
 * Checks a body before cJSON sees it: size, raw or escaped NUL bytes
 * (cJSON would silently cut a string at one), nesting deeper than
 * CS_PAM_JSON_DEPTH (cJSON recurses once per level), and brackets or a
 * string left open at the end (a truncated body).  Strings are delimited
 * exactly as cJSON delimits them, so the depth counted is the depth cJSON
 * would reach.
 */
static enum cs_pam_scan cs_pam_prescan(const char *body, size_t len)
{
	size_t i;
	int depth = 0, in_str = 0, any = 0;

	if (len > CS_PAM_BODY_MAX)
		return CS_PAM_SCAN_TOO_BIG;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '\0')
			return CS_PAM_SCAN_NUL;
		if (in_str) {
			if (c == '"') {
				in_str = 0;
			} else if (c == '\\') {
				if (i + 1 >= len)
					return CS_PAM_SCAN_TRUNCATED;
				if (body[i + 1] == 'u' && len - i >= 6 &&
				    memcmp(body + i + 2, "0000", 4) == 0)
					return CS_PAM_SCAN_NUL;
				i++;
			}
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			any = 1;
		if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > CS_PAM_JSON_DEPTH)
				return CS_PAM_SCAN_TOO_DEEP;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
		}
	}
	if (!any)
		return CS_PAM_SCAN_EMPTY;
	if (in_str || depth > 0)
		return CS_PAM_SCAN_TRUNCATED;
	return CS_PAM_SCAN_OK;
}

/* Wipes every string (values and member names) of a tree. */
static void cs_pam_wipe_tree(cJSON *item)
{
	for (; item; item = item->next) {
		if (item->valuestring)
			explicit_bzero(item->valuestring,
				       strlen(item->valuestring));
		if (item->string)
			explicit_bzero(item->string, strlen(item->string));
		cs_pam_wipe_tree(item->child);
	}
}

static int cs_pam_hex(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Blanks the text of every string of s (a body the prescan accepted, NUL
 * at s[len]), so that cJSON accepts or refuses it exactly as it does the
 * body: cJSON checks nothing in a string but its escapes, so a byte that
 * is neither '"' nor '\' becomes 'x', an escape keeps its letter, and a
 * \uXXXX keeps its class (high or low surrogate, NUL, other).
 */
static void cs_pam_blank_strings(char *s, size_t len)
{
	static const char *const cls[] = { "0078", "D800", "DC00", "0000" };
	size_t i, k;
	int in_str = 0, v, h;

	for (i = 0; i < len; i++) {
		if (!in_str) {
			in_str = s[i] == '"';
			continue;
		}
		if (s[i] == '"') {
			in_str = 0;
		} else if (s[i] != '\\') {
			s[i] = 'x';
		} else if (i + 1 < len && s[++i] == 'u' && len - i > 4) {
			for (k = 1, v = 0; k <= 4 && (h = cs_pam_hex((unsigned char)s[i + k])) >= 0; k++)
				v = v * 16 + h;
			if (k <= 4)
				continue;
			memcpy(s + i + 1, cls[v >= 0xd800 && v <= 0xdbff ? 1 : v >= 0xdc00 && v <= 0xdfff ?
					       2 : v == 0 ? 3 : 0], 4);
			i += 4;
		}
	}
}

/*
 * cJSON over a NUL-terminated copy of a body, under the parse lock.  A
 * body cJSON refuses part-way would leave what it had built, the password
 * perhaps, in memory cJSON frees without wiping: so the body is first
 * parsed with its strings blanked, and only a body that passes that is
 * parsed for real (which can then fail only for want of memory).
 */
static cJSON *cs_pam_cjson(const char *copy, size_t len, const char **end)
{
	char *probe = malloc(len + 1);
	cJSON *root = NULL, *t;

	if (!probe)
		return NULL;
	memcpy(probe, copy, len + 1);
	cs_pam_blank_strings(probe, len);
	pthread_once(&cs_pam_cjson_once, cs_pam_cjson_init);
	pthread_mutex_lock(&cs_pam_cjson_lock);
	t = cJSON_ParseWithLengthOpts(probe, len, NULL, 0);
	if (t) {
		cJSON_Delete(t);
		root = cJSON_ParseWithLengthOpts(copy, len, end, 0);
	}
	pthread_mutex_unlock(&cs_pam_cjson_lock);
	explicit_bzero(probe, len + 1);
	free(probe);
	return root;
}

/*
 * Parses body into *root, or says why not.  cJSON reads a private,
 * NUL-terminated copy (the scan has ruled out NUL bytes inside, so the
 * terminator bounds any read) which is wiped afterwards.
 */
static enum cs_pam_scan cs_pam_json(const char *body, size_t len,
				    cJSON **root)
{
	enum cs_pam_scan r;
	const char *end = NULL;
	char *copy;
	size_t i, used;

	*root = NULL;
	r = cs_pam_prescan(body, len);
	if (r != CS_PAM_SCAN_OK)
		return r;
	copy = malloc(len + 1);
	if (!copy)
		return CS_PAM_SCAN_NOMEM;
	memcpy(copy, body, len);
	copy[len] = '\0';

	*root = cs_pam_cjson(copy, len, &end);

	r = CS_PAM_SCAN_OK;
	if (!*root) {
		r = CS_PAM_SCAN_NOT_JSON;
		goto out_wipe_copy;
	}
	/* Nothing but blanks may follow the value. */
	used = end ? (size_t)(end - copy) : len;
	for (i = used; i < len; i++) {
		if (copy[i] != ' ' && copy[i] != '\t' && copy[i] != '\r' &&
		    copy[i] != '\n') {
			r = CS_PAM_SCAN_NOT_JSON;
			break;
		}
	}
	if (r == CS_PAM_SCAN_OK && !cJSON_IsObject(*root))
		r = CS_PAM_SCAN_NOT_OBJECT;
	if (r != CS_PAM_SCAN_OK) {
		cs_pam_wipe_tree(*root);
		cJSON_Delete(*root);
		*root = NULL;
	}
out_wipe_copy:
	explicit_bzero(copy, len + 1);
	free(copy);
	return r;
}

static const char *cs_pam_scan_why(enum cs_pam_scan s)
{
	switch (s) {
	case CS_PAM_SCAN_OK:         return "is JSON";
	case CS_PAM_SCAN_EMPTY:      return "is empty, not JSON";
	case CS_PAM_SCAN_TOO_BIG:    return "is over " CS_PAM_STR(CS_PAM_BODY_MAX_MIB) " MiB";
	case CS_PAM_SCAN_TOO_DEEP:   return "nests JSON deeper than " CS_PAM_STR(CS_PAM_JSON_DEPTH) " levels";
	case CS_PAM_SCAN_TRUNCATED:  return "is truncated JSON";
	case CS_PAM_SCAN_NUL:        return "holds a NUL character";
	case CS_PAM_SCAN_NOT_JSON:   return "is not JSON";
	case CS_PAM_SCAN_NOT_OBJECT: return "is JSON but not an object";
	case CS_PAM_SCAN_NOMEM:      return "could not be read (out of memory)";
	}
	return "is not JSON";
}

/* Reads a status 100..599 from a number or a numeric string: 0 or -1. */
static int cs_pam_status_value(const cJSON *st, long *out)
{
	const char *s;
	long v = 0;
	int digits = 0;

	if (cJSON_IsNumber(st)) {
		double d = st->valuedouble;

		if (!(d >= 100.0 && d <= 599.0) || d != (double)(long)d)
			return -1;
		*out = (long)d;
		return 0;
	}
	if (!cJSON_IsString(st) || !st->valuestring)
		return -1;
	s = st->valuestring;
	while (*s == ' ')
		s++;
	while (*s >= '0' && *s <= '9' && digits < 4) {
		v = v * 10 + (*s - '0');
		s++;
		digits++;
	}
	while (*s == ' ')
		s++;
	if (*s != '\0' || digits == 0 || v < 100 || v > 599)
		return -1;
	*out = v;
	return 0;
}

/*
 * Copies the PAM's "message" escaped (util/esc.h: control characters,
 * invalid UTF-8, backslashes), at most CS_PAM_MSG_MAX bytes plus "...".
 * Left empty when it would quote secret (a password the same body holds).
 */
static void cs_pam_take_msg(struct cs_pam_resp *r, const char *secret)
{
	const cJSON *m = cs_pam_get(r->root, "message");
	const char *s;
	size_t n, used;

	r->msg[0] = '\0';
	if (!cJSON_IsString(m) || !m->valuestring)
		return;
	s = m->valuestring;
	n = strlen(s);
	used = cs_esc(r->msg, CS_PAM_MSG_MAX + 1, s, n, CS_ESC_BACKSLASH);
	if (used < n)
		memcpy(r->msg + strlen(r->msg), "...", 4);
	if (secret && *secret &&
	    (strstr(s, secret) || strstr(r->msg, secret)))
		r->msg[0] = '\0';
}

/* The CheckOut.passwd string of a body, or NULL (to keep it out of text). */
static const char *cs_pam_body_passwd(const cJSON *root)
{
	const cJSON *p = cs_pam_get(cs_pam_get(root, "CheckOut"), "passwd");

	return cJSON_IsString(p) ? p->valuestring : NULL;
}

/* Reads a response: the JSON tree, its status and message. */
static void cs_pam_read(struct cs_pam_resp *r, const char *op, long http,
			const char *body, size_t len)
{
	const cJSON *st;

	memset(r, 0, sizeof(*r));
	r->op = op;
	r->http = http;
	if (!body)
		len = 0;
	r->scan = cs_pam_json(body ? body : "", len, &r->root);
	if (!r->root)
		return;
	st = cs_pam_get(r->root, "status");
	if (st && !cJSON_IsNull(st)) {
		if (cs_pam_status_value(st, &r->body_status) == 0)
			r->has_status = 1;
		else
			r->bad_status = 1;
	}
	cs_pam_take_msg(r, cs_pam_body_passwd(r->root));
}

static void cs_pam_resp_free(struct cs_pam_resp *r)
{
	if (r->root) {
		cs_pam_wipe_tree(r->root);
		cJSON_Delete(r->root);
		r->root = NULL;
	}
}

static int cs_pam_is_2xx(long st)
{
	return st >= 200 && st <= 299;
}

/* The status that decides: the body's, unless it claims a success the
 * HTTP status contradicts. */
static long cs_pam_effective(const struct cs_pam_resp *r)
{
	if (!r->has_status)
		return r->http;
	if (cs_pam_is_2xx(r->body_status) && !cs_pam_is_2xx(r->http))
		return r->http;
	return r->body_status;
}

/* Does a 4xx message mean "every credential of the runHost is out"? */
static int cs_pam_says_busy(const char *msg)
{
	static const char *const busy[] = {
		"in use", "none available", "no available credential",
		"all credentials", "checked out", "exhausted",
	};
	size_t i;

	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		if (cs_pam_icontains(msg, busy[i]))
			return 1;
	}
	return 0;
}

/* " (HTTP 200, PAM status 403)" or " (HTTP 401)". */
static void cs_pam_status_text(const struct cs_pam_resp *r, char *buf,
			       size_t n)
{
	if (r->has_status && r->body_status != r->http)
		snprintf(buf, n, " (HTTP %ld, PAM status %ld)", r->http,
			 r->body_status);
	else
		snprintf(buf, n, " (HTTP %ld)", r->http);
}

/* ": PAM says \"...\"" or "". */
static void cs_pam_msg_text(const struct cs_pam_resp *r, char *buf, size_t n)
{
	if (r->msg[0])
		snprintf(buf, n, ": PAM says \"%s\"", r->msg);
	else
		buf[0] = '\0';
}

/* Fills *err for a response whose effective status st is a failure. */
static void cs_pam_fail_status(const struct cs_pam_resp *r, long st,
			       const char *note, struct cs_pam_err *err)
{
	char stx[64], msx[CS_PAM_MSG_MAX + 32];
	enum cs_state state = CS_S08001;
	const char *what;

	cs_pam_status_text(r, stx, sizeof(stx));
	cs_pam_msg_text(r, msx, sizeof(msx));
	if (st == 401) {
		state = CS_S28000;
		what = "the PAM rejected the API token";
	} else if (st == 403) {
		state = CS_S28000;
		what = "the PAM denied access (check the API token and that "
		       "it may use PamRunHost)";
	} else if (st == 409 ||
		   (st >= 400 && st <= 499 && cs_pam_says_busy(r->msg))) {
		state = CS_S08004;
		what = "every credential of the runHost is checked out, "
		       "retry later";
	} else if (st >= 400 && st <= 499) {
		what = "the PAM refused the request";
	} else if (st >= 500 && st <= 599) {
		what = "the PAM reported a server error";
	} else if (st >= 300 && st <= 399) {
		what = "the PAM answered with a redirect, which credshim does "
		       "not follow (check PamUrl)";
	} else {
		what = "the PAM answered with an unexpected status";
	}
	cs_pam_errf(err, state, r->http, "PAM %s failed: %s%s%s%s", r->op,
		    what, stx, note ? note : "", msx);
	err->pam_status = st;
}

/*
 * Common judgement of a response: 0 when it is a success the caller may
 * read further, -1 with *err filled otherwise.
 */
static int cs_pam_judge(const struct cs_pam_resp *r, struct cs_pam_err *err)
{
	char note[96];
	long st;

	if (!r->root) {
		if (!cs_pam_is_2xx(r->http)) {
			snprintf(note, sizeof(note), "; the response %s",
				 cs_pam_scan_why(r->scan));
			cs_pam_fail_status(r, r->http, note, err);
			return -1;
		}
		cs_pam_errf(err, CS_S08001, r->http,
			    "PAM %s failed: the response %s (HTTP %ld)",
			    r->op, cs_pam_scan_why(r->scan), r->http);
		return -1;
	}
	if (r->bad_status) {
		if (!cs_pam_is_2xx(r->http)) {
			cs_pam_fail_status(r, r->http, NULL, err);
			return -1;
		}
		cs_pam_errf(err, CS_S08001, r->http,
			    "PAM %s failed: the response's \"status\" is not "
			    "an HTTP status (HTTP %ld)", r->op, r->http);
		return -1;
	}
	st = cs_pam_effective(r);
	if (!cs_pam_is_2xx(st)) {
		cs_pam_fail_status(r, st, NULL, err);
		return -1;
	}
	return 0;
}

/*
 * Copies the string at path into dst (cap bytes with the NUL): 0, or -1
 * with *err naming the field.  Empty strings are refused: an empty id,
 * account or password is never a usable checkout.
 */
static int cs_pam_take_field(const struct cs_pam_resp *r, const cJSON *item,
			     const char *path, char *dst, size_t cap,
			     struct cs_pam_err *err)
{
	char msx[CS_PAM_MSG_MAX + 32];
	size_t n;

	cs_pam_msg_text(r, msx, sizeof(msx));
	if (!cJSON_IsString(item) || !item->valuestring) {
		cs_pam_errf(err, CS_S08001, r->http,
			    "PAM %s failed: the response has no string %s "
			    "(HTTP %ld)%s", r->op, path, r->http, msx);
		return -1;
	}
	n = strlen(item->valuestring);
	if (n == 0) {
		cs_pam_errf(err, CS_S08001, r->http,
			    "PAM %s failed: the response's %s is empty "
			    "(HTTP %ld)%s", r->op, path, r->http, msx);
		return -1;
	}
	if (n >= cap) {
		cs_pam_errf(err, CS_S08001, r->http,
			    "PAM %s failed: the response's %s is longer than "
			    "%zu bytes (HTTP %ld)%s", r->op, path, cap - 1,
			    r->http, msx);
		return -1;
	}
	memcpy(dst, item->valuestring, n + 1);
	return 0;
}

const char *cs_pam_id_problem(const char *id)
{
	size_t i, dots = 0, n = id ? strlen(id) : 0;

	if (n == 0)
		return "is empty";
	if (n >= CS_PAM_ID_MAX)
		return "is too long";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c == '.')
			dots++;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			   c == '~'))
			return "holds a character other than A-Z a-z 0-9 - . _ ~";
	}
	if (dots == n)
		return "is only dots";
	return NULL;
}

/* Refuses a checkout whose request id cs_pam_id_problem() refuses: the
 * PAM has handed out a credential credshim cannot check in. */
static int cs_pam_check_id(const struct cs_pam_resp *r, const char *id,
			   struct cs_pam_err *err)
{
	const char *why = cs_pam_id_problem(id);
	char shown[72];
	size_t used, n;

	if (!why)
		return 0;
	n = strlen(id);
	used = cs_esc(shown, 65, id, n, CS_ESC_BACKSLASH);
	if (used < n)
		memcpy(shown + strlen(shown), "...", 4);
	cs_pam_errf(err, CS_S08001, r->http,
		    "PAM checkout failed: the response's CheckOut.Request.id "
		    "\"%s\" %s, so credshim cannot check it in (a request id "
		    "is 1 to %d of A-Z a-z 0-9 - . _ ~, not only dots): the "
		    "credential stays checked out until the PAM's expiry "
		    "(HTTP %ld)", shown, why, CS_PAM_ID_MAX - 1, r->http);
	return -1;
}

void cs_pam_checkout_wipe(struct cs_pam_checkout *co)
{
	if (co)
		explicit_bzero(co, sizeof(*co));
}

int cs_pam_parse_checkout(long http_status, const char *body, size_t len,
			  struct cs_pam_checkout *out, struct cs_pam_err *err)
{
	struct cs_pam_resp r;
	const cJSON *co, *req, *id;
	int rc = -1;

	cs_pam_checkout_wipe(out);
	memset(err, 0, sizeof(*err));
	cs_pam_read(&r, "checkout", http_status, body, len);
	if (cs_pam_judge(&r, err) != 0)
		goto out_free_resp;

	co = cs_pam_get(r.root, "CheckOut");
	req = cs_pam_get(co, "Request");
	id = cs_pam_get(req, "id");
	if (cJSON_IsString(id) && id->valuestring &&
	    cs_pam_check_id(&r, id->valuestring, err) != 0)
		goto out_free_resp;
	if (cs_pam_take_field(&r, id, "CheckOut.Request.id",
			      out->id, sizeof(out->id), err) != 0 ||
	    cs_pam_take_field(&r, cs_pam_get(co, "account"),
			      "CheckOut.account", out->account,
			      sizeof(out->account), err) != 0 ||
	    cs_pam_take_field(&r, cs_pam_get(co, "passwd"), "CheckOut.passwd",
			      out->passwd, sizeof(out->passwd), err) != 0)
		goto out_free_resp;
	rc = 0;

out_free_resp:
	if (rc != 0)
		cs_pam_checkout_wipe(out);
	cs_pam_resp_free(&r);
	return rc;
}

int cs_pam_parse_checkin(long http_status, const char *body, size_t len,
			 struct cs_pam_err *err)
{
	struct cs_pam_resp r;
	int rc = -1;

	memset(err, 0, sizeof(*err));
	/* "204 No Content" is a success that carries no JSON to judge. */
	if (http_status == 204 && cs_pam_prescan(body ? body : "",
						 body ? len : 0) ==
	    CS_PAM_SCAN_EMPTY)
		return 0;
	cs_pam_read(&r, "check-in", http_status, body, len);
	if (cs_pam_judge(&r, err) == 0)
		rc = 0;
	cs_pam_resp_free(&r);
	return rc;
}

/* Adds name: s (NULL as "") to obj; 0 or -1 (ENOMEM). */
static int cs_pam_add_str(cJSON *obj, const char *name, const char *s)
{
	return cJSON_AddStringToObject(obj, name, s ? s : "") ? 0 : -1;
}

/* Prints a request body and frees its tree. */
static char *cs_pam_print_request(cJSON *root)
{
	char *out = cJSON_PrintUnformatted(root);

	cJSON_Delete(root);
	return out;
}

/* A request body's root with its "Request" object holding type and
 * runHost; *req gets the object.  NULL on ENOMEM. */
static cJSON *cs_pam_request(const char *type, const struct cs_pam_cfg *cfg, cJSON **req)
{
	cJSON *root = cJSON_CreateObject();

	*req = root ? cJSON_AddObjectToObject(root, "Request") : NULL;
	if (!*req || cs_pam_add_str(*req, "type", type) != 0 ||
	    cs_pam_add_str(*req, "runHost", cfg->run_host) != 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

char *cs_pam_checkout_body(const struct cs_pam_cfg *cfg)
{
	cJSON *req, *root = cs_pam_request("PasswordCheckout", cfg, &req);

	if (!root)
		return NULL;
	if (cs_pam_add_str(req, "reason", cfg->reason) != 0 ||
	    !cJSON_AddNumberToObject(req, "duration", (double)cfg->duration_min) ||
	    cs_pam_add_str(req, "emailid", cfg->email) != 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return cs_pam_print_request(root);
}

char *cs_pam_checkin_body(const struct cs_pam_cfg *cfg, const char *id)
{
	cJSON *req, *root = cs_pam_request("PasswordCheckin", cfg, &req);

	if (!root)
		return NULL;
	if (cs_pam_add_str(req, "id", id) != 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return cs_pam_print_request(root);
}
