// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zstd.h>

#include "archive_files.h"
#include "pcapng_feed.h"
#include "pcapng.h"
#include "ring_feed.h"
#include "test.h"
#include "udp_frame.h"

uint8_t archive_buf[ARCHIVE_BUF];
size_t archive_len;

void archive_put(const void *p, size_t n)
{
	T_ASSERT(n && archive_len + n <= sizeof(archive_buf));
	memcpy(archive_buf + archive_len, p, n);
	archive_len += n;
}

void archive_write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* A pause of pause_ns before every pause_every-th message (0: none). */
static uint64_t make_file(const char *path, uint64_t t0, uint32_t seq_from, uint32_t seq_to,
			  uint32_t gap_from, uint32_t gap_to, uint64_t dropcount,
			  const struct isb_counts *c, uint64_t deliv_before, bool zstd,
			  uint32_t pause_every, uint64_t pause_ns)
{
	static uint8_t blk[4096], z[1u << 20];
	struct pcapng_nrb_rec names[1] = { { AF_INET, { 239, 1, 1, 1 }, "A" } };
	struct ring_feed feeds[2];
	struct pcapng_feed opt[2];
	struct pcapng_custom cu[2];
	struct seqdec dec;
	uint8_t f[256];
	uint64_t ts = t0, n = 0;
	uint32_t seq, len;
	unsigned int i;

	archive_len = 0;
	archive_put(blk,
		    pcapng_shb(blk, sizeof(blk), &(struct pcapng_shb_info){ .userappl = "t" }));
	archive_put(blk, pcapng_idb(blk, sizeof(blk),
				    &(struct pcapng_idb_info){ .linktype = 1, .snaplen = 65535 }));
	memset(feeds, 0, sizeof(feeds));
	for (i = 0; i < 2; i++) {
		snprintf(feeds[i].name, sizeof(feeds[i].name), "%s", i ? "B" : "A");
		feeds[i].family = 4;
		feeds[i].prefix_len = 32;
		feeds[i].addr[0] = 239, feeds[i].addr[1] = 1, feeds[i].addr[2] = 1;
		feeds[i].addr[3] = (uint8_t)(i + 1);
	}
	T_EQ(seqdec_parse("seq:0:4:be", &dec), 0);
	T_EQ(ring_feed_set_proto(&feeds[0], &dec), 0);
	for (i = 0; i < 2; i++) {
		pcapng_feed_encode(&opt[i], &feeds[i]);
		cu[i] = (struct pcapng_custom){ .code = PCAPNG_OPT_CUSTOM_BIN,
						.pen = PCAPNG_PEN,
						.data = &opt[i],
						.len = sizeof(opt[i]) };
	}
	archive_put(blk, pcapng_nrb_custom(blk, sizeof(blk), names, 1, cu, 2));
	for (seq = seq_from; seq <= seq_to; seq++) {
		struct pcapng_epb_info e = { .queue = UINT32_MAX, .packetid = PCAPNG_ABSENT };

		if (seq >= gap_from && seq < gap_to)
			continue;
		if (pause_every && seq != seq_from && !((seq - seq_from) % pause_every))
			ts += pause_ns;
		for (i = 0; i < (seq % 2 ? 2u : 1u); i++) {
			len = udp_frame(f, i + 1, seq, 20);
			e.ts = ts;
			e.caplen = e.wirelen = len;
			e.data = f;
			e.dropcount = n == 3 ? dropcount : 0;
			archive_put(blk, pcapng_epb(blk, sizeof(blk), &e));
			ts += 10000000u;
			n++;
		}
	}
	archive_put(blk, pcapng_isb(blk, sizeof(blk),
				    &(struct pcapng_isb_info){ .ts = t0 + 10 * SEC,
							       .starttime = t0,
							       .endtime = t0 + 10 * SEC,
							       .ifrecv = deliv_before + n,
							       .ifdrop = c->ifdrop,
							       .filteraccept = deliv_before + n,
							       .osdrop = c->osdrop,
							       .usrdeliv = deliv_before + n }));
	if (zstd) {
		size_t zn = ZSTD_compress(z, sizeof(z), archive_buf, archive_len, 1);

		T_ASSERT(!ZSTD_isError(zn));
		archive_write_file(path, z, zn);
	} else {
		archive_write_file(path, archive_buf, archive_len);
	}
	return n;
}

uint64_t archive_make_file(const char *path, uint64_t t0, uint32_t seq_from, uint32_t seq_to,
			   uint32_t gap_from, uint32_t gap_to, uint64_t dropcount,
			   const struct isb_counts *c, uint64_t deliv_before, bool zstd)
{
	return make_file(path, t0, seq_from, seq_to, gap_from, gap_to, dropcount, c, deliv_before,
			 zstd, 0, 0);
}

uint64_t archive_make_paused(const char *path, uint64_t t0, uint32_t seq_from, uint32_t seq_to,
			     uint32_t pause_every, uint64_t pause_ns, const struct isb_counts *c,
			     uint64_t deliv_before)
{
	return make_file(path, t0, seq_from, seq_to, 0, 0, 0, c, deliv_before, false, pause_every,
			 pause_ns);
}

char *archive_list_obj(const char *out, const char *name)
{
	char key[600];
	const char *p, *q;

	snprintf(key, sizeof(key), "{\"name\":\"%s\",\"index\"", name);
	p = strstr(out, key);
	if (!p)
		T_FAIL("no file %s in the listing:\n%s", name, out);
	q = strstr(p + 1, ",\n{\"name\":\"");
	return strndup(p, q ? (size_t)(q - p) : strlen(p));
}
