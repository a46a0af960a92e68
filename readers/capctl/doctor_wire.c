// SPDX-License-Identifier: BSD-2-Clause
/*
 * The newest records are reached by sequence number (the header's
 * next_seq less DOCTOR_WIRE_RECORDS), not by time: a seek by time trusts
 * the blocks' first stamps, a seek by sequence only the reader's checks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "doctor_wire.h"
#include "ring.h"
#include "ring_file.h"
#include "ring_format.h"
#include "ring_reader.h"
#include "ring_set.h"

/* Steps of the walk beyond the records wanted: torn and padding records. */
#define WALK_SLACK 64

/* The configured interface i that the ring's interface `iface` is, or -1. */
static int conf_iface(const struct ring_stats *st, uint16_t iface, const struct capd_conf *c)
{
	uint32_t n = ring_load_relaxed32(&st->niface);
	char name[RING_IFNAME_LEN + 1];
	unsigned int i;

	if (iface >= n || iface >= RING_MAX_IFACES)
		return -1;
	memcpy(name, st->ifaces[iface].name, RING_IFNAME_LEN);
	name[RING_IFNAME_LEN] = '\0';
	for (i = 0; i < c->capture.ninterfaces; i++)
		if (!strcmp(name, c->capture.interfaces[i].name))
			return (int)i;
	return -1;
}

static void add_dev(struct doctor_wire *w, const struct wirets *ts)
{
	unsigned int i;

	if (!(ts->flags & WIRETS_F_DEVICE))
		return;
	for (i = 0; i < w->ndevs; i++)
		if (w->devs[i].device == ts->device && w->devs[i].port == ts->port) {
			w->devs[i].frames++;
			return;
		}
	if (w->ndevs == DOCTOR_WIRE_DEVICES) {
		w->devs_other++;
		return;
	}
	w->devs[w->ndevs++] = (struct doctor_wire_dev){ ts->device, ts->port, 1 };
}

/*
 * A stamp within a week of the host's, as Wireshark's heuristics ask: an
 * Exablaze trailer checks nothing else, so the bytes before any other
 * kind's trailer decode as one, and would be suggested as the kind.
 */
static bool plausible(const struct wirets *ts, uint64_t host_ns)
{
	const uint64_t week = 7ull * 86400 * 1000000000ull;

	return ts->ts_ns > host_ns ? ts->ts_ns - host_ns <= week : host_ns - ts->ts_ns <= week;
}

static void tally_frame(struct doctor_wire *w, int kind, const struct ring_rec *rec,
			const uint8_t *p)
{
	struct wirets ts;
	unsigned int k;

	w->frames++;
	for (k = 0; k <= WIRETS_KIND_MAX; k++) {
		int st = wirets_decode((enum wirets_kind)k, p, rec->caplen, rec->wirelen,
				       rec->ts_ns, &ts);

		if (st == WIRETS_OK && plausible(&ts, rec->ts_ns))
			w->ok_as[k]++;
		if ((int)k != kind)
			continue;
		if (st >= 0 && st <= WIRETS_STATUS_MAX)
			w->status[st]++;
		if (st != WIRETS_OK)
			continue;
		w->degraded += !!(ts.flags & WIRETS_F_DEGRADED);
		w->duplicate += !!(ts.flags & WIRETS_F_DUPLICATE);
		add_dev(w, &ts);
	}
}

int doctor_wire_tally(const void *mem, uint64_t len, const struct capd_conf *c,
		      struct doctor_wire *w)
{
	const struct ring_hdr *h = mem;
	const struct ring_stats *st;
	struct ring_reader rd;
	struct ring_view v;
	uint64_t next, got = 0, steps;
	uint8_t *buf = NULL;
	int r, i;

	r = ring_reader_open(&rd, mem, len);
	if (r < 0)
		return r;
	/* ring_reader_open() checked that the meta area is inside the mapping */
	st = (const struct ring_stats *)((const uint8_t *)mem + RING_STATS_OFF);
	for (i = 0; i < (int)c->capture.ninterfaces; i++) {
		uint32_t n = ring_load_relaxed32(&st->niface), j;

		for (j = 0; j < n && j < RING_MAX_IFACES; j++)
			if (conf_iface(st, (uint16_t)j, c) == i) {
				w[i].in_ring = true;
				w[i].ring_kind = st->ifaces[j].wire_ts;
			}
	}
	next = ring_load_relaxed64(&h->next_seq);
	r = ring_reader_seek(&rd, next > DOCTOR_WIRE_RECORDS ? RING_SEEK_SEQ : RING_SEEK_OLDEST,
			     next > DOCTOR_WIRE_RECORDS ? next - DOCTOR_WIRE_RECORDS : 0);
	if (r < 0)
		return r;
	buf = malloc(rd.max_caplen ? rd.max_caplen : 1);
	if (!buf)
		return -ENOMEM;
	for (steps = 0; got < DOCTOR_WIRE_RECORDS && steps < DOCTOR_WIRE_RECORDS + WALK_SLACK;
	     steps++) {
		uint32_t cl;
		int k;

		r = ring_reader_peek(&rd, &v);
		if (r == -EAGAIN || r == -EPIPE) {
			r = 0;
			break;
		}
		if (r < 0)
			goto out;
		cl = v.rec.caplen <= rd.max_caplen ? v.rec.caplen : rd.max_caplen;
		memcpy(buf, v.data, cl);
		if (ring_reader_release(&rd) < 0)
			continue; /* overwritten while copied: resynchronised */
		if (v.rec.flags & RING_REC_F_PAD)
			continue;
		got++;
		k = conf_iface(st, v.rec.iface, c);
		if (k < 0)
			continue;
		v.rec.caplen = cl;
		if (v.rec.wirelen < cl)
			v.rec.wirelen = cl; /* a record that says otherwise is not capd's */
		tally_frame(&w[k], c->capture.interfaces[k].timestamp, &v.rec, buf);
	}
	r = 0;
out:
	free(buf);
	return r;
}

void doctor_wire_probe(const char *ring_path, const struct capd_conf *c, struct doctor_wire *w)
{
	struct ring_map m0, mk;
	char path[4096 + 16];
	unsigned int i, k, n;
	int r;

	memset(w, 0, c->capture.ninterfaces * sizeof(*w));
	r = ring_file_open_ro(ring_path, &m0);
	if (r == 0) {
		r = doctor_wire_tally(m0.mem, m0.len, c, w);
		n = ring_set_size(m0.mem);
		for (k = 1;
		     r == 0 &&
		     ring_load_relaxed32(&((const struct ring_hdr *)m0.mem)->set_index) == 0 &&
		     k < n && k < RING_SET_MAX;
		     k++) {
			if (ring_set_member_path(ring_path, k, path, sizeof(path)) < 0 ||
			    ring_file_open_ro(path, &mk) < 0)
				continue;
			if (ring_set_member_of(m0.mem, mk.mem, k))
				doctor_wire_tally(mk.mem, mk.len, c, w);
			ring_file_close(&mk);
		}
		ring_file_close(&m0);
	}
	for (i = 0; r < 0 && i < c->capture.ninterfaces; i++)
		w[i].err = r;
}
