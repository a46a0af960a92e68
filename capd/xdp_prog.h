/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_prog.h - capd's XDP program on one interface: load it with libbpf,
 * fill its feed maps, attach it as the interface's only XDP program, give
 * it the AF_XDP sockets, read its counters, and detach exactly it again.
 *
 * libxdp is not used for the program: its multi-program dispatcher needs
 * BPF_PROG_TYPE_EXT, which this platform refuses (EPERM), and libxdp 1.3.1
 * cannot load device-bound programs.  The object comes from a file:
 * xdp_prog_opts.obj_path, else $CAPD_BPF_OBJ, else the build tree's for a
 * program started from it, else the install path (xdp_prog_obj_path()).
 *
 * Program choice (xdp_prog_open()):
 *   NATIVE   capd_xdp_hw loaded device-bound (HW RX timestamps through the
 *            rx_timestamp kfunc) and attached in driver mode, if the kernel
 *            offers both (XDP_PROG_F_KFUNC, XDP_PROG_F_DEVBOUND); if not, or
 *            if the driver refuses it, capd_xdp in driver mode.
 *   GENERIC  capd_xdp in SKB mode (a device-bound program cannot attach
 *            in SKB mode).
 *   AUTO     NATIVE, then GENERIC.
 * The attach never replaces a program someone else attached: it fails
 * with -EBUSY instead, whatever the mode.
 *
 * Kernel features (xdp_prog_features()), probed before anything is loaded,
 * each with its fallback:
 *   XDP_PROG_F_KFUNC     bpf_xdp_metadata_rx_timestamp (Linux 6.3).
 *   XDP_PROG_F_DEVBOUND  device-bound XDP programs (6.3).  Without either,
 *                        capd_xdp only: time stamps from the kernel's clock.
 *   XDP_PROG_F_SG        AF_XDP sockets that take multi-buffer frames
 *                        (XDP_USE_SG, 6.6).  Without it the programs are
 *                        loaded without BPF_F_XDP_HAS_FRAGS, so no driver
 *                        hands them a multi-buffer frame (a kernel before
 *                        6.6 would copy only its first buffer to the socket
 *                        and count nothing): drivers refuse native mode where
 *                        the MTU needs several buffers, SKB mode linearizes,
 *                        and the kernel drops a frame longer than one UMEM
 *                        buffer on its way to the socket, counting it in
 *                        the socket's rx_dropped (xsk.h).
 *   XDP_PROG_F_META      bpf_xdp_adjust_meta() in XDP programs; without it
 *                        the metadata rides in the frame (meta_in_frame).
 * xdp_prog_opts.feat_off makes xdp_prog_open() act as if the kernel lacked
 * some of them (tests; capd's CAPD_XDP_FORCE).
 *
 * Nothing here prints.  libbpf's own messages go to the function given to
 * xdp_prog_set_print(), or nowhere.  Functions return 0 or -errno.
 * Threads: open/close/set_feeds/xsk_* from one thread; xdp_prog_counters()
 * and xdp_prog_info() may run concurrently with everything but close.
 */
#ifndef CAPD_XDP_PROG_H
#define CAPD_XDP_PROG_H

#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/capd_shared.h"

#define XDP_FEED_MAX_PORTS  16
#define XDP_PROG_ALL_QUEUES UINT32_MAX

/*
 * One configured feed: UDP to a destination address/prefix, optionally
 * only to some destination ports.  When feeds overlap, the longest prefix
 * wins; for the same prefix a listed port wins over "any port"; for the
 * same prefix and port the feed earlier in the array wins.  A non-first
 * IPv4 fragment (no UDP header) goes to the any-port feed of its prefix,
 * else to the first listed port's feed.  UDP ports 319/320 (PTP) are never
 * captured.
 */
struct xdp_feed {
	int family;	    /* AF_INET or AF_INET6 */
	uint8_t addr[16];   /* network order; IPv4 uses addr[0..3]; host bits ignored */
	uint8_t prefix_len; /* 0..32 or 0..128 */
	uint8_t nports;	    /* 0 = any destination port */
	uint16_t ports[XDP_FEED_MAX_PORTS]; /* host order, non-zero */
	uint16_t index;			    /* reported in capd_xdp_meta.feed; < CAPD_FEED_NONE */
};

/* Kernel features, as described at the top. */
enum xdp_prog_feature {
	XDP_PROG_F_KFUNC = 1u << 0,
	XDP_PROG_F_DEVBOUND = 1u << 1,
	XDP_PROG_F_SG = 1u << 2,
	XDP_PROG_F_META = 1u << 3,
};

/* Same values as capd_conf.h's enum capd_xdp_mode. */
enum xdp_prog_mode {
	XDP_PROG_MODE_AUTO = 0,
	XDP_PROG_MODE_NATIVE = 1,
	XDP_PROG_MODE_GENERIC = 2,
};

struct xdp_prog_opts {
	const char *ifname;
	enum xdp_prog_mode mode;
	const struct xdp_feed *feeds;
	size_t nfeeds;
	bool capture_all;      /* also capture multicast UDP no feed selects (feed NONE) */
	bool no_hw_ts;	       /* never try the device-bound kfunc program */
	bool meta_in_frame;    /* metadata in the frame even if bpf_xdp_adjust_meta() works
				* (the fallback, forced for tests) */
	unsigned int feat_off; /* XDP_PROG_F_* to do without even if the kernel has them */
	const char *obj_path;  /* NULL: see xdp_prog_obj_path() */
};

/* What xdp_prog_open() ended up with; constant until xdp_prog_close(). */
struct xdp_prog_info {
	char ifname[IF_NAMESIZE];
	int ifindex;
	enum xdp_prog_mode mode; /* NATIVE or GENERIC */
	uint32_t xdp_flags;	 /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	const char *prog_name;	 /* CAPD_PROG_HW or CAPD_PROG_SW */
	uint32_t prog_id;
	bool hw_bound; /* capd_xdp_hw is attached */
	/*
	 * XDP_PROG_F_*: what the kernel offers (probed) and what capd uses
	 * (feat_kernel less opts' feat_off, META also off for meta_in_frame).
	 * Whoever opens the AF_XDP sockets binds them with XDP_USE_SG only
	 * with XDP_PROG_F_SG in feat.
	 */
	unsigned int feat_kernel;
	unsigned int feat;
	bool frags; /* loaded with BPF_F_XDP_HAS_FRAGS (= XDP_PROG_F_SG in feat) */
	/*
	 * The metadata header travels in front of the frame inside the
	 * descriptor (capd_shared.h): the kernel refuses
	 * bpf_xdp_adjust_meta() to XDP programs, or opts asked for it.
	 */
	bool meta_in_frame;
	/*
	 * HW RX timestamps possible: 1 when hw_bound and the driver declares
	 * the rx_timestamp kfunc (netdev netlink), 0 when not hw_bound or the
	 * driver does not, -1 when hw_bound but the kernel cannot say.  Each
	 * frame's metadata says whether it got one (NIC RX stamping must be
	 * on; veth implements the kfunc but stamps 0).
	 */
	int hw_ts;
	bool features_known;	       /* the two fields below are valid */
	uint64_t xdp_features;	       /* NETDEV_XDP_ACT_* bits (netdev.h) */
	uint64_t rx_metadata_features; /* NETDEV_XDP_RX_METADATA_* bits (netdev.h) */
	int hw_err;		       /* -errno: why the kernel refused capd_xdp_hw; 0 */
	int native_err;		       /* -errno: why native mode was not used; 0 */
	char obj_path[256];
};

struct xdp_prog;

/*
 * libbpf and libxdp print through process-wide callbacks.  Route both to fn
 * (level 0 warning, 1 info, 2 debug, as their enums), or discard with NULL.
 * Unless this was called, xdp_prog_open() and xdp_prog_load_unattached()
 * install the discarding default.  Call it before any thread starts.
 */
typedef void (*xdp_prog_print_fn)(int level, const char *fmt, va_list ap);
void xdp_prog_set_print(xdp_prog_print_fn fn);

/*
 * The object file xdp_prog_open() would use for opts_path (may be NULL):
 * opts_path, else $CAPD_BPF_OBJ (ignored when setuid), else the build
 * tree's object when the running executable lies in that build tree (the
 * tests), else the install path (capd_paths_bpf_obj(), lib/capd_paths.h).
 */
const char *xdp_prog_obj_path(const char *opts_path);

/*
 * The same, and in *why (if not NULL) what chose it, for messages: "the
 * environment variable CAPD_BPF_OBJ", "the install path"...
 */
const char *xdp_prog_obj_source(const char *opts_path, const char **why);

/*
 * Is path a readable BPF object with capd's program in it?  Opens and
 * parses the ELF file only: nothing is loaded into the kernel, no
 * privilege needed.
 * @return 0; -errno of the access (-ENOENT...); -ENOEXEC when the file is
 *         no BPF ELF object or has no program capd_xdp.
 */
int xdp_prog_obj_check(const char *path);

/*
 * Which XDP_PROG_F_* this kernel offers capd on interface ifindex (0: the
 * features that do not depend on an interface; DEVBOUND is then left
 * out).  Probes without side effects: the kernel's BTF for the kfunc, a
 * minimal device-bound program loaded and closed, an AF_XDP socket bound
 * to no interface.  Needs capd's setup privileges; a probe that cannot run
 * counts as "not offered".
 */
unsigned int xdp_prog_features(int ifindex);

/*
 * Parse a comma-separated list of the words no-kfunc, no-devbound, no-sg
 * and no-meta (e.g. "no-kfunc,no-sg"; "": none) into the XDP_PROG_F_* mask
 * of features to do without, for xdp_prog_opts.feat_off.
 * @return 0, or -EINVAL for an unknown or empty word.
 */
int xdp_prog_features_parse(const char *list, unsigned int *off);

/*
 * Validate feeds and merge them into the per-prefix map values.  Pure;
 * xdp_prog_open() and xdp_prog_set_feeds() call it.
 * @return 0; -EINVAL for a bad family, prefix length, port count, zero port
 *         or index; -E2BIG if a prefix collects more than CAPD_VAL_PORTS
 *         (port, feed) pairs or a family more than CAPD_MAX_FEED_KEYS
 *         prefixes.
 */
int xdp_prog_check_feeds(const struct xdp_feed *feeds, size_t nfeeds);

/*
 * The map value the program holds for prefix (family, addr, len): what
 * the LPM lookup of an address whose longest feed prefix this is returns.
 * For user space doing the program's job (the shared path).  Pure.
 * @return 0 or -E2BIG (as xdp_prog_check_feeds()).
 */
int xdp_prog_feed_value(const struct xdp_feed *feeds, size_t nfeeds, int family,
			const uint8_t *addr, unsigned int len, struct capd_feed_val *v);

/*
 * Load the program for o->ifname, fill the feed maps and attach it as
 * described at the top.  On success *ret owns the attached program.
 * @return 0; -ENODEV (no such interface); -EBUSY (an XDP program is
 *         already attached, in any mode); -ENOENT (object file missing);
 *         the -errno of xdp_prog_check_feeds(); or the -errno of the last
 *         load/attach attempt (e.g. -EOPNOTSUPP: no native XDP and mode
 *         NATIVE).
 */
int xdp_prog_open(const struct xdp_prog_opts *o, struct xdp_prog **ret);

/*
 * Load capd_xdp (no kfunc) with o's feeds and capture_all, verified by the
 * kernel but attached nowhere (o->ifname and o->mode are ignored): for
 * BPF_PROG_TEST_RUN in tests, and to check that this kernel accepts the
 * program before touching an interface.  Free with xdp_prog_close().
 * @return 0, or the -errno of xdp_prog_check_feeds() or of the load.
 */
int xdp_prog_load_unattached(const struct xdp_prog_opts *o, struct xdp_prog **ret);

/* The loaded program's fd (e.g. for bpf_prog_test_run_opts()). */
int xdp_prog_fd(const struct xdp_prog *p);

/*
 * Detach the program and free p.  NULL is a no-op.  The attachment is a
 * BPF link, so the kernel also detaches it when the process dies, however
 * it dies.
 * @return 0; -ENOENT if it was detached already; or the -errno of the
 *         detach.  p is freed in every case.
 */
int xdp_prog_close(struct xdp_prog *p);

/*
 * Replace the feed set of a running program: new prefixes are added before
 * stale ones are removed, so feeds present in both sets never stop
 * matching.  Frames in flight may see either set.
 * @return 0, the -errno of xdp_prog_check_feeds(), or of a map update.
 */
int xdp_prog_set_feeds(struct xdp_prog *p, const struct xdp_feed *feeds, size_t nfeeds);

/*
 * Put AF_XDP socket xsk_fd (bound to this interface and queue) into slot
 * queue of xsks_map; selected frames of that queue go to it from now on.
 * The map holds its own reference: closing the socket empties the slot.
 * @return 0, -EINVAL (queue >= CAPD_MAX_QUEUES), or the map update -errno.
 */
int xdp_prog_xsk_add(struct xdp_prog *p, uint32_t queue, int xsk_fd);

/*
 * Empty slot queue (emptying an empty slot succeeds); selected frames of
 * that queue count as no_socket.  Closing the socket empties it too.
 * @return 0, -EINVAL (queue >= CAPD_MAX_QUEUES), or the map delete -errno.
 */
int xdp_prog_xsk_del(struct xdp_prog *p, uint32_t queue);

/*
 * Counters of queue (or the sum of all queues for XDP_PROG_ALL_QUEUES),
 * summed over CPUs.  A system call and a small allocation: housekeeping
 * thread only.  Queues >= CAPD_MAX_QUEUES share the last entry.
 * @return 0, -EINVAL, -ENOMEM, or the map lookup -errno.
 */
int xdp_prog_counters(struct xdp_prog *p, uint32_t queue, struct capd_xdp_counters *out);

const struct xdp_prog_info *xdp_prog_info(const struct xdp_prog *p);

const char *xdp_prog_mode_str(enum xdp_prog_mode mode);

#endif
