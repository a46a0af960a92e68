// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pcapng_wirets - the time-from-the-wire options of capdump's files
 * (lib/pcapng_wirets.h): the EPB option's bytes (golden, little-endian),
 * decoded back, refused when short or out of range; both options found in
 * an OPTIONS BLOB among other custom options of the PEN (the clock's).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "pcapng.h"
#include "pcapng_clock.h"
#include "pcapng_wirets.h"
#include "test.h"

/* One custom option 2989 of our PEN into a blob at b (host order). */
static size_t put_custom(uint8_t *b, const void *data, uint16_t len)
{
	struct pcapng_opt_hdr h = { PCAPNG_OPT_CUSTOM_BIN, (uint16_t)(4 + len) };
	uint32_t pen = PCAPNG_PEN;
	size_t n = 4 + PCAPNG_PAD(4 + len);

	memset(b, 0, n);
	memcpy(b, &h, 4);
	memcpy(b + 4, &pen, 4);
	memcpy(b + 8, data, len);
	return n;
}

int main(void)
{
	static const uint8_t golden[28] = {
		1,    1,    0,	  0,	0x4d, 0x00, 0x02, 0x01, 0x05, 0x00, 0,	  0, 0x00, 0x00,
		0x80, 0x00, 0x15, 0xcd, 0x5b, 0x07, 0,	  0,	0,    0,    0x2a, 0, 0,	   0,
	};
	struct wirets w = {
		.ts_ns = 99,
		.sub_ns = 0x800000,
		.seq = 42,
		.device = 0x0102,
		.port = 5,
		.kind = WIRETS_METAMAKO,
		.status = WIRETS_OK,
		.flags = WIRETS_F_FCS_VALID | WIRETS_F_DEGRADED | WIRETS_F_SUBNS | WIRETS_F_DEVICE,
	};
	struct pcapng_wirets o;
	struct pcapng_wirets_if oi;
	struct pcapng_clock clk = { .version = 1 };
	enum wirets_kind kind;
	struct wirets back;
	uint8_t bad[28], longer[36], blob[256];
	uint64_t host;
	uint16_t n;
	size_t len = 0;

	pcapng_wirets_encode(&o, &w, 123456789ull);
	if (le16toh(1) == 1) /* the golden bytes are little-endian, as the file */
		T_ASSERT(!memcmp(&o, golden, sizeof(golden)));
	T_EQ(pcapng_wirets_decode(golden, sizeof(golden), &back, &host), 0);
	T_EQ(host, 123456789ull);
	T_EQ(back.kind, WIRETS_METAMAKO);
	T_EQ(back.status, WIRETS_OK);
	T_EQ(back.flags, w.flags);
	T_EQ(back.device, 0x0102);
	T_EQ(back.port, 5);
	T_EQ(back.sub_ns, 0x800000);
	T_EQ(back.seq, 42);
	T_EQ(back.ts_ns, 0);
	/* A later version's longer option is read for what version 1 has. */
	memset(longer, 0xee, sizeof(longer));
	memcpy(longer, golden, sizeof(golden));
	longer[0] = 2;
	T_EQ(pcapng_wirets_decode(longer, sizeof(longer), &back, &host), 0);
	T_EQ(host, 123456789ull);
	T_EQ(back.seq, 42);
	T_EQ(pcapng_wirets_decode(golden, 27, &back, &host), -EBADMSG);
	memcpy(bad, golden, sizeof(bad));
	bad[0] = 0;
	T_EQ(pcapng_wirets_decode(bad, sizeof(bad), &back, &host), -EBADMSG);
	bad[0] = 1, bad[1] = 0;
	T_EQ(pcapng_wirets_decode(bad, sizeof(bad), &back, &host), -EBADMSG);
	bad[1] = WIRETS_KIND_MAX + 1;
	T_EQ(pcapng_wirets_decode(bad, sizeof(bad), &back, &host), -EBADMSG);
	bad[1] = 1, bad[2] = WIRETS_STATUS_MAX + 1;
	T_EQ(pcapng_wirets_decode(bad, sizeof(bad), &back, &host), -EBADMSG);

	/* In a blob: a comment, the clock option, the IDB option, the EPB one. */
	T_EQ(pcapng_wirets_if_find(NULL, 0, &kind), -ENOENT);
	len = pcapng_opt_str(blob, sizeof(blob), PCAPNG_OPT_COMMENT, "x");
	len += put_custom(blob + len, &clk, sizeof(clk));
	T_EQ(pcapng_wirets_if_find(blob, len, &kind), -ENOENT);
	T_EQ(pcapng_wirets_find(blob, len, &back, &host), -ENOENT);
	pcapng_wirets_if_encode(&oi, WIRETS_ARISTA48);
	T_EQ(oi.tag, PCAPNG_WIRETS_IF_TAG);
	len += put_custom(blob + len, &oi, sizeof(oi));
	len += put_custom(blob + len, &o, sizeof(o));
	T_ASSERT(pcapng_opts_valid(blob, len));
	T_EQ(pcapng_wirets_if_find(blob, len, &kind), 0);
	T_EQ(kind, WIRETS_ARISTA48);
	T_EQ(pcapng_wirets_find(blob, len, &back, &host), 0);
	T_EQ(host, 123456789ull);
	T_EQ(back.port, 5);
	/* pcapng_opts_custom(): each in turn, then none. */
	const void *v = pcapng_opts_custom(blob, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, NULL, &n);

	T_ASSERT(v);
	T_EQ(n, sizeof(clk));
	v = pcapng_opts_custom(blob, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v, &n);
	T_EQ(n, sizeof(oi));
	v = pcapng_opts_custom(blob, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v, &n);
	T_EQ(n, sizeof(o));
	T_ASSERT(!pcapng_opts_custom(blob, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v, &n));
	T_ASSERT(!pcapng_opts_custom(blob, len, PCAPNG_OPT_CUSTOM_BIN, 1, NULL, &n));
	/* A cut blob: nothing read past its end. */
	T_EQ(pcapng_wirets_find(blob, len - 4, &back, &host), -ENOENT);
	return T_EXIT_PASS;
}
