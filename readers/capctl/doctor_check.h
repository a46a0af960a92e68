/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_check.h - the verdicts of `capctl doctor`: from capd's
 * configuration and facts about the box (gathered by doctor_probe.h) to
 * one item per check, each ok, warning, fail or unknown, with the reason
 * and the command that fixes it.  Pure: no system calls, so tests/unit
 * hands it made-up boxes.
 *
 * "unknown" is for what the caller may not see (another user's files, a
 * hidden /proc) or the kernel does not say; it is not a failure.
 */
#ifndef CAPD_DOCTOR_CHECK_H
#define CAPD_DOCTOR_CHECK_H

#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "capd_conf.h"
#include "consumer_scan.h"
#include "cpulist.h"
#include "doctor_wire.h"
#include "netdev.h"
#include "ring_file.h"

#define DOCTOR_MAX_CONSUMERS 8 /* named; more are counted */
#define DOCTOR_MAX_CAPDUMP   8 /* recorders whose cores are checked */

/* Below this many seconds of traffic at line rate the ring is "small". */
#define DOCTOR_RING_SECONDS_MIN 5

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN,
	DOCTOR_FAIL,
	DOCTOR_UNKNOWN,
};

struct doctor_item {
	char check[16];		 /* "hugepages", "xdp-native", ...: stable for --json */
	char iface[IF_NAMESIZE]; /* "" for the checks of the whole box */
	enum doctor_status status;
	char reason[768];
	char fix[768]; /* "" when there is nothing to do */
};

/* A process found in /proc by its name. */
struct doctor_proc {
	int pid;	/* 0: not running */
	char args[512]; /* its command line, arguments joined by spaces */
};

/* capd's configuration file, as capctl doctor read it. */
struct doctor_conf {
	const char *path;
	int err;	       /* of capd_conf_load(): 0, -EINVAL, -EACCES, -ENOENT... */
	char msg[1024];	       /* its message when err */
	struct capd_conf conf; /* the defaults when err */
};

/* A process and the cores it may run on. */
struct doctor_affinity {
	int pid;
	int aff_err; /* reading its Cpus_allowed_list */
	struct cpulist allowed;
};

/* Facts about the whole box. */
struct doctor_box {
	bool root; /* effective uid 0: nothing is hidden from us */
	/* the ring and its hugepages */
	char ring_path[4096];
	int hp_err;		  /* of ring_file_hugepages() */
	struct ring_hugepages hp; /* of the page size of the ring's mount */
	char hp_explain[512];	  /* ring_file_explain(-ENOMEM) for the ring */
	char fs_dir[4096];	  /* the ring's directory, or its nearest existing parent */
	int fs_err;		  /* statfs(fs_dir) */
	bool on_hugetlbfs;
	int dir_err; /* stat of the ring's directory */
	struct stat dir_st;
	int file_err; /* stat of the ring file */
	struct stat file_st;
	int access_err;		  /* opening the ring read-only as the caller */
	char access_explain[512]; /* ring_file_explain(access_err) */
	/* accounts named by the configuration (not looked up when "") */
	bool ring_group_known; /* ring.group (or run.group) resolved */
	gid_t ring_gid;
	bool ring_group_missing;
	bool run_user_known;
	uid_t run_uid;
	bool run_user_missing;
	unsigned int nrun_groups;
	gid_t run_groups[64]; /* run.user's groups, run.group's gid included */
	/* cores */
	int online_err;
	struct cpulist online;
	int isolated_err;
	struct cpulist isolated;
	int nohz_err; /* -ENOENT: a kernel without NO_HZ_FULL */
	struct cpulist nohz_full;
	char cmdline[4096];  /* /proc/cmdline */
	int cpu_node;	     /* NUMA node of capture.cpu (thread 0's core); -1 unknown */
	unsigned int nnodes; /* NUMA nodes online; 0 unknown */
	/* NUMA node of each capture thread's core (capd_conf_thread_cpu()) */
	int cpu_nodes[CAPD_CONF_MAX_CPUS];
	/* the rings 1.. of the set (ring.name.1 ...) that exist with the ring's
	 * size: they hold their hugepages already */
	unsigned int members_present;
	/* processes */
	int procs_err; /* -EACCES: /proc hides other users' processes */
	struct doctor_proc capd, ptp4l, phc2sys, irqbalance;
	/* running recorders and the cores they may run on (their affinity) */
	unsigned int ncapdump;
	struct doctor_affinity capdump[DOCTOR_MAX_CAPDUMP];
	int ptp4l_conf_err; /* reading ptp4l's -f file */
	char ptp4l_conf[8192];
	int sock_err; /* stat of clock.ptp4l_socket */
	struct stat sock_st;
	/* local consumers of the feeds on bypass interfaces (consumer_scan.h),
	 * capd's own memberships discounted while it runs */
	int cons_err; /* of consumer_scan() */
	size_t ncons; /* found; the first DOCTOR_MAX_CONSUMERS in cons[] */
	struct consumer cons[DOCTOR_MAX_CONSUMERS];
};

struct doctor_irq {
	int irq;
	char name[64];
	int queue; /* doctor_probe_irq_queue() */
	int aff_err;
	struct cpulist affinity; /* smp_affinity_list */
};

#define DOCTOR_MAX_IRQS 128

/* Facts about one configured interface. */
struct doctor_iface {
	char name[IF_NAMESIZE];
	int ifindex; /* 0: no such interface */
	int xdp_err; /* netdev_xdp_features() */
	struct netdev_xdp xdp;
	int prog_err; /* netdev_xdp_attached() */
	struct netdev_xdp_prog prog;
	int ts_err; /* ETHTOOL_GET_TS_INFO */
	struct ethtool_ts_info ts;
	int hwts_err; /* SIOCGHWTSTAMP */
	struct hwtstamp_config hwts;
	bool has_device; /* false: a virtual interface, no IRQs */
	unsigned int nirqs;
	struct doctor_irq irqs[DOCTOR_MAX_IRQS];
	int numa_node;		  /* -1: the device does not say */
	struct cpulist node_cpus; /* the CPUs of numa_node */
	int speed_mbps;		  /* -1: unknown (link down, or no such notion) */
	struct doctor_wire wire;  /* the stamps in its newest frames (doctor_wire_probe()) */
};

/*
 * Judge the box: config first, then the checks of the whole box, then
 * those of each interface, into items (at most max).
 * @return the number of items written.
 */
unsigned int doctor_check(const struct doctor_conf *dc, const struct doctor_box *b,
			  const struct doctor_iface *ifs, unsigned int nifs,
			  struct doctor_item *items, unsigned int max);

/* "ok", "warning", "fail", "unknown". */
const char *doctor_check_status_str(enum doctor_status s);

#endif
