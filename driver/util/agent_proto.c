/* SPDX-License-Identifier: MIT */
/*
 * agent_proto.c - the driver <-> credshim-agent frames (agent_proto.h).
 */
#include <string.h>

#include "util/agent_proto.h"

enum { CS_AK_STR = 1, CS_AK_NUM = 2 };

/* Kind of each tag's value. */
static const unsigned char cs_agent_kind[CS_AT__MAX + 1] = {
	[CS_AT_URL] = CS_AK_STR, [CS_AT_TOKEN] = CS_AK_STR, [CS_AT_RUNHOST] = CS_AK_STR,
	[CS_AT_REASON] = CS_AK_STR, [CS_AT_EMAIL] = CS_AK_STR, [CS_AT_CAFILE] = CS_AK_STR,
	[CS_AT_CAPATH] = CS_AK_STR, [CS_AT_INSECURE] = CS_AK_NUM, [CS_AT_DURATION] = CS_AK_NUM,
	[CS_AT_TIMEOUT_MS] = CS_AK_NUM, [CS_AT_WAIT_MS] = CS_AK_NUM, [CS_AT_SHARE] = CS_AK_NUM,
	[CS_AT_FRESH] = CS_AK_NUM, [CS_AT_LINGER_MS] = CS_AK_NUM, [CS_AT_RENEW] = CS_AK_NUM,
	[CS_AT_ID] = CS_AK_STR, [CS_AT_ACCOUNT] = CS_AK_STR, [CS_AT_PASSWD] = CS_AK_STR,
	[CS_AT_JOINED] = CS_AK_NUM, [CS_AT_SQLSTATE] = CS_AK_STR, [CS_AT_MSG] = CS_AK_STR,
};

#define B(t) (1u << (t))

/* Per type: the tags it may carry and the ones it must. */
static const struct {
	unsigned type;
	uint32_t allowed, required;
} cs_agent_types[] = {
	{ CS_AM_ACQUIRE,
	  B(CS_AT_URL) | B(CS_AT_TOKEN) | B(CS_AT_RUNHOST) | B(CS_AT_REASON) | B(CS_AT_EMAIL) |
	  B(CS_AT_CAFILE) | B(CS_AT_CAPATH) | B(CS_AT_INSECURE) | B(CS_AT_DURATION) |
	  B(CS_AT_TIMEOUT_MS) | B(CS_AT_WAIT_MS) | B(CS_AT_SHARE) | B(CS_AT_FRESH) | B(CS_AT_LINGER_MS) |
	  B(CS_AT_RENEW),
	  B(CS_AT_URL) | B(CS_AT_TOKEN) | B(CS_AT_RUNHOST) | B(CS_AT_DURATION) | B(CS_AT_TIMEOUT_MS) },
	{ CS_AM_RELEASE, 0, 0 },
	{ CS_AM_CRED, B(CS_AT_ID) | B(CS_AT_ACCOUNT) | B(CS_AT_PASSWD) | B(CS_AT_JOINED),
	  B(CS_AT_ID) | B(CS_AT_ACCOUNT) | B(CS_AT_PASSWD) },
	{ CS_AM_DONE, B(CS_AT_ID) | B(CS_AT_SQLSTATE) | B(CS_AT_MSG), 0 },
	{ CS_AM_ERR, B(CS_AT_SQLSTATE) | B(CS_AT_MSG), B(CS_AT_SQLSTATE) | B(CS_AT_MSG) },
};

const char *cs_agent_perr_str(enum cs_agent_perr e)
{
	switch (e) {
	case CS_AP_OK:      return "no error";
	case CS_AP_SHORT:   return "a truncated message";
	case CS_AP_MAGIC:   return "not a credshim-agent message";
	case CS_AP_VERSION: return "another protocol version (incompatible credshim-agent)";
	case CS_AP_TOOBIG:  return "a message over the size limit";
	case CS_AP_TYPE:    return "an unknown message type";
	case CS_AP_FIELD:   return "a malformed field";
	case CS_AP_MISSING: return "a required field missing";
	case CS_AP_EXTRA:   return "bytes after the message";
	}
	return "an unknown error";
}

enum cs_agent_perr cs_agent_header(const unsigned char *b, size_t n, unsigned *version, size_t *len)
{
	uint32_t l;

	if (n < CS_AGENT_HEADER)
		return CS_AP_SHORT;
	if (b[0] != 'C' || b[1] != 'S')
		return CS_AP_MAGIC;
	*version = b[2];
	if (b[2] != CS_AGENT_VERSION)
		return CS_AP_VERSION;
	l = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	if (l > CS_AGENT_PAYLOAD_MAX)
		return CS_AP_TOOBIG;
	*len = l;
	return CS_AP_OK;
}

static int cs_agent_type_row(unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof(cs_agent_types) / sizeof(cs_agent_types[0]); i++)
		if (cs_agent_types[i].type == type)
			return (int)i;
	return -1;
}

enum cs_agent_perr cs_agent_parse(const unsigned char *b, size_t n, struct cs_amsg *m)
{
	enum cs_agent_perr e;
	unsigned version;
	size_t len, at;
	int row;

	memset(m, 0, sizeof(*m));
	if ((e = cs_agent_header(b, n, &version, &len)) != CS_AP_OK)
		return e;
	if (n < CS_AGENT_HEADER + len)
		return CS_AP_SHORT;
	if (n > CS_AGENT_HEADER + len)
		return CS_AP_EXTRA;
	row = cs_agent_type_row(b[3]);
	if (row < 0)
		return CS_AP_TYPE;
	m->type = b[3];
	for (at = CS_AGENT_HEADER; at < n;) {
		unsigned tag;
		size_t sz;

		if (n - at < 3)
			return CS_AP_FIELD;
		tag = b[at];
		sz = (size_t)b[at + 1] << 8 | b[at + 2];
		at += 3;
		if (tag > CS_AT__MAX || !(cs_agent_types[row].allowed & B(tag)) ||
		    (m->present & B(tag)) || sz > n - at || sz > CS_AGENT_FIELD_MAX)
			return CS_AP_FIELD;
		if (cs_agent_kind[tag] == CS_AK_NUM ? sz != 8 : memchr(b + at, '\0', sz) != NULL)
			return CS_AP_FIELD;
		m->present |= B(tag);
		m->f[tag].p = b + at;
		m->f[tag].n = sz;
		at += sz;
	}
	if ((m->present & cs_agent_types[row].required) != cs_agent_types[row].required)
		return CS_AP_MISSING;
	return CS_AP_OK;
}

int cs_amsg_str(const struct cs_amsg *m, unsigned tag, char *out, size_t outlen)
{
	size_t n = tag <= CS_AT__MAX && (m->present & B(tag)) ? m->f[tag].n : 0;

	if (outlen == 0 || n >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	if (n)
		memcpy(out, m->f[tag].p, n);
	out[n] = '\0';
	return 0;
}

uint64_t cs_amsg_u64(const struct cs_amsg *m, unsigned tag)
{
	uint64_t v = 0;
	size_t i;

	if (tag > CS_AT__MAX || !(m->present & B(tag)) || m->f[tag].n != 8)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | m->f[tag].p[i];
	return v;
}

void cs_aw_begin(struct cs_awriter *w, unsigned char *buf, size_t cap, unsigned type)
{
	w->b = buf;
	w->cap = cap < CS_AGENT_FRAME_MAX ? cap : CS_AGENT_FRAME_MAX;
	w->bad = w->cap < CS_AGENT_HEADER;
	w->n = CS_AGENT_HEADER;
	if (!w->bad) {
		buf[0] = 'C';
		buf[1] = 'S';
		buf[2] = CS_AGENT_VERSION;
		buf[3] = (unsigned char)type;
	}
}

static void cs_aw_field(struct cs_awriter *w, unsigned tag, const void *v, size_t n)
{
	if (w->bad || tag > CS_AT__MAX || n > CS_AGENT_FIELD_MAX || w->cap - w->n < 3 + n) {
		w->bad = 1;
		return;
	}
	w->b[w->n] = (unsigned char)tag;
	w->b[w->n + 1] = (unsigned char)(n >> 8);
	w->b[w->n + 2] = (unsigned char)n;
	if (n)
		memcpy(w->b + w->n + 3, v, n);
	w->n += 3 + n;
}

void cs_aw_str(struct cs_awriter *w, unsigned tag, const char *s)
{
	if (s)
		cs_aw_field(w, tag, s, strlen(s));
}

void cs_aw_u64(struct cs_awriter *w, unsigned tag, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)v;
		v >>= 8;
	}
	cs_aw_field(w, tag, b, 8);
}

size_t cs_aw_end(struct cs_awriter *w)
{
	size_t len = w->n - CS_AGENT_HEADER;

	if (w->bad)
		return 0;
	w->b[4] = (unsigned char)(len >> 24);
	w->b[5] = (unsigned char)(len >> 16);
	w->b[6] = (unsigned char)(len >> 8);
	w->b[7] = (unsigned char)len;
	return w->n;
}
