// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_capfile.c - libFuzzer target for the capture-file reader.  Besides
 * "never crashes", it checks the reader's contract on every input: records
 * point at their interface, every data byte is readable, errors say where,
 * truncation is reported once and other errors stick.  Each input is read
 * twice, without and with capfile_carry(): option blobs and carried blocks
 * are walked byte by byte, so the sanitizer sees any read past them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small input can decompress to a lot; that is the reader's right, not a finding. */
#define MAX_DECOMPRESSED (64u << 20)

static unsigned int sum;

static uint16_t h16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t h32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* An OPTIONS BLOB: whole options in host order, no opt_endofopt. */
static void check_blob(const uint8_t *p, uint32_t n)
{
	uint32_t pos = 0, len;

	if (!p != !n || n % 4)
		abort();
	while (pos < n) {
		if (!h16(p + pos))
			abort();
		len = h16(p + pos + 2);
		if (n - pos - 4 < ((len + 3) & ~3u))
			abort();
		pos += 4 + ((len + 3) & ~3u);
	}
	for (pos = 0; pos < n; pos++)
		sum += p[pos];
}

/* A carried block: consistent lengths, host order. */
static void check_block(const struct capfile *f, const struct capfile_rec *r)
{
	uint32_t i;

	if (r->kind < CAPFILE_NRB || r->kind > CAPFILE_CUSTOM || r->caplen < 12 || r->caplen % 4 ||
	    r->caplen != r->wirelen || h32(r->data + 4) != r->caplen ||
	    h32(r->data + r->caplen - 4) != r->caplen)
		abort();
	if (r->kind == CAPFILE_ISB ? r->if_id >= capfile_nifaces(f) || !r->has_ts
				   : r->if_id != UINT32_MAX)
		abort();
	for (i = 0; i < r->caplen; i++)
		sum += r->data[i];
}

/* @return the number of packets read. */
static unsigned int run(const uint8_t *data, size_t size, bool carry, int *end)
{
	struct capfile_rec r;
	struct capfile *f;
	uint64_t off = 0;
	unsigned int i, n = 0;
	int ret;

	if (capfile_open_mem(data, size, "fuzz", &f)) {
		if (f || strncmp(capfile_error(NULL), "fuzz: ", 6))
			abort();
		*end = -EINVAL;
		return 0;
	}
	capfile_carry(f, carry);
	while ((ret = capfile_next(f, &r)) == 1 || ret == 2) {
		if (ret == 2) {
			if (!carry)
				abort();
			check_block(f, &r);
		} else {
			if (r.if_id >= capfile_nifaces(f) || !capfile_iface(f, r.if_id))
				abort();
			if (r.kind < CAPFILE_EPB || r.kind > CAPFILE_PCAP_REC ||
			    r.has_ts != (r.kind != CAPFILE_SPB))
				abort();
			for (i = 0; i < r.caplen; i++)
				sum += r.data[i];
			check_blob(r.opts, r.optlen);
			n++;
		}
		if (capfile_offset(f) < off)
			abort();
		off = capfile_offset(f);
		if (off > MAX_DECOMPRESSED)
			break;
	}
	if (ret < 0) {
		if (strncmp(capfile_error(f), "fuzz: offset ", 13))
			abort();
		/* truncation once, then the end; anything else again */
		if (capfile_next(f, &r) != (ret == -EIO ? 0 : ret))
			abort();
	} else if (ret == 0 && capfile_next(f, &r) != 0) {
		abort();
	}
	for (i = 0; i < capfile_nifaces(f); i++) {
		const struct capfile_iface *fi = capfile_iface(f, i);

		if (fi->section >= capfile_stats(f)->sections)
			abort();
		check_blob(fi->opts, fi->optlen);
	}
	*end = off > MAX_DECOMPRESSED ? 1 : ret;
	capfile_close(f);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int plain, carried;
	int end_plain, end_carried;

	plain = run(data, size, false, &end_plain);
	carried = run(data, size, true, &end_carried);
	/* carrying blocks may stop earlier at damage in them, never later */
	if (carried > plain || (end_carried == 0 && (end_plain != 0 || carried != plain)))
		abort();
	/* keep the reads of every byte */
	__asm__ volatile("" : : "r"(sum));
	return 0;
}
