/* SPDX-License-Identifier: MIT */
/*
 * test_agent_proto.c - the driver <-> credshim-agent frames
 * (driver/util/agent_proto.c): round trips, and every refusal.
 */
#include "check.h"
#include "util/agent_proto.h"

#include <string.h>

static unsigned char buf[CS_AGENT_FRAME_MAX];

static size_t acquire_frame(void)
{
	struct cs_awriter w;

	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_ACQUIRE);
	cs_aw_str(&w, CS_AT_URL, "https://pam.example");
	cs_aw_str(&w, CS_AT_TOKEN, "tok");
	cs_aw_str(&w, CS_AT_RUNHOST, "pg1");
	cs_aw_str(&w, CS_AT_CAFILE, NULL);          /* left out */
	cs_aw_u64(&w, CS_AT_DURATION, 60);
	cs_aw_u64(&w, CS_AT_TIMEOUT_MS, 10000);
	cs_aw_u64(&w, CS_AT_LINGER_MS, 0x0102030405060708ull);
	return cs_aw_end(&w);
}

static void test_round_trip(void)
{
	struct cs_amsg m;
	char s[64];
	size_t n = acquire_frame();

	CHECK(n > CS_AGENT_HEADER);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_OK);
	CHECK_INT(m.type, CS_AM_ACQUIRE);
	CHECK_INT(cs_amsg_str(&m, CS_AT_URL, s, sizeof(s)), 0);
	CHECK_STR(s, "https://pam.example");
	CHECK_INT(cs_amsg_str(&m, CS_AT_CAFILE, s, sizeof(s)), 0);
	CHECK_STR(s, "");
	CHECK(cs_amsg_u64(&m, CS_AT_DURATION) == 60);
	CHECK(cs_amsg_u64(&m, CS_AT_LINGER_MS) == 0x0102030405060708ull);
	CHECK(cs_amsg_u64(&m, CS_AT_WAIT_MS) == 0);
	CHECK_INT(cs_amsg_str(&m, CS_AT_URL, s, 5), -1);   /* does not fit */
}

static void test_refusals(void)
{
	struct cs_amsg m;
	struct cs_awriter w;
	unsigned v;
	size_t n = acquire_frame(), len;

	CHECK_INT(cs_agent_parse(buf, 5, &m), CS_AP_SHORT);
	CHECK_INT(cs_agent_parse(buf, n - 1, &m), CS_AP_SHORT);
	buf[n] = 0;
	CHECK_INT(cs_agent_parse(buf, n + 1, &m), CS_AP_EXTRA);
	buf[0] = 'X';
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_MAGIC);
	buf[0] = 'C';
	buf[2] = CS_AGENT_VERSION + 1;
	CHECK_INT(cs_agent_header(buf, n, &v, &len), CS_AP_VERSION);
	CHECK_INT(v, CS_AGENT_VERSION + 1);
	buf[2] = CS_AGENT_VERSION;
	buf[3] = 0x7f;
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_TYPE);
	buf[3] = CS_AM_ACQUIRE;
	buf[4] = 1;                                  /* length 16 MiB + ... */
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_TOOBIG);
	buf[4] = 0;
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_OK);

	/* a required field missing, a repeated one, one of another type */
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_ERR);
	cs_aw_str(&w, CS_AT_SQLSTATE, "08004");
	n = cs_aw_end(&w);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_MISSING);
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_ERR);
	cs_aw_str(&w, CS_AT_SQLSTATE, "08004");
	cs_aw_str(&w, CS_AT_SQLSTATE, "08004");
	cs_aw_str(&w, CS_AT_MSG, "m");
	n = cs_aw_end(&w);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_FIELD);
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_RELEASE);
	cs_aw_str(&w, CS_AT_TOKEN, "t");
	n = cs_aw_end(&w);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_FIELD);
	/* a number of the wrong size, a string with a NUL, a field past the end */
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_CRED);
	cs_aw_str(&w, CS_AT_ID, "1");
	cs_aw_str(&w, CS_AT_ACCOUNT, "a");
	cs_aw_str(&w, CS_AT_PASSWD, "p");
	cs_aw_str(&w, CS_AT_JOINED, "1");
	n = cs_aw_end(&w);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_FIELD);
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_CRED);
	cs_aw_str(&w, CS_AT_ID, "1");
	cs_aw_str(&w, CS_AT_ACCOUNT, "ab");
	cs_aw_str(&w, CS_AT_PASSWD, "p");
	n = cs_aw_end(&w);
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_OK);
	buf[CS_AGENT_HEADER + 4 + 3] = '\0';         /* inside "ab" */
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_FIELD);
	buf[CS_AGENT_HEADER + 4 + 3] = 'a';
	buf[CS_AGENT_HEADER + 2] = 200;              /* id's size past the end */
	CHECK_INT(cs_agent_parse(buf, n, &m), CS_AP_FIELD);
}

/* The writer refuses what it cannot frame: too long a value, too many. */
static void test_writer_bounds(void)
{
	static char big[CS_AGENT_FIELD_MAX + 2];
	struct cs_awriter w;
	int i;

	memset(big, 'x', sizeof(big) - 1);
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_ERR);
	cs_aw_str(&w, CS_AT_MSG, big);
	CHECK(cs_aw_end(&w) == 0);
	big[CS_AGENT_FIELD_MAX] = '\0';
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_ACQUIRE);
	for (i = CS_AT_URL; i <= CS_AT_CAPATH; i++)
		cs_aw_str(&w, (unsigned)i, big);
	CHECK(cs_aw_end(&w) == 0);                   /* over the payload limit */
	cs_aw_begin(&w, buf, 4, CS_AM_RELEASE);
	CHECK(cs_aw_end(&w) == 0);
	cs_aw_begin(&w, buf, sizeof(buf), CS_AM_RELEASE);
	CHECK(cs_aw_end(&w) == CS_AGENT_HEADER);
	CHECK(strcmp(cs_agent_perr_str(CS_AP_VERSION), "no error") != 0);
}

int main(void)
{
	test_round_trip();
	test_refusals();
	test_writer_bounds();
	return check_done("test_agent_proto");
}
