// SPDX-License-Identifier: BSD-2-Clause
#include <inttypes.h>

#include "clock_text.h"
#include "file_replace.h"
#include "metrics.h"
#include "ring.h"

/*
 * Counters are read with ring_load_relaxed64(): the capture thread updates
 * them while they are written out.
 */

/* At most max bytes of s (the ring's fixed-size name fields), escaped. */
static void put_escaped(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else
			fputc(s[i], f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{ring="PATH": every sample starts so; labels and the value follow. */
static void sample(FILE *f, const struct metrics_ring *r, const char *name)
{
	fprintf(f, "%s{ring=\"", name);
	put_escaped(f, r->path ? r->path : "", SIZE_MAX);
	fputc('"', f);
}

static unsigned int nrings(const struct metrics_src *src)
{
	return src->nrings < RING_SET_MAX ? src->nrings : RING_SET_MAX;
}

static void label(FILE *f, const char *key, const char *value, size_t max)
{
	fprintf(f, ",%s=\"", key);
	put_escaped(f, value, max);
	fputc('"', f);
}

static void end_u64(FILE *f, uint64_t v)
{
	fprintf(f, "} %" PRIu64 "\n", v);
}

/* Nanoseconds as seconds, digit for digit: a double would round a time of
 * day to a quarter of a microsecond. */
static void end_ns(FILE *f, int64_t ns)
{
	uint64_t m = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	fprintf(f, "} %s%" PRIu64 ".%09" PRIu64 "\n", ns < 0 ? "-" : "", m / 1000000000u,
		m % 1000000000u);
}

/* The sequence numbers given out but the gaps killed writers left. */
static uint64_t records_written(const struct ring_hdr *h)
{
	uint64_t seqs = ring_load_relaxed64(&h->next_seq),
		 lost = ring_load_relaxed64(&h->crash_lost);

	return seqs > lost ? seqs - lost : 0;
}

/* ---- per ring: one sample per ring of the set, with only the ring label ------- */

enum ring_value {
	RV_RUNNING,
	RV_START,
	RV_UPDATE,
	RV_GENERATION,
	RV_SIZE,
	RV_RECORDS,
	RV_BYTES,
	RV_CRASHES,
	RV_CRASH_LOST,
	RV_BUSY,
	RV_POLLS,
	RV_BATCHES,
	RV_CONSUMERS,
	RV_CONSUMERS_APPEARED,
};

struct ring_family {
	const char *name, *type, *help;
	enum ring_value value;
	bool ns; /* nanoseconds, written as seconds */
};

static const struct ring_family ring_family_table[] = {
	{ "capd_running", "gauge",
	  "1 while capd captures into the ring; 0 once it stopped cleanly.", RV_RUNNING, false },
	{ "capd_start_time_seconds", "gauge",
	  "When capd started writing the ring, seconds since the epoch.", RV_START, true },
	{ "capd_last_update_time_seconds", "gauge",
	  "When capd wrote this file, seconds since the epoch.", RV_UPDATE, true },
	{ "capd_ring_generation", "gauge",
	  "Writer starts the ring file has seen, this one included.", RV_GENERATION, false },
	{ "capd_ring_size_bytes", "gauge",
	  "Bytes of records the ring holds at once (blocks times block size).", RV_SIZE, false },
	{ "capd_ring_records_total", "counter",
	  "Records written into the ring file, over all its generations.", RV_RECORDS, false },
	{ "capd_ring_written_bytes_total", "counter",
	  "Packet bytes stored in the ring file, over all its generations.", RV_BYTES, false },
	{ "capd_ring_writer_crashes_total", "counter",
	  "Writer starts that found the previous writer killed or crashed.", RV_CRASHES, false },
	{ "capd_ring_crash_lost_packets_total", "counter",
	  "Packets killed writers had taken and never written: gaps in the ring's sequence "
	  "numbers.",
	  RV_CRASH_LOST, false },
	{ "capd_capture_busy_seconds_total", "counter",
	  "Time the capture thread spent moving packets (the rest it polled empty sockets).",
	  RV_BUSY, true },
	{ "capd_capture_polls_total", "counter", "Passes of the capture loop over its sockets.",
	  RV_POLLS, false },
	{ "capd_capture_batches_total", "counter",
	  "Non-empty receive batches the capture loop took.", RV_BATCHES, false },
	{ "capd_local_consumers", "gauge",
	  "Local sockets that get nothing of a feed a bypass interface captures.", RV_CONSUMERS,
	  false },
	{ "capd_local_consumers_appeared_total", "counter",
	  "Local consumers seen since capd started, those there at its start included.",
	  RV_CONSUMERS_APPEARED, false },
};

static uint64_t ring_value(const struct metrics_src *src, const struct metrics_ring *r,
			   enum ring_value v)
{
	const struct ring_hdr *h = r->hdr;
	const struct ring_stats *st = r->stats;

	switch (v) {
	case RV_RUNNING:
		return src->running;
	case RV_START:
		return h->writer_start_ns;
	case RV_UPDATE:
		return src->now_ns;
	case RV_GENERATION:
		return h->generation;
	case RV_SIZE:
		return ring_capacity(h);
	case RV_RECORDS:
		return records_written(h);
	case RV_BYTES:
		return ring_load_relaxed64(&h->bytes);
	case RV_CRASHES:
		return ring_load_relaxed32(&h->crashes);
	case RV_CRASH_LOST:
		return ring_load_relaxed64(&h->crash_lost);
	case RV_BUSY:
		return ring_load_relaxed64(&st->busy_ns);
	case RV_POLLS:
		return ring_load_relaxed64(&st->polls);
	case RV_BATCHES:
		return ring_load_relaxed64(&st->batches);
	case RV_CONSUMERS:
		return ring_load_relaxed64(&st->local_consumers);
	case RV_CONSUMERS_APPEARED:
		return ring_load_relaxed64(&st->consumers_appeared);
	}
	return 0;
}

static void ring_families(FILE *f, const struct metrics_src *src)
{
	unsigned int i, k;

	for (i = 0; i < sizeof(ring_family_table) / sizeof(ring_family_table[0]); i++) {
		const struct ring_family *rf = &ring_family_table[i];

		head(f, rf->name, rf->type, rf->help);
		for (k = 0; k < nrings(src); k++) {
			uint64_t v = ring_value(src, &src->rings[k], rf->value);

			sample(f, &src->rings[k], rf->name);
			if (rf->ns)
				end_ns(f, (int64_t)v);
			else
				end_u64(f, v);
		}
	}
}

/* ---- per queue: one row per family, one column per label value ---------------- */

#define QS(field) offsetof(struct ring_queue_stats, field)

struct queue_family {
	const char *name, *help;
	const char *dim; /* the label that tells series[] apart, or NULL */
	unsigned int nseries;
	struct {
		const char *value;
		size_t off; /* of the uint64_t counter in struct ring_queue_stats */
	} series[5];
};

/*
 * xsk_fill_ring_empty is not a dropped_packets stage: the kernel counts
 * attempts that found the fill ring empty.  In copy mode the packet lost
 * that way is also counted in rx_dropped (stage="xsk"); in zero-copy mode
 * it is a driver refill that failed, and the NIC drops the packet later
 * (stage="nic").  Summing it in would count the same packets twice.
 */
static const struct queue_family queue_families[] = {
	{ "capd_received_packets_total",
	  "Packets from the queue written into the ring.",
	  NULL,
	  1,
	  { { NULL, QS(packets) } } },
	{ "capd_received_bytes_total",
	  "Wire bytes of the packets written into the ring.",
	  NULL,
	  1,
	  { { NULL, QS(bytes) } } },
	{ "capd_truncated_packets_total",
	  "Packets longer than capture.snaplen, stored cut (not lost).",
	  NULL,
	  1,
	  { { NULL, QS(truncated) } } },
	{ "capd_xdp_packets_total",
	  "Packets capd's XDP program saw: redirect = selected for capture, pass = left to the "
	  "kernel.",
	  "action",
	  2,
	  { { "redirect", QS(xdp_redirected) }, { "pass", QS(xdp_passed) } } },
	{ "capd_xdp_metadata_failures_total",
	  "Redirected packets the XDP program could not give a timestamp header.",
	  NULL,
	  1,
	  { { NULL, QS(xdp_meta_failed) } } },
	{ "capd_dropped_packets_total",
	  "Packets lost before the ring: nic = the NIC ran out of buffers (whole interface, on its "
	  "first queue), rx_ring_full = the socket's RX ring was full, xsk = dropped by the "
	  "AF_XDP socket otherwise, no_socket = selected on a queue capd does not capture "
	  "(whole interface, on its first queue), socket = the shared path's AF_PACKET socket "
	  "found its ring full.",
	  "stage",
	  5,
	  { { "nic", QS(nic_dropped) },
	    { "rx_ring_full", QS(xsk_rx_ring_full) },
	    { "xsk", QS(xsk_rx_dropped) },
	    { "no_socket", QS(xdp_no_socket) },
	    { "socket", QS(pkt_drops) } } },
	{ "capd_xsk_fill_ring_empty_total",
	  "Times the kernel found the AF_XDP socket's fill ring empty (capd late giving frames "
	  "back).",
	  NULL,
	  1,
	  { { NULL, QS(xsk_fill_ring_empty) } } },
	{ "capd_xsk_invalid_descriptors_total",
	  "Invalid descriptors the AF_XDP socket refused (a capd bug).",
	  NULL,
	  1,
	  { { NULL, QS(xsk_invalid_descs) } } },
};

static void queue_samples(FILE *f, const struct metrics_ring *r, const struct queue_family *qf)
{
	const struct ring_stats *st = r->stats;
	uint32_t nq = st->nqueue < RING_MAX_QUEUES ? st->nqueue : RING_MAX_QUEUES;
	uint32_t ni = st->niface < RING_MAX_IFACES ? st->niface : RING_MAX_IFACES;
	unsigned int i, j;
	char qid[8];

	for (i = 0; i < nq; i++) {
		const struct ring_queue_stats *q = &st->queues[i];
		const char *base = (const char *)q;

		snprintf(qid, sizeof(qid), "%u", q->queue);
		for (j = 0; j < qf->nseries; j++) {
			sample(f, r, qf->name);
			label(f, "interface", q->iface < ni ? st->ifaces[q->iface].name : "",
			      RING_IFNAME_LEN);
			label(f, "queue", qid, sizeof(qid));
			if (qf->dim)
				label(f, qf->dim, qf->series[j].value, SIZE_MAX);
			end_u64(f,
				ring_load_relaxed64((const uint64_t *)(base + qf->series[j].off)));
		}
	}
}

static void queue_family(FILE *f, const struct metrics_src *src, const struct queue_family *qf)
{
	unsigned int k;

	head(f, qf->name, "counter", qf->help);
	for (k = 0; k < nrings(src); k++)
		queue_samples(f, &src->rings[k], qf);
}

static const char *xdp_mode_name(uint8_t mode)
{
	return mode == 1 ? "native" : mode == 2 ? "generic" : "none";
}

static void interface_samples(FILE *f, const struct metrics_ring *r)
{
	const struct ring_stats *st = r->stats;
	uint32_t ni = st->niface < RING_MAX_IFACES ? st->niface : RING_MAX_IFACES;
	unsigned int i;

	for (i = 0; i < ni; i++) {
		const struct ring_iface *ri = &st->ifaces[i];

		sample(f, r, "capd_interface_info");
		label(f, "interface", ri->name, sizeof(ri->name));
		label(f, "xdp_mode", xdp_mode_name(ri->xdp_mode), SIZE_MAX);
		label(f, "zerocopy", ri->zerocopy ? "true" : "false", SIZE_MAX);
		label(f, "ts_source", clock_text_source(ri->ts_source), SIZE_MAX);
		label(f, "hardware", ri->hardware, sizeof(ri->hardware));
		end_u64(f, 1);
	}
}

static void interface_info(FILE *f, const struct metrics_src *src)
{
	unsigned int k;

	head(f, "capd_interface_info", "gauge",
	     "Always 1; the labels say how capd captures on the interface.");
	for (k = 0; k < nrings(src); k++)
		interface_samples(f, &src->rings[k]);
}

/* ptp4l's figures only while it answers, the UTC offset only while valid:
 * an absent sample says "unknown", a stale one would not.  The clock page
 * is the same in every ring of a set. */
static void clock_families(FILE *f, const struct metrics_src *src)
{
	const struct ring_clock *c = src->clock;
	bool ptp = c->ptp_status == RING_PTP_ANSWERING;
	unsigned int k, n = nrings(src);
	char gm[19];

	head(f, "capd_clock_synced", "gauge",
	     "1 when the timestamps are traceable to the grandmaster (or, without ptp4l, "
	     "the kernel calls its clock synchronised).");
	for (k = 0; k < n; k++) {
		sample(f, &src->rings[k], "capd_clock_synced");
		end_u64(f, c->synced ? 1 : 0);
	}
	head(f, "capd_clock_offset_seconds", "gauge",
	     "ptp4l's offset from master; absent while ptp4l does not answer.");
	for (k = 0; ptp && k < n; k++) {
		sample(f, &src->rings[k], "capd_clock_offset_seconds");
		end_ns(f, c->master_offset_ns);
	}
	head(f, "capd_clock_path_delay_seconds", "gauge",
	     "ptp4l's mean path delay to the master; absent while ptp4l does not answer.");
	for (k = 0; ptp && k < n; k++) {
		sample(f, &src->rings[k], "capd_clock_path_delay_seconds");
		end_ns(f, c->path_delay_ns);
	}
	head(f, "capd_clock_utc_offset_seconds", "gauge",
	     "TAI - UTC announced by the grandmaster; absent unless announced valid.");
	for (k = 0; (c->time_flags & RING_TIME_UTC_OFF_VALID) && k < n; k++) {
		sample(f, &src->rings[k], "capd_clock_utc_offset_seconds");
		end_ns(f, (int64_t)c->utc_offset * 1000000000);
	}
	head(f, "capd_clock_info", "gauge",
	     "Always 1; the labels give ptp4l's state as capd sees it.");
	for (k = 0; k < n; k++) {
		sample(f, &src->rings[k], "capd_clock_info");
		label(f, "ptp4l", clock_text_ptp_status(c->ptp_status), SIZE_MAX);
		label(f, "port_state", clock_text_port_state(c->port_state), SIZE_MAX);
		label(f, "gm_identity", ptp ? clock_text_identity(c->gm_identity, gm) : "",
		      SIZE_MAX);
		label(f, "ts_source", clock_text_source(c->ts_source), SIZE_MAX);
		end_u64(f, 1);
	}
}

void metrics_write(FILE *f, const struct metrics_src *src)
{
	unsigned int i;

	ring_families(f, src);
	for (i = 0; i < sizeof(queue_families) / sizeof(queue_families[0]); i++)
		queue_family(f, src, &queue_families[i]);
	interface_info(f, src);
	clock_families(f, src);
}

static void fill(FILE *f, const void *ctx)
{
	metrics_write(f, ctx);
}

int metrics_save(const char *path, const struct metrics_src *src)
{
	return file_replace(path, 0644, false, fill, src);
}
