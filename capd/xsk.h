/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xsk.h - one AF_XDP receive socket on one (interface, queue), with its own
 * UMEM, through libxdp 1.3.1.  The XDP program is not ours to load here
 * (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD): register xsk_rx_fd() with
 * xdp_prog_xsk_add() once the socket is open.
 *
 * Hot loop, one thread per socket (the rings are single-consumer and
 * single-producer; nothing here locks):
 *
 *	struct xsk_rx_frame f[64];
 *	for (;;) {
 *		n = xsk_rx_peek(x, f, 64);
 *		for (i = 0; i < n; i++) {
 *			wire = xsk_rx_copy(x, &f[i], dst, snaplen);
 *			ts = f[i].meta ? f[i].meta->tai_ns : now;
 *			...
 *		}
 *		xsk_rx_release(x);
 *	}
 *
 * peek, copy and release make no system call, allocate nothing and take no
 * page fault (UMEM and rings are populated at open), except for the kick
 * described at xsk_rx_peek().  The frame pointers stay valid until
 * xsk_rx_release(): then the buffers go back to the kernel.
 *
 * Memory ordering is libxdp's (xsk.h, the kernel's xsk_queue.h): peek
 * reads the RX producer index with an acquire load, so the descriptors and
 * the frame bytes the kernel wrote before publishing are visible;
 * release publishes our consumer index with a release store, after the
 * last read of the frames, and the fill ring producer likewise, after the
 * addresses are written.
 */
#ifndef CAPD_XSK_H
#define CAPD_XSK_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/capd_shared.h"

/* Same values as capd_conf.h's enum capd_zerocopy. */
enum xsk_rx_zc {
	XSK_RX_ZC_AUTO = 0, /* zero-copy if the driver can, else copy */
	XSK_RX_ZC_ON = 1,   /* zero-copy or fail */
	XSK_RX_ZC_OFF = 2,  /* copy mode */
};

struct xsk_rx_opts {
	const char *ifname;
	uint32_t queue;
	uint32_t xdp_flags;  /* the program's attach mode (xdp_prog_info.xdp_flags) */
	uint32_t frame_size; /* UMEM chunk: 2048 or 4096; 0 = 4096 */
	uint32_t frames;     /* UMEM frames, >= fill_size; 0 = 4096 */
	uint32_t fill_size;  /* fill ring entries, power of two; 0 = frames rounded down */
	uint32_t rx_size;    /* RX ring entries, power of two; 0 = 2048 */
	enum xsk_rx_zc zerocopy;
	bool no_hugepages; /* do not try MAP_HUGETLB for the UMEM */
	/* The program puts its metadata header in the frame, not in front of
	 * it (xdp_prog_info.meta_in_frame): peek strips it. */
	bool meta_in_frame;
	/* Bind without XDP_USE_SG: the kernel has no multi-buffer sockets
	 * (XDP_PROG_F_SG missing from xdp_prog_info.feat). */
	bool no_sg;
};

/*
 * Frames longer than a buffer arrive as a chain of descriptors (XDP_PKT_CONTD
 * on all but the last; bind flag XDP_USE_SG).  peek returns whole chains
 * only; a chain of more than XSK_RX_MAX_BUFS buffers (the kernel makes at
 * most 18) is returned cut, with XSK_RX_F_INCOMPLETE, so it cannot stall
 * the ring.  A socket bound without XDP_USE_SG never sees such a frame:
 * the kernel drops it and counts it in xsk_rx_stats.rx_dropped.
 */
#define XSK_RX_MAX_BUFS	    64
#define XSK_RX_F_INCOMPLETE (1u << 0)

struct xsk_rx_frame {
	const uint8_t *data; /* the frame's first byte (Ethernet header) */
	/* NULL if the program wrote none; valid until the batch is released */
	const struct capd_xdp_meta *meta;
	uint32_t len;	   /* bytes at data: the first buffer only */
	uint32_t wire_len; /* bytes of the whole frame, all buffers */
	/* (neither counts a metadata header in the frame) */
	uint32_t desc;	/* RX ring index of the first descriptor (internal) */
	uint16_t nbufs; /* descriptors of the frame */
	uint16_t flags; /* XSK_RX_F_* */
};

struct xsk_rx_info {
	bool zerocopy;	/* XDP_OPTIONS_ZEROCOPY after bind */
	bool hugepages; /* the UMEM is on MAP_HUGETLB memory */
	int zc_err;	/* -errno of the failed zero-copy bind (AUTO), else 0 */
	bool sg;	/* bound with XDP_USE_SG */
	int sg_err;	/* -errno of a refused XDP_USE_SG bind, else 0 */
	uint32_t frame_size;
	uint32_t frames;
	uint32_t fill_size;
	uint32_t rx_size;
	uint64_t umem_bytes; /* mapped, including hugepage rounding */
};

struct xsk_rx_stats {
	/* getsockopt(XDP_STATISTICS): the kernel's view */
	uint64_t rx_dropped; /* e.g. multi-buffer frame without XDP_USE_SG */
	uint64_t rx_invalid_descs;
	uint64_t rx_ring_full;	     /* frames lost: the consumer was too slow */
	uint64_t rx_fill_ring_empty; /* frames lost: no free buffer */
	/* ours, counted by the hot loop */
	uint64_t frames;     /* frames returned by xsk_rx_peek() */
	uint64_t bufs;	     /* descriptors consumed */
	uint64_t incomplete; /* frames returned with XSK_RX_F_INCOMPLETE */
	uint64_t wakeups;    /* recvfrom() kicks (need_wakeup was set) */
};

struct xsk_rx;

/*
 * The longest frame one UMEM buffer of frame_size bytes (0: the default)
 * holds: the kernel keeps XDP_PACKET_HEADROOM in front of every frame, and
 * a metadata header in the frame takes its share.  Without XDP_USE_SG a
 * longer frame is dropped (rx_dropped).
 */
uint32_t xsk_rx_frame_room(uint32_t frame_size, bool meta_in_frame);

/*
 * Map the UMEM (MAP_POPULATE; MAP_HUGETLB first unless told not to), create
 * and bind the socket with XDP_USE_NEED_WAKEUP | XDP_USE_SG (without
 * XDP_USE_SG for o->no_sg, or when the bind refuses it with -EINVAL or
 * -EOPNOTSUPP: xsk_rx_info.sg_err), zero-copy first when o->zerocopy
 * allows it, then copy mode, and hand every buffer the fill ring can take
 * to the kernel.
 * A queue still held by a just-closed socket (the kernel releases it
 * asynchronously) is retried for up to a second.
 * @return 0; -EINVAL for bad sizes; -ENOMEM; or the -errno of the UMEM
 *         registration or bind (e.g. -EOPNOTSUPP: zero-copy impossible
 *         with XSK_RX_ZC_ON; -EBUSY: the queue has a socket already).
 */
int xsk_rx_open(const struct xsk_rx_opts *o, struct xsk_rx **ret);

/* Close the socket and free the UMEM.  NULL is a no-op. */
void xsk_rx_close(struct xsk_rx *x);

/* For xdp_prog_xsk_add() and poll(). */
int xsk_rx_fd(const struct xsk_rx *x);

const struct xsk_rx_info *xsk_rx_info(const struct xsk_rx *x);

/*
 * Up to max complete frames from the RX ring into frames[].  Releases the
 * previous batch first if the caller has not.  When the ring is empty and
 * the kernel asked for a wakeup on the fill ring (need_wakeup; zero-copy
 * drivers that ran out of buffers do), kicks it with one
 * recvfrom(MSG_DONTWAIT); in copy mode the kernel never asks.
 * @return the number of frames, 0 if none is complete yet.
 */
unsigned int xsk_rx_peek(struct xsk_rx *x, struct xsk_rx_frame *frames, unsigned int max);

/*
 * Copy frame f (all its buffers) into dst, at most snaplen bytes.
 * @return f->wire_len, the frame's full length (> snaplen: truncated).
 */
uint32_t xsk_rx_copy(const struct xsk_rx *x, const struct xsk_rx_frame *f, void *dst,
		     uint32_t snaplen);

/*
 * Give every buffer of the last peeked batch back to the kernel (fill
 * ring) and consume its descriptors.  The batch's pointers are invalid
 * afterwards.
 */
void xsk_rx_release(struct xsk_rx *x);

/*
 * Kernel statistics (one getsockopt) plus the hot loop's counters (read
 * with relaxed loads).  Safe from another thread than the hot loop's.
 * @return 0 or the -errno of getsockopt.
 */
int xsk_rx_stats(const struct xsk_rx *x, struct xsk_rx_stats *st);

#endif
