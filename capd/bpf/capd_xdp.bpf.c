// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * capd_xdp.bpf.c - capd's XDP program: select the configured UDP feeds,
 * stamp them, hand them to the AF_XDP socket of their queue, and XDP_PASS
 * everything else (ARP, IGMP, PTP, ssh, unselected UDP) to the stack.
 *
 * Two entry points share one body (capd_shared.h has the contract):
 *   capd_xdp_hw  also asks the driver for the NIC's RX timestamp through the
 *                bpf_xdp_metadata_rx_timestamp kfunc; the kernel accepts that
 *                only in a device-bound program (native mode).
 *   capd_xdp     the same without the kfunc, for generic (SKB) mode or a
 *                driver that refuses device-bound programs.
 * Both are written for multi-buffer frames: only the headers are read, and
 * they are always in the first buffer.  User space loads them with
 * BPF_F_XDP_HAS_FRAGS (a veth or NIC with a 9000-byte MTU refuses any other
 * program) unless the AF_XDP sockets cannot take such frames (xdp_prog.h):
 * hence SEC("xdp"), as libbpf adds the flag to an "xdp.frags" program
 * whatever user space says.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "capd_shared.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define IP_FRAG_OFFSET_MASK 0x1fff

/*
 * Weak: kernels before 6.3 have no such kfunc, and libbpf refuses the whole
 * object over an unresolved strong extern.  Weak, it loads capd_xdp (which
 * never calls it) anywhere; capd_xdp_hw is loaded only where it exists.
 */
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;

/*
 * Set by user space before load (read-only afterwards, so the verifier
 * prunes the dead branch): select multicast UDP that matches no feed too.
 */
const volatile __u32 capture_all = 0;

/*
 * Set by user space before load when the kernel refuses
 * bpf_xdp_adjust_meta(): the metadata header then goes in front of the
 * frame itself (bpf_xdp_adjust_head()), and the socket's consumer strips it
 * (capd_shared.h).  The pruned branch's helper is never checked.
 */
const volatile __u32 meta_in_frame = 0;

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, CAPD_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CAPD_MAX_FEED_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct capd_lpm4_key);
	__type(value, struct capd_feed_val);
} feeds_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CAPD_MAX_FEED_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct capd_lpm6_key);
	__type(value, struct capd_feed_val);
} feeds_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAPD_MAX_QUEUES);
	__type(key, __u32);
	__type(value, struct capd_xdp_counters);
} counters SEC(".maps");

/* The Arista timestamp header after its EtherType (capd_shared.h). */
struct capd_arista_hdr {
	__be16 subtype;
	__be16 version;
};

/* The uapi headers have no VLAN header (it lives in linux/if_vlan.h). */
struct capd_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

enum sel {
	SEL_NO = 0, /* not ours: XDP_PASS */
	SEL_YES,    /* a feed's frame: redirect */
	SEL_ERROR,  /* claims to be IP but its headers are cut short */
};

static __always_inline int is_ptp_port(__be16 port)
{
	return port == bpf_htons(CAPD_PTP_EVENT_PORT) || port == bpf_htons(CAPD_PTP_GENERAL_PORT);
}

/* Which feed of the prefix's merged value owns destination port dport. */
static __always_inline int match_val(const struct capd_feed_val *v, __be16 dport, __u16 *feed)
{
	__u32 i, n;

	if (!v)
		return SEL_NO;
	n = v->nports;
	for (i = 0; i < CAPD_VAL_PORTS; i++) {
		if (i >= n)
			break;
		if (v->port[i].port == dport) {
			*feed = v->port[i].feed;
			return SEL_YES;
		}
	}
	if (v->any_feed != CAPD_FEED_NONE) {
		*feed = v->any_feed;
		return SEL_YES;
	}
	return SEL_NO;
}

static __always_inline int select_v4(void *l3, void *end, __u32 *flags, __u16 *feed)
{
	struct iphdr *ip = l3;
	struct capd_lpm4_key key = { .prefixlen = 32 };
	struct capd_feed_val *v;
	struct udphdr *udp;
	__u32 ihl;

	if ((void *)(ip + 1) > end)
		return SEL_ERROR;
	if (ip->protocol != IPPROTO_UDP)
		return SEL_NO;
	ihl = ip->ihl;
	if (ihl < 5)
		return SEL_ERROR;
	__builtin_memcpy(key.addr, &ip->daddr, sizeof(key.addr));
	v = bpf_map_lookup_elem(&feeds_v4, &key);

	/*
	 * A later fragment of a datagram has no UDP header: take it when the
	 * address belongs to a feed, so a fragmented datagram is captured
	 * whole (the first fragment is matched by port below).
	 */
	if (ip->frag_off & bpf_htons(IP_FRAG_OFFSET_MASK)) {
		*flags |= CAPD_META_F_IPFRAG;
		if (!v)
			return SEL_NO;
		if (v->any_feed != CAPD_FEED_NONE)
			*feed = v->any_feed;
		else if (v->nports)
			*feed = v->port[0].feed;
		else
			return SEL_NO;
		return SEL_YES;
	}

	udp = l3 + ihl * 4;
	if ((void *)(udp + 1) > end)
		return SEL_ERROR;
	if (is_ptp_port(udp->dest))
		return SEL_NO;
	if (match_val(v, udp->dest, feed) == SEL_YES)
		return SEL_YES;
	if (capture_all && (key.addr[0] & 0xf0) == 0xe0) {
		*feed = CAPD_FEED_NONE;
		return SEL_YES;
	}
	return SEL_NO;
}

static __always_inline int select_v6(void *l3, void *end, __u32 *flags, __u16 *feed)
{
	struct ipv6hdr *ip6 = l3;
	struct capd_lpm6_key key = { .prefixlen = 128 };
	struct udphdr *udp;

	if ((void *)(ip6 + 1) > end)
		return SEL_ERROR;
	*flags |= CAPD_META_F_IPV6;
	/* Extension headers are not followed: such datagrams stay with the stack. */
	if (ip6->nexthdr != IPPROTO_UDP)
		return SEL_NO;
	udp = (void *)(ip6 + 1);
	if ((void *)(udp + 1) > end)
		return SEL_ERROR;
	if (is_ptp_port(udp->dest))
		return SEL_NO;
	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
	if (match_val(bpf_map_lookup_elem(&feeds_v6, &key), udp->dest, feed) == SEL_YES)
		return SEL_YES;
	if (capture_all && key.addr[0] == 0xff) {
		*feed = CAPD_FEED_NONE;
		return SEL_YES;
	}
	return SEL_NO;
}

/*
 * Past an Arista timestamp header whose EtherType (0xD28B) ends at p: its
 * subtype, version and 64- or 48-bit time, then the original EtherType
 * into *proto.  @return where that EtherType ends, or NULL for a header
 * cut short or of an unknown subtype or version (the frame stays with the
 * stack).  Constant offsets per version keep the verifier's range exact.
 */
static __always_inline void *skip_arista(void *p, void *end, __be16 *proto)
{
	struct capd_arista_hdr *a = p;
	__be16 *next;

	if ((void *)(a + 1) > end || a->subtype != bpf_htons(CAPD_ARISTA_SUBTYPE))
		return NULL;
	if (a->version == bpf_htons(CAPD_ARISTA_V64_TAI) ||
	    a->version == bpf_htons(CAPD_ARISTA_V64_UTC))
		next = p + CAPD_ARISTA_LEN64 - 2;
	else if (a->version == bpf_htons(CAPD_ARISTA_V48_TAI) ||
		 a->version == bpf_htons(CAPD_ARISTA_V48_UTC))
		next = p + CAPD_ARISTA_LEN48 - 2;
	else
		return NULL;
	if ((void *)(next + 1) > end)
		return NULL;
	*proto = *next;
	return next + 1;
}

/*
 * Ethernet, at most one 802.1Q or 802.1ad tag and at most one Arista
 * timestamp header (either first), then IPv4 or IPv6.  The header is looked
 * through on every interface, whatever capd.conf says it carries: two
 * compares per frame without one.
 */
static __always_inline int select_frame(struct xdp_md *ctx, __u32 *flags, __u16 *feed)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	int arista = 0;
	__be16 proto;

	if (l3 > end)
		return SEL_NO;
	proto = eth->h_proto;
	if (proto == bpf_htons(CAPD_ETH_P_ARISTA)) {
		l3 = skip_arista(l3, end, &proto);
		if (!l3)
			return SEL_NO;
		arista = 1;
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct capd_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > end)
			return SEL_NO;
		proto = vh->proto;
		l3 = vh + 1;
		*flags |= CAPD_META_F_VLAN;
	}
	if (proto == bpf_htons(CAPD_ETH_P_ARISTA) && !arista) {
		l3 = skip_arista(l3, end, &proto);
		if (!l3)
			return SEL_NO;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return select_v4(l3, end, flags, feed);
	if (proto == bpf_htons(ETH_P_IPV6))
		return select_v6(l3, end, flags, feed);
	return SEL_NO;
}

static __always_inline void meta_fill(struct capd_xdp_meta *meta, __u64 hw_ts, __u32 flags,
				      __u16 feed)
{
	meta->hw_ts = hw_ts;
	meta->tai_ns = bpf_ktime_get_tai_ns();
	meta->flags = flags;
	meta->feed = feed;
	meta->magic = CAPD_META_MAGIC;
}

static __always_inline int capd_main(struct xdp_md *ctx, const int hw)
{
	__u32 q = ctx->rx_queue_index;
	__u32 slot = q < CAPD_MAX_QUEUES ? q : CAPD_MAX_QUEUES - 1;
	struct capd_xdp_counters *cnt;
	struct capd_xdp_meta *meta;
	__u32 flags = 0, linear;
	__u16 feed = CAPD_FEED_NONE;
	__u64 hw_ts = 0;
	int sel, ret, grown = 0;

	cnt = bpf_map_lookup_elem(&counters, &slot);
	if (!cnt)
		return XDP_PASS; /* cannot happen: slot < max_entries */
	cnt->c[CAPD_CNT_RX]++;

	sel = select_frame(ctx, &flags, &feed);
	if (sel != SEL_YES) {
		if (sel == SEL_ERROR)
			cnt->c[CAPD_CNT_PARSE_ERRORS]++;
		goto pass;
	}
	cnt->c[CAPD_CNT_SELECTED]++;

	/*
	 * bpf_redirect_map() to an empty slot falls back to XDP_PASS but
	 * cannot tell us why; looking first lets us count it.
	 */
	if (!bpf_map_lookup_elem(&xsks_map, &q)) {
		cnt->c[CAPD_CNT_NO_SOCKET]++;
		goto pass;
	}

	linear = ctx->data_end - ctx->data;
	if (bpf_xdp_get_buff_len(ctx) > linear)
		flags |= CAPD_META_F_MULTIBUF;

	if (hw) {
		/* Compiled only into capd_xdp_hw: `hw` is a constant. */
		ret = bpf_xdp_metadata_rx_timestamp(ctx, &hw_ts);
		flags |= CAPD_META_F_HW_TRIED;
		if (ret == 0 && hw_ts != 0)
			flags |= CAPD_META_F_HW_TS;
		else if (ret < 0)
			flags |= ((__u32)-ret & 0xff) << CAPD_META_HW_ERR_SHIFT;
		if (!(flags & CAPD_META_F_HW_TS))
			hw_ts = 0;
	}

	/*
	 * Both move a packet pointer: every one taken before is now invalid.
	 * The frame grows only on its way to the socket: see below.
	 */
	if (meta_in_frame) {
		if (bpf_xdp_adjust_head(ctx, -(int)sizeof(*meta)) == 0) {
			grown = 1;
			meta = (void *)(long)ctx->data;
			if ((void *)(meta + 1) <= (void *)(long)ctx->data_end)
				meta_fill(meta, hw_ts, flags, feed);
			else
				cnt->c[CAPD_CNT_META_FAILED]++;
		} else {
			cnt->c[CAPD_CNT_META_FAILED]++;
		}
	} else if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)) == 0) {
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 1) <= (void *)(long)ctx->data)
			meta_fill(meta, hw_ts, flags, feed);
		else
			cnt->c[CAPD_CNT_META_FAILED]++;
	} else {
		cnt->c[CAPD_CNT_META_FAILED]++;
	}

	ret = bpf_redirect_map(&xsks_map, q, XDP_PASS);
	if (ret == XDP_REDIRECT) {
		cnt->c[CAPD_CNT_REDIRECTED]++;
		if (flags & CAPD_META_F_HW_TS)
			cnt->c[CAPD_CNT_HW_TS]++;
		return XDP_REDIRECT;
	}
	/* The socket went away since the lookup: the stack gets the frame as it came. */
	if (grown)
		bpf_xdp_adjust_head(ctx, (int)sizeof(*meta));
	cnt->c[CAPD_CNT_NO_SOCKET]++;
pass:
	cnt->c[CAPD_CNT_PASSED]++;
	return XDP_PASS;
}

SEC("xdp")
int capd_xdp_hw(struct xdp_md *ctx)
{
	return capd_main(ctx, 1);
}

SEC("xdp")
int capd_xdp(struct xdp_md *ctx)
{
	return capd_main(ctx, 0);
}

/* GPL-compatible: the kernel offers kfuncs only to such programs. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
