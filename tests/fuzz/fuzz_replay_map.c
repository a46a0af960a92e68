// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_replay_map - capreplay's rewriting (readers/capreplay/replay_map.c)
 * on anything.  An input is --map arguments (separated by ',') up to the
 * first '\n', a byte of flags (1 allow_unicast, 2 --smac, 4 --dmac), a TTL
 * byte (0: keep), then a frame.  Parsing, replay_map_dest(),
 * replay_map_frame_check() and replay_map_frame() stay inside the frame (it
 * is a buffer of exactly its length, under ASan); a rewrite touches only the
 * MACs, the IP header and the UDP header, never the payload; when it changed
 * what a checksum covers, that checksum verifies by replay_frame.h's own
 * sums (an IPv4 UDP checksum of 0 stays 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "replay_frame.h"
#include "replay_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_rules(struct replay_map *m, const uint8_t *data, size_t n)
{
	char arg[512], err[256];
	size_t i, k = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || data[i] == ',') {
			arg[k] = '\0';
			err[0] = '\0';
			if (replay_map_add(m, arg, err, sizeof(err)) && !err[0])
				abort(); /* a refusal always says why */
			k = 0;
		} else if (k < sizeof(arg) - 1) {
			arg[k++] = data[i] ? (char)data[i] : '?';
		}
	}
}

static void check_rewrite(const uint8_t *orig, const uint8_t *f, uint32_t len)
{
	struct frame_info fi;
	uint32_t ihl, ulen, i, end;
	bool v6;

	if (frame_decode(orig, len, &fi)) {
		/* Not IP (or not decodable): at most the MACs changed. */
		if (len > 12 && memcmp(orig + 12, f + 12, len - 12))
			abort();
		return;
	}
	v6 = fi.family == AF_INET6;
	ihl = v6 ? 40 : (uint32_t)(orig[fi.l3_off] & 0x0f) * 4;
	/* Nothing between the MACs and the IP header. */
	if (memcmp(orig + 12, f + 12, fi.l3_off - 12))
		abort();
	end = fi.l3_off + ihl;
	if (end > len)
		end = len;
	if (memcmp(orig + fi.l3_off, f + fi.l3_off, end - fi.l3_off) && !v6 &&
	    (fi.l3_off + ihl > len || !rf_ip4_ok(f + fi.l3_off)))
		abort();
	if (fi.proto != 17 || !fi.payload_off) {
		if (end < len && memcmp(orig + end, f + end, len - end))
			abort();
		return;
	}
	/* The payload, and whatever follows the UDP header, untouched. */
	if (memcmp(orig + fi.payload_off, f + fi.payload_off, len - fi.payload_off))
		abort();
	if (!memcmp(orig + fi.l4_off, f + fi.l4_off, 8) &&
	    !memcmp(orig + fi.l3_off + (v6 ? 8 : 12), f + fi.l3_off + (v6 ? 8 : 12), v6 ? 32 : 8))
		return;
	if (!v6 && !orig[fi.l4_off + 6] && !orig[fi.l4_off + 7]) {
		if (f[fi.l4_off + 6] || f[fi.l4_off + 7])
			abort();
		return;
	}
	ulen = (uint32_t)(f[fi.l4_off + 4] << 8 | f[fi.l4_off + 5]);
	if (ulen < 8 || fi.l4_off + ulen > len || !rf_udp_ok(v6, f + fi.l3_off, f + fi.l4_off))
		abort();
	for (i = 0; i < 6; i++)
		if (f[fi.l4_off + i] != orig[fi.l4_off + i] && i != 2 && i != 3)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct replay_map m;
	const uint8_t *nl = memchr(data, '\n', size);
	struct replay_dest d;
	struct frame_info fi;
	uint8_t *orig, *f;
	uint32_t len;
	int n;

	if (!nl || (size_t)(nl - data) + 3 > size)
		return 0;
	memset(&m, 0, sizeof(m));
	m.allow_unicast = nl[1] & 1;
	m.set_smac = nl[1] & 2;
	m.set_dmac = nl[1] & 4;
	memcpy(m.smac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(m.dmac, "\x01\x00\x5e\x01\x02\x03", 6);
	m.ttl = nl[2] ? nl[2] : -1;
	parse_rules(&m, data, (size_t)(nl - data));
	if (m.nrules > REPLAY_MAP_RULES_MAX)
		abort();

	len = (uint32_t)(size - (size_t)(nl - data) - 3);
	orig = malloc(len ? len : 1);
	f = malloc(len ? len : 1);
	if (!orig || !f)
		abort();
	memcpy(orig, nl + 3, len);
	memcpy(f, nl + 3, len);
	if (!frame_decode(f, len, &fi) && fi.payload_off) {
		n = replay_map_dest(&m, &fi, &d);
		if (n && n != -EPROTONOSUPPORT && n != -EDESTADDRREQ)
			abort();
	}
	n = replay_map_frame_check(&m, f, len);
	if ((n && n != -EDESTADDRREQ) || (m.allow_unicast && n))
		abort();
	n = replay_map_frame(&m, f, len);
	if (n < 0 || (!n && memcmp(orig, f, len)) || (n && !memcmp(orig, f, len)))
		abort();
	if (n)
		check_rewrite(orig, f, len);
	free(orig);
	free(f);
	return 0;
}
