/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_gen.h - the contract between the lab's XDP traffic source
 * (xdp_gen.bpf.c) and its user space (xdp_gen.c).
 *
 * User space builds one frame (Ethernet, IPv4 or IPv6, UDP, payload), fills
 * .rodata and .data below before loading, and runs the program over that
 * frame with BPF_PROG_TEST_RUN in live-frames mode.  The program fills the
 * payload and returns XDP_TX while a frame is due, XDP_DROP otherwise;
 * user space follows its progress in .bss.
 *
 * Payload (the layout of tests/lab/mcast_send.c): 8-byte big-endian
 * sequence number, 8-byte big-endian send time in ns, then bytes
 * (seq + i) & 0xff for i = 16 .. size - 1.
 */
#ifndef XDP_GEN_H
#define XDP_GEN_H

#include <linux/types.h>

#define XDP_GEN_PROG "xdp_gen"
#define XDP_GEN_HDR  16 /* seq + time */
/* Live frames live in one page, behind 256 bytes of headroom. */
#define XDP_GEN_MAX_PAYLOAD 4096

/* .rodata: read-only once loaded, so the verifier sees constants. */
struct xdp_gen_cfg {
	__u64 count;	/* frames to send */
	__u64 pps;	/* rate; 0: as fast as the test run goes */
	__u32 udp_off;	/* offset of the UDP header in the frame */
	__u32 payload;	/* UDP payload bytes, XDP_GEN_HDR .. XDP_GEN_MAX_PAYLOAD */
	__u32 udp_csum; /* compute the UDP checksum (IPv6) */
	/*
	 * Ones' complement sum (folded to 16 bits) of the UDP pseudo-header,
	 * header and payload with seq and time zero, for seq & 0xff == index:
	 * the program only adds the eight 16-bit words of seq and time.
	 */
	__u32 csum_base[256];
};

/*
 * .data: byte j is j & 0xff, so the pattern for seq starts at
 * pattern[(seq & 0xff) + XDP_GEN_HDR] and one helper call copies it.
 */
struct xdp_gen_data {
	__u8 pattern[256 + XDP_GEN_MAX_PAYLOAD];
};

/* .bss: the generator's progress, zero at load. */
struct xdp_gen_state {
	__u64 sent;  /* frames returned as XDP_TX = next sequence number */
	__u64 start; /* CLOCK_MONOTONIC ns of the first frame (paced) */
	__u64 due;   /* when the next frame is due (paced) */
};

#endif /* XDP_GEN_H */
