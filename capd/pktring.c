// SPDX-License-Identifier: BSD-2-Clause
/*
 * TPACKET_V3 rather than V2: the kernel hands over whole blocks, so the
 * loop reads one status word per block, not per frame, and frames are
 * packed instead of each taking a fixed slot.  The price is latency: a
 * block reaches us when full or after retire_ms, hence the 1 ms default.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pktring.h"
#include "ring.h"

/* Linux 4.20; missing from older uapi headers. */
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define DEFAULT_BLOCK_SIZE (1u << 20)
#define DEFAULT_BLOCKS	   64
#define FRAME_SIZE	   2048 /* V3 packs frames; the kernel still checks this */

struct pktring {
	/* hot */
	uint8_t *map;
	const uint8_t *next; /* the next frame header of the current block */
	uint32_t block_size;
	uint32_t blocks;
	uint32_t cur;  /* index of the current block */
	uint32_t left; /* frames of the current block not yet peeked */
	bool open;     /* the current block is ours (TP_STATUS_USER seen) */
	bool held;     /* a batch was peeked and not released */

	/* cold: the housekeeping thread's */
	int fd;
	size_t map_len;
	struct pktring_stats total;
};

static struct tpacket_block_desc *block(const struct pktring *p, uint32_t i)
{
	return (struct tpacket_block_desc *)(p->map + (size_t)i * p->block_size);
}

static int sockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	return setsockopt(fd, level, name, v, len) < 0 ? -errno : 0;
}

static int setup_socket(struct pktring *p, const struct pktring_opts *o)
{
	int v3 = TPACKET_V3, one = 1, ts = SOF_TIMESTAMPING_RAW_HARDWARE;
	struct tpacket_req3 req = {
		.tp_block_size = p->block_size,
		.tp_block_nr = p->blocks,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = p->block_size / FRAME_SIZE * p->blocks,
		.tp_retire_blk_tov = o->retire_ms ? o->retire_ms : 1,
	};
	int r;

	if (o->filter) {
		r = sockopt(p->fd, SOL_SOCKET, SO_ATTACH_FILTER, o->filter, sizeof(*o->filter));
		if (r)
			return r;
		/* Not even root can swap the filter under us later. */
		r = sockopt(p->fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one));
		if (r)
			return r;
	}
	r = sockopt(p->fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof(v3));
	if (r)
		return r;
	/* Our own transmissions (IGMP joins) are not captured traffic. */
	r = sockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (r)
		return r;
	if (o->hw_ts) {
		r = sockopt(p->fd, SOL_PACKET, PACKET_TIMESTAMP, &ts, sizeof(ts));
		if (r)
			return r;
		ts = SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
		r = sockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts));
		if (r)
			return r;
	}
	return sockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req));
}

int pktring_open(const struct pktring_opts *o, struct pktring **ret)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	long page = sysconf(_SC_PAGESIZE);
	struct pktring *p;
	size_t off;
	int r;

	if (!o || !o->ifname || !ret)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->block_size = o->block_size ? o->block_size : DEFAULT_BLOCK_SIZE;
	p->blocks = o->blocks ? o->blocks : DEFAULT_BLOCKS;
	r = -EINVAL;
	if ((p->block_size & (p->block_size - 1)) || p->block_size < (uint32_t)page ||
	    p->block_size < FRAME_SIZE || p->blocks < 2)
		goto fail;
	r = -ENODEV;
	sll.sll_ifindex = (int)if_nametoindex(o->ifname);
	if (!sll.sll_ifindex)
		goto fail;

	/* Protocol 0: the socket receives nothing until bind(), after the filter. */
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = setup_socket(p, o);
	if (r)
		goto fail;
	p->map_len = (size_t)p->block_size * p->blocks;
	p->map =
		mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, p->fd, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		r = -errno;
		goto fail;
	}
	/* Every page now, so the loop never faults (mlockall keeps them). */
	for (off = 0; off < p->map_len; off += (size_t)page)
		(void)*(volatile uint8_t *)(p->map + off);
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		r = -errno;
		goto fail;
	}
	if (o->fanout_id > 0) {
		int fo = (o->fanout_id & 0xffff) | PACKET_FANOUT_QM << 16;

		r = sockopt(p->fd, SOL_PACKET, PACKET_FANOUT, &fo, sizeof(fo));
		if (r)
			goto fail;
	}
	*ret = p;
	return 0;
fail:
	pktring_close(p);
	return r;
}

void pktring_close(struct pktring *p)
{
	if (!p)
		return;
	if (p->map)
		munmap(p->map, p->map_len);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

unsigned int pktring_peek(struct pktring *p, struct pktring_frame *frames, unsigned int max)
{
	struct tpacket_block_desc *bd;
	unsigned int n = 0;

	if (p->held)
		pktring_release(p);
	bd = block(p, p->cur);
	if (!p->open) {
		if (!(ring_load_acquire32(&bd->hdr.bh1.block_status) & TP_STATUS_USER))
			return 0;
		p->open = true;
		p->left = bd->hdr.bh1.num_pkts;
		p->next = (const uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
	}
	while (n < max && p->left) {
		const struct tpacket3_hdr *h = (const void *)p->next;
		struct pktring_frame *f = &frames[n++];

		f->data = (const uint8_t *)h + h->tp_mac;
		f->len = h->tp_snaplen;
		f->wire_len = h->tp_len;
		f->ts_ns = (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec;
		f->hw_ts = h->tp_status & TP_STATUS_TS_RAW_HARDWARE;
		f->hw_vlan = h->tp_status & TP_STATUS_VLAN_VALID;
		f->vlan = (uint32_t)(h->tp_status & TP_STATUS_VLAN_TPID_VALID ? h->hv1.tp_vlan_tpid
									      : ETH_P_8021Q)
				  << 16 |
			  (h->hv1.tp_vlan_tci & 0xffff);
		p->next += h->tp_next_offset;
		p->left--;
	}
	/* An empty block (none seen, but cheap to survive) goes back at once. */
	p->held = true;
	return n;
}

void pktring_release(struct pktring *p)
{
	p->held = false;
	if (!p->open || p->left)
		return;
	ring_store_release32(&block(p, p->cur)->hdr.bh1.block_status, TP_STATUS_KERNEL);
	p->open = false;
	p->cur = p->cur + 1 == p->blocks ? 0 : p->cur + 1;
}

int pktring_stats(struct pktring *p, struct pktring_stats *st)
{
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);

	memset(&ks, 0, sizeof(ks));
	if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) < 0)
		return -errno;
	/* The kernel's tp_packets already includes tp_drops. */
	p->total.packets += ks.tp_packets;
	p->total.drops += ks.tp_drops;
	p->total.freezes += ks.tp_freeze_q_cnt;
	*st = p->total;
	return 0;
}
