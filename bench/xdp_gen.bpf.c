// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_gen.bpf.c - the lab's NIC-like traffic source: run over one frame
 * by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, it numbers and
 * stamps the frame and returns XDP_TX, which the kernel turns into a
 * redirect out of the ingress interface (ndo_xdp_xmit).  A veth then hands
 * the peer an xdp_frame in a page, as a NIC's receive ring would, instead
 * of a kmalloc'd skb the peer's native XDP path has to copy first.
 *
 * Pacing happens here, not between test runs: each BPF_PROG_TEST_RUN call
 * ends in a synchronize_rcu() (page_pool_destroy), tens of ms.  So a paced
 * run is one long test run that returns XDP_DROP (a page recycled, nothing
 * sent) until the next frame is due, and XDP_DROP for good once cfg.count
 * frames are out; user space then interrupts it with a signal.
 *
 * The kernel initialises a page from the template once and recycles it
 * without rewriting it, so everything that varies is written every time.
 */
#include <linux/bpf.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_gen.h"

const volatile struct xdp_gen_cfg cfg = {};
struct xdp_gen_data gen = { .pattern = { 0, 1 } }; /* initialised: .data, not .bss */

/*
 * Progress of this load of the program.  A test run executes on one CPU,
 * batch after batch, and xdp_gen makes one at a time, so plain updates are
 * race-free (a fetch-and-add would need -mcpu=v3).
 */
struct xdp_gen_state st;

/* Ones' complement sum of the four 16-bit words of v, as they go on the wire. */
static __always_inline __u32 csum_add64(__u32 sum, __u64 v)
{
	return sum + (__u32)(v >> 48) + (__u32)((v >> 32) & 0xffff) + (__u32)((v >> 16) & 0xffff) +
	       (__u32)(v & 0xffff);
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct udphdr *udp = data + cfg.udp_off;
	__u8 *pay = (__u8 *)(udp + 1);
	__u64 n = st.sent, t, be;
	__u32 s = n & 0xff, sum;

	if (n >= cfg.count)
		return XDP_DROP;
	if (cfg.pps) {
		t = bpf_ktime_get_ns();
		if (!n)
			st.start = t;
		else if (t < st.due)
			return XDP_DROP;
		/* Due times from the start, as mcast_send: no drift, late frames catch up. */
		st.due = st.start + (n + 1) * 1000000000ull / cfg.pps;
	}
	if ((void *)(pay + XDP_GEN_HDR) > end)
		return XDP_ABORTED;
	t = bpf_ktime_get_tai_ns();
	be = bpf_cpu_to_be64(n);
	__builtin_memcpy(pay, &be, 8);
	be = bpf_cpu_to_be64(t);
	__builtin_memcpy(pay + 8, &be, 8);
	if (cfg.payload > XDP_GEN_HDR &&
	    bpf_xdp_store_bytes(ctx, cfg.udp_off + sizeof(*udp) + XDP_GEN_HDR,
				&gen.pattern[s + XDP_GEN_HDR], cfg.payload - XDP_GEN_HDR))
		return XDP_ABORTED;
	if (cfg.udp_csum) {
		sum = csum_add64(csum_add64(cfg.csum_base[s], n), t);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		/* 0 means "no checksum"; its ones' complement twin is 0xffff. */
		udp->check = bpf_htons(sum ? sum : 0xffff);
	}
	st.sent = n + 1;
	return XDP_TX;
}

char _license[] SEC("license") = "Dual BSD/GPL";
