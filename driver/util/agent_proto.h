/* SPDX-License-Identifier: MIT */
/*
 * agent_proto.h - the socket protocol between the driver and
 * credshim-agent, as data (pure: no I/O).  Unit-tested in
 * tests/unit/test_agent_proto.c and fuzzed by tests/fuzz/fuzz_agent_proto.c.
 *
 * A message is one frame:
 *
 *   'C' 'S' version type  length (4 bytes, big-endian)  payload
 *
 * length is the payload's size, at most CS_AGENT_PAYLOAD_MAX.  The payload
 * is a sequence of fields, each  tag (1 byte)  size (2 bytes, big-endian)
 * value; a tag appears at most once, each type has its required tags, and
 * no other tag is allowed.  Strings are bytes without NUL; numbers are 8
 * bytes big-endian.  A frame of another version is refused as a whole
 * (the peers are incompatible).
 *
 *   ACQUIRE  driver -> agent: PamUrl, token, runHost, reason, email, CA
 *            settings, insecure, duration, timeout, the time left of the
 *            login timeout, share, fresh, linger
 *   RELEASE  driver -> agent: the lease of this connection goes back
 *   CRED     agent -> driver: request id, account, password, joined
 *   DONE     agent -> driver: the release is done
 *   ERR      agent -> driver: SQLSTATE and message
 */
#ifndef CS_AGENT_PROTO_H
#define CS_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CS_AGENT_VERSION     1
#define CS_AGENT_HEADER      8
#define CS_AGENT_PAYLOAD_MAX 16384
#define CS_AGENT_FIELD_MAX   4096     /* bytes of one value */
#define CS_AGENT_FRAME_MAX   (CS_AGENT_HEADER + CS_AGENT_PAYLOAD_MAX)

enum cs_agent_type {
	CS_AM_ACQUIRE = 1,
	CS_AM_RELEASE = 2,
	CS_AM_CRED = 0x81,
	CS_AM_DONE = 0x82,
	CS_AM_ERR = 0x83,
};

enum cs_agent_tag {
	CS_AT_URL = 1, CS_AT_TOKEN, CS_AT_RUNHOST, CS_AT_REASON, CS_AT_EMAIL, CS_AT_CAFILE,
	CS_AT_CAPATH, CS_AT_INSECURE, CS_AT_DURATION, CS_AT_TIMEOUT_MS, CS_AT_WAIT_MS,
	CS_AT_SHARE, CS_AT_FRESH, CS_AT_LINGER_MS, CS_AT_RENEW,
	CS_AT_ID = 16, CS_AT_ACCOUNT, CS_AT_PASSWD, CS_AT_JOINED,
	CS_AT_SQLSTATE = 24, CS_AT_MSG,
	CS_AT__MAX = 31,
};

/* A parsed message: values point into the frame it was parsed from. */
struct cs_amsg {
	unsigned type;
	uint32_t present;             /* bit per tag */
	struct {
		const unsigned char *p;
		size_t n;
	} f[CS_AT__MAX + 1];
};

/* What is wrong with a frame (0 = nothing). */
enum cs_agent_perr {
	CS_AP_OK = 0,
	CS_AP_SHORT,      /* fewer bytes than the header or its length say */
	CS_AP_MAGIC,      /* not a credshim-agent frame */
	CS_AP_VERSION,    /* another protocol version */
	CS_AP_TOOBIG,     /* length over CS_AGENT_PAYLOAD_MAX */
	CS_AP_TYPE,       /* unknown message type */
	CS_AP_FIELD,      /* a field runs past the payload, repeats, is unknown
			   * for the type, too long, or holds a NUL */
	CS_AP_MISSING,    /* a required field is missing */
	CS_AP_EXTRA,      /* bytes after the frame */
};

const char *cs_agent_perr_str(enum cs_agent_perr e);

/* Pure: checks a frame's 8-byte header; *len gets the payload size. */
enum cs_agent_perr cs_agent_header(const unsigned char *b, size_t n, unsigned *version, size_t *len);
/* Pure: parses one whole frame (header + payload, exactly n bytes). */
enum cs_agent_perr cs_agent_parse(const unsigned char *b, size_t n, struct cs_amsg *m);

/* Copies string field tag into out (NUL-terminated); "" when absent.
 * -1 when it does not fit. */
int cs_amsg_str(const struct cs_amsg *m, unsigned tag, char *out, size_t outlen);
/* Number field tag, 0 when absent. */
uint64_t cs_amsg_u64(const struct cs_amsg *m, unsigned tag);

/* Builds a frame in a caller's buffer (CS_AGENT_FRAME_MAX bytes). */
struct cs_awriter {
	unsigned char *b;
	size_t n, cap;
	int bad;                      /* a field did not fit or was invalid */
};

void cs_aw_begin(struct cs_awriter *w, unsigned char *buf, size_t cap, unsigned type);
void cs_aw_str(struct cs_awriter *w, unsigned tag, const char *s);   /* NULL: left out */
void cs_aw_u64(struct cs_awriter *w, unsigned tag, uint64_t v);
/* The frame's size, or 0 when it could not be built. */
size_t cs_aw_end(struct cs_awriter *w);

#endif
