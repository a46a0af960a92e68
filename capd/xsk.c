// SPDX-License-Identifier: BSD-2-Clause
/*
 * One UMEM per socket, not one shared by all queues.  Every (interface,
 * queue) needs its own fill ring even with XDP_SHARED_UMEM, so sharing saves
 * only memory, while separate UMEMs need no cross-queue accounting of whose
 * buffer is where, keep a failed or closed queue from touching the others,
 * and let each UMEM be allocated near its queue later (NUMA).  16 MiB per
 * queue by default is cheap next to the 8 GiB ring.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include "ring.h"
#include "xsk.h"

/* Missing from Debian 12's 6.1 uapi headers (Linux 6.6). */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define DEFAULT_FRAMES	 4096
#define DEFAULT_RX_SIZE	 2048
#define COMP_SIZE	 64 /* required by bind, unused: we never transmit */
#define HUGEPAGE_DEFAULT (2u << 20)
#define BUSY_RETRIES	 50 /* x BUSY_RETRY_US: give a just-closed socket 1 s */
#define BUSY_RETRY_US	 20000

struct xsk_rx {
	/* hot: touched for every batch */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fill;
	uint8_t *umem_area;
	uint64_t *free_addrs; /* buffers owned by us and not in the fill ring */
	uint32_t nfree;
	uint32_t held;	     /* descriptors of the current batch */
	uint64_t chunk_mask; /* ~(frame_size - 1) */
	int fd;
	bool meta_in_frame;
	/* counters: written by the hot loop only, read relaxed by others */
	uint64_t n_frames;
	uint64_t n_bufs;
	uint64_t n_incomplete;
	uint64_t n_wakeups;

	/* cold */
	struct xsk_ring_cons comp;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_rx_info info;
};

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static uint32_t pow2_floor(uint32_t v)
{
	while (v & (v - 1))
		v &= v - 1;
	return v;
}

static uint64_t hugepage_size(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return HUGEPAGE_DEFAULT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? (uint64_t)kb << 10 : HUGEPAGE_DEFAULT;
}

/*
 * The UMEM, populated now so the hot loop never faults.  Hugepages first:
 * fewer TLB misses when the loop copies out of 16 MiB of buffers.
 */
static int map_umem(struct xsk_rx *x, uint64_t size, bool try_huge)
{
	uint64_t hp = hugepage_size(), len;
	void *p;

	if (try_huge) {
		len = (size + hp - 1) & ~(hp - 1);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_HUGETLB, -1, 0);
		if (p != MAP_FAILED) {
			x->umem_area = p;
			x->info.umem_bytes = len;
			x->info.hugepages = true;
			return 0;
		}
	}
	len = (size + (uint64_t)getpagesize() - 1) & ~((uint64_t)getpagesize() - 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
		 0);
	if (p == MAP_FAILED)
		return -errno;
	x->umem_area = p;
	x->info.umem_bytes = len;
	x->info.hugepages = false;
	return 0;
}

/* Register the UMEM and create + bind the socket with bind_flags. */
static int create(struct xsk_rx *x, const struct xsk_rx_opts *o, uint16_t bind_flags)
{
	struct xsk_umem_config ucfg = {
		.fill_size = x->info.fill_size,
		.comp_size = COMP_SIZE,
		.frame_size = x->info.frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = x->info.rx_size,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = o->xdp_flags,
		.bind_flags = bind_flags,
	};
	int r;

	memset(&x->fill, 0, sizeof(x->fill));
	memset(&x->comp, 0, sizeof(x->comp));
	memset(&x->rx, 0, sizeof(x->rx));
	r = xsk_umem__create(&x->umem, x->umem_area, (uint64_t)x->info.frames * x->info.frame_size,
			     &x->fill, &x->comp, &ucfg);
	if (r) {
		x->umem = NULL;
		return r;
	}
	r = xsk_socket__create(&x->xsk, o->ifname, o->queue, x->umem, &x->rx, NULL, &scfg);
	if (r) {
		/* libxdp 1.3.1 has unmapped the fill and completion rings. */
		x->xsk = NULL;
		xsk_umem__delete(x->umem);
		x->umem = NULL;
		return r;
	}
	x->fd = xsk_socket__fd(x->xsk);
	return 0;
}

static void destroy(struct xsk_rx *x)
{
	xsk_socket__delete(x->xsk);
	x->xsk = NULL;
	xsk_umem__delete(x->umem);
	x->umem = NULL;
	x->fd = -1;
}

/* Hand free buffers to the kernel, as many as the fill ring takes. */
static void refill(struct xsk_rx *x)
{
	uint32_t n, idx, i;

	if (!x->nfree)
		return;
	n = xsk_prod_nb_free(&x->fill, x->nfree);
	if (n > x->nfree)
		n = x->nfree;
	if (!n || xsk_ring_prod__reserve(&x->fill, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = x->free_addrs[--x->nfree];
	xsk_ring_prod__submit(&x->fill, n);
}

/*
 * Bind in one copy mode with XDP_USE_SG unless told not to.  If the kernel
 * (before 6.6: -EINVAL) or a zero-copy driver (-EOPNOTSUPP) refuses it and
 * drop_sg allows, bind without it.
 */
static int bind_mode(struct xsk_rx *x, const struct xsk_rx_opts *o, uint16_t mode, bool drop_sg)
{
	uint16_t base = XDP_USE_NEED_WAKEUP | mode;
	int r;

	x->info.sg_err = 0;
	if (o->no_sg)
		return create(x, o, base);
	r = create(x, o, base | XDP_USE_SG);
	x->info.sg = !r;
	if (!drop_sg || (r != -EINVAL && r != -EOPNOTSUPP))
		return r;
	x->info.sg_err = r;
	return create(x, o, base);
}

/*
 * Zero-copy first if allowed, then copy mode.  AUTO keeps whole frames
 * before speed: a zero-copy driver without multi-buffer support gets copy
 * mode with XDP_USE_SG, not zero-copy without.
 */
static int bind_socket(struct xsk_rx *x, const struct xsk_rx_opts *o)
{
	int r;

	x->info.zc_err = 0;
	switch (o->zerocopy) {
	case XSK_RX_ZC_AUTO:
		r = bind_mode(x, o, XDP_ZEROCOPY, false);
		/* -EBUSY: the queue is taken; copy mode would not help. */
		if (!r || r == -EBUSY)
			return r;
		x->info.zc_err = r;
		return bind_mode(x, o, XDP_COPY, true);
	case XSK_RX_ZC_ON:
		return bind_mode(x, o, XDP_ZEROCOPY, true);
	case XSK_RX_ZC_OFF:
		return bind_mode(x, o, XDP_COPY, true);
	}
	return -EINVAL;
}

uint32_t xsk_rx_frame_room(uint32_t frame_size, bool meta_in_frame)
{
	uint32_t room =
		(frame_size ? frame_size : XSK_UMEM__DEFAULT_FRAME_SIZE) - XDP_PACKET_HEADROOM;

	return meta_in_frame ? room - (uint32_t)sizeof(struct capd_xdp_meta) : room;
}

int xsk_rx_open(const struct xsk_rx_opts *o, struct xsk_rx **ret)
{
	struct xdp_options xo;
	socklen_t len = sizeof(xo);
	struct xsk_rx *x;
	uint32_t i;
	int r, tries;

	if (!o || !o->ifname || !ret)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fd = -1;
	x->info.frame_size = o->frame_size ? o->frame_size : XSK_UMEM__DEFAULT_FRAME_SIZE;
	x->info.frames = o->frames ? o->frames : DEFAULT_FRAMES;
	x->info.fill_size = o->fill_size ? o->fill_size : pow2_floor(x->info.frames);
	x->info.rx_size = o->rx_size ? o->rx_size : DEFAULT_RX_SIZE;
	x->meta_in_frame = o->meta_in_frame;
	r = -EINVAL;
	if ((x->info.frame_size != 2048 && x->info.frame_size != 4096) ||
	    !is_pow2(x->info.fill_size) || !is_pow2(x->info.rx_size) ||
	    x->info.frames < x->info.fill_size || x->info.frames > (1u << 24))
		goto fail;
	x->chunk_mask = ~(uint64_t)(x->info.frame_size - 1);

	r = -ENOMEM;
	x->free_addrs = calloc(x->info.frames, sizeof(*x->free_addrs));
	if (!x->free_addrs)
		goto fail;
	r = map_umem(x, (uint64_t)x->info.frames * x->info.frame_size, !o->no_hugepages);
	if (r)
		goto fail;

	for (tries = 0;; tries++) {
		r = bind_socket(x, o);
		/*
		 * The kernel lets go of a closed socket's queue in a deferred
		 * work item, about 50 ms after close() here: a restarted capd
		 * finds the queue busy for that long.
		 */
		if (r != -EBUSY || tries == BUSY_RETRIES)
			break;
		usleep(BUSY_RETRY_US);
	}
	if (r)
		goto fail;

	if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &xo, &len)) {
		r = -errno;
		goto fail;
	}
	x->info.zerocopy = !!(xo.flags & XDP_OPTIONS_ZEROCOPY);

	/* Lowest addresses last, so they go into the fill ring first. */
	for (i = 0; i < x->info.frames; i++)
		x->free_addrs[i] = (uint64_t)(x->info.frames - 1 - i) * x->info.frame_size;
	x->nfree = x->info.frames;
	refill(x);
	*ret = x;
	return 0;
fail:
	xsk_rx_close(x);
	return r;
}

void xsk_rx_close(struct xsk_rx *x)
{
	if (!x)
		return;
	if (x->umem)
		destroy(x);
	if (x->umem_area)
		munmap(x->umem_area, x->info.umem_bytes);
	free(x->free_addrs);
	free(x);
}

int xsk_rx_fd(const struct xsk_rx *x)
{
	return x->fd;
}

const struct xsk_rx_info *xsk_rx_info(const struct xsk_rx *x)
{
	return &x->info;
}

/* The frame's metadata header, where the program put it (capd_shared.h). */
static void frame_meta(const struct xsk_rx *x, struct xsk_rx_frame *f)
{
	const struct capd_xdp_meta *m;

	if (!x->meta_in_frame) {
		m = (const void *)(f->data - sizeof(*m));
		f->meta = m->magic == CAPD_META_MAGIC ? m : NULL;
		return;
	}
	m = (const void *)f->data;
	f->meta = NULL;
	if (f->len < sizeof(*m) || m->magic != CAPD_META_MAGIC)
		return;
	f->meta = m;
	f->data += sizeof(*m);
	f->len -= (uint32_t)sizeof(*m);
	f->wire_len -= (uint32_t)sizeof(*m);
}

unsigned int xsk_rx_peek(struct xsk_rx *x, struct xsk_rx_frame *frames, unsigned int max)
{
	uint32_t budget = max < XSK_RX_MAX_BUFS ? XSK_RX_MAX_BUFS : max;
	uint32_t idx, n, i = 0, nf = 0, nincomplete = 0;

	if (x->held)
		xsk_rx_release(x);
	n = xsk_ring_cons__peek(&x->rx, budget, &idx);
	if (!n) {
		if (xsk_ring_prod__needs_wakeup(&x->fill)) {
			recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			ring_counter_add64(&x->n_wakeups, 1);
		}
		return 0;
	}
	while (i < n && nf < max) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		struct xsk_rx_frame *f = &frames[nf];
		uint32_t start = i, wire = 0;
		bool contd;

		f->data = xsk_umem__get_data(x->umem_area, d->addr);
		f->len = d->len;
		f->desc = idx + i;
		f->flags = 0;
		for (;;) {
			wire += d->len;
			contd = d->options & XDP_PKT_CONTD;
			i++;
			if (!contd || i == n)
				break;
			d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		}
		if (contd) {
			if (start > 0 || i - start < XSK_RX_MAX_BUFS) {
				/* The rest of the chain is not published (or peeked) yet. */
				i = start;
				break;
			}
			f->flags |= XSK_RX_F_INCOMPLETE;
			nincomplete++;
		}
		f->wire_len = wire;
		f->nbufs = (uint16_t)(i - start);
		frame_meta(x, f);
		nf++;
	}
	if (i < n) {
		xsk_ring_cons__cancel(&x->rx, n - i);
		/*
		 * libxdp re-reads the producer index only when its cached
		 * view is empty; a cancelled partial chain keeps it non-empty,
		 * so refresh it here or the chain's tail would never be seen.
		 */
		x->rx.cached_prod = ring_load_acquire32(x->rx.producer);
	}
	x->held = i;
	ring_counter_add64(&x->n_frames, nf);
	ring_counter_add64(&x->n_bufs, i);
	if (nincomplete)
		ring_counter_add64(&x->n_incomplete, nincomplete);
	return nf;
}

uint32_t xsk_rx_copy(const struct xsk_rx *x, const struct xsk_rx_frame *f, void *dst,
		     uint32_t snaplen)
{
	uint8_t *out = dst;
	uint32_t room = snaplen, n, k;

	n = f->len < room ? f->len : room;
	memcpy(out, f->data, n);
	out += n;
	room -= n;
	for (k = 1; k < f->nbufs && room; k++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, f->desc + k);

		n = d->len < room ? d->len : room;
		memcpy(out, xsk_umem__get_data(x->umem_area, d->addr), n);
		out += n;
		room -= n;
	}
	return f->wire_len;
}

void xsk_rx_release(struct xsk_rx *x)
{
	uint32_t n = x->held, first, k;

	if (!n)
		return;
	first = x->rx.cached_cons - n;
	for (k = 0; k < n; k++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, first + k);
		struct capd_xdp_meta *m = (void *)(x->umem_area + d->addr - sizeof(*m));

		/*
		 * The buffer keeps its bytes when recycled; a later frame
		 * redirected without metadata must not show this one's.
		 */
		m->magic = 0;
		x->free_addrs[x->nfree++] = d->addr & x->chunk_mask;
	}
	xsk_ring_cons__release(&x->rx, n);
	x->held = 0;
	refill(x);
}

int xsk_rx_stats(const struct xsk_rx *x, struct xsk_rx_stats *st)
{
	struct xdp_statistics ks;
	socklen_t len = sizeof(ks);

	memset(st, 0, sizeof(*st));
	st->frames = ring_load_relaxed64(&x->n_frames);
	st->bufs = ring_load_relaxed64(&x->n_bufs);
	st->incomplete = ring_load_relaxed64(&x->n_incomplete);
	st->wakeups = ring_load_relaxed64(&x->n_wakeups);
	memset(&ks, 0, sizeof(ks));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &ks, &len))
		return -errno;
	st->rx_dropped = ks.rx_dropped;
	st->rx_invalid_descs = ks.rx_invalid_descs;
	st->rx_ring_full = ks.rx_ring_full;
	st->rx_fill_ring_empty = ks.rx_fill_ring_empty_descs;
	return 0;
}
