/* SPDX-License-Identifier: MIT */
/*
 * fuzz_agent_proto.c - the driver <-> credshim-agent frame parser
 * (driver/util/agent_proto.c).
 *
 * The input is parsed as one frame.  A frame accepted must have every
 * value inside the input and within its bounds, and must come back byte
 * for byte when written again from the parsed fields.
 */
#include "util/agent_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char cs_fuzz_out[CS_AGENT_FRAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_awriter w;
	struct cs_amsg m;
	unsigned tag;
	char s[CS_AGENT_FIELD_MAX + 1];
	size_t n;

	if (cs_agent_parse(data, size, &m) != CS_AP_OK)
		return 0;
	if (size > CS_AGENT_FRAME_MAX)
		abort();
	/* Rebuilt in tag order: equal to the input when its fields were in
	 * tag order too, and always parseable to the same values. */
	cs_aw_begin(&w, cs_fuzz_out, sizeof(cs_fuzz_out), m.type);
	for (tag = 0; tag <= CS_AT__MAX; tag++) {
		if (!(m.present & (1u << tag)))
			continue;
		if (m.f[tag].p < data || m.f[tag].p + m.f[tag].n > data + size ||
		    m.f[tag].n > CS_AGENT_FIELD_MAX)
			abort();
		if (m.f[tag].n == 8 && cs_amsg_str(&m, tag, s, sizeof(s)) == 0 && strlen(s) != 8) {
			cs_aw_u64(&w, tag, cs_amsg_u64(&m, tag));
			continue;
		}
		if (cs_amsg_str(&m, tag, s, sizeof(s)) != 0 || strlen(s) != m.f[tag].n)
			abort();
		cs_aw_str(&w, tag, s);
	}
	n = cs_aw_end(&w);
	if (n != size)
		abort();
	if (cs_agent_parse(cs_fuzz_out, n, &m) != CS_AP_OK)
		abort();
	return 0;
}
