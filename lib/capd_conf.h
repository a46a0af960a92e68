/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capd_conf.h - capd's configuration: a libconfig file read into plain C
 * values.  Every key, its type, default, range and meaning is one row of the
 * table in capd_conf.c; conf/capd.conf shows them all.
 *
 * Errors are reported as "FILE:LINE: key.path: message" in a caller buffer;
 * nothing here prints, logs or exits.  Checks that need the running system
 * (does the interface, core, user or group exist?) happen at startup, not
 * here, so that `capd -n` works on any machine.
 */
#ifndef CAPD_CONF_H
#define CAPD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CAPD_CONF_MAX_IFACES 16	 /* == RING_MAX_IFACES */
#define CAPD_CONF_MAX_QUEUES 256 /* queue ids 0..255 */
#define CAPD_CONF_MAX_FEEDS  256
#define CAPD_CONF_MAX_PORTS  16
#define CAPD_CONF_MAX_TEXT   (1u << 20) /* larger files are refused */
#define CAPD_CONF_MAX_CPUS   16		/* capture threads; == RING_SET_MAX */

enum capd_xdp_mode {
	CAPD_XDP_AUTO = 0, /* native if the driver supports it, else generic */
	CAPD_XDP_NATIVE = 1,
	CAPD_XDP_GENERIC = 2,
};

/* How an interface's packets reach capd (capd(8), "Capture paths"). */
enum capd_capture_path {
	CAPD_PATH_BYPASS = 0, /* XDP + AF_XDP: the kernel no longer sees the feeds */
	CAPD_PATH_SHARED = 1, /* AF_PACKET TPACKET_V3: the kernel delivers, capd copies */
	CAPD_PATH_AUTO = 2,   /* bypass on an exclusive box where XDP works, else shared */
};

enum capd_zerocopy {
	CAPD_ZC_AUTO = 0, /* zero-copy if the driver supports it, else copy */
	CAPD_ZC_ON = 1,	  /* fail if zero-copy is not possible */
	CAPD_ZC_OFF = 2,
};

struct capd_conf_ring {
	char name[256];	     /* ring name, or a path if it contains '/' */
	uint64_t size;	     /* bytes of the whole ring file */
	uint32_t block_size; /* power of two */
	char group[32];	     /* "" = capd's primary group */
	unsigned int mode;   /* file mode bits; never group write or other */
};

struct capd_conf_iface {
	char name[16];			       /* IFNAMSIZ, NUL terminated */
	unsigned int nqueues;		       /* 0 = every queue of the interface */
	uint16_t queues[CAPD_CONF_MAX_QUEUES]; /* distinct, in file order */
	int mode;			       /* enum capd_xdp_mode */
	int path;			       /* enum capd_capture_path */
	int timestamp; /* enum wirets_kind: the stamp a switch writes into the frames */
};

struct capd_conf_xsk {
	uint32_t frame_size; /* 2048 or 4096 */
	uint32_t rx_size;    /* RX ring entries, power of two */
	uint32_t fill_size;  /* fill ring entries, power of two */
	uint32_t frames;     /* UMEM frames per socket */
	int zerocopy;	     /* enum capd_zerocopy */
};

/* The shared path's AF_PACKET ring, per socket (capture.packet). */
struct capd_conf_packet {
	uint64_t block_size; /* bytes per TPACKET_V3 block, power of two */
	uint32_t blocks;     /* blocks per socket */
};

struct capd_conf_capture {
	int cpu; /* -1 = do not pin; the one thread's core when ncpus == 0 */
	/* One capture thread per entry, pinned there, writing ring k of the
	 * set; 0 = one thread on cpu.  Never given together with cpu. */
	unsigned int ncpus;
	uint16_t cpus[CAPD_CONF_MAX_CPUS]; /* distinct, 0..4095, in file order */
	int snaplen;
	int batch;
	bool join;		  /* join the feeds' groups (IGMP/MLD) */
	bool exclusive;		  /* this box only captures: no local consumers to keep */
	unsigned int ninterfaces; /* 0..CAPD_CONF_MAX_IFACES; 0: not configured yet */
	struct capd_conf_iface interfaces[CAPD_CONF_MAX_IFACES];
	struct capd_conf_xsk xsk;
	struct capd_conf_packet packet;
};

/* An address or prefix: "239.1.1.1", "239.1.0.0/16", "ff3e::/96". */
struct capd_conf_addr {
	int family;	    /* AF_INET or AF_INET6 */
	uint8_t addr[16];   /* network order; IPv4 uses the first 4 bytes */
	uint8_t prefix_len; /* 32 or 128 for a single address */
};

struct capd_conf_feed {
	char name[32];			     /* unique among feeds */
	struct capd_conf_addr group;	     /* no bits set beyond prefix_len */
	bool allow_unicast;		     /* group need not be multicast */
	unsigned int nports;		     /* 0 = any UDP port */
	uint16_t ports[CAPD_CONF_MAX_PORTS]; /* distinct */
	char proto[32]; /* sequence protocol, as seqdec_parse() takes it; "" = none */
};

struct capd_conf_clock {
	char ptp4l_socket[108]; /* sizeof(sun_path); "" = no ptp4l */
	int domain;		/* PTP domainNumber */
	int max_offset;		/* ns */
};

struct capd_conf_run {
	char user[32];	/* "" = keep the starting user */
	char group[32]; /* "" = keep the starting group */
	char dir[88];	/* leaves room for "/pmc.PID" in a sun_path */
};

struct capd_conf_metrics {
	/* "" = no metrics; a name without '/' is a file in run.dir, a value
	 * with '/' an absolute path; always ends in ".prom" */
	char textfile[256];
};

struct capd_conf {
	struct capd_conf_ring ring;
	struct capd_conf_capture capture;
	unsigned int nfeeds; /* 0 = capture all multicast UDP */
	struct capd_conf_feed feeds[CAPD_CONF_MAX_FEEDS];
	struct capd_conf_clock clock;
	struct capd_conf_run run;
	struct capd_conf_metrics metrics;
};

/*
 * Fill c with the defaults of every key (all bytes not covered by a key are
 * zero, so two configs compare with memcmp).  capture.interfaces has no
 * default: a file must contain the key, but its list may be empty (the
 * shipped file, before the admin names an interface).  A loaded config may
 * thus name no interface: capd refuses to run on it, and every reader of
 * the struct copes with ninterfaces == 0.
 */
void capd_conf_defaults(struct capd_conf *c);

/*
 * Read the file at path (libconfig syntax, at most CAPD_CONF_MAX_TEXT bytes,
 * no @include) over the defaults.  On failure *c is left unchanged and err
 * holds one line without a newline, "path:LINE: key: message" for a config
 * error or "path: strerror" when the file cannot be read.
 * @return 0; -EINVAL for a config error; -ENOMEM; -EFBIG; or the -errno of
 *         open/read.
 */
int capd_conf_load(struct capd_conf *c, const char *path, char *err, size_t errlen);

/*
 * As capd_conf_load() for text already in memory; name stands for the file
 * name in messages.  For tests and fuzzing.
 * @return 0, -EINVAL (message in err) or -ENOMEM.
 */
int capd_conf_parse_string(struct capd_conf *c, const char *text, const char *name, char *err,
			   size_t errlen);

/*
 * Print the effective configuration in libconfig syntax: every key with its
 * value and its documentation as a comment.  The output reads back as an
 * identical struct capd_conf.
 */
void capd_conf_dump(const struct capd_conf *c, FILE *f);

/*
 * The metrics file's path: metrics.textfile itself if it contains '/',
 * else run.dir/metrics.textfile; "" when metrics.textfile is "" (none).
 * @return 0, or -ENAMETOOLONG if it does not fit in len bytes.
 */
int capd_conf_metrics_path(const struct capd_conf *c, char *buf, size_t len);

/* Capture threads c asks for: ncpus, or 1 (on cpu) when cpus is empty. */
static inline unsigned int capd_conf_threads(const struct capd_conf *c)
{
	return c->capture.ncpus ? c->capture.ncpus : 1;
}

/* The core of capture thread k (< capd_conf_threads(c)); -1 = not pinned. */
static inline int capd_conf_thread_cpu(const struct capd_conf *c, unsigned int k)
{
	return c->capture.ncpus ? (int)c->capture.cpus[k] : c->capture.cpu;
}

/*
 * The capture thread that owns the j-th captured queue: the queues in
 * capture order (interfaces in file order, each one's queues in its list
 * order or ascending; on the shared path each AF_PACKET fanout member)
 * go round the threads.
 */
static inline unsigned int capd_conf_queue_thread(const struct capd_conf *c, unsigned int j)
{
	return j % capd_conf_threads(c);
}

/* Format a as "239.1.1.1" or "ff3e::/96" (no suffix for a single address). */
char *capd_conf_addr_str(const struct capd_conf_addr *a, char *buf, size_t len);

#endif
