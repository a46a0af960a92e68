// SPDX-License-Identifier: BSD-2-Clause
/*
 * capd - the capture daemon: argv, the order of setup, the privilege drop,
 * the threads (one capture thread per ring of the set, and housekeeping),
 * the order of teardown.  Everything else lives in the
 * modules this file calls.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "capd_conf.h"
#include "capd_paths.h"
#include "capture.h"
#include "clock_ns.h"
#include "consumers.h"
#include "housekeeping.h"
#include "hwtstamp.h"
#include "log.h"
#include "mcast_join.h"
#include "netdev.h"
#include "phc.h"
#include "pktring.h"
#include "pktsel.h"
#include "preflight.h"
#include "privdrop.h"
#include "ring_feed.h"
#include "ring_file.h"
#include "ring_layout.h"
#include "ring_lock.h"
#include "ring_set.h"
#include "xdp_prog.h"
#include "wirets.h"
#include "xsk.h"

#define THREAD_STACK (512 * 1024)
/* the shared path's filter expression: 256 feeds, each through both Arista
 * header lengths with and without a tag after them (pktsel.h) */
#define FILTER_EXPR_MAX (1u << 20)

/*
 * One capture thread and the ring it writes, ring k of the set: nothing
 * here is written by another capture thread.
 */
struct capd_thread {
	char ring_path[4096];  /* member k of the set (ring_set_member_path()) */
	struct ring_lock lock; /* held from before the ring is opened to exit */
	struct ring_map map;
	struct ring_writer writer;
	struct ring_stats *stats;
	struct capture cap;
	struct capture_src srcs[RING_MAX_QUEUES]; /* the queues this thread owns */
	int cpu;				  /* -1 = not pinned */
	pthread_t thread;
	void *stack;	   /* mapped and locked before the privilege drop */
	uint32_t prev_pid; /* the ring's writer before this start */
	bool running, writer_open;
};

struct capd {
	struct capd_conf conf;
	const char *conf_path;
	char *ring_path; /* the set's name: ring 0's path */
	gid_t ring_gid;
	unsigned int nthreads; /* capd_conf_threads() */
	struct capd_thread th[RING_SET_MAX];
	struct ring_stats *stats; /* ring 0's: the interface table is built there */
	unsigned int nsrcs;	  /* captured queues, all threads */
	uint64_t set_id;
	unsigned int nifaces;
	int ifindex[CAPD_CONF_MAX_IFACES];
	struct xdp_prog *progs[CAPD_CONF_MAX_IFACES];
	struct hwtstamp_saved hwts[CAPD_CONF_MAX_IFACES];
	struct sock_fprog filter; /* the shared path's socket filter */
	struct pktsel sel;	  /* and its feed table */
	bool filter_ready;
	struct housekeeping hk;
	struct mcast_join joins;
	char pmc_path[128]; /* capd's end of ptp4l's socket */
	bool hk_running, clock_open;
	bool check; /* -n */
};

_Static_assert(CAPD_CONF_MAX_CPUS <= RING_SET_MAX, "one ring per capture thread");

/* The capture thread: pinned, named, stack touched, then the hot loop. */
static void *capture_thread(void *arg)
{
	struct capd_thread *t = arg;
	char stack[64 * 1024];

	/* Before the loop, which makes no system call: readers name the thread. */
	ring_store_relaxed32(&t->stats->thread_tid, (uint32_t)gettid());
	/* Prefault the stack the loop will use (mlockall keeps it); the asm
	 * keeps the compiler from dropping the dead stores. */
	memset(stack, 0, sizeof(stack));
	__asm__ __volatile__("" : : "r"(stack) : "memory");
	capture_run(&t->cap);
	return NULL;
}

/* The capture threads' stacks, populated now so mlockall(MCL_CURRENT) locks them. */
static int alloc_stacks(struct capd *d)
{
	unsigned int k;

	for (k = 0; k < d->nthreads; k++) {
		void *p = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED)
			return -errno;
		d->th[k].stack = p;
	}
	return 0;
}

static unsigned int count_rx_queues(const char *ifname)
{
	char path[128];
	unsigned int n;

	for (n = 0; n < CAPD_CONF_MAX_QUEUES; n++) {
		struct stat st;

		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%u", ifname, n);
		if (stat(path, &st) < 0)
			break;
	}
	return n ? n : 1;
}

/* The clock is reported, not required: these only warn, after any error. */
static void check_clock(const struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	struct stat st;

	if (!c->clock.ptp4l_socket[0])
		return;
	if (access(c->clock.ptp4l_socket, F_OK) < 0)
		pr_warn("%s: clock.ptp4l_socket: %s: %s; the clock counts as unsynced until "
			"ptp4l runs",
			d->conf_path, c->clock.ptp4l_socket, strerror(errno));
	if (stat(c->run.dir, &st) < 0)
		pr_warn("%s: run.dir: %s: %s; capd cannot ask ptp4l without it", d->conf_path,
			c->run.dir, strerror(errno));
}

/* What to do about an XDP hook another program holds. */
static const char *busy_hint(const char *ifname)
{
	static char hint[256];

	snprintf(hint, sizeof(hint),
		 " (another XDP program is attached, and capd never replaces one: detach it "
		 "first: ip link set dev %s xdp off, or xdp-loader unload %s --all; or stop "
		 "the capd that holds it)",
		 ifname, ifname);
	return hint;
}

/* Is the interface administratively up?  Down: capd starts, captures nothing. */
static bool iface_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	bool up = true; /* unknown: no warning */
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return up;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = ifr.ifr_flags & IFF_UP;
	close(fd);
	return up;
}

/* The configured feeds as the XDP program and the socket filter take them. */
static void conf_feeds(const struct capd *d, struct xdp_feed *feeds)
{
	unsigned int i;

	memset(feeds, 0, CAPD_CONF_MAX_FEEDS * sizeof(*feeds));
	for (i = 0; i < d->conf.nfeeds; i++) {
		const struct capd_conf_feed *f = &d->conf.feeds[i];

		feeds[i].family = f->group.family;
		memcpy(feeds[i].addr, f->group.addr, sizeof(feeds[i].addr));
		feeds[i].prefix_len = f->group.prefix_len;
		feeds[i].nports = (uint8_t)f->nports;
		memcpy(feeds[i].ports, f->ports, sizeof(feeds[i].ports));
		feeds[i].index = (uint16_t)i;
	}
}

/* The shared path's socket filter and feed table, once for all interfaces. */
static int setup_filter(struct capd *d, const struct xdp_feed *feeds)
{
	const struct capd_conf_capture *cc = &d->conf.capture;
	unsigned int i, through = 0;
	char *expr, err[512];
	int r;

	if (d->filter_ready)
		return 0;
	for (i = 0; i < cc->ninterfaces; i++)
		if (cc->interfaces[i].path != CAPD_PATH_BYPASS)
			through |= cc->interfaces[i].timestamp == WIRETS_ARISTA64 ? PKTSEL_ARISTA64
				   : cc->interfaces[i].timestamp == WIRETS_ARISTA48
					   ? PKTSEL_ARISTA48
					   : 0;
	expr = malloc(FILTER_EXPR_MAX);
	if (!expr)
		return -ENOMEM;
	r = pktsel_expr(feeds, d->conf.nfeeds, through, expr, FILTER_EXPR_MAX);
	if (r == 0)
		r = pktsel_init(&d->sel, feeds, d->conf.nfeeds);
	if (r < 0) {
		pr_err("shared path: the feeds do not fit a socket filter: %s", strerror(-r));
		goto out;
	}
	r = pktsel_filter(expr, &d->filter, err, sizeof(err));
	if (r < 0) {
		pr_err("shared path: socket filter \"%s\": %s", expr,
		       r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	if (d->filter.len > BPF_MAXINSNS) {
		pr_err("shared path: the socket filter of %u feed(s) takes %u instructions, the "
		       "kernel at most %u%s: fewer feeds (a prefix that covers several groups), or "
		       "the bypass path",
		       d->conf.nfeeds, d->filter.len, BPF_MAXINSNS,
		       through ? "; looking through the Arista header (timestamp \"arista64\" or "
				 "\"arista48\" on a shared-path interface) adds the feed list "
				 "twice "
				 "per header length"
			       : "");
		pktsel_filter_free(&d->filter);
		r = -E2BIG;
		goto out;
	}
	pr_debug("shared path: socket filter \"%s\" (%u instructions)", expr, d->filter.len);
	d->filter_ready = true;
out:
	free(expr);
	return r;
}

/*
 * What would make the start fail after the checks of check_system(): an
 * XDP hook another program holds (capd never replaces one), an XDP
 * object that is missing or not capd's, a run.dir capd's user cannot
 * write.  The hook only for -n: a start takes the ring's lock first, so
 * that a second capd hears of the first, and then refuses a held hook
 * with the same advice (attach_hint()).
 */
static int check_start(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	struct preflight_ids ids;
	const char *obj, *why;
	unsigned int i;
	int r;

	bool xdp = false, shared = false;

	/* The shared path sees the interface after the stack, not its queues. */
	for (i = 0; i < c->capture.ninterfaces; i++) {
		const struct capd_conf_iface *ifc = &c->capture.interfaces[i];

		if (ifc->path != CAPD_PATH_BYPASS && ifc->nqueues) {
			pr_err("%s: capture.interfaces[%u]: queues selects NIC queues for the "
			       "bypass "
			       "path only; path \"%s\" captures every queue of %s: remove queues, "
			       "or set path \"bypass\"",
			       d->conf_path, i, ifc->path == CAPD_PATH_SHARED ? "shared" : "auto",
			       ifc->name);
			return -EINVAL;
		}
		xdp |= ifc->path != CAPD_PATH_SHARED;
		shared |= ifc->path != CAPD_PATH_BYPASS;
	}
	/* A feed list the socket filter cannot hold fails here, and capd -n says so. */
	if (shared) {
		struct xdp_feed feeds[CAPD_CONF_MAX_FEEDS];

		conf_feeds(d, feeds);
		r = setup_filter(d, feeds);
		if (r < 0)
			return r;
	}
	for (i = 0; d->check && i < c->capture.ninterfaces; i++) {
		const char *ifname = c->capture.interfaces[i].name;
		struct netdev_xdp_prog xp;

		/* auto falls back to shared on a held hook (setup_interface()) */
		if (c->capture.interfaces[i].path == CAPD_PATH_BYPASS &&
		    netdev_xdp_attached(d->ifindex[i], &xp) == 0 && xp.attached) {
			pr_err("%s: capture.interfaces[%u].name: %s already has an XDP program "
			       "(id %u)%s",
			       d->conf_path, i, ifname, xp.prog_id, busy_hint(ifname));
			return -EBUSY;
		}
	}
	obj = xdp_prog_obj_source(NULL, &why);
	r = xdp ? xdp_prog_obj_check(obj) : 0;
	if (r < 0) {
		pr_err("XDP object %s (from %s): %s; install capd's capd_xdp.bpf.o there, or "
		       "name it with CAPD_BPF_OBJ=FILE",
		       obj, why,
		       r == -ENOEXEC
			       ? "not capd's XDP object (no BPF ELF file with a program capd_xdp)"
			       : strerror(-r));
		return r;
	}
	r = preflight_ids(c->run.user, c->run.group, &ids);
	if (r < 0)
		return r; /* check_system() named the missing user or group */
	r = preflight_dir_writable(c->run.dir, &ids);
	if (r == -ENOENT) {
		pr_err("%s: run.dir: %s does not exist: create it (install -d -o %s %s; "
		       "capd.service makes /run/capd), or set run.dir to a directory that exists",
		       d->conf_path, c->run.dir, c->run.user[0] ? c->run.user : "USER", c->run.dir);
		return r;
	}
	if (r == -EACCES) {
		pr_err("%s: run.dir: %s is not writable by capd's user (uid %u, gid %u, run.user "
		       "\"%s\"), who writes the metrics file there: chown or chmod it, or set "
		       "run.dir to a directory that user may write",
		       d->conf_path, c->run.dir, (unsigned int)ids.uid, (unsigned int)ids.gid,
		       c->run.user);
		return r;
	}
	if (r < 0) {
		pr_err("%s: run.dir: %s: %s", d->conf_path, c->run.dir, strerror(-r));
		return r;
	}
	return 0;
}

/* Every capture thread's core online and allowed to capd. */
static int check_cpus(const struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	cpu_set_t cpus;
	unsigned int k;

	if (!c->capture.ncpus && c->capture.cpu < 0)
		return 0;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return -errno;
	if (!c->capture.ncpus) {
		if (c->capture.cpu >= CPU_SETSIZE || !CPU_ISSET(c->capture.cpu, &cpus)) {
			pr_err("%s: capture.cpu: CPU %d is not online or not allowed to capd "
			       "(allowed: %d CPUs)",
			       d->conf_path, c->capture.cpu, CPU_COUNT(&cpus));
			return -EINVAL;
		}
		return 0;
	}
	for (k = 0; k < c->capture.ncpus; k++) {
		int cpu = c->capture.cpus[k];

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &cpus)) {
			pr_err("%s: capture.cpus[%u]: CPU %d is not online or not allowed to capd "
			       "(allowed: %d CPUs)",
			       d->conf_path, k, cpu, CPU_COUNT(&cpus));
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The queues capd will capture, in capture order: an interface's queues
 * list, else all its receive queues (the shared path always takes all).
 */
static unsigned int count_captured(const struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	unsigned int i, n = 0;

	for (i = 0; i < c->capture.ninterfaces; i++) {
		const struct capd_conf_iface *ifc = &c->capture.interfaces[i];

		n += ifc->nqueues && ifc->path == CAPD_PATH_BYPASS ? ifc->nqueues
								   : count_rx_queues(ifc->name);
	}
	return n;
}

/*
 * Hugepages for the rings of the set that do not exist yet at their size
 * (a ring file of the right size already holds its pages).  While the
 * kernel still releases a previous capd's, ring_file_create() waits: only
 * rings larger than the whole pool are refused now.
 */
static int check_hugepages(const struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	const char *first = NULL;
	struct ring_hugepages hp;
	unsigned int k, missing = 0;
	char msg[512];

	for (k = 0; k < d->nthreads; k++) {
		struct stat st;

		if (stat(d->th[k].ring_path, &st) == 0 && (uint64_t)st.st_size >= c->ring.size)
			continue;
		first = first ? first : d->th[k].ring_path;
		missing++;
	}
	if (!missing || ring_file_hugepages(0, &hp) < 0 ||
	    (hp.settling ? hp.total : hp.free) * hp.page_size >= missing * c->ring.size)
		return 0;
	ring_file_explain(-ENOMEM, first, missing * c->ring.size, msg, sizeof(msg));
	if (d->nthreads == 1)
		pr_err("%s", msg);
	else
		pr_err("%s (capture.cpus: %u capture threads, each writes a ring of ring.size; "
		       "%u of those rings still to be created)",
		       msg, d->nthreads, missing);
	return -ENOMEM;
}

/*
 * What the config cannot know: do the interfaces, queues, cores, users and
 * groups exist, and are there hugepages for the rings?  Runs for -n too.
 */
/* The start line's mention of a switch's stamps in the frames; "" for nic. */
static const char *wire_ts_note(const struct capd_conf_iface *ifc)
{
	static const char *const note[] = {
		[WIRETS_METAMAKO] = "the frames carry a Metamako trailer (timestamp "
				    "\"metamako\"): readers take the wire time from it",
		[WIRETS_EXABLAZE] = "the frames carry an Exablaze trailer (timestamp "
				    "\"exablaze\"): readers take the wire time from it",
		[WIRETS_ARISTA64] = "the frames carry a 64-bit Arista header (timestamp "
				    "\"arista64\"): readers take the wire time from it",
		[WIRETS_ARISTA48] = "the frames carry a 48-bit Arista header (timestamp "
				    "\"arista48\"): readers take the wire time from it",
	};

	return ifc->timestamp > 0 && ifc->timestamp <= WIRETS_KIND_MAX ? note[ifc->timestamp] : "";
}

static int check_system(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	unsigned int i, k, q, ncaptured;
	int r;

	for (i = 0; i < c->capture.ninterfaces; i++) {
		const struct capd_conf_iface *ifc = &c->capture.interfaces[i];
		unsigned int nq;

		d->ifindex[i] = (int)if_nametoindex(ifc->name);
		if (!d->ifindex[i]) {
			pr_err("%s: capture.interfaces[%u].name: no interface '%s'", d->conf_path,
			       i, ifc->name);
			return -ENODEV;
		}
		nq = count_rx_queues(ifc->name);
		for (q = 0; q < ifc->nqueues; q++)
			if (ifc->queues[q] >= nq) {
				pr_err("%s: capture.interfaces[%u].queues: %s has %u receive "
				       "queue(s), no queue %u",
				       d->conf_path, i, ifc->name, nq, ifc->queues[q]);
				return -EINVAL;
			}
	}
	r = check_cpus(d);
	if (r < 0)
		return r;
	/* Each thread owns at least one queue: an idle spinning core helps nobody. */
	ncaptured = count_captured(d);
	if (d->nthreads > ncaptured) {
		pr_err("%s: capture.cpus: %u capture threads for %u queue%s: each thread needs a "
		       "queue of its own; list at most %u core%s, or capture more queues (more "
		       "interfaces, or more RX queues: ethtool -L IFACE combined N)",
		       d->conf_path, d->nthreads, ncaptured, ncaptured == 1 ? "" : "s", ncaptured,
		       ncaptured == 1 ? "" : "s");
		return -EINVAL;
	}
	if (c->run.user[0] && !getpwnam(c->run.user)) {
		pr_err("%s: run.user: no user '%s'", d->conf_path, c->run.user);
		return -ENOENT;
	}
	if (c->run.group[0] && !getgrnam(c->run.group)) {
		pr_err("%s: run.group: no group '%s'", d->conf_path, c->run.group);
		return -ENOENT;
	}
	d->ring_gid = (gid_t)-1;
	if (c->ring.group[0]) {
		struct group *gr = getgrnam(c->ring.group);

		if (!gr) {
			pr_err("%s: ring.group: no group '%s' (create it: groupadd --system %s)",
			       d->conf_path, c->ring.group, c->ring.group);
			return -ENOENT;
		}
		d->ring_gid = gr->gr_gid;
	}
	r = ring_file_resolve(c->ring.name, d->th[0].ring_path, sizeof(d->th[0].ring_path));
	for (k = 1; r == 0 && k < d->nthreads; k++)
		r = ring_set_member_path(d->ring_path, k, d->th[k].ring_path,
					 sizeof(d->th[k].ring_path));
	if (r < 0) {
		pr_err("%s: ring.name: '%s': %s", d->conf_path, c->ring.name, strerror(-r));
		return r;
	}
	r = check_hugepages(d);
	if (r < 0)
		return r;
	r = check_start(d);
	if (r < 0)
		return r;
	r = consumers_check_start(&d->hk.cons, c, d->conf_path);
	if (r < 0)
		return r;
	/* Last, so that a refusal above stays the only line. */
	for (i = 0; i < c->capture.ninterfaces; i++)
		if (!iface_up(c->capture.interfaces[i].name))
			pr_warn("%s: capture.interfaces[%u].name: %s is down: capd captures "
				"nothing from it until it is up (ip link set dev %s up)",
				d->conf_path, i, c->capture.interfaces[i].name,
				c->capture.interfaces[i].name);
	for (i = 0; d->check && i < c->capture.ninterfaces; i++)
		if (c->capture.interfaces[i].timestamp != WIRETS_NONE)
			pr_info("%s: capture.interfaces[%u]: %s: %s", d->conf_path, i,
				c->capture.interfaces[i].name,
				wire_ts_note(&c->capture.interfaces[i]));
	if (!c->run.user[0] && geteuid() == 0)
		pr_warn("%s: run.user is \"\" and capd runs as root: after setup it keeps uid 0 "
			"(no capability, but any file root owns is its to write); set run.user "
			"to an unprivileged user such as \"capd\"",
			d->conf_path);
	check_clock(d);
	return 0;
}

static uid_t ring_owner(const struct capd *d)
{
	struct passwd *pw = d->conf.run.user[0] ? getpwnam(d->conf.run.user) : NULL;

	return pw ? pw->pw_uid : geteuid();
}

/* Ring k of the set, under its single-writer lock. */
static int setup_ring(struct capd *d, struct capd_thread *t)
{
	struct ring_file_opts o = {
		.path = t->ring_path,
		.size = d->conf.ring.size,
		.block_size = d->conf.ring.block_size,
		.gid = d->ring_gid,
		.mode = d->conf.ring.mode,
	};
	char msg[512];
	int r;

	/* First: two capds must not both create, replace or format the file. */
	r = ring_lock_take(&t->lock, t->ring_path, ring_owner(d), d->ring_gid);
	if (r < 0) {
		pr_err("ring %s", ring_lock_explain(r, &t->lock, t->ring_path, msg, sizeof(msg)));
		return r;
	}
	r = ring_file_create(&o, &t->map);
	if (r < 0) {
		pr_err("ring %s", ring_file_explain(r, t->ring_path, o.size, msg, sizeof(msg)));
		return r;
	}
	t->stats = (struct ring_stats *)((uint8_t *)t->map.mem + RING_STATS_OFF);
	return 0;
}

static int setup_rings(struct capd *d)
{
	unsigned int k;
	int r;

	for (k = 0; k < d->nthreads; k++) {
		r = setup_ring(d, &d->th[k]);
		if (r < 0)
			return r;
	}
	d->stats = d->th[0].stats;
	return 0;
}

/*
 * Members NAME.k beyond this start's set, left by a start with more
 * threads: under their lock (no other capd writes them), unlinked.
 * Readers still mapping one keep it until they let go; their hugepages
 * then return.  Only warns: the set's current members are what matters.
 */
static void remove_stale_members(struct capd *d)
{
	char path[4096], msg[512];
	unsigned int k;

	for (k = d->nthreads; k < RING_SET_MAX; k++) {
		struct ring_lock lock = { .fd = -1 };
		struct stat st;
		int r;

		if (ring_set_member_path(d->ring_path, k, path, sizeof(path)) < 0 ||
		    lstat(path, &st) < 0)
			continue;
		r = ring_lock_take(&lock, path, ring_owner(d), d->ring_gid);
		if (r < 0) {
			pr_warn("ring %s: not removed: %s", path,
				ring_lock_explain(r, &lock, path, msg, sizeof(msg)));
			continue;
		}
		if (unlink(path) < 0)
			pr_warn("ring %s: left by a start with more capture threads, not "
				"removed: %s",
				path, strerror(errno));
		else
			pr_info("ring %s: left by a start with more capture threads: removed",
				path);
		unlink(lock.path);
		ring_lock_release(&lock);
	}
}

static void libbpf_to_log(int level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	if (level > 0) /* libbpf info/debug: noise for operators */
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	pr_warn("libbpf: %s", buf);
}

/* "driver bus-address" of ifname (ethtool -i), for the readers' files. */
static void driver_info(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int fd;

	buf[0] = '\0';
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(buf, len, "%.16s%s%.14s", di.driver, di.bus_info[0] ? " " : "",
			 di.bus_info);
	close(fd);
}

/*
 * One line for the kernel features capd does without on this interface
 * (xdp_prog.h) and what each costs; nothing when it lacks none.
 */
static void log_fallbacks(const char *ifname, const struct xdp_prog_info *pi, uint32_t room)
{
	static const struct {
		unsigned int f;
		const char *what;
	} feats[] = {
		{ XDP_PROG_F_KFUNC, "the rx_timestamp kfunc (Linux 6.3)" },
		{ XDP_PROG_F_DEVBOUND, "device-bound XDP programs (6.3)" },
		{ XDP_PROG_F_SG, "multi-buffer AF_XDP sockets (XDP_USE_SG, 6.6)" },
	};
	const unsigned int hw = XDP_PROG_F_KFUNC | XDP_PROG_F_DEVBOUND;
	unsigned int k, missing = 0;
	char what[512], cost[256];
	size_t n = 0;

	what[0] = cost[0] = '\0';
	for (k = 0; k < sizeof(feats) / sizeof(feats[0]); k++) {
		if (pi->feat & feats[k].f)
			continue;
		n += (size_t)snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, "%s%s%s",
				      missing ? ", " : "", feats[k].what,
				      pi->feat_kernel & feats[k].f ? " (forced by CAPD_XDP_FORCE)"
								   : "");
		missing |= feats[k].f;
	}
	if (!missing && !pi->hw_err)
		return;
	if ((missing & hw) || pi->hw_err)
		snprintf(cost, sizeof(cost),
			 "time stamps come from the kernel's clock, not the NIC's");
	if (missing & XDP_PROG_F_SG)
		snprintf(cost + strlen(cost), sizeof(cost) - strlen(cost),
			 "%sframes longer than %u bytes are dropped and counted as xsk_rx_dropped",
			 cost[0] ? "; " : "", room);
	if (!missing)
		pr_info("%s: the device-bound program was refused (%s): %s", ifname,
			strerror(-pi->hw_err), cost);
	else
		pr_info("%s: capd does without %s: %s", ifname, what, cost);
}

/* What to add to a failed attach's message. */
static const char *attach_hint(int r, const struct xdp_prog_opts *po, int ifindex)
{
	if (r == -EBUSY)
		return busy_hint(po->ifname);
	if (po->mode != XDP_PROG_MODE_NATIVE || (r != -ERANGE && r != -EINVAL))
		return "";
	if ((po->feat_off & XDP_PROG_F_SG) || !(xdp_prog_features(ifindex) & XDP_PROG_F_SG))
		return " (without multi-buffer AF_XDP sockets the program takes single-buffer "
		       "frames only, which drivers refuse when the MTU needs more than a page: "
		       "lower the MTU, or set mode \"auto\" for generic mode)";
	return "";
}

/*
 * The captured queue that comes next in capture order, in the thread that
 * owns it (capd_conf_queue_thread()); NULL when its ring has no slot left.
 */
static struct capture_src *next_src(struct capd *d)
{
	struct capd_thread *t = &d->th[capd_conf_queue_thread(&d->conf, d->nsrcs)];

	return t->cap.nsrcs < RING_MAX_QUEUES ? &t->srcs[t->cap.nsrcs] : NULL;
}

/* next_src()'s socket is open: count it, with its slot in its thread's ring. */
static void add_src(struct capd *d, struct capture_src *s, unsigned int iface, unsigned int queue,
		    bool iface_first)
{
	struct capd_thread *t = &d->th[capd_conf_queue_thread(&d->conf, d->nsrcs)];

	s->iface = (uint16_t)iface;
	s->queue = (uint16_t)queue;
	s->iface_first = iface_first;
	s->stats = &t->stats->queues[t->cap.nsrcs++];
	s->stats->iface = (uint16_t)iface;
	s->stats->queue = (uint16_t)queue;
	d->nsrcs++;
}

/*
 * The bypass path on interface i.  With xdp_err set (path auto), an XDP
 * program that cannot be attached is not an error: 1 and its -errno there.
 */
static int setup_bypass(struct capd *d, unsigned int i, struct xdp_feed *feeds, int *xdp_err)
{
	const struct capd_conf_iface *ifc = &d->conf.capture.interfaces[i];
	struct xdp_prog_opts po = {
		.ifname = ifc->name,
		.mode = (enum xdp_prog_mode)ifc->mode,
		.feeds = feeds,
		.nfeeds = d->conf.nfeeds,
		.capture_all = d->conf.nfeeds == 0,
	};
	struct ring_iface *ri = &d->stats->ifaces[i];
	const char *force = secure_getenv("CAPD_XDP_FORCE");
	const struct xdp_prog_info *pi;
	unsigned int q, nq, qid;
	bool sg_refused = false;
	uint32_t room;
	int r;

	/* For tests: act as if the kernel lacked these (capd(8), ENVIRONMENT). */
	if (force && xdp_prog_features_parse(force, &po.feat_off) < 0) {
		pr_err("CAPD_XDP_FORCE=%s: not a comma-separated list of no-kfunc, no-devbound, "
		       "no-sg, no-meta",
		       force);
		return -EINVAL;
	}
	r = xdp_prog_open(&po, &d->progs[i]);
	if (r < 0 && xdp_err) {
		*xdp_err = r;
		return 1;
	}
	if (r < 0) {
		pr_err("%s: XDP program (mode %s): %s%s", ifc->name, xdp_prog_mode_str(po.mode),
		       strerror(-r), attach_hint(r, &po, d->ifindex[i]));
		return r;
	}
	pi = xdp_prog_info(d->progs[i]);
	room = xsk_rx_frame_room(d->conf.capture.xsk.frame_size, pi->meta_in_frame);
	log_fallbacks(ifc->name, pi, room);
	snprintf(ri->name, sizeof(ri->name), "%s", ifc->name);
	driver_info(ifc->name, ri->hardware, sizeof(ri->hardware));
	ri->ifindex = (uint32_t)d->ifindex[i];
	ri->xdp_mode = pi->mode == XDP_PROG_MODE_NATIVE ? 1 : 2;
	ri->path = RING_PATH_BYPASS;
	ri->wire_ts = (uint8_t)ifc->timestamp;
	ri->ts_source = RING_TS_KERNEL_TAI;
	if (pi->hw_bound && pi->hw_ts != 0) {
		r = hwtstamp_enable(ifc->name, &d->hwts[i]);
		if (r == 0)
			ri->ts_source = RING_TS_PHC;
		else
			pr_warn("%s: NIC receive timestamping not enabled (%s): kernel TAI stamps",
				ifc->name, strerror(-r));
	}
	pr_info("%s: XDP %s mode, program %s, timestamps from %s%s%s", ifc->name,
		xdp_prog_mode_str(pi->mode), pi->prog_name,
		ri->ts_source == RING_TS_PHC ? "the NIC clock"
					     : "the kernel's TAI clock at XDP ingress",
		wire_ts_note(ifc)[0] ? "; " : "", wire_ts_note(ifc));
	if (pi->meta_in_frame)
		pr_info("%s: %s: the timestamp header rides inside each frame's buffer (%zu "
			"bytes less room per buffer)",
			ifc->name,
			pi->feat_kernel & XDP_PROG_F_META
				? "bpf_xdp_adjust_meta() not used (forced by CAPD_XDP_FORCE)"
				: "this kernel refuses bpf_xdp_adjust_meta()",
			sizeof(struct capd_xdp_meta));

	nq = ifc->nqueues ? ifc->nqueues : count_rx_queues(ifc->name);
	for (q = 0; q < nq; q++) {
		const struct capd_conf_xsk *xc = &d->conf.capture.xsk;
		struct capture_src *s = next_src(d);
		struct xsk_rx_opts xo = {
			.ifname = ifc->name,
			.xdp_flags = pi->xdp_flags,
			.frame_size = xc->frame_size,
			.frames = xc->frames,
			.fill_size = xc->fill_size,
			.rx_size = xc->rx_size,
			.zerocopy = (enum xsk_rx_zc)xc->zerocopy,
			.meta_in_frame = pi->meta_in_frame,
			.no_sg = !(pi->feat & XDP_PROG_F_SG),
		};

		if (!s)
			return -E2BIG;
		qid = ifc->nqueues ? ifc->queues[q] : q;
		xo.queue = qid;
		r = xsk_rx_open(&xo, &s->xsk);
		if (r < 0) {
			pr_err("%s queue %u: AF_XDP socket: %s", ifc->name, qid, strerror(-r));
			return r;
		}
		add_src(d, s, i, qid, q == 0);
		r = xdp_prog_xsk_add(d->progs[i], qid, xsk_rx_fd(s->xsk));
		if (r < 0) {
			pr_err("%s queue %u: XSK map: %s", ifc->name, qid, strerror(-r));
			return r;
		}
		ri->zerocopy = xsk_rx_info(s->xsk)->zerocopy;
		ri->nqueues++;
		if (xsk_rx_info(s->xsk)->sg_err && !sg_refused) {
			sg_refused = true;
			pr_info("%s queue %u: the AF_XDP socket refused XDP_USE_SG (%s): frames "
				"longer than %u bytes are dropped and counted as xsk_rx_dropped",
				ifc->name, qid, strerror(-xsk_rx_info(s->xsk)->sg_err), room);
		}
	}
	return 0;
}

/*
 * The shared path on interface i: one AF_PACKET socket per receive queue,
 * in one FANOUT_QM group when there are several.  QM, not HASH: the
 * kernel hands each socket the frames of one NIC queue, so records keep
 * their queue and a queue's drops are its socket's, as on the bypass path;
 * a hash would spread a queue over sockets and pin nothing.
 */
static int setup_shared(struct capd *d, unsigned int i, struct xdp_feed *feeds, const char *why)
{
	const struct capd_conf_iface *ifc = &d->conf.capture.interfaces[i];
	struct ring_iface *ri = &d->stats->ifaces[i];
	unsigned int q, nq = count_rx_queues(ifc->name);
	bool hw = false;
	int r, ts;

	r = setup_filter(d, feeds);
	if (r < 0)
		return r;
	snprintf(ri->name, sizeof(ri->name), "%s", ifc->name);
	driver_info(ifc->name, ri->hardware, sizeof(ri->hardware));
	ri->ifindex = (uint32_t)d->ifindex[i];
	ri->xdp_mode = 0;
	ri->path = RING_PATH_SHARED;
	ri->wire_ts = (uint8_t)ifc->timestamp;
	ts = hwtstamp_enable(ifc->name, &d->hwts[i]);
	hw = ts == 0;
	ri->ts_source = hw ? RING_TS_PHC : RING_TS_KERNEL_TAI;
	for (q = 0; q < nq; q++) {
		struct capture_src *s = next_src(d);
		struct pktring_opts po = {
			.ifname = ifc->name,
			.block_size = (uint32_t)d->conf.capture.packet.block_size,
			.blocks = d->conf.capture.packet.blocks,
			.filter = &d->filter,
			/* unique per process and interface, never 0 */
			.fanout_id = nq > 1 ? (int)(((uint32_t)getpid() * 16 + i) % 0xffff) + 1 : 0,
			.hw_ts = hw,
		};

		if (!s)
			return -E2BIG;
		r = pktring_open(&po, &s->pkt);
		if (r < 0) {
			pr_err("%s queue %u: AF_PACKET socket: %s", ifc->name, q, strerror(-r));
			return r;
		}
		s->sel = &d->sel;
		add_src(d, s, i, q, q == 0);
		ri->nqueues++;
	}
	pr_info("%s: shared path (AF_PACKET, %u socket(s)%s), %s; timestamps from %s%s%s",
		ifc->name, nq, nq > 1 ? " in a fanout group by queue" : "", why,
		hw ? "the NIC's raw hardware stamps (a frame without one: the kernel's receive "
		     "time at the packet socket, converted to TAI)"
		   : "the kernel's receive time at the packet socket, converted to TAI",
		wire_ts_note(ifc)[0] ? "; " : "", wire_ts_note(ifc));
	return 0;
}

/* Bypass, shared, or auto's choice between them, in one line. */
static int setup_interface(struct capd *d, unsigned int i, struct xdp_feed *feeds)
{
	const struct capd_conf_iface *ifc = &d->conf.capture.interfaces[i];
	char why[256];
	int r, xdp_err = 0;

	if (ifc->path == CAPD_PATH_BYPASS)
		return setup_bypass(d, i, feeds, NULL);
	if (ifc->path == CAPD_PATH_SHARED)
		return setup_shared(d, i, feeds,
				    "as configured: local sockets keep receiving the feeds");
	if (!d->conf.capture.exclusive)
		return setup_shared(d, i, feeds,
				    "chosen by path \"auto\": capture.exclusive is false, so local "
				    "sockets keep receiving the feeds");
	r = setup_bypass(d, i, feeds, &xdp_err);
	if (r == 0)
		pr_info("%s: bypass path (XDP), chosen by path \"auto\": capture.exclusive is "
			"true and XDP works here",
			ifc->name);
	if (r != 1)
		return r;
	snprintf(why, sizeof(why),
		 "chosen by path \"auto\": capture.exclusive is true but XDP does not work "
		 "here (%s)",
		 strerror(-xdp_err));
	return setup_shared(d, i, feeds, why);
}

/* The feed table readers use to name what they read and decode it. */
static void publish_feeds(struct capd *d, void *mem)
{
	struct ring_feeds *rf = (struct ring_feeds *)((uint8_t *)mem + RING_FEEDS_OFF);
	struct seqdec dec;
	unsigned int i;

	memset(rf, 0, sizeof(*rf));
	for (i = 0; i < d->conf.nfeeds && i < RING_MAX_FEEDS; i++) {
		const struct capd_conf_feed *f = &d->conf.feeds[i];
		struct ring_feed *o = &rf->feeds[i];

		snprintf(o->name, sizeof(o->name), "%s", f->name);
		memcpy(o->addr, f->group.addr, sizeof(o->addr));
		o->family = f->group.family == AF_INET6 ? 6 : 4;
		o->prefix_len = f->group.prefix_len;
		o->nports = (uint8_t)f->nports;
		memcpy(o->ports, f->ports, sizeof(o->ports));
		/* capd_conf validated it with the same parser: it fits */
		if (f->proto[0] && !seqdec_parse(f->proto, &dec))
			ring_feed_set_proto(o, &dec);
	}
	rf->nfeeds = i;
}

/*
 * Where readers announce themselves for capctl status: named in the ring
 * header, in a directory of the ring's group.  Sticky, so one reader cannot
 * remove another's file; setgid, so the files belong to the group too.  Only
 * warns: capture never depends on readers.  A directory that is already so
 * is left alone: under capd.service's RestrictSUIDSGID= any chmod(2) that
 * sets S_ISGID fails, so there tmpfiles.d makes it at boot.
 */
static void setup_readers_dir(struct capd *d)
{
	const mode_t mode = S_ISVTX | S_ISGID | 0770;
	char dir[RING_RUN_DIR_LEN + sizeof(RING_READERS_SUBDIR) + 1];
	struct stat st;
	unsigned int k;

	for (k = 0; k < d->nthreads; k++) {
		struct ring_hdr *h = d->th[k].map.mem;

		memset(h->run_dir, 0, sizeof(h->run_dir));
		snprintf(h->run_dir, sizeof(h->run_dir), "%s", d->conf.run.dir);
	}
	snprintf(dir, sizeof(dir), "%s/" RING_READERS_SUBDIR, d->conf.run.dir);
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || stat(dir, &st) < 0 ||
	    (st.st_gid != d->ring_gid && chown(dir, (uid_t)-1, d->ring_gid) < 0) ||
	    ((st.st_mode & 07777) != mode && chmod(dir, mode) < 0))
		pr_warn("%s: %s: capctl status will not list readers (make it mode 3770, group "
			"of the ring, as tmpfiles.d/capd.conf does)",
			dir, strerror(errno));
}

static int setup_capture(struct capd *d)
{
	struct xdp_feed feeds[CAPD_CONF_MAX_FEEDS];
	unsigned int i, k;
	int r;

	conf_feeds(d, feeds);
	/* Statistics of this generation start from zero; each ring names its
	 * thread's core (its tid once the thread runs). */
	for (k = 0; k < d->nthreads; k++) {
		struct capd_thread *t = &d->th[k];

		t->cpu = capd_conf_thread_cpu(&d->conf, k);
		memset(t->stats, 0, sizeof(*t->stats));
		t->stats->thread_cpu = t->cpu;
		publish_feeds(d, t->map.mem);
	}
	setup_readers_dir(d);
	xdp_prog_set_print(libbpf_to_log);
	for (i = 0; i < d->conf.capture.ninterfaces; i++) {
		r = setup_interface(d, i, feeds);
		d->nifaces = i + 1;
		if (r < 0)
			return r;
	}
	/* Every ring the same interface table: ring_rec.iface means the same in each. */
	for (k = 0; k < d->nthreads; k++) {
		struct ring_stats *st = d->th[k].stats;

		if (k)
			memcpy(st->ifaces, d->stats->ifaces, sizeof(st->ifaces));
		st->niface = d->nifaces;
		st->nqueue = d->th[k].cap.nsrcs;
	}
	if (d->conf.capture.join) {
		r = mcast_join_open(&d->joins, &d->conf, d->ifindex, d->nifaces);
		if (r < 0) {
			if (r == -ENOBUFS)
				pr_err("joining the feeds' groups: %s: one socket may hold at most "
				       "net.ipv4.igmp_max_memberships (sysctl) groups, and capd "
				       "joins every feed on every interface",
				       strerror(-r));
			else
				pr_err("joining the feeds' groups: %s", strerror(-r));
			return r;
		}
		if (d->joins.prefixes)
			pr_warn("%u feed(s) given as prefixes: their groups cannot be joined",
				d->joins.prefixes);
	}
	return 0;
}

/*
 * Before the privilege drop: the client socket is bound and the PHC opened
 * now.  Failing here leaves the clock unsynced, never capture stopped.
 */
static void setup_clock(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	struct clock_status_opts o = {
		.ptp4l_socket = c->clock.ptp4l_socket,
		.client_socket = d->pmc_path,
		.domain = (uint8_t)c->clock.domain,
		.max_offset_ns = c->clock.max_offset,
		.phc_fd = -1,
		.phc_index = -1,
	};
	unsigned int i;
	int r;

	snprintf(d->pmc_path, sizeof(d->pmc_path), "%s/pmc.%d", c->run.dir, (int)getpid());
	for (i = 0; i < d->nifaces; i++)
		if (d->stats->ifaces[i].ts_source == RING_TS_PHC) {
			o.hw_ifname = d->stats->ifaces[i].name;
			break;
		}
	if (d->nifaces) {
		const char *ifname = o.hw_ifname ? o.hw_ifname : d->stats->ifaces[0].name;

		r = phc_open(ifname, &o.phc_fd, &o.phc_index);
		if (r < 0 && r != -ENODEV)
			pr_warn("%s: PTP hardware clock: %s", ifname, strerror(-r));
		else if (r == 0)
			pr_info("%s: PTP hardware clock /dev/ptp%d", ifname, o.phc_index);
	}
	r = clock_status_open(&d->hk.clock, &o);
	if (r < 0)
		pr_warn("ptp4l client socket %s: %s: clock status from ptp4l unavailable",
			d->pmc_path, strerror(-r));
	d->clock_open = true;
}

/* Capture thread k, pinned to its core, on the stack mapped for it. */
static int start_capture(struct capd *d, unsigned int k)
{
	const struct capd_conf *c = &d->conf;
	struct capd_thread *t = &d->th[k];
	uint32_t max = ring_max_caplen(t->writer.hdr->block_size);
	pthread_attr_t attr;
	cpu_set_t cpus;
	char name[16];
	int r;

	t->cap.writer = &t->writer;
	t->cap.stats = t->stats;
	t->cap.srcs = t->srcs;
	t->cap.snaplen = (uint32_t)c->capture.snaplen < max ? (uint32_t)c->capture.snaplen : max;
	t->cap.batch = (uint32_t)c->capture.batch;
	t->cap.synced = &((struct ring_clock *)((uint8_t *)t->writer.hdr + RING_CLOCK_OFF))->synced;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, t->stack, THREAD_STACK);
	if (t->cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(t->cpu, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	r = -pthread_create(&t->thread, &attr, capture_thread, t);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		if (d->nthreads == 1)
			pr_err("capture thread: %s", strerror(-r));
		else
			pr_err("capture thread %u: %s", k, strerror(-r));
		return r;
	}
	if (d->nthreads == 1)
		snprintf(name, sizeof(name), "capd-rx");
	else
		snprintf(name, sizeof(name), "capd-rx%u", k);
	pthread_setname_np(t->thread, name);
	t->running = true;
	return 0;
}

static int start_threads(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	unsigned int k;
	int r;

	r = capd_conf_metrics_path(c, d->hk.metrics_path, sizeof(d->hk.metrics_path));
	if (r < 0) {
		pr_err("%s: metrics.textfile: %s", d->conf_path, strerror(-r));
		return r;
	}
	for (k = 0; k < d->nthreads; k++) {
		r = start_capture(d, k);
		if (r < 0)
			return r;
		d->hk.caps[k] = &d->th[k].cap;
		d->hk.ring_paths[k] = d->th[k].ring_path;
		d->hk.ncaps = k + 1; /* teardown reads the counters of those running */
	}
	d->hk.progs = d->progs;
	d->hk.nprogs = d->nifaces;
	r = housekeeping_start(&d->hk);
	if (r < 0) {
		pr_err("housekeeping thread: %s", strerror(-r));
		return r;
	}
	d->hk_running = true;
	return 0;
}

/* Every ring of the set, stamped as this start's member, opened as writer. */
static int open_writers(struct capd *d)
{
	unsigned int k;
	int r;

	for (k = 0; k < d->nthreads; k++) {
		struct capd_thread *t = &d->th[k];

		t->prev_pid = ((const struct ring_hdr *)t->map.mem)->writer_pid;
		ring_set_stamp(t->map.mem, d->nthreads, k, d->set_id);
		r = ring_writer_open(&t->writer, t->map.mem, t->map.len, (uint32_t)getpid());
		if (r < 0) {
			pr_err("ring %s: %s", t->ring_path, strerror(-r));
			return r;
		}
		t->writer_open = true;
		if (!t->writer.crashed)
			continue;
		pr_warn("ring %s: the capd before (pid %u) was killed or crashed: %llu packet(s) "
			"it had taken were never written and count as lost (a gap in the "
			"sequence numbers); what was still in its sockets is not known",
			t->ring_path, t->prev_pid, (unsigned long long)t->writer.crash_lost);
		/* Its end of ptp4l's socket (setup_clock()), which it could not remove. */
		snprintf(d->pmc_path, sizeof(d->pmc_path), "%s/pmc.%u", d->conf.run.dir,
			 t->prev_pid);
		unlink(d->pmc_path);
	}
	return 0;
}

/* "eth1:0 eth1:2" for thread t's queues (log lines). */
static void queue_list(const struct capd *d, const struct capd_thread *t, char *buf, size_t len)
{
	unsigned int j;
	size_t n = 0;

	buf[0] = '\0';
	for (j = 0; j < t->cap.nsrcs && n < len; j++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s:%u", j ? " " : "",
				      d->stats->ifaces[t->srcs[j].iface].name, t->srcs[j].queue);
}

static void log_start(const struct capd *d)
{
	char queues[1024], cpu[16];
	unsigned int k;

	if (d->nthreads == 1) {
		pr_info("capturing %u queue(s) of %u interface(s) into %s (generation %u)",
			d->nsrcs, d->nifaces, d->ring_path, d->th[0].writer.generation);
		return;
	}
	pr_info("capturing %u queue(s) of %u interface(s) on %u capture threads into the ring "
		"set %s",
		d->nsrcs, d->nifaces, d->nthreads, d->ring_path);
	for (k = 0; k < d->nthreads; k++) {
		const struct capd_thread *t = &d->th[k];

		queue_list(d, t, queues, sizeof(queues));
		if (t->cpu >= 0)
			snprintf(cpu, sizeof(cpu), "core %d", t->cpu);
		else
			snprintf(cpu, sizeof(cpu), "no core");
		pr_info("capture thread %u (%s): %s (generation %u), queues %s", k, cpu,
			t->ring_path, t->writer.generation, queues);
	}
}

/* Reverse of setup; safe on a partial setup. */
static void teardown(struct capd *d)
{
	unsigned int i, k;
	bool any = false;

	if (privdrop_raise(CAP_NET_ADMIN) < 0 && geteuid() != 0)
		pr_warn("cannot regain CAP_NET_ADMIN: XDP programs go with the process");
	if (d->hk_running) {
		housekeeping_stop(&d->hk);
		housekeeping_update_stats(&d->hk); /* the programs' last counters */
	}
	/* Stop redirecting first, so the capture loops can drain what came in. */
	for (i = 0; i < d->nifaces; i++) {
		int r = xdp_prog_close(d->progs[i]);

		if (r < 0 && r != -ENOENT)
			pr_warn("%s: detaching XDP: %s", d->conf.capture.interfaces[i].name,
				strerror(-r));
		d->progs[i] = NULL;
	}
	/* All asked first, so that they drain side by side. */
	for (k = 0; k < d->nthreads; k++)
		if (d->th[k].running)
			capture_stop(&d->th[k].cap);
	for (k = 0; k < d->nthreads; k++) {
		if (!d->th[k].running)
			continue;
		pthread_join(d->th[k].thread, NULL);
		d->th[k].running = false;
		any = true;
	}
	if (any)
		housekeeping_update_stats(&d->hk); /* the sockets' last counters */
	if (d->hk_running)
		housekeeping_write_metrics(&d->hk, false); /* capd_running 0: a clean stop */
	mcast_join_close(&d->joins);
	for (k = 0; k < d->nthreads; k++)
		for (i = 0; i < d->th[k].cap.nsrcs; i++) {
			xsk_rx_close(d->th[k].srcs[i].xsk);
			pktring_close(d->th[k].srcs[i].pkt);
		}
	pktsel_filter_free(&d->filter);
	for (i = 0; i < d->nifaces; i++)
		if (hwtstamp_restore(&d->hwts[i]) < 0)
			pr_warn("%s: could not restore the timestamping configuration",
				d->hwts[i].ifname);
	if (d->clock_open) {
		if (d->hk.clock.o.phc_fd >= 0)
			close(d->hk.clock.o.phc_fd);
		clock_status_close(&d->hk.clock);
	}
	for (k = 0; k < d->nthreads; k++) {
		struct capd_thread *t = &d->th[k];

		if (t->writer_open)
			ring_writer_close(&t->writer);
		/* A ring this run created and never wrote holds nothing for anyone. */
		else if (t->map.created)
			unlink(t->ring_path);
		if (t->map.mem)
			ring_file_close(&t->map);
		ring_lock_release(&t->lock);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: capd [-c FILE] [-n] [-D] [--configured] [-v] [-V] [-h]\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -n, --check        check the configuration and the system, then exit\n"
		"  -D, --dump         print the effective configuration with every default, then "
		"exit\n"
		"      --configured   exit 1 if the configuration names no interface, else 0\n"
		"                     (capd.service's ExecCondition=)\n"
		"  -v, --verbose      more messages\n"
		"  -V, --version      print the version and exit\n"
		"  -h, --help         print this help and exit\n",
		capd_paths_conf());
}

/* One line for a bad command line, as coreutils and tcpdump users expect. */
static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "capd: %s %s\nTry 'capd --help' for more information.\n", what, arg);
	return 2;
}

/*
 * --configured, for capd.service's ExecCondition=: 1 (the unit is skipped,
 * not failed) only for a file that loads and names no interface, the
 * shipped one.  A file that does not load is not this command's to report:
 * 0, so that ExecStartPre=capd -n fails the unit with the parser's message.
 */
static int configured(const char *path)
{
	static struct capd_conf c; /* large: keep it off the stack */

	if (capd_conf_load(&c, path, NULL, 0) < 0 || c.capture.ninterfaces)
		return 0;
	pr_notice("%s names no interface in capture.interfaces: capd not started; name one "
		  "and run systemctl start capd",
		  path);
	return 1;
}

/*
 * Before anything else at a real start: without the capabilities setup
 * needs, capd would fail half-way (on the ring's group, then on XDP).
 */
static int check_caps(const struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	struct preflight_ids ids;
	bool switching;
	char need[256], miss[256];
	int64_t m;

	switching = preflight_ids(c->run.user, c->run.group, &ids) == 0 &&
		    (ids.uid != getuid() || ids.gid != getgid());
	m = preflight_caps_missing(switching);
	if (m <= 0)
		return 0;
	preflight_caps_str((uint64_t)m, miss, sizeof(miss));
	preflight_caps_str(~0ULL & ~(switching ? 0 : (1ULL << CAP_SETUID | 1ULL << CAP_SETGID)),
			   need, sizeof(need));
	pr_err("capd needs root, or the capabilities %s (XDP, AF_XDP sockets, the privilege "
	       "drop%s); it runs as uid %u without %s: start it as root, or as capd.service "
	       "does (AmbientCapabilities=); capd -n checks a configuration without them",
	       need, switching ? " to run.user" : "", (unsigned int)geteuid(), miss);
	return -EPERM;
}

int main(int argc, char **argv)
{
	static struct capd d; /* large: keep it off the stack */
	static const int keep[] = { CAP_NET_ADMIN };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "dump", no_argument, NULL, 'D' },
		{ "configured", no_argument, NULL, 'C' }, /* no short option */
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool check = false, dump = false, cond = false;
	char err[1024];
	sigset_t sigs;
	int c, r, sig, verbose = 0;

	d.conf_path = capd_paths_conf();
	d.joins.fd4 = d.joins.fd6 = -1;
	d.ring_path = d.th[0].ring_path;
	for (c = 0; c < (int)RING_SET_MAX; c++) {
		d.th[c].map.fd = -1;
		d.th[c].lock.fd = -1;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:nDvVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'n':
			check = d.check = true;
			break;
		case 'D':
			dump = true;
			break;
		case 'C':
			cond = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("capd " CAPD_VERSION "\n");
			return 0;
		case ':':
			return usage_error("option requires an argument:", argv[optind - 1]);
		default:
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };

				return usage_error("unknown option", opt);
			}
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument", argv[optind]);
	if (cond && (check || dump))
		return usage_error("--configured excludes", check ? "--check" : "--dump");
	log_init("capd", verbose ? LOG_DEBUG : LOG_INFO);
	if (cond)
		return configured(d.conf_path);

	r = capd_conf_load(&d.conf, d.conf_path, err, sizeof(err));
	if (r < 0) {
		pr_err("%s", err);
		return 1;
	}
	if (dump) {
		capd_conf_dump(&d.conf, stdout);
		return 0;
	}
	if (!d.conf.capture.ninterfaces) {
		pr_err("%s: capture.interfaces names no interface to capture on: name one (see "
		       "capd.conf(5))",
		       d.conf_path);
		return 1;
	}
	d.nthreads = capd_conf_threads(&d.conf);
	if (!check && check_caps(&d) < 0)
		return 1;
	r = check_system(&d);
	if (r < 0)
		return 1;
	if (check) {
		printf("%s: configuration ok\n", d.conf_path);
		return 0;
	}

	/* Signals are taken by sigwait() in this thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	r = setup_rings(&d);
	if (r < 0)
		goto out;
	r = setup_capture(&d);
	if (r < 0)
		goto out;
	/* Non-zero, and another at the next start: readers tell members apart by it. */
	d.set_id = clock_ns(CLOCK_REALTIME) | 1;
	r = open_writers(&d);
	if (r < 0)
		goto out;
	remove_stale_members(&d);
	/*
	 * Everything the capture threads touch is mapped by now, its stack
	 * included: lock it all.  Not MCL_FUTURE: without CAP_IPC_LOCK (dropped
	 * below) every later mapping would be checked against RLIMIT_MEMLOCK,
	 * which the ring and UMEM alone exceed, and fail.
	 */
	r = alloc_stacks(&d);
	if (r < 0) {
		pr_err("thread stacks: %s", strerror(-r));
		goto out;
	}
	setup_clock(&d);
	if (mlockall(MCL_CURRENT) < 0)
		pr_warn("mlockall: %s (needs CAP_IPC_LOCK or LimitMEMLOCK=infinity)",
			strerror(errno));
	r = privdrop(d.conf.run.user, d.conf.run.group, keep, 1);
	if (r < 0) {
		pr_err("dropping privileges to %s:%s: %s", d.conf.run.user, d.conf.run.group,
		       strerror(-r));
		goto out;
	}
	r = start_threads(&d);
	if (r < 0)
		goto out;
	log_start(&d);
	sd_notify(0, "READY=1\nSTATUS=capturing");

	do {
		if (sigwait(&sigs, &sig) != 0)
			break;
	} while (sig == SIGHUP); /* reload is not supported yet: ignore */
	pr_info("signal %d: stopping", sig);
	sd_notify(0, "STOPPING=1");
	r = 0;
out:
	teardown(&d);
	return r < 0 ? 1 : 0;
}
