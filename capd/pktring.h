/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pktring.h - one AF_PACKET socket with a TPACKET_V3 receive ring: the
 * shared capture path.  The kernel delivers every frame to its own sockets
 * as usual and puts a copy of the frames the socket filter selects into
 * this ring, as it does for tcpdump.
 *
 * The ring is a row of blocks; the kernel fills a block it owns
 * (TP_STATUS_KERNEL), then hands it over (TP_STATUS_USER) when it is full
 * or its retire timeout has passed.  When no block is free the kernel
 * drops the frame and counts it (PACKET_STATISTICS tp_drops): it never
 * overwrites.
 *
 * Hot loop, one thread, like xsk.h:
 *
 *	n = pktring_peek(p, frames, 64);
 *	for (i = 0; i < n; i++)
 *		memcpy(dst, frames[i].data, min(frames[i].len, snaplen));
 *	pktring_release(p);
 *
 * peek and release make no system call, allocate nothing and take no page
 * fault (the ring is mapped and populated at open).  peek reads
 * block_status with an acquire load, so what the kernel wrote before it
 * handed the block over is visible; release hands a block back with a
 * release store after the last read of its frames.
 */
#ifndef CAPD_PKTRING_H
#define CAPD_PKTRING_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

struct pktring_opts {
	const char *ifname;
	uint32_t block_size; /* power of two, >= the page size; 0 = 1 MiB */
	uint32_t blocks;     /* >= 2; 0 = 64 */
	uint32_t retire_ms;  /* hand a block over after this long; 0 = 1 ms */
	/* the socket filter: what the ring gets (never what the stack gets) */
	const struct sock_fprog *filter;
	/* > 0: join PACKET_FANOUT group fanout_id (FANOUT_QM), as its
	 * next member; members must join in receive-queue order */
	int fanout_id;
	bool hw_ts; /* ask for the NIC's raw stamps (enable them on the NIC first) */
};

/* A frame in the ring; valid until pktring_release(). */
struct pktring_frame {
	const uint8_t *data; /* Ethernet header, without a VLAN tag the kernel took off */
	uint32_t len;	     /* bytes at data (the kernel's snaplen is the frame) */
	uint32_t wire_len;   /* bytes on the wire, without that tag */
	uint64_t ts_ns;	     /* hw: the NIC's clock; else CLOCK_REALTIME */
	uint32_t vlan;	     /* the tag the kernel took off (TPID << 16 | TCI), if hw_vlan */
	bool hw_ts;	     /* TP_STATUS_TS_RAW_HARDWARE */
	bool hw_vlan;	     /* TP_STATUS_VLAN_VALID */
};

struct pktring_stats {
	uint64_t packets; /* PACKET_STATISTICS since open: frames the filter took */
	uint64_t drops;	  /* ... and dropped for want of a free block */
	uint64_t freezes; /* times the kernel found the ring full */
};

struct pktring;

/*
 * Open the socket (protocol 0, so nothing is queued before the filter is
 * in place), attach o->filter, set TPACKET_V3, PACKET_IGNORE_OUTGOING,
 * PACKET_TIMESTAMP, map the ring (MAP_POPULATE, every page touched), bind
 * to o->ifname for every protocol, and join the fanout group if asked.
 * @return 0; -EINVAL for bad sizes; -ENODEV; -ENOMEM; or the -errno of the
 *         system call that failed.
 */
int pktring_open(const struct pktring_opts *o, struct pktring **ret);

/* Close the socket and unmap the ring.  NULL is a no-op. */
void pktring_close(struct pktring *p);

/*
 * Up to max frames of the current block, if the kernel has handed it over.
 * A block larger than max is returned over several calls.  Releases the
 * previous batch first if the caller has not.
 * @return the number of frames, 0 if the current block is still the kernel's.
 */
unsigned int pktring_peek(struct pktring *p, struct pktring_frame *frames, unsigned int max);

/* Done with the last peeked batch: once a block is read to its end it goes
 * back to the kernel. */
void pktring_release(struct pktring *p);

/*
 * The socket's counters since open (PACKET_STATISTICS, which resets them
 * at every reading: this accumulates).  Not thread-safe: one caller
 * thread, not the hot loop's.
 * @return 0 or the -errno of getsockopt (the totals are then unchanged).
 */
int pktring_stats(struct pktring *p, struct pktring_stats *st);

#endif
