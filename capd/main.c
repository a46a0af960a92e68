// SPDX-License-Identifier: BSD-2-Clause
/*
 * capd - the capture daemon: argv, the order of setup, the privilege drop,
 * the two threads, the order of teardown.  Everything else lives in the
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
#include "xdp_prog.h"
#include "xsk.h"

#define THREAD_STACK (512 * 1024)

struct capd {
	struct capd_conf conf;
	const char *conf_path;
	char ring_path[4096];
	gid_t ring_gid;
	struct ring_lock lock; /* held from before the ring is opened to exit */
	struct ring_map map;
	struct ring_writer writer;
	struct ring_stats *stats;
	unsigned int nifaces;
	int ifindex[CAPD_CONF_MAX_IFACES];
	struct xdp_prog *progs[CAPD_CONF_MAX_IFACES];
	struct hwtstamp_saved hwts[CAPD_CONF_MAX_IFACES];
	struct capture_src srcs[RING_MAX_QUEUES];
	struct sock_fprog filter; /* the shared path's socket filter */
	struct pktsel sel;	  /* and its feed table */
	bool filter_ready;
	struct capture cap;
	struct housekeeping hk;
	struct mcast_join joins;
	pthread_t cap_thread;
	void *cap_stack;    /* mapped and locked before the privilege drop */
	char pmc_path[128]; /* capd's end of ptp4l's socket */
	bool cap_running, hk_running, writer_open, clock_open;
	bool check; /* -n */
};

/* The capture thread: pinned, named, stack touched, then the hot loop. */
static void *capture_thread(void *arg)
{
	struct capture *c = arg;
	char stack[64 * 1024];

	/* Prefault the stack the loop will use (mlockall keeps it); the asm
	 * keeps the compiler from dropping the dead stores. */
	memset(stack, 0, sizeof(stack));
	__asm__ __volatile__("" : : "r"(stack) : "memory");
	capture_run(c);
	return NULL;
}

/* The capture thread's stack, populated now so mlockall(MCL_CURRENT) locks it. */
static int alloc_stacks(struct capd *d)
{
	d->cap_stack = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_POPULATE, -1, 0);
	if (d->cap_stack == MAP_FAILED) {
		d->cap_stack = NULL;
		return -errno;
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

	bool xdp = false;

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

/*
 * What the config cannot know: do the interfaces, queues, core, users and
 * groups exist, and are there hugepages for the ring?  Runs for -n too.
 */
static int check_system(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	struct ring_hugepages hp;
	struct stat st;
	cpu_set_t cpus;
	unsigned int i, q;
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
	if (c->capture.cpu >= 0) {
		if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
			return -errno;
		if (c->capture.cpu >= CPU_SETSIZE || !CPU_ISSET(c->capture.cpu, &cpus)) {
			pr_err("%s: capture.cpu: CPU %d is not online or not allowed to capd "
			       "(allowed: %d CPUs)",
			       d->conf_path, c->capture.cpu, CPU_COUNT(&cpus));
			return -EINVAL;
		}
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
	r = ring_file_resolve(c->ring.name, d->ring_path, sizeof(d->ring_path));
	if (r < 0) {
		pr_err("%s: ring.name: '%s': %s", d->conf_path, c->ring.name, strerror(-r));
		return r;
	}
	/* A ring file of the right size already holds its pages.  While the
	 * kernel still releases a previous capd's, ring_file_create() waits:
	 * only a ring larger than the whole pool is refused now. */
	if ((stat(d->ring_path, &st) < 0 || (uint64_t)st.st_size < c->ring.size) &&
	    ring_file_hugepages(0, &hp) == 0 &&
	    (hp.settling ? hp.total : hp.free) * hp.page_size < c->ring.size) {
		char msg[512];

		pr_err("%s",
		       ring_file_explain(-ENOMEM, d->ring_path, c->ring.size, msg, sizeof(msg)));
		return -ENOMEM;
	}
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
	if (!c->run.user[0] && geteuid() == 0)
		pr_warn("%s: run.user is \"\" and capd runs as root: after setup it keeps uid 0 "
			"(no capability, but any file root owns is its to write); set run.user "
			"to an unprivileged user such as \"capd\"",
			d->conf_path);
	check_clock(d);
	return 0;
}

static int setup_ring(struct capd *d)
{
	struct ring_file_opts o = {
		.path = d->ring_path,
		.size = d->conf.ring.size,
		.block_size = d->conf.ring.block_size,
		.gid = d->ring_gid,
		.mode = d->conf.ring.mode,
	};
	struct passwd *pw = d->conf.run.user[0] ? getpwnam(d->conf.run.user) : NULL;
	char msg[512];
	int r;

	/* First: two capds must not both create, replace or format the file. */
	r = ring_lock_take(&d->lock, d->ring_path, pw ? pw->pw_uid : geteuid(), d->ring_gid);
	if (r < 0) {
		pr_err("ring %s", ring_lock_explain(r, &d->lock, d->ring_path, msg, sizeof(msg)));
		return r;
	}
	r = ring_file_create(&o, &d->map);
	if (r < 0) {
		pr_err("ring %s", ring_file_explain(r, d->ring_path, o.size, msg, sizeof(msg)));
		return r;
	}
	d->stats = (struct ring_stats *)((uint8_t *)d->map.mem + RING_STATS_OFF);
	return 0;
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
	ri->ts_source = RING_TS_KERNEL_TAI;
	if (pi->hw_bound && pi->hw_ts != 0) {
		r = hwtstamp_enable(ifc->name, &d->hwts[i]);
		if (r == 0)
			ri->ts_source = RING_TS_PHC;
		else
			pr_warn("%s: NIC receive timestamping not enabled (%s): kernel TAI stamps",
				ifc->name, strerror(-r));
	}
	pr_info("%s: XDP %s mode, program %s, timestamps from %s", ifc->name,
		xdp_prog_mode_str(pi->mode), pi->prog_name,
		ri->ts_source == RING_TS_PHC ? "the NIC clock"
					     : "the kernel's TAI clock at XDP ingress");
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
		struct capture_src *s = &d->srcs[d->cap.nsrcs];
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

		if (d->cap.nsrcs >= RING_MAX_QUEUES)
			return -E2BIG;
		qid = ifc->nqueues ? ifc->queues[q] : q;
		xo.queue = qid;
		r = xsk_rx_open(&xo, &s->xsk);
		if (r < 0) {
			pr_err("%s queue %u: AF_XDP socket: %s", ifc->name, qid, strerror(-r));
			return r;
		}
		d->cap.nsrcs++;
		r = xdp_prog_xsk_add(d->progs[i], qid, xsk_rx_fd(s->xsk));
		if (r < 0) {
			pr_err("%s queue %u: XSK map: %s", ifc->name, qid, strerror(-r));
			return r;
		}
		s->iface = (uint16_t)i;
		s->queue = (uint16_t)qid;
		s->stats = &d->stats->queues[d->cap.nsrcs - 1];
		s->stats->iface = (uint16_t)i;
		s->stats->queue = (uint16_t)qid;
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

/* The shared path's socket filter and feed table, once for all interfaces. */
static int setup_filter(struct capd *d, const struct xdp_feed *feeds)
{
	char expr[16384], err[512];
	int r;

	if (d->filter_ready)
		return 0;
	r = pktsel_expr(feeds, d->conf.nfeeds, expr, sizeof(expr));
	if (r == 0)
		r = pktsel_init(&d->sel, feeds, d->conf.nfeeds);
	if (r < 0) {
		pr_err("shared path: the feeds do not fit a socket filter: %s", strerror(-r));
		return r;
	}
	r = pktsel_filter(expr, &d->filter, err, sizeof(err));
	if (r < 0) {
		pr_err("shared path: socket filter \"%s\": %s", expr,
		       r == -EINVAL ? err : strerror(-r));
		return r;
	}
	pr_debug("shared path: socket filter \"%s\" (%u instructions)", expr, d->filter.len);
	d->filter_ready = true;
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
	ts = hwtstamp_enable(ifc->name, &d->hwts[i]);
	hw = ts == 0;
	ri->ts_source = hw ? RING_TS_PHC : RING_TS_KERNEL_TAI;
	for (q = 0; q < nq; q++) {
		struct capture_src *s = &d->srcs[d->cap.nsrcs];
		struct pktring_opts po = {
			.ifname = ifc->name,
			.block_size = (uint32_t)d->conf.capture.packet.block_size,
			.blocks = d->conf.capture.packet.blocks,
			.filter = &d->filter,
			/* unique per process and interface, never 0 */
			.fanout_id = nq > 1 ? (int)(((uint32_t)getpid() * 16 + i) % 0xffff) + 1 : 0,
			.hw_ts = hw,
		};

		if (d->cap.nsrcs >= RING_MAX_QUEUES)
			return -E2BIG;
		r = pktring_open(&po, &s->pkt);
		if (r < 0) {
			pr_err("%s queue %u: AF_PACKET socket: %s", ifc->name, q, strerror(-r));
			return r;
		}
		d->cap.nsrcs++;
		s->sel = &d->sel;
		s->iface = (uint16_t)i;
		s->queue = (uint16_t)q;
		s->stats = &d->stats->queues[d->cap.nsrcs - 1];
		s->stats->iface = (uint16_t)i;
		s->stats->queue = (uint16_t)q;
		ri->nqueues++;
	}
	pr_info("%s: shared path (AF_PACKET, %u socket(s)%s), %s; timestamps from %s", ifc->name,
		nq, nq > 1 ? " in a fanout group by queue" : "", why,
		hw ? "the NIC's raw hardware stamps (a frame without one: the kernel's receive "
		     "time at the packet socket, converted to TAI)"
		   : "the kernel's receive time at the packet socket, converted to TAI");
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
static void publish_feeds(struct capd *d)
{
	struct ring_feeds *rf = (struct ring_feeds *)((uint8_t *)d->map.mem + RING_FEEDS_OFF);
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
	struct ring_hdr *h = d->map.mem;
	char dir[RING_RUN_DIR_LEN + sizeof(RING_READERS_SUBDIR) + 1];
	struct stat st;

	memset(h->run_dir, 0, sizeof(h->run_dir));
	snprintf(h->run_dir, sizeof(h->run_dir), "%s", d->conf.run.dir);
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
	unsigned int i;
	int r;

	memset(feeds, 0, sizeof(feeds));
	for (i = 0; i < d->conf.nfeeds; i++) {
		const struct capd_conf_feed *f = &d->conf.feeds[i];

		feeds[i].family = f->group.family;
		memcpy(feeds[i].addr, f->group.addr, sizeof(feeds[i].addr));
		feeds[i].prefix_len = f->group.prefix_len;
		feeds[i].nports = (uint8_t)f->nports;
		memcpy(feeds[i].ports, f->ports, sizeof(feeds[i].ports));
		feeds[i].index = (uint16_t)i;
	}
	/* Statistics of this generation start from zero. */
	memset(d->stats, 0, sizeof(*d->stats));
	publish_feeds(d);
	setup_readers_dir(d);
	xdp_prog_set_print(libbpf_to_log);
	for (i = 0; i < d->conf.capture.ninterfaces; i++) {
		r = setup_interface(d, i, feeds);
		d->nifaces = i + 1;
		if (r < 0)
			return r;
	}
	d->stats->niface = d->nifaces;
	d->stats->nqueue = d->cap.nsrcs;
	if (d->conf.capture.join) {
		r = mcast_join_open(&d->joins, &d->conf, d->ifindex, d->nifaces);
		if (r < 0) {
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

static int start_threads(struct capd *d)
{
	const struct capd_conf *c = &d->conf;
	pthread_attr_t attr;
	uint32_t max = ring_max_caplen(d->writer.hdr->block_size);
	cpu_set_t cpus;
	int r;

	r = capd_conf_metrics_path(c, d->hk.metrics_path, sizeof(d->hk.metrics_path));
	if (r < 0) {
		pr_err("%s: metrics.textfile: %s", d->conf_path, strerror(-r));
		return r;
	}
	d->hk.ring_path = d->ring_path;
	d->cap.writer = &d->writer;
	d->cap.stats = d->stats;
	d->cap.srcs = d->srcs;
	d->cap.snaplen = (uint32_t)c->capture.snaplen < max ? (uint32_t)c->capture.snaplen : max;
	d->cap.batch = (uint32_t)c->capture.batch;
	d->cap.synced = &((struct ring_clock *)((uint8_t *)d->writer.hdr + RING_CLOCK_OFF))->synced;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, d->cap_stack, THREAD_STACK);
	if (c->capture.cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(c->capture.cpu, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	r = -pthread_create(&d->cap_thread, &attr, capture_thread, &d->cap);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		pr_err("capture thread: %s", strerror(-r));
		return r;
	}
	pthread_setname_np(d->cap_thread, "capd-rx");
	d->cap_running = true;

	d->hk.hdr = d->writer.hdr;
	d->hk.cap = &d->cap;
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

/* Reverse of setup; safe on a partial setup. */
static void teardown(struct capd *d)
{
	unsigned int i;

	if (privdrop_raise(CAP_NET_ADMIN) < 0 && geteuid() != 0)
		pr_warn("cannot regain CAP_NET_ADMIN: XDP programs go with the process");
	if (d->hk_running) {
		housekeeping_stop(&d->hk);
		housekeeping_update_stats(&d->hk); /* the programs' last counters */
	}
	/* Stop redirecting first, so the capture loop can drain what came in. */
	for (i = 0; i < d->nifaces; i++) {
		int r = xdp_prog_close(d->progs[i]);

		if (r < 0 && r != -ENOENT)
			pr_warn("%s: detaching XDP: %s", d->conf.capture.interfaces[i].name,
				strerror(-r));
		d->progs[i] = NULL;
	}
	if (d->cap_running) {
		capture_stop(&d->cap);
		pthread_join(d->cap_thread, NULL);
		housekeeping_update_stats(&d->hk); /* the sockets' last counters */
	}
	if (d->hk_running)
		housekeeping_write_metrics(&d->hk, false); /* capd_running 0: a clean stop */
	mcast_join_close(&d->joins);
	for (i = 0; i < d->cap.nsrcs; i++) {
		xsk_rx_close(d->srcs[i].xsk);
		pktring_close(d->srcs[i].pkt);
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
	if (d->writer_open)
		ring_writer_close(&d->writer);
	/* A ring this run created and never wrote holds nothing for anyone. */
	else if (d->map.created)
		unlink(d->ring_path);
	if (d->map.mem)
		ring_file_close(&d->map);
	ring_lock_release(&d->lock);
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
	uint32_t prev_pid;
	char err[1024];
	sigset_t sigs;
	int c, r, sig, verbose = 0;

	d.conf_path = capd_paths_conf();
	d.joins.fd4 = d.joins.fd6 = -1;
	d.map.fd = -1;
	d.lock.fd = -1;
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

	r = setup_ring(&d);
	if (r < 0)
		goto out;
	r = setup_capture(&d);
	if (r < 0)
		goto out;
	prev_pid = ((const struct ring_hdr *)d.map.mem)->writer_pid;
	r = ring_writer_open(&d.writer, d.map.mem, d.map.len, (uint32_t)getpid());
	if (r < 0) {
		pr_err("ring %s: %s", d.ring_path, strerror(-r));
		goto out;
	}
	d.writer_open = true;
	if (d.writer.crashed) {
		pr_warn("ring %s: the capd before (pid %u) was killed or crashed: %llu packet(s) "
			"it had taken were never written and count as lost (a gap in the "
			"sequence numbers); what was still in its sockets is not known",
			d.ring_path, prev_pid, (unsigned long long)d.writer.crash_lost);
		/* Its end of ptp4l's socket (setup_clock()), which it could not remove. */
		snprintf(d.pmc_path, sizeof(d.pmc_path), "%s/pmc.%u", d.conf.run.dir, prev_pid);
		unlink(d.pmc_path);
	}
	/*
	 * Everything the capture thread touches is mapped by now, its stack
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
	pr_info("capturing %u queue(s) of %u interface(s) into %s (generation %u)", d.cap.nsrcs,
		d.nifaces, d.ring_path, d.writer.generation);
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
