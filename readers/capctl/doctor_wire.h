/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_wire.h - what `capctl doctor` sees of the wire timestamps
 * (lib/wirets.h) in the frames capd captured: the newest records of the
 * ring (DOCTOR_WIRE_RECORDS of each ring of the set), by interface,
 * decoded with the kind capd.conf names and with every other kind, so
 * that the doctor can say when most frames lack the configured stamp or
 * carry another one.
 *
 * The ring is another process's memory: records come through ring_reader
 * (bounds checked, torn ones discarded), interface names and indexes are
 * compared within their fields, the decoders read within caplen, and the
 * walk stops after a bounded number of steps whatever the ring holds.
 * The tally functions do no system call (tests/unit build rings in memory).
 */
#ifndef CAPD_DOCTOR_WIRE_H
#define CAPD_DOCTOR_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "capd_conf.h"
#include "wirets.h"

#define DOCTOR_WIRE_RECORDS 2000 /* newest records looked at per ring */
#define DOCTOR_WIRE_DEVICES 8	 /* device/port pairs named; more are counted */

struct doctor_wire_dev {
	uint16_t device, port;
	uint64_t frames;
};

/* One configured interface's frames. */
struct doctor_wire {
	int err;	   /* of reading the ring: 0, or -ENOENT (no ring), -EACCES... */
	uint8_t ring_kind; /* ring_iface.wire_ts: what the running capd was told */
	bool in_ring;	   /* the ring's interface table names it */
	uint64_t frames;   /* records of the interface looked at */
	uint64_t status[WIRETS_STATUS_MAX + 1]; /* decoded with capd.conf's kind */
	uint64_t degraded;			/* of the valid ones: flags */
	uint64_t duplicate;
	uint64_t ok_as[WIRETS_KIND_MAX + 1]; /* valid, and within a week of the host's
					      * stamp, when decoded as each kind */
	unsigned int ndevs;		     /* device/port pairs of the valid ones */
	struct doctor_wire_dev devs[DOCTOR_WIRE_DEVICES];
	uint64_t devs_other; /* valid frames of pairs beyond devs[] */
};

/*
 * Tally the newest records of the ring mapped at mem (len bytes, read-only)
 * into w[i] for capture.interfaces[i] of c (by name), decoded with its
 * timestamp kind.  Adds to w[] (call it for every ring of a set); records
 * of interfaces c does not name are skipped.
 * @return 0, or the -errno of ring_reader_open() / a damaged ring.
 */
int doctor_wire_tally(const void *mem, uint64_t len, const struct capd_conf *c,
		      struct doctor_wire *w);

/*
 * Open every ring of the set at ring_path read-only and tally it into w[]
 * (capture.ninterfaces entries, zeroed here); a missing or unreadable ring
 * 0 sets every w[i].err.
 */
void doctor_wire_probe(const char *ring_path, const struct capd_conf *c, struct doctor_wire *w);

#endif
